/* TLS under the Redis connection (rediss://), with OpenSSL: hiredis 0.14
 * has none, so redis_conn.c owns the socket and runs TLS over it itself.
 *
 * Every call is non-blocking: the caller (redis_conn.c) polls the socket
 * for what a call asks for (REDIS_IO_WANT_READ / _WRITE) until its own
 * deadline, so --redis-timeout bounds the handshake and every read and
 * write alike. */
#ifndef PAPYRA_REDIS_TLS_H
#define PAPYRA_REDIS_TLS_H

#include <stddef.h>
#include <sys/types.h>

#include "common.h"

/* What the user configured (--redis-tls-ca, -cert, -key, -insecure). */
struct redis_tls_opts {
	const char *ca;   /* PEM file of the CAs to trust; NULL: the system's store */
	const char *cert; /* PEM client certificate (chain); NULL: none */
	const char *key;  /* PEM private key; NULL: in the cert file */
	int insecure;     /* do not verify the server's certificate at all */
};

/* Results of redis_tls_handshake/read/write besides a byte count. */
enum {
	REDIS_IO_ERROR = -1,      /* failed: redis_tls_error says why */
	REDIS_IO_WANT_READ = -2,  /* call again once the socket is readable */
	REDIS_IO_WANT_WRITE = -3, /* call again once the socket is writable */
};

/* The settings shared by every connection of one open (a sentinel's and
 * the master's): trust store, client certificate.  A file that cannot be
 * read or used is PX_USAGE (a configuration error, found before any
 * connection is made).  NULL on failure. */
struct redis_tls_ctx;
struct redis_tls_ctx *redis_tls_ctx_new(const struct redis_tls_opts *o, perr *e);
void redis_tls_ctx_free(struct redis_tls_ctx *x);
/* Whether a client certificate is configured (for the hint when a server
 * hangs up on us). */
int redis_tls_ctx_has_cert(const struct redis_tls_ctx *x);

/* TLS on the connected non-blocking socket `fd` to `host` (the name in
 * the URL: sent as SNI unless it is an IP address, and matched against
 * the certificate's subjectAltName unless insecure).  NULL only when out
 * of memory or OpenSSL refuses to set up (e set). */
struct redis_tls;
struct redis_tls *redis_tls_new(struct redis_tls_ctx *x, int fd, const char *host, perr *e);
/* Sends close_notify when it can without waiting, then frees. */
void redis_tls_free(struct redis_tls *t);

/* One step of the handshake: 1 done, or REDIS_IO_*. */
int redis_tls_handshake(struct redis_tls *t);
/* Up to n bytes: > 0 read, 0 the peer closed, or REDIS_IO_*. */
ssize_t redis_tls_read(struct redis_tls *t, void *buf, size_t n);
/* Up to n bytes: > 0 written, or REDIS_IO_*. */
ssize_t redis_tls_write(struct redis_tls *t, const void *buf, size_t n);

/* Why the last call failed, e.g. "certificate verify failed: hostname
 * mismatch" or OpenSSL's reason; *verify is set when the server's
 * certificate did not verify (always our exit 69). */
const char *redis_tls_error(const struct redis_tls *t, int *verify);

#endif
