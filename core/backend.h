/* The storage backends behind one table of operations (SPEC §2).
 *
 * A backend is opened from a resolved config; every command and the
 * console go through these operations, so the single file, the rotating
 * set and Redis Streams look the same to them.  Operations a backend does
 * not have are NULL. */
#ifndef PAPYRA_BACKEND_H
#define PAPYRA_BACKEND_H

#include "common.h"
#include "compact.h"
#include "config.h"
#include "strbuf.h"
#include "recover.h"
#include "scan.h"

struct backend;
struct strbuf;

/* What a front end may ask about a store instead of testing which backend
 * it is: the words to use and what the store can do. */
struct backend_traits {
	const char *noun, *nouns;   /* a unit of data: "line"/"lines", "entry"/"entries" */
	const char *store;          /* the whole store, for sentences: "file", "set", "streams" */
	const char *unit;           /* one file or stream of it: "file", "stream" */
	int plural;                 /* `store` takes "they are" (streams), not "it is" */
	int has_files;              /* data in files on disk: identities, temp files, hard links */
	int several;                /* more than one file or stream: places say which one */
	int rotates;                /* a rotating set: members in reading order, orphans beside them */
	int retain_per_unit;        /* retention applies to each stream alone (Redis XTRIM), not the whole store */
	int measures_bytes;         /* apply and compaction report bytes before and after */
	int trims_by_bytes;         /* compaction can apply max_total_bytes */
	int quarantine_dir;         /* quarantine mode needs a directory (else: quarantine streams) */
	int ids;                    /* units are named by ids (Redis entry ids), not line numbers */
	int fleet;                  /* one store holds many systems by --system-id (Redis): a glob
				     * there names a fleet (backend_systems) */
};

/* A unit of data to read back: a file's line by path, offset and length,
 * or a Redis entry by stream key and id. */
struct backend_rowref {
	const char *path;      /* file, or stream key */
	int64_t offset, length; /* files */
	const char *id;        /* Redis */
};

struct backend_row {
	char *data;  /* malloc'd; the caller frees it */
	size_t len;
	int fields;  /* Redis: no string `data`, data holds the entry's fields as one JSON object */
};

/* Consecutive units of one stream read back at once (backend_ops.read_rows). */
#define BACKEND_ID_MAX 48
struct backend_run_row {
	struct backend_row row;
	char id[BACKEND_ID_MAX]; /* the entry's id */
};
struct backend_rows {
	struct backend_run_row *v; /* in the order read */
	size_t n;
	int more;  /* stopped at `max` rows or `max_bytes` before `to`: what lies past
		    * the last row read is not known (else: every entry of the range) */
};
void backend_rows_free(struct backend_rows *r);

/* Where a store ended when it was looked at (backend_ops.position): per
 * file or stream, what is needed to tell later what was added since. */
struct backend_mark {
	char *unit;               /* file path or stream key (owned) */
	int exists;
	struct file_ident ident;  /* files */
	char *last_id;            /* Redis: the newest entry's id, NULL when empty (owned) */
	int64_t entries;          /* Redis: XLEN then */
	int64_t deleted;          /* Redis: entries ever deleted from it (XINFO STREAM entries-added -
				   * length), -1 when unknown (before Redis 7.0, or no stream) */
};
struct backend_pos {
	struct backend_mark *v;
	size_t n;
};
void backend_pos_free(struct backend_pos *p);

enum backend_growth_state {
	GROW_SAME,     /* nothing new */
	GROW_APPENDED, /* data added at the end: [from, to) is new */
	GROW_NEW,      /* a file or stream that was not there */
	GROW_GONE,     /* it was there and is not */
	GROW_REPLACED, /* another file now, shorter than it was, or older ids: rescan */
};
struct backend_unit_growth {
	char *unit;   /* owned */
	enum backend_growth_state state;
	int64_t from, to; /* files: byte offsets; Redis: entry counts (XLEN then, now) */
	int64_t deleted;  /* Redis: backend_mark.deleted now */
};
struct backend_growth {
	struct backend_unit_growth *v;
	size_t n;
	int rescan;   /* something other than appends happened: only a new scan says what is there */
	int grew;     /* some unit has new data (APPENDED or NEW) */
};
void backend_growth_free(struct backend_growth *g);

struct backend_ops {
	const char *name;       /* "json", "rotating", "redis" */
	const char *class_name; /* "JsonFilePersistence", ... (persistence inspect) */
	const struct backend_traits *traits;

	/* Scan everything (anomalies into r).  `sink`, when not NULL, sees every
	 * line/entry in reading order, oldest first: listings use this too.
	 * It runs the steps of scan_open / scan_step to the end. */
	int (*scan)(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
		    struct scan_report *r, perr *e);

	/* The same scan in slices (use backend_scan_open and friends): open
	 * fills *impl; step scans until the monotonic clock passes deadline_ms
	 * (0: no deadline) and returns 1 while more remains, 0 when done, -1
	 * (the e given to open is set); progress says units done and expected
	 * (bytes, or entries); close frees. */
	int (*scan_open)(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
			 struct scan_report *r, void **impl, perr *e);
	int (*scan_step)(void *impl, double deadline_ms);
	void (*scan_progress)(const void *impl, int64_t *done, int64_t *total);
	void (*scan_close)(void *impl);

	/* Read one unit back for display.  Returns 1 with *out filled, 0 when it
	 * is gone, -1 on failure (PX_UNAVAILABLE when the store went away). */
	int (*read_row)(struct backend *b, const struct backend_rowref *ref, struct backend_row *out,
			perr *e);
	/* Read back the entries of stream ref->path from ref->id to `to`, both
	 * included, in one round trip: forward (dir > 0, XRANGE from to COUNT
	 * max) or backward (XREVRANGE, from >= to), at most `max` rows; rows
	 * stop once they hold `max_bytes` (the first row is always kept).
	 * Entries deleted since are simply not there.  Returns 0 with *out
	 * filled (free with backend_rows_free), -1 (e).  NULL: units are read
	 * one at a time (files: pread is cheap). */
	int (*read_rows)(struct backend *b, const struct backend_rowref *ref, const char *to, int dir,
			 size_t max, size_t max_bytes, struct backend_rows *out, perr *e);

	/* Where the store ends now (*out filled; free with backend_pos_free),
	 * and what was added since such a position (*out filled; free with
	 * backend_growth_free): the live console follows a store with these. */
	int (*position)(struct backend *b, struct backend_pos *out, perr *e);
	int (*since)(struct backend *b, const struct backend_pos *at, struct backend_growth *out, perr *e);
	/* Scan what unit `m` got after its mark (an APPENDED or NEW unit of
	 * since) with the very rules of a whole scan, its entries numbered on
	 * from m->entries, into r (whose file for the unit the whole scan made)
	 * and `sink`; at most `max` entries; the mark moves to the last entry
	 * scanned.  Returns 1 when more remains, 0 when done, -1 (e).  NULL:
	 * the follower scans files itself (scan_ndjson_continue). */
	int (*scan_since)(struct backend *b, struct backend_mark *m, int64_t max, const struct scan_opts *o,
			  const struct scan_sink *sink, struct scan_report *r, perr *e);

	/* Build the recovery plan from a report of this backend. */
	int (*plan)(struct backend *b, const struct scan_report *r, enum recovery_mode mode,
		    const char *quarantine_dir, struct plan *p, perr *e);

	/* Apply a plan built by plan(). */
	int (*apply)(struct backend *b, const struct plan *p, const struct apply_progress *prog,
		     struct apply_result *res, perr *e);

	/* Rewrite with the retention policy applied (SPEC §5).  The caller has
	 * already refused when anomalies exist and --force was not given. */
	int (*compact)(struct backend *b, const struct retention *ret, struct compact_result *res,
		       perr *e);

	/* backend_others; NULL: none. */
	int (*others)(struct backend *b, struct strbuf *out, int *more, perr *e);
	/* backend_systems; NULL: the store holds one system. */
	int (*systems)(struct backend *b, const char *glob, char ***ids, size_t *n, perr *e);

	void (*close)(struct backend *b);
};

struct backend {
	const struct backend_ops *ops;
	const struct config *cfg; /* borrowed: outlives the backend */
	char *location;           /* shown to the user: path or redis URL (password redacted) */
	void *priv;
};

/* Open the backend the config selects.  Refuses a --path that is a
 * directory, FIFO or device (PX_USAGE), never blocking on it. */
int backend_open(const struct config *c, struct backend **out, perr *e);
void backend_close(struct backend *b);
/* The traits and name ("json", "rotating", "redis") of an open backend. */
const struct backend_traits *backend_traits(const struct backend *b);
const char *backend_name(const struct backend *b);
/* The same for the backend a config selects, before it is opened (usage
 * checks, early reports); and where it is, for people (a Redis URL with
 * its password as "***"), malloc'd, NULL when out of memory. */
const struct backend_traits *backend_config_traits(const struct config *c);
const char *backend_config_name(const struct config *c);
char *backend_config_location(const struct config *c);
/* The backend options that select the store `c` selects, for a command
 * line run elsewhere (the console's hand-off to `papyra inspect`): each
 * appended as " --flag value", the value shell-quoted (strbuf_shell_word):
 * " --path P" (json), " --backend rotating --path P" and --max-files /
 * --max-bytes when not the defaults, " --backend redis --redis-url U
 * --prefix P --system-id S" and the timeout and TLS options given.  What
 * cannot be written is said in *note (empty when nothing): a password in
 * the Redis URL is written "***" and a --sentinel-password not at all.
 * Retention is not written: it says what to keep, not where the store is. */
void backend_config_flags(const struct config *c, struct strbuf *out, struct strbuf *note);
/* "papyra inspect events|audits|dead-letters" (kind: RK_EVENT, RK_AUDIT,
 * RK_DEAD_LETTER) with c's backend flags (backend_config_flags; note the
 * same) and " --max-read N" when c reads a sample per stream, appended to
 * cmd: the listing of the store's records of that kind, for the hand-offs
 * to scripts (the console's W, console --batch), which add their options
 * and " --json". */
void backend_inspect_command(const struct config *c, enum rec_kind kind, struct strbuf *cmd, struct strbuf *note);

/* Other places beside the configured one that hold data of this kind,
 * for a "nothing here" message: Redis lists the other system ids under
 * its prefix ("a, b" into out; *more when bounded), the file backends
 * have none (returns 0).  Returns how many, or -1 (e). */
int backend_others(struct backend *b, struct strbuf *out, int *more, perr *e);

/* The system ids of the store's fleet that match `glob` (fnmatch), sorted
 * and distinct, into *ids (n; the array and each id malloc'd).  A backend
 * without a fleet: PX_USAGE. */
int backend_systems(struct backend *b, const char *glob, char ***ids, size_t *n, perr *e);
/* Whether a --system-id is a pattern (has *, ? or [): a fleet. */
int backend_is_glob(const char *system_id);

/* An incremental scan of any backend (the ops above behind one handle). */
struct backend_scan;
int backend_scan_open(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
		      struct scan_report *r, struct backend_scan **out, perr *e);
int backend_scan_step(struct backend_scan *s, double deadline_ms);
void backend_scan_progress(const struct backend_scan *s, int64_t *done, int64_t *total);
void backend_scan_close(struct backend_scan *s);
/* ops->scan for a backend whose scan is only its steps: open, step to the
 * end, close. */
int backend_scan_whole(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
		       struct scan_report *r, perr *e);
/* The monotonic clock scan_step deadlines are read on, in milliseconds. */
double backend_clock_ms(void);

#endif
