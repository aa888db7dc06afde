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

/* What recovery can do, one table: the enum, the public names (a
 * contract: reports, journal), the verb the console shows in its plan and
 * whether the operator decides it alone when stepping through a plan
 * (a file copy or a trim goes with the lines it is made for). */
#define ACTION_KINDS(X) \
	X(DROP_LINE, "drop_line", "drop the line", 1) \
	X(SALVAGE, "salvage", "drop the torn prefix, keep the complete records after it byte for byte", 1) \
	X(APPEND_NEWLINE, "append_newline", "keep the complete record and add its missing newline", 1) \
	X(QUARANTINE_FILE, "quarantine_file", "copy the untouched original into the quarantine directory", 0) \
	X(MOVE_ORPHAN, "move_orphan", "move the file into the quarantine directory", 1) \
	X(REMOVE_TEMP, "remove_temp", "remove the leftover temporary file", 1) \
	X(DELETE_ENTRY, "delete_entry", "delete the entry (XDEL)", 1) \
	X(QUARANTINE_ENTRY, "quarantine_entry", "copy the entry to its quarantine stream, then delete it", 1) \
	X(TRIM_STREAM, "trim_stream", "trim the stream", 0) \
	X(REWRITE_FILE, "rewrite_file", "rewrite the file", 0) \
	X(FINISH_COMPACTION, "finish_compaction", "finish the interrupted compaction from its intent record", 0) \
	X(DRAIN_KEPT, "drain_kept", "append what a process wrote to the replaced file after the switch, then remove it once no process holds it", 1)

enum action_kind {
	ACT_NONE = -1, /* a policy's "nothing": never in a plan */
#define X(id, name, verb, step) ACT_##id,
	ACTION_KINDS(X)
#undef X
	ACT__COUNT
};
const char *action_kind_name(enum action_kind k);
const char *action_kind_verb(enum action_kind k);
int action_kind_steppable(enum action_kind k);

/* One table for anomaly types (e2fsck problem.c style): the enum, the
 * public names (a contract), a description for help screens, what
 * recovery does with it in words, and the policy the planners follow:
 * the action in repair and in quarantine mode (ACT_NONE: reported, never
 * acted on) and whether a run without a person deciding (the CLI,
 * `console --batch`) may apply it.  The planners refine the action by the
 * anomaly's flags and the store: a complete tail gets APPEND_NEWLINE, a
 * torn line with glued records SALVAGE, a Redis entry DELETE_ENTRY or
 * QUARANTINE_ENTRY; REMOVE_TEMP only for our own temp files (AF_TEMP_FILE). */
#define ANOMALY_TYPES(X) \
	X(TRUNCATED_LINE, "last line has no newline (interrupted append)", "drop the partial tail, or add the newline when the record is complete", DROP_LINE, DROP_LINE, 1) \
	X(PARTIAL_WRITE, "file could not be read fully", "none: fix permissions or the device, then rescan", NONE, NONE, 0) \
	X(CORRUPTED_LINE, "line is not a JSON object", "drop the line", DROP_LINE, DROP_LINE, 1) \
	X(ORPHANED_ROTATED_FILE, "file beside a rotation set that is not part of it", "quarantine moves it away; repair leaves it", NONE, MOVE_ORPHAN, 1) \
	X(UNEXPECTED_FILE, "leftover temporary file or key of the wrong type", "remove the leftover temporary file", REMOVE_TEMP, REMOVE_TEMP, 1) \
	X(SCHEMA_MISMATCH, "record does not match the schema (strict mode)", "none: a check, never a repair", NONE, NONE, 0) \
	X(MISSING_DATA, "the store is absent (with --require-data)", "none: point --path/--backend at the store, or create it", NONE, NONE, 0)

enum anomaly_type {
#define X(name, desc, fix, repair, quarantine, batch) AN_##name,
	ANOMALY_TYPES(X)
#undef X
	AN__COUNT
};

const char *anomaly_type_name(enum anomaly_type t);
const char *anomaly_type_desc(enum anomaly_type t);
const char *anomaly_type_fix(enum anomaly_type t);
/* The policy's action for type t (before the planners' refinements);
 * `quarantine`: quarantine mode, else repair. */
enum action_kind anomaly_type_action(enum anomaly_type t, int quarantine);
/* Whether a run without a person deciding may apply the action. */
int anomaly_type_batch(enum anomaly_type t);

/* anomaly.flags */
#define AF_TAIL_COMPLETE 0x1 /* TRUNCATED_LINE whose bytes are a complete object: repair keeps it */
#define AF_TEMP_FILE 0x2     /* UNEXPECTED_FILE that is our own leftover temp file: recovery removes it */
#define AF_SALVAGE 0x4       /* CORRUPTED_LINE ending with complete records: recovery keeps them (salvage) */

struct salvage;
#define AF_COMPACT_INTENT 0x8 /* UNEXPECTED_FILE: a rotating compaction's intent record: recovery finishes it */
#define AF_KEPT_FILE 0x10     /* UNEXPECTED_FILE: a replaced file a process kept writing (core/kept.h): recovery drains it */

struct anomaly {
	enum anomaly_type type;
	char *path;     /* file path as the user gave it, or stream key */
	char *detail;   /* e.g. "Invalid JSON at line 10 (byte 127: unexpected end of line)" */
	int64_t line;   /* 1-based; 0 when not about a line */
	int64_t offset; /* byte offset of the line's first byte; -1 when n/a */
	int64_t length; /* line bytes without the "\n"; -1 when n/a */
	char *id;       /* Redis entry id, else NULL */
	unsigned flags; /* AF_* */
	struct salvage *salvage; /* AF_SALVAGE: what recovery keeps (owned; core/salvage.h), else NULL */
};

/* Identity of a file at scan time, so recovery can refuse if it changed. */
struct file_ident {
	int exists;
	dev_t dev;
	ino_t ino;
	int64_t size;
	int64_t mtime_ns;
	int64_t nlink;   /* hard links (informational: not compared by file_ident_same) */
};

enum rec_kind { RK_EVENT = 0, RK_AUDIT, RK_DEAD_LETTER, RK_UNKNOWN, RK__COUNT };

/* A consumer group of a Redis stream (XINFO GROUPS), as a scan saw it:
 * the application's readers (Papyra's XREADGROUP consumers) and how far
 * behind they are.  Pending ids whose entry no longer exists (deleted by
 * a recovery or by hand) are counted, bounded by REDIS_PENDING_CHECK_MAX
 * ids per group: a finding, not an anomaly (the stored data is intact;
 * the group's bookkeeping points at nothing). */
struct scan_group {
	char *name;               /* owned */
	char *last_delivered;     /* last-delivered-id (owned), NULL when not given */
	int64_t consumers, pending;
	int64_t entries_read;     /* -1: unknown (before Redis 7.0, or nil) */
	int64_t lag;              /* -1: unknown (before Redis 7.0, or nil: not computable) */
	int64_t checked;          /* pending ids looked up */
	int64_t dangling;         /* of those, ids whose entry no longer exists */
	char *dangling_first;     /* the oldest of them (owned), NULL when none */
};

struct scan_file {
	char *path;             /* as displayed / reported */
	int64_t bytes;
	int64_t lines;          /* lines seen (an unterminated tail counts) */
	int64_t records[RK__COUNT]; /* valid objects per kind (unknown: other/missing kind) */
	int64_t anomalies;      /* anomalies attributed to this file */
	struct file_ident ident;
	/* Redis: the stream's consumer groups (owned), in XINFO order;
	 * groups_error: they could not be read (an ACL without XINFO...), why
	 * (owned), else NULL. */
	struct scan_group *groups;
	size_t n_groups;
	char *groups_error;
	char last_id[44];       /* Redis: the id of the last entry scanned ("" when none) */
};
/* Add a group to `f` (strings copied; NULL last_delivered allowed). */
struct scan_group *scan_file_add_group(struct scan_file *f, const char *name, perr *e);

/* Anomalies a bounded report keeps in memory (SPEC §8: memory bounded
 * whatever the anomaly count): the first ones, enough for every screen and
 * summary; the rest go to an unlinked temporary file and are read back in
 * order by scan_iter. */
#define SCAN_REPORT_MEM_MAX 4096

struct scan_report {
	struct anomaly *an;      /* the first n_mem anomalies */
	size_t n_an;             /* every anomaly, counted exactly */
	size_t n_mem, cap_an;    /* n_mem == n_an unless the report is bounded */
	size_t mem_max;          /* 0: no bound (all in memory; the console) */
	int64_t by_type[AN__COUNT]; /* exact counts per type (per file: files[i].anomalies) */
	struct scan_file *files;
	size_t n_files, cap_files;
	/* the anomalies past mem_max, serialized: flushed to spill_fd up to
	 * spill_size, the newest still in spill_buf */
	int spill_open, spill_fd; /* the file exists (a zeroed report has none) */
	int64_t spill_size;
	char *spill_buf;
	size_t spill_n, spill_cap;
};

/* An empty report, no bound. */
void scan_report_init(struct scan_report *r);
/* An empty report keeping at most `mem_max` anomalies in memory. */
void scan_report_init_bounded(struct scan_report *r, size_t mem_max);
void scan_report_free(struct scan_report *r);
/* Append an anomaly; strings are copied.  `id` may be NULL. */
int scan_report_add(struct scan_report *r, enum anomaly_type t, const char *path,
		    int64_t line, int64_t offset, int64_t length, const char *id,
		    unsigned flags, perr *e, const char *fmt, ...)
	__attribute__((format(printf, 10, 11)));
/* Append a copy of `a` (strings copied; a->salvage is taken, freed on
 * failure too). */
int scan_report_put(struct scan_report *r, const struct anomaly *a, perr *e);

/* Take back the anomalies from the n-th on (a tail line being written
 * that turned out to go on: core/follow.c).  The caller fixes the file
 * counts.  -1 when some were spilled (bounded reports): nothing done. */
int scan_report_truncate(struct scan_report *r, size_t n);

/* Every anomaly of a report in order, in memory or read back.  The one
 * returned is valid until the next call.  Several iterators may run at
 * once on one report; none while anomalies are being added. */
struct scan_iter {
	const struct scan_report *r;
	size_t i;
	int64_t off;            /* next spilled record */
	struct anomaly cur;
	char *buf;
	size_t cap;
	int failed;             /* reading back failed: the iteration ended early */
};
void scan_iter_init(struct scan_iter *it, const struct scan_report *r);
const struct anomaly *scan_iter_next(struct scan_iter *it);
void scan_iter_free(struct scan_iter *it);
struct scan_file *scan_report_add_file(struct scan_report *r, const char *path, perr *e);

struct scan_opts {
	int strict;          /* also check records against SPEC §2.1 (SCHEMA_MISMATCH) */
	int64_t sample_size; /* Redis: newest N entries per stream; 0 = whole stream */
	int64_t limit;       /* files: only the first `limit` bytes (0 = to the end): a
			      * compaction pass over a file the application appends to */
	int fd;              /* files: > 0: read this open descriptor from offset 0 (its
			      * offset moves) instead of opening the path, which a
			      * rotation may have given to another file meanwhile */
	int complete_only;   /* files: leave an unterminated last line unscanned, as if
			      * not there yet (the console following a file being
			      * written: scan_ndjson_continue says how many bytes) */
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

/* Following a file (core/follow.c): scan what was appended to file entry
 * `file_index` of `r`, already scanned up to byte `from` (a line start)
 * whose line there is number `line`, with the very rules of a whole scan
 * (SPEC §3), into the same report and sink; the entry's counts, bytes and
 * identity grow with it.  With o->complete_only an unterminated tail is
 * left for later.  Returns 0 with *more filled, -1 (e). */
struct scan_more {
	int64_t end;     /* the scan stopped here: after the last line given to the sink */
	int64_t pending; /* bytes after `end` left unscanned (an unterminated tail) */
	int changed;     /* the path is another file now, or shorter than `from`: nothing scanned */
};
int scan_ndjson_continue(struct scan_report *r, size_t file_index, int64_t from, int64_t line,
			 const struct scan_opts *o, const struct scan_sink *sink,
			 struct scan_more *more, perr *e);

/* Fill `id` from a stat of `path` (exists=0 when it does not exist). */
int file_ident_get(const char *path, struct file_ident *id, perr *e);
int file_ident_same(const struct file_ident *a, const struct file_ident *b);

#endif
