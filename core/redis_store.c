/* The Redis store (redis_store.h): the keys and ids of one system's three
 * streams, the connection, reading an entry back, the other system ids a
 * mistyped --system-id may have meant, and following the streams.  The
 * scan is redis_scan.c, apply and compaction redis_apply.c. */
#include "redis_store.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct redis_store *redis_store_open(const struct config *c, perr *e)
{
	struct redis_store *s = calloc(1, sizeof *s);
	if (!s || !(s->jv = malloc(sizeof *s->jv)))
		goto oom;
	for (int i = 0; i < REDIS_N_STREAMS; i++)
		if (!(s->keys[i] = px_asprintf(e, "%s:%s:%s", c->prefix, c->system_id, stream_suffix[i])))
			goto oom;
	if (!(s->quarantine_prefix = px_strdup(c->quarantine_prefix, e)))
		goto oom;
	/* the config's range (CONFIG_REDIS_TIMEOUT_MIN..MAX) keeps this cast defined */
	struct redis_conn_opts co = {
		.timeout_ms = (int64_t)(c->redis_timeout * 1000.0 + 0.5),
		.tls = { c->redis_tls_ca, c->redis_tls_cert, c->redis_tls_key, c->redis_tls_insecure },
		.sentinel_password = c->sentinel_password,
	};
	if (redis_conn_open(&s->conn, c->redis_url, &co, e) < 0)
		goto fail;
	s->ack_deleted = c->ack_deleted;
	return s;
oom:
	perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
fail:
	redis_store_free(s);
	return NULL;
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

/* Entry `ent` of a reply ([id, [field, value...]]) into *row: a copy of
 * its `data`, or its fields as JSON (row->fields).  Returns 0, or -1 (e). */
static int entry_row(const struct redis_store *s, const char *key, const redisReply *ent,
		     struct backend_run_row *row, perr *e)
{
	memset(row, 0, sizeof *row);
	if (ent->type != REDIS_REPLY_ARRAY || ent->elements != 2 || ent->element[0]->type != REDIS_REPLY_STRING ||
	    ent->element[1]->type != REDIS_REPLY_ARRAY)
		return perr_set(e, PX_IOERR, "Redis at %s: malformed entry in stream %s", s->conn.display, key);
	snprintf(row->id, sizeof row->id, "%s", ent->element[0]->str);
	const redisReply *d = redis_entry_data(ent->element[1]);
	if (d) {
		if ((row->row.data = malloc(d->len ? d->len : 1))) {
			memcpy(row->row.data, d->str, d->len);
			row->row.len = d->len;
		}
	} else {
		row->row.data = fields_json(ent->element[1], &row->row.len, e);
		row->row.fields = 1;
	}
	return row->row.data ? 0 : perr_set(e, PX_IOERR, "out of memory");
}

int redis_store_read(struct redis_store *s, const char *key, const char *from, const char *to, int dir,
		     size_t max, size_t max_bytes, struct backend_rows *out, perr *e)
{
	memset(out, 0, sizeof *out);
	const char *cmd = dir < 0 ? "XREVRANGE" : "XRANGE";
	char count[24], what[64];
	snprintf(count, sizeof count, "%zu", max ? max : 1);
	snprintf(what, sizeof what, "%s %.40s", cmd, key);
	const char *argv[6] = { cmd, key, from, to, "COUNT", count };
	redisReply *r = redis_conn_command(&s->conn, REDIS_REPLY_ARRAY, what, 6, argv, NULL, e);
	if (!r)
		return -1;
	int rc = 0;
	size_t bytes = 0;
	if (r->elements && !(out->v = calloc(r->elements, sizeof *out->v)))
		rc = perr_set(e, PX_IOERR, "out of memory");
	for (size_t i = 0; rc == 0 && i < r->elements; i++) {
		if (out->n && bytes >= max_bytes) {
			out->more = 1;
			break;
		}
		if ((rc = entry_row(s, key, r->element[i], &out->v[out->n], e)) == 0)
			bytes += out->v[out->n++].row.len;
	}
	if (r->elements >= (max ? max : 1))
		out->more = 1;
	freeReplyObject(r);
	if (rc < 0)
		backend_rows_free(out);
	return rc;
}

void redis_store_free(struct redis_store *s)
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

/* The distinct system ids that have a stream under `prefix` and match
 * `glob` (fnmatch; NULL: any), sorted, into *out (n of them, each
 * malloc'd); SCAN MATCH "{prefix}:*" for at most `pages` pages (0: the
 * whole key space; on a Cluster every master), keeping at most `max`
 * names: *more says the list was cut.  Returns 0 or -1 (e). */
static int list_systems(struct redis_store *s, const char *prefix, const char *glob, size_t max, int pages,
			char ***out, size_t *n_out, int *more, perr *e)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	*out = NULL;
	*n_out = 0;
	*more = 0;
	/* the prefix is literal: escape what SCAN MATCH treats as glob syntax */
	struct strbuf pat = { 0 };
	for (const char *p = prefix; *p; p++) {
		if (strchr("*?[]\\", *p))
			strbuf_add(&pat, "\\", 1);
		strbuf_add(&pat, p, 1);
	}
	strbuf_puts(&pat, ":*");
	if (pat.oom)
		return perr_set(e, PX_IOERR, "out of memory");
	char cursor[32] = "0";
	int rc = 0;
	for (int page = 0; (pages == 0 || page < pages) && rc == 0; page++) {
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
			for (size_t k = 0; rc == 0 && k < keys->elements; k++) {
				const redisReply *key = keys->element[k];
				char *id = key->type == REDIS_REPLY_STRING ?
					   system_of(key->str, key->len, prefix) : NULL;
				if (id && glob && fnmatch(glob, id, 0) != 0) {
					free(id);
					id = NULL;
				}
				/* three streams a system: duplicates are dropped below */
				if (id && n >= 3 * max) {
					*more = 1;
					free(id);
				} else if (id && px_grow(&names, &cap, n + 1, sizeof *names, e) < 0) {
					free(id);
					rc = -1;
				} else if (id) {
					names[n++] = id;
				}
			}
		} else {
			snprintf(cursor, sizeof cursor, "0");
		}
		freeReplyObject(r);
		if (strcmp(cursor, "0") == 0)
			break;
		if (pages && page + 1 == pages)
			*more = 1;
	}
	strbuf_free(&pat);
	if (names)
		qsort(names, n, sizeof *names, systems_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && (u == 0 || strcmp(names[u - 1], names[i]) != 0) && u < max)
			names[u++] = names[i];
		else {
			if (rc == 0 && u >= max && strcmp(names[u - 1], names[i]) != 0)
				*more = 1;
			free(names[i]);
		}
	}
	if (rc < 0) {
		free(names);
		return -1;
	}
	*out = names;
	*n_out = u;
	return 0;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int redis_store_systems(struct redis_store *s, const char *prefix, struct strbuf *out, int *more, perr *e)
{
	char **names;
	size_t n;
	if (list_systems(s, prefix, NULL, REDIS_SYSTEMS_MAX, REDIS_SYSTEMS_SCAN_PAGES, &names, &n, more, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_puts(out, ", ");
		strbuf_puts(out, names[i]);
	}
	free_names(names, n);
	if (out->oom)
		return perr_set(e, PX_IOERR, "out of memory");
	return (int)n;
}

int redis_store_fleet(struct redis_store *s, const char *prefix, const char *glob, char ***ids, size_t *n,
		      perr *e)
{
	int more = 0;
	if (list_systems(s, prefix, glob, REDIS_FLEET_MAX, 0, ids, n, &more, e) < 0)
		return -1;
	if (more) {
		free_names(*ids, *n);
		*ids = NULL;
		*n = 0;
		return perr_set(e, PX_USAGE, "--system-id '%s' matches more than %d system ids under prefix '%s': "
				"narrow the pattern", glob, REDIS_FLEET_MAX, prefix);
	}
	return 0;
}

/* ---- following: where each stream ends, and what came after ------------ */

/* The newest entry's id of `key` (NULL when the stream is empty or
 * missing) and its length, in three commands: where XINFO STREAM is not
 * allowed (an ACL) or not understood. */
static int redis_stream_end_slow(struct redis_store *s, const char *key, struct backend_mark *m, perr *e)
{
	const char *xl[2] = { "XLEN", key };
	redisReply *r = redis_conn_command(&s->conn, REDIS_REPLY_INTEGER, "XLEN", 2, xl, NULL, e);
	if (!r)
		return -1;
	m->entries = r->integer;
	freeReplyObject(r);
	const char *ex[2] = { "EXISTS", key };
	if (!(r = redis_conn_command(&s->conn, REDIS_REPLY_INTEGER, "EXISTS", 2, ex, NULL, e)))
		return -1;
	m->exists = r->integer > 0;
	freeReplyObject(r);
	const char *rv[6] = { "XREVRANGE", key, "+", "-", "COUNT", "1" };
	if (!(r = redis_conn_command(&s->conn, REDIS_REPLY_ARRAY, "XREVRANGE", 6, rv, NULL, e)))
		return -1;
	int rc = 0;
	if (r->elements == 1 && r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements == 2 &&
	    r->element[0]->element[0]->type == REDIS_REPLY_STRING &&
	    !(m->last_id = px_strdup(r->element[0]->element[0]->str, e)))
		rc = -1;
	freeReplyObject(r);
	return rc;
}

/* The value of field `name` of a flat field/value reply, or NULL. */
static const redisReply *info_field(const redisReply *r, const char *name)
{
	for (size_t i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->type == REDIS_REPLY_STRING && strcmp(r->element[i]->str, name) == 0)
			return r->element[i + 1];
	return NULL;
}

/* One XINFO STREAM reply into m: 1 when it said, 0 when the slow way
 * must (an error other than a missing key), -1 (e). */
static int stream_end_of(const redisReply *r, struct backend_mark *m, perr *e)
{
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "WRONGTYPE", 9) == 0) {
		m->exists = 1; /* a key that is not a stream (the scan reported it): no entries */
		return 1;
	}
	if (r->type == REDIS_REPLY_ERROR)
		return strstr(r->str, "no such key") ? 1 : 0; /* missing: not there, nothing deleted known */
	if (r->type != REDIS_REPLY_ARRAY)
		return 0;
	const redisReply *len = info_field(r, "length"), *last = info_field(r, "last-entry");
	const redisReply *added = info_field(r, "entries-added");
	if (!len || len->type != REDIS_REPLY_INTEGER || !last)
		return 0;
	m->exists = 1;
	m->entries = len->integer;
	m->deleted = added && added->type == REDIS_REPLY_INTEGER ? added->integer - len->integer : -1;
	if (last->type == REDIS_REPLY_ARRAY && last->elements == 2 && last->element[0]->type == REDIS_REPLY_STRING &&
	    !(m->last_id = px_strdup(last->element[0]->str, e)))
		return -1;
	return 1;
}

/* Where each of the `n` streams of `keys` ends, into m[]: one pipelined
 * round trip of XINFO STREAM (its length, last entry, and entries-added
 * from Redis 7.0, so deletions show); the slow way for a stream whose
 * XINFO was refused. */
static int redis_stream_ends(struct redis_store *s, char *const *keys, size_t n, struct backend_mark *m, perr *e)
{
	for (size_t i = 0; i < n; i++) {
		const char *argv[3] = { "XINFO", "STREAM", keys[i] };
		if (redis_conn_append(&s->conn, 3, argv, NULL, e) < 0)
			return -1;
	}
	int rc = 0;
	perr drained = { 0 };
	for (size_t i = 0; i < n; i++) {
		redisReply *r = redis_conn_reply(&s->conn, rc < 0 ? &drained : e);
		m[i].exists = 0;
		m[i].entries = 0;
		m[i].deleted = -1;
		m[i].last_id = NULL;
		int said = !r ? -1 : rc < 0 ? 1 : stream_end_of(r, &m[i], e);
		freeReplyObject(r);
		if (said < 0)
			rc = -1;
		else if (said == 0 && rc == 0)
			m[i].exists = 2; /* the slow way, once every reply is read */
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (m[i].exists == 2) {
			m[i].exists = 0;
			rc = redis_stream_end_slow(s, keys[i], &m[i], e);
		}
	return rc;
}

int redis_store_position(struct redis_store *s, struct backend_pos *out, perr *e)
{
	out->n = 0;
	if (!(out->v = calloc(REDIS_N_STREAMS, sizeof *out->v)))
		return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	out->n = REDIS_N_STREAMS;
	int rc = redis_stream_ends(s, s->keys, REDIS_N_STREAMS, out->v, e);
	for (int i = 0; rc == 0 && i < REDIS_N_STREAMS; i++)
		if (!(out->v[i].unit = px_strdup(s->keys[i], e)))
			rc = -1;
	if (rc < 0)
		backend_pos_free(out);
	return rc;
}

/* -1, 0, 1 as id a is older than, the same as, newer than id b. */
static int redis_id_cmp(const char *a, const char *b)
{
	uint64_t ams = 0, aseq = 0, bms = 0, bseq = 0;
	redis_id_parse(a, &ams, &aseq);
	redis_id_parse(b, &bms, &bseq);
	if (ams != bms)
		return ams < bms ? -1 : 1;
	return aseq < bseq ? -1 : aseq > bseq;
}

int redis_store_since(struct redis_store *s, const struct backend_pos *at, struct backend_growth *out, perr *e)
{
	memset(out, 0, sizeof *out);
	size_t n = at->n;
	char **keys = calloc(n ? n : 1, sizeof *keys);
	struct backend_mark *now = calloc(n ? n : 1, sizeof *now);
	if (!keys || !now || !(out->v = calloc(n ? n : 1, sizeof *out->v))) {
		free(keys);
		free(now);
		return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = at->v[i].unit;
	int rc = redis_stream_ends(s, keys, n, now, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct backend_mark *m = &at->v[i];
		const char *last = now[i].last_id;
		struct backend_unit_growth *g = &out->v[out->n];
		if (!(g->unit = px_strdup(m->unit, e))) {
			rc = -1;
			break;
		}
		out->n++;
		g->from = m->entries;
		g->to = now[i].entries;
		g->deleted = now[i].deleted;
		if (!m->exists && now[i].exists)
			g->state = GROW_NEW, g->from = 0;
		else if (m->exists && !now[i].exists)
			g->state = GROW_GONE;
		else if (!last || !m->last_id)
			g->state = last ? GROW_NEW : m->last_id ? GROW_REPLACED : GROW_SAME;
		else {
			int c = redis_id_cmp(last, m->last_id);
			/* ids only grow: an older newest id means entries were deleted at the end */
			g->state = c > 0 ? GROW_APPENDED : c < 0 ? GROW_REPLACED : GROW_SAME;
		}
		/* entries deleted anywhere (XDEL, XTRIM) move every position after them */
		if (m->exists && m->deleted >= 0 && now[i].deleted != m->deleted && g->state != GROW_GONE)
			g->state = GROW_REPLACED;
		out->rescan |= g->state == GROW_GONE || g->state == GROW_REPLACED;
		out->grew |= g->state == GROW_APPENDED || g->state == GROW_NEW;
	}
	for (size_t i = 0; i < n; i++)
		free(now[i].last_id);
	free(now);
	free(keys);
	if (rc < 0)
		backend_growth_free(out);
	return rc;
}
