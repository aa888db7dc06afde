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
	struct scan_iter it;
	const struct anomaly *an;
	scan_iter_init(&it, r);
	for (size_t i = 0; (an = scan_iter_next(&it)); i++) {
		/* the policy's line action is, for a stream, the entry's */
		if (anomaly_type_action(an->type, mode == RM_QUARANTINE) != ACT_DROP_LINE || !an->id)
			continue;
		if (px_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v, e) < 0) {
			scan_iter_free(&it);
			return -1;
		}
		struct action *a = &p->v[p->n];
		memset(a, 0, sizeof *a);
		a->kind = mode == RM_QUARANTINE ? ACT_QUARANTINE_ENTRY : ACT_DELETE_ENTRY;
		a->offset = a->length = -1;
		a->reason = an->type;
		a->anomaly = i;
		a->n_anomalies = 1;
		a->path = px_strdup(an->path, e);
		a->id = px_strdup(an->id, e);
		if (mode == RM_QUARANTINE)
			a->to = redis_quarantine_key(store_of(b), an->path, e);
		if (!a->path || !a->id || (mode == RM_QUARANTINE && !a->to)) {
			free(a->path);
			free(a->id);
			free(a->to);
			scan_iter_free(&it);
			return -1;
		}
		p->n++;
	}
	int failed = it.failed;
	scan_iter_free(&it);
	if (failed)
		return perr_set(e, PX_IOERR, "cannot read back the anomalies for the plan");
	/* entries pending in a consumer group are named (redis_groups.c) */
	return redis_groups_plan(store_of(b), r, p, e);
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

static int redis_scan_open(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
			   struct scan_report *r, void **impl, perr *e)
{
	return redis_store_scanner_open((struct redis_scanner **)impl, store_of(b), o, sink, r, e);
}

/* One round trip (a page of entries) per redis_scanner_step. */
static int redis_scan_step(void *impl, double deadline_ms)
{
	int rc;
	do
		rc = redis_scanner_step(impl);
	while (rc == 1 && (deadline_ms <= 0 || backend_clock_ms() < deadline_ms));
	return rc;
}

static void redis_scan_progress(const void *impl, int64_t *done, int64_t *total)
{
	redis_scanner_progress(impl, done, total);
}

static void redis_scan_close(void *impl)
{
	redis_scanner_close(impl);
}

static int redis_read_rows(struct backend *b, const struct backend_rowref *ref, const char *to, int dir,
			   size_t max, size_t max_bytes, struct backend_rows *out, perr *e)
{
	return redis_store_read(store_of(b), ref->path, ref->id, to, dir, max, max_bytes, out, e);
}

/* One entry: the run from its id to its id. */
static int redis_read_row(struct backend *b, const struct backend_rowref *ref, struct backend_row *out, perr *e)
{
	struct backend_rows rows;
	memset(out, 0, sizeof *out);
	if (redis_read_rows(b, ref, ref->id, 1, 1, 0, &rows, e) < 0)
		return -1;
	if (rows.n) {
		*out = rows.v[0].row;
		rows.v[0].row.data = NULL;
	}
	backend_rows_free(&rows);
	return out->data != NULL;
}

static int redis_position(struct backend *b, struct backend_pos *out, perr *e)
{
	return redis_store_position(store_of(b), out, e);
}

static int redis_since(struct backend *b, const struct backend_pos *at, struct backend_growth *out, perr *e)
{
	return redis_store_since(store_of(b), at, out, e);
}

static int redis_scan_since(struct backend *b, struct backend_mark *m, int64_t max, const struct scan_opts *o,
			    const struct scan_sink *sink, struct scan_report *r, perr *e)
{
	return redis_store_scan_since(store_of(b), m, max, o, sink, r, e);
}

static int redis_others(struct backend *b, struct strbuf *out, int *more, perr *e)
{
	return redis_store_systems(store_of(b), b->cfg->prefix, out, more, e);
}

static int redis_systems(struct backend *b, const char *glob, char ***ids, size_t *n, perr *e)
{
	return redis_store_fleet(store_of(b), b->cfg->prefix, glob, ids, n, e);
}

static void redis_close(struct backend *b)
{
	redis_store_free(store_of(b));
	free(b->location);
	free(b);
}

/* XDEL and XTRIM measure nothing: no bytes before and after. */
static const struct backend_traits redis_traits = {
	.noun = "entry", .nouns = "entries", .store = "streams", .unit = "stream", .plural = 1,
	.several = 1, .ids = 1, .retain_per_unit = 1, .fleet = 1,
};

const struct backend_ops backend_redis_ops = {
	.name = "redis",
	.class_name = "RedisStreamsPersistence",
	.traits = &redis_traits,
	.scan = redis_scan,
	.scan_open = redis_scan_open,
	.scan_step = redis_scan_step,
	.scan_progress = redis_scan_progress,
	.scan_close = redis_scan_close,
	.read_row = redis_read_row,
	.read_rows = redis_read_rows,
	.position = redis_position,
	.since = redis_since,
	.scan_since = redis_scan_since,
	.plan = redis_plan,
	.apply = redis_apply,
	.compact = redis_compact,
	.others = redis_others,
	.systems = redis_systems,
	.close = redis_close,
};

int backend_redis_open(const struct config *c, struct backend **out, perr *e)
{
	*out = NULL;
	struct backend *b = calloc(1, sizeof *b);
	struct redis_store *s = b ? redis_store_open(c, e) : NULL;
	if (!s || !(b->location = px_strdup(s->conn.display, e))) {
		if (!b || s)
			perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
		redis_store_free(s);
		free(b);
		return -1;
	}
	b->ops = &backend_redis_ops;
	b->cfg = c;
	b->priv = s;
	*out = b;
	return 0;
}
