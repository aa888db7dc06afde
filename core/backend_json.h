/* The single-file NDJSON backend (SPEC §2.1), Papyra's JsonFilePersistence. */
#ifndef PAPYRA_BACKEND_JSON_H
#define PAPYRA_BACKEND_JSON_H

#include "backend.h"
#include "file_scan.h"

/* The table (traits for a config not opened yet: backend_config_traits). */
extern const struct backend_ops backend_json_ops;

int backend_json_open(const struct config *c, struct backend **out, perr *e);

#endif
