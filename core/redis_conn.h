/* Redis connection for the Redis Streams backend: URL parsing (with the
 * password redacted for display), connecting with a timeout, AUTH, SELECT,
 * and commands whose every reply is checked.
 *
 * Errors are classed for SPEC §6: a server that cannot be reached, refuses
 * the connection or the credentials, or drops the connection is
 * PX_UNAVAILABLE (69) and the message names the redacted URL and the
 * reason; an error reply to a data command (out of memory, wrong type...)
 * is PX_IOERR (74); a URL that cannot be parsed is PX_USAGE (64). */
#ifndef PAPYRA_REDIS_CONN_H
#define PAPYRA_REDIS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "common.h"

/* Connecting (and the TCP handshake) gives up after this long: an
 * unreachable host must fail a startup gate quickly, not hang it. */
#define REDIS_CONNECT_TIMEOUT_MS 2000
/* Default deadline (--redis-timeout) of each reply, from the moment we
 * start waiting for it until it is complete, and of connecting plus the
 * AUTH/SELECT handshake: generous, because one page of a large stream or
 * one MULTI batch is a single reply, yet bounded so a wedged or dribbling
 * server never hangs a CI job.  Past it: PX_UNAVAILABLE "timed out". */
#define REDIS_COMMAND_TIMEOUT_MS 30000

/* A parsed URL.  Accepted forms (the ones redis-py accepts that matter):
 *   redis://[[user]:password@]host[:port][/db][?db=N&password=P&username=U]
 *   unix://[[user]:password@]/path/to.sock[?db=N&password=P&username=U]
 * Defaults: host localhost, port 6379, db 0.  User and password are
 * percent-decoded; an IPv6 host is written in brackets. */
struct redis_url {
	char *host;     /* NULL for unix */
	int port;
	char *socket;   /* unix socket path, else NULL */
	char *user;     /* NULL: none */
	char *password; /* NULL: no AUTH */
	int64_t db;
	char *display;  /* the URL as given, every password replaced by "***" */
};

/* Parse `url` into `u` (all strings owned by `u`).  PX_USAGE on a malformed
 * URL (the message shows it redacted). */
int redis_url_parse(const char *url, struct redis_url *u, perr *e);
void redis_url_free(struct redis_url *u);

/* The URL with any password replaced by "***", newly allocated; best effort
 * for malformed URLs (what looks like a password is still hidden).  NULL
 * only when out of memory. */
char *redis_url_redact(const char *url);

struct redis_conn {
	redisContext *ctx;     /* its socket is non-blocking: every wait is a poll with a deadline */
	char *display;         /* redacted URL, for messages */
	int64_t timeout_ms;    /* deadline of each reply */
	int64_t open_deadline; /* while connecting: the whole handshake's deadline, else 0 */
};

/* Connect, AUTH when a password is given, SELECT the db (or PING), so that
 * an unusable server is found here and not halfway through a command.
 * `timeout_ms` (<= 0: REDIS_COMMAND_TIMEOUT_MS) bounds all of that together
 * and then each reply (the TCP connect itself at most
 * REDIS_CONNECT_TIMEOUT_MS). */
int redis_conn_open(struct redis_conn *c, const char *url, int64_t timeout_ms, perr *e);
void redis_conn_close(struct redis_conn *c);

/* Queue a command (pipelining: nothing is sent until a reply is read).
 * `len` may be NULL when every argument is a NUL-terminated string. */
int redis_conn_append(struct redis_conn *c, int argc, const char **argv, const size_t *len,
		      perr *e);

/* Read the next reply of the pipeline (sending what is queued first), within
 * the connection's timeout.  A transport failure or the deadline is
 * PX_UNAVAILABLE and returns NULL; an error reply is returned as is (check
 * it with redis_reply_check).  The caller frees it with freeReplyObject. */
redisReply *redis_conn_reply(struct redis_conn *c, perr *e);

/* Send one command and read its reply, checked to be of `type` (a
 * REDIS_REPLY_* value, or -1 for any non-error reply).  `what` names the
 * command in messages ("XRANGE papyra:local:events").  NULL on failure. */
redisReply *redis_conn_command(struct redis_conn *c, int type, const char *what, int argc,
			       const char **argv, const size_t *len, perr *e);

/* Check a reply: not NULL, not an error reply, of `type` (or -1: any).
 * Returns 0, or -1 with `e` set: an error reply about credentials or a
 * loading server is PX_UNAVAILABLE, any other PX_IOERR. */
int redis_reply_check(const struct redis_conn *c, const redisReply *r, int type,
		      const char *what, perr *e);

#endif
