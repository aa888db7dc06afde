/* The walks that change the store (SPEC §4, §7; STYLE "Destructive
 * actions"): recovery (R, walk_recover.c, plan text in walk_plan.c) and
 * compaction (c, walk_compact.c).  Each is preview -> confirm -> run ->
 * verify -> journal, run as a modal loop over the console's screen: the
 * preview and the result are text in the V_WALK pane, questions are
 * dialogs drawn over it.  Nothing is written before the confirmation. */
#ifndef PAPYRA_UI_WALK_H
#define PAPYRA_UI_WALK_H

#include <stdint.h>

#include "app.h"
#include "recover.h"
#include "session.h"

/* --- dialog.c: a box over the screen with text, buttons or a field ---- */

#define DLG_LINES 12      /* text lines; more would not fit a 12-row terminal anyway */
#define DLG_LINE_MAX 600  /* bytes per line: a path and a sentence */
#define DLG_BUTTONS 4
#define DLG_CANCEL (-1)   /* Esc, q, or the terminal went away */

struct dialog {
	const char *title;
	int role;           /* frame and title: ROLE_WARN asks, ROLE_ANOMALY refuses */
	struct {
		char s[DLG_LINE_MAX];
		int role;
	} line[DLG_LINES];
	int n_lines;
	const char *button[DLG_BUTTONS];
	int n_buttons, focus;
	int hot[WREQ__COUNT]; /* walk request -> button index + 1 (0: none) */
	const char *toggle;   /* a checkbox line the SAME request toggles, or NULL */
	int toggle_on;
	int field;            /* a text field instead of buttons: Enter returns 0 */
	char text[64];
	int progress;         /* permille shown as a bar, or -1 */
	const char *hint;     /* the keys, on the last line */
};

void dlg_init(struct dialog *d, const char *title, int role);
void dlg_line(struct dialog *d, int role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void dlg_button(struct dialog *d, const char *label);
/* Draw over whatever is on screen (no screen_update). */
void dlg_draw(struct console *c, const struct dialog *d);
/* Show the dialog until a button is pressed (its index) or it is
 * cancelled (DLG_CANCEL).  Esc always cancels; so does q, except in a
 * text field where q is a letter. */
int dlg_run(struct console *c, struct dialog *d);
/* Ask for `word` (the mode name) to be typed into `d` to confirm a large
 * action.  A wrong word is said in the dialog and asked again.  Returns 1
 * when typed, 0 when cancelled. */
int dlg_confirm_typed(struct console *c, struct dialog *d, const char *word);
/* A dialog with one Close button, for refusals and errors. */
void dlg_message(struct console *c, const char *title, int role, const char *text, const char *more);

/* --- walk_common.c ------------------------------------------------------ */

/* Totals over a report's files. */
int64_t walk_records(const struct scan_report *r);
int64_t walk_lines(const struct scan_report *r);
int64_t walk_bytes(const struct scan_report *r);
/* Show V_WALK with `hint` on the status line until a walk request in
 * `accept` (a mask of 1 << WREQ_*) comes; movement keys scroll the text.
 * Returns WREQ_CANCEL when the terminal went away. */
enum walk_request walk_wait(struct console *c, const char *hint, unsigned accept);
/* Append prose to the walk pane, wrapped at the screen's width. */
void walk_say(struct console *c, int role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Start a walk's text pane (cleared) and show it. */
struct textbuf *walk_begin(struct console *c);
/* Leave the text pane for the view under it, with a status message. */
void walk_leave(struct console *c, int role, const char *msg);
/* Up to `cols` columns of storage line `line0` (0-based) for a preview,
 * "…" appended when cut, escaped as the screen shows it (screen_escape):
 * NUL-terminated text in which a NUL byte of the line reads \x00. */
void walk_preview(struct console *c, int64_t line0, int cols, char *out, size_t cap);
/* The index line an action is about (a line of a file, a Redis entry),
 * or -1. */
int64_t walk_action_line(struct console *c, const struct action *a);
/* Where an action is, for people: "path:line", or "stream-name id". */
void walk_action_where(struct console *c, const struct action *a, char *out, size_t cap);
/* Is this the error of a store that changed between the scan and apply? */
int walk_changed(const perr *e);
/* The store changed under a plan: say so, nothing was applied, and offer
 * to rescan (r).  Returns WALK_RELOAD when the operator asked for it. */
unsigned walk_offer_rescan(struct console *c, const char *what, const perr *e);
/* Before a walk: can its journal entry be written?  If not, say why
 * (`what`: "Recovery", "Compaction") and return 0. */
int walk_journal_ready(struct console *c, const char *what);
/* Say in the pane where the session's journal entry went (or why not). */
void walk_journal_outcome(struct console *c, const struct session_outcome *o);
/* The verification's anomalies, listed in the pane. */
void walk_list_anomalies(struct console *c, const struct scan_report *r, int role);
/* Progress while applying (struct apply_progress.on_progress). */
struct walk_progress {
	struct console *c;
	const char *what;
	double last_ms;
};
void walk_on_progress(void *ctx, int64_t done, int64_t total);
/* Reference time for quarantine names: fixed under PAPYRA_TEST_SCREEN
 * when PAPYRA_TEST_EPOCH_MS is set, so golden screens are stable. */
int64_t walk_epoch_ms(void);

/* --- walk_plan.c: the recovery plan as the operator reads it ------------- */

struct rplan_sum {
	int64_t drops, drop_bytes, newlines; /* applied line actions (drop_bytes: entries' data too) */
	int64_t entries;                      /* applied Redis entry actions (delete or quarantine) */
	int64_t salvages, salvage_bytes, salvaged; /* applied salvages: lines, prefix bytes dropped, records kept */
	int64_t temps, orphans, files_copied; /* applied file actions */
	int64_t left;                         /* actions the operator left */
	int64_t unhandled;                    /* anomalies no action covers */
	int64_t records, lines, bytes;        /* expected after */
	const char *file;                     /* the one file (or stream) acted on, or NULL for several */
	int64_t n_files;
};
void rplan_sum(struct console *c, const struct plan *p, struct rplan_sum *s);
/* Bytes the plan drops for one DROP_LINE action. */
int64_t rplan_drop_bytes(const struct plan *p, const struct action *a);
/* Can the operator decide this action alone (a line, a temp, an orphan)? */
int rplan_steppable(const struct action *a);
/* The anomaly an action answers, or NULL. */
const struct anomaly *rplan_anomaly(const struct scan_report *r, const struct action *a);
/* The plan screen's text into V_WALK. */
void rplan_text(struct console *c, const struct plan *p);
/* Redis consumer groups (issue 10 item 6): per stream, the entries the
 * plan deletes that are pending in a group, and whether --ack-deleted
 * acknowledges them (res NULL: the plan); after the apply (res), what was
 * acknowledged or stays pending.  Nothing when no entry is pending. */
void rplan_pending(struct console *c, const struct plan *p, const struct apply_result *res);
/* Step through the anomalies, e2fsck style (sets action.skip). */
void rplan_step(struct console *c, struct plan *p);

#endif
