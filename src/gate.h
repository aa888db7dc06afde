/* The startup gate shared by `persistence startup-check` and `doctor run`:
 * scan, then ignore, fail, or recover and verify, per --mode. */
#ifndef PAPYRA_GATE_H
#define PAPYRA_GATE_H

#include "cli.h"

#define GATE_OPTS \
	{ "--mode", "MODE", "fail_on_anomaly (default) | ignore | recover" }, \
	{ "--recovery-mode", "MODE", "repair (default) | quarantine, with --mode recover" }, \
	{ "--quarantine-dir", "DIR", "where quarantine mode preserves originals (required for files)" }

/* `allow_scan_only`: accept scan_only as a spelling of ignore
 * (startup-check does, doctor does not). Returns the exit code. */
int gate_run(struct cli *c, int allow_scan_only);

#endif
