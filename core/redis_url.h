/* Redis URLs: parsing (every form the Redis backend accepts) and the
 * redaction of passwords for display.  A URL that cannot be parsed is
 * PX_USAGE (64), its message showing the URL redacted. */
#ifndef PAPYRA_REDIS_URL_H
#define PAPYRA_REDIS_URL_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#define REDIS_DEFAULT_PORT 6379
#define REDIS_SENTINEL_DEFAULT_PORT 26379
/* Sentinels listed in one URL: a deployment has three or five; more is a
 * typo (or a list pasted twice), and the bound keeps messages short. */
#define REDIS_SENTINELS_MAX 16

struct redis_endpoint {
	char *host;
	int port;
};

/* A parsed URL.  Accepted forms (the ones redis-py accepts that matter,
 * plus TLS and Sentinel):
 *   redis://[[user]:password@]host[:port][/db][?db=N&password=P&username=U]
 *   rediss://...            the same over TLS
 *   unix://[[user]:password@]/path/to.sock[?db=N&password=P&username=U]
 *   redis-sentinel://[[user]:password@]host[:port][,host[:port]...]/MASTER[/db][?...]
 *   rediss-sentinel://...   the same, TLS to the sentinels and the master
 * ("redis+sentinel://" and "rediss+sentinel://" are the same schemes).
 * Defaults: host localhost, port 6379 (a sentinel: 26379), db 0.  User,
 * password and MASTER are percent-decoded; an IPv6 host is written in
 * brackets.  The user and password are the master's (the data server's);
 * a sentinel's own password is a separate option (redis_conn_opts). */
struct redis_url {
	char *host;     /* NULL for unix and sentinel */
	int port;
	char *socket;   /* unix socket path, else NULL */
	char *user;     /* NULL: none */
	char *password; /* NULL: no AUTH */
	int64_t db;
	int tls;        /* rediss:// or rediss-sentinel:// */
	char *master;   /* sentinel: the master's name, else NULL */
	struct redis_endpoint sentinels[REDIS_SENTINELS_MAX];
	size_t n_sentinels; /* 0 unless a sentinel URL */
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

/* Whether `url` asks for TLS (rediss:// or rediss-sentinel://), without
 * parsing the rest. */
int redis_url_is_tls(const char *url);

#endif
