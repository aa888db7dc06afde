/* Events: actor lifecycle events in storage order; crashes stand out. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "screen.h"

/* Column widths: wide enough for the usual values, the payload gets the rest. */
#define COL_TYPE 16
#define COL_ACTOR 14

static int time_width(const struct console *c)
{
	return c->tmode == TM_EPOCH ? 17 : 23;
}

static void events_head(struct console *c, struct view *v, int y, int w)
{
	(void)v;
	int x = rec_cell(y, merge_head(c, y), time_width(c) + 2, ROLE_TITLE, "  TIME");
	x = rec_cell(y, x, COL_TYPE, ROLE_TITLE, "EVENT");
	x = rec_cell(y, x, COL_ACTOR, ROLE_TITLE, "ACTOR");
	console_cell(y, x, w - x, ROLE_TITLE, "PAYLOAD");
}

static void events_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	int sel = selected ? ROLE_SELECTED : 0;
	enum rec_status st = rec_decode_row(c, v, row);
	int x0 = merge_cell(c, y, sel_line(&v->sel, &c->m, row), ROLE_DIM | sel);
	if (st != REC_OK) {
		console_cell(y, x0, w - x0, ROLE_DIM | sel,
			     st == REC_SKIP_LONG ? "  (a record too long to list here: Enter shows it)" :
			     c->m.t->ids ? "  (the entry cannot be read back: Enter says why)" :
						    "  (the line changed since it was indexed)");
		return;
	}
	const struct record *r = &c->rec;
	int crash = r->type.n == 12 && memcmp(r->type.p, "ActorCrashed", 12) == 0;
	char t[64];
	rec_time(c, t, sizeof t);
	int x = rec_cell(y, x0, 2, (crash ? ROLE_WARN : ROLE_NORMAL) | sel, crash ? "*" : "");
	if (marks_has(c, sel_line(&v->sel, &c->m, row)))
		screen_str(y, x0 + 1, 1, ROLE_MARK | sel, marks_glyph());
	x = rec_cell(y, x, time_width(c), ROLE_DIM | sel, t);
	x = rec_cell_n(y, x, COL_TYPE, (crash ? ROLE_WARN : ROLE_NORMAL) | sel, &r->type);
	x = rec_cell_n(y, x, COL_ACTOR, ROLE_NORMAL | sel, &r->addr.text);
	console_cell_n(y, x, w - x, ROLE_NORMAL | sel, r->payload.p, r->payload.n);
}

const struct view_ops view_events_ops = {
	.name = "Events",
	.empty = "No events recorded.",
	.rows = rec_rows,
	.draw_head = events_head,
	.draw_row = events_row,
	.line_of = rec_line_of,
	.row_of_line = rec_row_of_line,
	.enter = rec_enter,
	.match = rec_match,
	.refresh = rec_refresh,
};
