/* Systems (issue 10 item 4): with --system-id a pattern, the systems of
 * the fleet, each as a whole scan of it found it when the console started
 * or at the last r here (streams there, entries, anomalies, entries
 * pending in consumer groups), the one open marked.  The figures are not
 * refreshed by themselves: each refresh reads every entry of every
 * system, and the open one is followed in its own views.  Enter opens a
 * system: the console is then on its store (indexed, followed) as if
 * started with its id; S comes back. */
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
	if (s->error)
		snprintf(buf, sizeof buf, " %9s %10s %10s %10s  %s%s: %s", "-", "-", "-", "-", s->id, open, s->error);
	else
		snprintf(buf, sizeof buf, " %9lld %10lld %10lld %10lld  %s%s", (long long)s->streams,
			 (long long)s->entries, (long long)s->anomalies, (long long)s->pending, s->id, open);
	console_cell(y, 0, w, (s->error || s->anomalies ? ROLE_ANOMALY : ROLE_NORMAL) | sel, buf);
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

/* r: every system scanned again (the open one's index is left as it is:
 * r in its views re-indexes it). */
static int systems_request(struct console *c, struct view *v, enum request req)
{
	(void)v;
	if (req != REQ_RESCAN || !c->opt->refresh_systems)
		return 0;
	perr e = { 0 };
	if (c->opt->refresh_systems(c->opt->system_ctx, &e) < 0)
		console_status(c, ROLE_ANOMALY, " The systems could not be scanned again: %s", e.msg);
	else
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
