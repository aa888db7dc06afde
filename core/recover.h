/* Recovery as plan -> apply -> verify (SPEC §4).
 *
 * A plan is built from a scan report and lists every action; nothing is
 * touched until plan_apply_files().  The console shows the plan and lets the
 * operator skip actions (action.skip); the CLI applies it whole.  The caller
 * then rescans (verification) with the backend's scan. */
#ifndef PAPYRA_RECOVER_H
#define PAPYRA_RECOVER_H

#include <stdint.h>

#include "common.h"
#include "scan.h"

enum recovery_mode { RM_IGNORE = 0, RM_REPAIR, RM_QUARANTINE };
const char *recovery_mode_name(enum recovery_mode m); /* "ignore", "repair", "quarantine" */
int recovery_mode_parse(const char *s, enum recovery_mode *out); /* case-insensitive */

/* enum action_kind and its table: core/scan.h. */

struct action {
	enum action_kind kind;
	char *path;                   /* file (or stream key) acted on */
	int64_t line, offset, length; /* DROP_LINE / APPEND_NEWLINE; else 0/-1/-1.
				       * SALVAGE: offset = the line's start, length =
				       * bytes of the damaged prefix dropped */
	char *to;                     /* QUARANTINE_FILE / MOVE_ORPHAN destination */
	char *id;                     /* Redis entry id */
	enum anomaly_type reason;
	/* The anomalies of the report the plan was built from that this
	 * action answers: an[anomaly .. anomaly + n_anomalies) (two when a
	 * tail is reported both truncated and corrupted); n_anomalies 0 for an
	 * action that goes with others (QUARANTINE_FILE). */
	size_t anomaly, n_anomalies;
	int skip;                     /* operator chose to leave it: not applied */
	struct salvage *salvage;      /* SALVAGE: the records kept (owned, core/salvage.h) */
	/* DROP_LINE in a merged plan (plan.merge): `count` lines of one file
	 * and one reason, answering consecutive anomalies, from `line` on;
	 * lens holds each line's length (owned) when count > 1.  Adjacent
	 * lines (gaps NULL) are dropped as one range [offset, offset + length
	 * + 1).  Lines with good lines between them (scattered damage) keep,
	 * per line j, gaps[2j] lines and gaps[2j + 1] bytes kept since line
	 * j - 1 (owned; entry 0 is 0, 0); length then spans from the first
	 * line to the end of the last, and only the lines themselves are
	 * dropped (action_drop_bytes).  Reports and the journal still list
	 * every line (action_line, plan_lines). */
	int64_t count;
	uint32_t *lens;
	uint32_t *gaps;
	/* Redis: the consumer groups whose pending list holds this entry, each
	 * name ended by a NUL and the list by an empty name (owned); NULL when
	 * none.  Walk it with action_pending_next. */
	char *pending;
};
/* The next group name of a->pending after `prev` (NULL: the first), or
 * NULL at the end. */
const char *action_pending_next(const struct action *a, const char *prev);
/* a->pending's group names joined by ", " appended to b; returns how many
 * (0: the entry is pending in no group the plan looked at). */
struct strbuf;
size_t action_pending_join(const struct action *a, struct strbuf *b);

/* Lines an action stands for: count for a merged drop, else 1. */
size_t action_lines(const struct action *a);
/* Bytes a DROP_LINE action removes from a file of `size` bytes (each of
 * its lines with its "\n"; a last line without one: its bytes). */
int64_t action_drop_bytes(const struct action *a, int64_t size);
/* Line k (< action_lines(a)) of an action as a plain one-line action
 * (a shallow copy: strings are a's).  O(k): walk a plan with plan_lines. */
void action_line(const struct action *a, size_t k, struct action *out);

/* Every action of a plan, line by line (a merged run gives one action per
 * line, as action_line would), in order; *index is the plan action it is
 * part of (applied[], skip).  The action returned is valid until the next
 * call. */
struct plan_lines {
	const struct plan *p;
	size_t i, k;
	int64_t off, line;
	struct action one;
};
void plan_lines_init(struct plan_lines *it, const struct plan *p);
const struct action *plan_lines_next(struct plan_lines *it, size_t *index);

/* One file the plan rewrites (or moves). */
struct plan_file {
	char *path;                 /* real path on disk */
	char *display;              /* as reported */
	struct file_ident ident;    /* at scan time: apply refuses if it changed */
	int64_t bytes_before, bytes_after;
	int64_t lines_before, lines_after;
};

struct plan {
	enum recovery_mode mode;
	char *quarantine_dir;       /* NULL unless quarantine */
	int64_t epoch_ms;           /* used in quarantine names */
	int allow_links;            /* set before building: rewrite hard-linked files (--force) */
	int merge;                  /* set before building: adjacent drops of a file become one
				     * action (the CLI: memory bounded by runs, not lines; the
				     * console decides line by line and never merges) */
	struct action *v;
	size_t n, cap;
	struct plan_file *files;
	size_t nfiles, capfiles;
	/* A rotating set (NULL for a single file): its active file and
	 * max_files, so apply can find a member a rotation renamed. */
	char *set_path;
	int64_t set_max_files;
};

void plan_init(struct plan *p);
void plan_free(struct plan *p);

/* Mark in covered[0..n_an) the anomalies of the plan's report some action
 * answers (applied or left). */
void plan_covered(const struct plan *p, unsigned char *covered, size_t n_an);
/* Leave (skip) the actions a run without a person deciding must not
 * apply (anomaly_type_batch); returns how many were left. */
size_t plan_batch_filter(struct plan *p);
/* Lines (action_lines) of the actions not skipped, and of those that
 * `applied` (may be NULL: none) marks: "N of M actions" counts lines. */
size_t plan_weight(const struct plan *p);
size_t plan_weight_applied(const struct plan *p, const unsigned char *applied, size_t n_applied);

/* Build the plan for file backends from a scan report.  `real_paths` maps
 * report->files[i].path (display) to the path on disk (same order as
 * report->files; may be NULL when equal).  Checks the quarantine directory
 * (created if missing; refused if it is a symlink, not a directory or not
 * writable) before returning.  A file to rewrite that has several hard
 * links is refused (PX_USAGE, core/fsmeta.h) unless p->allow_links.
 * Nothing is modified except creating the quarantine directory. */
int plan_build_files(struct plan *p, const struct scan_report *r, char *const *real_paths,
		     enum recovery_mode mode, const char *quarantine_dir, perr *e);

struct apply_result;
struct apply_progress {
	void *ctx;
	/* Called now and then with bytes done out of total; may be NULL. */
	void (*on_progress)(void *ctx, int64_t done, int64_t total);
	/* Called once a file of a multi-file apply is in place (repaired,
	 * orphan moved) and more of the plan is still to come, with the result
	 * so far (res->applied marks what is in place): the session journals
	 * then, so a run killed between two files leaves a journal that says
	 * which are done (SPEC §4).  May be NULL. */
	void (*on_commit)(void *ctx, const struct apply_result *res);
};

struct apply_result {
	int64_t bytes_before, bytes_after;
	int64_t lines_dropped;
	char **repaired;     /* display paths of repaired files */
	size_t n_repaired;
	char **quarantined;  /* destinations of preserved originals / moved orphans */
	size_t n_quarantined;
	/* Per plan action, same index as plan->v (n_actions entries): 1 once the
	 * change that action names is in the store (a file renamed into place,
	 * an orphan moved, a Redis batch committed).  Filled on failure too, so
	 * a partial apply is visible; all 0 when nothing changed. */
	unsigned char *applied;
	size_t n_actions;
	size_t n_applied;    /* how many applied[i] are 1 */
	/* Lines the application appended while we worked (SPEC §4, the store
	 * is live), copied into the new files byte for byte; how many of them
	 * are not valid records (kept as they are: the verification reports
	 * them); planned truncated tails a writer completed meanwhile (kept,
	 * so their drop_line was not applied). */
	int64_t lines_caught_up, caught_up_invalid, tails_completed;
	char lease_note[160]; /* non-empty: leases were unavailable (see live.h) */
	/* Redis --ack-deleted: acking says it was asked; acked[i] (n_actions,
	 * may be NULL) is 1 when action i's entry was acknowledged in some
	 * group; n_acked counts acknowledgements (an id in two groups: 2). */
	int acking;
	unsigned char *acked;
	int64_t n_acked;
	/* Kept replaced files drained (kept.h): lines appended to the store;
	 * non-empty kept_note: one could not be removed yet, and why. */
	int64_t kept_lines_drained;
	/* leftover temp copies of killed runs removed from the quarantine
	 * directory (core/qleftover.h), as paths */
	char **qtemps_removed;
	size_t n_qtemps_removed;
	char kept_note[PERR_MSG_MAX];
};
/* Consumer groups after an apply (Redis, issue 10 item 6): the one
 * sentence, lower-case and without a full stop, about the deleted entries
 * the plan found pending in a group: what --ack-deleted acknowledged, or
 * how many stay pending; "" when there is nothing to say.  The CLI and
 * the console both say it. */
void apply_result_acks_text(const struct plan *p, const struct apply_result *res, char *buf, size_t cap);
/* Allocate res->applied for a plan of `n` actions (all 0). */
int apply_result_track(struct apply_result *r, size_t n, perr *e);
/* Mark action i applied (idempotent). */
void apply_result_mark(struct apply_result *r, size_t i);
void apply_result_free(struct apply_result *r);

/* Apply the non-skipped actions: per damaged file take an exclusive lock
 * on the file itself, check it is the file planned (same inode, found
 * under another name of its rotating set if a rotation moved it, and at
 * least as long: the application may have appended; replaced or shrunk ->
 * PX_IOERR "changed since the scan", nothing applied), copy the planned
 * bytes of the original to the quarantine directory first (quarantine
 * mode; under a temp name, renamed into place once complete and synced),
 * stream the kept lines byte for byte into ".<base>.papyra-tmp-<pid>" in
 * the same directory, then switch it into place with live_commit (live.h):
 * lines appended meanwhile are caught up, nothing a writer appends is lost.
 * Before the switch of a file, an error leaves it intact and its temp
 * removed.  An error after the switch (directory sync, ...) or on a later
 * file says "applied, but" / which files were changed, and res->applied
 * marks exactly what is in place (PX_IOERR either way). */
int plan_apply_files(const struct plan *p, const struct apply_progress *prog,
		     struct apply_result *res, perr *e);

/* Journal (SPEC §4): append one JSON line describing an applied action set.
 * `command` is e.g. "persistence recover".  Creates parent directories. */
struct journal_entry {
	const char *command;
	const char *backend;
	const char *location;
	const char *mode;
	const struct plan *plan;          /* may be NULL (compaction) */
	const struct apply_result *result;
	int64_t records_before, records_after; /* records_after -1: not verified */
	int64_t bytes_before, bytes_after;
	int bytes_unknown; /* the store does not measure bytes (Redis): both are null */
	/* The apply's error when it stopped partway (or before any change), else
	 * NULL.  The line then says "status": "partial" or "failed", and only
	 * the actions result->applied marks are listed as done. */
	const char *error;
	/* A line written while the apply goes on (apply_progress.on_commit):
	 * "status": "in_progress", what is in place so far; the run's last
	 * line says how it ended (none: it was killed). */
	int in_progress;
};
int journal_append(const char *journal_path, const struct journal_entry *j, perr *e);

#endif
