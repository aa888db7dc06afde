/* Redis Streams (SPEC §2.3), Papyra's RedisStreamsPersistence. */
#ifndef PAPYRA_BACKEND_REDIS_H
#define PAPYRA_BACKEND_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

int backend_redis_open(const struct config *c, struct backend **out, perr *e);

/* SCAN pages read when looking for other system ids, and names kept: a
 * hint for a mistyped --system-id, so bounded whatever the key space. */
#define REDIS_SYSTEMS_SCAN_PAGES 64
#define REDIS_SYSTEMS_MAX 16

/* The system ids that have an events, audits or dead_letters stream under
 * b's prefix (SCAN MATCH "{prefix}:*", bounded as above), as
 * "sysA, sysB" appended to `out` (sorted, distinct); *more is set when the
 * bound was reached.  Returns how many, or -1 (e set). */
struct strbuf;
int redis_backend_systems(struct backend *b, struct strbuf *out, int *more, perr *e);

/* --- for the console: the scan in slices, entries read back one by one --
 *
 * A scanner runs exactly the scan of ops->scan (same report, same sink
 * calls, same marks for a later apply), one round trip per step, so a
 * caller can answer keys between steps.  The connection is the backend's:
 * nothing else may use it while a step runs, and between steps it is idle
 * (redis_backend_fetch may run then). */
struct redis_scanner;

/* Start a scan of `b` (a Redis backend, else PX_USAGE).  `o` is copied;
 * `sink`, `r` and `e` must outlive the scanner (e receives the failure of
 * any later step).  Costs one round trip (the streams' lengths, for
 * progress) when there is a sink. */
int redis_backend_scan_open(struct backend *b, const struct scan_opts *o,
			    const struct scan_sink *sink, struct scan_report *r,
			    struct redis_scanner **out, perr *e);
/* One step: a stream's head or one page of entries.  Returns 1 while more
 * remains, 0 when the scan is complete, -1 on failure (e set). */
int redis_scanner_step(struct redis_scanner *s);
/* Entries scanned so far, and the entries expected in all (never less). */
void redis_scanner_progress(const struct redis_scanner *s, int64_t *done, int64_t *total);
void redis_scanner_close(struct redis_scanner *s);

/* Read one entry back (XRANGE key id id) for display.  Returns 1 when it
 * exists: with *has_data = 1, *data is a copy of its `data` value (any
 * bytes); with *has_data = 0 (no string `data`), *data is its fields as
 * one JSON object of strings, in stored order (bytes that are not UTF-8
 * shown as U+FFFD), so they can still be shown.  Returns 0 when the entry is gone (*data NULL), -1 on failure
 * (PX_UNAVAILABLE when the server went away).  The caller frees *data. */
int redis_backend_fetch(struct backend *b, const char *key, const char *id, char **data,
			size_t *len, int *has_data, perr *e);

#endif
