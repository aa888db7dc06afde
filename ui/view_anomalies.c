/* Anomalies: the scanner's report, in its order (what `persistence scan`
 * prints); Enter jumps to the line in Raw.  The line is the one in its
 * file (the path is beside it); for Redis, the entry's position in its
 * stream (the detail names its id). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "screen.h"

#define COL_TYPE 15
#define COL_LINE 7
/* A rotating set has orphans: the longest type name fits there. */
#define COL_TYPE_WIDE 21

static int type_width(const struct console *c)
{
	return c->m.t->rotates ? COL_TYPE_WIDE : COL_TYPE;
}

static int64_t an_rows(struct console *c, struct view *v)
{
	(void)v;
	return (int64_t)c->m.rep.n_an;
}

static void an_head(struct console *c, struct view *v, int y, int w)
{
	(void)v;
	int x = rec_cell(y, 0, 2, ROLE_TITLE, "");
	x = rec_cell(y, x, type_width(c), ROLE_TITLE, "TYPE");
	x = rec_cell(y, x, COL_LINE, ROLE_TITLE, c->m.t->ids ? "  ENTRY" : "   LINE");
	console_cell(y, x, w - x, ROLE_TITLE, c->m.t->ids ? "STREAM: DETAIL" : "FILE: DETAIL");
}

static void an_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)v;
	const struct anomaly *a = &c->m.rep.an[row];
	int role = ROLE_ANOMALY | (selected ? ROLE_SELECTED : 0);
	char line[32] = "", rest[1200], tag[16];
	if (a->line > 0)
		snprintf(line, sizeof line, "%*lld", COL_LINE, (long long)a->line);
	snprintf(rest, sizeof rest, "%s%s: %s", merge_an_tag(c, (size_t)row, tag, sizeof tag), a->path, a->detail);
	int x = rec_cell(y, 0, 2, role, console_glyph());
	x = rec_cell(y, x, type_width(c), role, anomaly_type_name(a->type));
	x = rec_cell(y, x, COL_LINE, role, line);
	console_cell(y, x, w - x, (selected ? ROLE_SELECTED : 0), rest);
}

static int64_t an_line_of(struct console *c, struct view *v, int64_t row)
{
	(void)v;
	if (row < 0 || (size_t)row >= c->m.rep.n_an)
		return -1;
	return model_an_line(&c->m, (size_t)row);
}

static void an_enter(struct console *c, struct view *v, int64_t row)
{
	(void)v;
	const struct anomaly *a = &c->m.rep.an[row];
	int64_t line = model_an_line(&c->m, (size_t)row);
	if (line < 0) {
		if (c->m.t->ids)
			console_status(c, ROLE_WARN, " %s is about a key, not an entry: %s", anomaly_type_name(a->type),
				       anomaly_type_fix(a->type));
		else
			console_status(c, ROLE_WARN, " %s is about a file, not a line: %s", anomaly_type_name(a->type),
				       anomaly_type_fix(a->type));
		return;
	}
	struct view *raw = &c->views[V_RAW];
	c->cur = V_RAW;
	console_goto(c, raw, line);
	console_status(c, ROLE_ANOMALY, " %s %s: %s (Enter shows the bytes)", console_glyph(),
		       anomaly_type_name(a->type), a->detail);
}

static int an_match(struct console *c, struct view *v, int64_t row, const struct matcher *m)
{
	(void)v;
	const struct anomaly *a = &c->m.rep.an[row];
	const char *name = anomaly_type_name(a->type);
	char line[32];
	snprintf(line, sizeof line, "%lld", (long long)a->line);
	return matcher_in(m, name, strlen(name)) || matcher_in(m, a->detail, strlen(a->detail)) ||
	       matcher_in(m, a->path, strlen(a->path)) || (a->line > 0 && matcher_in(m, line, strlen(line)));
}

const struct view_ops view_anomalies_ops = {
	.name = "Anomalies",
	.empty = "No anomalies: persistence is healthy.",
	.rows = an_rows,
	.draw_head = an_head,
	.draw_row = an_row,
	.line_of = an_line_of,
	.enter = an_enter,
	.match = an_match,
};
