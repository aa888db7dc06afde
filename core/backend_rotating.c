#include "backend_rotating.h"

int backend_rotating_open(const struct config *c, struct backend **out, perr *e)
{
	(void)c;
	*out = NULL;
	return perr_set(e, PX_USAGE, "the rotating backend is not available in this build (json only)");
}
