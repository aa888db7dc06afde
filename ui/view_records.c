/* What the three record views (Events, Audits, Dead letters) share: rows
 * are the lines of one kind that pass the filter, found through a
 * selection over the index and read back only when drawn. */
#include <ctype.h>
#include <math.h>
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

int rec_match(struct console *c, struct view *v, int64_t row, const char *needle)
{
	size_t line = sel_line(&v->sel, &c->m, row);
	long n = console_read(c, line, SEARCH_READ_MAX);
	return n > 0 && bytes_contain(c->rowbuf, (size_t)n, needle);
}

void rec_refresh(struct console *c, struct view *v)
{
	filter_refresh(c);
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
	jf_time(out, cap, c->tmode, r->ts_kind == REC_TS_NUMBER ? r->ts : NAN, r->ts_raw.p, r->ts_raw.n);
}

