/* The startup gate shared by `persistence startup-check` and `doctor run`:
 * scan, then ignore, fail, or recover and verify, per --mode. */
#ifndef PAPYRA_GATE_H
#define PAPYRA_GATE_H

#include "cli.h"

#define GATE_OPTS_TAIL \
	{ "--recovery-mode", "MODE", "repair (default) | quarantine, with --mode recover" }, \
	{ "--quarantine-dir", "DIR", "where quarantine mode preserves originals (required for files)" }, \
	{ "--force", NULL, "with --mode recover: rewrite a data file even if it has several hard links" }
#define GATE_OPTS_SCAN_ONLY \
	{ "--mode", "MODE", "fail_on_anomaly (default) | ignore | scan_only (= ignore) | recover" }, \
	GATE_OPTS_TAIL
#define GATE_OPTS \
	{ "--mode", "MODE", "fail_on_anomaly (default) | ignore | recover" }, \
	GATE_OPTS_TAIL

#define GATE_SCAN_ONLY 0x1 /* accept scan_only as a spelling of ignore (startup-check) */
#define GATE_BATCH 0x2     /* console --batch: triage summary; recover needs --yes */

/* Run the gate for command `c` with GATE_* flags.  Returns the exit code. */
int gate_run(struct cli *c, unsigned flags);

#endif
