/* The Redis Streams store behind backend_redis.c: the three streams of one
 * system, and the scan, apply and compaction that work on them.  Split from
 * the backend table so each file keeps one concern (redis_scan.c,
 * redis_apply.c); nothing outside the Redis backend includes this. */
#ifndef PAPYRA_REDIS_STORE_H
#define PAPYRA_REDIS_STORE_H

#include <stdint.h>

#include "backend.h"
#include "compact.h"
#include "config.h"
#include "jsonv.h"
#include "recover.h"
#include "redis_conn.h"
#include "scan.h"

/* events, audits, dead_letters: the order of SPEC §2.3, which is the order
 * every scan reports them in. */
#define REDIS_N_STREAMS 3

/* Longest stream id: two 64-bit decimals and a dash. */
#define REDIS_ID_MAX 41

/* A bad entry as the last scan saw it, so apply can tell whether it is
 * still there unchanged (SPEC §4: data changed between plan and apply ->
 * abort).  Kept in scan order, which is (stream, id) order. */
struct redis_mark {
	size_t stream;
	uint64_t ms, seq;
	uint64_t hash; /* redis_entry_hash of its fields */
};

struct redis_store {
	struct redis_conn conn;
	char *keys[REDIS_N_STREAMS];
	char *quarantine_prefix;
	struct redis_mark *marks;
	size_t n_marks, cap_marks;
	struct jsonv *jv; /* the validator state (8 KiB): one, reused */
	int ack_deleted;  /* config ack_deleted: apply XACKs what it deleted */
};

/* Open the store of config `c`: the keys of its system and an
 * authenticated connection (PX_UNAVAILABLE when the server will not serve
 * us).  NULL on failure (e). */
struct redis_store *redis_store_open(const struct config *c, perr *e);
void redis_store_free(struct redis_store *s);

/* backend_ops.read_rows: the entries of stream `key` from `from` to `to`
 * (XRANGE, or XREVRANGE when dir < 0) COUNT max, kept while under
 * max_bytes.  Each row is a copy of its `data` value (any bytes), or, for
 * an entry without a string `data`, its fields as one JSON object of
 * strings in stored order (bytes that are not UTF-8 shown as U+FFFD;
 * row.fields = 1).  Returns 0, or -1 (PX_UNAVAILABLE when the server went
 * away). */
int redis_store_read(struct redis_store *s, const char *key, const char *from, const char *to, int dir,
		     size_t max, size_t max_bytes, struct backend_rows *out, perr *e);

/* backend_others for Redis: the system ids that have an events, audits or
 * dead_letters stream under `prefix` (SCAN MATCH "{prefix}:*", bounded as
 * below), "a, b" into out, sorted and distinct; *more when bounded. */
struct strbuf;
int redis_store_systems(struct redis_store *s, const char *prefix, struct strbuf *out, int *more, perr *e);

/* backend_ops.position / since: per stream its newest id and length; a
 * newer newest id is APPENDED (entries: XLEN then, now), an older one or
 * a stream gone means entries were deleted: rescan. */
int redis_store_position(struct redis_store *s, struct backend_pos *out, perr *e);
int redis_store_since(struct redis_store *s, const struct backend_pos *at, struct backend_growth *out, perr *e);

/* Index of `key` among s->keys, or -1. */
int redis_store_stream(const struct redis_store *s, const char *key);

/* "{quarantine_prefix}:{source with ':' replaced by '_'}", newly allocated. */
char *redis_quarantine_key(const struct redis_store *s, const char *source, perr *e);

/* Parse "ms-seq" (seq optional); -1 when it is not a stream id. */
int redis_id_parse(const char *id, uint64_t *ms, uint64_t *seq);

/* The `data` value of an entry's field/value array: the last one, as a
 * reader that builds a dict (redis-py) sees it.  NULL when there is none
 * or it is not a string. */
const redisReply *redis_entry_data(const redisReply *fields);

/* Fingerprint of an entry's field/value array (order and bytes). */
uint64_t redis_entry_hash(const redisReply *fields);

/* The mark for (stream, id), or NULL when the last scan did not flag it. */
const struct redis_mark *redis_mark_find(const struct redis_store *s, size_t stream,
					 uint64_t ms, uint64_t seq);

/* Scan the three streams (redis_scan.c): the whole of each, paged, or the
 * newest o->sample_size entries; every entry goes to `sink`, oldest first
 * per stream.  Refreshes the marks.  It runs the steps of a
 * redis_scanner (backend_redis.h) back to back. */
int redis_store_scan(struct redis_store *s, const struct scan_opts *o,
		     const struct scan_sink *sink, struct scan_report *r, perr *e);

/* backend_ops.scan_since: the entries of stream m->unit after m->last_id
 * (all, when NULL), scanned by scan_entry as a whole scan does (same
 * anomalies, same marks), numbered on from m->entries, at most `max` in
 * pages; the mark moves on.  1 when more remains, 0, or -1 (e). */
int redis_store_scan_since(struct redis_store *st, struct backend_mark *m, int64_t max, const struct scan_opts *o,
			   const struct scan_sink *sink, struct scan_report *r, perr *e);

/* The same scan in steps (redis_scanner_step, backend_redis.h).  `o` is
 * copied; `sink`, `r` and `e` must outlive the scanner. */
struct redis_scanner;
int redis_store_scanner_open(struct redis_scanner **out, struct redis_store *st,
			     const struct scan_opts *o, const struct scan_sink *sink,
			     struct scan_report *r, perr *e);

/* Apply the DELETE_ENTRY / QUARANTINE_ENTRY actions of `p` (redis_apply.c). */
int redis_store_apply(struct redis_store *s, const struct plan *p, struct apply_result *res,
		      perr *e);

/* XTRIM the streams by the retention policy (redis_apply.c). */
int redis_store_compact(struct redis_store *s, const struct retention *ret,
			struct compact_result *res, perr *e);

/* Consumer groups (redis_groups.c).  XPENDING pages are this many ids. */
#define REDIS_PENDING_PAGE 1000
/* Pending ids a scan looks up per group to count those whose entry is
 * gone: a bound on the scan's cost whatever the pending list's length
 * (scan_group.checked says how many were). */
#define REDIS_PENDING_CHECK_MAX 100000
/* Pending ids a plan reads per group within its id range to name the
 * entries it deletes that are pending (--ack-deleted does not depend on
 * it: it acknowledges every deleted id). */
#define REDIS_PENDING_PLAN_MAX 1000000

/* The groups of stream `key` into f->groups (or, when the server will not
 * say, the reason into f->groups_error), each with its pending ids looked
 * up.  -1 only when the connection failed (e). */
int redis_groups_scan(struct redis_store *st, const char *key, struct scan_file *f, perr *e);
/* Name, in each action's `pending`, the groups of its stream (as report
 * `r` lists them) whose pending list holds its entry. */
int redis_groups_plan(struct redis_store *st, const struct scan_report *r, struct plan *p, perr *e);
/* --ack-deleted: XACK every applied action's id in every group of its
 * stream (XINFO GROUPS now); res->acked / n_acked say what was. */
int redis_groups_ack(struct redis_store *st, const struct plan *p, struct apply_result *res, perr *e);

/* backend_ops.systems: every system id under `prefix` matching `glob`
 * (fnmatch), sorted and distinct, SCAN over the whole key space (every
 * master of a Cluster); *ids malloc'd, each id too.  More than
 * REDIS_FLEET_MAX: PX_USAGE (a fleet run holds one small report per
 * system in memory until its one report is written). */
#define REDIS_FLEET_MAX 10000
int redis_store_fleet(struct redis_store *s, const char *prefix, const char *glob, char ***ids, size_t *n,
		      perr *e);

/* SCAN pages read when looking for other system ids, and names kept: a
 * hint for a mistyped --system-id, so bounded whatever the key space. */
#define REDIS_SYSTEMS_SCAN_PAGES 64
#define REDIS_SYSTEMS_MAX 16

/* The sliced scanner behind ops->scan_open (redis_scan.c): it runs
 * exactly the scan of ops->scan (same report, same sink calls, same marks
 * for a later apply), one round trip per step.  The connection is the
 * backend's: nothing else may use it while a step runs. */
struct redis_scanner;
/* One step: a stream's head or one page of entries.  Returns 1 while more
 * remains, 0 when the scan is complete, -1 on failure (e set). */
int redis_scanner_step(struct redis_scanner *s);
/* Entries scanned so far, and the entries expected in all (never less). */
void redis_scanner_progress(const struct redis_scanner *s, int64_t *done, int64_t *total);
void redis_scanner_close(struct redis_scanner *s);

#endif
