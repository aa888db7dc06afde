/* Quarantine on Redis Streams (SPEC §4): each bad entry is copied to its
 * quarantine stream with every original field (and an empty `data` when
 * it had none) plus `source`, `id` and `timestamp`, then deleted from its
 * stream, batch by batch, each batch read again and checked first.
 *
 * Two ways, by where the two streams live:
 *
 * - one hash slot (a standalone server, or a cluster whose key names share
 *   a hash tag: --prefix '{papyra}'): the batch's XADDs and its XDEL are
 *   one MULTI/EXEC, so a batch is either moved or untouched;
 *
 * - two hash slots of a Redis Cluster (the default key names), where no
 *   MULTI can hold both: the XADDs first, and the XDEL only once every
 *   copy is acknowledged, so an entry is never in neither stream.  A batch
 *   cut short between the two leaves its entries in both; the error says
 *   so, the batch is not marked applied (nor journaled as done), and the
 *   next run recognises the copies: before its first batch it reads the
 *   newest REDIS_QUARANTINE_LOOKBACK entries of the quarantine stream, and
 *   an entry whose copy is there (same source, id and fields) is deleted
 *   without a second copy, so none is counted twice. */
#include "redis_apply_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Newest quarantine entries a run reads back to recognise copies made by
 * a run that stopped between copy and delete: such copies are the newest
 * ones (each batch is copied only after the previous one was deleted), so
 * twenty batches' worth leaves room for plans that skipped entries. */
#define REDIS_QUARANTINE_LOOKBACK 10000
/* Entries per XREVRANGE page of that read. */
#define REDIS_QUARANTINE_PAGE 1000
/* The fields a copy adds after the original ones: source, id, timestamp. */
#define QUARANTINE_TAIL 6

/* A copy found in the quarantine stream: the original's id, and the hash
 * of its fields as copied (without and with a trailing empty `data`,
 * which the copy adds to an entry that had none). */
struct qcopy {
	uint64_t ms, seq;
	uint64_t hash, hash_nodata;
};

struct qseen {
	struct qcopy *v;
	size_t n, cap;
	size_t stream; /* whose quarantine stream was read; SIZE_MAX: none yet */
};

/* ---- one transaction per batch ---------------------------------------------- */

/* XADD of entry i's copy (fields `fields`) to qkey: queued. */
static int append_copy(struct rapply *a, size_t i, const redisReply *fields, const char *qkey,
		       const char *now)
{
	const struct action *x = rapply_act(a, i);
	size_t n = 0;
	if (rapply_argv(a, fields->elements + 11) < 0)
		return -1;
	const char *head[3] = { "XADD", qkey, "*" };
	const char *extra[6] = { "source", x->path, "id", x->id, "timestamp", now };
	for (size_t k = 0; k < 3; k++, n++) {
		a->argv[n] = head[k];
		a->argl[n] = strlen(head[k]);
	}
	/* every original field, as stored (binary-safe) */
	int has_data = 0;
	for (size_t k = 0; k < fields->elements; k++, n++) {
		a->argv[n] = fields->element[k]->str;
		a->argl[n] = fields->element[k]->len;
		if (k % 2 == 0 && fields->element[k]->len == 4 && memcmp(fields->element[k]->str, "data", 4) == 0)
			has_data = 1;
	}
	/* readers of the quarantine stream expect `data` (SPEC §2.3): an
	 * entry that had none gets an empty one, its own fields kept */
	if (!has_data) {
		a->argv[n] = "data";
		a->argl[n++] = 4;
		a->argv[n] = "";
		a->argl[n++] = 0;
	}
	for (size_t k = 0; k < 6; k++, n++) {
		a->argv[n] = extra[k];
		a->argl[n] = strlen(extra[k]);
	}
	return redis_conn_append(&a->st->conn, (int)n, a->argv, a->argl, a->e);
}

static const redisReply *fields_of(redisReply *const *cur, size_t i)
{
	return cur[i]->element[0]->element[1];
}

/* MULTI, one XADD per entry of the batch, the batch's XDEL, EXEC: queued. */
static int append_transaction(struct rapply *a, size_t from, size_t end, redisReply **cur,
			      const char *qkey, const char *now)
{
	struct redis_conn *c = &a->st->conn;
	const char *multi[1] = { "MULTI" }, *exec[1] = { "EXEC" };
	if (redis_conn_append(c, 1, multi, NULL, a->e) < 0)
		return -1;
	for (size_t i = from; i < end; i++)
		if (append_copy(a, i, fields_of(cur, i - from), qkey, now) < 0)
			return -1;
	if (rapply_append_xdel(a, from, end) < 0)
		return -1;
	return redis_conn_append(c, 1, exec, NULL, a->e);
}

/* Read the replies of one MULTI ... EXEC of `n` XADDs and an XDEL. */
static int read_transaction(struct rapply *a, size_t n, long long *deleted)
{
	struct redis_conn *c = &a->st->conn;
	int rc = 0;
	for (size_t i = 0; i < n + 3; i++) {
		redisReply *r = redis_conn_reply(c, a->e);
		if (!r)
			return -1;
		const char *what = i == 0 ? "MULTI" : i == n + 2 ? "EXEC" : i == n + 1 ? "XDEL" : "XADD";
		if (rc == 0 && i < n + 2)
			rc = redis_reply_check(c, r, REDIS_REPLY_STATUS, what, a->e);
		else if (rc == 0) {
			rc = redis_reply_check(c, r, REDIS_REPLY_ARRAY, "EXEC", a->e);
			for (size_t k = 0; rc == 0 && k < r->elements; k++)
				rc = redis_reply_check(c, r->element[k], -1, k < n ? "XADD" : "XDEL", a->e);
			if (rc == 0 && r->elements != n + 1)
				rc = perr_set(a->e, PX_IOERR, "Redis at %s: EXEC answered %zu results for %zu "
					      "commands", c->display, r->elements, n + 1);
			if (rc == 0)
				*deleted = r->element[n]->integer;
		}
		freeReplyObject(r);
	}
	return rc;
}

static int batch_atomic(struct rapply *a, size_t from, size_t end, redisReply **cur,
			const char *qkey, const char *now, long long *deleted)
{
	int rc = append_transaction(a, from, end, cur, qkey, now);
	return rc == 0 ? read_transaction(a, end - from, deleted) : rc;
}

/* ---- copy, then delete ----------------------------------------------------------- */

static int qcopy_cmp(const void *pa, const void *pb)
{
	const struct qcopy *x = pa, *y = pb;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int is_str(const redisReply *r, const char *s)
{
	size_t n = strlen(s);
	return r->type == REDIS_REPLY_STRING && r->len == n && memcmp(r->str, s, n) == 0;
}

/* A quarantine entry's fields: when its tail says it is a copy from
 * `src`, its original id and fields' hashes. */
static int copy_of(const redisReply *f, const char *src, struct qcopy *out)
{
	size_t n = f->elements;
	if (n < QUARANTINE_TAIL || n % 2 || !is_str(f->element[n - 6], "source") ||
	    !is_str(f->element[n - 5], src) || !is_str(f->element[n - 4], "id") ||
	    f->element[n - 3]->type != REDIS_REPLY_STRING ||
	    redis_id_parse(f->element[n - 3]->str, &out->ms, &out->seq) < 0)
		return 0;
	redisReply orig = *f; /* the leading fields, read in place */
	orig.elements = n - QUARANTINE_TAIL;
	out->hash = out->hash_nodata = redis_entry_hash(&orig);
	if (orig.elements >= 2 && is_str(f->element[orig.elements - 2], "data") &&
	    is_str(f->element[orig.elements - 1], "")) {
		orig.elements -= 2;
		out->hash_nodata = redis_entry_hash(&orig);
	}
	return 1;
}

/* Read the newest copies from `src` in qkey (once per stream and run). */
static int load_copies(struct rapply *a, const char *qkey, const char *src, struct qseen *s)
{
	struct redis_conn *c = &a->st->conn;
	char from[REDIS_ID_MAX + 2] = "+", count[16];
	snprintf(count, sizeof count, "%d", REDIS_QUARANTINE_PAGE);
	s->n = 0;
	for (size_t read = 0; read < REDIS_QUARANTINE_LOOKBACK;) {
		const char *argv[6] = { "XREVRANGE", qkey, from, "-", "COUNT", count };
		redisReply *r = redis_conn_command(c, REDIS_REPLY_ARRAY, "XREVRANGE", 6, argv, NULL, a->e);
		if (!r)
			return -1;
		size_t got = r->elements;
		for (size_t i = 0; i < got; i++) {
			const redisReply *x = r->element[i];
			struct qcopy q;
			if (x->type != REDIS_REPLY_ARRAY || x->elements != 2 || x->element[1]->type != REDIS_REPLY_ARRAY)
				continue;
			if (i + 1 == got && x->element[0]->type == REDIS_REPLY_STRING)
				snprintf(from, sizeof from, "(%.*s", REDIS_ID_MAX, x->element[0]->str);
			if (!copy_of(x->element[1], src, &q))
				continue;
			if (px_grow(&s->v, &s->cap, s->n + 1, sizeof *s->v, a->e) < 0) {
				freeReplyObject(r);
				return -1;
			}
			s->v[s->n++] = q;
		}
		freeReplyObject(r);
		read += got;
		if (got < REDIS_QUARANTINE_PAGE)
			break;
	}
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, qcopy_cmp);
	return 0;
}

/* Whether entry i (its current fields) already has its copy. */
static int copied_before(const struct qseen *s, const struct action *x, const redisReply *fields)
{
	struct qcopy key = { 0 };
	if (!s->n || redis_id_parse(x->id, &key.ms, &key.seq) < 0)
		return 0;
	const struct qcopy *hit = bsearch(&key, s->v, s->n, sizeof *s->v, qcopy_cmp);
	if (!hit)
		return 0;
	uint64_t h = redis_entry_hash(fields);
	/* the same id copied more than once (runs with different fields) */
	while (hit > s->v && qcopy_cmp(hit - 1, &key) == 0)
		hit--;
	for (; hit < s->v + s->n && qcopy_cmp(hit, &key) == 0; hit++)
		if (hit->hash == h || hit->hash_nodata == h)
			return 1;
	return 0;
}

/* The error of a batch stopped between copy and delete says what is
 * where: `copies` acknowledged, up to `unknown` more sent whose answer was
 * lost with the connection. */
static int in_both(struct rapply *a, size_t copies, size_t unknown, const char *src,
		   const char *qkey)
{
	if (!copies && !unknown)
		return -1;
	char more[PERR_MSG_MAX], maybe[64] = "";
	if (unknown)
		snprintf(maybe, sizeof maybe, " (and perhaps %zu more: the answers were lost)", unknown);
	snprintf(more, sizeof more, "; %zu entr%s of %s %s in %s as well%s, copied and not yet deleted: "
		 "run the quarantine again to finish (it recognises the copies)", copies,
		 copies == 1 ? "y" : "ies", src, copies == 1 ? "is" : "are", qkey, maybe);
	size_t have = strlen(a->e->msg);
	snprintf(a->e->msg + have, sizeof a->e->msg - have, "%s", more);
	return -1;
}

static int batch_copy_then_delete(struct rapply *a, size_t from, size_t end, redisReply **cur,
				  const char *qkey, const char *now, const struct qseen *seen,
				  long long *deleted)
{
	struct redis_conn *c = &a->st->conn;
	const char *src = rapply_act(a, from)->path;
	size_t sent = 0, copies = 0, known = 0;
	for (size_t i = from; i < end; i++) {
		if (copied_before(seen, rapply_act(a, i), fields_of(cur, i - from))) {
			known++;
			continue;
		}
		if (append_copy(a, i, fields_of(cur, i - from), qkey, now) < 0)
			return -1; /* nothing sent yet: a queued command goes out with a read */
		sent++;
	}
	int rc = 0;
	for (size_t k = 0; k < sent; k++) {
		redisReply *r = redis_conn_reply(c, a->e);
		if (!r)
			return in_both(a, known + copies, sent - k, src, qkey);
		if (rc == 0 && (rc = redis_reply_check(c, r, REDIS_REPLY_STRING, "XADD", a->e)) == 0)
			copies++;
		freeReplyObject(r);
	}
	/* copies counts acknowledged XADDs: those of a failed batch are there */
	if (rc < 0)
		return in_both(a, known + copies, 0, src, qkey);
	const char *what = "XDEL";
	redisReply *r = NULL;
	if (rapply_append_xdel(a, from, end) < 0 || !(r = redis_conn_reply(c, a->e)) ||
	    redis_reply_check(c, r, REDIS_REPLY_INTEGER, what, a->e) < 0) {
		if (r)
			freeReplyObject(r);
		return in_both(a, known + copies, 0, src, qkey);
	}
	*deleted = r->integer;
	freeReplyObject(r);
	return 0;
}

/* ---- the loop ------------------------------------------------------------------- */

int redis_quarantine(struct rapply *a, redisReply **cur)
{
	struct timespec ts;
	char now[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	/* what the reference writes: Python's str(time.time()) */
	snprintf(now, sizeof now, "%lld.%06ld", (long long)ts.tv_sec, ts.tv_nsec / 1000);
	struct qseen seen = { .stream = SIZE_MAX };
	int rc = 0;
	for (size_t from = 0; rc == 0 && from < a->n;) {
		size_t end = rapply_batch_end(a, from), n = end - from;
		const char *src = rapply_act(a, from)->path;
		char *qkey = redis_quarantine_key(a->st, src, a->e);
		long long deleted = 0;
		rc = qkey ? rapply_fetch(a, from, n, cur) : -1;
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = rapply_check_entry(a, from + i, cur[i]);
		/* one MULTI cannot hold keys of two hash slots */
		int atomic = qkey && (!redis_conn_is_cluster(&a->st->conn) ||
				      redis_key_slot(src, strlen(src)) == redis_key_slot(qkey, strlen(qkey)));
		if (rc == 0 && !atomic && seen.stream != a->stream[from]) {
			rc = load_copies(a, qkey, src, &seen);
			seen.stream = a->stream[from];
		}
		if (rc == 0)
			rc = atomic ? batch_atomic(a, from, end, cur, qkey, now, &deleted)
				    : batch_copy_then_delete(a, from, end, cur, qkey, now, &seen, &deleted);
		rapply_free_replies(cur, n);
		if (rc == 0)
			rc = rapply_note_deleted(a, from, deleted);
		if (rc == 0)
			rc = rapply_result_add(&a->res->quarantined, &a->res->n_quarantined, qkey, a->e);
		free(qkey);
		if (rc == 0) {
			for (size_t i = from; i < end; i++)
				apply_result_mark(a->res, a->act[i]);
			a->applied += n;
		}
		from = end;
	}
	free(seen.v);
	return rc;
}
