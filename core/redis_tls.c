/* TLS under the Redis connection, with OpenSSL (see redis_tls.h). */
#include "redis_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

struct redis_tls_ctx {
	SSL_CTX *ctx;
	int insecure;
	int has_cert; /* a client certificate is configured */
};

struct redis_tls {
	SSL *ssl;
	int done;    /* the handshake completed */
	int verify;  /* the last failure was the certificate's */
	char err[256];
};

/* OpenSSL's reason for the oldest queued error ("certificate verify
 * failed", "wrong version number"), then the queue cleared. */
static void tls_reason(char *buf, size_t cap, const char *fallback)
{
	unsigned long code = ERR_get_error();
	const char *r = code ? ERR_reason_error_string(code) : NULL;
	if (r)
		snprintf(buf, cap, "%s", r);
	else if (code)
		ERR_error_string_n(code, buf, cap);
	else
		snprintf(buf, cap, "%s", fallback);
	ERR_clear_error();
}

/* Encrypted keys are not supported: without this OpenSSL would prompt on
 * the terminal, which would hang a CI job. */
static int tls_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return 0;
}

/* A clear message for a file OpenSSL will not be able to open. */
static int tls_check_file(const char *flag, const char *path, perr *e)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return perr_set(e, PX_USAGE, "%s %s: %s", flag, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return perr_set(e, PX_USAGE, "%s %s: not a regular file (a PEM file is expected)", flag, path);
	return 0;
}

static struct redis_tls_ctx *tls_ctx_fail(struct redis_tls_ctx *x, perr *e, const char *flag,
					  const char *path, const char *what)
{
	char why[200];
	tls_reason(why, sizeof why, "unusable");
	if (strstr(why, "values mismatch"))
		perr_set(e, PX_USAGE, "%s %s: does not match the certificate (%s)", flag, path, why);
	else
		perr_set(e, PX_USAGE, "%s %s: %s: %s", flag, path, what, why);
	redis_tls_ctx_free(x);
	return NULL;
}

struct redis_tls_ctx *redis_tls_ctx_new(const struct redis_tls_opts *o, perr *e)
{
	if (o->key && !o->cert)
		return perr_set(e, PX_USAGE, "--redis-tls-key needs --redis-tls-cert (the client certificate)"), NULL;
	if ((o->ca && tls_check_file("--redis-tls-ca", o->ca, e) < 0) ||
	    (o->cert && tls_check_file("--redis-tls-cert", o->cert, e) < 0) ||
	    (o->key && tls_check_file("--redis-tls-key", o->key, e) < 0))
		return NULL;
	struct redis_tls_ctx *x = calloc(1, sizeof *x);
	if (!x || !(x->ctx = SSL_CTX_new(TLS_client_method()))) {
		free(x);
		ERR_clear_error();
		return perr_set(e, PX_IOERR, "out of memory setting up TLS"), NULL;
	}
	x->insecure = o->insecure;
	/* older protocols are broken; every Redis with TLS speaks 1.2 */
	SSL_CTX_set_min_proto_version(x->ctx, TLS1_2_VERSION);
	/* our writes resume from where a short write stopped */
	SSL_CTX_set_mode(x->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_default_passwd_cb(x->ctx, tls_no_passphrase);
	SSL_CTX_set_verify(x->ctx, o->insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
	if (o->ca) {
		if (SSL_CTX_load_verify_locations(x->ctx, o->ca, NULL) != 1)
			return tls_ctx_fail(x, e, "--redis-tls-ca", o->ca, "cannot load CA certificates");
	} else if (!o->insecure && SSL_CTX_set_default_verify_paths(x->ctx) != 1) {
		return tls_ctx_fail(x, e, "system CA store", "(default paths)", "cannot be loaded");
	}
	if (o->cert) {
		const char *key = o->key ? o->key : o->cert;
		const char *kflag = o->key ? "--redis-tls-key" : "--redis-tls-cert";
		if (SSL_CTX_use_certificate_chain_file(x->ctx, o->cert) != 1)
			return tls_ctx_fail(x, e, "--redis-tls-cert", o->cert, "cannot load the certificate");
		if (SSL_CTX_use_PrivateKey_file(x->ctx, key, SSL_FILETYPE_PEM) != 1)
			return tls_ctx_fail(x, e, kflag, key,
					    "cannot load the private key (PEM, not encrypted)");
		if (SSL_CTX_check_private_key(x->ctx) != 1)
			return tls_ctx_fail(x, e, kflag, key, "does not match the certificate");
		x->has_cert = 1;
	}
	return x;
}

int redis_tls_ctx_has_cert(const struct redis_tls_ctx *x)
{
	return x && x->has_cert;
}

void redis_tls_ctx_free(struct redis_tls_ctx *x)
{
	if (!x)
		return;
	SSL_CTX_free(x->ctx);
	free(x);
}

static int is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

struct redis_tls *redis_tls_new(struct redis_tls_ctx *x, int fd, const char *host, perr *e)
{
	struct redis_tls *t = calloc(1, sizeof *t);
	if (!t || !(t->ssl = SSL_new(x->ctx)) || SSL_set_fd(t->ssl, fd) != 1) {
		if (t)
			SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return perr_set(e, PX_IOERR, "out of memory setting up TLS"), NULL;
	}
	int ok = 1;
	if (host && is_ip_literal(host)) {
		/* SNI carries names only (RFC 6066); an address is matched
		 * against the certificate's IP subjectAltName */
		if (!x->insecure)
			ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host) == 1;
	} else if (host) {
		ok = SSL_set_tlsext_host_name(t->ssl, host) == 1;
		if (ok && !x->insecure) {
			SSL_set_hostflags(t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
			ok = SSL_set1_host(t->ssl, host) == 1;
		}
	}
	if (!ok) {
		char why[200];
		tls_reason(why, sizeof why, "refused");
		perr_set(e, PX_USAGE, "TLS: cannot use the host name '%s': %s", host, why);
		redis_tls_free(t);
		return NULL;
	}
	SSL_set_connect_state(t->ssl);
	return t;
}

void redis_tls_free(struct redis_tls *t)
{
	if (!t)
		return;
	if (t->done)
		SSL_shutdown(t->ssl); /* one non-blocking try: the server does not wait for it */
	SSL_free(t->ssl);
	ERR_clear_error();
	free(t);
}

/* Map a failed SSL_* call to REDIS_IO_*, or 0 for a clean close. */
static int tls_failed(struct redis_tls *t, int r)
{
	int saved = errno;
	switch (SSL_get_error(t->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return REDIS_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return REDIS_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		return 0;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error())
			tls_reason(t->err, sizeof t->err, "I/O error");
		else
			snprintf(t->err, sizeof t->err, "%s",
				 saved ? strerror(saved) : "the server closed the connection");
		return REDIS_IO_ERROR;
	default: {
		long v = SSL_get_verify_result(t->ssl);
		if (!t->done && v != X509_V_OK) {
			t->verify = 1;
			snprintf(t->err, sizeof t->err, "certificate verify failed: %s",
				 X509_verify_cert_error_string(v));
			ERR_clear_error();
		} else {
			tls_reason(t->err, sizeof t->err, "TLS error");
		}
		return REDIS_IO_ERROR;
	}
	}
}

int redis_tls_handshake(struct redis_tls *t)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_connect(t->ssl);
	if (r == 1) {
		t->done = 1;
		return 1;
	}
	r = tls_failed(t, r);
	if (r == 0) {
		snprintf(t->err, sizeof t->err, "the server closed the connection");
		return REDIS_IO_ERROR;
	}
	return r;
}

ssize_t redis_tls_read(struct redis_tls *t, void *buf, size_t n)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_read(t->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	return r > 0 ? r : tls_failed(t, r);
}

ssize_t redis_tls_write(struct redis_tls *t, const void *buf, size_t n)
{
	ERR_clear_error();
	errno = 0;
	int r = SSL_write(t->ssl, buf, n > INT_MAX ? INT_MAX : (int)n);
	if (r > 0)
		return r;
	r = tls_failed(t, r);
	if (r == 0) {
		snprintf(t->err, sizeof t->err, "the server closed the connection");
		return REDIS_IO_ERROR;
	}
	return r;
}

const char *redis_tls_error(const struct redis_tls *t, int *verify)
{
	if (verify)
		*verify = t->verify;
	return t->err[0] ? t->err : "TLS error";
}
