/* Persistence metrics: process-wide counters of the work this process did
 * (scans, anomalies found, recoveries, compactions and their failures).
 *
 * The reference keeps the same ten counters per backend object and never
 * feeds them from its CLI, so `metrics persistence` there always prints
 * zeros (SPEC §10); ours count what this very process did, which is what
 * an operator running `papyra metrics persistence` can act on.  Counters
 * are not shared between processes and start at zero in each one.
 *
 * Not thread-safe: papyra is single-threaded. */
#ifndef PAPYRA_METRICS_H
#define PAPYRA_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* One table for the keys: struct members, names (a public contract, in the
 * reference's order) and the printing loops all come from it. */
#define METRICS_KEYS(X) \
	X(records_written) \
	X(bytes_written) \
	X(scans) \
	X(anomalies_detected) \
	X(recoveries) \
	X(compactions) \
	X(write_errors) \
	X(scan_errors) \
	X(recovery_errors) \
	X(compaction_errors)

struct papyra_metrics {
#define X(name) int64_t name;
	METRICS_KEYS(X)
#undef X
};

enum metrics_key {
#define X(name) MK_##name,
	METRICS_KEYS(X)
#undef X
	MK__COUNT
};

/* A scan ran (whether or not it succeeded): `scans` + 1; when `ok`,
 * `anomalies_detected` + `anomalies`, else `scan_errors` + 1. */
void metrics_note_scan(int64_t anomalies, int ok);
/* A recovery ran: `recoveries` + 1, and `recovery_errors` + 1 unless `ok`. */
void metrics_note_recovery(int ok);
/* A compaction ran: `compactions` + 1, and `compaction_errors` + 1 unless `ok`. */
void metrics_note_compaction(int ok);
/* Records appended (papyra itself never appends today; kept for parity). */
void metrics_note_write(int64_t records, int64_t bytes, int ok);

/* Every counter back to zero (the error counters too: the reference's
 * reset() forgets them, which hides failures). */
void metrics_reset(void);
const struct papyra_metrics *metrics_get(void);

/* Table access for printing: name of key `k` ("records_written") and its
 * value in `m`. */
const char *metrics_key_name(enum metrics_key k);
int64_t metrics_value(const struct papyra_metrics *m, enum metrics_key k);

#endif
