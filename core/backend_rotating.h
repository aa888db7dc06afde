/* The rotating NDJSON set (SPEC §2.2), Papyra's RotatingFilePersistence:
 * the backend table only.  The set on disk is core/rotating_set.h, its
 * sliced scan core/file_scan.h, compaction core/rotating_compact.h. */
#ifndef PAPYRA_BACKEND_ROTATING_H
#define PAPYRA_BACKEND_ROTATING_H

#include "backend.h"
#include "rotating_set.h"

/* The table (traits for a config not opened yet: backend_config_traits). */
extern const struct backend_ops backend_rotating_ops;

int backend_rotating_open(const struct config *c, struct backend **out, perr *e);

#endif
