/* Compaction of a rotating NDJSON set (SPEC §5).
 *
 * Retention (age, then newest N, then size; retention.h) is applied over
 * all records of the set in reading order; the surviving lines, byte for
 * byte, are re-chunked by max_bytes oldest first into P.(F-1) ... P.1, P, and
 * when they need more than F files the active file P holds the rest.  Only
 * retention drops anything.  Lines that are not records (present only under
 * --force) are kept; an unterminated one gets its "\n" unless it is the
 * very last line, so it cannot swallow the line placed after it. */
#ifndef PAPYRA_ROTATING_COMPACT_H
#define PAPYRA_ROTATING_COMPACT_H

#include <stdint.h>

#include "common.h"
#include "compact.h"
#include "config.h"

/* Compact the set whose active file is `path`.  `now` is the reference
 * time for max_age_seconds (Unix seconds).  Every existing member is
 * locked (flock, the active file included) for the whole operation; the
 * new files are written as temps and fsynced, then an intent record, then
 * members are replaced (rotating_install.c), so a crash at any point
 * leaves complete files at every path and every retained record in the
 * set, and the next run finishes the job.  Lines the application appends
 * meanwhile are kept (live.h); a rotation by the writer before anything
 * changed makes it plan again.  Nothing is changed when nothing would be
 * dropped and the layout would stay the same, or when the set is empty.
 * Errors: PX_IOERR (unreadable member, write failure, ...) with the set as
 * it was, unless res->applied, which the message then says. */
int rotating_compact(const char *path, int64_t max_files, int64_t max_bytes,
		     const struct retention *ret, double now, struct compact_result *res,
		     perr *e);


/* Finish a compaction of the set of `path` that was interrupted (its intent
 * record exists): install the remaining new files, move lines appended to
 * the old ones since, remove the old ones and the record.  0 when done or
 * when there is nothing to finish. */
int rotating_compact_finish(const char *path, perr *e);

#endif
