/* What the three record views (Events, Audits, Dead letters) share: rows
 * are the lines of one kind that pass the filter, found through a
 * selection over the index and read back only when drawn. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "screen.h"

/* A row is read back up to this many bytes; longer records show as long. */
#define REC_READ_MAX 65536
/* Search looks this far into each line: records are far shorter. */
#define SEARCH_READ_MAX (1u << 20)

int64_t rec_rows(struct console *c, struct view *v)
{
	return sel_count(&v->sel, &c->m);
}

int64_t rec_line_of(struct console *c, struct view *v, int64_t row)
{
	if (row < 0 || row >= sel_count(&v->sel, &c->m))
		return -1;
	return (int64_t)sel_line(&v->sel, &c->m, row);
}

int64_t rec_row_of_line(struct console *c, struct view *v, int64_t line)
{
	return sel_row_at(&v->sel, &c->m, (size_t)(line < 0 ? 0 : line));
}

void rec_enter(struct console *c, struct view *v, int64_t row)
{
	console_detail(c, sel_line(&v->sel, &c->m, row));
}

/* The raw line, then the columns as the row shows them: a search for
 * what the ACTOR column says (local:42) finds it whatever the stored form. */
int rec_match(struct console *c, struct view *v, int64_t row, const struct matcher *m)
{
	size_t line = sel_line(&v->sel, &c->m, row);
	long n = console_read(c, line, SEARCH_READ_MAX);
	if (n > 0 && matcher_in(m, c->rowbuf, (size_t)n))
		return 1;
	if (n <= 0 || (size_t)n < c->m.len[line] || jf_decode(&c->rec, c->rowbuf, (size_t)n) != REC_OK)
		return 0;
	const struct record *r = &c->rec;
	char t[64];
	rec_time(c, t, sizeof t);
	if (matcher_in(m, t, strlen(t)) || matcher_in(m, r->type.p, r->type.n) ||
	    matcher_in(m, r->addr.text.p, r->addr.text.n) || matcher_in(m, r->payload.p, r->payload.n))
		return 1;
	for (int k = 0; r->kind == RK_AUDIT && k < RC__COUNT; k++)
		if (matcher_in(m, r->count[k].p, r->count[k].n))
			return 1;
	return 0;
}

void rec_refresh(struct console *c, struct view *v)
{
	filter_refresh(c);
	/* a text= filter reads rows back: the main loop takes it in slices */
	if (!console_filter_slow(c))
		sel_update(&v->sel, &c->m);
}

enum rec_status rec_decode_row(struct console *c, struct view *v, int64_t row)
{
	size_t line = sel_line(&v->sel, &c->m, row);
	long n = console_read(c, line, REC_READ_MAX);
	if (n < 0)
		return REC_SKIP_INVALID;
	if ((size_t)n < c->m.len[line])
		return REC_SKIP_LONG;
	return jf_decode(&c->rec, c->rowbuf, (size_t)n);
}

void rec_time(struct console *c, char *out, size_t cap)
{
	const struct record *r = &c->rec;
	if (r->ts_kind == REC_TS_NONE) {
		/* listed where storage puts it, with no time to show */
		snprintf(out, cap, "%s", screen_utf8() ? "\xe2\x80\x94" : "-");
		return;
	}
	jf_time(out, cap, c->tmode, r->ts_kind == REC_TS_NUMBER ? r->ts : NAN, r->ts_raw.p, r->ts_raw.n);
}

int rec_cell_n(int y, int x, int w, int role, const struct rec_str *s)
{
	console_cell_n(y, x, w, role, s->p, s->n);
	screen_fill(y, x + w, 1, role);
	return x + w + 1;
}
