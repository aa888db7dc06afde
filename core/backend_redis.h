/* Redis Streams (SPEC §2.3), Papyra's RedisStreamsPersistence. */
#ifndef PAPYRA_BACKEND_REDIS_H
#define PAPYRA_BACKEND_REDIS_H

#include "backend.h"

/* The table (traits for a config not opened yet: backend_config_traits). */
extern const struct backend_ops backend_redis_ops;

int backend_redis_open(const struct config *c, struct backend **out, perr *e);

#endif
