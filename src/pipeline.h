/* What the pipeline commands (scan, recover, startup-check, doctor run,
 * console --batch, compact) share: open the backend, scan, recover with
 * verification, print anomalies, and write the report in the asked
 * --format to --output — on every exit path (SPEC §6).
 *
 * Order of a command: pipeline_begin (format, --output and --journal
 * checked before anything is read), its own option checks (failures go
 * through pipeline_end so they are reported too), pipeline_open, the work,
 * pipeline_end with the exit code. */
#ifndef PAPYRA_PIPELINE_H
#define PAPYRA_PIPELINE_H

#include <stdio.h>

#include "cli.h"
#include "report.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_JUNIT, FMT_GITHUB, FMT_SARIF, FMT_GITLAB };
/* The names --format takes, for messages. */
#define PIPELINE_FORMAT_NAMES "text, json, junit, github, sarif, gitlab"
/* Parse a --format value, any case; NULL is text.  Returns 0 or -1. */
int pipeline_parse_format(const char *f, enum report_format *out);

struct pipeline {
	struct cli *c;
	struct backend *b;
	enum report_format fmt;
	int begun;           /* the format is known: pipeline_end writes a report */
	FILE *txt;           /* human lines: stdout, the --output file, or discarded */
	FILE *report;        /* the report's destination, for the machine formats */
	char *out_final;     /* --output FILE resolved; NULL: stdout */
	char *out_tmp;       /* the temp file beside it, renamed into place at the end */
	FILE *out_file;      /* open on out_tmp */
	const char *journal; /* --journal, checked */
	struct scan_report scan, verify;
	struct plan plan;
	struct apply_result res;
	int scanned, planned, verified;
	int applying;        /* apply was attempted: the report tells which actions landed */
	int plan_only;       /* the plan was shown, not applied (report says so) */
	int quiet_list;      /* anomaly lists already shown (batch triage) */
	int require_data;    /* --require-data / PAPYRA_REQUIRE_DATA / require_data */
	char *missing;       /* "No data at P: nothing to check" when the store is absent */
	char *checked;       /* "json store P (1 file, …)" */
	const struct scan_sink *sink; /* optional, for the first scan */
	const char *mode, *recovery_mode; /* for the report */
	/* A fleet (src/fleet.h): `fleet` is set on the fleet's own pipeline,
	 * which owns the output and writes the one report; `member` on the
	 * pipeline of one of its systems, whose report goes into `mem`. */
	struct fleet *fleet;
	int member;
	char *mem;
	size_t mem_len;
};

/* Common options of the pipeline commands, for their option tables. */
#define PIPELINE_OPTS \
	{ "--format", "FMT", "report format: text | json | junit | github | sarif | gitlab (any case)" }, \
	{ "--output", "FILE", "write the report to FILE via a temp file (- = stdout); never the store or journal" }, \
	{ "--strict", NULL, "also check every record against the schema (SCHEMA_MISMATCH)" }
#define PIPELINE_REQUIRE_DATA_OPT \
	{ "--require-data", NULL, "a missing store is a MISSING_DATA anomaly (env PAPYRA_REQUIRE_DATA)" }

/* Parse --format, check --output and --journal (exit 64 when one names the
 * store, the journal or a non-regular file; nothing is read before).
 * Returns 0, or an exit code to hand to pipeline_end. */
int pipeline_begin(struct pipeline *p, struct cli *c);
/* Open the backend.  Returns 0, or an exit code for pipeline_end. */
int pipeline_open(struct pipeline *p);
/* Scan into p->scan (or p->verify when `verify`); a missing store is
 * noted (and is MISSING_DATA with --require-data); the first scan prints
 * the misconfiguration hints.  Returns 0 or an exit code. */
int pipeline_scan(struct pipeline *p, int verify);
/* Print what was checked, or that nothing was there (text lines). */
void pipeline_print_checked(struct pipeline *p);
/* Plan, apply and verify.  `journal` may be NULL.  Returns 0 (then look at
 * p->verify) or an exit code; after a failed or partial apply the
 * verification still runs when the store answers, the journal records
 * what was applied with the error, and the message says "Recovery failed
 * after N of M actions". */
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
/* Write the report (always, once the format is known), put --output in
 * place and print the summary line, free everything.  Returns `exit_code`,
 * or 74 when the report could not be written. */
int pipeline_end(struct pipeline *p, int exit_code);
/* A report for an error found before the command ran (a usage error on
 * the line, a bad configuration): written to --output only when that file
 * does not exist yet (the store is not known, so nothing is replaced),
 * else to stdout.  Returns exit_code. */
int pipeline_report_early(struct cli *c, int exit_code);

/* Consumer groups (pipeline_groups.c): per stream of `r` its groups and
 * the pending ids that point at deleted entries; the "; pending in group
 * G" tail of a planned entry (nothing when it is in none); after an apply,
 * what --ack-deleted acknowledged, or that deleted entries stay pending. */
struct strbuf;
void pipeline_print_groups(struct pipeline *p, const struct scan_report *r);
void pipeline_pending_suffix(const struct action *a, struct strbuf *b);
void pipeline_print_acks(struct pipeline *p);

/* Write `rr` in format `fmt` (github for text). */
int pipeline_write_report(FILE *f, enum report_format fmt, const struct run_report *rr);

/* Check --mode / --recovery-mode / --quarantine-dir before anything runs. */
int pipeline_check_quarantine(struct pipeline *p, enum recovery_mode m, const char *qdir);

#endif
