#include "metrics.h"

#include <string.h>

/* The one global of core/: counters are per process by definition. */
static struct papyra_metrics metrics_now;

void metrics_note_scan(int64_t anomalies, int ok)
{
	metrics_now.scans++;
	if (ok)
		metrics_now.anomalies_detected += anomalies > 0 ? anomalies : 0;
	else
		metrics_now.scan_errors++;
}

void metrics_note_recovery(int ok)
{
	metrics_now.recoveries++;
	if (!ok)
		metrics_now.recovery_errors++;
}

void metrics_note_compaction(int ok)
{
	metrics_now.compactions++;
	if (!ok)
		metrics_now.compaction_errors++;
}

void metrics_note_write(int64_t records, int64_t bytes, int ok)
{
	if (!ok) {
		metrics_now.write_errors++;
		return;
	}
	metrics_now.records_written += records;
	metrics_now.bytes_written += bytes;
}

void metrics_reset(void)
{
	memset(&metrics_now, 0, sizeof metrics_now);
}

const struct papyra_metrics *metrics_get(void)
{
	return &metrics_now;
}

const char *metrics_key_name(enum metrics_key k)
{
	static const char *const names[MK__COUNT] = {
#define X(name) #name,
		METRICS_KEYS(X)
#undef X
	};
	return (unsigned)k < MK__COUNT ? names[k] : "?";
}

int64_t metrics_value(const struct papyra_metrics *m, enum metrics_key k)
{
	switch (k) {
#define X(name) case MK_##name: return m->name;
		METRICS_KEYS(X)
#undef X
	case MK__COUNT:
		break;
	}
	return 0;
}
