/* Raw: every line in storage order, exactly as stored (escaped), damaged
 * lines marked with a glyph and the anomaly role.  A single file numbers
 * its lines; a rotating set says file:line, Redis the stream and the
 * entry id (an entry without `data` shows its fields). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "screen.h"

/* A row shows at most this many bytes: more than any terminal is wide,
 * even with every byte escaped. */
#define RAW_READ_MAX 2048
#define SEARCH_READ_MAX (1u << 20)
#define COL_LINENO 8

static int64_t raw_rows(struct console *c, struct view *v)
{
	(void)v;
	return (int64_t)c->m.n;
}

/* Width of the where column: the line number, or file:line / stream id,
 * never more than half the screen. */
static int where_width(struct console *c)
{
	if (!c->m.t->several)
		return COL_LINENO;
	int w = model_where_width(&c->m);
	const char *title = c->m.t->ids ? "STREAM ID" : "FILE:LINE";
	w = w < (int)strlen(title) ? (int)strlen(title) : w;
	return w > c->cols / 2 ? c->cols / 2 : w;
}

static void raw_head(struct console *c, struct view *v, int y, int w)
{
	(void)v;
	int x;
	if (!c->m.t->several)
		x = rec_cell(y, 0, COL_LINENO, ROLE_TITLE, "    LINE");
	else
		x = rec_cell(y, 0, where_width(c), ROLE_TITLE, c->m.t->ids ? "STREAM ID" : "FILE:LINE");
	x = rec_cell(y, x, 1, ROLE_TITLE, "");
	console_cell(y, x, w - x, ROLE_TITLE, c->m.t->ids ? "DATA AS STORED" : "BYTES AS STORED");
}

static void raw_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)v;
	size_t i = (size_t)row;
	int sel = selected ? ROLE_SELECTED : 0;
	unsigned meta = c->m.meta[i];
	int bad = (meta & (MF_CORRUPT | MF_TRUNC)) != 0;
	int role = (bad ? ROLE_ANOMALY : ROLE_NORMAL) | sel;
	char where[PATH_SHOWN_MAX];
	int ww = where_width(c);
	if (!c->m.t->several)
		snprintf(where, sizeof where, "%*lld", COL_LINENO, (long long)row + 1);
	else
		model_where(&c->m, i, where, sizeof where);
	int x = rec_cell(y, 0, ww, (bad ? ROLE_ANOMALY : ROLE_DIM) | sel, where);
	x = rec_cell(y, x, 1, role, bad ? console_glyph() : "");
	int fields = 0;
	long n = console_read_entry(c, i, RAW_READ_MAX, &fields);
	int used = 0;
	if (n < 0)
		used = screen_str(y, x, w - x, ROLE_DIM | sel, c->m.t->ids ?
				  "(cannot be read back: Enter says why)" : "");
	else if (fields)
		used = screen_str(y, x, w - x, ROLE_DIM | sel, "(no data field) ");
	if (n > 0)
		used += screen_text(y, x + used, w - x - used, role, c->rowbuf, (size_t)n);
	screen_fill(y, x + used, w - x - used, role);
	if (marks_has(c, i))
		screen_str(y, 0, 1, ROLE_MARK | sel, marks_glyph());
}

static int64_t raw_line_of(struct console *c, struct view *v, int64_t row)
{
	(void)c;
	(void)v;
	return row;
}

static const char *raw_empty(struct console *c)
{
	return !c->m.t->several ? "The file is empty or missing." :
	       c->m.t->rotates ? "Every file of the set is empty or missing." :
	       c->m.t->has_files ? "Every file merged here is empty or missing." :
					  "The streams are empty or missing.";
}

static int64_t raw_row_of_line(struct console *c, struct view *v, int64_t line)
{
	(void)v;
	return line < (int64_t)c->m.n ? line : (int64_t)c->m.n;
}

static void raw_enter(struct console *c, struct view *v, int64_t row)
{
	(void)v;
	console_detail(c, (size_t)row);
}

static int raw_match(struct console *c, struct view *v, int64_t row, const struct matcher *m)
{
	(void)v;
	char where[PATH_SHOWN_MAX];
	model_where(&c->m, (size_t)row, where, sizeof where);
	if (matcher_in(m, where, strlen(where)))
		return 1;
	long n = console_read(c, (size_t)row, SEARCH_READ_MAX);
	return n > 0 && matcher_in(m, c->rowbuf, (size_t)n);
}

const struct view_ops view_raw_ops = {
	.name = "Raw",
	.empty = "The file is empty or missing.",
	.empty_of = raw_empty,
	.rows = raw_rows,
	.draw_head = raw_head,
	.draw_row = raw_row,
	.line_of = raw_line_of,
	.row_of_line = raw_row_of_line,
	.enter = raw_enter,
	.match = raw_match,
};
