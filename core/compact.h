/* Compaction (SPEC §5): rewrite the data with the retention policy applied
 * (the rule is core/retention.h, shared with listings and the console's
 * preview), surviving lines byte for byte, atomically, under an exclusive
 * lock on the data file. */
#ifndef PAPYRA_COMPACT_H
#define PAPYRA_COMPACT_H

#include <stdint.h>

#include "common.h"
#include "config.h"

struct compact_result {
	const char *backend;      /* "json", ... (static string) */
	int64_t before_records, after_records;
	int64_t before_bytes, after_bytes;
	int bytes_known;          /* 0: the backend cannot measure bytes (prints None) */
	const char *note;         /* static text: a part of the policy the backend could not apply */
};

/* Compact one NDJSON file in place.  `now` is the reference time for
 * max_age_seconds (Unix seconds).  A missing file is a no-op. */
int compact_ndjson_file(const char *path, const struct retention *ret, double now,
			struct compact_result *res, perr *e);

#endif
