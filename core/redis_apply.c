/* Recovery and compaction on Redis Streams (SPEC §4, §5).
 *
 * Apply first checks that every entry to act on is still there with the
 * fields the scan saw (XRANGE id id, pipelined); if one is gone or
 * different nothing is applied (PX_IOERR "changed since the scan").  Then,
 * per stream and in batches: repair deletes with one XDEL per batch;
 * quarantine copies then deletes each batch (redis_quarantine.c).  No step
 * costs one round trip per entry.
 *
 * Compaction trims with XTRIM MINID (max_age_seconds, measured by the
 * entry id: the time Redis appended it) then XTRIM MAXLEN (max_records),
 * exact by default, since an operator asked for that number.  With
 * --approx-trim it is "~ ... LIMIT REDIS_TRIM_LIMIT", repeated while a call
 * still trims: whole macro nodes only (a few entries beyond the threshold
 * may stay, as with Papyra's approximate trim), and each call bounded, so
 * a trim of millions never stalls the server for long.  Redis cannot trim
 * a stream by bytes: max_total_bytes is left alone here. */
#include "redis_apply_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* XDEL batches sent before their replies are read, so the output buffer
 * stays bounded for a plan of millions of entries. */
#define REDIS_PIPELINE_DEPTH 16
/* Entries one approximate XTRIM may evict: 100 default macro nodes (the
 * server's own default LIMIT for "~"), a few milliseconds of work. */
#define REDIS_TRIM_LIMIT "10000"

const struct action *rapply_act(const struct rapply *a, size_t i)
{
	return &a->p->v[a->act[i]];
}

int rapply_argv(struct rapply *a, size_t n)
{
	if (n <= a->cap_argv)
		return 0;
	const char **v = realloc(a->argv, n * sizeof *v);
	if (v)
		a->argv = v;
	size_t *l = v ? realloc(a->argl, n * sizeof *l) : NULL;
	if (!v || !l)
		return perr_set(a->e, PX_IOERR, "out of memory");
	a->argl = l;
	a->cap_argv = n;
	return 0;
}

int rapply_result_add(char ***v, size_t *n, const char *s, perr *e)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	char **nv = realloc(*v, (*n + 1) * sizeof *nv);
	if (!nv)
		return perr_set(e, PX_IOERR, "out of memory");
	*v = nv;
	if (!(nv[*n] = px_strdup(s, e)))
		return -1;
	(*n)++;
	return 0;
}

/* The actions this backend applies, grouped by stream (plan order kept
 * within a stream).  Refuses an action on a key that is not one of ours. */
static int collect(struct rapply *a)
{
	const struct plan *p = a->p;
	size_t count[REDIS_N_STREAMS] = { 0 };
	size_t *tmp = calloc(p->n ? p->n : 1, sizeof *tmp);
	a->act = calloc(p->n ? p->n : 1, sizeof *a->act);
	a->stream = calloc(p->n ? p->n : 1, sizeof *a->stream);
	if (!tmp || !a->act || !a->stream) {
		free(tmp);
		return perr_set(a->e, PX_IOERR, "out of memory");
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct action *x = &p->v[i];
		uint64_t ms, seq;
		if (x->skip || (x->kind != ACT_DELETE_ENTRY && x->kind != ACT_QUARANTINE_ENTRY))
			continue;
		int s = redis_store_stream(a->st, x->path);
		if (s < 0 || redis_id_parse(x->id, &ms, &seq) < 0) {
			free(tmp);
			return perr_set(a->e, PX_USAGE, "the plan names %s %s, which is not an entry of "
					"this backend's streams; nothing was applied", x->path,
					x->id ? x->id : "(no id)");
		}
		tmp[a->n] = i;
		a->stream[a->n++] = (size_t)s;
		count[s]++;
	}
	size_t at[REDIS_N_STREAMS] = { 0 };
	for (size_t s = 1; s < REDIS_N_STREAMS; s++)
		at[s] = at[s - 1] + count[s - 1];
	size_t *act = a->act;
	for (size_t i = 0; i < a->n; i++)
		act[at[a->stream[i]]++] = tmp[i];
	for (size_t i = 0; i < a->n; i++)
		a->stream[i] = (size_t)redis_store_stream(a->st, p->v[act[i]].path);
	free(tmp);
	return 0;
}

/* XRANGE key id id for actions [from, from+n), pipelined; replies in out. */
int rapply_fetch(struct rapply *a, size_t from, size_t n, redisReply **out)
{
	struct redis_conn *c = &a->st->conn;
	for (size_t i = 0; i < n; i++) {
		const struct action *x = rapply_act(a, from + i);
		const char *argv[4] = { "XRANGE", x->path, x->id, x->id };
		out[i] = NULL;
		if (redis_conn_append(c, 4, argv, NULL, a->e) < 0)
			return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		out[i] = redis_conn_reply(c, a->e);
		if (!out[i]) {
			rc = -1; /* the connection is gone: the rest will not come */
			break;
		}
		if (rc == 0 && redis_reply_check(c, out[i], REDIS_REPLY_ARRAY, "XRANGE", a->e) < 0)
			rc = -1;
	}
	return rc;
}

void rapply_free_replies(redisReply **r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		freeReplyObject(r[i]);
		r[i] = NULL;
	}
}

/* The entry as it is now must be the one the scan flagged. */
int rapply_check_entry(struct rapply *a, size_t i, const redisReply *r)
{
	const struct action *x = rapply_act(a, i);
	const char *why = NULL;
	const redisReply *ent = r->elements == 1 ? r->element[0] : NULL;
	if (!ent)
		why = "it no longer exists";
	else if (ent->type != REDIS_REPLY_ARRAY || ent->elements != 2 ||
		 ent->element[0]->type != REDIS_REPLY_STRING ||
		 ent->element[1]->type != REDIS_REPLY_ARRAY || strcmp(ent->element[0]->str, x->id) != 0)
		why = "Redis returned a different entry";
	else {
		uint64_t ms, seq;
		redis_id_parse(x->id, &ms, &seq);
		const struct redis_mark *m = redis_mark_find(a->st, a->stream[i], ms, seq);
		if (m && m->hash != redis_entry_hash(ent->element[1]))
			why = "its fields are different";
	}
	if (!why)
		return 0;
	if (a->applied)
		return perr_setr(a->e, PX_IOERR, PR_STALE, "%s entry %s changed since the scan (%s); stopped after "
				"%zu of %zu entries", x->path, x->id, why, a->applied, a->n);
	return perr_setr(a->e, PX_IOERR, PR_STALE, "%s entry %s changed since the scan (%s); nothing was applied",
			x->path, x->id, why);
}

static int verify_all(struct rapply *a, redisReply **buf)
{
	for (size_t from = 0; from < a->n; from += REDIS_APPLY_BATCH) {
		size_t n = a->n - from < REDIS_APPLY_BATCH ? a->n - from : REDIS_APPLY_BATCH;
		int rc = rapply_fetch(a, from, n, buf);
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = rapply_check_entry(a, from + i, buf[i]);
		rapply_free_replies(buf, n);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Batches never cross streams: the end of the batch starting at `from`. */
size_t rapply_batch_end(const struct rapply *a, size_t from)
{
	size_t end = from;
	while (end < a->n && end - from < REDIS_APPLY_BATCH && a->stream[end] == a->stream[from])
		end++;
	return end;
}

int rapply_append_xdel(struct rapply *a, size_t from, size_t end)
{
	if (rapply_argv(a, end - from + 2) < 0)
		return -1;
	a->argv[0] = "XDEL";
	a->argv[1] = rapply_act(a, from)->path;
	for (size_t i = from; i < end; i++)
		a->argv[2 + i - from] = rapply_act(a, i)->id;
	return redis_conn_append(&a->st->conn, (int)(end - from + 2), a->argv, NULL, a->e);
}

int rapply_note_deleted(struct rapply *a, size_t from, long long deleted)
{
	a->res->lines_dropped += deleted;
	return rapply_result_add(&a->res->repaired, &a->res->n_repaired, rapply_act(a, from)->path, a->e);
}

static int repair(struct rapply *a)
{
	struct redis_conn *c = &a->st->conn;
	size_t from = 0;
	while (from < a->n) {
		size_t starts[REDIS_PIPELINE_DEPTH], nb = 0, at = from;
		for (; nb < REDIS_PIPELINE_DEPTH && at < a->n; nb++) {
			size_t end = rapply_batch_end(a, at);
			starts[nb] = at;
			if (rapply_append_xdel(a, at, end) < 0)
				return -1;
			at = end;
		}
		int rc = 0;
		for (size_t b = 0; b < nb; b++) {
			redisReply *r = redis_conn_reply(c, a->e);
			if (!r)
				return -1;
			if (rc == 0 && (rc = redis_reply_check(c, r, REDIS_REPLY_INTEGER, "XDEL", a->e)) == 0)
				rc = rapply_note_deleted(a, starts[b], r->integer);
			freeReplyObject(r);
		}
		if (rc < 0)
			return -1;
		for (size_t i = from; i < at; i++)
			apply_result_mark(a->res, a->act[i]);
		a->applied += at - from;
		from = at;
	}
	return 0;
}

int redis_store_apply(struct redis_store *st, const struct plan *p, struct apply_result *res,
		      perr *e)
{
	struct rapply a = { .st = st, .p = p, .res = res, .e = e };
	redisReply *buf[REDIS_APPLY_BATCH] = { NULL };
	if (apply_result_track(res, p->n, e) != 0)
		return -1;
	int rc = collect(&a);
	if (rc == 0 && a.n)
		rc = verify_all(&a, buf);
	if (rc == 0 && a.n)
		rc = p->mode == RM_QUARANTINE ? redis_quarantine(&a, buf) : repair(&a);
	/* once the deletions are in place: their ids leave the pending lists;
	 * after a failure partway, those that were deleted, when the server
	 * still answers (the first error stands) */
	if (rc == 0 && st->ack_deleted) {
		rc = redis_groups_ack(st, p, res, e);
	} else if (st->ack_deleted && res->n_applied) {
		perr ae = { 0 };
		redis_groups_ack(st, p, res, &ae);
	}
	free(a.act);
	free(a.stream);
	free(a.argv);
	free(a.argl);
	return rc;
}

/* ---- compaction ------------------------------------------------------------ */

/* The longest XTRIM we send: XTRIM key MAXLEN ~ N LIMIT L. */
#define XTRIM_ARGS 7

/* Send `n` commands of `argc` arguments each (argv rows), read integer
 * replies into out (may be NULL). */
static int pipeline_ints(struct redis_conn *c, size_t n, int argc, const char *argv[][XTRIM_ARGS],
			 const char *what, long long *out, perr *e)
{
	for (size_t i = 0; i < n; i++)
		if (redis_conn_append(c, argc, argv[i], NULL, e) < 0)
			return -1;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		redisReply *r = redis_conn_reply(c, e);
		if (!r)
			return -1;
		if (rc == 0 && (rc = redis_reply_check(c, r, REDIS_REPLY_INTEGER, what, e)) == 0 && out)
			out[i] = r->integer;
		freeReplyObject(r);
	}
	return rc;
}

static int total_len(struct redis_store *st, char *const *keys, size_t n, int64_t *total, perr *e)
{
	const char *argv[REDIS_N_STREAMS][XTRIM_ARGS];
	long long len[REDIS_N_STREAMS] = { 0 };
	for (size_t i = 0; i < n; i++) {
		argv[i][0] = "XLEN";
		argv[i][1] = keys[i];
	}
	if (pipeline_ints(&st->conn, n, 2, argv, "XLEN", len, e) < 0)
		return -1;
	*total = 0;
	for (size_t i = 0; i < n; i++)
		*total += len[i];
	return 0;
}

static void xtrim_row(const char *row[XTRIM_ARGS], const char *key, const char *strategy,
		      const char *threshold, int approx)
{
	const char *v[XTRIM_ARGS] = { "XTRIM", key, strategy, threshold };
	if (approx) {
		v[3] = "~";
		v[4] = threshold;
		v[5] = "LIMIT";
		v[6] = REDIS_TRIM_LIMIT;
	}
	memcpy(row, v, sizeof v);
}

int redis_store_compact(struct redis_store *st, const struct retention *ret,
			struct compact_result *res, perr *e)
{
	struct redis_conn *c = &st->conn;
	char *streams[REDIS_N_STREAMS];
	size_t ns = 0;
	res->backend = "redis";
	res->bytes_known = 0;
	if (ret->max_total_bytes >= 0)
		res->note = "max_total_bytes was not applied: Redis streams cannot be trimmed by size";
	/* only streams are trimmed: a key of another type (compact --force
	 * over UNEXPECTED_FILE) or a missing one is left alone */
	for (size_t i = 0; i < REDIS_N_STREAMS; i++) {
		const char *argv[2] = { "TYPE", st->keys[i] };
		redisReply *r = redis_conn_command(c, REDIS_REPLY_STATUS, "TYPE", 2, argv, NULL, e);
		if (!r)
			return -1;
		if (strcmp(r->str, "stream") == 0)
			streams[ns++] = st->keys[i];
		freeReplyObject(r);
	}
	if (total_len(st, streams, ns, &res->before_records, e) < 0)
		return -1;
	const char *argv[2 * REDIS_N_STREAMS][XTRIM_ARGS];
	size_t n = 0;
	char minid[32], maxlen[32];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double cutoff = (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000) -
			ret->max_age_seconds * 1000.0;
	/* a cutoff before 1970 trims nothing */
	int use_age = ret->max_age_seconds >= 0 && cutoff > 0;
	snprintf(minid, sizeof minid, "%llu", use_age ? (unsigned long long)cutoff : 0ull);
	snprintf(maxlen, sizeof maxlen, "%lld", (long long)ret->max_records);
	/* age first, then count (SPEC §5) */
	for (size_t i = 0; i < ns; i++) {
		if (use_age)
			xtrim_row(argv[n++], streams[i], "MINID", minid, ret->approx_trim);
		if (ret->max_records >= 0)
			xtrim_row(argv[n++], streams[i], "MAXLEN", maxlen, ret->approx_trim);
	}
	long long trimmed[2 * REDIS_N_STREAMS];
	while (n) {
		if (pipeline_ints(c, n, ret->approx_trim ? XTRIM_ARGS : 4, argv, "XTRIM", trimmed, e) < 0)
			return -1;
		/* exact: done in one call; approximate: again while it trims */
		size_t keep = 0;
		for (size_t i = 0; ret->approx_trim && i < n; i++)
			if (trimmed[i] > 0)
				memmove(argv[keep++], argv[i], sizeof argv[i]);
		n = keep;
	}
	return total_len(st, streams, ns, &res->after_records, e);
}
