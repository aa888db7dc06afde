/* What the recovery and compaction walks share: the text pane and its
 * keys, sizes for people, previews, the verification scan, the journal
 * and the offer to rescan when the store changed under a plan. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "screen.h"
#include "walk.h"

/* Redraw the progress box at most this often: drawing must not slow the
 * copy it reports on. */
#define PROGRESS_EVERY_MS 50
/* A preview reads at most this much of a line. */
#define PREVIEW_READ_MAX 4096
/* Prose in the walk pane wraps at the screen width, but never narrower
 * than this; continuation lines are indented this much more. */
#define WRAP_MIN 40
#define WRAP_INDENT 2

int64_t walk_records(const struct scan_report *r)
{
	int64_t n = 0;
	for (size_t i = 0; i < r->n_files; i++)
		for (int k = 0; k < RK__COUNT; k++)
			n += r->files[i].records[k];
	return n;
}

int64_t walk_lines(const struct scan_report *r)
{
	int64_t n = 0;
	for (size_t i = 0; i < r->n_files; i++)
		n += r->files[i].lines;
	return n;
}

int64_t walk_bytes(const struct scan_report *r)
{
	int64_t n = 0;
	for (size_t i = 0; i < r->n_files; i++)
		n += r->files[i].bytes;
	return n;
}

void walk_say(struct console *c, int role, const char *fmt, ...)
{
	struct textbuf *t = &c->views[V_WALK].text;
	char buf[2 * DLG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, i = 0;
	int width = c->cols - 2 < WRAP_MIN ? WRAP_MIN : c->cols - 2;
	int indent = 0;
	while (buf[indent] == ' ')
		indent++;
	indent += WRAP_INDENT;
	if (indent > width / 2)
		indent = width / 2;
	do {
		int in = i ? indent : 0, col = in;
		size_t start = i, blank = 0;
		while (i < len) {
			int w;
			size_t used = screen_glyph(buf + i, len - i, &w);
			if (col + w > width && i > start) {
				if (blank > start)
					i = blank;
				break;
			}
			if (buf[i] == ' ')
				blank = i + 1;
			col += w;
			i += used;
		}
		char line[sizeof buf + 64];
		int k = snprintf(line, sizeof line, "%*s%.*s", in, "", (int)(i - start), buf + start);
		if (k > 0)
			tb_add(t, role, line, (size_t)k < sizeof line ? (size_t)k : sizeof line - 1);
		while (i < len && buf[i] == ' ')
			i++;
	} while (i < len);
}

struct textbuf *walk_begin(struct console *c)
{
	struct view *v = &c->views[V_WALK];
	tb_clear(&v->text);
	v->top = v->cur = 0;
	console_show(c, V_WALK);
	return &v->text;
}

void walk_leave(struct console *c, int role, const char *msg)
{
	if (c->cur == V_WALK)
		c->cur = c->back;
	console_status(c, role, "%s", msg);
}

enum walk_request walk_wait(struct console *c, const char *hint, unsigned accept)
{
	/* a message left by the last step stays until the next key */
	int keep = c->status[0] != '\0';
	for (;; keep = 0) {
		if (!keep)
			console_status(c, ROLE_NORMAL, "%s", hint);
		console_draw(c);
		screen_update();
		int k = screen_getkey(-1);
		if (k == SK_EOF || screen_hangup()) {
			c->quit = 1;
			return WREQ_CANCEL;
		}
		enum walk_request r = keys_walk_request(k);
		if (console_too_small(c) && k != SK_RESIZE && r != WREQ_CANCEL) {
			c->ignored_keys++;
			keep = 1;
			continue;
		}
		c->ignored_keys = 0;
		if (r != WREQ_NONE && (accept & (1u << r)))
			return r;
		/* anything else that moves, scrolls the text (Space pages here) */
		enum request q = keys_request(k);
		if (q >= REQ_DOWN && q <= REQ_LAST)
			console_move(c, &c->views[V_WALK], q);
	}
}

void walk_preview(struct console *c, int64_t line0, int cols, char *out, size_t cap)
{
	out[0] = '\0';
	if (line0 < 0 || (size_t)line0 >= c->m.n || cap < 8)
		return;
	int fields = 0;
	long n = console_read_entry(c, (size_t)line0, PREVIEW_READ_MAX, &fields);
	if (n == 0 && c->m.t->ids)
		snprintf(out, cap, "%s", "(empty string)");
	if (n <= 0)
		return;
	size_t len = (size_t)n, at = 0;
	if (fields) {
		/* an entry without `data`: what it has instead */
		static const char tag[] = "(no data field) ";
		at = sizeof tag - 1 < cap / 2 ? sizeof tag - 1 : 0;
		memcpy(out, tag, at);
	}
	if (len && c->rowbuf[len - 1] == '\r')
		len--;
	/* escaped here, not by the screen: the text is composed into table rows
	 * and dialog lines, where a NUL would end it */
	int used = 0;
	size_t k = screen_escape(c->rowbuf, len, cols - (int)at, out + at, cap - at - 4, &used);
	if (used < screen_width_of(c->rowbuf, len) || (size_t)n < c->m.len[line0])
		snprintf(out + at + k, cap - at - k, "%s", screen_utf8() ? "\xe2\x80\xa6" : "...");
}

int64_t walk_action_line(struct console *c, const struct action *a)
{
	if (a->id)
		return model_find_entry(&c->m, a->path, a->id);
	return a->line > 0 ? model_find_line(&c->m, a->path, a->line) : -1;
}

void walk_action_where(struct console *c, const struct action *a, char *out, size_t cap)
{
	int64_t i = walk_action_line(c, a);
	if (a->id) {
		const struct model_seg *s = i >= 0 ? model_seg_of(&c->m, (size_t)i) : NULL;
		snprintf(out, cap, "%s %s", s ? s->name : a->path, a->id);
	} else {
		snprintf(out, cap, "%s:%lld", a->path, (long long)a->line);
	}
}

int walk_changed(const perr *e)
{
	return e->reason == PR_STALE;
}

unsigned walk_offer_rescan(struct console *c, const char *what, const perr *e)
{
	struct dialog d;
	const char *store = !c->m.t->several ? "file" : c->m.t->rotates ? "set" : "streams";
	char title[64];
	snprintf(title, sizeof title, "The %s changed since the scan", store);
	dlg_init(&d, title, ROLE_ANOMALY);
	dlg_line(&d, ROLE_ANOMALY, "%s", e->msg);
	dlg_line(&d, ROLE_NORMAL, "Nothing was applied: the %s was made for the %s as %s when %s scanned. Rescan, "
		 "look again, and start over.", what, store, c->m.t->ids ? "they were" : "it was",
		 c->m.t->ids ? "they were" : "it was");
	dlg_button(&d, "Rescan");
	dlg_button(&d, "Close");
	d.hot[WREQ_RESCAN] = 1;
	d.hint = "r or Enter rescans now; Esc closes (the views keep the old scan)";
	int b = dlg_run(c, &d);
	if (b == 0) {
		walk_leave(c, ROLE_WARN, " Rescanned: nothing was applied. Look at the new scan, then start again");
		return WALK_RELOAD;
	}
	walk_leave(c, ROLE_ANOMALY, !c->m.t->several ?
		   " The file changed since the scan: nothing was applied (R or c to start over)" :
		   " The store changed since the scan: nothing was applied (R or c to start over)");
	return 0;
}

/* Can the journal be appended to (or created)?  Checked before a walk
 * starts, so a change is never made that cannot be journaled; nothing is
 * created here. */
static int journal_writable(const char *path, perr *e)
{
	struct stat st;
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return perr_set(e, PX_USAGE, "the journal %s is not a regular file", path);
		if (access(path, W_OK) != 0)
			return perr_set(e, PX_IOERR, "the journal %s is not writable", path);
		return 0;
	}
	/* the nearest directory that exists must let us create the rest */
	char *dir = fsutil_dirname(path, e);
	while (dir && stat(dir, &st) != 0) {
		char *up = fsutil_dirname(dir, e);
		int top = !up || strcmp(up, dir) == 0;
		free(dir);
		dir = top ? NULL : up;
		if (top)
			free(up);
	}
	int rc = 0;
	if (!dir)
		rc = perr_set(e, PX_IOERR, "no directory can hold the journal %s", path);
	else if (!S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK) != 0)
		rc = perr_set(e, PX_IOERR, "the journal %s cannot be created under %s", path, dir);
	free(dir);
	return rc;
}

int walk_journal_ready(struct console *c, const char *what)
{
	perr e = { 0 };
	if (!c->journal)
		perr_set(&e, PX_USAGE, "%s", "There is no place for the journal (no XDG_STATE_HOME, no HOME).");
	else if (journal_writable(c->journal, &e) == 0)
		return 1;
	char title[64];
	snprintf(title, sizeof title, "%s refused", what);
	dlg_message(c, title, ROLE_ANOMALY, e.msg,
		    "Every change is journaled: give --journal FILE somewhere writable. Nothing was changed.");
	console_status(c, ROLE_ANOMALY, " %s refused: the journal cannot be written", what);
	return 0;
}

void walk_journal_outcome(struct console *c, const struct session_outcome *o)
{
	if (!c->journal)
		walk_say(c, ROLE_ANOMALY, "%s", " Journal: NOT written: no place for it (give --journal FILE, or set HOME)");
	else if (o->journal_failed)
		walk_say(c, ROLE_ANOMALY, " Journal: NOT written: %s", o->journal_err.msg);
	else if (o->journaled)
		walk_say(c, ROLE_OK, " Journal: entry appended to %s (J lists the journal)", c->journal);
}

void walk_react(struct console *c, unsigned react)
{
	if (!(react & (WALK_RELOAD | WALK_RELOAD_PANE)))
		return;
	perr e = { 0 };
	int rc = console_reload(c, &e);
	if (!(react & WALK_RELOAD_PANE)) {
		if (rc < 0)
			console_status(c, ROLE_ANOMALY, "%s", e.msg);
		return;
	}
	if (rc < 0)
		walk_say(c, ROLE_ANOMALY, " The views could not be rebuilt: %s", e.msg);
	else
		walk_say(c, ROLE_DIM, "%s", !c->m.t->several ? " Every view now shows the file as it is on disk." :
			 c->m.t->rotates ? " Every view now shows the set as it is on disk." :
			 " Every view now shows the streams as they are now.");
}

void walk_list_anomalies(struct console *c, const struct scan_report *r, int role)
{
	for (size_t i = 0; i < r->n_an; i++) {
		const struct anomaly *a = &r->an[i];
		walk_say(c, role, "   %s %s: %s", anomaly_type_name(a->type), a->path, a->detail);
	}
}

static double mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void walk_on_progress(void *ctx, int64_t done, int64_t total)
{
	struct walk_progress *p = ctx;
	double now = mono_ms();
	if (done < total && now - p->last_ms < PROGRESS_EVERY_MS)
		return;
	p->last_ms = now;
	struct dialog d;
	char a[32], b[32];
	walk_size(a, sizeof a, done);
	walk_size(b, sizeof b, total);
	dlg_init(&d, "Working", ROLE_WARN);
	dlg_line(&d, ROLE_NORMAL, "%s", p->what);
	dlg_line(&d, ROLE_DIM, "%s of %s", a, b);
	d.progress = total > 0 ? (int)(1000 * (double)done / (double)total) : 1000;
	d.progress = d.progress > 1000 ? 1000 : d.progress;
	console_draw(p->c);
	dlg_draw(p->c, &d);
	screen_update();
}

int64_t walk_epoch_ms(void)
{
	const char *t = getenv("PAPYRA_TEST_EPOCH_MS");
	if (screen_is_test() && t && *t)
		return strtoll(t, NULL, 10);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
