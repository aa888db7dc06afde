/* Redis connection for the Redis Streams backend: our own socket (TCP,
 * unix, or TLS over TCP: redis_tls.h) under hiredis's reply reader and
 * command formatter, the AUTH/SELECT handshake, Sentinel discovery, and
 * commands whose every reply is checked.  Every wait is a poll with a
 * deadline (--redis-timeout).
 *
 * A Redis Cluster is found on connecting (CLUSTER SLOTS) and then served
 * through the same calls: each command goes to the master that owns its
 * key's hash slot, SCAN visits every master, MOVED and ASK redirects are
 * followed, and replies still come back in the order the commands were
 * appended (redis_cluster.c).
 *
 * Errors are classed for SPEC §6, one rule (redis_reply_check): a server
 * that cannot be reached, refuses the connection, the TLS handshake or the
 * credentials, times out or drops the connection, and a server that will
 * not serve this command here (NOPERM, a read-only replica's READONLY, a
 * cluster's CLUSTERDOWN, CROSSSLOT or a redirect it cannot follow,
 * LOADING...) is PX_UNAVAILABLE (69),
 * the message naming the redacted URL and the reason; an error reply we
 * did not expect (out of memory, wrong type...) is PX_IOERR (74); a URL or
 * TLS file that cannot be used, and a Sentinel's port given as redis://,
 * are PX_USAGE (64). */
#ifndef PAPYRA_REDIS_CONN_H
#define PAPYRA_REDIS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "common.h"
#include "redis_tls.h"
#include "redis_url.h"

/* Connecting (and the TCP handshake) gives up after this long: an
 * unreachable host must fail a startup gate quickly, not hang it. */
#define REDIS_CONNECT_TIMEOUT_MS 2000
/* Default deadline (--redis-timeout) of each reply, from the moment we
 * start waiting for it until it is complete, and of connecting plus the
 * TLS and AUTH/SELECT handshakes: generous, because one page of a large
 * stream or one MULTI batch is a single reply, yet bounded so a wedged or
 * dribbling server never hangs a CI job.  Past it: PX_UNAVAILABLE "timed
 * out".  Through a Sentinel, each sentinel asked gets this deadline. */
#define REDIS_COMMAND_TIMEOUT_MS 30000

/* How to connect besides the URL.  Strings are borrowed for the call. */
struct redis_conn_opts {
	int64_t timeout_ms;        /* <= 0: REDIS_COMMAND_TIMEOUT_MS */
	struct redis_tls_opts tls; /* only with a rediss:// URL (else PX_USAGE) */
	/* AUTH for the sentinels of a redis-sentinel:// URL (the URL's
	 * credentials are the master's); NULL: none. */
	const char *sentinel_password;
};

struct redis_conn {
	int fd;                      /* -1: not connected */
	struct redis_tls *tls;       /* NULL: plain socket */
	struct redis_tls_ctx *tls_ctx; /* rediss: the settings, owned */
	redisReader *reader;
	char *out;                   /* formatted commands not yet written */
	size_t out_n, out_off, out_cap;
	size_t queued;               /* commands whose reply is not read yet */
	redisReply **stash;          /* replies read ahead by the Sentinel probe */
	size_t n_stash, stash_at;
	size_t replies;              /* replies read on this socket */
	int probed;                  /* asked ROLE after "unknown command" */
	char *sentinel_of;           /* set when that showed a Sentinel: the masters it knows */
	char *display;               /* redacted URL, for messages */
	int64_t timeout_ms;          /* deadline of each reply */
	int64_t open_deadline;       /* while connecting: the whole handshake's deadline, else 0 */
	char lost[300];              /* why the transport failed */
	/* A Redis Cluster (redis_cluster.c): the seed's socket then serves as
	 * one node among the others and every command is routed by its key;
	 * NULL for a standalone server.  cluster_refused: the server would
	 * not say whether it is one (CLUSTER SLOTS: NOPERM). */
	struct redis_cluster *cluster;
	int cluster_refused;
};

/* Connect (for a Sentinel URL: ask each sentinel in turn for the master,
 * connect to it and check with ROLE that it is one), TLS handshake for
 * rediss, AUTH when a password is given, SELECT when the db is not 0,
 * then CLUSTER SLOTS (a cluster node: c->cluster; refused or not one:
 * standalone).  Nothing else is sent (no PING), so an ACL user with only
 * the commands it needs (+@read for a scan) is enough; a server that is
 * unusable for another reason is then found by the first command.  `o` may be NULL
 * (defaults).  See the class rule above. */
int redis_conn_open(struct redis_conn *c, const char *url, const struct redis_conn_opts *o, perr *e);
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

/* Hash slots of a Redis Cluster: CRC16 (XMODEM) of the key, or of its
 * hash tag (the part between the first '{' and the next '}', when not
 * empty), modulo this. */
#define REDIS_CLUSTER_SLOTS 16384
unsigned redis_key_slot(const char *key, size_t len);

/* Whether `c` talks to a Redis Cluster. */
int redis_conn_is_cluster(const struct redis_conn *c);

/* Check a reply: not NULL, not an error reply, of `type` (or -1: any).
 * Returns 0, or -1 with `e` set and classed by the rule above, the
 * message explaining the replies that have an explanation (a replica, a
 * cluster node, a Sentinel). */
int redis_reply_check(const struct redis_conn *c, const redisReply *r, int type,
		      const char *what, perr *e);

#endif
