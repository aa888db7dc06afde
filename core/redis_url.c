/* Redis URL parsing and redaction (see redis_url.h). */
#include "redis_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REDIS_DEFAULT_HOST "localhost"
#define REDIS_REDACTED "***"

/* p[0..n) percent-decoded into a new string ("%zz" that is not a valid
 * escape is kept as written, as Python's unquote does). */
static char *pct_decode(const char *p, size_t n, perr *e)
{
	char *out = px_malloc(n + 1, e);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (p[i] == '%' && i + 2 < n && (hi = px_hexval((unsigned char)p[i + 1])) >= 0 &&
		    (lo = px_hexval((unsigned char)p[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = p[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* Parts of a URL as spans into the string, found the same way for parsing
 * and for redaction: the query starts at the first '?', the user info ends
 * at the last '@' before it (so an unescaped '@' or '/' in a password stays
 * inside the password), the password starts after the first ':' of the
 * user info. */
struct url_spans {
	const char *scheme_end; /* just after "://", or NULL when absent */
	const char *user, *user_end;
	const char *pass, *pass_end; /* NULL when no ':' in the user info */
	const char *rest;            /* after the '@' (or the scheme) */
	const char *query;           /* at '?', or the end of the string */
};

static void url_split(const char *url, struct url_spans *s)
{
	memset(s, 0, sizeof *s);
	const char *sep = strstr(url, "://");
	const char *start = sep ? sep + 3 : url;
	s->scheme_end = sep ? start : NULL;
	s->query = start + strcspn(start, "?");
	s->rest = start;
	const char *at = NULL;
	for (const char *p = start; p < s->query; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return;
	s->user = start;
	s->user_end = at;
	const char *colon = memchr(start, ':', (size_t)(at - start));
	if (colon) {
		s->user_end = colon;
		s->pass = colon + 1;
		s->pass_end = at;
	}
	s->rest = at + 1;
}

char *redis_url_redact(const char *url)
{
	struct url_spans s;
	url_split(url, &s);
	/* worst case: every byte becomes "***" */
	size_t cap = strlen(url) * sizeof REDIS_REDACTED + 1;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	size_t o = 0;
	const char *p = url;
	if (s.pass) {
		memcpy(out, url, (size_t)(s.pass - url));
		o = (size_t)(s.pass - url);
		memcpy(out + o, REDIS_REDACTED, strlen(REDIS_REDACTED));
		o += strlen(REDIS_REDACTED);
		p = s.pass_end;
	}
	memcpy(out + o, p, (size_t)(s.query - p));
	o += (size_t)(s.query - p);
	/* query parameters: password=... is hidden, the rest kept */
	p = s.query;
	while (*p) {
		size_t n = strcspn(p + 1, "&") + 1; /* the '?' or '&' and the parameter */
		if (n > 10 && strncasecmp(p + 1, "password=", 9) == 0) {
			memcpy(out + o, p, 10);
			o += 10;
			memcpy(out + o, REDIS_REDACTED, strlen(REDIS_REDACTED));
			o += strlen(REDIS_REDACTED);
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
	return out;
}

static int url_bad(const char *display, perr *e, const char *why)
{
	return perr_set(e, PX_USAGE, "--redis-url %s: %s (expected redis[s]://[[user]:password@]host[:port][/db], "
			"unix:///path/to.sock[?db=N] or redis[s]-sentinel://host[:port][,host[:port]...]/MASTER[/db])",
			display, why);
}

static int parse_db(const char *p, size_t n, int64_t *db)
{
	if (n == 0 || n > 9)
		return -1; /* Redis databases are numbered 0..databases-1, a few at most */
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*db = v;
	return 0;
}

static int parse_query(struct redis_url *u, const char *q, perr *e)
{
	while (*q) {
		q++; /* '?' or '&' */
		size_t n = strcspn(q, "&");
		const char *eq = memchr(q, '=', n);
		if (eq) {
			size_t kn = (size_t)(eq - q), vn = n - kn - 1;
			const char *v = eq + 1;
			char **dst = NULL;
			if (kn == 2 && strncmp(q, "db", 2) == 0) {
				if (parse_db(v, vn, &u->db) < 0)
					return url_bad(u->display, e, "db must be a small non-negative number");
			} else if (kn == 8 && strncmp(q, "password", 8) == 0) {
				dst = &u->password;
			} else if (kn == 8 && strncmp(q, "username", 8) == 0) {
				dst = &u->user;
			}
			/* other redis-py options (timeouts, pools) mean nothing here */
			if (dst) {
				free(*dst);
				if (!(*dst = pct_decode(v, vn, e)))
					return -1;
			}
		}
		q += n;
	}
	return 0;
}

/* host[:port] in p[0..end) into *host_out and *port_out (left as is when
 * no port is written). */
static int parse_host_port(struct redis_url *u, const char *p, const char *end, char **host_out,
			   int *port_out, perr *e)
{
	const char *host = p, *host_end, *port = NULL;
	if (p < end && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));
		if (!rb)
			return url_bad(u->display, e, "unterminated IPv6 address");
		host = p + 1;
		host_end = rb;
		if (rb + 1 < end) {
			if (rb[1] != ':')
				return url_bad(u->display, e, "unexpected text after the IPv6 address");
			port = rb + 2;
		}
	} else {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		host_end = colon ? colon : end;
		if (colon) {
			if (memchr(colon + 1, ':', (size_t)(end - colon - 1)))
				return url_bad(u->display, e, "an IPv6 host must be written in brackets");
			port = colon + 1;
		}
	}
	*host_out = host_end > host ? strndup(host, (size_t)(host_end - host)) : strdup(REDIS_DEFAULT_HOST);
	if (!*host_out)
		return perr_set(e, PX_IOERR, "out of memory");
	if (port) {
		long v = 0;
		if (port == end || end - port > 5)
			return url_bad(u->display, e, "bad port");
		for (const char *q = port; q < end; q++) {
			if (*q < '0' || *q > '9')
				return url_bad(u->display, e, "bad port");
			v = v * 10 + (*q - '0');
		}
		if (v < 1 || v > 65535)
			return url_bad(u->display, e, "port out of range");
		*port_out = (int)v;
	}
	return 0;
}

static const struct {
	const char *prefix;
	int tls, sentinel, is_unix;
} schemes[] = {
	{ "redis://", 0, 0, 0 },
	{ "rediss://", 1, 0, 0 },
	{ "unix://", 0, 0, 1 },
	{ "redis-sentinel://", 0, 1, 0 },
	{ "redis+sentinel://", 0, 1, 0 },
	{ "rediss-sentinel://", 1, 1, 0 },
	{ "rediss+sentinel://", 1, 1, 0 },
};

static int scheme_of(const char *url)
{
	for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
		if (strncasecmp(url, schemes[i].prefix, strlen(schemes[i].prefix)) == 0)
			return (int)i;
	return -1;
}

int redis_url_is_tls(const char *url)
{
	int k = url ? scheme_of(url) : -1;
	return k >= 0 && schemes[k].tls;
}

/* "h1[:p1],h2[:p2]/MASTER[/db]": the sentinels, then the master's name. */
static int parse_sentinel(struct redis_url *u, const char *p, const char *slash, const char *query,
			  perr *e)
{
	const char *end = slash ? slash : query;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *item_end = comma ? comma : end;
		if (u->n_sentinels == REDIS_SENTINELS_MAX)
			return url_bad(u->display, e, "too many sentinels");
		/* counted first, so that redis_url_free frees a half-parsed one */
		struct redis_endpoint *s = &u->sentinels[u->n_sentinels++];
		s->port = REDIS_SENTINEL_DEFAULT_PORT;
		if (item_end == p && (comma || u->n_sentinels > 1))
			return url_bad(u->display, e, "empty sentinel address");
		if (parse_host_port(u, p, item_end, &s->host, &s->port, e) < 0)
			return -1;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (!slash || slash + 1 >= query)
		return url_bad(u->display, e, "missing the master's name (redis-sentinel://host:port/MASTER)");
	const char *name = slash + 1, *db = memchr(name, '/', (size_t)(query - name));
	const char *name_end = db ? db : query;
	if (name_end == name)
		return url_bad(u->display, e, "missing the master's name (redis-sentinel://host:port/MASTER)");
	if (!(u->master = pct_decode(name, (size_t)(name_end - name), e)))
		return -1;
	if (db && db + 1 < query && parse_db(db + 1, (size_t)(query - db - 1), &u->db) < 0)
		return url_bad(u->display, e, "the path after the master's name must be a database number");
	return 0;
}

int redis_url_parse(const char *url, struct redis_url *u, perr *e)
{
	memset(u, 0, sizeof *u);
	u->port = REDIS_DEFAULT_PORT;
	if (!(u->display = redis_url_redact(url)))
		return perr_set(e, PX_IOERR, "out of memory");
	int k = scheme_of(url);
	if (k < 0)
		return url_bad(u->display, e, "unknown scheme");
	u->tls = schemes[k].tls;
	struct url_spans s;
	url_split(url, &s);
	if (s.user && s.user_end > s.user && !(u->user = pct_decode(s.user, (size_t)(s.user_end - s.user), e)))
		return -1;
	if (s.pass && !(u->password = pct_decode(s.pass, (size_t)(s.pass_end - s.pass), e)))
		return -1;
	const char *slash = memchr(s.rest, '/', (size_t)(s.query - s.rest));
	const char *auth_end = slash ? slash : s.query;
	if (schemes[k].is_unix) {
		if (auth_end != s.rest)
			return url_bad(u->display, e, "a unix socket URL has no host");
		if (!slash || slash + 1 >= s.query)
			return url_bad(u->display, e, "missing socket path");
		if (!(u->socket = strndup(slash, (size_t)(s.query - slash))))
			return perr_set(e, PX_IOERR, "out of memory");
	} else if (schemes[k].sentinel) {
		if (parse_sentinel(u, s.rest, slash, s.query, e) < 0)
			return -1;
	} else {
		if (parse_host_port(u, s.rest, auth_end, &u->host, &u->port, e) < 0)
			return -1;
		if (slash && slash + 1 < s.query &&
		    parse_db(slash + 1, (size_t)(s.query - slash - 1), &u->db) < 0)
			return url_bad(u->display, e, "the path must be a database number");
	}
	return parse_query(u, s.query, e);
}

void redis_url_free(struct redis_url *u)
{
	free(u->host);
	free(u->socket);
	free(u->user);
	if (u->password)
		memset(u->password, 0, strlen(u->password)); /* do not leave it in freed memory */
	free(u->password);
	free(u->display);
	free(u->master);
	for (size_t i = 0; i < u->n_sentinels; i++)
		free(u->sentinels[i].host);
	memset(u, 0, sizeof *u);
}

