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
#include "strbuf.h"

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
		/* the policy's line action is, for a stream, the entry's */
		if (anomaly_type_action(an->type, mode == RM_QUARANTINE) != ACT_DROP_LINE || !an->id)
			continue;
		if (px_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v, e) < 0)
			return -1;
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

static const struct backend_ops redis_ops;

/* The console's side door (backend_redis.h): only for a Redis backend. */
static struct redis_store *redis_only(struct backend *b, perr *e)
{
	if (!b || b->ops != &redis_ops) {
		perr_set(e, PX_USAGE, "not a Redis backend");
		return NULL;
	}
	return store_of(b);
}

int redis_backend_scan_open(struct backend *b, const struct scan_opts *o,
			    const struct scan_sink *sink, struct scan_report *r,
			    struct redis_scanner **out, perr *e)
{
	struct redis_store *s = redis_only(b, e);
	*out = NULL;
	return s ? redis_store_scanner_open(out, s, o, sink, r, e) : -1;
}

/* A field name or value as a JSON string, by length: Redis strings may
 * hold NUL bytes, which strbuf_json_string (a C string) would cut at.
 * Same conventions otherwise: bytes that are not UTF-8 become \ufffd, so
 * the result always parses. */
static void json_bytes(struct strbuf *b, const redisReply *x)
{
	if (x->type != REDIS_REPLY_STRING) {
		strbuf_puts(b, "null");
		return;
	}
	const unsigned char *p = (const unsigned char *)x->str;
	strbuf_puts(b, "\"");
	for (size_t i = 0; i < x->len;) {
		size_t n = p[i] >= 0x20 && p[i] != '"' && p[i] != '\\' ? utf8_seq_len(p + i, x->len - i) : 0;
		if (n)
			strbuf_add(b, p + i, n);
		else if (p[i] == '"' || p[i] == '\\')
			strbuf_printf(b, "\\%c", p[i]);
		else if (p[i] < 0x20)
			strbuf_printf(b, "\\u%04x", p[i]);
		else
			strbuf_puts(b, "\\ufffd");
		i += n ? n : 1;
	}
	strbuf_puts(b, "\"");
}

/* An entry without a string `data`: its fields as a JSON object, so the
 * operator sees what is there. */
static char *fields_json(const redisReply *fields, size_t *len, perr *e)
{
	struct strbuf b = { 0 };
	strbuf_puts(&b, "{");
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		strbuf_puts(&b, i ? ", " : "");
		json_bytes(&b, fields->element[i]);
		strbuf_puts(&b, ": ");
		json_bytes(&b, fields->element[i + 1]);
	}
	strbuf_puts(&b, "}");
	char *out = strbuf_detach(&b, len);
	if (!out)
		perr_set(e, PX_IOERR, "out of memory");
	return out;
}

int redis_backend_fetch(struct backend *b, const char *key, const char *id, char **data,
			size_t *len, int *has_data, perr *e)
{
	struct redis_store *s = redis_only(b, e);
	*data = NULL;
	*len = 0;
	*has_data = 0;
	if (!s)
		return -1;
	const char *argv[4] = { "XRANGE", key, id, id };
	redisReply *r = redis_conn_command(&s->conn, REDIS_REPLY_ARRAY, "XRANGE", 4, argv, NULL, e);
	if (!r)
		return -1;
	int rc = 0;
	const redisReply *ent = r->elements == 1 ? r->element[0] : NULL;
	if (ent && (ent->type != REDIS_REPLY_ARRAY || ent->elements != 2 ||
		    ent->element[1]->type != REDIS_REPLY_ARRAY)) {
		rc = perr_set(e, PX_IOERR, "Redis at %s: malformed entry in stream %s", s->conn.display, key);
	} else if (ent) {
		const redisReply *d = redis_entry_data(ent->element[1]);
		if (d) {
			*data = malloc(d->len ? d->len : 1);
			if (*data) {
				memcpy(*data, d->str, d->len);
				*len = d->len;
				*has_data = 1;
			}
		} else {
			*data = fields_json(ent->element[1], len, e);
		}
		rc = *data ? 1 : perr_set(e, PX_IOERR, "out of memory");
	}
	freeReplyObject(r);
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

static int systems_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "{prefix}:{id}:{stream suffix}" -> a copy of id, or NULL. */
static char *system_of(const char *key, size_t klen, const char *prefix)
{
	size_t plen = strlen(prefix);
	if (klen <= plen + 1 || memcmp(key, prefix, plen) != 0 || key[plen] != ':')
		return NULL;
	const char *id = key + plen + 1;
	for (int i = 0; i < REDIS_N_STREAMS; i++) {
		size_t slen = strlen(stream_suffix[i]);
		size_t idlen = klen - plen - 1;
		if (idlen > slen + 1 && key[klen - slen - 1] == ':' &&
		    memcmp(key + klen - slen, stream_suffix[i], slen) == 0)
			return strndup(id, idlen - slen - 1);
	}
	return NULL;
}

int redis_backend_systems(struct backend *b, struct strbuf *out, int *more, perr *e)
{
	struct redis_store *s = store_of(b);
	char *names[REDIS_SYSTEMS_MAX];
	size_t n = 0;
	*more = 0;
	/* the prefix is literal: escape what SCAN MATCH treats as glob syntax */
	struct strbuf pat = { 0 };
	for (const char *p = b->cfg->prefix; *p; p++) {
		if (strchr("*?[]\\", *p))
			strbuf_add(&pat, "\\", 1);
		strbuf_add(&pat, p, 1);
	}
	strbuf_puts(&pat, ":*");
	if (pat.oom)
		return perr_set(e, PX_IOERR, "out of memory");
	char cursor[32] = "0";
	int rc = 0;
	for (int page = 0; page < REDIS_SYSTEMS_SCAN_PAGES && rc == 0; page++) {
		const char *argv[6] = { "SCAN", cursor, "MATCH", pat.p, "COUNT", "1000" };
		redisReply *r = redis_conn_command(&s->conn, REDIS_REPLY_ARRAY, "SCAN", 6, argv, NULL, e);
		if (!r) {
			rc = -1;
			break;
		}
		if (r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
		    r->element[1]->type == REDIS_REPLY_ARRAY) {
			snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
			const redisReply *keys = r->element[1];
			for (size_t k = 0; k < keys->elements; k++) {
				const redisReply *key = keys->element[k];
				char *id = key->type == REDIS_REPLY_STRING ?
					   system_of(key->str, key->len, b->cfg->prefix) : NULL;
				int dup = 0;
				for (size_t i = 0; id && i < n; i++)
					dup |= strcmp(names[i], id) == 0;
				if (id && !dup && n < REDIS_SYSTEMS_MAX)
					names[n++] = id;
				else if (id && !dup)
					*more = 1, free(id);
				else
					free(id);
			}
		} else {
			snprintf(cursor, sizeof cursor, "0");
		}
		freeReplyObject(r);
		if (strcmp(cursor, "0") == 0)
			break;
		if (page + 1 == REDIS_SYSTEMS_SCAN_PAGES)
			*more = 1;
	}
	strbuf_free(&pat);
	qsort(names, n, sizeof *names, systems_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0) {
			if (i)
				strbuf_puts(out, ", ");
			strbuf_puts(out, names[i]);
		}
		free(names[i]);
	}
	if (rc == 0 && out->oom)
		rc = perr_set(e, PX_IOERR, "out of memory");
	return rc < 0 ? -1 : (int)n;
}

/* XDEL and XTRIM measure nothing: no bytes before and after. */
static const struct backend_traits redis_traits = {
	.noun = "entry", .nouns = "entries", .store = "streams", .unit = "stream", .plural = 1,
	.several = 1, .ids = 1,
};

static const struct backend_ops redis_ops = {
	.name = "redis",
	.class_name = "RedisStreamsPersistence",
	.traits = &redis_traits,
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
	/* the config's range (CONFIG_REDIS_TIMEOUT_MIN..MAX) keeps this cast defined */
	if (redis_conn_open(&s->conn, c->redis_url, (int64_t)(c->redis_timeout * 1000.0 + 0.5), e) < 0)
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
