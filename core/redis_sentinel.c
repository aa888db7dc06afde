/* Redis Sentinel (redis-sentinel://h1:p1,h2:p2/MASTER[/db]): ask each
 * sentinel in turn for the master's address (SENTINEL
 * get-master-addr-by-name), connect to it with the URL's credentials, db
 * and TLS, and check with ROLE that it says "master" -- a sentinel can name
 * a replica for a moment during a failover, and then the next one is
 * asked.  The first master that passes is used for the whole run.
 *
 * The URL's user and password are the master's; sentinels usually have
 * their own password (sentinel_password), or none.  TLS (rediss-sentinel)
 * applies to the sentinels and the master alike, with one set of
 * certificates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis_conn_int.h"
#include "strbuf.h"

/* "host:port", with brackets around an IPv6 address. */
static char *endpoint_name(const char *host, int port, perr *e)
{
	return strchr(host, ':') ? px_asprintf(e, "[%s]:%d", host, port) : px_asprintf(e, "%s:%d", host, port);
}

/* Ask one sentinel; 0 with *ip (newly allocated) and *port, or -1 with
 * what it said noted. */
static int ask_sentinel(const struct redis_endpoint *s, struct redis_tls_ctx *tls, int64_t timeout_ms,
			const char *master, const char *password, char **ip, int *port,
			struct strbuf *notes)
{
	struct redis_conn q;
	perr e = { 0 };
	int rc = -1;
	redis_conn_init(&q, timeout_ms);
	q.tls_ctx = tls;
	char *name = endpoint_name(s->host, s->port, &e);
	if (!name || !(q.display = px_asprintf(&e, "sentinel %s", name))) {
		strbuf_item(notes, "out of memory");
		goto done;
	}
	const char *ask[3] = { "SENTINEL", "get-master-addr-by-name", master };
	redisReply *r = NULL;
	if (redis_conn_connect(&q, s->host, s->port, NULL, &e) == 0 &&
	    redis_conn_handshake(&q, NULL, password, 0, &e) == 0 &&
	    redis_conn_append(&q, 3, ask, NULL, &e) == 0)
		r = redis_conn_reply(&q, &e);
	if (!r) {
		strbuf_item(notes, "%s", e.msg);
	} else if (r->type == REDIS_REPLY_ERROR) {
		if (redis_conn_unknown_command(r->str))
			strbuf_item(notes, "%s is not a Sentinel (%s)", name, r->str);
		else
			strbuf_item(notes, "%s: %s", q.display, r->str);
		if (strncmp(r->str, "NOAUTH", 6) == 0 || strncmp(r->str, "WRONGPASS", 9) == 0)
			strbuf_puts(notes, " (--sentinel-password)");
	} else if (r->type == REDIS_REPLY_NIL) {
		strbuf_item(notes, "%s does not know a master named '%s'", q.display, master);
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
		   r->element[1]->type == REDIS_REPLY_STRING && (*port = atoi(r->element[1]->str)) > 0 &&
		   *port <= 65535) {
		if (!(*ip = strdup(r->element[0]->str)))
			strbuf_item(notes, "out of memory");
		else
			rc = 0;
	} else {
		strbuf_item(notes, "%s: unexpected reply to %s", q.display, "SENTINEL get-master-addr-by-name");
	}
	if (r)
		freeReplyObject(r);
done:
	free(name);
	q.tls_ctx = NULL; /* the caller's */
	redis_conn_close(&q);
	return rc;
}

/* Connect c to the master a sentinel named; -1 with the reason noted. */
static int try_master(struct redis_conn *c, const struct redis_url *u, const char *ip, int port,
		      const char *via, struct strbuf *notes)
{
	perr e = { 0 };
	char *name = endpoint_name(ip, port, &e);
	if (!name)
		return strbuf_item(notes, "out of memory"), -1;
	redis_conn_disconnect(c);
	c->open_deadline = redis_now_ms() + c->timeout_ms;
	const char *role[1] = { "ROLE" };
	redisReply *r = NULL;
	int rc = -1;
	if (redis_conn_connect(c, ip, port, NULL, &e) == 0 &&
	    redis_conn_handshake(c, u->user, u->password, u->db, &e) == 0 &&
	    redis_conn_append(c, 1, role, NULL, &e) == 0)
		r = redis_conn_reply(c, &e);
	if (!r) {
		strbuf_item(notes, "%s named master %s: %s", via, name, e.msg);
	} else if (r->type == REDIS_REPLY_ERROR) {
		/* ROLE is not in @read: a read-only ACL user may not ask, and then
		 * trusting the sentinel is all there is (a write to a replica
		 * would still be refused, READONLY) */
		if (strncmp(r->str, "NOPERM", 6) == 0)
			rc = 0;
		else
			strbuf_item(notes, "%s named master %s: ROLE failed: %s", via, name, r->str);
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements >= 1 && r->element[0]->type == REDIS_REPLY_STRING) {
		if (strcmp(r->element[0]->str, "master") == 0)
			rc = 0;
		else
			strbuf_item(notes, "%s named %s, which says it is a %s (a failover in progress?)", via, name,
			     r->element[0]->str);
	} else {
		strbuf_item(notes, "%s named master %s: unexpected reply to ROLE", via, name);
	}
	if (r)
		freeReplyObject(r);
	free(name);
	return rc;
}

int redis_sentinel_connect(struct redis_conn *c, const struct redis_url *u,
			   const char *sentinel_password, perr *e)
{
	struct strbuf notes = { 0 };
	for (size_t i = 0; i < u->n_sentinels; i++) {
		char *ip = NULL;
		int port = 0;
		if (ask_sentinel(&u->sentinels[i], c->tls_ctx, c->timeout_ms, u->master, sentinel_password, &ip,
				 &port, &notes) < 0)
			continue;
		perr ne = { 0 };
		char *via = endpoint_name(u->sentinels[i].host, u->sentinels[i].port, &ne);
		char *sv = via ? px_asprintf(&ne, "sentinel %s", via) : NULL;
		int rc = sv ? try_master(c, u, ip, port, sv, &notes) : -1;
		free(via);
		free(sv);
		free(ip);
		if (rc == 0) {
			strbuf_free(&notes);
			return 0;
		}
		redis_conn_disconnect(c);
	}
	perr_set(e, PX_UNAVAILABLE, "Redis unavailable at %s: no sentinel gave a usable master '%s': %s",
		 c->display, u->master, notes.oom ? "out of memory" : notes.p ? notes.p : "no sentinel");
	strbuf_free(&notes);
	return -1;
}
