/* The record filter of the console (f): parsing what the operator types
 * and deciding for each indexed line, as lnav's filters do, with terms
 * that include and terms that exclude:
 *
 *   type=T  actor=A (target=A)  text=REGEX     include; several of one key: any
 *   !type=T !actor=A            !text=REGEX    exclude: any match hides the line
 *   since=TIME  until=TIME                     a time range
 *
 * Different keys must all hold.  Types and addresses compare interned ids
 * (a pass over the in-memory index, never a re-read of the file); text=
 * reads the line and matches its bytes and its columns as shown (type,
 * address, payload).  Times are read in the zone the screen shows (t:
 * local in local time, else UTC), with fractions, `Z` for UTC, and the
 * form the screen shows ("2026-01-01 00:00:05.250") typed back as is. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "record.h"

/* A text= term reads at most this much of a line: records are far shorter. */
#define FILTER_READ_MAX (1u << 20)

/* Reading lines for text= terms (the predicate has no console). */
static struct {
	char *buf;
	struct record rec;
	int rec_ok;
} R;

void filter_free(struct filter *f)
{
	for (int i = 0; i < f->n_terms; i++)
		if (f->term[i].key == FK_TEXT)
			matcher_free(&f->term[i].m);
	for (int k = 0; k < 4; k++) {
		free(f->ok[k]);
		f->ok[k] = NULL;
		f->ok_n[k] = 0;
	}
	f->n_terms = 0;
	free(R.buf);
	R.buf = NULL;
	if (R.rec_ok)
		record_free(&R.rec);
	R.rec_ok = 0;
}

void filter_clear(struct filter *f)
{
	filter_free(f);
	memset(f, 0, sizeof *f);
}

/* "YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z]" in the zone shown (local or UTC),
 * or epoch seconds. */
int filter_parse_time(const char *s, int local, double *out)
{
	char *end;
	double d = strtod(s, &end);
	if (end != s && *end == '\0' && !strchr(s, '-')) {
		*out = d;
		return 0;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	int n = 0;
	double sec = 0;
	if (sscanf(s, "%d-%d-%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3)
		return -1;
	if (s[n] == 'T' || s[n] == ' ') {
		int m = 0;
		if (sscanf(s + n + 1, "%d:%d%n", &tm.tm_hour, &tm.tm_min, &m) != 2)
			return -1;
		n += 1 + m;
		if (s[n] == ':') {
			char *e2;
			sec = strtod(s + n + 1, &e2);
			if (e2 == s + n + 1 || sec < 0 || sec >= 61)
				return -1;
			n = (int)(e2 - s);
		}
	}
	int utc = !local;
	if (strcmp(s + n, "Z") == 0)
		utc = 1;
	else if (s[n] != '\0')
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	time_t t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mday == 31))
		return -1;
	*out = (double)t + sec;
	return 0;
}

static int addr_equal(const char *a, const char *q)
{
	struct rec_str as, ai, qs, qi;
	if (strcmp(a, q) == 0)
		return 1;
	if (record_addr_split(a, strlen(a), &as, &ai) && record_addr_split(q, strlen(q), &qs, &qi))
		return as.n == qs.n && ai.n == qi.n && memcmp(as.p, qs.p, as.n) == 0 &&
		       memcmp(ai.p, qi.p, ai.n) == 0;
	return 0;
}

/* Bitmaps: [FB_TYPE_IN], [FB_TYPE_OUT], [FB_ADDR_IN], [FB_ADDR_OUT] over ids. */
enum { FB_TYPE_IN, FB_TYPE_OUT, FB_ADDR_IN, FB_ADDR_OUT };

static int bitmap_cover(uint8_t **ok, size_t *have, size_t n)
{
	if (n <= *have)
		return 0;
	uint8_t *nb = realloc(*ok, n);
	if (!nb)
		return -1;
	memset(nb + *have, 0, n - *have);
	*ok = nb;
	*have = n;
	return 0;
}

static int term_hits_id(const struct fterm *t, struct model *m, size_t id)
{
	if (t->key == FK_TYPE)
		return strcasecmp(model_type_name(m, (unsigned)id), t->q) == 0;
	return id == 0 ? strcmp(t->q, "None") == 0 : addr_equal(model_addr_name(m, (unsigned)id), t->q);
}

/* Bring the id bitmaps up to date with what the index interned so far. */
static void filter_sync(struct console *c)
{
	struct filter *f = &c->filt;
	for (int b = 0; b < 4; b++) {
		enum fkey key = b < FB_ADDR_IN ? FK_TYPE : FK_ADDR;
		int neg = b == FB_TYPE_OUT || b == FB_ADDR_OUT;
		size_t n = key == FK_TYPE ? c->m.types.n : c->m.addrs.n;
		size_t from = f->ok_n[b];
		if (!(f->has[key] & (neg ? 2 : 1)) || bitmap_cover(&f->ok[b], &f->ok_n[b], n ? n : 1) < 0)
			continue;
		for (size_t id = from; id < f->ok_n[b]; id++)
			for (int i = 0; i < f->n_terms; i++)
				if (f->term[i].key == key && f->term[i].neg == neg && term_hits_id(&f->term[i], &c->m, id))
					f->ok[b][id] = 1;
	}
}

void filter_refresh(struct console *c)
{
	if (c->filt.active)
		filter_sync(c);
}

static int bit(const struct filter *f, int b, uint32_t id)
{
	return id < f->ok_n[b] && f->ok[b][id];
}

/* Does text term t match line i (its bytes, or its columns as shown)? */
static int text_hits(const struct fterm *t, struct model *m, size_t i)
{
	if (!R.buf && !(R.buf = malloc(FILTER_READ_MAX)))
		return 0;
	long n = model_read_pass(m, i, R.buf, FILTER_READ_MAX);
	if (n <= 0)
		return 0;
	if (matcher_in(&t->m, R.buf, (size_t)n))
		return 1;
	if (!R.rec_ok) {
		record_init(&R.rec);
		R.rec_ok = 1;
	}
	if (jf_decode(&R.rec, R.buf, (size_t)n) != REC_OK)
		return 0;
	return matcher_in(&t->m, R.rec.type.p, R.rec.type.n) || matcher_in(&t->m, R.rec.addr.text.p, R.rec.addr.text.n) ||
	       matcher_in(&t->m, R.rec.payload.p, R.rec.payload.n);
}

int filter_keeps(const struct filter *f, const struct model *cm, size_t i, enum rec_kind kind)
{
	struct model *m = (struct model *)cm; /* reading rows back caches (Redis) */
	/* audits have no type or address: only text and time apply */
	if (kind != RK_AUDIT) {
		uint32_t t = model_type_id(m, i), a = model_addr_id(m, i);
		if ((f->has[FK_TYPE] & 1) && !bit(f, FB_TYPE_IN, t))
			return 0;
		if ((f->has[FK_TYPE] & 2) && bit(f, FB_TYPE_OUT, t))
			return 0;
		if ((f->has[FK_ADDR] & 1) && !bit(f, FB_ADDR_IN, a))
			return 0;
		if ((f->has[FK_ADDR] & 2) && bit(f, FB_ADDR_OUT, a))
			return 0;
	}
	if (f->has_since || f->has_until) {
		if (!(m->meta[i] & MF_TS_NUM))
			return 0;
		double ts = model_ts(m, i);
		if ((f->has_since && ts < f->since) || (f->has_until && ts > f->until))
			return 0;
	}
	if (f->has[FK_TEXT]) {
		int any_in = 0, in_hit = 0;
		for (int k = 0; k < f->n_terms; k++) {
			const struct fterm *t = &f->term[k];
			if (t->key != FK_TEXT)
				continue;
			if (t->neg) {
				if (text_hits(t, m, i))
					return 0;
			} else {
				any_in = 1;
				in_hit = in_hit || text_hits(t, m, i);
			}
		}
		if (any_in && !in_hit)
			return 0;
	}
	return 1;
}

/* Split the typed text into terms; a date followed by a time ("since=
 * 2026-01-01 00:00:05.250", as the screen shows times) is one value. */
static int next_token(char **p, char *out, size_t cap)
{
	while (**p == ' ')
		(*p)++;
	if (!**p)
		return 0;
	char *s = *p, *e = strchr(s, ' ');
	size_t n = e ? (size_t)(e - s) : strlen(s);
	char *eq = memchr(s, '=', n);
	int y, mo, d, hh, mm, k = 0;
	if (e && eq && sscanf(eq + 1, "%d-%d-%d%n", &y, &mo, &d, &k) == 3 && eq + 1 + k == e &&
	    sscanf(e + 1, "%d:%d", &hh, &mm) == 2) {
		char *e2 = strchr(e + 1, ' ');
		n = e2 ? (size_t)(e2 - s) : strlen(s);
	}
	snprintf(out, cap, "%.*s", (int)n, s);
	*p = s + n;
	return 1;
}

int filter_parse(struct console *c, const char *text, char *err, size_t errlen)
{
	struct filter nf;
	memset(&nf, 0, sizeof nf);
	char copy[sizeof nf.text], tok[sizeof nf.text], *p = copy;
	snprintf(copy, sizeof copy, "%s", text);
	int local = c->tmode == TM_LOCAL;
	while (next_token(&p, tok, sizeof tok)) {
		char *t = tok, *eq = strchr(tok, '=');
		int neg = *t == '!';
		t += neg;
		if (!eq || eq[1] == '\0') {
			snprintf(err, errlen, "expected key=value or !key=value, got '%s'", tok);
			goto fail;
		}
		*eq = '\0';
		const char *val = eq + 1;
		if (nf.n_terms == FILTER_TERMS_MAX) {
			snprintf(err, errlen, "at most %d terms", FILTER_TERMS_MAX);
			goto fail;
		}
		struct fterm *ft = &nf.term[nf.n_terms];
		memset(ft, 0, sizeof *ft);
		ft->neg = neg;
		snprintf(ft->q, sizeof ft->q, "%s", val);
		if (strcmp(t, "type") == 0) {
			ft->key = FK_TYPE;
		} else if (strcmp(t, "actor") == 0 || strcmp(t, "target") == 0) {
			ft->key = FK_ADDR;
		} else if (strcmp(t, "text") == 0) {
			ft->key = FK_TEXT;
			if (matcher_set(&ft->m, val) < 0) {
				snprintf(err, errlen, "text=%s cannot be matched", val);
				goto fail;
			}
		} else if (strcmp(t, "since") == 0 || strcmp(t, "until") == 0) {
			double d;
			if (neg) {
				snprintf(err, errlen, "!%s: a time range is not excluded (use since= and until=)", t);
				goto fail;
			}
			if (filter_parse_time(val, local, &d) < 0) {
				snprintf(err, errlen, "bad time '%s' (epoch seconds, or YYYY-MM-DD HH:MM:SS.fff in %s time, "
					 "Z for UTC)", val, local ? "local" : "UTC");
				goto fail;
			}
			if (t[0] == 's')
				nf.has_since = 1, nf.since = d;
			else
				nf.has_until = 1, nf.until = d;
			continue;
		} else {
			snprintf(err, errlen, "unknown key '%s' (type, actor, text, since, until; ! excludes)", t);
			goto fail;
		}
		nf.has[ft->key] |= neg ? 2 : 1;
		nf.n_terms++;
	}
	filter_clear(&c->filt);
	if (!nf.n_terms && !nf.has_since && !nf.has_until)
		return 0; /* empty: no filter */
	nf.active = 1;
	snprintf(nf.text, sizeof nf.text, "%s", text);
	c->filt = nf;
	filter_sync(c);
	return 0;
fail:
	for (int i = 0; i < nf.n_terms + 1 && i < FILTER_TERMS_MAX; i++)
		if (nf.term[i].key == FK_TEXT)
			matcher_free(&nf.term[i].m);
	return -1;
}
