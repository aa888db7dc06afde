/* The triage summary of `console --batch` (SPEC §7): health, anomaly
 * counts per type and per file, the first anomalies, record counts per
 * kind and the time span — gathered from the one scan the gate runs —
 * and the inspect command lines that list the records. */
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
/* Text only, after the summary: the `papyra inspect ... --json` command
 * lines that list the store's events, audits and dead letters (the
 * console's W hand-off, backend_inspect_command); none when there is no
 * store. */
void triage_print_handoff(struct pipeline *p);

#endif
