/* The detail pane (Enter): a record pretty-printed from its own bytes, or
 * a damaged line's bytes escaped with the error position marked.  Where
 * the line is comes first: its number (one file), file:line (a rotating
 * set), or the stream, position and id of a Redis entry; an entry without
 * `data` shows the fields it has. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "jsonv.h"
#include "screen.h"

/* The pane shows at most this much of one line; a longer one says so. */
#define DETAIL_MAX (1u << 20)
/* Continuation lines of a wrapped value are indented this much more. */
#define WRAP_INDENT 4

/* Append p[0..n) wrapped to `width` columns, each line starting with
 * `indent` blanks.  When `mark` is a byte position inside p, a marker line
 * pointing at it, with `why`, follows the line holding it. */
static void wrap_add(struct textbuf *t, int role, int indent, const char *p, size_t n, int width,
		     int64_t mark, const char *why)
{
	int cont = indent;
	if (width < 20)
		width = 20;
	size_t i = 0;
	do {
		int in = i == 0 ? indent : cont;
		if (in > width / 2)
			in = width / 2;
		size_t start = i;
		int col = in, mark_col = -1;
		while (i < n) {
			int w;
			size_t used = screen_glyph(p + i, n - i, &w);
			if (col + w > width && i > start)
				break;
			if (mark >= 0 && (int64_t)i <= mark && mark < (int64_t)(i + used))
				mark_col = col;
			col += w;
			i += used;
		}
		if (mark >= 0 && i >= n && mark >= (int64_t)n && mark_col < 0)
			mark_col = col; /* the error is at the end of the line */
		size_t len = (size_t)in + (i - start);
		char *line = malloc(len + 1);
		if (!line)
			return;
		memset(line, ' ', (size_t)in);
		memcpy(line + in, p + start, i - start);
		tb_add(t, role, line, len);
		free(line);
		if (mark_col >= 0) {
			char m[512];
			snprintf(m, sizeof m, "%*s^ %s", mark_col, "", why);
			tb_add(t, ROLE_ANOMALY, m, strlen(m));
		}
		cont = indent + WRAP_INDENT;
	} while (i < n);
}

struct pretty_ctx {
	struct textbuf *t;
	int width;
};

static void pretty_line(void *ctx, int depth, const char *s, size_t len)
{
	struct pretty_ctx *p = ctx;
	wrap_add(p->t, ROLE_NORMAL, 2 + 2 * depth, s, len, p->width, -1, NULL);
}

static const struct anomaly *find_anomaly(const struct console *c, size_t line)
{
	for (size_t i = 0; i < c->m.rep.n_an; i++)
		if (model_an_line(&c->m, i) == (int64_t)line)
			return &c->m.rep.an[i];
	return NULL;
}

static void damaged(struct console *c, struct textbuf *t, size_t line, size_t n, int width, int fields)
{
	const struct anomaly *a = find_anomaly(c, line);
	int redis = c->m.t->ids;
	tb_addf(t, ROLE_ANOMALY, " %s %s: %s", console_glyph(), a ? anomaly_type_name(a->type) : "DAMAGED",
		a ? a->detail : "");
	if (a)
		tb_addf(t, ROLE_DIM, "   what recovery does: %s", redis ? "delete the entry (quarantine copies it "
			"to a stream first)" : anomaly_type_fix(a->type));
	tb_add(t, ROLE_NORMAL, "", 0);
	if (fields) {
		tb_addf(t, ROLE_TITLE, "%s", " The entry has no string 'data' field. Its fields as stored:");
		struct pretty_ctx pc = { t, width };
		if (jf_pretty(c->rowbuf, n, pretty_line, &pc) < 0)
			tb_add(t, ROLE_ANOMALY, " Out of memory", 14);
		return;
	}
	/* find the error position with the same validator the scanner used */
	struct jsonv *v = malloc(sizeof *v);
	int64_t pos = -1;
	char why[160] = "";
	size_t len = n && c->rowbuf[n - 1] == '\r' ? n - 1 : n;
	if (v) {
		if (jsonv_check(v, c->rowbuf, len, NULL) < 0) {
			pos = (int64_t)jsonv_error_pos(v);
			snprintf(why, sizeof why, "byte %lld: %s", (long long)pos, jsonv_error_reason(v));
		} else if (jsonv_top_type(v) != JV_OBJECT) {
			pos = 0;
			snprintf(why, sizeof why, "byte 0: a %s, not an object", jsonv_type_name(jsonv_top_type(v)));
		} else if (c->m.meta[line] & MF_TRUNC) {
			pos = (int64_t)len;
			snprintf(why, sizeof why, "byte %lld: no newline after the last record", (long long)len);
		}
		free(v);
	}
	if (redis)
		tb_addf(t, ROLE_TITLE, "%s", " The 'data' field as stored (non-printable bytes escaped):");
	else
		tb_add(t, ROLE_TITLE, " Bytes as stored (non-printable bytes escaped):", 47);
	if (n == 0) {
		if (redis)
			tb_addf(t, ROLE_DIM, "%s", "  (empty string)");
		else
			tb_add(t, ROLE_DIM, "  (empty line)", 14);
		if (pos >= 0)
			tb_addf(t, ROLE_ANOMALY, "  ^ %s", why);
		return;
	}
	wrap_add(t, ROLE_ANOMALY, 2, c->rowbuf, n, width, pos, why);
}

/* The title: where the line is, its size and kind. */
static void title(struct console *c, struct textbuf *t, size_t line)
{
	unsigned meta = c->m.meta[line];
	const char *sep = (meta & MF_VALID) ? "  ·  " : "", *kind = (meta & MF_VALID) ?
		rec_kind_name(model_kind(&c->m, line)) : "";
	const struct model_seg *s = model_seg_of(&c->m, line);
	if (c->m.t->ids) {
		char id[MODEL_ID_MAX];
		model_entry_id(&c->m, line, id, sizeof id);
		tb_addf(t, ROLE_TITLE, " %s entry %lld  ·  id %s  ·  %u bytes of data%s%s", s->path,
			(long long)model_lineno(&c->m, line), id, c->m.len[line], sep, kind);
	} else if (c->m.t->several) {
		tb_addf(t, ROLE_TITLE, " %s:%lld  ·  byte offset %lld  ·  %u bytes%s%s", s->path,
			(long long)model_lineno(&c->m, line), (long long)model_offset(&c->m, line), c->m.len[line],
			sep, kind);
	} else {
		tb_addf(t, ROLE_TITLE, " Line %zu  ·  byte offset %lld  ·  %u bytes%s%s", line + 1,
			(long long)model_offset(&c->m, line), c->m.len[line], sep, kind);
	}
}

void detail_build(struct console *c, size_t line)
{
	struct textbuf *t = &c->views[V_DETAIL].text;
	int width = c->cols - 2, fields = 0;
	tb_clear(t);
	c->detail_line = line;
	c->detail_cols = c->cols;
	long got = console_read_entry(c, line, DETAIL_MAX, &fields);
	size_t n = got > 0 ? (size_t)got : 0;
	unsigned meta = c->m.meta[line];
	title(c, t, line);
	if (!screen_utf8())
		for (size_t i = 0; i < t->n; i++)
			for (char *p = strstr(t->l[i].s, "·"); p; p = strstr(p, "·"))
				memcpy(p, " -", 2);
	if (got < 0) {
		if (c->m.t->ids)
			tb_addf(t, ROLE_ANOMALY, " The entry cannot be read back: %s", c->m.read_err);
		else
			tb_add(t, ROLE_ANOMALY, " The line cannot be read back (the file changed?)", 50);
		return;
	}
	if (n < c->m.len[line])
		tb_addf(t, ROLE_WARN, " Showing the first %zu of %u bytes.", n, c->m.len[line]);
	if (meta & (MF_CORRUPT | MF_TRUNC)) {
		if (meta & MF_TRUNC && meta & MF_VALID)
			tb_add(t, ROLE_WARN, " The record is complete but lacks its newline: repair keeps it.", 63);
		damaged(c, t, line, n, width, fields);
		if (!(meta & MF_VALID))
			return;
	}
	enum rec_status st = jf_decode(&c->rec, c->rowbuf, n);
	if (st == REC_OK || c->rec.ts_kind) {
		const struct record *r = &c->rec;
		if (st == REC_OK && !r->ts_raw.p) {
			tb_addf(t, ROLE_DIM, " time %s  (no timestamp: listed where it is stored)",
				screen_utf8() ? "\xe2\x80\x94" : "-");
		} else if (r->ts_raw.p) {
			char utc[64], loc[64];
			jf_time(utc, sizeof utc, TM_UTC, r->ts_kind == REC_TS_NUMBER ? r->ts : NAN,
				r->ts_raw.p, r->ts_raw.n);
			jf_time(loc, sizeof loc, TM_LOCAL, r->ts_kind == REC_TS_NUMBER ? r->ts : NAN,
				r->ts_raw.p, r->ts_raw.n);
			tb_addf(t, ROLE_DIM, " time %.*s  =  %s UTC  =  %s local", (int)r->ts_raw.n, r->ts_raw.p,
				utc, loc);
		}
	}
	tb_add(t, ROLE_NORMAL, "", 0);
	struct pretty_ctx pc = { t, width };
	size_t len = n && c->rowbuf[n - 1] == '\r' ? n - 1 : n;
	if (jf_pretty(c->rowbuf, len, pretty_line, &pc) < 0)
		tb_add(t, ROLE_ANOMALY, " Out of memory", 14);
}

int64_t text_rows(struct console *c, struct view *v)
{
	(void)c;
	return (int64_t)v->text.n;
}

void text_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)c;
	(void)selected;
	const struct tb_line *l = &v->text.l[row];
	screen_text(y, 1, w - 1, l->role, l->s, l->n);
}

const struct view_ops view_detail_ops = {
	.name = "Detail",
	.scroll = 1,
	.rows = text_rows,
	.draw_row = text_row,
};
