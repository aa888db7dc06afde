/* Timeline: events per time bucket, one row per bucket, crashes drawn as
 * their own bar so an incident stands out.  Computed from the index (no
 * file reads); Enter opens Events at the bucket's first event. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"

/* Bucket widths people read easily, in seconds. */
static const double nice_widths[] = {
	0.001, 0.01, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
	7200, 21600, 43200, 86400, 604800, 2592000, 31536000,
};
/* At most this many buckets, whatever the screen: the rest scrolls. */
#define MAX_BUCKETS 1000
/* Following a large store: the buckets are counted again at most once a
 * second (each count reads the whole index). */
#define REBUILD_LINES 100000
#define REBUILD_MS 1000

static struct {
	int64_t *count, *crashes, *first;
	int n, for_rows;
	double start, width;
	size_t upto_n;
	double built_ms;
	char filter[256];
	int filter_on;
	int64_t max;
} T;

static void timeline_free(void)
{
	free(T.count);
	free(T.crashes);
	free(T.first);
	T.count = T.crashes = T.first = NULL;
	T.n = 0;
}

static void timeline_build(struct console *c)
{
	struct model *m = &c->m;
	/* one screen of buckets: the list area under the headers and column titles */
	int rows = c->rows - 5 > 4 ? c->rows - 5 : 20;
	int same = T.for_rows == rows && T.filter_on == c->filt.active && strcmp(T.filter, c->filt.text) == 0 && T.count;
	if (same && (T.upto_n == m->n ||
		     (m->n > REBUILD_LINES && screen_now_ms() - T.built_ms < REBUILD_MS)))
		return;
	T.built_ms = screen_now_ms();
	timeline_free();
	T.upto_n = m->n;
	T.for_rows = rows;
	T.filter_on = c->filt.active;
	snprintf(T.filter, sizeof T.filter, "%s", c->filt.text);
	const void *arg = c->views[V_EVENTS].sel.arg;
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < m->n; i++) {
		if (!(m->meta[i] & MF_TS_NUM) || !console_rec_pred(m, i, arg))
			continue;
		double ts = model_ts(m, i);
		lo = ts < lo ? ts : lo;
		hi = ts > hi ? ts : hi;
	}
	if (lo > hi)
		return;
	size_t k = 0;
	while (k + 1 < sizeof nice_widths / sizeof nice_widths[0] &&
	       (hi - lo) / nice_widths[k] + 1 > (rows < MAX_BUCKETS ? rows : MAX_BUCKETS))
		k++;
	T.width = nice_widths[k];
	T.start = floor(lo / T.width) * T.width;
	double nb = floor((hi - T.start) / T.width) + 1;
	T.n = nb > MAX_BUCKETS ? MAX_BUCKETS : (int)nb;
	T.count = calloc((size_t)T.n, sizeof *T.count);
	T.crashes = calloc((size_t)T.n, sizeof *T.crashes);
	T.first = malloc((size_t)T.n * sizeof *T.first);
	if (!T.count || !T.crashes || !T.first) {
		timeline_free();
		return;
	}
	/* which interned event types are crashes */
	/* which interned event types are crashes (two stored spellings of one
	 * type are two ids) */
	uint8_t *crash = calloc(m->types.n ? m->types.n : 1, 1);
	if (!crash) {
		timeline_free();
		return;
	}
	for (unsigned id = 1; id < m->types.n; id++)
		crash[id] = strcmp(model_type_name(m, id), "ActorCrashed") == 0;
	for (int b = 0; b < T.n; b++)
		T.first[b] = -1;
	T.max = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (!(m->meta[i] & MF_TS_NUM) || !console_rec_pred(m, i, arg))
			continue;
		int b = (int)floor((model_ts(m, i) - T.start) / T.width);
		b = b < 0 ? 0 : b >= T.n ? T.n - 1 : b;
		T.count[b]++;
		uint32_t t = model_type_id(m, i);
		T.crashes[b] += t < m->types.n && crash[t];
		/* merged stores: the bucket's first in the Events order */
		if (T.first[b] < 0 || model_pos(m, i) < model_pos(m, (size_t)T.first[b]))
			T.first[b] = (int64_t)i;
		if (T.count[b] > T.max)
			T.max = T.count[b];
	}
	free(crash);
}

static int64_t timeline_rows(struct console *c, struct view *v)
{
	(void)v;
	timeline_build(c);
	return T.n;
}

static void timeline_head(struct console *c, struct view *v, int y, int w)
{
	(void)v;
	timeline_build(c);
	char buf[160];
	if (T.width >= 1)
		snprintf(buf, sizeof buf, " BUCKET START (%gs each)     EVENTS CRASHES", T.width);
	else
		snprintf(buf, sizeof buf, " BUCKET START (%gms each)    EVENTS CRASHES", T.width * 1000);
	console_cell(y, 0, w, ROLE_TITLE, buf);
}

static void timeline_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)v;
	int sel = selected ? ROLE_SELECTED : 0;
	double t0 = T.start + (double)row * T.width;
	char raw[64], t[64], buf[128];
	snprintf(raw, sizeof raw, "%.3f", t0);
	jf_time(t, sizeof t, c->tmode, t0, raw, strlen(raw));
	snprintf(buf, sizeof buf, " %-26s %6lld", t, (long long)T.count[row]);
	int x = rec_cell(y, 0, 34, ROLE_NORMAL | sel, buf);
	snprintf(buf, sizeof buf, "%s%lld", T.crashes[row] ? console_glyph() : "", (long long)T.crashes[row]);
	if (!T.crashes[row])
		buf[0] = '\0';
	x = rec_cell(y, x, 7, ROLE_ANOMALY | sel, buf);
	int bw = w - x - 1;
	if (bw <= 0 || T.max == 0)
		return;
	int total = (int)((T.count[row] * bw + T.max - 1) / T.max);
	int crash = T.crashes[row] ? (int)((T.crashes[row] * bw + T.max - 1) / T.max) : 0;
	const char *full = screen_utf8() ? "█" : "#", *cr = screen_utf8() ? "▓" : "X";
	for (int i = 0; i < total; i++)
		screen_str(y, x + i, 1, i < crash ? ROLE_ANOMALY : ROLE_MARK, i < crash ? cr : full);
}

static void timeline_enter(struct console *c, struct view *v, int64_t row)
{
	(void)v;
	if (T.first[row] < 0) {
		console_status(c, ROLE_NORMAL, " No events in this bucket");
		return;
	}
	struct view *ev = &c->views[V_EVENTS];
	c->cur = V_EVENTS;
	console_goto(c, ev, rec_row_of_line(c, ev, T.first[row]));
}

static void timeline_refresh(struct console *c, struct view *v)
{
	(void)c;
	(void)v;
	if (!model_scanning(&c->m) && T.upto_n != c->m.n)
		T.upto_n = (size_t)-1; /* rebuild on the next draw */
}

static void timeline_close(struct console *c, struct view *v)
{
	(void)c;
	(void)v;
	timeline_free();
	memset(&T, 0, sizeof T);
}

const struct view_ops view_timeline_ops = {
	.close = timeline_close,
	.name = "Timeline",
	.empty = "No events with a numeric timestamp.",
	.rows = timeline_rows,
	.draw_head = timeline_head,
	.draw_row = timeline_row,
	.enter = timeline_enter,
	.refresh = timeline_refresh,
};
