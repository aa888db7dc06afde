/* The rotating NDJSON set (SPEC §2.2), Papyra's RotatingFilePersistence. */
#ifndef PAPYRA_BACKEND_ROTATING_H
#define PAPYRA_BACKEND_ROTATING_H

#include "backend.h"

int backend_rotating_open(const struct config *c, struct backend **out, perr *e);

#endif
