/* Redis Streams (SPEC §2.3), Papyra's RedisStreamsPersistence. */
#ifndef PAPYRA_BACKEND_REDIS_H
#define PAPYRA_BACKEND_REDIS_H

#include "backend.h"

int backend_redis_open(const struct config *c, struct backend **out, perr *e);

#endif
