#include "record.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* Every decoded value is at most as long as its raw span plus a little
 * ("null" -> "None", defaults such as "local"): this slack per field, plus
 * the line length, bounds the buffer one decode needs, so the buffer is
 * sized once per line and pointers into it stay valid. */
#define REC_FIELD_SLACK 16
#define REC_BUF_SLACK 128

/* Audit counters in display order, mapped to their schema fields. */
static const enum schema_field rec_count_field[RC__COUNT] = {
	SF_TOTAL_ACTORS, SF_ALIVE_ACTORS, SF_STOPPING_ACTORS, SF_RESTARTING_ACTORS,
	SF_REGISTRY_SIZE, SF_DEAD_LETTERS_COUNT,
};

void record_init(struct record *r)
{
	memset(r, 0, sizeof *r);
}

void record_free(struct record *r)
{
	free(r->buf);
	free(r->jv);
	record_init(r);
}

enum rec_status record_classify(const struct scan_line *l)
{
	if (!(l->flags & SL_VALID) || !l->fields)
		return REC_SKIP_INVALID;
	if (l->kind != RK_EVENT && l->kind != RK_AUDIT && l->kind != RK_DEAD_LETTER)
		return REC_SKIP_KIND;
	if (l->fields[SF_TIMESTAMP].type == JV_NONE)
		return REC_SKIP_NO_TS;
	if (!l->bytes)
		return REC_SKIP_LONG;
	return REC_OK;
}

size_t record_compact_json(char *out, const char *p, size_t n)
{
	size_t o = 0;
	int in_str = 0, esc = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		if (in_str) {
			if (esc)
				esc = 0;
			else if (ch == '\\')
				esc = 1;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			continue;
		}
		out[o++] = ch;
	}
	out[o] = '\0';
	return o;
}

size_t record_escape(char *out, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)p;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = s[i];
		if (ch == '\n' || ch == '\t' || ch == '\r') {
			out[o++] = '\\';
			out[o++] = ch == '\n' ? 'n' : ch == '\t' ? 't' : 'r';
		} else if (ch < 0x20 || ch == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		} else if (ch == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) {
			/* U+0080..U+009F: C1 controls, e.g. U+009B is a terminal CSI */
			memcpy(out + o, "\\u00", 4);
			o += 4;
			out[o++] = hex[s[i + 1] >> 4];
			out[o++] = hex[s[i + 1] & 15];
			i++;
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
	return o;
}

int record_addr_split(const char *s, size_t n, struct rec_str *system, struct rec_str *id)
{
	const char *colon = memchr(s, ':', n);
	if (!colon || colon == s)
		return 0;
	const char *rest = colon + 1;
	size_t rn = n - (size_t)(rest - s);
	/* "local://4" is the URL-like spelling of "local:4" */
	if (rn >= 2 && rest[0] == '/' && rest[1] == '/') {
		rest += 2;
		rn -= 2;
	}
	if (rn == 0)
		return 0;
	system->p = s;
	system->n = (size_t)(colon - s);
	id->p = rest;
	id->n = rn;
	return 1;
}

static int rec_str_eq(struct rec_str a, struct rec_str b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

int record_addr_matches(const struct rec_addr *a, const char *query)
{
	struct rec_str q = {query, strlen(query)}, qs, qi;
	if (rec_str_eq(a->text, q))
		return 1;
	if (a->is_null || !a->parsed || !record_addr_split(q.p, q.n, &qs, &qi))
		return 0;
	return rec_str_eq(a->system, qs) && rec_str_eq(a->id, qi);
}

/* --- decoding into the per-line buffer ---------------------------------- */

static char *rec_alloc(struct record *r, size_t n)
{
	/* record_decode sized the buffer for the whole line beforehand */
	char *p = r->buf + r->used;
	r->used += n + 1;
	return p;
}

static struct rec_str rec_put(struct record *r, const char *s, size_t n)
{
	char *p = rec_alloc(r, n);
	memcpy(p, s, n);
	p[n] = '\0';
	return (struct rec_str){p, n};
}

static struct rec_str rec_lit(struct record *r, const char *s)
{
	return rec_put(r, s, strlen(s));
}

/* Python's str() of a decoded JSON value, which is what the reference
 * prints for a field: strings unquoted, null/true/false as None/True/False,
 * numbers exactly as stored, containers as compact JSON. */
static struct rec_str rec_display(struct record *r, enum jsonv_type t, const char *p, size_t n)
{
	switch (t) {
	case JV_STRING: {
		char *out = rec_alloc(r, n);
		long len = json_string_decode(p, n, out, n + 1);
		if (len < 0) {
			r->used -= n + 1;
			return rec_put(r, p, n);
		}
		/* give back what decoding did not use */
		r->used -= n - (size_t)len;
		return (struct rec_str){out, (size_t)len};
	}
	case JV_NULL:
		return rec_lit(r, "None");
	case JV_TRUE:
		return rec_lit(r, "True");
	case JV_FALSE:
		return rec_lit(r, "False");
	case JV_OBJECT:
	case JV_ARRAY: {
		char *out = rec_alloc(r, n);
		size_t len = record_compact_json(out, p, n);
		r->used -= n - len;
		return (struct rec_str){out, len};
	}
	case JV_NUMBER:
	case JV_NONE:
	default:
		return rec_put(r, p, n);
	}
}

/* A field's display text, or `dflt` when the member is absent. */
static struct rec_str rec_field(struct record *r, const struct scan_line *l, enum schema_field f,
				const char *dflt)
{
	const struct jsonv_field *jf = &l->fields[f];
	if (jf->type == JV_NONE)
		return rec_lit(r, dflt);
	return rec_display(r, jf->type, l->bytes + jf->off, (size_t)jf->len);
}

static struct rec_str rec_compact_field(struct record *r, const struct scan_line *l,
					enum schema_field f, const char *dflt)
{
	const struct jsonv_field *jf = &l->fields[f];
	if (jf->type == JV_NONE)
		return rec_lit(r, dflt);
	size_t n = (size_t)jf->len;
	char *out = rec_alloc(r, n);
	size_t len = record_compact_json(out, l->bytes + jf->off, n);
	r->used -= n - len;
	return (struct rec_str){out, len};
}

/* Address objects are decoded with our own validator's member capture
 * rather than a DOM parser: an actor_id beyond 2^53 keeps its digits, and
 * a lone surrogate in `system` does not make the address unreadable. */
static void rec_addr_object(struct record *r, struct rec_addr *a, const char *p, size_t n)
{
	struct jsonv_field f[2] = {{.name = "system"}, {.name = "actor_id"}};
	struct jsonv_capture cap = {f, 2};
	if (jsonv_check(r->jv, p, n, &cap) == 0 && f[0].type != JV_NONE && f[1].type != JV_NONE) {
		size_t start = r->used;
		struct rec_str sys = rec_display(r, f[0].type, p + f[0].off, (size_t)f[0].len);
		/* join "system" ":" "actor_id" into one string: overwrite the NUL */
		r->used--;
		r->buf[r->used++] = ':';
		struct rec_str id = rec_display(r, f[1].type, p + f[1].off, (size_t)f[1].len);
		a->text.p = r->buf + start;
		a->text.n = sys.n + 1 + id.n;
		a->system = sys;
		a->id = id;
		a->parsed = 1;
		return;
	}
	a->text = rec_display(r, JV_OBJECT, p, n);
}

static void rec_addr(struct record *r, const struct scan_line *l, enum schema_field f)
{
	const struct jsonv_field *jf = &l->fields[f];
	struct rec_addr *a = &r->addr;
	memset(a, 0, sizeof *a);
	if (jf->type == JV_NONE || jf->type == JV_NULL) {
		a->is_null = 1;
		a->text = rec_lit(r, "None");
		return;
	}
	const char *p = l->bytes + jf->off;
	size_t n = (size_t)jf->len;
	if (jf->type == JV_OBJECT) {
		rec_addr_object(r, a, p, n);
		return;
	}
	a->text = rec_display(r, jf->type, p, n);
	if (jf->type == JV_STRING)
		a->parsed = record_addr_split(a->text.p, a->text.n, &a->system, &a->id);
}

static void rec_timestamp(struct record *r, const struct scan_line *l)
{
	const struct jsonv_field *jf = &l->fields[SF_TIMESTAMP];
	r->ts_raw = rec_put(r, l->bytes + jf->off, (size_t)jf->len);
	if (jf->type != JV_NUMBER) {
		r->ts_kind = REC_TS_OTHER;
		r->ts = 0;
		return;
	}
	r->ts_kind = REC_TS_NUMBER;
	/* strtod reads NaN/Infinity/-Infinity and 1E400 (inf) as Python does */
	r->ts = (l->flags & SL_TS_NUMBER) ? l->ts : strtod(r->ts_raw.p, NULL);
}

int record_decode(struct record *r, const struct scan_line *l, enum rec_status *status, perr *e)
{
	*status = record_classify(l);
	if (*status != REC_OK)
		return 0;

	size_t need = (size_t)l->length + SF__COUNT * REC_FIELD_SLACK + REC_BUF_SLACK;
	if (need > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < need)
			cap *= 2;
		char *nb = malloc(cap);
		if (!nb)
			return perr_set(e, PX_IOERR, "out of memory decoding line %lld of %s",
					(long long)l->line, l->path);
		free(r->buf);
		r->buf = nb;
		r->cap = cap;
	}
	if (!r->jv && !(r->jv = malloc(sizeof *r->jv)))
		return perr_set(e, PX_IOERR, "out of memory decoding line %lld of %s",
				(long long)l->line, l->path);
	r->used = 0;

	r->kind = l->kind;
	r->path = l->path;
	r->line = l->line;
	for (int f = 0; f < SF__COUNT; f++) {
		const struct jsonv_field *jf = &l->fields[f];
		r->raw[f].p = jf->type == JV_NONE ? NULL : l->bytes + jf->off;
		r->raw[f].n = jf->type == JV_NONE ? 0 : (size_t)jf->len;
	}

	rec_timestamp(r, l);
	r->system_id = rec_field(r, l, SF_SYSTEM_ID, "local");
	r->type = (struct rec_str){"", 0};
	r->payload = (struct rec_str){"", 0};
	memset(&r->addr, 0, sizeof r->addr);
	for (int i = 0; i < RC__COUNT; i++)
		r->count[i] = (struct rec_str){"", 0};
	r->orphans = r->dead = (struct rec_str){"", 0};

	switch (r->kind) {
	case RK_EVENT:
		rec_addr(r, l, SF_ACTOR_ADDRESS);
		r->type = rec_field(r, l, SF_EVENT_TYPE, "");
		r->payload = rec_compact_field(r, l, SF_PAYLOAD, "{}");
		break;
	case RK_DEAD_LETTER:
		rec_addr(r, l, SF_TARGET);
		r->type = rec_field(r, l, SF_MESSAGE_TYPE, "");
		/* the reference's dead letter defaults its payload to None */
		r->payload = rec_compact_field(r, l, SF_PAYLOAD, "null");
		break;
	case RK_AUDIT:
		for (int i = 0; i < RC__COUNT; i++)
			r->count[i] = rec_field(r, l, rec_count_field[i], "0");
		r->orphans = rec_compact_field(r, l, SF_REGISTRY_ORPHANS, "[]");
		r->dead = rec_compact_field(r, l, SF_REGISTRY_DEAD, "[]");
		break;
	case RK_UNKNOWN:
	case RK__COUNT:
		break;
	}
	return 0;
}

/* --- formatting ------------------------------------------------------------ */

static void rb_esc(struct strbuf *b, struct rec_str s)
{
	if (strbuf_reserve(b, RECORD_ESCAPE_MAX(s.n)) < 0)
		return;
	b->n += record_escape(b->p + b->n, s.p, s.n);
}

/* Largest value whose thousandths fit a double's integer range exactly. */
#define FMT_TS_FAST_MAX 4.0e12

/* "%.3f" of v, as Python's f"{v:.3f}" prints it.  printf's exact decimal
 * expansion costs more than decoding the whole record, so ordinary
 * timestamps take a shortcut that is exact too: round v*1000 to an integer
 * and check with one fused multiply-add that v*1000 is not within reach of
 * a tie; anything else goes to printf. */
static size_t fmt_3f(char *out, size_t outlen, double v)
{
	double a = fabs(v);
	if (a < FMT_TS_FAST_MAX) {
		double n = nearbyint(a * 1000.0);
		double err = fma(a, 1000.0, -n);
		if (fabs(err) < 0.4999 && outlen >= 24) {
			/* digits by hand: snprintf alone costs a tenth of a listing */
			unsigned long long k = (unsigned long long)n;
			char rev[24];
			int r = 0, o = 0;
			for (int i = 0; i < 3; i++, k /= 10)
				rev[r++] = (char)('0' + k % 10);
			rev[r++] = '.';
			do
				rev[r++] = (char)('0' + k % 10);
			while ((k /= 10) > 0);
			if (signbit(v))
				out[o++] = '-';
			while (r > 0)
				out[o++] = rev[--r];
			out[o] = '\0';
			return (size_t)o;
		}
	}
	return (size_t)snprintf(out, outlen, "%.3f", v);
}

static void fmt_ts(struct strbuf *b, const struct record *r)
{
	char num[400]; /* "%.3f" of DBL_MAX is 313 characters */
	strbuf_add(b, "[", 1);
	if (r->ts_kind != REC_TS_NUMBER)
		strbuf_add(b, r->ts_raw.p, r->ts_raw.n);
	else if (isnan(r->ts))
		strbuf_puts(b, "nan"); /* Python's spelling, never "-nan" */
	else
		strbuf_add(b, num, fmt_3f(num, sizeof num, r->ts));
	strbuf_add(b, "]", 1);
}

char *record_format_line(const struct record *r, size_t *len)
{
	static const char *const audit_keys[RC__COUNT] = {
		[RC_TOTAL] = " total=", [RC_ALIVE] = " alive=", [RC_STOPPING] = " stopping=",
		[RC_RESTARTING] = " restarting=", [RC_DEAD_LETTERS] = " dead_letters=",
	};
	struct strbuf b = { 0 };
	fmt_ts(&b, r);
	switch (r->kind) {
	case RK_EVENT:
		strbuf_add(&b, " ", 1);
		rb_esc(&b, r->type);
		strbuf_add(&b, " ", 1);
		rb_esc(&b, r->addr.text);
		break;
	case RK_AUDIT:
		for (int i = 0; i < RC__COUNT; i++) {
			if (!audit_keys[i])
				continue;
			strbuf_puts(&b, audit_keys[i]);
			rb_esc(&b, r->count[i]);
		}
		break;
	case RK_DEAD_LETTER:
		strbuf_puts(&b, " target=");
		rb_esc(&b, r->addr.text);
		strbuf_puts(&b, " type=");
		rb_esc(&b, r->type);
		strbuf_puts(&b, " payload=");
		strbuf_add(&b, r->payload.p, r->payload.n);
		break;
	case RK_UNKNOWN:
	case RK__COUNT:
		break;
	}
	return strbuf_detach(&b, len);
}

static const char *const rec_field_names[SF__COUNT] = {
#define X(id, name, kinds, types) name,
	SCHEMA_FIELDS(X)
#undef X
};

/* Add a member whose value is JSON text (compacted), or `dflt` when the
 * record does not have it.  Returns 0, or -1 when out of memory. */
static int json_add_raw(cJSON *o, const char *key, const char *p, size_t n, const char *dflt)
{
	if (!p)
		return cJSON_AddRawToObject(o, key, dflt) ? 0 : -1;
	char *tmp = malloc(n + 1);
	if (!tmp)
		return -1;
	record_compact_json(tmp, p, n);
	int rc = cJSON_AddRawToObject(o, key, tmp) ? 0 : -1;
	free(tmp);
	return rc;
}

static int json_add_field(cJSON *o, const struct record *r, enum schema_field f, const char *dflt)
{
	return json_add_raw(o, rec_field_names[f], r->raw[f].p, r->raw[f].n, dflt);
}

static int json_add_addr(cJSON *o, const char *key, const struct rec_addr *a)
{
	cJSON *v = a->is_null ? cJSON_CreateNull() : cJSON_CreateString(a->text.p);
	return v && cJSON_AddItemToObject(o, key, v) ? 0 : -1;
}

char *record_format_json(const struct record *r, size_t *len)
{
	cJSON *o = cJSON_CreateObject();
	int bad = !o || !cJSON_AddStringToObject(o, "kind", rec_kind_name(r->kind)) ||
		  !cJSON_AddStringToObject(o, "path", r->path ? r->path : "") ||
		  !cJSON_AddNumberToObject(o, "line", (double)r->line);
	bad = bad || json_add_raw(o, "timestamp", r->ts_raw.p, r->ts_raw.n, "null") < 0 ||
	      json_add_field(o, r, SF_SYSTEM_ID, "\"local\"") < 0;
	switch (r->kind) {
	case RK_EVENT:
		bad = bad || json_add_addr(o, "actor_address", &r->addr) < 0 ||
		      json_add_field(o, r, SF_EVENT_TYPE, "\"\"") < 0 ||
		      json_add_raw(o, "payload", r->payload.p, r->payload.n, "{}") < 0;
		break;
	case RK_AUDIT:
		for (int i = 0; i < RC__COUNT; i++)
			bad = bad || json_add_field(o, r, rec_count_field[i], "0") < 0;
		bad = bad || json_add_raw(o, "registry_orphans", r->orphans.p, r->orphans.n, "[]") < 0 ||
		      json_add_raw(o, "registry_dead", r->dead.p, r->dead.n, "[]") < 0;
		break;
	case RK_DEAD_LETTER:
		bad = bad || json_add_addr(o, "target", &r->addr) < 0 ||
		      json_add_field(o, r, SF_MESSAGE_TYPE, "\"\"") < 0 ||
		      json_add_raw(o, "payload", r->payload.p, r->payload.n, "null") < 0;
		break;
	case RK_UNKNOWN:
	case RK__COUNT:
		break;
	}
	char *txt = bad ? NULL : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (txt)
		*len = strlen(txt);
	return txt;
}

size_t record_addr_format(const char *p, size_t n, char *out, size_t cap)
{
	if (!cap)
		return 0;
	out[0] = '\0';
	struct record r;
	struct jsonv *v = malloc(sizeof *v);
	struct jsonv_capture none = { NULL, 0 };
	if (!v)
		return 0;
	size_t len = 0;
	if (jsonv_check(v, p, n, &none) == 0) {
		struct jsonv_field f[SF__COUNT];
		struct jsonv_capture c;
		schema_capture_init(f, &c);
		f[SF_ACTOR_ADDRESS].type = jsonv_top_type(v);
		f[SF_ACTOR_ADDRESS].off = 0;
		f[SF_ACTOR_ADDRESS].len = n;
		f[SF_TIMESTAMP].type = JV_NULL; /* listable: a timestamp member (its text is not used) */
		f[SF_TIMESTAMP].off = f[SF_TIMESTAMP].len = 0;
		/* an event holding only this address: decoded as listings decode it */
		struct scan_line l = { .path = "", .length = (int64_t)n, .flags = SL_VALID, .kind = RK_EVENT,
				       .bytes = p, .fields = f };
		enum rec_status st;
		record_init(&r);
		if (record_decode(&r, &l, &st, NULL) == 0) {
			len = r.addr.text.n < cap - 1 ? r.addr.text.n : cap - 1;
			memcpy(out, r.addr.text.p, len);
		}
		record_free(&r);
	} else {
		/* not JSON at all (no stored record has that): as it is */
		len = n < cap - 1 ? n : cap - 1;
		memcpy(out, p, len);
	}
	out[len] = '\0';
	free(v);
	return len;
}
