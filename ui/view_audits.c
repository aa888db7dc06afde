/* Audits: system snapshots, with a trend chart of total and alive actors
 * and dead letters above the list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"

#define COL_NUM 9
/* The chart needs this many list rows left below it to be worth drawing. */
#define CHART_MIN_LIST 6
#define CHART_SERIES 3

static int time_width(const struct console *c)
{
	return c->tmode == TM_EPOCH ? 17 : 23;
}

static const enum rec_count series[CHART_SERIES] = { RC_TOTAL, RC_ALIVE, RC_DEAD_LETTERS };
static const char *const series_name[CHART_SERIES] = { "total actors", "alive actors", "dead letters" };

static int audits_pane_rows(struct console *c, struct view *v, int avail)
{
	if (rec_rows(c, v) < 2 || avail < CHART_SERIES + 2 + CHART_MIN_LIST)
		return 0;
	return CHART_SERIES + 2;
}

/* Room after the bars for " now N max N" with counts of up to 7 digits. */
#define CHART_TAIL 24

/* One column per sampled audit (evenly spread over the list), each value
 * a bar height of 8 levels scaled to the series' maximum. */
static void audits_pane(struct console *c, struct view *v, int y, int h, int w)
{
	(void)h;
	static const char *const bars_utf8[9] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char *const bars_ascii[9] = { " ", "_", ".", "-", "~", "=", "+", "*", "#" };
	const char *const *bars = screen_utf8() ? bars_utf8 : bars_ascii;
	int label = 14, tail = CHART_TAIL, cols = w - label - tail - 2;
	int64_t n = rec_rows(c, v);
	if (cols > n)
		cols = (int)n;
	if (cols < 1)
		return;
	long long *val = calloc((size_t)cols * CHART_SERIES, sizeof *val);
	if (!val)
		return;
	long long max[CHART_SERIES] = { 0 }, last[CHART_SERIES] = { 0 };
	for (int i = 0; i < cols; i++) {
		int64_t row = cols == 1 ? n - 1 : (int64_t)((double)i * (double)(n - 1) / (double)(cols - 1));
		if (rec_decode_row(c, v, row) != REC_OK)
			continue;
		for (int s = 0; s < CHART_SERIES; s++) {
			long long x = strtoll(c->rec.count[series[s]].p, NULL, 10);
			val[i * CHART_SERIES + s] = x;
			if (x > max[s])
				max[s] = x;
			last[s] = x;
		}
	}
	char title[128];
	snprintf(title, sizeof title, " Trend over %lld audits (%d sampled, oldest left)", (long long)n, cols);
	console_cell(y, 0, w, ROLE_TITLE, title);
	for (int s = 0; s < CHART_SERIES; s++) {
		int yy = y + 1 + s;
		char lab[32], end[48];
		snprintf(lab, sizeof lab, " %-13s", series_name[s]);
		screen_str(yy, 0, label, ROLE_NORMAL, lab);
		for (int i = 0; i < cols; i++) {
			long long x = val[i * CHART_SERIES + s];
			int lvl = max[s] ? (int)((x * 8 + max[s] - 1) / max[s]) : 0;
			screen_str(yy, label + i, 1, s == 2 ? ROLE_WARN : ROLE_MARK, bars[lvl < 0 ? 0 : lvl > 8 ? 8 : lvl]);
		}
		snprintf(end, sizeof end, " now %lld max %lld", last[s], max[s]);
		screen_str(yy, label + cols + 1, w - label - cols - 1, ROLE_DIM, end);
	}
	free(val);
}

static void audits_head(struct console *c, struct view *v, int y, int w)
{
	(void)v;
	char buf[256];
	snprintf(buf, sizeof buf, "%-*s %*s %*s %*s %*s %*s %*s", time_width(c) + 2, "  TIME", COL_NUM, "TOTAL",
		 COL_NUM, "ALIVE", COL_NUM, "STOPPING", COL_NUM, "RESTART", COL_NUM, "REGISTRY", COL_NUM + 3, "DEAD LTRS");
	int x0 = merge_head(c, y);
	console_cell(y, x0, w - x0, ROLE_TITLE, buf);
}

static void audits_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	int sel = selected ? ROLE_SELECTED : 0;
	int x0 = merge_cell(c, y, sel_line(&v->sel, &c->m, row), ROLE_DIM | sel);
	if (rec_decode_row(c, v, row) != REC_OK) {
		console_cell(y, x0, w - x0, ROLE_DIM | sel, "  (a record too long to list here: Enter shows it)");
		return;
	}
	const struct record *r = &c->rec;
	char t[64], buf[512];
	rec_time(c, t, sizeof t);
	snprintf(buf, sizeof buf, "  %-*s %*s %*s %*s %*s %*s %*s", time_width(c), t, COL_NUM,
		 r->count[RC_TOTAL].p, COL_NUM, r->count[RC_ALIVE].p, COL_NUM, r->count[RC_STOPPING].p, COL_NUM,
		 r->count[RC_RESTARTING].p, COL_NUM, r->count[RC_REGISTRY_SIZE].p, COL_NUM + 3,
		 r->count[RC_DEAD_LETTERS].p);
	console_cell(y, x0, w - x0, ROLE_NORMAL | sel, buf);
	if (marks_has(c, sel_line(&v->sel, &c->m, row)))
		screen_str(y, x0 + 1, 1, ROLE_MARK | sel, marks_glyph());
}

const struct view_ops view_audits_ops = {
	.name = "Audits",
	.empty = "No audit reports recorded.",
	.rows = rec_rows,
	.pane_rows = audits_pane_rows,
	.draw_pane = audits_pane,
	.draw_head = audits_head,
	.draw_row = audits_row,
	.line_of = rec_line_of,
	.row_of_line = rec_row_of_line,
	.enter = rec_enter,
	.match = rec_match,
	.refresh = rec_refresh,
};
