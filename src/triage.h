/* The triage summary of `console --batch` (SPEC §7): health, anomaly
 * counts per type and per file, the first anomalies, record counts per
 * kind and the time span — gathered from the one scan the gate runs. */
#ifndef PAPYRA_TRIAGE_H
#define PAPYRA_TRIAGE_H

#include "pipeline.h"

/* How many anomalies the summary lists before "… and N more". */
#define TRIAGE_FIRST 20

struct triage {
	int64_t records[RK__COUNT];
	int64_t lines;
	double ts_min, ts_max;
	int have_ts;
};

/* A sink that fills `t` during the scan. */
void triage_sink(struct triage *t, struct scan_sink *sink);
void triage_print(struct pipeline *p, const struct triage *t);

#endif
