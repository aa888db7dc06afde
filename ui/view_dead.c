/* Dead letters: undeliverable messages, grouped by target and message
 * type (counts, from the index) above the list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"

#define COL_TARGET 14
#define COL_TYPE 16
/* Groups shown in the pane; the rest are summed in one line. */
#define GROUPS_SHOWN 5
/* Distinct (target, type) pairs counted; beyond, they count as "other". */
#define GROUPS_MAX 4096

struct group {
	uint32_t key; /* addr_id << 8 | type_id; 0 = empty slot */
	int64_t count;
};

static struct {
	struct group slot[GROUPS_MAX * 2];
	struct group top[GROUPS_SHOWN];
	int n_top, distinct;
	int64_t other, total;
	size_t upto_n;
	char filter[256];
	int filter_on;
} G;

static void group_add(uint32_t key)
{
	size_t i = (key * 2654435761u) % (GROUPS_MAX * 2);
	for (int probes = 0; probes < GROUPS_MAX * 2; probes++, i = (i + 1) % (GROUPS_MAX * 2)) {
		if (G.slot[i].key == key) {
			G.slot[i].count++;
			return;
		}
		if (G.slot[i].key == 0) {
			if (G.distinct >= GROUPS_MAX)
				break;
			G.slot[i].key = key;
			G.slot[i].count = 1;
			G.distinct++;
			return;
		}
	}
	G.other++;
}

/* Recount when the index grew or the filter changed. */
static void groups_update(struct console *c, struct view *v)
{
	if (G.upto_n == c->m.n && G.filter_on == c->filt.active && strcmp(G.filter, c->filt.text) == 0)
		return;
	memset(&G, 0, sizeof G);
	G.upto_n = c->m.n;
	G.filter_on = c->filt.active;
	snprintf(G.filter, sizeof G.filter, "%s", c->filt.text);
	for (size_t i = 0; i < c->m.n; i++) {
		if (!console_rec_pred(&c->m, i, v->sel.arg))
			continue;
		G.total++;
		/* +1 keeps key 0 free for empty slots */
		group_add(((uint32_t)c->m.addr_id[i] << 8 | c->m.type_id[i]) + 1);
	}
	for (size_t i = 0; i < GROUPS_MAX * 2; i++) {
		struct group g = G.slot[i];
		if (!g.key)
			continue;
		int k = G.n_top < GROUPS_SHOWN ? G.n_top++ : GROUPS_SHOWN;
		if (k == GROUPS_SHOWN && g.count <= G.top[GROUPS_SHOWN - 1].count)
			continue;
		if (k == GROUPS_SHOWN)
			k = GROUPS_SHOWN - 1;
		while (k > 0 && (G.top[k - 1].count < g.count ||
				 (G.top[k - 1].count == g.count && G.top[k - 1].key > g.key))) {
			G.top[k] = G.top[k - 1];
			k--;
		}
		G.top[k] = g;
	}
}

static int dead_pane_rows(struct console *c, struct view *v, int avail)
{
	if (rec_rows(c, v) == 0 || avail < 14)
		return 0;
	groups_update(c, v);
	return G.n_top + 2 + (G.distinct > G.n_top || G.other ? 1 : 0);
}

static void dead_pane(struct console *c, struct view *v, int y, int h, int w)
{
	(void)v;
	(void)h;
	char buf[512];
	snprintf(buf, sizeof buf, " Grouped by target and message type: %d group%s, %lld dead letter%s", G.distinct,
		 G.distinct == 1 ? "" : "s", (long long)G.total, G.total == 1 ? "" : "s");
	console_cell(y++, 0, w, ROLE_TITLE, buf);
	int64_t rest = G.other + G.total;
	for (int i = 0; i < G.n_top; i++) {
		uint32_t key = G.top[i].key - 1;
		const char *target = model_addr_name(&c->m, key >> 8);
		snprintf(buf, sizeof buf, " %8lld  %-*s %s", (long long)G.top[i].count, COL_TARGET,
			 *target ? target : "None", model_type_name(&c->m, key & 0xff));
		console_cell(y++, 0, w, ROLE_WARN, buf);
		rest -= G.top[i].count;
	}
	rest -= G.other;
	if (G.distinct > G.n_top || G.other) {
		snprintf(buf, sizeof buf, " %8lld  in %d other group%s", (long long)(rest + G.other),
			 G.distinct - G.n_top, G.distinct - G.n_top == 1 ? "" : "s");
		console_cell(y++, 0, w, ROLE_DIM, buf);
	}
}

static int time_width(const struct console *c)
{
	return c->tmode == TM_EPOCH ? 17 : 23;
}

static void dead_head(struct console *c, struct view *v, int y, int w)
{
	(void)v;
	int x = rec_cell(y, 0, time_width(c) + 2, ROLE_TITLE, "  TIME");
	x = rec_cell(y, x, COL_TARGET, ROLE_TITLE, "TARGET");
	x = rec_cell(y, x, COL_TYPE, ROLE_TITLE, "MESSAGE TYPE");
	console_cell(y, x, w - x, ROLE_TITLE, "PAYLOAD");
}

static void dead_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	int sel = selected ? ROLE_SELECTED : 0;
	if (rec_decode_row(c, v, row) != REC_OK) {
		console_cell(y, 0, w, ROLE_DIM | sel, "  (a record too long to list here: Enter shows it)");
		return;
	}
	const struct record *r = &c->rec;
	char t[64];
	rec_time(c, t, sizeof t);
	int x = rec_cell(y, 0, 2, sel, "");
	x = rec_cell(y, x, time_width(c), ROLE_DIM | sel, t);
	x = rec_cell_n(y, x, COL_TARGET, ROLE_NORMAL | sel, &r->addr.text);
	x = rec_cell_n(y, x, COL_TYPE, ROLE_WARN | sel, &r->type);
	console_cell_n(y, x, w - x, ROLE_NORMAL | sel, r->payload.p, r->payload.n);
}

/* The index was rebuilt (console_reload): the groups count lines that
 * may be gone, even when the new index has as many lines. */
static void dead_close(struct console *c, struct view *v)
{
	(void)c;
	(void)v;
	memset(&G, 0, sizeof G);
}

const struct view_ops view_dead_ops = {
	.name = "Dead letters",
	.close = dead_close,
	.empty = "No dead letters recorded.",
	.rows = rec_rows,
	.pane_rows = dead_pane_rows,
	.draw_pane = dead_pane,
	.draw_head = dead_head,
	.draw_row = dead_row,
	.line_of = rec_line_of,
	.row_of_line = rec_row_of_line,
	.enter = rec_enter,
	.match = rec_match,
	.refresh = rec_refresh,
};
