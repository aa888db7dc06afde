/* Compaction (SPEC §5): rewrite the data with the retention policy applied
 * (the rule is core/retention.h, shared with listings and the console's
 * preview), surviving lines byte for byte, atomically, under an exclusive
 * lock on the data file. */
#ifndef PAPYRA_COMPACT_H
#define PAPYRA_COMPACT_H

#include <stdint.h>

#include "common.h"
#include "config.h"

struct compact_result {
	const char *backend;      /* "json", ... (static string) */
	int64_t before_records, after_records;
	int64_t before_bytes, after_bytes;
	int bytes_known;          /* 0: the backend cannot measure bytes (prints None) */
	const char *note;         /* static text: a part of the policy the backend could not apply */
	/* Lines the application appended while compaction ran (SPEC §4, the
	 * store is live): kept, byte for byte, after the compacted ones. */
	int64_t lines_caught_up;
	int applied;              /* the store was changed (also when a later step failed) */
	char lease_note[160];     /* non-empty: leases were unavailable (see live.h) */
};

/* Compact one NDJSON file in place.  `now` is the reference time for
 * max_age_seconds (Unix seconds).  A missing file is a no-op.  Retention
 * applies to the complete lines present when the file is locked; lines
 * appended meanwhile are the newest and are kept (live.h switches the
 * result into place).  After the switch a failure says "applied, but"
 * and res->applied is 1. */
int compact_ndjson_file(const char *path, const struct retention *ret, double now,
			struct compact_result *res, perr *e);

#endif
