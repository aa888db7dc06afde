/* Raw: every line in storage order, exactly as stored (escaped), damaged
 * lines marked with a glyph and the anomaly role. */
#include <stdio.h>

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

static void raw_head(struct console *c, struct view *v, int y, int w)
{
	(void)c;
	(void)v;
	int x = rec_cell(y, 0, COL_LINENO, ROLE_TITLE, "    LINE");
	x = rec_cell(y, x, 1, ROLE_TITLE, "");
	console_cell(y, x, w - x, ROLE_TITLE, "BYTES AS STORED");
}

static void raw_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)v;
	size_t i = (size_t)row;
	int sel = selected ? ROLE_SELECTED : 0;
	unsigned meta = c->m.meta[i];
	int bad = (meta & (MF_CORRUPT | MF_TRUNC)) != 0;
	int role = (bad ? ROLE_ANOMALY : ROLE_NORMAL) | sel;
	char num[32];
	snprintf(num, sizeof num, "%*lld", COL_LINENO, (long long)row + 1);
	int x = rec_cell(y, 0, COL_LINENO, (bad ? ROLE_ANOMALY : ROLE_DIM) | sel, num);
	x = rec_cell(y, x, 1, role, bad ? console_glyph() : "");
	long n = console_read(c, i, RAW_READ_MAX);
	if (n < 0)
		n = 0;
	int used = screen_text(y, x, w - x, role, c->rowbuf ? c->rowbuf : "", (size_t)n);
	screen_fill(y, x + used, w - x - used, role);
}

static int64_t raw_line_of(struct console *c, struct view *v, int64_t row)
{
	(void)c;
	(void)v;
	return row;
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

static int raw_match(struct console *c, struct view *v, int64_t row, const char *needle)
{
	(void)v;
	long n = console_read(c, (size_t)row, SEARCH_READ_MAX);
	return n > 0 && bytes_contain(c->rowbuf, (size_t)n, needle);
}

const struct view_ops view_raw_ops = {
	.name = "Raw",
	.empty = "The file is empty or missing.",
	.rows = raw_rows,
	.draw_head = raw_head,
	.draw_row = raw_row,
	.line_of = raw_line_of,
	.row_of_line = raw_row_of_line,
	.enter = raw_enter,
	.match = raw_match,
};
