#include "jsonfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonv.h"
#include "schema.h"

const char *time_mode_name(enum time_mode m)
{
	static const char *const names[TM__COUNT] = { "epoch", "UTC", "local" };
	return m < TM__COUNT ? names[m] : "?";
}

static void copy_raw(const char *p, size_t n, char *out, size_t cap)
{
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

void jf_string(const char *p, size_t n, char *out, size_t cap)
{
	if (json_string_decode(p, n, out, cap) < 0)
		copy_raw(p, n, out, cap);
}

/* A record without a timestamp is decoded as if it had "timestamp": null
 * appended (record_decode lists only records with one), then told apart:
 * this holds the line and that null. */
static char *scratch;
static size_t scratch_cap;

/* The validator's state is 8 KiB: keep one, not one per call. */
static struct jsonv *validator;

static struct jsonv *jv(void)
{
	if (!validator)
		validator = malloc(sizeof *validator);
	return validator;
}

void jf_release(void)
{
	free(validator);
	validator = NULL;
	free(scratch);
	scratch = NULL;
	scratch_cap = 0;
}

void jf_address(const char *p, size_t n, char *out, size_t cap)
{
	record_addr_format(p, n, out, cap); /* the listings' own form (core/record.c) */
}

enum rec_status jf_decode(struct record *r, const char *bytes, size_t n)
{
	struct jsonv_field f[SF__COUNT];
	struct jsonv_capture cap;
	struct jsonv *v = jv();
	/* never the previous record's time, whatever happens below */
	r->ts_kind = REC_TS_NONE;
	r->ts_raw = (struct rec_str){ NULL, 0 };
	r->ts = NAN;
	if (!v)
		return REC_SKIP_INVALID;
	schema_capture_init(f, &cap);
	/* a "\r" before the newline belongs to the line ending */
	size_t len = n && bytes[n - 1] == '\r' ? n - 1 : n;
	if (jsonv_check(v, bytes, len, &cap) < 0 || jsonv_top_type(v) != JV_OBJECT)
		return REC_SKIP_INVALID;
	struct scan_line l = {
		.path = "", .line = 0, .offset = 0, .length = (int64_t)n, .flags = SL_VALID,
		.bytes = bytes, .fields = f,
	};
	l.kind = schema_kind(bytes, f);
	if (f[SF_TIMESTAMP].type == JV_NUMBER) {
		char tmp[64];
		size_t tl = (size_t)f[SF_TIMESTAMP].len;
		if (tl < sizeof tmp) {
			memcpy(tmp, bytes + f[SF_TIMESTAMP].off, tl);
			tmp[tl] = '\0';
			char *end;
			l.ts = strtod(tmp, &end);
			if (end == tmp + tl)
				l.flags |= SL_TS_NUMBER;
		}
	} else if (f[SF_TIMESTAMP].type != JV_NONE) {
		l.flags |= SL_TS_OTHER;
	}
	int no_ts = f[SF_TIMESTAMP].type == JV_NONE;
	if (no_ts) {
		if (n + 5 > scratch_cap) {
			char *b = realloc(scratch, n + 5);
			if (!b)
				return REC_SKIP_INVALID;
			scratch = b;
			scratch_cap = n + 5;
		}
		memcpy(scratch, bytes, n);
		memcpy(scratch + n, "null", 5);
		f[SF_TIMESTAMP].type = JV_NULL;
		f[SF_TIMESTAMP].off = n;
		f[SF_TIMESTAMP].len = 4;
		l.bytes = scratch;
		l.length = (int64_t)n + 4;
		l.flags |= SL_TS_OTHER;
	}
	enum rec_status st;
	if (record_decode(r, &l, &st, NULL) < 0)
		return REC_SKIP_INVALID;
	if (no_ts) {
		r->ts_kind = REC_TS_NONE;
		r->ts_raw = (struct rec_str){ NULL, 0 };
		r->raw[SF_TIMESTAMP] = (struct rec_str){ NULL, 0 };
		r->ts = NAN;
	}
	return st;
}

struct pp {
	char *buf;
	size_t len, cap;
	int depth, line_depth;
	void (*emit)(void *ctx, int depth, const char *s, size_t len);
	void *ctx;
	int oom;
};

static void pp_put(struct pp *pp, const char *s, size_t n)
{
	if (pp->len == 0)
		pp->line_depth = pp->depth;
	if (pp->len + n + 1 > pp->cap) {
		size_t nc = (pp->len + n + 1) * 2;
		char *b = realloc(pp->buf, nc);
		if (!b) {
			pp->oom = 1;
			return;
		}
		pp->buf = b;
		pp->cap = nc;
	}
	memcpy(pp->buf + pp->len, s, n);
	pp->len += n;
}

static void pp_flush(struct pp *pp)
{
	if (pp->len)
		pp->emit(pp->ctx, pp->line_depth, pp->buf, pp->len);
	pp->len = 0;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int jf_pretty(const char *p, size_t n, void (*emit)(void *ctx, int depth, const char *s, size_t len),
	      void *ctx)
{
	struct pp pp = { .emit = emit, .ctx = ctx };
	size_t i = 0;
	while (i < n && !pp.oom) {
		char c = p[i];
		if (is_ws(c)) {
			i++;
		} else if (c == '{' || c == '[') {
			size_t j = i + 1;
			while (j < n && is_ws(p[j]))
				j++;
			if (j < n && p[j] == (c == '{' ? '}' : ']')) {
				pp_put(&pp, c == '{' ? "{}" : "[]", 2);
				i = j + 1;
				continue;
			}
			pp_put(&pp, &c, 1);
			pp_flush(&pp);
			pp.depth++;
			i++;
		} else if (c == '}' || c == ']') {
			pp_flush(&pp);
			if (pp.depth > 0)
				pp.depth--;
			pp_put(&pp, &c, 1);
			i++;
		} else if (c == ',') {
			pp_put(&pp, ",", 1);
			pp_flush(&pp);
			i++;
		} else if (c == ':') {
			pp_put(&pp, ": ", 2);
			i++;
		} else if (c == '"') {
			size_t j = i + 1;
			while (j < n && p[j] != '"')
				j += p[j] == '\\' ? 2 : 1;
			j = j < n ? j + 1 : n;
			pp_put(&pp, p + i, j - i);
			i = j;
		} else {
			size_t j = i;
			while (j < n && !is_ws(p[j]) && !strchr(",:]}", p[j]))
				j++;
			pp_put(&pp, p + i, j - i);
			i = j;
		}
	}
	pp_flush(&pp);
	free(pp.buf);
	return pp.oom ? -1 : 0;
}

void jf_time(char *out, size_t cap, enum time_mode mode, double ts, const char *raw, size_t rawlen)
{
	if (mode == TM_EPOCH || !isfinite(ts) || fabs(ts) > 1e12) {
		copy_raw(raw, rawlen, out, cap);
		return;
	}
	double whole = floor(ts);
	long ms = lround((ts - whole) * 1000.0);
	if (ms >= 1000) {
		whole += 1;
		ms -= 1000;
	}
	time_t t = (time_t)whole;
	struct tm tm;
	if (!(mode == TM_UTC ? gmtime_r(&t, &tm) : localtime_r(&t, &tm))) {
		copy_raw(raw, rawlen, out, cap);
		return;
	}
	char date[40];
	strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out, cap, "%s.%03ld", date, ms);
}
