/* Inside the console: the application state and the view interface.
 *
 * Each view lives in its own file (view_*.c) behind `struct view_ops`, as
 * tig's views do: the main loop asks a view for its row count and to draw
 * the rows on screen, and hands it the requests it does not handle itself
 * (moving, searching and switching are common to every list). */
#ifndef PAPYRA_UI_APP_H
#define PAPYRA_UI_APP_H

#include <regex.h>
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
	V_SYSTEMS, /* a fleet's systems (S; view_systems.c) */
	V__COUNT
};

struct console;
struct view;

/* A search pattern (search.c): a POSIX extended regular expression,
 * case-insensitive; one that does not compile is matched as plain text. */
struct matcher {
	int active;
	int literal; /* the pattern was not a valid expression */
	char text[128]; /* as typed */
	regex_t re;
};
int matcher_set(struct matcher *m, const char *pattern);
void matcher_free(struct matcher *m);
/* First non-empty match in p[from..n) (NUL bytes allowed): 1 with it in
 * [*so, *eo), else 0. */
int matcher_find(const struct matcher *m, const char *p, size_t n, size_t from, size_t *so, size_t *eo);
int matcher_in(const struct matcher *m, const char *p, size_t n);

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
	/* Does the row match (its raw line or a column as shown)?  Optional:
	 * no search. */
	int (*match)(struct console *c, struct view *v, int64_t row, const struct matcher *m);
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

/* Record filter (f, filter.c): terms that include or exclude by type,
 * address or text, and a time range; kinds come from the view. */
enum fkey { FK_TYPE = 0, FK_ADDR, FK_TEXT, FK__COUNT };
#define FILTER_TERMS_MAX 16 /* terms in one filter: more than a line can show */
struct fterm {
	enum fkey key;
	int neg;            /* !key=value: excludes */
	char q[128];        /* the value as typed */
	struct matcher m;   /* FK_TEXT */
};
struct filter {
	int active;
	char text[256];     /* as typed (shown in the header) */
	struct fterm term[FILTER_TERMS_MAX];
	int n_terms;
	int has[FK__COUNT]; /* per key: 1 some include, 2 some exclude */
	int has_since, has_until;
	double since, until; /* absolute */
	uint8_t *ok[4];     /* per id: type in/out, address in/out (filter.c) */
	size_t ok_n[4];
};

/* The predicate argument of a record view: its kind and the filter. */
struct rec_pred {
	enum rec_kind kind;
	const struct filter *f;
};

/* Prompts with a history of their own (Up/Down in the prompt). */
enum prompt_id { PH_SEARCH, PH_FILTER, PH_GOTO, PH_WRITE, PH_QDIR, PH__COUNT };
#define PROMPT_HIST_MAX 32 /* entries kept per prompt, oldest dropped */
struct prompt_hist {
	char *e[PROMPT_HIST_MAX];
	int n;
};

/* Following the store (live.c). */
#define LIVE_RATE_SECS 60
/* A record as it can be found again in a new index: the file's identity
 * and the line's offset (a rotation renames the file, not its inode), or
 * the stream and entry id. */
struct live_key {
	char unit[PATH_SHOWN_MAX], id[MODEL_ID_MAX];
	struct file_ident ident;
	int64_t off;
};
struct live {
	int tail;              /* tail mode: the newest record stays selected */
	int64_t arrived;       /* lines arrived since the screen last moved */
	char banner[320];      /* what the last re-index was for */
	int identity;          /* it was a change of identity, not new data */
	int64_t rec_before[RK__COUNT];
	/* the record selected when a re-index started, to put the cursor back */
	int restore, at_detail;
	enum view_id at_view;
	int64_t at_row, at_line;
	struct live_key at;
	struct live_key *mk;   /* the marked records, marked again once re-indexed */
	size_t n_mk;
	/* records per kind in each second of the last minute */
	int64_t rate_n[RK__COUNT][LIVE_RATE_SECS], rate_sec[LIVE_RATE_SECS];
	/* a search typed while indexing looks on as the index grows */
	int search_pending;
	int64_t search_upto;
};

struct console {
	const struct config *cfg;
	const struct console_opts *opt;
	struct backend *b;     /* borrowed: the walks scan, plan, apply and compact through it */
	const char *backend_name, *location;
	size_t sys;            /* a fleet: the system open (opt->systems) */
	uint8_t *sys_stale;    /* a fleet, per system: the last scan of the fleet stopped before it */
	char *journal;         /* where applied actions are journaled; NULL when no place is known */
	struct model m;
	struct view views[V__COUNT];
	struct rec_pred preds[V__LISTS];
	int filter_slices;      /* tests: take scripted keys between filter slices (`slice`) */
	enum view_id cur, back; /* back: the list a detail/help returns to */
	int back2;              /* the overlay a detail opened from returns to (the Journal), or -1 */
	enum time_mode tmode;
	struct filter filt;
	struct matcher search; /* the last search; its matches are highlighted */
	char status[512];
	int status_role;
	int rows, cols;       /* terminal size */
	int list_y, list_h;   /* the list area of the current view */
	int quit;
	struct prompt_hist hist[PH__COUNT];
	uint8_t *marks;       /* [storage line]: marked with m (marks.c) */
	size_t marks_n;       /* lines the array covers */
	int64_t n_marked;
	int64_t ignored_keys; /* keys ignored while the terminal was too small */
	/* what a text pane was built for, to build it again at a new width */
	size_t detail_line;
	int detail_cols;      /* 0: the detail is not of a line (nothing to re-wrap) */
	void (*rewrap)(struct console *c, void *ctx); /* rebuilds V_WALK's text, or NULL */
	void *rewrap_ctx;
	int rewrap_cols;
	struct live live;     /* following the store (live.c) */
	char *merge_legend;   /* several stores: "merged a=... b=..." (location points here) */
	struct record rec;    /* decoding scratch for rows */
	char *rowbuf;         /* pread scratch */
	size_t rowcap;
};

extern const struct view_ops view_events_ops, view_audits_ops, view_dead_ops,
	view_anomalies_ops, view_files_ops, view_raw_ops, view_timeline_ops, view_detail_ops,
	view_help_ops, view_walk_ops, view_journal_ops, view_systems_ops;

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
/* A filter with text= terms reads every row back: the record views'
 * selections are then built in slices by the main loop (console_filter_step),
 * the console drawing and reading keys between them.  Filtering: some
 * record view's selection is not complete yet; progress in permille of
 * the lines looked at. */
int console_filter_slow(const struct console *c);
int console_filtering(const struct console *c);
int console_filter_progress(const struct console *c);
void console_filter_step(struct console *c);
/* Draw the whole screen: header, the current view, the status line
 * (draw.c).  Callers may draw over it (dialogs) before screen_update. */
void console_draw(struct console *c);
/* Line editor on the status row (prompt.c), with prompt `id`'s history.
 * A non-empty buf starts selected (typing replaces it).  Returns 1 with
 * the text in buf, 0 on Esc or when the terminal went away (then c->quit
 * is set). */
int console_prompt(struct console *c, enum prompt_id id, const char *label, char *buf, size_t cap);
void console_hist_free(struct console *c);
/* Apply an editing key (a character, Backspace, Ctrl-U, Ctrl-W) to the
 * end of the text in buf.  Returns 1 when the key was an editing key. */
int console_edit(char *buf, size_t cap, int key);
/* Below SCREEN_MIN_COLS x SCREEN_MIN_ROWS: keys are ignored (draw.c says
 * so) except those that leave or cancel. */
int console_too_small(const struct console *c);
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
/* A fleet: scan every system again (opt->refresh_system), its progress on
 * the status line, Esc stops (view_systems.c).  1: all were scanned. */
int systems_scan(struct console *c);

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
/* o: Raw at the file the selected journal entry names (view_journal.c). */
void journal_jump(struct console *c);
/* Where the console journals: `given` (--journal), else
 * $XDG_STATE_HOME/papyra/journal.ndjson, else
 * ~/.local/state/papyra/journal.ndjson; allocated, NULL when none. */
char *console_journal_path(const char *given);

/* filter.c */
/* A time as typed: epoch seconds, or "YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z]"
 * in local time when `local`, else UTC (Z: UTC anyway).  0, or -1. */
int filter_parse_time(const char *s, int local, double *out);
/* Does the active filter keep line i (a record of `kind`)? */
int filter_keeps(const struct filter *f, const struct model *m, size_t i, enum rec_kind kind);
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
int rec_match(struct console *c, struct view *v, int64_t row, const struct matcher *m);
void rec_refresh(struct console *c, struct view *v);
/* Read and decode a row into c->rec; the status says whether it decoded. */
enum rec_status rec_decode_row(struct console *c, struct view *v, int64_t row);
/* The decoded record's time in the current time mode. */
void rec_time(struct console *c, char *out, size_t cap);
/* rec_cell (cell.h) for a decoded value, which may hold NUL bytes. */
int rec_cell_n(int y, int x, int w, int role, const struct rec_str *s);
/* marks.c: m, u / U, w. */
int marks_has(const struct console *c, size_t line);
const char *marks_glyph(void); /* drawn at the left edge of a marked row */
void marks_toggle(struct console *c);
void marks_jump(struct console *c, int dir);
void marks_write(struct console *c);
void marks_clear(struct console *c);
/* Mark line l (0 when done, -1 out of memory). */
int marks_set(struct console *c, size_t l);

/* live.c: following the store.  live_tick looks at the store (main loop,
 * between keys, when the index is complete); live_after_step after each
 * slice of indexing; live_rescan re-indexes with the selection kept. */
void live_tick(struct console *c);
void live_after_step(struct console *c);
void live_rescan(struct console *c, const char *banner, int identity);
int live_wait_ms(struct console *c); /* poll timeout for the keys: -1 forever */
int live_fd(const struct console *c);
void live_wake(struct console *c);
void live_tail(struct console *c, int on);
void live_moved(struct console *c);  /* a movement key: tail mode off */
/* The status line's right part: a line being written, tail mode. */
void live_status(const struct console *c, char *out, size_t cap);
double live_rate(const struct console *c, enum rec_kind k);
void live_search_start(struct console *c, int dir, int64_t looked);
void live_search_more(struct console *c);
void live_free(struct console *c);

/* console_merge.c: several stores merged by time (merge.h).  The model
 * opened for the console's sources; the header's legend (location); the
 * source column of the record views (0 wide for one store: returns the x
 * after it); "[b] " before an anomaly or a file; the header's badge; R
 * and C refused (1, with the status naming the source to open alone). */
#define MERGE_TAG_W 3
int console_model_open(struct console *c, perr *e);
int merge_location(struct console *c, perr *e);
int merge_head(struct console *c, int y);
int merge_cell(struct console *c, int y, size_t line, int role);
const char *merge_an_tag(const struct console *c, size_t k, char *buf, size_t cap);
const char *merge_file_tag(const struct console *c, size_t file_index, char *buf, size_t cap);
void merge_badge(const struct console *c, char *out, size_t cap);
int merge_refuse(struct console *c, const char *what);
/* PAPYRA_TEST_TIMING: the k-way merge's time (bench/README.md). */
void merge_timing(const struct console *c, FILE *tf);

/* handoff.c (W): the `papyra inspect` command line that lists what view
 * `view` shows under the filter: into cmd (empty when the view has no
 * listing), the terms and the state it cannot express into left, remarks
 * that change nothing selected into note ("; "-separated, the caller's to
 * free).  handoff_show shows it in a dialog and on the status line. */
void handoff_command(struct console *c, enum view_id view, struct strbuf *cmd, struct strbuf *left,
		     struct strbuf *note);
void handoff_show(struct console *c);

/* search.c: n / N from the current row (dir 1 or -1), and the
 * highlight of the last search's matches while rows are drawn. */
void console_search(struct console *c, int dir);
void search_highlight(struct console *c, int on);

#endif
