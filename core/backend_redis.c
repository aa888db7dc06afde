#include "backend_redis.h"

int backend_redis_open(const struct config *c, struct backend **out, perr *e)
{
	(void)c;
	*out = NULL;
	return perr_set(e, PX_USAGE, "the redis backend is not available in this build (json only)");
}
