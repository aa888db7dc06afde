/* Machine-readable reports (SPEC §6): one JSON document of the same shape
 * for every pipeline command; what does not apply is omitted. */
#ifndef PAPYRA_REPORT_H
#define PAPYRA_REPORT_H

#include <stdio.h>

#include "recover.h"
#include "scan.h"

struct run_report {
	const char *command;       /* "persistence scan", "doctor run", ... */
	const char *backend;       /* "json" */
	const char *location;
	const char *mode;          /* NULL: omitted */
	const char *recovery_mode; /* NULL: omitted */
	const struct scan_report *scan;
	const struct plan *actions;       /* applied plan; NULL: omitted */
	const struct plan *plan;          /* plan shown but not applied ("plan"); NULL: omitted */
	const struct scan_report *verify; /* NULL: omitted */
	int exit_code;
};

/* Write the report as one JSON document followed by "\n".  Returns 0, or
 * -1 when the stream reported an error. */
int report_write_json(FILE *f, const struct run_report *r);

/* JUnit XML: one test case per scanned file/stream, failures carry the
 * anomalies of the final state (verification scan when a recovery ran). */
int report_write_junit(FILE *f, const struct run_report *r);
/* GitHub workflow annotations: `::error file=…,line=…::TYPE detail` per
 * anomaly of the final state, `::notice` per applied action. */
int report_write_github(FILE *f, const struct run_report *r);

/* Write `s` as a JSON string literal (invalid UTF-8 becomes U+FFFD, so the
 * document stays valid whatever the bytes of a path). */
void json_write_string(FILE *f, const char *s);

#endif
