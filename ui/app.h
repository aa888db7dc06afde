/* Inside the console: the application state and the view interface.
 *
 * Each view lives in its own file (view_*.c) behind `struct view_ops`, as
 * tig's views do: the main loop asks a view for its row count and to draw
 * the rows on screen, and hands it the requests it does not handle itself
 * (moving, searching and switching are common to every list). */
#ifndef PAPYRA_UI_APP_H
#define PAPYRA_UI_APP_H

#include <stdint.h>

#include "cell.h"
#include "config.h"
#include "console.h"
#include "jsonfmt.h"
#include "keys.h"
#include "model.h"
#include "textbuf.h"

enum view_id {
	V_EVENTS = 0, V_AUDITS, V_DEAD, V_ANOMALIES, V_FILES, V_RAW, V_TIMELINE,
	V__LISTS, /* the views reachable by Tab / number keys end here */
	V_DETAIL = V__LISTS, V_HELP,
	V_WALK,    /* the text of a recovery or compaction walk: plan, result */
	V_JOURNAL, /* past recoveries and compactions (J) */
	V__COUNT
};

struct console;
struct view;

struct view_ops {
	const char *name;
	/* The view is being opened (console_open_view): build what it shows
	 * (the help text, the journal read again).  Optional. */
	void (*open)(struct console *c, struct view *v);
	/* A request on this view, before the main loop's common handling (tig
	 * view_ops.request): returns 1 when the view took it.  Optional. */
	int (*request)(struct console *c, struct view *v, enum request req);
	const char *empty; /* shown when there are no rows */
	/* The same, when it depends on the store (optional; overrides empty). */
	const char *(*empty_of)(struct console *c);
	int scroll;        /* a text pane: keys scroll, no selected row */
	/* Number of rows (may grow while indexing). */
	int64_t (*rows)(struct console *c, struct view *v);
	/* Height of a picture pane above the list for a screen of `avail` rows
	 * (0 for none), and drawing it.  Optional. */
	int (*pane_rows)(struct console *c, struct view *v, int avail);
	void (*draw_pane)(struct console *c, struct view *v, int y, int h, int w);
	/* Column headings (one row); optional. */
	void (*draw_head)(struct console *c, struct view *v, int y, int w);
	void (*draw_row)(struct console *c, struct view *v, int64_t row, int y, int w, int selected);
	/* Storage line (0-based index) a row shows, or -1.  Optional. */
	int64_t (*line_of)(struct console *c, struct view *v, int64_t row);
	/* First row showing storage line >= line.  Optional. */
	int64_t (*row_of_line)(struct console *c, struct view *v, int64_t line);
	/* Enter on a row.  Optional. */
	void (*enter)(struct console *c, struct view *v, int64_t row);
	/* Does the row contain `needle` (lowercase)?  Optional: no search. */
	int (*match)(struct console *c, struct view *v, int64_t row, const char *needle);
	/* New lines were indexed or the filter changed.  Optional. */
	void (*refresh)(struct console *c, struct view *v);
	/* Release what the view keeps.  Optional. */
	void (*close)(struct console *c, struct view *v);
};

struct view {
	const struct view_ops *ops;
	int64_t top, cur;
	struct sel sel;       /* list views over the index */
	struct textbuf text;  /* detail and help */
};

/* Record filter (f): kinds come from the view; type and address match
 * interned ids; times compare with the index's timestamps. */
struct filter {
	int active;
	char text[256];
	int has_type, has_addr, has_since, has_until;
	uint8_t *type_ok;  /* [MODEL_TYPE_MAX + 1] */
	uint8_t *addr_ok;  /* [MODEL_ADDR_MAX + 1] */
	double since, until; /* absolute */
	char type_q[128], addr_q[128];
};

/* The predicate argument of a record view: its kind and the filter. */
struct rec_pred {
	enum rec_kind kind;
	const struct filter *f;
};

struct console {
	const struct config *cfg;
	const struct console_opts *opt;
	struct backend *b;     /* borrowed: the walks scan, plan, apply and compact through it */
	const char *backend_name, *location;
	char *journal;         /* where applied actions are journaled; NULL when no place is known */
	struct model m;
	struct view views[V__COUNT];
	struct rec_pred preds[V__LISTS];
	enum view_id cur, back; /* back: the list a detail/help returns to */
	enum time_mode tmode;
	struct filter filt;
	char search[128];
	char status[512];
	int status_role;
	int rows, cols;       /* terminal size */
	int list_y, list_h;   /* the list area of the current view */
	int quit;
	struct record rec;    /* decoding scratch for rows */
	char *rowbuf;         /* pread scratch */
	size_t rowcap;
};

extern const struct view_ops view_events_ops, view_audits_ops, view_dead_ops,
	view_anomalies_ops, view_files_ops, view_raw_ops, view_timeline_ops, view_detail_ops,
	view_help_ops, view_walk_ops, view_journal_ops;

/* Helpers shared by the views (console.c). */
void console_status(struct console *c, int role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void console_show(struct console *c, enum view_id id);
/* Move the current view's cursor to `row`, scrolling as needed. */
void console_goto(struct console *c, struct view *v, int64_t row);
/* Read row bytes of storage line i into c->rowbuf (at most `cap`); -1
 * when it cannot be read (c->m.read_err says why). */
long console_read(struct console *c, size_t i, size_t cap);
/* The same; *fields is set when a Redis entry without `data` was read as
 * its fields (model_read_entry). */
long console_read_entry(struct console *c, size_t i, size_t cap, int *fields);
/* Open the detail pane on storage line i. */
void console_detail(struct console *c, size_t line);
/* Record-view predicate (for sel_init with a struct rec_pred). */
int console_rec_pred(const struct model *m, size_t i, const void *arg);
/* Draw the whole screen: header, the current view, the status line
 * (draw.c).  Callers may draw over it (dialogs) before screen_update. */
void console_draw(struct console *c);
/* Line editor on the status row (prompt.c).  Returns 1 with the text in
 * buf, 0 on Esc or when the terminal went away (then c->quit is set). */
int console_prompt(struct console *c, const char *label, char *buf, size_t cap);
/* Apply an editing key (a character, Backspace) to the text in buf.
 * Returns 1 when the key was an editing key. */
int console_edit(char *buf, size_t cap, int key);
/* Index the file again from the start (after a recovery or compaction, or
 * when it changed under a plan): every view starts over.  The new index
 * is built in slices by the main loop, like the first one. */
int console_reload(struct console *c, perr *e);
/* Move a view's cursor for a movement request (j, k, PgDn, g, G...). */
void console_move(struct console *c, struct view *v, enum request req);

/* Build the detail pane text for line i (view_detail.c). */
void detail_build(struct console *c, size_t line);
/* Rows of a text pane (detail, help). */
int64_t text_rows(struct console *c, struct view *v);
void text_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected);
/* Build the help text (view_help.c). */
void help_build(struct console *c);

/* Open a view: its ops->open, then show it. */
void console_open_view(struct console *c, enum view_id id);

/* The walks (walk_recover.c, walk_compact.c) and the Journal view.  A
 * walk shows what its session did and returns what the main loop does
 * next (htop Action.c style), a mask of: */
#define WALK_RELOAD 0x1      /* the store changed: index it again (a failure goes to the status line) */
#define WALK_RELOAD_PANE 0x2 /* the same, and the result pane says the views now show the store */
unsigned walk_recover(struct console *c);
unsigned walk_compact(struct console *c);
/* Carry out a walk's reaction (walk_common.c). */
void walk_react(struct console *c, unsigned react);
void journal_view_open(struct console *c);
/* Where the console journals: `given` (--journal), else
 * $XDG_STATE_HOME/papyra/journal.ndjson, else
 * ~/.local/state/papyra/journal.ndjson; allocated, NULL when none. */
char *console_journal_path(const char *given);

/* filter.c */
int filter_parse(struct console *c, const char *text, char *err, size_t errlen);
void filter_clear(struct filter *f);
void filter_free(struct filter *f);
/* Before a record view takes in new lines: ids interned since. */
void filter_refresh(struct console *c);

/* view_records.c: what Events, Audits and Dead letters share. */
int64_t rec_rows(struct console *c, struct view *v);
int64_t rec_line_of(struct console *c, struct view *v, int64_t row);
int64_t rec_row_of_line(struct console *c, struct view *v, int64_t line);
void rec_enter(struct console *c, struct view *v, int64_t row);
int rec_match(struct console *c, struct view *v, int64_t row, const char *needle);
void rec_refresh(struct console *c, struct view *v);
/* Read and decode a row into c->rec; the status says whether it decoded. */
enum rec_status rec_decode_row(struct console *c, struct view *v, int64_t row);
/* The decoded record's time in the current time mode. */
void rec_time(struct console *c, char *out, size_t cap);

#endif
