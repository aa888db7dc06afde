/* The console's data: a compact index of every line of the store, built
 * in slices by the core scanner (the very scan `persistence scan` runs),
 * and the scan report it fills.  Rows are read back only when drawn:
 * with pread from the right file, never mapped (a file truncated under us
 * must not kill the process), or, for Redis, one entry at a time through
 * the backend into a small cache of recent rows.
 *
 * The store is one file (json), the members of a rotating set in reading
 * order (oldest first), or the three Redis streams in order; each is a
 * segment: a run of consecutive lines of the index.
 *
 * Per line the index keeps 12 bytes (length, timestamp, flags and kind,
 * interned type and address; 1 and 2 bytes, wider only when a store has
 * more than 255 types or 65,535 addresses), plus, for files, one offset per
 * MODEL_CK_LINES lines (so 3.7 M lines, 1 GB, take about 45 MB) and, for
 * Redis, the entry id as two 64-bit numbers (28 bytes per entry). */
#ifndef PAPYRA_UI_MODEL_H
#define PAPYRA_UI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "follow.h"
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
#define MF_TS_ANY 0x40   /* has a timestamp member (records without one are listed too) */
#define MF_SCHEMA 0x80   /* SCHEMA_MISMATCH */

/* Interned ids per line: a column of 1-byte ids, widened to 2 and then 4
 * bytes (copied once) the first time an id does not fit, so a store with
 * a few types pays one byte a line and 70,000 actors still filter right. */
struct idcol {
	void *p;
	unsigned width; /* bytes per id: 1, 2 or 4 */
};

static inline uint32_t idcol_get(const struct idcol *c, size_t i)
{
	return c->width == 1 ? ((const uint8_t *)c->p)[i] :
	       c->width == 2 ? ((const uint16_t *)c->p)[i] : ((const uint32_t *)c->p)[i];
}

/* Longest Redis entry id as text: two 64-bit decimals and a dash. */
#define MODEL_ID_MAX 42
/* A file or stream name as model_where writes it is cut at this length. */
#define PATH_SHOWN_MAX 512

/* One file of the store (or one stream): lines [first, first + n). */
struct model_seg {
	char *path;         /* as reported (and opened, for files); the stream key */
	const char *name;   /* inside path: its base name, or the key's last ':' part */
	size_t file_index;  /* in rep.files */
	size_t first, n;
	int64_t base;       /* number of its first line: 1 for files, the stream position for Redis */
	int fd;             /* files: for pread, -1 when it could not be opened; Redis: -1 */
	size_t ins;         /* lines it got since model_moved_reset (model_moved) */
};

struct rowcache;
struct merge;

struct model {
	const struct backend_traits *t; /* what the store is (backend.h): asked, never the backend's name */
	struct backend *b;   /* borrowed: rows without a file are read back through it */
	char *path;          /* the configured path (files) */

	struct scan_report rep;
	perr err;
	int failed;          /* the scan stopped on an error (err holds it) */

	/* scanning, in slices: the backend's incremental scan */
	struct backend_scan *scan;
	int scanning;

	struct model_seg *seg;
	size_t n_seg, cap_seg;

	size_t n, cap;  /* lines indexed */
	uint32_t *len;  /* line length without "\n" (saturated); Redis: the `data` bytes */
	float *ts;      /* seconds after ts_base */
	uint8_t *meta;  /* MF_* */
	struct idcol type_id;  /* event_type / message_type */
	struct idcol addr_id;  /* actor_address / target */
	uint64_t *ck_off;  /* files: offset of line k * MODEL_CK_LINES in its file */
	uint64_t *id_ms, *id_seq; /* Redis: the entry id */
	double ts_base;
	int have_base;
	double ts_min, ts_max; /* absolute, numeric timestamps of records */
	int id_width;          /* Redis: widest "stream id" of model_where */

	/* The index line of each anomaly of rep (-1: about no line), for the
	 * anomalies the scan has reached: an anomaly is always reported just
	 * before its line reaches the sink. */
	int64_t *an_line;
	size_t an_mapped, cap_an;

	int64_t records[RK__COUNT]; /* listed records per kind */
	int64_t listed;             /* sum of records[] */
	int oom;                    /* an index allocation failed: index stopped growing */
	int64_t ids_lost;           /* lines whose type or address could not be interned (memory) */

	struct rowcache *cache;     /* Redis: rows fetched lately */
	char read_err[PERR_MSG_MAX]; /* why the last row could not be read, or "" */

	struct intern types, addrs;
	struct scan_sink sink; /* handed to the scanner: lives as long as the model */

	/* following the store once it is indexed (core/follow.h; model_follow.c) */
	struct follow *fol;  /* NULL while scanning, or when following failed */
	int dropped;         /* the last line was taken back (a tail being written went on) */
	int moved;           /* lines went in before the end (a Redis stream that is not the last one
			      * grew): line numbers after them moved (model_moved) */
	char follow_err[PERR_MSG_MAX]; /* why following could not start, or "" */

	/* several stores merged (ui/merge.h), or NULL; their order by time for
	 * the record views: position -> line and line -> position (NULL:
	 * storage order), and a count bumped when it changes */
	struct merge *mg;
	const uint32_t *order, *rank;
	unsigned order_gen;
};

/* The line at position `pos` of the record views' order, and back. */
static inline size_t model_at(const struct model *m, size_t pos)
{
	return m->order && pos < m->n ? m->order[pos] : pos;
}
static inline size_t model_pos(const struct model *m, size_t line)
{
	return m->rank && line < m->n ? m->rank[line] : line;
}

/* Open the store of backend `b` (borrowed; it must outlive the model) and
 * start indexing it (model_scan.c) with the backend's incremental scan
 * (the configured sample size for Redis), so the console's order is the
 * CLI's. */
int model_open(struct model *m, struct backend *b, perr *e);
void model_close(struct model *m);

/* Index for about `budget_ms` milliseconds.  Returns 1 while more remains,
 * 0 when the whole store is indexed (or the scan failed: m->failed). */
int model_step(struct model *m, int budget_ms);
int model_scanning(const struct model *m);
/* Progress of the scan in permille. */
int model_progress(const struct model *m);

/* The segment holding line i (there is one for every indexed line). */
const struct model_seg *model_seg_of(const struct model *m, size_t i);
/* The segment of report file `file_index`, or NULL when it has no line. */
const struct model_seg *model_seg_of_file(const struct model *m, size_t file_index);
/* Line i's number in its file (1-based), or its position in its stream. */
int64_t model_lineno(const struct model *m, size_t i);
/* The index line of `path`'s line number `lineno`, or -1. */
int64_t model_find_line(const struct model *m, const char *path, int64_t lineno);
/* Redis: the index line of entry `id` ("ms-seq") of stream `key`, or -1. */
int64_t model_find_entry(const struct model *m, const char *key, const char *id);
/* Redis: the line of [lo, hi) (lines of one stream) that is entry `id`, or -1. */
int64_t model_entry_line(const struct model *m, size_t lo, size_t hi, const char *id);
/* The index line of anomaly k of the report, or -1 (not about a line). */
int64_t model_an_line(const struct model *m, size_t k);
/* Where line i is, for people: "12" (json), "rot.log.1:12" (rotating),
 * "events 1767225600015-0" (Redis, the stream's short name and the id). */
void model_where(const struct model *m, size_t i, char *out, size_t cap);
/* Columns model_where needs at most over the whole index. */
int model_where_width(const struct model *m);
/* Redis: line i's entry id as text ("ms-seq"). */
void model_entry_id(const struct model *m, size_t i, char *out, size_t cap);

/* Files: the byte offset of line i in its file. */
int64_t model_offset(const struct model *m, size_t line);
static inline enum rec_kind model_kind(const struct model *m, size_t i)
{
	return (enum rec_kind)(m->meta[i] & MF_KIND_MASK);
}
/* Absolute timestamp of line i, or NaN. */
double model_ts(const struct model *m, size_t i);
/* Interned type / address id of line i (INTERN_NONE: none). */
static inline uint32_t model_type_id(const struct model *m, size_t i)
{
	return idcol_get(&m->type_id, i);
}
static inline uint32_t model_addr_id(const struct model *m, size_t i)
{
	return idcol_get(&m->addr_id, i);
}
/* Display form of an interned type / address ("" for none, "?" when it
 * could not be interned: out of memory, m->oom says so). */
const char *model_type_name(struct model *m, unsigned id);
const char *model_addr_name(struct model *m, unsigned id);

/* Read up to `cap` bytes of line i into buf (model_read.c); returns the
 * bytes read (< the line's length when it was longer), or -1 with the
 * reason in m->read_err.  Redis: the entry's `data`, fetched when it is
 * not among the rows cached; when the entry has no string `data`, its
 * fields as a JSON object, and *fields (when not NULL) is set to 1. */
long model_read(struct model *m, size_t i, char *buf, size_t cap);
long model_read_entry(struct model *m, size_t i, char *buf, size_t cap, int *fields);
/* The same for a pass over many lines (a text= filter): a row read in a
 * page is not also kept among the recent rows, so the screen's rows stay
 * cached while the pass reads on. */
long model_read_pass(struct model *m, size_t i, char *buf, size_t cap);
/* Drop the cached rows (model_read.c). */
void model_cache_free(struct model *m);

/* Start following the indexed store (model_scan.c calls it when the scan
 * is done); what the follower finds goes into the index through the sink
 * (model_follow.c).  Failing to follow is not fatal: follow_err says why. */
void model_follow_start(struct model *m);
/* Since the last model_moved_reset, lines may have gone in at the end of
 * a segment that is not the last one (m->moved): the index line that line
 * `old` of the index then is now. */
size_t model_moved(const struct model *m, size_t old);
void model_moved_reset(struct model *m);
/* Take the last line back (the follower's drop hook). */
void model_drop_last(void *ctx);

/* Between model.c and model_scan.c: the sink that fills the index, and
 * freeing the index (segments included). */
const struct scan_sink *model_sink(struct model *m);
void model_index_free(struct model *m);

/* Selections: the lines a list view shows, without a list of them.  Every
 * step-th match (SEL_STEP, or 1: sel_set_step) is remembered; a row is
 * found from the nearest one.
 * A selection with a predicate walks the index in the model's order
 * (model_at: storage order, or the merge of several stores by time). */
#define SEL_STEP 64

struct sel {
	int (*pred)(const struct model *m, size_t line, const void *arg); /* NULL: every line */
	const void *arg;
	uint32_t *ck;
	size_t n_ck, cap_ck;
	int64_t count;
	size_t upto;       /* lines examined */
	int64_t hint_row;  /* last answer, to walk from it */
	size_t hint_line;  /* a position in the model's order */
	unsigned gen;      /* the model's order_gen it was built for */
	unsigned step;     /* every step-th match remembered (SEL_STEP; 1 for a costly predicate) */
};

void sel_init(struct sel *s, int (*pred)(const struct model *, size_t, const void *), const void *arg);
void sel_free(struct sel *s);
void sel_reset(struct sel *s);   /* the predicate changed */
/* Remember every `step`-th match (starting over when it changes): 1 for a
 * predicate that reads rows back (text=), so finding a row never calls it
 * again (4 bytes per match); SEL_STEP for the cheap ones. */
void sel_set_step(struct sel *s, unsigned step);
void sel_update(struct sel *s, const struct model *m); /* take in every new line */
/* Take in at most `max_lines` more lines (a slice: a text= filter reads
 * each line back); returns the lines looked at. */
size_t sel_step(struct sel *s, const struct model *m, size_t max_lines);
/* Every indexed line looked at (in the model's current order). */
int sel_done(const struct sel *s, const struct model *m);
int64_t sel_count(const struct sel *s, const struct model *m);
size_t sel_line(struct sel *s, const struct model *m, int64_t row);
/* First row whose line is >= line (count when none). */
int64_t sel_row_at(struct sel *s, const struct model *m, size_t line);

#endif
