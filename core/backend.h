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
#include "recover.h"
#include "scan.h"

struct backend;

/* What a front end may ask about a store instead of testing which backend
 * it is: the words to use and what the store can do. */
struct backend_traits {
	const char *noun, *nouns;   /* a unit of data: "line"/"lines", "entry"/"entries" */
	const char *store;          /* the whole store, for sentences: "file", "set", "streams" */
	const char *unit;           /* one file or stream of it: "file", "stream" */
	int plural;                 /* `store` takes "they are" (streams), not "it is" */
	int has_files;              /* data in files on disk: identities, temp files, hard links */
	int several;                /* more than one file or stream: places say which one */
	int measures_bytes;         /* apply and compaction report bytes before and after */
	int trims_by_bytes;         /* compaction can apply max_total_bytes */
	int quarantine_dir;         /* quarantine mode needs a directory (else: quarantine streams) */
	int ids;                    /* units are named by ids (Redis entry ids), not line numbers */
};

struct backend_ops {
	const char *name;       /* "json", "rotating", "redis" */
	const char *class_name; /* "JsonFilePersistence", ... (persistence inspect) */
	const struct backend_traits *traits;

	/* Scan everything (anomalies into r).  `sink`, when not NULL, sees every
	 * line/entry in reading order, oldest first: listings use this too. */
	int (*scan)(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
		    struct scan_report *r, perr *e);

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
/* The traits of an open backend. */
const struct backend_traits *backend_traits(const struct backend *b);

#endif
