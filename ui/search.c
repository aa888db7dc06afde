/* Search (/, n, N), the way lnav searches: a POSIX extended regular
 * expression, case-insensitive, over what a row shows (its columns as
 * drawn) as well as the raw line; every match on screen highlighted
 * (screen_highlight); a message when the search wraps around; progress
 * on the status line and Esc to stop on a long search.  A pattern that
 * is not a valid expression is searched for as plain text, and said so.
 * The same matcher serves the filter's text= terms (filter.c). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "screen.h"

/* Rows examined between two looks at the keyboard (and the progress),
 * and, outside test scripts (whose look must fall on the same row every
 * run), at most this long between them whatever a row costs (Redis rows
 * come a page per round trip: a slow server must not hide Esc). */
#define SEARCH_POLL_ROWS 4096
#define SEARCH_POLL_MS 100
#define SEARCH_CLOCK_ROWS 64

void matcher_free(struct matcher *m)
{
	if (m->active)
		regfree(&m->re);
	m->active = 0;
	m->text[0] = '\0';
}

int matcher_set(struct matcher *m, const char *pattern)
{
	matcher_free(m);
	snprintf(m->text, sizeof m->text, "%s", pattern);
	m->literal = 0;
	if (regcomp(&m->re, pattern, REG_EXTENDED | REG_ICASE) != 0) {
		/* searched as text: every character that means something escaped */
		char lit[sizeof m->text * 2 + 1];
		size_t k = 0;
		for (const char *p = pattern; *p && k + 2 < sizeof lit; p++) {
			if (strchr("\\^$.[]|()*+?{}", *p))
				lit[k++] = '\\';
			lit[k++] = *p;
		}
		lit[k] = '\0';
		if (regcomp(&m->re, lit, REG_EXTENDED | REG_ICASE) != 0)
			return -1;
		m->literal = 1;
	}
	m->active = 1;
	return 0;
}

int matcher_find(const struct matcher *m, const char *p, size_t n, size_t from, size_t *so, size_t *eo)
{
	if (!m->active)
		return 0;
	while (from < n) {
		regmatch_t rm[1];
		rm[0].rm_so = (regoff_t)from;
		rm[0].rm_eo = (regoff_t)n;
		/* REG_STARTEND: the text may hold NUL bytes; REG_NOTBOL past its start */
		if (regexec(&m->re, p, 1, rm, REG_STARTEND | (from ? REG_NOTBOL : 0)) != 0)
			return 0;
		if (rm[0].rm_eo > rm[0].rm_so) {
			*so = (size_t)rm[0].rm_so;
			*eo = (size_t)rm[0].rm_eo;
			return 1;
		}
		from = (size_t)rm[0].rm_so + 1; /* an empty match shows nothing: look further */
	}
	return 0;
}

int matcher_in(const struct matcher *m, const char *p, size_t n)
{
	size_t so, eo;
	return matcher_find(m, p, n, 0, &so, &eo);
}

static int find_cb(const void *ctx, const char *s, size_t n, size_t from, size_t *so, size_t *eo)
{
	return matcher_find(ctx, s, n, from, so, eo);
}

void search_highlight(struct console *c, int on)
{
	if (on && c->search.active)
		screen_highlight(find_cb, &c->search);
	else
		screen_highlight(NULL, NULL);
}

void console_search(struct console *c, int dir)
{
	struct view *v = &c->views[c->cur];
	const char *pat = c->search.text;
	if (!c->search.active) {
		console_status(c, ROLE_WARN, " No search yet: press / to search");
		return;
	}
	if (!v->ops->match) {
		console_status(c, ROLE_WARN, " This view cannot be searched");
		return;
	}
	const char *lit = c->search.literal ? " (not a valid regular expression: searched as text)" : "";
	int64_t n = v->ops->rows(c, v);
	int timed = !screen_is_test();
	double next_poll = screen_now_ms() + SEARCH_POLL_MS;
	for (int64_t k = 1; k <= n; k++) {
		int64_t r = ((v->cur + dir * k) % n + n) % n;
		if (k % SEARCH_POLL_ROWS == 0 ||
		    (timed && k % SEARCH_CLOCK_ROWS == 0 && screen_now_ms() >= next_poll)) {
			next_poll = screen_now_ms() + SEARCH_POLL_MS;
			console_status(c, ROLE_NORMAL, " /%s: searching, %lld of %lld rows looked at (Esc stops)", pat,
				       (long long)k, (long long)n);
			console_draw(c);
			screen_update();
			if (screen_poll_esc()) {
				console_status(c, ROLE_WARN, " /%s: stopped after %lld of %lld rows; the cursor did not move",
					       pat, (long long)k, (long long)n);
				return;
			}
		}
		if (v->ops->match(c, v, r, &c->search)) {
			int wrapped = dir > 0 ? r <= v->cur : r >= v->cur;
			console_goto(c, v, r);
			console_status(c, wrapped ? ROLE_WARN : ROLE_NORMAL, " /%s: row %lld of %lld%s%s", pat,
				       (long long)r + 1, (long long)n, wrapped ? (dir > 0 ?
				       " (search hit the bottom, continued from the top)" :
				       " (search hit the top, continued from the bottom)") : "", lit);
			return;
		}
	}
	if (model_scanning(&c->m)) {
		/* the rows indexed so far: the rest is looked at as it comes */
		live_search_start(c, dir, n);
		console_status(c, ROLE_WARN, " /%s: not found so far (%d%% indexed): still looking as the index grows "
			       "(Esc stops)%s", pat, model_progress(&c->m) / 10, lit);
		return;
	}
	console_status(c, ROLE_WARN, " /%s: not found%s%s", pat, !sel_done(&v->sel, &c->m) ?
		       " in the rows found so far (the filter is still being applied)" : "", lit);
}
