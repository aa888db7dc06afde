#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend_json.h"
#include "backend_redis.h"
#include "backend_rotating.h"
#include "numparse.h"
#include "redis_conn.h"

int backend_open(const struct config *c, struct backend **out, perr *e)
{
	*out = NULL;
	switch (c->backend) {
	case BK_JSON:
		return backend_json_open(c, out, e);
	case BK_ROTATING:
		return backend_rotating_open(c, out, e);
	case BK_REDIS:
		return backend_redis_open(c, out, e);
	}
	return perr_set(e, PX_USAGE, "unknown backend");
}

void backend_close(struct backend *b)
{
	if (b)
		b->ops->close(b);
}

const struct backend_traits *backend_traits(const struct backend *b)
{
	return b->ops->traits;
}

const char *backend_name(const struct backend *b)
{
	return b->ops->name;
}

/* The one place besides backend_open that knows which table a kind is. */
static const struct backend_ops *backend_table(const struct config *c)
{
	return c->backend == BK_REDIS ? &backend_redis_ops : c->backend == BK_ROTATING ? &backend_rotating_ops :
	       &backend_json_ops;
}

const struct backend_traits *backend_config_traits(const struct config *c)
{
	return backend_table(c)->traits;
}

const char *backend_config_name(const struct config *c)
{
	return backend_table(c)->name;
}

char *backend_config_location(const struct config *c)
{
	if (backend_config_traits(c)->has_files)
		return c->path ? strdup(c->path) : NULL;
	return redis_url_redact(c->redis_url);
}

int backend_others(struct backend *b, struct strbuf *out, int *more, perr *e)
{
	*more = 0;
	return b->ops->others ? b->ops->others(b, out, more, e) : 0;
}

int backend_systems(struct backend *b, const char *glob, char ***ids, size_t *n, perr *e)
{
	*ids = NULL;
	*n = 0;
	if (!b->ops->systems)
		return perr_set(e, PX_USAGE, "the %s backend holds one system: --system-id takes no pattern",
				b->ops->name);
	return b->ops->systems(b, glob, ids, n, e);
}

int backend_is_glob(const char *system_id)
{
	return system_id && strpbrk(system_id, "*?[") != NULL;
}

struct backend_scan {
	struct backend *b;
	void *impl;
};

int backend_scan_open(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
		      struct scan_report *r, struct backend_scan **out, perr *e)
{
	*out = NULL;
	struct backend_scan *s = calloc(1, sizeof *s);
	if (!s)
		return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	s->b = b;
	if (b->ops->scan_open(b, o, sink, r, &s->impl, e) < 0) {
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int backend_scan_step(struct backend_scan *s, double deadline_ms)
{
	return s->b->ops->scan_step(s->impl, deadline_ms);
}

void backend_scan_progress(const struct backend_scan *s, int64_t *done, int64_t *total)
{
	s->b->ops->scan_progress(s->impl, done, total);
}

void backend_scan_close(struct backend_scan *s)
{
	if (!s)
		return;
	s->b->ops->scan_close(s->impl);
	free(s);
}

int backend_scan_whole(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
		       struct scan_report *r, perr *e)
{
	void *impl;
	if (b->ops->scan_open(b, o, sink, r, &impl, e) < 0)
		return -1;
	int rc;
	while ((rc = b->ops->scan_step(impl, 0)) == 1)
		;
	b->ops->scan_close(impl);
	return rc < 0 ? -1 : 0;
}

double backend_clock_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void backend_pos_free(struct backend_pos *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].unit);
		free(p->v[i].last_id);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

void backend_rows_free(struct backend_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].row.data);
	free(r->v);
	r->v = NULL;
	r->n = 0;
	r->more = 0;
}

void backend_growth_free(struct backend_growth *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->v[i].unit);
	free(g->v);
	memset(g, 0, sizeof *g);
}

/* " --flag value", the value shell-quoted. */
static void flag_word(struct strbuf *out, const char *flag, const char *value)
{
	strbuf_printf(out, " %s ", flag);
	strbuf_shell_word(out, value);
}

void backend_config_flags(const struct config *c, struct strbuf *out, struct strbuf *note)
{
	char num[64];
	if (c->backend == BK_JSON || c->backend == BK_ROTATING) {
		if (c->backend == BK_ROTATING)
			strbuf_puts(out, " --backend rotating");
		flag_word(out, "--path", c->path);
		if (c->backend == BK_ROTATING && c->max_files != 5)
			strbuf_printf(out, " --max-files %lld", (long long)c->max_files);
		if (c->backend == BK_ROTATING && c->max_bytes != 50000000)
			strbuf_printf(out, " --max-bytes %lld", (long long)c->max_bytes);
		return;
	}
	strbuf_puts(out, " --backend redis");
	char *shown = redis_url_redact(c->redis_url);
	flag_word(out, "--redis-url", shown ? shown : c->redis_url);
	if (shown && strcmp(shown, c->redis_url) != 0)
		strbuf_puts(note, "the Redis URL's password is written *** (put it back, or set PAPYRA_REDIS_URL)");
	free(shown);
	flag_word(out, "--prefix", c->prefix);
	flag_word(out, "--system-id", c->system_id);
	if (c->redis_timeout != CONFIG_REDIS_TIMEOUT_DEFAULT) {
		numparse_format_double(num, sizeof num, c->redis_timeout);
		flag_word(out, "--redis-timeout", num);
	}
	if (c->redis_tls_ca)
		flag_word(out, "--redis-tls-ca", c->redis_tls_ca);
	if (c->redis_tls_cert)
		flag_word(out, "--redis-tls-cert", c->redis_tls_cert);
	if (c->redis_tls_key)
		flag_word(out, "--redis-tls-key", c->redis_tls_key);
	if (c->redis_tls_insecure)
		strbuf_puts(out, " --redis-tls-insecure");
	if (c->sentinel_password)
		strbuf_printf(note, "%s--sentinel-password is not written (give it, or set PAPYRA_SENTINEL_PASSWORD)",
			      note->n ? "; " : "");
}

void backend_inspect_command(const struct config *c, enum rec_kind kind, struct strbuf *cmd, struct strbuf *note)
{
	static const char *const listing[] = { [RK_EVENT] = "events", [RK_AUDIT] = "audits",
					       [RK_DEAD_LETTER] = "dead-letters" };
	strbuf_printf(cmd, "papyra inspect %s", kind <= RK_DEAD_LETTER ? listing[kind] : "events");
	backend_config_flags(c, cmd, note);
	if (c->scan_sample_size > 0) /* as many per stream as the scan read */
		strbuf_printf(cmd, " --max-read %lld", (long long)c->scan_sample_size);
}
