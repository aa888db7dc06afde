/* A checked, pipelined Redis connection over our own socket (see
 * redis_conn.h); Sentinel discovery is in redis_sentinel.c. */
#include "redis_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "redis_conn_int.h"
#include "strbuf.h"

/* A TLS handshake is a few round trips; a server that has not finished
 * one by then is almost surely a plain Redis waiting for a newline in
 * our ClientHello, and saying so beats waiting --redis-timeout. */
#define REDIS_TLS_HANDSHAKE_TIMEOUT_MS 5000
/* Bytes per read: a good part of a page of entries per system call. */
#define REDIS_READ_CHUNK (64 * 1024)

/* ---- replies and their classes ------------------------------------------ */

#define HINT_REPLICA "this server is a read-only replica: point --redis-url at the master, " \
	"or let a Sentinel find it (redis-sentinel://host:port/MASTER)"
/* Cluster replies that reach the caller: through a cluster connection they
 * are the ones routing cannot fix; from a node that would not tell us it
 * is one (CLUSTER SLOTS refused), the fix is a permission. */
#define HINT_CLUSTER_REFUSED "this is a Redis Cluster node, and the ACL user may not ask for the " \
	"cluster's layout: grant it +cluster|slots"
#define CLUSTER_MOVING "the cluster is moving this hash slot: run again once the resharding is done"

/* Error replies by their first word: those that mean "this server will not
 * serve us this way" are the class of an unreachable one (exit 69), not an
 * I/O error on the data; some are worth an explanation.  `cluster` is the
 * hint through a cluster connection (NULL: the same as hint). */
static const struct {
	const char *prefix;
	const char *hint;
	const char *cluster;
} unavailable_replies[] = {
	{ "NOAUTH", "the server wants a password: redis://user:password@host...", NULL },
	{ "WRONGPASS", NULL, NULL },
	{ "NOPERM", "the ACL user lacks a permission this command needs", NULL },
	{ "LOADING", NULL, NULL },
	{ "MASTERDOWN", NULL, NULL },
	{ "MISCONF", NULL, NULL },
	{ "BUSY ", NULL, NULL },
	{ "READONLY", HINT_REPLICA, NULL },
	{ "MOVED", HINT_CLUSTER_REFUSED, CLUSTER_MOVING },
	{ "ASK ", HINT_CLUSTER_REFUSED, CLUSTER_MOVING },
	{ "TRYAGAIN", HINT_CLUSTER_REFUSED, CLUSTER_MOVING },
	{ "CLUSTERDOWN", "this is a Redis Cluster node and the cluster is down",
	  "the cluster cannot serve this hash slot now: wait until CLUSTER INFO says cluster_state:ok" },
	{ "CROSSSLOT", "this is a Redis Cluster node and these keys are in different hash slots",
	  "these keys are in different hash slots" },
	{ "ERR SELECT is not allowed in cluster mode", "a Redis Cluster has db 0 only: end the URL with /0",
	  NULL },
	{ "ERR max number of clients reached", NULL, NULL },
};

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int redis_conn_unknown_command(const char *msg)
{
	return starts_with(msg, "ERR unknown command");
}

int redis_reply_check(const struct redis_conn *c, const redisReply *r, int type,
		      const char *what, perr *e)
{
	if (!r)
		return perr_set(e, PX_UNAVAILABLE, "Redis at %s: no reply to %s", c->display, what);
	if (r->type == REDIS_REPLY_ERROR) {
		if (c->sentinel_of && redis_conn_unknown_command(r->str))
			return perr_set(e, PX_USAGE, "Redis at %s: %s failed: %s (this is a Redis Sentinel%s%s; "
					"use redis-sentinel://host:port/MASTER)", c->display, what, r->str,
					*c->sentinel_of ? ", watching " : "", c->sentinel_of);
		for (size_t i = 0; i < sizeof unavailable_replies / sizeof *unavailable_replies; i++)
			if (starts_with(r->str, unavailable_replies[i].prefix)) {
				const char *h = unavailable_replies[i].hint;
				if (c->cluster && unavailable_replies[i].cluster)
					h = unavailable_replies[i].cluster;
				else if (!c->cluster && !c->cluster_refused && unavailable_replies[i].cluster &&
					 starts_with(unavailable_replies[i].cluster, CLUSTER_MOVING))
					h = "this is a Redis Cluster node";
				return perr_set(e, PX_UNAVAILABLE, "Redis at %s: %s failed: %s%s%s%s", c->display,
						what, r->str, h ? " (" : "", h ? h : "", h ? ")" : "");
			}
		return perr_set(e, PX_IOERR, "Redis at %s: %s failed: %s", c->display, what, r->str);
	}
	if (type >= 0 && r->type != type)
		return perr_set(e, PX_IOERR, "Redis at %s: unexpected reply to %s (type %d)",
				c->display, what, r->type);
	return 0;
}

/* ---- the transport --------------------------------------------------------- */

int64_t redis_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for the socket to be ready for `events` until `deadline`: 1 ready,
 * 0 the deadline passed, -1 poll failed. */
static int conn_wait(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - redis_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = events };
		int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 1;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

/* Non-blocking I/O on either transport: > 0 bytes, 0 end of stream (read),
 * or REDIS_IO_* (c->lost says why on REDIS_IO_ERROR). */
static ssize_t conn_io(struct redis_conn *c, int writing, void *buf, size_t n)
{
	ssize_t r;
	if (c->tls) {
		r = writing ? redis_tls_write(c->tls, buf, n) : redis_tls_read(c->tls, buf, n);
		if (r == REDIS_IO_ERROR)
			snprintf(c->lost, sizeof c->lost, "%s", redis_tls_error(c->tls, NULL));
		return r;
	}
	do
		r = writing ? send(c->fd, buf, n, MSG_NOSIGNAL) : read(c->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return writing ? REDIS_IO_WANT_WRITE : REDIS_IO_WANT_READ;
	snprintf(c->lost, sizeof c->lost, "%s", strerror(errno));
	return REDIS_IO_ERROR;
}

static int conn_timed_out(const struct redis_conn *c, perr *e)
{
	return perr_set(e, PX_UNAVAILABLE, "Redis at %s timed out after %g s (--redis-timeout)",
			c->display, (double)c->timeout_ms / 1000.0);
}

static int conn_lost(const struct redis_conn *c, perr *e)
{
	/* hung up on before any reply: a plain client on a TLS port, or (TLS
	 * 1.3 checks the client's certificate after the client's handshake
	 * ended) a TLS server that wants a certificate we did not send */
	const char *hint = "";
	if (c->replies == 0 && !c->tls && strstr(c->lost, "closed"))
		hint = " (if the server expects TLS on this port, use rediss://)";
	else if (c->replies == 0 && c->tls && !redis_tls_ctx_has_cert(c->tls_ctx))
		hint = " (does the server require a client certificate? --redis-tls-cert FILE --redis-tls-key FILE)";
	return perr_set(e, PX_UNAVAILABLE, "Redis at %s: connection lost: %s%s", c->display,
			c->lost[0] ? c->lost : "no reply", hint);
}

/* Wait as an I/O result asks, until `deadline`; 0 to retry, -1 (e set). */
static int conn_await(struct redis_conn *c, ssize_t want, int64_t deadline, perr *e)
{
	int w = conn_wait(c->fd, want == REDIS_IO_WANT_WRITE ? POLLOUT : POLLIN, deadline);
	if (w == 0)
		return conn_timed_out(c, e);
	if (w < 0) {
		snprintf(c->lost, sizeof c->lost, "poll: %s", strerror(errno));
		return conn_lost(c, e);
	}
	return 0;
}

static int conn_flush(struct redis_conn *c, int64_t deadline, perr *e)
{
	while (c->out_off < c->out_n) {
		ssize_t w = conn_io(c, 1, c->out + c->out_off, c->out_n - c->out_off);
		if (w > 0)
			c->out_off += (size_t)w;
		else if (w == REDIS_IO_WANT_READ || w == REDIS_IO_WANT_WRITE) {
			if (conn_await(c, w, deadline, e) < 0)
				return -1;
		} else {
			return conn_lost(c, e);
		}
	}
	c->out_n = c->out_off = 0;
	return 0;
}

/* Read what the server sent into the reader (waiting for it). */
static int conn_fill(struct redis_conn *c, int64_t deadline, perr *e)
{
	char buf[REDIS_READ_CHUNK];
	for (;;) {
		ssize_t r = conn_io(c, 0, buf, sizeof buf);
		if (r > 0) {
			if (redisReaderFeed(c->reader, buf, (size_t)r) != REDIS_OK)
				return perr_set(e, PX_IOERR, "out of memory reading from Redis");
			return 0;
		}
		if (r == 0) {
			snprintf(c->lost, sizeof c->lost, "the server closed the connection");
			return conn_lost(c, e);
		}
		if (r == REDIS_IO_ERROR || conn_await(c, r, deadline, e) < 0)
			return r == REDIS_IO_ERROR ? conn_lost(c, e) : -1;
	}
}

/* Flush the pending commands and read one reply, all before `deadline`:
 * the socket is non-blocking, so a server that sends one byte every few
 * seconds (each read would succeed) still meets the deadline. */
static redisReply *conn_reply_by(struct redis_conn *c, int64_t deadline, perr *e)
{
	void *reply = NULL;
	if (c->fd < 0)
		return perr_set(e, PX_UNAVAILABLE, "Redis at %s: not connected", c->display), NULL;
	if (conn_flush(c, deadline, e) < 0)
		return NULL;
	for (;;) {
		if (redisReaderGetReply(c->reader, &reply) != REDIS_OK) {
			snprintf(c->lost, sizeof c->lost, "protocol error: %s", c->reader->errstr);
			return conn_lost(c, e), NULL;
		}
		if (reply)
			break;
		if (conn_fill(c, deadline, e) < 0)
			return NULL;
	}
	c->replies++;
	if (c->queued)
		c->queued--;
	return reply;
}

/* A server that closes the socket while we write would raise SIGPIPE and
 * kill us without a word (OpenSSL writes with write(), not send()): block
 * it around our I/O and swallow a pending one, leaving the process's
 * disposition alone. */
void redis_sigpipe_block(sigset_t *old)
{
	sigset_t pipe_set;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, old);
}

void redis_sigpipe_restore(const sigset_t *old)
{
	if (sigismember(old, SIGPIPE))
		return;
	sigset_t pipe_set, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
		struct timespec zero = { 0, 0 };
		sigtimedwait(&pipe_set, NULL, &zero);
	}
	sigprocmask(SIG_SETMASK, old, NULL);
}

static int64_t conn_deadline(const struct redis_conn *c)
{
	int64_t deadline = redis_now_ms() + c->timeout_ms;
	return c->open_deadline && c->open_deadline < deadline ? c->open_deadline : deadline;
}

/* After "ERR unknown command", ask ROLE once: a Sentinel answers
 * "sentinel" and the masters it watches, so the message can say what to
 * write instead.  The replies already queued are read ahead into the
 * stash first, and handed out in order afterwards.  Best effort: a
 * failure here leaves the original error to speak. */
static void conn_probe_role(struct redis_conn *c, int64_t deadline)
{
	perr ignored = { 0 };
	c->probed = 1;
	size_t ahead = c->queued;
	if (ahead && !(c->stash = calloc(ahead, sizeof *c->stash)))
		return;
	while (c->n_stash < ahead) {
		redisReply *r = conn_reply_by(c, deadline, &ignored);
		if (!r)
			return;
		c->stash[c->n_stash++] = r;
	}
	const char *role[1] = { "ROLE" };
	if (redis_node_append(c, 1, role, NULL, &ignored) < 0)
		return;
	redisReply *r = conn_reply_by(c, deadline, &ignored);
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
	    r->element[0]->type == REDIS_REPLY_STRING && strcmp(r->element[0]->str, "sentinel") == 0) {
		struct strbuf names = { 0 };
		const redisReply *m = r->elements >= 2 ? r->element[1] : NULL;
		for (size_t i = 0; m && m->type == REDIS_REPLY_ARRAY && i < m->elements; i++)
			if (m->element[i]->type == REDIS_REPLY_STRING)
				strbuf_printf(&names, "%s%s", i ? ", " : "", m->element[i]->str);
		c->sentinel_of = strbuf_detach(&names, NULL);
	}
	if (r)
		freeReplyObject(r);
}

redisReply *redis_node_reply(struct redis_conn *c, perr *e)
{
	if (c->stash_at < c->n_stash) {
		redisReply *r = c->stash[c->stash_at++];
		if (c->stash_at == c->n_stash) {
			free(c->stash);
			c->stash = NULL;
			c->n_stash = c->stash_at = 0;
		}
		return r;
	}
	sigset_t old;
	redis_sigpipe_block(&old);
	int64_t deadline = conn_deadline(c);
	redisReply *reply = conn_reply_by(c, deadline, e);
	if (reply && reply->type == REDIS_REPLY_ERROR && !c->probed && redis_conn_unknown_command(reply->str))
		conn_probe_role(c, deadline);
	redis_sigpipe_restore(&old);
	return reply;
}

int redis_node_flush(struct redis_conn *c, perr *e)
{
	sigset_t old;
	redis_sigpipe_block(&old);
	int rc = c->fd < 0 ? perr_set(e, PX_UNAVAILABLE, "Redis at %s: not connected", c->display)
			   : conn_flush(c, conn_deadline(c), e);
	redis_sigpipe_restore(&old);
	return rc;
}

int redis_node_append_raw(struct redis_conn *c, const char *cmd, size_t n, perr *e)
{
	if (px_grow(&c->out, &c->out_cap, c->out_n + n, 1, e) < 0)
		return perr_set(e, PX_IOERR, "Redis at %s: cannot queue a command: out of memory", c->display);
	memcpy(c->out + c->out_n, cmd, n);
	c->out_n += n;
	c->queued++;
	return 0;
}

int redis_node_append(struct redis_conn *c, int argc, const char **argv, const size_t *len,
		      perr *e)
{
	char *cmd = NULL;
	int n = redisFormatCommandArgv(&cmd, argc, argv, len);
	int rc = n < 0 ? perr_set(e, PX_IOERR, "Redis at %s: cannot queue %s: out of memory", c->display, argv[0])
		       : redis_node_append_raw(c, cmd, (size_t)n, e);
	free(cmd);
	return rc;
}

int redis_conn_append(struct redis_conn *c, int argc, const char **argv, const size_t *len,
		      perr *e)
{
	if (c->cluster)
		return redis_cluster_append(c, argc, argv, len, e);
	return redis_node_append(c, argc, argv, len, e);
}

redisReply *redis_conn_reply(struct redis_conn *c, perr *e)
{
	if (c->cluster)
		return redis_cluster_reply(c, e);
	return redis_node_reply(c, e);
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

/* ---- connecting -------------------------------------------------------------- */

/* connect() on a non-blocking socket, waited for until `deadline`. */
static int connect_by(int fd, const struct sockaddr *sa, socklen_t len, int64_t deadline, char *why,
		      size_t cap)
{
	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR) {
		snprintf(why, cap, "%s", strerror(errno));
		return -1;
	}
	int w = conn_wait(fd, POLLOUT, deadline), err = 0;
	socklen_t el = sizeof err;
	if (w == 0)
		err = ETIMEDOUT;
	else if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (!err)
		return 0;
	snprintf(why, cap, "%s", strerror(err));
	return -1;
}

static int open_tcp(const char *host, int port, int64_t deadline, char *why, size_t cap)
{
	char service[8];
	snprintf(service, sizeof service, "%d", port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	int g = getaddrinfo(host, service, &hints, &res);
	if (g != 0) {
		snprintf(why, cap, "cannot resolve '%s': %s", host, gai_strerror(g));
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			snprintf(why, cap, "socket: %s", strerror(errno));
			continue;
		}
		if (connect_by(fd, a->ai_addr, a->ai_addrlen, deadline, why, cap) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		int one = 1; /* commands are small and pipelined: no Nagle delay */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	return fd;
}

static int open_unix(const char *path, int64_t deadline, char *why, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		snprintf(why, cap, "socket path too long");
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, cap, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect_by(fd, (struct sockaddr *)&sa, sizeof sa, deadline, why, cap) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int tls_start(struct redis_conn *c, const char *host, int64_t deadline, perr *e)
{
	if (!(c->tls = redis_tls_new(c->tls_ctx, c->fd, host, e)))
		return -1;
	int64_t hs = redis_now_ms() + REDIS_TLS_HANDSHAKE_TIMEOUT_MS;
	if (hs < deadline)
		deadline = hs;
	for (;;) {
		int r = redis_tls_handshake(c->tls);
		if (r == 1)
			return 0;
		if (r == REDIS_IO_ERROR) {
			int verify;
			const char *why = redis_tls_error(c->tls, &verify);
			return perr_set(e, PX_UNAVAILABLE, "Redis unavailable at %s: TLS handshake failed: %s%s",
					c->display, why,
					verify ? " (--redis-tls-ca FILE names the CA that signed the server's "
						 "certificate; --redis-tls-insecure skips the check)"
					       : " (does the server speak TLS on this port?)");
		}
		int w = conn_wait(c->fd, r == REDIS_IO_WANT_WRITE ? POLLOUT : POLLIN, deadline);
		if (w == 0)
			return perr_set(e, PX_UNAVAILABLE, "Redis unavailable at %s: TLS handshake timed out "
					"(does the server speak TLS on this port?)", c->display);
		if (w < 0)
			return perr_set(e, PX_UNAVAILABLE, "Redis at %s: poll: %s", c->display, strerror(errno));
	}
}

int redis_conn_connect(struct redis_conn *c, const char *host, int port, const char *socket_path,
		       perr *e)
{
	char why[200] = "";
	int64_t deadline = c->open_deadline, cdl = redis_now_ms() + REDIS_CONNECT_TIMEOUT_MS;
	c->fd = socket_path ? open_unix(socket_path, cdl < deadline ? cdl : deadline, why, sizeof why)
			    : open_tcp(host, port, cdl < deadline ? cdl : deadline, why, sizeof why);
	if (c->fd < 0)
		return perr_set(e, PX_UNAVAILABLE, "Redis unavailable at %s: %s", c->display, why);
	if (!(c->reader = redisReaderCreate()))
		return perr_set(e, PX_IOERR, "out of memory connecting to Redis");
	if (!c->tls_ctx)
		return 0;
	sigset_t old;
	redis_sigpipe_block(&old);
	int rc = tls_start(c, host, deadline, e);
	redis_sigpipe_restore(&old);
	return rc;
}

void redis_conn_disconnect(struct redis_conn *c)
{
	if (c->tls) {
		sigset_t old;
		redis_sigpipe_block(&old);
		redis_tls_free(c->tls);
		redis_sigpipe_restore(&old);
	}
	if (c->fd >= 0)
		close(c->fd);
	if (c->reader)
		redisReaderFree(c->reader);
	for (size_t i = c->stash_at; i < c->n_stash; i++)
		freeReplyObject(c->stash[i]);
	free(c->stash);
	free(c->out);
	free(c->sentinel_of);
	c->tls = NULL;
	c->fd = -1;
	c->reader = NULL;
	c->stash = NULL;
	c->out = NULL;
	c->sentinel_of = NULL;
	c->n_stash = c->stash_at = c->out_n = c->out_off = c->out_cap = c->queued = c->replies = 0;
	c->probed = 0;
	c->lost[0] = '\0';
}

int redis_conn_handshake(struct redis_conn *c, const char *user, const char *password, int64_t db,
			 perr *e)
{
	redisReply *r;
	if (password) {
		const char *argv[3] = { "AUTH", user ? user : password, password };
		int argc = user ? 3 : 2;
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
	if (db == 0)
		return 0; /* no SELECT, no PING: nothing an ACL user has to be granted */
	char num[24];
	snprintf(num, sizeof num, "%lld", (long long)db);
	const char *sel[2] = { "SELECT", num };
	if (!(r = redis_conn_command(c, -1, "SELECT", 2, sel, NULL, e))) {
		if (e->code != PX_USAGE)
			e->code = PX_UNAVAILABLE; /* whatever the reply: this URL cannot be used */
		return -1;
	}
	freeReplyObject(r);
	return 0;
}

void redis_conn_init(struct redis_conn *c, int64_t timeout_ms)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : REDIS_COMMAND_TIMEOUT_MS;
	c->open_deadline = redis_now_ms() + c->timeout_ms;
}

int redis_conn_open(struct redis_conn *c, const char *url, const struct redis_conn_opts *o, perr *e)
{
	static const struct redis_conn_opts none = { 0 };
	struct redis_url u;
	if (!o)
		o = &none;
	redis_conn_init(c, o->timeout_ms);
	int rc = redis_url_parse(url, &u, e);
	c->display = u.display;
	u.display = NULL;
	const struct redis_tls_opts *t = &o->tls;
	if (rc == 0 && !u.tls && (t->ca || t->cert || t->key || t->insecure))
		rc = perr_set(e, PX_USAGE, "--redis-url %s: the --redis-tls-* options need a TLS URL "
			      "(rediss:// or rediss-sentinel://); nothing would be encrypted", c->display);
	if (rc == 0 && u.tls && !(c->tls_ctx = redis_tls_ctx_new(t, e)))
		rc = -1;
	if (rc == 0 && u.n_sentinels)
		rc = redis_sentinel_connect(c, &u, o->sentinel_password, e);
	else if (rc == 0)
		rc = redis_conn_connect(c, u.host, u.port, u.socket, e) < 0 ||
		     redis_conn_handshake(c, u.user, u.password, u.db, e) < 0 ||
		     redis_cluster_detect(c, &u, e) < 0 ? -1 : 0;
	c->open_deadline = 0;
	redis_url_free(&u);
	if (rc < 0)
		redis_conn_close(c);
	return rc;
}

void redis_conn_close(struct redis_conn *c)
{
	redis_cluster_free(c->cluster);
	redis_conn_disconnect(c);
	redis_tls_ctx_free(c->tls_ctx);
	free(c->display);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}
