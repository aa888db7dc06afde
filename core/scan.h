/* The shared scanner (SPEC §3): finds anomalies, never modifies anything.
 *
 * Every command and the console use it.  A scan fills a `scan_report`
 * (anomalies in deterministic order + one entry per scanned file/stream);
 * an optional `scan_sink` is told about every line as it goes, which is how
 * the console builds its line index from the very same pass. */
#ifndef PAPYRA_SCAN_H
#define PAPYRA_SCAN_H

#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "jsonv.h"

/* One table for anomaly types: the enum, the public names (a contract), a
 * description for help screens and what recovery does with it. */
#define ANOMALY_TYPES(X) \
	X(TRUNCATED_LINE, "last line has no newline (interrupted append)", "drop the partial tail, or add the newline when the record is complete") \
	X(PARTIAL_WRITE, "file could not be read fully", "none: fix permissions or the device, then rescan") \
	X(CORRUPTED_LINE, "line is not a JSON object", "drop the line") \
	X(ORPHANED_ROTATED_FILE, "file beside a rotation set that is not part of it", "quarantine moves it away; repair leaves it") \
	X(UNEXPECTED_FILE, "leftover temporary file or key of the wrong type", "remove the leftover temporary file") \
	X(SCHEMA_MISMATCH, "record does not match the schema (strict mode)", "none: a check, never a repair")

enum anomaly_type {
#define X(name, desc, fix) AN_##name,
	ANOMALY_TYPES(X)
#undef X
	AN__COUNT
};

const char *anomaly_type_name(enum anomaly_type t);
const char *anomaly_type_desc(enum anomaly_type t);
const char *anomaly_type_fix(enum anomaly_type t);

/* anomaly.flags */
#define AF_TAIL_COMPLETE 0x1 /* TRUNCATED_LINE whose bytes are a complete object: repair keeps it */
#define AF_TEMP_FILE 0x2     /* UNEXPECTED_FILE that is our own leftover temp file: recovery removes it */
#define AF_COMPACT_INTENT 0x4 /* UNEXPECTED_FILE: a rotating compaction's intent record: recovery finishes it */

struct anomaly {
	enum anomaly_type type;
	char *path;     /* file path as the user gave it, or stream key */
	char *detail;   /* e.g. "Invalid JSON at line 10 (byte 127: unexpected end of line)" */
	int64_t line;   /* 1-based; 0 when not about a line */
	int64_t offset; /* byte offset of the line's first byte; -1 when n/a */
	int64_t length; /* line bytes without the "\n"; -1 when n/a */
	char *id;       /* Redis entry id, else NULL */
	unsigned flags; /* AF_* */
};

/* Identity of a file at scan time, so recovery can refuse if it changed. */
struct file_ident {
	int exists;
	dev_t dev;
	ino_t ino;
	int64_t size;
	int64_t mtime_ns;
};

enum rec_kind { RK_EVENT = 0, RK_AUDIT, RK_DEAD_LETTER, RK_UNKNOWN, RK__COUNT };

struct scan_file {
	char *path;             /* as displayed / reported */
	int64_t bytes;
	int64_t lines;          /* lines seen (an unterminated tail counts) */
	int64_t records[RK__COUNT]; /* valid objects per kind (unknown: other/missing kind) */
	int64_t anomalies;      /* anomalies attributed to this file */
	struct file_ident ident;
};

struct scan_report {
	struct anomaly *an;
	size_t n_an, cap_an;
	struct scan_file *files;
	size_t n_files, cap_files;
};

void scan_report_init(struct scan_report *r);
void scan_report_free(struct scan_report *r);
/* Append an anomaly; strings are copied.  `id` may be NULL. */
int scan_report_add(struct scan_report *r, enum anomaly_type t, const char *path,
		    int64_t line, int64_t offset, int64_t length, const char *id,
		    unsigned flags, perr *e, const char *fmt, ...)
	__attribute__((format(printf, 10, 11)));
struct scan_file *scan_report_add_file(struct scan_report *r, const char *path, perr *e);

struct scan_opts {
	int strict;          /* also check records against SPEC §2.1 (SCHEMA_MISMATCH) */
	int64_t sample_size; /* Redis: newest N entries per stream; 0 = whole stream */
	int64_t limit;       /* files: only the first `limit` bytes (0 = to the end): a
			      * compaction pass over a file the application appends to */
	int fd;              /* files: > 0: read this open descriptor from offset 0 (its
			      * offset moves) instead of opening the path, which a
			      * rotation may have given to another file meanwhile */
};

/* line flags for the sink */
#define SL_VALID 0x1      /* a valid JSON object */
#define SL_CORRUPT 0x2    /* CORRUPTED_LINE */
#define SL_TRUNCATED 0x4  /* unterminated last line */
#define SL_CRLF 0x8       /* ended with "\r\n" */
#define SL_TS_NUMBER 0x10 /* ts holds a numeric timestamp */
#define SL_TS_OTHER 0x20  /* a timestamp member exists but is not a number */
#define SL_SCHEMA 0x40    /* SCHEMA_MISMATCH (strict mode) */

struct scan_line {
	const char *path;  /* display path of the file */
	size_t file_index; /* index into report->files */
	int64_t line, offset, length; /* length excludes "\n" (includes a "\r") */
	unsigned flags;    /* SL_* */
	enum rec_kind kind;
	double ts;
	/* The line's bytes when the whole line was in memory (length bytes),
	 * else NULL (a line longer than the read buffer). Valid only during the
	 * callback. */
	const char *bytes;
	/* Captured top-level members (SF__COUNT entries, see schema.h; spans
	 * relative to the line) when SL_VALID, else NULL.  Callback only. */
	const struct jsonv_field *fields;
	/* Redis: the entry id (line is then the entry's 1-based position in
	 * its stream, offset -1); NULL for files. */
	const char *id;
};

struct scan_sink {
	void *ctx;
	/* Called once per line, in file order, after the line was classified. */
	void (*on_line)(void *ctx, const struct scan_line *l);
};

/* --- classifying one record held whole in memory (Redis entries) -------- */

enum scan_verdict {
	SV_OBJECT,     /* a valid JSON object: a record */
	SV_INVALID,    /* not valid JSON: jsonv_error_pos/reason(v) say where and why */
	SV_NOT_OBJECT, /* valid JSON, but jsonv_top_type(v) is not an object */
};

/* Validate `bytes[0..n)` exactly as the file scanner validates a line and
 * classify it the same way.  `cap` must come from schema_capture_init (its
 * `n` may be cut to SF_KIND + 1 when only the kind matters).  Fills `out`:
 * bytes, length, flags (SL_VALID or SL_CORRUPT, SL_TS_*, SL_SCHEMA), kind,
 * ts and fields (cap->fields for an object, else NULL); the caller sets the
 * rest (path, line, id...).  With `strict`, an object that does not match
 * SPEC §2.1 gets SL_SCHEMA and the reason in `why` (whylen > 0). */
enum scan_verdict scan_classify_record(const char *bytes, size_t n, int strict, struct jsonv *v,
				       struct jsonv_capture *cap, struct scan_line *out,
				       char *why, size_t whylen);

/* --- scanning one NDJSON file (used by the file backends) -------------- */

/* Scan `path` (displayed as `display`) completely.  A missing file is clean
 * and adds no file entry... except it is recorded with exists=0 so callers
 * can tell.  An unreadable file yields PARTIAL_WRITE.  Returns 0, or -1 only
 * when the scan could not be carried out at all (out of memory). */
int scan_ndjson_file(const char *path, const char *display, const struct scan_opts *o,
		     const struct scan_sink *sink, struct scan_report *r, perr *e);

/* The same in slices, for the console: open, then step until done. */
struct ndjson_scanner;
int ndjson_scanner_open(struct ndjson_scanner **out, const char *path, const char *display,
			const struct scan_opts *o, const struct scan_sink *sink,
			struct scan_report *r, perr *e);
/* Process up to about `budget` bytes.  Returns 1 when more remains, 0 when
 * the file is done, -1 on failure (e set). */
int ndjson_scanner_step(struct ndjson_scanner *s, size_t budget);
int64_t ndjson_scanner_done_bytes(const struct ndjson_scanner *s);
void ndjson_scanner_close(struct ndjson_scanner *s);

/* Fill `id` from a stat of `path` (exists=0 when it does not exist). */
int file_ident_get(const char *path, struct file_ident *id, perr *e);
int file_ident_same(const struct file_ident *a, const struct file_ident *b);

#endif
