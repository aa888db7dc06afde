/* Redis Streams (SPEC §2.3), Papyra's RedisStreamsPersistence. */
#ifndef PAPYRA_BACKEND_REDIS_H
#define PAPYRA_BACKEND_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

/* The table (traits for a config not opened yet: backend_config_traits). */
extern const struct backend_ops backend_redis_ops;

int backend_redis_open(const struct config *c, struct backend **out, perr *e);

/* SCAN pages read when looking for other system ids, and names kept: a
 * hint for a mistyped --system-id, so bounded whatever the key space. */
#define REDIS_SYSTEMS_SCAN_PAGES 64
#define REDIS_SYSTEMS_MAX 16

/* backend_others for Redis (redis_store_systems): the system ids that
 * have an events, audits or dead_letters stream under the prefix (SCAN
 * MATCH "{prefix}:*", bounded as above), sorted and distinct. */

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
