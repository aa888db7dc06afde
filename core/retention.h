/* Retention (SPEC §5), decided in one place: which records a policy keeps,
 * over scanner passes, without holding the records.  Listings
 * (core/listing.c) show what it keeps and compaction (core/compact.c,
 * core/rotating_compact.c) writes what it keeps, so a listing under a
 * policy shows exactly what `persistence compact` leaves.
 *
 * The rule, in its order of evaluation:
 *   age    a record goes when its numeric timestamp is before
 *          now - max_age_seconds; one whose age cannot be told (no, a
 *          non-numeric or a NaN timestamp) stays.  The reference drops
 *          those instead, or crashes on a string.
 *   count  the newest max_records of the records age kept.
 *   size   the newest of those whose line bytes, "\n" included, fit in
 *          max_total_bytes, stopping at the first that does not fit, as
 *          the reference does.
 * "Newest" is storage order (the append order).  Every valid object line
 * is a record, whatever its kind, as in the reference's reader; other
 * lines are not records, so no rule counts them (compaction keeps them:
 * retview_compact_keeps).
 *
 * Use: retview_init(), retview_add() for every line of one pass,
 * retview_finish(); then, for each later pass over the same lines,
 * retview_rewind() and retview_keeps() (or retview_compact_keeps()) for
 * every line, in the same order.  Memory is a few counters per group,
 * whatever the data size.  Lines appended between the passes are not
 * kept: they were not counted. */
#ifndef PAPYRA_RETENTION_H
#define PAPYRA_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "config.h"
#include "scan.h"

/* The records one policy applies to together: the whole store, or one
 * file/stream of a per-file view.  Fields are private. */
struct retview_group {
	int64_t records;    /* records seen (pass 1) */
	int64_t eligible;   /* of which the age rule keeps (pass 1) */
	int64_t bytes;      /* their line bytes */
	int64_t first_kept; /* index among eligible of the first one the count rule keeps */
	int64_t idx;        /* later passes: eligible records seen so far */
	int64_t before;     /* bytes of eligible records before first_kept */
	int64_t tail;       /* bytes of eligible records from first_kept on, once known */
	int64_t seen;       /* bytes of eligible records from first_kept up to idx */
};

/* Fields are private: use the functions below. */
struct retview {
	struct retention pol;
	double cutoff;      /* now - max_age_seconds */
	int per_file;       /* one group per file/stream (Redis: retention is per stream) */
	struct retview_group *g;
	size_t ng, capg;
	/* pass 1, over every line, for retview_suffix() */
	int64_t end;            /* end of the lines so far while they run from offset 0 without a gap, else -1 */
	int64_t nonrecords;     /* lines that are not records */
	int64_t first_eligible; /* offset of the first record the age rule keeps, or -1 */
	int age_unordered;      /* a record the age rule drops follows one it keeps */
};

/* Prepare a view of policy `pol` (copied).  `now` is Unix time, taken once
 * so every pass draws the same age line.  `per_file`: apply the policy to
 * each file/stream (scan_line.file_index) alone instead of to all lines
 * together.  Allocates nothing; retview_free() releases what the passes
 * allocate. */
void retview_init(struct retview *v, const struct retention *pol, double now, int per_file);
void retview_free(struct retview *v);

/* First pass: count line `l`.  Call it for every line, records or not, in
 * storage order.  Returns 0, or -1 when out of memory (e set). */
int retview_add(struct retview *v, const struct scan_line *l, perr *e);

/* End of the first pass: decide where the count rule starts keeping.
 * Leaves the view rewound for a later pass. */
void retview_finish(struct retview *v);

/* Start a later pass from the first line again. */
void retview_rewind(struct retview *v);

/* Later passes: 1 when line `l` is a record the policy keeps, else 0 (a
 * line that is not a record is never "kept" by this one).  Call it for
 * every line, in the order they were added: it advances the position. */
int retview_keeps(struct retview *v, const struct scan_line *l);

/* Compaction's decision for any line, with the same obligations as
 * retview_keeps(): a record as that decides; any other line is kept,
 * since compaction meets one only under --force and must never be a
 * silent repair. */
int retview_compact_keeps(struct retview *v, const struct scan_line *l);

/* After retview_finish(): records seen in the first pass (all groups). */
int64_t retview_records(const struct retview *v);

/* After retview_finish(): 1 when the policy drops at least one record. */
int retview_drops(const struct retview *v);

/* Where a single file's survivors begin, when they are one tail of it. */
struct retview_suffix {
	int64_t from;      /* offset of the first record the age rule keeps (`end` when none) */
	int64_t skip;      /* lines from `from` on that the count rule drops */
	int64_t min_start; /* the size rule keeps only lines starting at or after this offset */
	int64_t end;       /* bytes the lines cover: the file size */
};

/* After retview_finish(): 1 when the first pass saw one file whose lines
 * are all records, from offset 0 without a gap, with every record the age
 * rule drops stored before every record it keeps.  The survivors (for
 * retview_keeps and retview_compact_keeps alike) are then exactly the
 * lines that start both at or after the start of line `skip` (0-based)
 * counted from `from` and at or after `min_start`: what is kept is one
 * tail of the file, which a caller can copy as bytes without a pass over
 * its lines (locating those line starts is the caller's, as only it can
 * read the file).  Else 0, and *s is unspecified: decide line by line. */
int retview_suffix(const struct retview *v, struct retview_suffix *s);

#endif
