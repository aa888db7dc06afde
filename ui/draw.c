/* Drawing the console's frame: the header (store, health, counts,
 * retention, view tabs), the current view and the status line. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "screen.h"

static const char *const kind_plural[RK__COUNT] = {
	[RK_EVENT] = "events", [RK_AUDIT] = "audits", [RK_DEAD_LETTER] = "dead letters",
};

/* The record kind a view lists under the filter, or -1 (the filter does
 * not apply to it). */
static int filtered_kind(enum view_id v)
{
	return v == V_EVENTS || v == V_TIMELINE ? RK_EVENT : v == V_AUDITS ? RK_AUDIT :
	       v == V_DEAD ? RK_DEAD_LETTER : -1;
}

/* " · 12 of 1512 dead letters match" for the view on screen. */
static void draw_filter_matches(struct console *c, char *out, size_t cap)
{
	enum view_id shown = c->cur < V__LISTS ? c->cur : c->back;
	int k = filtered_kind(shown);
	if (k < 0) {
		snprintf(out, cap, "%s(not applied to this view)", screen_utf8() ? " · " : " - ");
		return;
	}
	struct view *v = &c->views[k == RK_EVENT ? V_EVENTS : shown];
	snprintf(out, cap, "%s%lld of %lld %s match%s", screen_utf8() ? " · " : " - ", (long long)sel_count(&v->sel, &c->m),
		 (long long)c->m.records[k], kind_plural[k], sel_done(&v->sel, &c->m) ? "" : " so far");
}

/* While a text= filter is being applied: how far, and what the view shows. */
static void draw_filter_progress(struct console *c, char *out, size_t cap)
{
	enum view_id shown = c->cur < V__LISTS ? c->cur : c->back;
	int k = filtered_kind(shown);
	int64_t found = 0;
	for (int i = V_EVENTS; i <= V_DEAD; i++)
		if (k < 0 || i == (k == RK_EVENT ? V_EVENTS : (int)shown))
			found += sel_count(&c->views[i].sel, &c->m);
	snprintf(out, cap, " Filtering: %d%% of lines looked at, %lld %s%s so far (Esc stops)",
		 console_filter_progress(c) / 10, (long long)found, k < 0 ? "records" : kind_plural[k],
		 found == 1 ? " matches" : " match");
}

static void draw_header(struct console *c)
{
	const struct model *m = &c->m;
	char left[512], right[64];
	int role = ROLE_OK;
	size_t n_an = m->rep.n_an;
	if (model_scanning(m)) {
		int pct = model_progress(m) / 10;
		snprintf(right, sizeof right, " SCANNING %d%%%s ", pct, n_an ? " · ANOMALIES" : "");
		role = n_an ? ROLE_ANOMALY : ROLE_WARN;
	} else if (m->failed) {
		snprintf(right, sizeof right, " SCAN FAILED ");
		role = ROLE_ANOMALY;
	} else if (n_an && m->mg) {
		merge_badge(c, right, sizeof right);
		role = ROLE_ANOMALY;
	} else if (n_an) {
		snprintf(right, sizeof right, " %zu ANOMAL%s ", n_an, n_an == 1 ? "Y" : "IES");
		role = ROLE_ANOMALY;
	} else {
		snprintf(right, sizeof right, " HEALTHY ");
	}
	snprintf(left, sizeof left, " papyra console  %s: %s%s%s", c->backend_name, c->location,
		 c->opt->n_systems ? "  system " : "", c->opt->n_systems ? c->opt->systems[c->sys].id : "");
	int rw = screen_width_of(right, strlen(right));
	console_cell(0, 0, c->cols - rw, ROLE_HEADER, left);
	/* the health badge breaks out of the reverse header bar in its role */
	screen_str(0, c->cols - rw, rw, role, right);

	char ret[160] = "none";
	const struct retention *r = &c->cfg->retention;
	if (retention_active(r)) {
		int k = 0;
		ret[0] = '\0';
		if (r->max_records >= 0)
			k += snprintf(ret + k, sizeof ret - (size_t)k, "max_records=%lld ", (long long)r->max_records);
		if (r->max_age_seconds >= 0)
			k += snprintf(ret + k, sizeof ret - (size_t)k, "max_age_seconds=%g ", r->max_age_seconds);
		if (r->max_total_bytes >= 0)
			snprintf(ret + k, sizeof ret - (size_t)k, "max_total_bytes=%lld", (long long)r->max_total_bytes);
		size_t n = strlen(ret);
		if (n && ret[n - 1] == ' ')
			ret[n - 1] = '\0';
	}
	char line[1024], counts[256], rate[3][32];
	static const enum rec_kind rk[3] = { RK_EVENT, RK_AUDIT, RK_DEAD_LETTER };
	for (int i = 0; i < 3; i++) {
		/* records per second over the last minute, while some arrive */
		double per_s = live_rate(c, rk[i]);
		rate[i][0] = '\0';
		if (per_s > 0)
			snprintf(rate[i], sizeof rate[i], " (+%.*f/s)", per_s < 10 ? 2 : 0, per_s);
	}
	snprintf(counts, sizeof counts, "events %lld%s  audits %lld%s  dead letters %lld%s",
		 (long long)m->records[RK_EVENT], rate[0], (long long)m->records[RK_AUDIT], rate[1],
		 (long long)m->records[RK_DEAD_LETTER], rate[2]);
	if (c->filt.active) {
		/* the filter first: what the rows are is what matters while it is on */
		char match[96];
		draw_filter_matches(c, match, sizeof match);
		snprintf(line, sizeof line, " filter: %s%s (F clears) │ time: %s │ %s │ retention: %s", c->filt.text,
			 match, time_mode_name(c->tmode), counts, ret);
	} else {
		snprintf(line, sizeof line, " %s  │ retention: %s │ time: %s", counts, ret, time_mode_name(c->tmode));
	}
	if (!screen_utf8())
		for (char *p = strstr(line, "│"); p; p = strstr(p, "│"))
			memcpy(p, "  |", 3);
	console_cell(1, 0, c->cols, ROLE_NORMAL, line);

	int x = 0;
	int journal = c->cur == V_JOURNAL || (c->cur == V_DETAIL && c->back2 == V_JOURNAL);
	int shown = journal ? -1 : c->cur < V__LISTS ? (int)c->cur : (int)c->back;
	for (int i = 0; i < V__LISTS && x < c->cols; i++) {
		char tab[64];
		snprintf(tab, sizeof tab, " %d %s ", i + 1, c->views[i].ops->name);
		x += screen_str(2, x, c->cols - x, i == shown ? ROLE_HEADER : ROLE_DIM, tab);
	}
	/* the Journal is no list of the store, but it is a view to know of */
	if (x < c->cols)
		screen_str(2, x, c->cols - x, journal ? ROLE_HEADER : ROLE_DIM, " J Journal ");
}

static void draw_status(struct console *c)
{
	int y = c->rows - 1;
	char right[160] = "";
	if (model_scanning(&c->m))
		snprintf(right, sizeof right, " indexing %lld %s ", (long long)c->m.n,
			 c->m.t->ids ? "entries" : "lines");
	else if (console_filtering(c))
		snprintf(right, sizeof right, " filtering %d%% ", console_filter_progress(c) / 10);
	else if (c->m.mg && !c->status[0]) /* a message first: it may name the source to open */
		snprintf(right, sizeof right, " merged: not followed (r re-reads) ");
	else
		live_status(c, right, sizeof right);
	int rw = screen_width_of(right, strlen(right));
	char prog[256];
	if (c->status[0]) {
		console_cell(y, 0, c->cols - rw, c->status_role, c->status);
	} else if (console_filtering(c) && console_filter_slow(c)) {
		draw_filter_progress(c, prog, sizeof prog);
		console_cell(y, 0, c->cols - rw, ROLE_WARN, prog);
	} else
		console_cell(y, 0, c->cols - rw, ROLE_DIM,
			     c->cur >= V__LISTS ? " Esc back  j/k scroll  q close" :
			     " ? help  Tab views  Enter detail  / search  f filter  e/E anomaly  t time  q quit");
	screen_str(y, c->cols - rw, rw, ROLE_WARN, right);
}

static void draw_view(struct console *c)
{
	struct view *v = &c->views[c->cur];
	const struct view_ops *o = v->ops;
	int y = 3, avail = c->rows - 4, w = c->cols;
	if (o->pane_rows) {
		int ph = o->pane_rows(c, v, avail);
		if (ph > 0) {
			o->draw_pane(c, v, y, ph, w);
			y += ph;
			avail -= ph;
		}
	}
	if (o->draw_head) {
		o->draw_head(c, v, y, w);
		y++;
		avail--;
	}
	c->list_y = y;
	c->list_h = avail > 0 ? avail : 0;
	int64_t n = o->rows(c, v);
	console_goto(c, v, v->cur);
	if (n == 0) {
		int k = filtered_kind(c->cur);
		char msg[160];
		if (c->filt.active && k >= 0 && c->m.records[k] > 0) {
			/* the records exist: the filter hides them all */
			snprintf(msg, sizeof msg, "No match for the filter: 0 of %lld %s (F clears it).",
				 (long long)c->m.records[k], kind_plural[k]);
		} else {
			snprintf(msg, sizeof msg, "%s", model_scanning(&c->m) ? "(indexing...)" : o->empty_of ?
				 o->empty_of(c) : o->empty ? o->empty : "(empty)");
		}
		screen_str(y, 1, w - 1, ROLE_DIM, msg);
		return;
	}
	search_highlight(c, 1);
	for (int i = 0; i < c->list_h && v->top + i < n; i++)
		o->draw_row(c, v, v->top + i, y + i, w, !o->scroll && v->top + i == v->cur);
	search_highlight(c, 0);
}

int console_too_small(const struct console *c)
{
	int rows, cols;
	(void)c; /* the terminal's size now, not the last drawn one */
	screen_size(&rows, &cols);
	return rows < SCREEN_MIN_ROWS || cols < SCREEN_MIN_COLS;
}

/* A text pane built for another width is built again (the plan, the
 * detail), where it was scrolled to. */
static void rewrap(struct console *c)
{
	struct view *v = &c->views[c->cur];
	int64_t top = v->top;
	if (c->cur == V_DETAIL && c->detail_cols && c->detail_cols != c->cols)
		detail_build(c, c->detail_line);
	else if (c->cur == V_WALK && c->rewrap && c->rewrap_cols != c->cols)
		c->rewrap(c, c->rewrap_ctx);
	else
		return;
	c->rewrap_cols = c->cols;
	v->top = v->cur = top;
}

void console_draw(struct console *c)
{
	screen_size(&c->rows, &c->cols);
	screen_erase();
	if (c->rows < SCREEN_MIN_ROWS || c->cols < SCREEN_MIN_COLS) {
		char msg[200];
		snprintf(msg, sizeof msg, "Terminal too small (%dx%d): papyra console needs %dx%d. %s",
			 c->cols, c->rows, SCREEN_MIN_COLS, SCREEN_MIN_ROWS, c->ignored_keys ?
			 "Key ignored until it is larger; Esc cancels, q quits." : "Keys wait until it is larger; q quits.");
		for (int y = 0, off = 0, len = (int)strlen(msg); off < len && y < c->rows; y++) {
			int n = len - off < c->cols ? len - off : c->cols;
			for (int k = n; n < len - off && k > 0; k--)
				if (msg[off + k] == ' ') { /* whole words, when one fits */
					n = k;
					break;
				}
			screen_text(y, 0, c->cols, ROLE_WARN, msg + off, (size_t)n);
			off += n;
			while (msg[off] == ' ')
				off++;
		}
		return;
	}
	rewrap(c);
	draw_header(c);
	draw_view(c);
	draw_status(c);
}

