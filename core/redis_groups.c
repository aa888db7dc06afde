/* Consumer groups of the three streams (issue 10 item 6).
 *
 * Papyra's readers consume a stream through consumer groups (XREADGROUP,
 * named by the application: RedisConsumerGroupConfig.group / .consumer in
 * papyra/persistence/backends/redis.py); an entry a consumer was given and
 * has not acknowledged stays in the group's pending list (PEL) by id, even
 * after the entry is deleted.  So:
 *
 * - a scan reads each stream's groups (XINFO GROUPS: consumers, pending,
 *   lag) and looks up the pending ids (XPENDING pages, then XRANGE id id,
 *   pipelined) to count those whose entry no longer exists;
 * - a plan names, for each entry it deletes or quarantines, the groups it
 *   is pending in (XPENDING over the plan's id range of that stream);
 * - with --ack-deleted, apply acknowledges (XACK) every deleted entry in
 *   every group of its stream, once the deletion is in place: XACK of an
 *   id that is not pending does nothing, so this also covers ids the
 *   bounded plan lookup did not see.
 *
 * Every key is the stream's own, so on a Cluster each command goes to the
 * node of the stream's slot.  A server that will not say (NOPERM for
 * XINFO or XPENDING under a tight ACL) leaves the groups unknown with the
 * reason: the data scan goes on. */
#include "redis_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commands sent before their replies are read (XRANGE lookups, XACKs):
 * one page of pending ids, so the output buffers stay small. */
#define REDIS_GROUPS_PIPELINE REDIS_PENDING_PAGE

static const redisReply *field(const redisReply *kv, const char *name)
{
	for (size_t i = 0; kv->type == REDIS_REPLY_ARRAY && i + 1 < kv->elements; i += 2) {
		const redisReply *k = kv->element[i];
		if ((k->type == REDIS_REPLY_STRING || k->type == REDIS_REPLY_STATUS) &&
		    strcmp(k->str, name) == 0)
			return kv->element[i + 1];
	}
	return NULL;
}

static int64_t field_int(const redisReply *kv, const char *name)
{
	const redisReply *v = field(kv, name);
	return v && v->type == REDIS_REPLY_INTEGER ? (int64_t)v->integer : -1;
}

/* Send one command and read its reply: an array, or NULL with *soft set
 * to "WHAT: the server's reason" when it answered otherwise (e untouched),
 * or NULL with e set when the connection failed. */
static redisReply *array_or_soft(struct redis_store *st, int argc, const char **argv, const char *what,
				 char **soft, perr *e)
{
	*soft = NULL;
	if (redis_conn_append(&st->conn, argc, argv, NULL, e) < 0)
		return NULL;
	redisReply *r = redis_conn_reply(&st->conn, e);
	if (!r)
		return NULL;
	if (r->type == REDIS_REPLY_ARRAY)
		return r;
	*soft = px_asprintf(e, "%s: %s", what, r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	freeReplyObject(r);
	if (!*soft)
		perr_set(e, PX_IOERR, "out of memory");
	return NULL;
}

/* XINFO GROUPS key (array_or_soft). */
static redisReply *xinfo_groups(struct redis_store *st, const char *key, char **soft, perr *e)
{
	const char *argv[3] = { "XINFO", "GROUPS", key };
	char what[PERR_MSG_MAX];
	snprintf(what, sizeof what, "XINFO GROUPS %.400s", key);
	return array_or_soft(st, 3, argv, what, soft, e);
}

/* One XPENDING page of group `g` from `start` to `end`, at most `count`
 * ids (array_or_soft). */
static redisReply *xpending(struct redis_store *st, const char *key, const char *g, const char *start,
			    const char *end, int64_t count, char **soft, perr *e)
{
	char n[24];
	snprintf(n, sizeof n, "%lld", (long long)count);
	const char *argv[6] = { "XPENDING", key, g, start, end, n };
	char what[PERR_MSG_MAX];
	snprintf(what, sizeof what, "XPENDING %.300s %.300s", key, g);
	return array_or_soft(st, 6, argv, what, soft, e);
}

/* The id of XPENDING's extended entry [id, consumer, idle, deliveries]. */
static const char *pending_id(const redisReply *x)
{
	if (x->type != REDIS_REPLY_ARRAY || x->elements < 1 || x->element[0]->type != REDIS_REPLY_STRING)
		return NULL;
	return x->element[0]->str;
}

/* Which ids of one XPENDING page still exist: XRANGE id id each,
 * pipelined; counts the others into g. */
static int count_dangling(struct redis_store *st, const char *key, const redisReply *page,
			  struct scan_group *g, perr *e)
{
	size_t sent = 0;
	for (size_t i = 0; i < page->elements; i++) {
		const char *id = pending_id(page->element[i]);
		if (!id)
			continue;
		const char *argv[4] = { "XRANGE", key, id, id };
		if (redis_conn_append(&st->conn, 4, argv, NULL, e) < 0)
			return -1;
		sent++;
	}
	int rc = 0;
	size_t at = 0;
	for (size_t k = 0; k < sent; k++, at++) {
		while (!pending_id(page->element[at]))
			at++;
		redisReply *r = redis_conn_reply(&st->conn, e);
		if (!r)
			return -1;
		if (rc == 0 && (rc = redis_reply_check(&st->conn, r, REDIS_REPLY_ARRAY, "XRANGE", e)) == 0) {
			g->checked++;
			if (r->elements == 0 && g->dangling++ == 0 &&
			    !(g->dangling_first = px_strdup(pending_id(page->element[at]), e)))
				rc = -1;
		}
		freeReplyObject(r);
	}
	return rc;
}

/* Walk group g's pending list in pages, up to REDIS_PENDING_CHECK_MAX ids. */
static int check_pending(struct redis_store *st, const char *key, struct scan_group *g,
			 char **soft, perr *e)
{
	char start[REDIS_ID_MAX + 2] = "-";
	while (g->checked < REDIS_PENDING_CHECK_MAX && g->checked < g->pending) {
		int64_t want = REDIS_PENDING_CHECK_MAX - g->checked;
		if (want > REDIS_PENDING_PAGE)
			want = REDIS_PENDING_PAGE;
		redisReply *page = xpending(st, key, g->name, start, "+", want, soft, e);
		if (!page)
			return *soft ? 0 : -1;
		int rc = count_dangling(st, key, page, g, e);
		size_t n = page->elements;
		const char *last = n ? pending_id(page->element[n - 1]) : NULL;
		if (last)
			snprintf(start, sizeof start, "(%s", last);
		freeReplyObject(page);
		if (rc < 0)
			return -1;
		if ((int64_t)n < want || !last)
			break;
	}
	return 0;
}

int redis_groups_scan(struct redis_store *st, const char *key, struct scan_file *f, perr *e)
{
	char *soft = NULL;
	redisReply *r = xinfo_groups(st, key, &soft, e);
	if (!r) {
		f->groups_error = soft;
		return soft ? 0 : -1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < r->elements; i++) {
		const redisReply *kv = r->element[i], *name = field(kv, "name");
		if (!name || name->type != REDIS_REPLY_STRING)
			continue;
		struct scan_group *g = scan_file_add_group(f, name->str, e);
		const redisReply *last = field(kv, "last-delivered-id");
		if (!g || (last && last->type == REDIS_REPLY_STRING &&
			   !(g->last_delivered = px_strdup(last->str, e)))) {
			rc = -1;
			break;
		}
		g->consumers = field_int(kv, "consumers");
		g->pending = field_int(kv, "pending");
		g->entries_read = field_int(kv, "entries-read");
		g->lag = field_int(kv, "lag");
		if (g->pending > 0)
			rc = check_pending(st, key, g, &soft, e);
		if (soft) {
			f->groups_error = soft;
			break;
		}
	}
	freeReplyObject(r);
	return rc;
}

/* ---- the plan: which entries to delete are pending, and where ----------- */

/* An action's (stream id) for sorting and lookup. */
struct pend_ref {
	uint64_t ms, seq;
	size_t action;
};

static int ref_cmp(const void *pa, const void *pb)
{
	const struct pend_ref *a = pa, *b = pb;
	if (a->ms != b->ms)
		return a->ms < b->ms ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Append group name `g` to the action's pending list (names each ended by
 * a NUL, the list by an empty name). */
static int add_pending(struct action *a, const char *g, perr *e)
{
	size_t used = 0;
	for (const char *s = a->pending; s && *s; s += strlen(s) + 1)
		used += strlen(s) + 1;
	size_t n = strlen(g) + 1;
	char *p = realloc(a->pending, used + n + 1);
	if (!p)
		return perr_set(e, PX_IOERR, "out of memory");
	memcpy(p + used, g, n);
	p[used + n] = '\0';
	a->pending = p;
	return 0;
}

/* Group g's pending ids between the first and last of refs[0..n), in
 * pages, up to REDIS_PENDING_PLAN_MAX: each that is one of the refs marks
 * its action. */
static int plan_group(struct redis_store *st, const char *key, const char *g, struct pend_ref *refs,
		      size_t n, struct plan *p, perr *e)
{
	char start[REDIS_ID_MAX + 2], end[REDIS_ID_MAX + 1];
	snprintf(start, sizeof start, "%llu-%llu", (unsigned long long)refs[0].ms,
		 (unsigned long long)refs[0].seq);
	snprintf(end, sizeof end, "%llu-%llu", (unsigned long long)refs[n - 1].ms,
		 (unsigned long long)refs[n - 1].seq);
	int64_t seen = 0;
	char *soft = NULL;
	while (seen < REDIS_PENDING_PLAN_MAX) {
		redisReply *page = xpending(st, key, g, start, end, REDIS_PENDING_PAGE, &soft, e);
		if (!page) {
			free(soft); /* a tight ACL: the plan names no group; the scan said why */
			return soft ? 0 : -1;
		}
		int rc = 0;
		const char *last = NULL;
		for (size_t i = 0; rc == 0 && i < page->elements; i++) {
			struct pend_ref k = { 0 };
			if (!(last = pending_id(page->element[i])) || redis_id_parse(last, &k.ms, &k.seq) < 0)
				continue;
			const struct pend_ref *hit = bsearch(&k, refs, n, sizeof *refs, ref_cmp);
			if (hit)
				rc = add_pending(&p->v[hit->action], g, e);
		}
		size_t got = page->elements;
		if (last)
			snprintf(start, sizeof start, "(%s", last);
		freeReplyObject(page);
		seen += (int64_t)got;
		if (rc < 0)
			return -1;
		if (got < REDIS_PENDING_PAGE || !last)
			break;
	}
	return 0;
}

int redis_groups_plan(struct redis_store *st, const struct scan_report *r, struct plan *p, perr *e)
{
	int rc = 0;
	struct pend_ref *refs = NULL;
	for (size_t f = 0; rc == 0 && f < r->n_files; f++) {
		const struct scan_file *sf = &r->files[f];
		size_t n = 0, with_pending = 0;
		for (size_t g = 0; g < sf->n_groups; g++)
			with_pending += sf->groups[g].pending > 0;
		if (!with_pending)
			continue;
		free(refs);
		if (!(refs = malloc((p->n ? p->n : 1) * sizeof *refs))) {
			rc = perr_set(e, PX_IOERR, "out of memory");
			break;
		}
		for (size_t i = 0; i < p->n; i++) {
			const struct action *a = &p->v[i];
			if (a->id && strcmp(a->path, sf->path) == 0 &&
			    redis_id_parse(a->id, &refs[n].ms, &refs[n].seq) == 0)
				refs[n++].action = i;
		}
		if (!n)
			continue;
		qsort(refs, n, sizeof *refs, ref_cmp);
		for (size_t g = 0; rc == 0 && g < sf->n_groups; g++)
			if (sf->groups[g].pending > 0)
				rc = plan_group(st, sf->path, sf->groups[g].name, refs, n, p, e);
	}
	free(refs);
	return rc;
}

/* ---- --ack-deleted ----------------------------------------------------- */

/* XACK key g id for the applied actions [0..n) of `idx`, pipelined. */
static int ack_group(struct redis_store *st, const char *key, const char *g, const struct plan *p,
		     const size_t *idx, size_t n, struct apply_result *res, perr *e)
{
	for (size_t from = 0; from < n; from += REDIS_GROUPS_PIPELINE) {
		size_t m = n - from < REDIS_GROUPS_PIPELINE ? n - from : REDIS_GROUPS_PIPELINE;
		for (size_t i = 0; i < m; i++) {
			const char *argv[4] = { "XACK", key, g, p->v[idx[from + i]].id };
			if (redis_conn_append(&st->conn, 4, argv, NULL, e) < 0)
				return -1;
		}
		int rc = 0;
		for (size_t i = 0; i < m; i++) {
			redisReply *r = redis_conn_reply(&st->conn, e);
			if (!r)
				return -1;
			if (rc == 0 && (rc = redis_reply_check(&st->conn, r, REDIS_REPLY_INTEGER, "XACK", e)) == 0 &&
			    r->integer > 0) {
				res->acked[idx[from + i]] = 1;
				res->n_acked += r->integer;
			}
			freeReplyObject(r);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int redis_groups_ack(struct redis_store *st, const struct plan *p, struct apply_result *res, perr *e)
{
	res->acking = 1;
	if (!p->n)
		return 0;
	if (!res->acked && !(res->acked = calloc(p->n, 1)))
		return perr_set(e, PX_IOERR, "out of memory");
	size_t *idx = malloc(p->n * sizeof *idx);
	if (!idx)
		return perr_set(e, PX_IOERR, "out of memory");
	int rc = 0;
	for (size_t s = 0; rc == 0 && s < REDIS_N_STREAMS; s++) {
		size_t n = 0;
		for (size_t i = 0; i < p->n && i < res->n_actions; i++)
			if (res->applied[i] && p->v[i].id && strcmp(p->v[i].path, st->keys[s]) == 0)
				idx[n++] = i;
		if (!n)
			continue;
		char *soft = NULL;
		redisReply *r = xinfo_groups(st, st->keys[s], &soft, e);
		if (!r && soft && strstr(soft, "no such key")) {
			free(soft); /* the stream is gone: no group holds anything */
			continue;
		}
		if (!r) {
			if (soft)
				rc = perr_set(e, PX_UNAVAILABLE, "the deletion was applied, but --ack-deleted "
					      "could not acknowledge: %s", soft);
			else
				rc = -1;
			free(soft);
			break;
		}
		for (size_t g = 0; rc == 0 && g < r->elements; g++) {
			const redisReply *name = field(r->element[g], "name");
			if (name && name->type == REDIS_REPLY_STRING)
				rc = ack_group(st, st->keys[s], name->str, p, idx, n, res, e);
		}
		freeReplyObject(r);
	}
	free(idx);
	return rc;
}
