/* The console's data: a compact index of every line of the store, built
 * in slices by the core scanner (the very scan `persistence scan` runs),
 * and the scan report it fills.  Rows are read back with pread when drawn,
 * never mapped: a file truncated under us must not kill the process.
 *
 * Per line the index keeps 12 bytes (length, timestamp, flags and kind,
 * interned type and address), plus one offset per MODEL_CK_LINES lines, so
 * 3.7 M lines (1 GB) take about 45 MB. */
#ifndef PAPYRA_UI_MODEL_H
#define PAPYRA_UI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "intern.h"
#include "scan.h"

/* One exact offset every this many lines; the rest are summed from lengths. */
#define MODEL_CK_LINES 64

/* meta byte: kind in the low 2 bits, then flags */
#define MF_KIND_MASK 0x03
#define MF_VALID 0x04    /* a JSON object */
#define MF_CORRUPT 0x08  /* CORRUPTED_LINE */
#define MF_TRUNC 0x10    /* unterminated last line (TRUNCATED_LINE) */
#define MF_TS_NUM 0x20   /* numeric timestamp (in ts[]) */
#define MF_TS_ANY 0x40   /* has a timestamp member: listed by the record views */
#define MF_SCHEMA 0x80   /* SCHEMA_MISMATCH */

#define MODEL_TYPE_MAX 255u   /* ids fit a byte; 255 = too many distinct types */
#define MODEL_ADDR_MAX 65535u /* ids fit 16 bits */

struct model {
	char *path;     /* file read */
	char *display;  /* as reported */
	int fd;         /* for pread; -1 when the file is missing or unreadable */
	int64_t size;   /* file size at open */

	struct scan_report rep;
	struct ndjson_scanner *scanner; /* NULL once the scan is over */
	perr err;
	int failed;     /* the scan stopped on an error (err holds it) */

	size_t n, cap;  /* lines indexed */
	uint32_t *len;  /* line length without "\n" (saturated) */
	float *ts;      /* seconds after ts_base */
	uint8_t *meta;  /* MF_* */
	uint8_t *type_id;  /* event_type / message_type */
	uint16_t *addr_id; /* actor_address / target */
	uint64_t *ck_off;  /* offset of line k * MODEL_CK_LINES */
	double ts_base;
	int have_base;
	double ts_min, ts_max; /* absolute, numeric timestamps of records */

	int64_t records[RK__COUNT]; /* listed records per kind */
	int64_t listed;             /* sum of records[] */
	int oom;                    /* an index allocation failed: index stopped growing */

	struct intern types, addrs;
	struct scan_sink sink; /* handed to the scanner: lives as long as the model */
};

int model_open(struct model *m, const char *path, const char *display, perr *e);
void model_close(struct model *m);

/* Index for about `budget_ms` milliseconds.  Returns 1 while more remains,
 * 0 when the whole file is indexed (or the scan failed: m->failed). */
int model_step(struct model *m, int budget_ms);
int model_scanning(const struct model *m);
/* Bytes indexed so far. */
int64_t model_done_bytes(const struct model *m);

int64_t model_offset(const struct model *m, size_t line);
static inline enum rec_kind model_kind(const struct model *m, size_t i)
{
	return (enum rec_kind)(m->meta[i] & MF_KIND_MASK);
}
/* Absolute timestamp of line i, or NaN. */
double model_ts(const struct model *m, size_t i);
/* Display form of an interned type / address ("" for none, "?" for overflow). */
const char *model_type_name(struct model *m, unsigned id);
const char *model_addr_name(struct model *m, unsigned id);

/* Read up to `cap` bytes of line i into buf; returns the bytes read
 * (< the line's length when it was longer), or -1. */
long model_read(const struct model *m, size_t i, char *buf, size_t cap);

/* Selections: the lines a list view shows, without a list of them.  Every
 * SEL_STEP-th match is remembered; a row is found from the nearest one. */
#define SEL_STEP 64

struct sel {
	int (*pred)(const struct model *m, size_t line, const void *arg); /* NULL: every line */
	const void *arg;
	uint32_t *ck;
	size_t n_ck, cap_ck;
	int64_t count;
	size_t upto;       /* lines examined */
	int64_t hint_row;  /* last answer, to walk from it */
	size_t hint_line;
};

void sel_init(struct sel *s, int (*pred)(const struct model *, size_t, const void *), const void *arg);
void sel_free(struct sel *s);
void sel_reset(struct sel *s);   /* the predicate changed */
void sel_update(struct sel *s, const struct model *m); /* take in new lines */
int64_t sel_count(const struct sel *s, const struct model *m);
size_t sel_line(struct sel *s, const struct model *m, int64_t row);
/* First row whose line is >= line (count when none). */
int64_t sel_row_at(struct sel *s, const struct model *m, size_t line);

#endif
