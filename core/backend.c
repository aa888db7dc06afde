#include "backend.h"

#include <stdlib.h>

#include "backend_json.h"
#include "backend_redis.h"
#include "backend_rotating.h"

int backend_open(const struct config *c, struct backend **out, perr *e)
{
	*out = NULL;
	switch (c->backend) {
	case BK_JSON:
		return backend_json_open(c, out, e);
	case BK_ROTATING:
		return backend_rotating_open(c, out, e);
	case BK_REDIS:
		return backend_redis_open(c, out, e);
	}
	return perr_set(e, PX_USAGE, "unknown backend");
}

void backend_close(struct backend *b)
{
	if (b)
		b->ops->close(b);
}

const struct backend_traits *backend_traits(const struct backend *b)
{
	return b->ops->traits;
}
