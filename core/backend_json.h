/* The single-file NDJSON backend (SPEC §2.1), Papyra's JsonFilePersistence. */
#ifndef PAPYRA_BACKEND_JSON_H
#define PAPYRA_BACKEND_JSON_H

#include "backend.h"
#include "file_scan.h"

int backend_json_open(const struct config *c, struct backend **out, perr *e);

#endif
