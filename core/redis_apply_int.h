/* Inside the Redis apply: what redis_apply.c (checks, repair) lends
 * redis_quarantine.c (the two ways of quarantining).  Nothing else
 * includes this. */
#ifndef PAPYRA_REDIS_APPLY_INT_H
#define PAPYRA_REDIS_APPLY_INT_H

#include "redis_store.h"

/* Entries per XDEL and per quarantine batch: a few hundred keep each reply
 * and each transaction small (other clients wait while EXEC runs) while
 * round trips stay a tiny fraction of the work. */
#define REDIS_APPLY_BATCH 500

/* One apply: the plan's Redis actions, grouped by stream. */
struct rapply {
	struct redis_store *st;
	const struct plan *p;
	struct apply_result *res;
	size_t *act;    /* indices into p->v of the actions to apply, grouped by stream */
	size_t *stream; /* stream of each */
	size_t n, applied;
	const char **argv; /* scratch for building commands */
	size_t *argl;
	size_t cap_argv;
	perr *e;
};

const struct action *rapply_act(const struct rapply *a, size_t i);
/* Room for n arguments in a->argv / a->argl. */
int rapply_argv(struct rapply *a, size_t n);
/* Add s to the list *v (once). */
int rapply_result_add(char ***v, size_t *n, const char *s, perr *e);
/* XRANGE key id id for actions [from, from+n), pipelined; replies in out. */
int rapply_fetch(struct rapply *a, size_t from, size_t n, redisReply **out);
void rapply_free_replies(redisReply **r, size_t n);
/* The entry as it is now (an XRANGE reply) must be the one the scan flagged. */
int rapply_check_entry(struct rapply *a, size_t i, const redisReply *r);
/* Batches never cross streams: the end of the batch starting at `from`. */
size_t rapply_batch_end(const struct rapply *a, size_t from);
/* Queue the XDEL of actions [from, end). */
int rapply_append_xdel(struct rapply *a, size_t from, size_t end);
/* Count `deleted` entries gone from the stream of action `from`. */
int rapply_note_deleted(struct rapply *a, size_t from, long long deleted);

/* Quarantine every action (redis_quarantine.c); cur: REDIS_APPLY_BATCH
 * reply slots. */
int redis_quarantine(struct rapply *a, redisReply **cur);

#endif
