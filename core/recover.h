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

#define ACTION_KINDS(X) \
	X(DROP_LINE, "drop_line") \
	X(APPEND_NEWLINE, "append_newline") \
	X(QUARANTINE_FILE, "quarantine_file") \
	X(MOVE_ORPHAN, "move_orphan") \
	X(REMOVE_TEMP, "remove_temp") \
	X(DELETE_ENTRY, "delete_entry") \
	X(QUARANTINE_ENTRY, "quarantine_entry") \
	X(TRIM_STREAM, "trim_stream") \
	X(REWRITE_FILE, "rewrite_file") \
	X(FINISH_COMPACTION, "finish_compaction")

enum action_kind {
#define X(id, name) ACT_##id,
	ACTION_KINDS(X)
#undef X
	ACT__COUNT
};
const char *action_kind_name(enum action_kind k);

struct action {
	enum action_kind kind;
	char *path;                   /* file (or stream key) acted on */
	int64_t line, offset, length; /* DROP_LINE / APPEND_NEWLINE; else 0/-1/-1 */
	char *to;                     /* QUARANTINE_FILE / MOVE_ORPHAN destination */
	char *id;                     /* Redis entry id */
	enum anomaly_type reason;
	int skip;                     /* operator chose to leave it: not applied */
};

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

/* Build the plan for file backends from a scan report.  `real_paths` maps
 * report->files[i].path (display) to the path on disk (same order as
 * report->files; may be NULL when equal).  Checks the quarantine directory
 * (created if missing; refused if it is a symlink, not a directory or not
 * writable) before returning.  Nothing is modified except creating the
 * quarantine directory. */
int plan_build_files(struct plan *p, const struct scan_report *r, char *const *real_paths,
		     enum recovery_mode mode, const char *quarantine_dir, perr *e);

struct apply_progress {
	void *ctx;
	/* Called now and then with bytes done out of total; may be NULL. */
	void (*on_progress)(void *ctx, int64_t done, int64_t total);
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
};
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
	int64_t records_before, records_after;
	int64_t bytes_before, bytes_after;
};
int journal_append(const char *journal_path, const struct journal_entry *j, perr *e);

#endif
