/* The listing engine behind `inspect events | audits | dead-letters |
 * summary` and the counts of `persistence inspect` (SPEC §6, §11).
 *
 * Every listing streams through the backend's scan sink: nothing holds the
 * data, so a 1 GB file lists within the RSS target.  What needs to know
 * the future costs a bounded buffer or an extra pass, never the whole
 * data: retention is decided with a counting pass (retention.h, retview);
 * `limit` keeps the newest N matches in a bounded ring, or when they do not
 * fit counts the matches first and prints on a second pass; `reverse`
 * keeps the output lines, spilling them to an unlinked temporary file past
 * a bound.  Records longer than the scanner's buffer are read back
 * (longrec.h).  The engine decides which records and in which order; the
 * caller's emit callback says how one looks. */
#ifndef PAPYRA_LISTING_H
#define PAPYRA_LISTING_H

#include <stdint.h>

#include "backend.h"
#include "record.h"
#include "strbuf.h"

/* --reverse keeps its output lines in memory up to this many bytes, then
 * moves them to an unlinked temporary file: newest-first over millions of
 * records stays within the memory target at the cost of some disk. */
#define LISTING_STORE_MEM_MAX (8u << 20)
/* Block size for reading that file backwards. */
#define LISTING_READ_BLOCK (1u << 20)
/* `limit` up to this many records (and their bytes up to the next bound)
 * is kept as the records stream by, so the store is read once; past either
 * bound the listing counts the matches first and prints on a second pass. */
#define LISTING_TAIL_MAX_RECORDS 4096
#define LISTING_TAIL_MAX_BYTES (8u << 20)

struct listing_opts {
	enum rec_kind kind;
	int64_t limit;              /* the newest N matches; -1: all */
	int has_since;
	double since;               /* numeric timestamps >= since (NaN passes, as in the reference) */
	int has_until;
	double until;               /* numeric timestamps <= until (NaN passes too; a papyra extension) */
	const char *event_type;     /* NULL or "": any (the reference ignores "") */
	const char *target;         /* NULL or "": any; record_addr_matches otherwise */
	int reverse;                /* newest first */
	int full;                   /* the output shows every member: long records are read back whole */
	int64_t sample_size;        /* Redis: entries read per stream (--max-read); 0: all */
	const struct retention *ret; /* the stored view: what compaction would keep; NULL: everything */
	double now;                 /* reference time for max_age_seconds */
};

struct listing_out {
	void *ctx;
	/* Format record `r` into `line` (empty on entry; the callback may also
	 * replace its buffer).  Called once per record listed, in output order
	 * when not reversing.  Returns 0, or -1 (e) to stop the listing. */
	int (*emit)(void *ctx, const struct record *r, struct strbuf *line, perr *e);
	/* Write one formatted line (without its "\n"), in output order. */
	void (*write)(void *ctx, const char *p, size_t n);
};

/* List the records of `b` that `o` selects through `out`.  *emitted is the
 * number of records listed.  Returns 0, or -1 (e) when the scan or the
 * output failed. */
int listing_run(struct backend *b, const struct listing_opts *o, const struct listing_out *out,
		int64_t *emitted, perr *e);

/* Records per kind in the stored view (o->ret applied, nothing else):
 * what `persistence inspect` counts; very long records count too. */
int listing_tally(struct backend *b, const struct listing_opts *o, int64_t tally[RK__COUNT], perr *e);

#endif
