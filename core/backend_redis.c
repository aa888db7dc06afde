/* Redis Streams (SPEC §2.3), Papyra's RedisStreamsPersistence: the backend
 * table over redis_store (scan in redis_scan.c, apply and compaction in
 * redis_apply.c, the connection in redis_conn.c).
 *
 * Streams `{prefix}:{system_id}:events`, `...:audits`, `...:dead_letters`,
 * always scanned in that order.  The location shown to the user is the URL
 * with any password replaced by "***".  The connection is opened (and
 * authenticated) here, so an unusable server is exit 69 before any work. */
#include "backend_redis.h"

#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "redis_store.h"

static const char *const stream_suffix[REDIS_N_STREAMS] = { "events", "audits", "dead_letters" };

int redis_store_stream(const struct redis_store *s, const char *key)
{
	for (int i = 0; key && i < REDIS_N_STREAMS; i++)
		if (strcmp(s->keys[i], key) == 0)
			return i;
	return -1;
}

char *redis_quarantine_key(const struct redis_store *s, const char *source, perr *e)
{
	char *q = px_asprintf(e, "%s:%s", s->quarantine_prefix, source);
	if (q)
		for (char *p = q + strlen(s->quarantine_prefix) + 1; *p; p++)
			if (*p == ':')
				*p = '_';
	return q;
}

static struct redis_store *store_of(struct backend *b)
{
	return b->priv;
}

static int redis_scan(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
		      struct scan_report *r, perr *e)
{
	return redis_store_scan(store_of(b), o, sink, r, e);
}

/* Only entries are acted on: a key of the wrong type (UNEXPECTED_FILE) is
 * someone's data, never deleted, and stays reported; SCHEMA_MISMATCH is a
 * check, not a repair (SPEC §3).  Quarantine needs no directory. */
static int redis_plan(struct backend *b, const struct scan_report *r, enum recovery_mode mode,
		      const char *qdir, struct plan *p, perr *e)
{
	(void)qdir;
	p->mode = mode;
	if (mode == RM_IGNORE)
		return 0;
	for (size_t i = 0; i < r->n_an; i++) {
		const struct anomaly *an = &r->an[i];
		if (an->type != AN_CORRUPTED_LINE || !an->id)
			continue;
		if (px_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v, e) < 0)
			return -1;
		struct action *a = &p->v[p->n];
		memset(a, 0, sizeof *a);
		a->kind = mode == RM_QUARANTINE ? ACT_QUARANTINE_ENTRY : ACT_DELETE_ENTRY;
		a->offset = a->length = -1;
		a->reason = an->type;
		a->path = px_strdup(an->path, e);
		a->id = px_strdup(an->id, e);
		if (mode == RM_QUARANTINE)
			a->to = redis_quarantine_key(store_of(b), an->path, e);
		if (!a->path || !a->id || (mode == RM_QUARANTINE && !a->to)) {
			free(a->path);
			free(a->id);
			free(a->to);
			return -1;
		}
		p->n++;
	}
	return 0;
}

static int redis_apply(struct backend *b, const struct plan *p, const struct apply_progress *prog,
		       struct apply_result *res, perr *e)
{
	(void)prog; /* batches are quick; nothing worth a progress bar */
	int rc = redis_store_apply(store_of(b), p, res, e);
	metrics_note_recovery(rc == 0);
	return rc;
}

static int redis_compact(struct backend *b, const struct retention *ret, struct compact_result *res,
			 perr *e)
{
	int rc = redis_store_compact(store_of(b), ret, res, e);
	metrics_note_compaction(rc == 0);
	return rc;
}

static void store_free(struct redis_store *s)
{
	if (!s)
		return;
	redis_conn_close(&s->conn);
	for (int i = 0; i < REDIS_N_STREAMS; i++)
		free(s->keys[i]);
	free(s->quarantine_prefix);
	free(s->marks);
	free(s->jv);
	free(s);
}

static void redis_close(struct backend *b)
{
	store_free(store_of(b));
	free(b->location);
	free(b);
}

static const struct backend_ops redis_ops = {
	.name = "redis",
	.class_name = "RedisStreamsPersistence",
	.scan = redis_scan,
	.plan = redis_plan,
	.apply = redis_apply,
	.compact = redis_compact,
	.close = redis_close,
};

int backend_redis_open(const struct config *c, struct backend **out, perr *e)
{
	*out = NULL;
	struct redis_store *s = calloc(1, sizeof *s);
	struct backend *b = calloc(1, sizeof *b);
	if (!s || !b || !(s->jv = malloc(sizeof *s->jv)))
		goto oom;
	for (int i = 0; i < REDIS_N_STREAMS; i++)
		if (!(s->keys[i] = px_asprintf(e, "%s:%s:%s", c->prefix, c->system_id, stream_suffix[i])))
			goto oom;
	if (!(s->quarantine_prefix = px_strdup(c->quarantine_prefix, e)))
		goto oom;
	if (redis_conn_open(&s->conn, c->redis_url, e) < 0)
		goto fail;
	if (!(b->location = px_strdup(s->conn.display, e)))
		goto oom;
	b->ops = &redis_ops;
	b->cfg = c;
	b->priv = s;
	*out = b;
	return 0;
oom:
	perr_set(e, PX_IOERR, "out of memory");
fail:
	store_free(s);
	free(b);
	return -1;
}
