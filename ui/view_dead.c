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
/* First size of the group table (it doubles, half full at most). */
#define GROUPS_START 1024

struct group {
	uint64_t key; /* (addr_id << 32 | type_id) + 1; 0 = empty slot */
	int64_t count;
};

/* Every distinct (target, type) pair is counted: no cap, so the pane's
 * figures always add up to the dead letters listed. */
static struct {
	struct group *slot;
	size_t n_slots, distinct;
	struct group top[GROUPS_SHOWN];
	int n_top, oom;
	int64_t total;
	size_t upto_n;
	char filter[256];
	int filter_on;
} G;

static size_t slot_of(const struct group *t, size_t n, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (n - 1);
	while (t[i].key && t[i].key != key)
		i = (i + 1) & (n - 1);
	return i;
}

static int groups_grow(void)
{
	size_t ns = G.n_slots ? G.n_slots * 2 : GROUPS_START;
	struct group *t = calloc(ns, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < G.n_slots; i++)
		if (G.slot[i].key)
			t[slot_of(t, ns, G.slot[i].key)] = G.slot[i];
	free(G.slot);
	G.slot = t;
	G.n_slots = ns;
	return 0;
}

static void group_add(uint64_t key)
{
	if ((G.distinct + 1) * 2 > G.n_slots && groups_grow() < 0) {
		G.oom = 1;
		return;
	}
	struct group *g = &G.slot[slot_of(G.slot, G.n_slots, key)];
	if (!g->key) {
		g->key = key;
		G.distinct++;
	}
	g->count++;
}

static void groups_free(void)
{
	free(G.slot);
	memset(&G, 0, sizeof G);
}

/* Recount when the index grew or the filter changed. */
static void groups_update(struct console *c, struct view *v)
{
	if (G.upto_n == c->m.n && G.filter_on == c->filt.active && strcmp(G.filter, c->filt.text) == 0)
		return;
	groups_free();
	G.upto_n = c->m.n;
	G.filter_on = c->filt.active;
	snprintf(G.filter, sizeof G.filter, "%s", c->filt.text);
	for (size_t i = 0; i < c->m.n && !G.oom; i++) {
		if (!console_rec_pred(&c->m, i, v->sel.arg))
			continue;
		G.total++;
		group_add(((uint64_t)model_addr_id(&c->m, i) << 32 | model_type_id(&c->m, i)) + 1);
	}
	for (size_t i = 0; i < G.n_slots; i++) {
		struct group g = G.slot[i];
		if (!g.key)
			continue;
		int k = G.n_top < GROUPS_SHOWN ? G.n_top++ : GROUPS_SHOWN;
		/* ties: the first target met in the store first */
		if (k == GROUPS_SHOWN && (g.count < G.top[GROUPS_SHOWN - 1].count ||
					  (g.count == G.top[GROUPS_SHOWN - 1].count && g.key > G.top[GROUPS_SHOWN - 1].key)))
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
	return G.n_top + 2 + ((size_t)G.n_top < G.distinct || G.oom ? 1 : 0);
}

static void dead_pane(struct console *c, struct view *v, int y, int h, int w)
{
	(void)v;
	(void)h;
	char buf[512];
	if (G.oom) {
		snprintf(buf, sizeof buf, " Out of memory counting the groups: the figures below are incomplete");
		console_cell(y++, 0, w, ROLE_ANOMALY, buf);
	}
	snprintf(buf, sizeof buf, " Grouped by target and message type: %zu group%s, %lld dead letter%s", G.distinct,
		 G.distinct == 1 ? "" : "s", (long long)G.total, G.total == 1 ? "" : "s");
	console_cell(y++, 0, w, ROLE_TITLE, buf);
	int64_t rest = G.total;
	for (int i = 0; i < G.n_top; i++) {
		uint64_t key = G.top[i].key - 1;
		const char *target = model_addr_name(&c->m, (unsigned)(key >> 32));
		snprintf(buf, sizeof buf, " %8lld  %-*s %s", (long long)G.top[i].count, COL_TARGET,
			 *target ? target : "None", model_type_name(&c->m, (unsigned)(key & 0xffffffffu)));
		console_cell(y++, 0, w, ROLE_WARN, buf);
		rest -= G.top[i].count;
	}
	if ((size_t)G.n_top < G.distinct) {
		size_t others = G.distinct - (size_t)G.n_top;
		snprintf(buf, sizeof buf, " %8lld  in %zu other group%s", (long long)rest, others, others == 1 ? "" : "s");
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
	int x = rec_cell(y, merge_head(c, y), time_width(c) + 2, ROLE_TITLE, "  TIME");
	x = rec_cell(y, x, COL_TARGET, ROLE_TITLE, "TARGET");
	x = rec_cell(y, x, COL_TYPE, ROLE_TITLE, "MESSAGE TYPE");
	console_cell(y, x, w - x, ROLE_TITLE, "PAYLOAD");
}

static void dead_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	int sel = selected ? ROLE_SELECTED : 0;
	int x0 = merge_cell(c, y, sel_line(&v->sel, &c->m, row), ROLE_DIM | sel);
	if (rec_decode_row(c, v, row) != REC_OK) {
		console_cell(y, x0, w - x0, ROLE_DIM | sel, "  (a record too long to list here: Enter shows it)");
		return;
	}
	const struct record *r = &c->rec;
	char t[64];
	rec_time(c, t, sizeof t);
	int x = rec_cell(y, x0, 2, sel, "");
	if (marks_has(c, sel_line(&v->sel, &c->m, row)))
		screen_str(y, x0 + 1, 1, ROLE_MARK | sel, marks_glyph());
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
	groups_free();
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
