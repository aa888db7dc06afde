/* The console following its store (issue 11): new lines from the
 * follower (core/follow.h) go into the views without a key; a change of
 * identity re-indexes in slices with the selection put back on the same
 * record; tail mode; the rates of the header; a search that keeps looking
 * while the index grows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"

/* The list view a detail or help returns to, or the current list. */
static enum view_id list_view(const struct console *c)
{
	return c->cur < V__LISTS ? c->cur : c->back;
}

static void refresh_all(struct console *c)
{
	for (int i = 0; i < V__COUNT; i++)
		if (c->views[i].ops->refresh)
			c->views[i].ops->refresh(c, &c->views[i]);
}

static void tail_follow(struct console *c)
{
	struct view *v = &c->views[list_view(c)];
	if (c->live.tail && !v->ops->scroll)
		console_goto(c, v, v->ops->rows(c, v) - 1);
}

/* --- rates: records per second over the last minute, per kind ---------- */

static void rate_add(struct console *c, const int64_t *before)
{
	int64_t sec = (int64_t)(screen_now_ms() / 1000.0);
	int b = (int)(sec % LIVE_RATE_SECS);
	if (c->live.rate_sec[b] != sec) {
		c->live.rate_sec[b] = sec;
		for (int k = 0; k < RK__COUNT; k++)
			c->live.rate_n[k][b] = 0;
	}
	for (int k = 0; k < RK__COUNT; k++)
		if (c->m.records[k] > before[k])
			c->live.rate_n[k][b] += c->m.records[k] - before[k];
}

double live_rate(const struct console *c, enum rec_kind k)
{
	int64_t sec = (int64_t)(screen_now_ms() / 1000.0), n = 0;
	for (int b = 0; b < LIVE_RATE_SECS; b++)
		if (c->live.rate_sec[b] > sec - LIVE_RATE_SECS && c->live.rate_sec[b] <= sec)
			n += c->live.rate_n[k][b];
	return (double)n / LIVE_RATE_SECS;
}

/* --- putting the selection back after a re-index ------------------------ */

/* How to find line `line` again in a new index; -1 when it is no line. */
static int key_of(struct console *c, int64_t line, struct live_key *k)
{
	if (line < 0 || (size_t)line >= c->m.n)
		return -1;
	const struct model_seg *s = model_seg_of(&c->m, (size_t)line);
	if (!s)
		return -1;
	snprintf(k->unit, sizeof k->unit, "%s", s->path);
	k->ident = c->m.rep.files[s->file_index].ident;
	k->off = model_offset(&c->m, (size_t)line);
	model_entry_id(&c->m, (size_t)line, k->id, sizeof k->id);
	return 0;
}

/* The index line of the record in the new index, or -1. */
static int64_t key_find(const struct console *c, const struct live_key *k)
{
	const struct model *m = &c->m;
	if (m->t->ids)
		return model_find_entry(m, k->unit, k->id);
	for (size_t j = 0; j < m->n_seg; j++) {
		const struct model_seg *s = &m->seg[j];
		const struct file_ident *id = &m->rep.files[s->file_index].ident;
		if (!s->n || id->dev != k->ident.dev || id->ino != k->ident.ino)
			continue;
		size_t lo = s->first, hi = s->first + s->n; /* first line at or after the offset */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (model_offset(m, mid) < k->off)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < s->first + s->n && model_offset(m, lo) == k->off)
			return (int64_t)lo;
	}
	return -1;
}

static void anchor_take(struct console *c)
{
	struct live *l = &c->live;
	struct view *v = &c->views[list_view(c)];
	l->restore = 1;
	l->at_view = list_view(c);
	l->at_row = v->cur;
	l->at_detail = c->cur == V_DETAIL && c->detail_cols;
	int64_t line = v->ops->line_of && v->ops->rows(c, v) > 0 ? v->ops->line_of(c, v, v->cur) : -1;
	if (l->at_detail)
		line = (int64_t)c->detail_line;
	l->at_line = key_of(c, line, &l->at) == 0 ? line : -1;
	/* the marks too: the operator's selection of an incident */
	free(l->mk);
	l->mk = NULL;
	l->n_mk = 0;
	if (c->n_marked && (l->mk = calloc((size_t)c->n_marked, sizeof *l->mk)))
		for (size_t i = 0; i < c->marks_n && l->n_mk < (size_t)c->n_marked; i++)
			if (c->marks[i] && key_of(c, (int64_t)i, &l->mk[l->n_mk]) == 0)
				l->n_mk++;
}

/* Once re-indexed: the marked records that are still there, marked. */
static void marks_again(struct console *c)
{
	struct live *l = &c->live;
	size_t lost = 0;
	for (size_t i = 0; i < l->n_mk; i++) {
		int64_t line = key_find(c, &l->mk[i]);
		if (line < 0 || marks_set(c, (size_t)line) < 0)
			lost++;
	}
	if (lost)
		console_status(c, ROLE_WARN, " %s; %zu marked record%s gone", l->banner[0] ? l->banner : "Re-indexed",
			       lost, lost == 1 ? " is" : "s are");
	free(l->mk);
	l->mk = NULL;
	l->n_mk = 0;
}

void live_free(struct console *c)
{
	free(c->live.mk);
	c->live.mk = NULL;
	c->live.n_mk = 0;
}

/* After a slice of the re-index: the record found puts the cursor back. */
void live_after_step(struct console *c)
{
	struct live *l = &c->live;
	int scanning = model_scanning(&c->m);
	if (!scanning && l->mk)
		marks_again(c);
	if (!l->restore) {
		tail_follow(c);
		return;
	}
	if (console_filtering(c))
		return; /* the rows are still being found (a text= filter) */
	int64_t line = l->at_line >= 0 ? key_find(c, &l->at) : -1;
	/* merged stores: rows take their order only once every source is indexed */
	if ((line < 0 || c->m.mg) && scanning)
		return;
	struct view *v = &c->views[l->at_view];
	l->restore = 0;
	if (line >= 0 && v->ops->row_of_line) {
		console_goto(c, v, v->ops->row_of_line(c, v, line));
		if (l->at_detail && v->ops->line_of && v->ops->line_of(c, v, v->cur) == line)
			console_detail(c, (size_t)line);
	} else {
		console_goto(c, v, l->at_row);
		if (l->at_line >= 0)
			console_status(c, ROLE_WARN, " %s; the selected record is gone", l->banner[0] ? l->banner :
				       "Re-indexed");
	}
	if (!scanning && !l->identity)
		rate_add(c, l->rec_before);
	tail_follow(c);
}

void live_rescan(struct console *c, const char *banner, int identity)
{
	struct live *l = &c->live;
	anchor_take(c);
	snprintf(l->banner, sizeof l->banner, "%s", banner ? banner : "");
	l->identity = identity;
	memcpy(l->rec_before, c->m.records, sizeof l->rec_before);
	if (c->cur == V_DETAIL)
		c->cur = c->back; /* never a detail of the index being replaced */
	perr e = { 0 };
	if (console_reload(c, &e) < 0)
		console_status(c, ROLE_ANOMALY, " Re-indexing failed: %s", e.msg);
	else if (l->banner[0])
		console_status(c, identity ? ROLE_WARN : ROLE_NORMAL, " %s", l->banner);
}

/* --- following ------------------------------------------------------------ */

/* Lines went in before the end (m->moved: a Redis stream before the last
 * one grew): the selections are counted again and each list view's
 * cursor, the detail and the marks stay on their records. */
static void after_moved(struct console *c, const int64_t *at)
{
	struct model *m = &c->m;
	for (int i = 0; i < V__COUNT; i++)
		sel_reset(&c->views[i].sel);
	refresh_all(c);
	for (int i = 0; i < V__LISTS; i++) {
		struct view *v = &c->views[i];
		if (at[i] >= 0 && v->ops->row_of_line)
			v->cur = v->ops->row_of_line(c, v, (int64_t)model_moved(m, (size_t)at[i]));
	}
	if (c->detail_line < m->n)
		c->detail_line = model_moved(m, c->detail_line);
	if (c->n_marked) {
		uint8_t *old = c->marks;
		size_t n = c->marks_n;
		c->marks = NULL;
		c->marks_n = 0;
		c->n_marked = 0;
		for (size_t i = 0; i < n; i++)
			if (old[i] && marks_set(c, model_moved(m, i)) < 0)
				console_status(c, ROLE_WARN, " A marked record could not stay marked (out of memory)");
		free(old);
	}
}

void live_tick(struct console *c)
{
	struct model *m = &c->m;
	if (!m->fol || model_scanning(m))
		return;
	if (screen_is_test())
		follow_drain(m->fol); /* tests: look every time, deterministically */
	struct follow_result res;
	perr e = { 0 };
	size_t n0 = m->n;
	int64_t before[RK__COUNT];
	memcpy(before, m->records, sizeof before);
	m->dropped = 0;
	model_moved_reset(m);
	int64_t at[V__LISTS];
	for (int i = 0; i < V__LISTS; i++) {
		struct view *v = &c->views[i];
		at[i] = m->t->ids && v->ops->line_of && v->ops->rows(c, v) > 0 ? v->ops->line_of(c, v, v->cur) : -1;
	}
	if (follow_check(m->fol, screen_now_ms(), &res, &e) < 0) {
		console_status(c, ROLE_ANOMALY, " Following the store stopped: %s (r re-indexes)", e.msg);
		follow_close(m->fol);
		m->fol = NULL;
		return;
	}
	if (res.what == FW_RESCAN) {
		live_rescan(c, res.banner, res.identity);
		return;
	}
	if (res.what != FW_GREW && !m->dropped)
		return;
	if (m->dropped) {
		/* a line went back: the selections are counted again */
		for (int i = 0; i < V__COUNT; i++)
			sel_reset(&c->views[i].sel);
	}
	if (m->moved)
		after_moved(c, at);
	else
		refresh_all(c);
	rate_add(c, before);
	if (m->n > n0)
		c->live.arrived += (int64_t)(m->n - n0);
	if (c->cur == V_DETAIL && c->detail_cols && c->detail_line < m->n && m->dropped)
		detail_build(c, c->detail_line);
	tail_follow(c);
	if (c->live.search_pending)
		live_search_more(c);
}

int live_wait_ms(struct console *c)
{
	if (!c->m.fol)
		return -1;
	return follow_due_ms(c->m.fol, screen_now_ms());
}

int live_fd(const struct console *c)
{
	return follow_fd(c->m.fol);
}

void live_wake(struct console *c)
{
	follow_drain(c->m.fol);
}

void live_tail(struct console *c, int on)
{
	c->live.tail = on;
	c->live.arrived = 0;
	if (on) {
		if (c->cur >= V__LISTS)
			c->cur = c->back;
		tail_follow(c);
		console_status(c, ROLE_NORMAL, " Tail mode: the newest record stays selected as records arrive "
			       "(any movement key leaves it)");
	}
}

void live_moved(struct console *c)
{
	if (c->live.tail)
		console_status(c, ROLE_NORMAL, " Tail mode off");
	c->live.tail = 0;
	c->live.arrived = 0;
}

void live_status(const struct console *c, char *out, size_t cap)
{
	size_t k = 0;
	out[0] = '\0';
	int64_t p = follow_pending(c->m.fol);
	if (p)
		k += (size_t)snprintf(out + k, cap - k, " 1 %s being written (%lld bytes) ", c->m.t->noun, (long long)p);
	if (k < cap && c->live.tail)
		snprintf(out + k, cap - k, " TAIL +%lld ", (long long)c->live.arrived);
	else if (k < cap && c->live.arrived)
		snprintf(out + k, cap - k, " +%lld new ", (long long)c->live.arrived);
}

/* --- a search that keeps looking while the index grows ------------------- */

void live_search_start(struct console *c, int dir, int64_t looked)
{
	c->live.search_pending = dir;
	c->live.search_upto = looked;
}

void live_search_more(struct console *c)
{
	struct live *l = &c->live;
	struct view *v = &c->views[c->cur];
	if (!l->search_pending || !v->ops->match) {
		l->search_pending = 0;
		return;
	}
	int64_t n = v->ops->rows(c, v);
	for (int64_t r = l->search_upto; r < n; r++) {
		if (v->ops->match(c, v, r, &c->search)) {
			l->search_pending = 0;
			console_goto(c, v, r);
			console_status(c, ROLE_NORMAL, " /%s: row %lld of %lld (found as the index grew)", c->search.text,
				       (long long)r + 1, (long long)n);
			return;
		}
	}
	l->search_upto = n;
	if (!model_scanning(&c->m)) {
		l->search_pending = 0;
		console_status(c, ROLE_WARN, " /%s: not found", c->search.text);
	} else {
		console_status(c, ROLE_WARN, " /%s: not found so far (%d%% indexed): still looking as the index "
			       "grows (Esc stops)", c->search.text, model_progress(&c->m) / 10);
	}
}
