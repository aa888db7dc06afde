/* The single-file NDJSON backend (SPEC §2.1), Papyra's JsonFilePersistence. */
#ifndef PAPYRA_BACKEND_JSON_H
#define PAPYRA_BACKEND_JSON_H

#include "backend.h"

int backend_json_open(const struct config *c, struct backend **out, perr *e);

/* Report leftover temporary files of `path` (".<base>.papyra-tmp-*" in its
 * directory) as UNEXPECTED_FILE, sorted by name.  Shared with the rotating
 * backend. */
int scan_leftover_temps(const char *path, struct scan_report *r, perr *e);

/* Refuse a path that exists but is not a regular file (PX_USAGE). */
int check_regular_or_missing(const char *path, perr *e);

#endif
