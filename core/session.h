/* Sessions that change the store (SPEC §4, §5): plan -> apply -> verify
 * -> journal entry -> outcome, written once for the CLI (src/pipeline.c)
 * and the console's walks (ui/walk_recover.c, ui/walk_compact.c).
 *
 * The caller owns the storage (the plan, the apply result, the
 * verification report): the CLI keeps them in its pipeline for the
 * reports, the console for its result screen.  A session never prints;
 * what happened is in the outcome, and the front end shows it. */
#ifndef PAPYRA_SESSION_H
#define PAPYRA_SESSION_H

#include "backend.h"
#include "compact.h"
#include "recover.h"
#include "scan.h"

/* How the session scans again after a change.  NULL: the backend's own
 * scan with default options.  The CLI passes its own, which also notes a
 * missing store (--require-data) and honours --strict. */
struct session_verify {
	void *ctx;
	/* Fill `out` (already emptied, its bound kept); returns 0 or -1 with e set. */
	int (*scan)(void *ctx, struct scan_report *out, perr *e);
};

/* What happened, for the front end to show (every field is filled on
 * every path once a run was attempted). */
struct session_outcome {
	size_t total;            /* actions to apply (not skipped); compaction: 1 */
	size_t applied;          /* of which reached the store */
	int failed;              /* apply (or compaction) stopped with an error */
	perr err;                /* that error */
	/* "Recovery failed after N of M actions: <err>" (recovery only) */
	char failure[PERR_MSG_MAX];
	int verified;            /* the verification scan ran */
	int verify_failed;       /* it was tried and failed */
	perr verify_err;
	int journaled;           /* the journal entry was appended */
	int journal_failed;      /* it was tried and failed */
	perr journal_err;
	int64_t records_before, records_after; /* records_after -1: not verified */
	int64_t bytes_before, bytes_after;
	int bytes_known;         /* the store measured bytes (not Redis) */
};

struct recover_session {
	/* set by the caller before session_recover_plan */
	struct backend *b;
	const struct scan_report *scan;        /* what the plan is made from (borrowed) */
	struct plan *plan;                     /* initialized by the caller (epoch, allow_links) */
	struct apply_result *res;              /* zeroed by the caller */
	struct scan_report *verify;            /* initialized by the caller; refilled here */
	const struct session_verify *rescan;   /* NULL: the backend's scan */
	const char *command;                   /* the journal's "command" */
	const char *journal;                   /* NULL: no journal entry */
	int batch;                             /* no person decides: plan_batch_filter */
	/* filled */
	enum recovery_mode mode;
	struct session_outcome out;
};

/* Build the plan (the backend's planner); nothing is changed.  May be
 * called again (another quarantine directory): the plan is rebuilt with
 * the same epoch.  Returns 0, or -1 with e set. */
int session_recover_plan(struct recover_session *s, enum recovery_mode mode, const char *qdir, perr *e);

/* Apply the plan's non-skipped actions, then verify (also after a failed
 * or partial apply, when the store answers), then append the journal
 * entry (status partial or failed when the apply stopped; only when there
 * was something to apply).  Returns 0 when the apply succeeded (look at
 * s->verify and the outcome for the rest), -1 when it failed (s->out.err,
 * s->out.failure). */
int session_recover_run(struct recover_session *s, const struct apply_progress *prog);

struct compact_session {
	struct backend *b;
	const struct scan_report *scan;        /* the scan the preview was made from */
	const struct retention *ret;
	struct scan_report *verify;            /* initialized by the caller; refilled here */
	const struct session_verify *rescan;
	const char *command, *journal;
	int allow_links;                       /* --force: rewrite hard-linked files */
	int check_unchanged;                   /* refuse (PR_STALE) when a file changed since `scan` */
	struct compact_result res;
	struct session_outcome out;
};

/* Check, compact, verify, journal.  Returns 0, or -1 when the compaction
 * was refused or failed (s->out.err; nothing verified or journaled then). */
int session_compact_run(struct compact_session *s);

/* Records over a report's files (all kinds). */
int64_t session_records(const struct scan_report *r);
/* PR_STALE error when a file of the report changed since it was scanned
 * (identity, size, mtime).  Returns 0 or -1. */
int session_check_unchanged(const struct scan_report *r, const char *shown_single, perr *e);

#endif
