/* Redis URL parsing and a checked, pipelined connection (see redis_conn.h). */
#include "redis_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define REDIS_DEFAULT_HOST "localhost"
#define REDIS_DEFAULT_PORT 6379
#define REDIS_REDACTED "***"

/* ---- URL ---------------------------------------------------------------- */

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
	return perr_set(e, PX_USAGE, "--redis-url %s: %s (expected redis://[[user]:password@]host[:port][/db] "
			"or unix:///path/to.sock[?db=N])", display, why);
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

static int parse_host_port(struct redis_url *u, const char *p, const char *end, perr *e)
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
	u->host = host_end > host ? strndup(host, (size_t)(host_end - host)) : strdup(REDIS_DEFAULT_HOST);
	if (!u->host)
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
		u->port = (int)v;
	}
	return 0;
}

int redis_url_parse(const char *url, struct redis_url *u, perr *e)
{
	memset(u, 0, sizeof *u);
	u->port = REDIS_DEFAULT_PORT;
	if (!(u->display = redis_url_redact(url)))
		return perr_set(e, PX_IOERR, "out of memory");
	int is_unix = strncasecmp(url, "unix://", 7) == 0;
	if (strncasecmp(url, "rediss://", 9) == 0)
		return url_bad(u->display, e, "TLS (rediss://) is not supported by this build");
	if (!is_unix && strncasecmp(url, "redis://", 8) != 0)
		return url_bad(u->display, e, "unknown scheme");
	struct url_spans s;
	url_split(url, &s);
	if (s.user && s.user_end > s.user && !(u->user = pct_decode(s.user, (size_t)(s.user_end - s.user), e)))
		return -1;
	if (s.pass && !(u->password = pct_decode(s.pass, (size_t)(s.pass_end - s.pass), e)))
		return -1;
	const char *slash = memchr(s.rest, '/', (size_t)(s.query - s.rest));
	const char *auth_end = slash ? slash : s.query;
	if (is_unix) {
		if (auth_end != s.rest)
			return url_bad(u->display, e, "a unix socket URL has no host");
		if (!slash || slash + 1 >= s.query)
			return url_bad(u->display, e, "missing socket path");
		if (!(u->socket = strndup(slash, (size_t)(s.query - slash))))
			return perr_set(e, PX_IOERR, "out of memory");
	} else {
		if (parse_host_port(u, s.rest, auth_end, e) < 0)
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
	memset(u, 0, sizeof *u);
}

/* ---- connection ---------------------------------------------------------- */

static struct timeval ms_to_tv(long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	return tv;
}

/* Error replies that mean "this server will not serve us": the same class
 * as an unreachable one (exit 69), not an I/O error on the data. */
static int unavailable_error(const char *msg)
{
	static const char *const prefixes[] = { "NOAUTH", "WRONGPASS", "NOPERM", "LOADING",
						"MASTERDOWN", "MISCONF" };
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (strncmp(msg, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

int redis_reply_check(const struct redis_conn *c, const redisReply *r, int type,
		      const char *what, perr *e)
{
	if (!r)
		return perr_set(e, PX_UNAVAILABLE, "Redis at %s: no reply to %s", c->display, what);
	if (r->type == REDIS_REPLY_ERROR)
		return perr_set(e, unavailable_error(r->str) ? PX_UNAVAILABLE : PX_IOERR,
				"Redis at %s: %s failed: %s", c->display, what, r->str);
	if (type >= 0 && r->type != type)
		return perr_set(e, PX_IOERR, "Redis at %s: unexpected reply to %s (type %d)",
				c->display, what, r->type);
	return 0;
}

int redis_conn_append(struct redis_conn *c, int argc, const char **argv, const size_t *len,
		      perr *e)
{
	if (redisAppendCommandArgv(c->ctx, argc, argv, len) != REDIS_OK)
		return perr_set(e, PX_IOERR, "Redis at %s: cannot queue %s: %s", c->display, argv[0],
				c->ctx->errstr[0] ? c->ctx->errstr : "out of memory");
	return 0;
}

static int64_t conn_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int conn_timed_out(const struct redis_conn *c, perr *e)
{
	return perr_set(e, PX_UNAVAILABLE, "Redis at %s timed out after %g s (--redis-timeout)",
			c->display, (double)c->timeout_ms / 1000.0);
}

static int conn_lost(const struct redis_conn *c, perr *e)
{
	return perr_set(e, PX_UNAVAILABLE, "Redis at %s: connection lost: %s", c->display,
			c->ctx->errstr[0] ? c->ctx->errstr : "no reply");
}

/* Wait for the socket to be ready for `events` until `deadline`: 1 ready,
 * 0 the deadline passed, -1 poll failed. */
static int conn_wait(const struct redis_conn *c, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - conn_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = c->ctx->fd, .events = events };
		int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Flush the pending commands and read one reply, all before `deadline`:
 * the socket is non-blocking, so a server that sends one byte every few
 * seconds (each read() would succeed) still meets the deadline. */
static void *conn_reply_by(struct redis_conn *c, int64_t deadline, perr *e)
{
	void *reply = NULL;
	if (redisGetReplyFromReader(c->ctx, &reply) != REDIS_OK)
		return conn_lost(c, e), NULL;
	if (reply)
		return reply;
	int done = 0, w;
	for (;;) {
		if (redisBufferWrite(c->ctx, &done) != REDIS_OK)
			return conn_lost(c, e), NULL;
		if (done)
			break;
		if ((w = conn_wait(c, POLLOUT, deadline)) <= 0)
			return (w == 0 ? conn_timed_out(c, e) : conn_lost(c, e)), NULL;
	}
	for (;;) {
		if ((w = conn_wait(c, POLLIN, deadline)) <= 0)
			return (w == 0 ? conn_timed_out(c, e) : conn_lost(c, e)), NULL;
		if (redisBufferRead(c->ctx) != REDIS_OK ||
		    redisGetReplyFromReader(c->ctx, &reply) != REDIS_OK)
			return conn_lost(c, e), NULL;
		if (reply)
			return reply;
	}
}

redisReply *redis_conn_reply(struct redis_conn *c, perr *e)
{
	/* A server that closes the socket while we write would raise SIGPIPE
	 * and kill us without a word: block it around the write and swallow
	 * the pending signal, leaving the process's disposition alone. */
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	int64_t deadline = conn_now_ms() + c->timeout_ms;
	if (c->open_deadline && c->open_deadline < deadline)
		deadline = c->open_deadline;
	void *reply = conn_reply_by(c, deadline, e);
	if (!sigismember(&old, SIGPIPE)) {
		sigset_t pending;
		if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
			struct timespec zero = { 0, 0 };
			sigtimedwait(&pipe_set, NULL, &zero);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return reply;
}

redisReply *redis_conn_command(struct redis_conn *c, int type, const char *what, int argc,
			       const char **argv, const size_t *len, perr *e)
{
	if (redis_conn_append(c, argc, argv, len, e) < 0)
		return NULL;
	redisReply *r = redis_conn_reply(c, e);
	if (r && redis_reply_check(c, r, type, what, e) < 0) {
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* Every wait is ours (poll with a deadline), so the socket never blocks;
 * hiredis then treats EAGAIN as "later" instead of an error. */
static int conn_set_nonblocking(struct redis_conn *c, perr *e)
{
	int fl = fcntl(c->ctx->fd, F_GETFL);
	if (fl < 0 || fcntl(c->ctx->fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return perr_set(e, PX_UNAVAILABLE, "Redis at %s: cannot configure the socket: %s",
				c->display, strerror(errno));
	c->ctx->flags &= ~REDIS_BLOCK;
	return 0;
}

/* AUTH, then SELECT (or PING): every failure here means the server is not
 * usable with this URL, so it is PX_UNAVAILABLE whatever the reply. */
static int handshake(struct redis_conn *c, const struct redis_url *u, perr *e)
{
	redisReply *r;
	if (u->password) {
		const char *argv[3] = { "AUTH", u->user ? u->user : u->password, u->password };
		int argc = u->user ? 3 : 2;
		if (redis_conn_append(c, argc, argv, NULL, e) < 0 || !(r = redis_conn_reply(c, e)))
			return -1;
		int refused = r->type == REDIS_REPLY_ERROR;
		if (refused)
			perr_set(e, PX_UNAVAILABLE, "Redis at %s refused the credentials: %s", c->display,
				 r->str);
		freeReplyObject(r);
		if (refused)
			return -1;
	}
	char db[24];
	snprintf(db, sizeof db, "%lld", (long long)u->db);
	const char *sel[2] = { "SELECT", db }, *ping[1] = { "PING" };
	r = u->db ? redis_conn_command(c, -1, "SELECT", 2, sel, NULL, e)
		  : redis_conn_command(c, -1, "PING", 1, ping, NULL, e);
	if (!r) {
		e->code = PX_UNAVAILABLE;
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

int redis_conn_open(struct redis_conn *c, const char *url, int64_t timeout_ms, perr *e)
{
	struct redis_url u;
	memset(c, 0, sizeof *c);
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : REDIS_COMMAND_TIMEOUT_MS;
	c->open_deadline = conn_now_ms() + c->timeout_ms;
	if (redis_url_parse(url, &u, e) < 0) {
		redis_url_free(&u);
		return -1;
	}
	c->display = u.display;
	u.display = NULL;
	struct timeval tv = ms_to_tv(c->timeout_ms < REDIS_CONNECT_TIMEOUT_MS ? (long)c->timeout_ms
									       : REDIS_CONNECT_TIMEOUT_MS);
	c->ctx = u.socket ? redisConnectUnixWithTimeout(u.socket, tv)
			  : redisConnectWithTimeout(u.host, u.port, tv);
	int rc = 0;
	if (!c->ctx)
		rc = perr_set(e, PX_IOERR, "out of memory connecting to Redis");
	else if (c->ctx->err)
		rc = perr_set(e, PX_UNAVAILABLE, "Redis unavailable at %s: %s", c->display,
			      c->ctx->errstr);
	else if (conn_set_nonblocking(c, e) < 0)
		rc = -1;
	else
		rc = handshake(c, &u, e);
	c->open_deadline = 0;
	redis_url_free(&u);
	if (rc < 0)
		redis_conn_close(c);
	return rc;
}

void redis_conn_close(struct redis_conn *c)
{
	if (c->ctx)
		redisFree(c->ctx);
	free(c->display);
	memset(c, 0, sizeof *c);
}
