/* What the pipeline commands (scan, recover, startup-check, doctor run,
 * compact) share: open the backend, scan, recover with verification, print
 * anomalies, and write the report in the asked --format to --output. */
#ifndef PAPYRA_PIPELINE_H
#define PAPYRA_PIPELINE_H

#include <stdio.h>

#include "cli.h"
#include "report.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_JUNIT, FMT_GITHUB };

struct pipeline {
	struct cli *c;
	struct backend *b;
	enum report_format fmt;
	FILE *txt;           /* human lines: stdout, the --output file, or discarded */
	FILE *report;        /* the report's destination, for the machine formats */
	struct scan_report scan, verify;
	struct plan plan;
	struct apply_result res;
	int scanned, planned, verified;
	int plan_only;       /* the plan was shown, not applied (report says so) */
	int quiet_list;      /* anomaly lists already shown (batch triage) */
	const struct scan_sink *sink; /* optional, for the first scan */
	const char *mode, *recovery_mode; /* for the report */
};

/* Common options of the pipeline commands, for their option tables. */
#define PIPELINE_OPTS \
	{ "--format", "FMT", "report format: text | json | junit | github" }, \
	{ "--output", "FILE", "write the report to FILE (a one-line summary still goes to stdout)" }, \
	{ "--strict", NULL, "also check every record against the schema (SCHEMA_MISMATCH)" }

/* Validate --format/--output and open the backend.  Returns 0, or the exit
 * code after reporting. */
int pipeline_begin(struct pipeline *p, struct cli *c);
/* Scan into p->scan (or p->verify when `verify`).  Returns 0 or an exit code. */
int pipeline_scan(struct pipeline *p, int verify);
/* Plan, apply and verify.  `journal` may be NULL.  Returns 0 (then look at
 * p->verify) or an exit code. */
int pipeline_recover(struct pipeline *p, enum recovery_mode mode, const char *qdir,
		     const char *journal);
/* "- TYPE: path (detail)" lines, one per anomaly, in the given tone. */
void pipeline_print_anomalies(struct pipeline *p, const struct scan_report *r, enum cli_tone t);
/* Print the actions of the applied plan, and what was repaired/quarantined. */
void pipeline_print_applied(struct pipeline *p);
/* "caught up N lines appended meanwhile" and, where leases were
 * unavailable, why (core/live.h); nothing when neither applies. */
void pipeline_print_live(const struct cli *c, FILE *f, int64_t caught_up, const char *lease_note);
/* Print the plan's actions (used for both a shown and an applied plan). */
void pipeline_print_plan(struct pipeline *p);
/* Write the report, print the summary line when --output was given, free
 * everything.  Returns `exit_code`, or 74 when the report could not be written. */
int pipeline_end(struct pipeline *p, int exit_code);

/* Check --mode / --recovery-mode / --quarantine-dir before anything runs. */
int pipeline_check_quarantine(struct pipeline *p, enum recovery_mode m, const char *qdir);

#endif
