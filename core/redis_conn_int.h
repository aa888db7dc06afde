/* Inside the Redis connection: what redis_conn.c lends redis_sentinel.c.
 * Nothing outside those two files includes this. */
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
