/* Systems (issue 10 item 4): with --system-id a pattern, the systems of
 * the fleet, each as a whole scan of it found it when the console started
 * or at the last r here (streams there, entries, anomalies, entries
 * pending in consumer groups), the one open marked.  The figures are not
 * refreshed by themselves: each refresh reads every entry of every
 * system, and the open one is followed in its own views.  A scan of the
 * fleet (at the start, at r) says on the status line which system it is
 * at, and Esc stops it, between two systems or within one (outside test
 * scripts, whose looks at the keyboard must fall at the same place every
 * run: there only between systems); the systems it did not reach keep
 * their figures, marked stale (or "not scanned" at the start).  Enter
 * opens a system: the console is then on its store (indexed, followed)
 * as if started with its id; S comes back. */
#include <stdio.h>

#include "app.h"
#include "screen.h"

static int64_t systems_rows(struct console *c, struct view *v)
{
	(void)v;
	return (int64_t)c->opt->n_systems;
}

static void systems_head(struct console *c, struct view *v, int y, int w)
{
	(void)c;
	(void)v;
	console_cell(y, 0, w, ROLE_TITLE, "   STREAMS    ENTRIES  ANOMALIES    PENDING  SYSTEM");
}

static void systems_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)v;
	const struct console_system *s = &c->opt->systems[row];
	int sel = selected ? ROLE_SELECTED : 0;
	char buf[512];
	const char *open = (size_t)row == c->sys ? "  (open)" : "";
	const char *stale = !s->scanned ? "  (not scanned: r scans)" :
			    c->sys_stale && c->sys_stale[row] ? "  (stale: as of an earlier scan; r scans again)" : "";
	if (s->error || !s->scanned)
		snprintf(buf, sizeof buf, " %9s %10s %10s %10s  %s%s%s%s%s", "-", "-", "-", "-", s->id, open, stale,
			 s->error ? ": " : "", s->error ? s->error : "");
	else
		snprintf(buf, sizeof buf, " %9lld %10lld %10lld %10lld  %s%s%s", (long long)s->streams,
			 (long long)s->entries, (long long)s->anomalies, (long long)s->pending, s->id, open, stale);
	int role = s->error || s->anomalies ? ROLE_ANOMALY : *stale ? ROLE_DIM : ROLE_NORMAL;
	console_cell(y, 0, w, role | sel, buf);
}

/* S: the system open is selected. */
static void systems_open(struct console *c, struct view *v)
{
	v->cur = (int64_t)c->sys;
	v->top = 0;
}

/* Open system `row`: its backend, its configuration, a new index. */
static void systems_enter(struct console *c, struct view *v, int64_t row)
{
	(void)v;
	const struct console_opts *o = c->opt;
	if ((size_t)row == c->sys) {
		c->cur = c->back;
		return;
	}
	struct backend *b = NULL;
	const struct config *cfg = NULL;
	perr e = { 0 };
	model_close(&c->m); /* nothing of the old store is used past here */
	if (o->open_system(o->system_ctx, (size_t)row, &b, &cfg, &e) < 0) {
		console_status(c, ROLE_ANOMALY, " System %s could not be opened: %s", o->systems[row].id, e.msg);
		if (model_open(&c->m, c->b, &e) < 0)
			console_status(c, ROLE_ANOMALY, " The store could not be indexed again: %s", e.msg);
		return;
	}
	c->sys = (size_t)row;
	c->b = b;
	c->cfg = cfg;
	c->location = b->location;
	c->cur = c->back = V_EVENTS;
	if (console_reload(c, &e) < 0)
		console_status(c, ROLE_ANOMALY, " Indexing system %s failed: %s", o->systems[row].id, e.msg);
	else
		console_status(c, ROLE_NORMAL, " System %s (S: the systems)", o->systems[row].id);
}

/* Where a scan of the fleet is, for its look between slices. */
struct fleet_scan {
	struct console *c;
	size_t i;
};

static void fleet_progress(struct console *c, size_t i, int pct)
{
	char in[16] = "";
	if (pct >= 0)
		snprintf(in, sizeof in, ", %d%%", pct);
	console_status(c, ROLE_NORMAL, " Scanning systems: %zu of %zu (%s%s)... Esc stops", i + 1,
		       c->opt->n_systems, c->opt->systems[i].id, in);
	console_draw(c);
	screen_update();
}

static int fleet_stop(void *ctx, int64_t done, int64_t total)
{
	struct fleet_scan *fs = ctx;
	if (screen_is_test())
		return 0; /* slices fall where the clock says: tests look between systems only */
	fleet_progress(fs->c, fs->i, total > 0 ? (int)(done * 100 / total) : -1);
	return screen_poll_esc() || screen_hangup();
}

int systems_scan(struct console *c)
{
	const struct console_opts *o = c->opt;
	struct fleet_scan fs = { c, 0 };
	size_t n = o->n_systems, i = 0;
	for (; i < n; i++) {
		fs.i = i;
		fleet_progress(c, i, -1);
		if (screen_poll_esc() || screen_hangup() || o->refresh_system(o->system_ctx, i, fleet_stop, &fs))
			break;
		if (c->sys_stale)
			c->sys_stale[i] = 0;
	}
	for (size_t k = i; k < n && c->sys_stale; k++)
		c->sys_stale[k] = o->systems[k].scanned; /* never scanned says so itself */
	if (i < n)
		console_status(c, ROLE_WARN, " Stopped scanning the systems after %zu of %zu (Esc): the other %zu "
			       "marked (r scans again)", i, n, n - i);
	else
		c->status[0] = '\0';
	return i == n;
}

/* r: every system scanned again (the open one's index is left as it is:
 * r in its views re-indexes it). */
static int systems_request(struct console *c, struct view *v, enum request req)
{
	(void)v;
	if (req != REQ_RESCAN || !c->opt->refresh_system)
		return 0;
	if (systems_scan(c))
		console_status(c, ROLE_NORMAL, " Scanned the %zu system%s again (r)", c->opt->n_systems,
			       c->opt->n_systems == 1 ? "" : "s");
	return 1;
}

const struct view_ops view_systems_ops = {
	.name = "Systems",
	.open = systems_open,
	.empty = "No systems match the pattern.",
	.rows = systems_rows,
	.draw_head = systems_head,
	.draw_row = systems_row,
	.enter = systems_enter,
	.request = systems_request,
};
