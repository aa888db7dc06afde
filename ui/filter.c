/* The record filter of the console (f): parsing what the operator types
 * and matching interned ids, so a filter over millions of lines costs a
 * pass over the in-memory index, never a re-read of the file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app.h"
#include "record.h"

void filter_free(struct filter *f)
{
	free(f->type_ok);
	free(f->addr_ok);
	f->type_ok = f->addr_ok = NULL;
	f->type_n = f->addr_n = 0;
}

void filter_clear(struct filter *f)
{
	filter_free(f);
	memset(f, 0, sizeof *f);
}

/* Epoch seconds, or a UTC date "YYYY-MM-DD[ T]HH:MM[:SS]". */
static int parse_time(const char *s, double *out)
{
	char *end;
	double d = strtod(s, &end);
	if (end != s && *end == '\0') {
		*out = d;
		return 0;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	int sec = 0, n = 0;
	if (sscanf(s, "%d-%d-%d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3)
		return -1;
	if (s[n] == 'T' || s[n] == ' ') {
		int m = 0;
		if (sscanf(s + n + 1, "%d:%d%n", &tm.tm_hour, &tm.tm_min, &m) != 2)
			return -1;
		n += 1 + m;
		if (s[n] == ':') {
			m = 0;
			if (sscanf(s + n + 1, "%d%n", &sec, &m) != 1)
				return -1;
			n += 1 + m;
		}
	}
	if (s[n] != '\0' && strcmp(s + n, "Z") != 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_sec = sec;
	*out = (double)timegm(&tm);
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

/* Grow a bitmap to cover ids [0, n); 0, or -1 when memory is short. */
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

/* Bring the id bitmaps up to date with what the index interned so far. */
static void filter_sync(struct console *c)
{
	struct filter *f = &c->filt;
	if (f->has_type) {
		size_t from = f->type_n ? f->type_n : 1;
		if (bitmap_cover(&f->type_ok, &f->type_n, c->m.types.n) == 0)
			for (size_t id = from; id < f->type_n; id++)
				f->type_ok[id] = strcasecmp(model_type_name(&c->m, (unsigned)id), f->type_q) == 0;
	}
	if (f->has_addr) {
		size_t from = f->addr_n ? f->addr_n : 1;
		if (bitmap_cover(&f->addr_ok, &f->addr_n, c->m.addrs.n) == 0) {
			f->addr_ok[0] = strcmp(f->addr_q, "None") == 0;
			for (size_t id = from; id < f->addr_n; id++)
				f->addr_ok[id] = (uint8_t)addr_equal(model_addr_name(&c->m, (unsigned)id), f->addr_q);
		}
	}
}

void filter_refresh(struct console *c)
{
	if (c->filt.active)
		filter_sync(c);
}

int filter_parse(struct console *c, const char *text, char *err, size_t errlen)
{
	struct filter nf;
	memset(&nf, 0, sizeof nf);
	char copy[sizeof nf.text], *save = NULL;
	snprintf(copy, sizeof copy, "%s", text);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');
		if (!eq || eq[1] == '\0') {
			snprintf(err, errlen, "expected key=value, got '%s'", t);
			return -1;
		}
		*eq = '\0';
		const char *val = eq + 1;
		if (strcmp(t, "type") == 0) {
			nf.has_type = 1;
			snprintf(nf.type_q, sizeof nf.type_q, "%s", val);
		} else if (strcmp(t, "actor") == 0 || strcmp(t, "target") == 0) {
			nf.has_addr = 1;
			snprintf(nf.addr_q, sizeof nf.addr_q, "%s", val);
		} else if (strcmp(t, "since") == 0 || strcmp(t, "until") == 0) {
			double d;
			if (parse_time(val, &d) < 0) {
				snprintf(err, errlen, "bad time '%s' (epoch seconds or YYYY-MM-DDTHH:MM:SS, UTC)", val);
				return -1;
			}
			if (t[0] == 's')
				nf.has_since = 1, nf.since = d;
			else
				nf.has_until = 1, nf.until = d;
		} else {
			snprintf(err, errlen, "unknown key '%s' (type, actor, since, until)", t);
			return -1;
		}
	}
	filter_clear(&c->filt);
	if (!nf.has_type && !nf.has_addr && !nf.has_since && !nf.has_until)
		return 0; /* empty: no filter */
	if ((nf.has_type && bitmap_cover(&nf.type_ok, &nf.type_n, 1) < 0) ||
	    (nf.has_addr && bitmap_cover(&nf.addr_ok, &nf.addr_n, 1) < 0)) {
		filter_free(&nf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	nf.active = 1;
	snprintf(nf.text, sizeof nf.text, "%s", text);
	c->filt = nf;
	filter_sync(c);
	return 0;
}
