#include "backend.h"

#include <stdlib.h>

#include "backend_json.h"

int backend_open(const struct config *c, struct backend **out, perr *e)
{
	*out = NULL;
	switch (c->backend) {
	case BK_JSON:
		return backend_json_open(c, out, e);
	case BK_ROTATING:
		return perr_set(e, PX_USAGE, "the rotating backend is not supported by this version of papyra (json only)");
	case BK_REDIS:
		return perr_set(e, PX_USAGE, "the redis backend is not supported by this version of papyra (json only)");
	}
	return perr_set(e, PX_USAGE, "unknown backend");
}

void backend_close(struct backend *b)
{
	if (b)
		b->ops->close(b);
}
