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

/* SARIF 2.1.0 (one run; rules from the anomaly table; results are the
 * anomalies of the final state; recovery actions are notifications). */
int report_write_sarif(FILE *f, const struct run_report *r);
/* GitLab Code Quality: a JSON array of issues (description, check_name,
 * fingerprint, severity, location.path, location.lines.begin). */
int report_write_gitlab(FILE *f, const struct run_report *r);
/* Stable identity of an anomaly for "new or fixed" across runs: SHA-256
 * (64 hex digits) of its type, report_path(path), "line N" or "id X", and
 * detail, each ended by a NUL byte except the last. */
void report_fingerprint(const struct anomaly *a, char out[65]);
/* GitLab's severity (info, minor, major, critical, blocker) of a type. */
const char *report_gitlab_severity(enum anomaly_type t);
/* A path as reports name it: leading "./" components dropped. */
const char *report_path(const char *path);

/* Write `s` as a JSON string literal (invalid UTF-8 becomes U+FFFD, so the
 * document stays valid whatever the bytes of a path). */
void json_write_string(FILE *f, const char *s);

#endif
