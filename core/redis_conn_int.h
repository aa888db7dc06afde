/* Inside the Redis connection: what redis_conn.c lends redis_sentinel.c
 * and redis_cluster.c.  Nothing outside those files includes this. */
#ifndef PAPYRA_REDIS_CONN_INT_H
#define PAPYRA_REDIS_CONN_INT_H

#include <signal.h>
#include <stdint.h>

#include "redis_conn.h"

int64_t redis_now_ms(void);

/* An empty connection (no socket) whose handshake must end by now +
 * timeout_ms (<= 0: REDIS_COMMAND_TIMEOUT_MS); display and tls_ctx are
 * the caller's to set. */
void redis_conn_init(struct redis_conn *c, int64_t timeout_ms);

/* The socket (TCP to host:port, or the unix socket when socket_path is
 * set) and, when c->tls_ctx is set, the TLS handshake, by
 * c->open_deadline.  PX_UNAVAILABLE, message "Redis unavailable at
 * {display}: {why}". */
int redis_conn_connect(struct redis_conn *c, const char *host, int port, const char *socket_path,
		       perr *e);
/* AUTH when there is a password, SELECT when db is not 0. */
int redis_conn_handshake(struct redis_conn *c, const char *user, const char *password, int64_t db,
			 perr *e);
/* Close the socket and drop every buffer; display and tls_ctx stay. */
void redis_conn_disconnect(struct redis_conn *c);

/* One server's pipeline, whatever c->cluster says: redis_conn_append and
 * redis_conn_reply for that socket alone; _raw queues a command already
 * formatted (RESP). */
int redis_node_append(struct redis_conn *c, int argc, const char **argv, const size_t *len,
		      perr *e);
int redis_node_append_raw(struct redis_conn *c, const char *cmd, size_t n, perr *e);
/* Send what is queued without reading. */
int redis_node_flush(struct redis_conn *c, perr *e);
redisReply *redis_node_reply(struct redis_conn *c, perr *e);

/* Ask the server just connected whether it is a cluster node (CLUSTER
 * SLOTS); when it is, set c->cluster, the seed's socket moving into it
 * (redis_cluster.c).  A server that says no, or will not say, stays
 * standalone: 0 either way, -1 only when the connection failed. */
int redis_cluster_detect(struct redis_conn *c, const struct redis_url *u, perr *e);
int redis_cluster_append(struct redis_conn *c, int argc, const char **argv, const size_t *len,
			 perr *e);
redisReply *redis_cluster_reply(struct redis_conn *c, perr *e);
void redis_cluster_free(struct redis_cluster *k);
/* Where a command's key is (redis_cluster_slot.c): its index in argv, or
 * -1 for a command without one (it goes to the seed node). */
int redis_cluster_key_index(int argc, const char **argv, const size_t *len);

/* Whether an error reply is Redis's "ERR unknown command ...". */
int redis_conn_unknown_command(const char *msg);

/* Ask the sentinels of `u` in turn for the master `u->master`, connect `c`
 * to it with u's credentials and db, and check that it says it is a
 * master (redis_sentinel.c).  PX_UNAVAILABLE naming every sentinel asked
 * and what each answered. */
int redis_sentinel_connect(struct redis_conn *c, const struct redis_url *u,
			   const char *sentinel_password, perr *e);

/* SIGPIPE blocked around our I/O (see redis_conn.c). */
void redis_sigpipe_block(sigset_t *old);
void redis_sigpipe_restore(const sigset_t *old);

#endif
