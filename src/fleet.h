/* A fleet: --system-id given a pattern (fnmatch: '*', 'pay-*', 'p?y-[12]')
 * on a backend that holds many systems (Redis: backend_traits.fleet).
 * The pipeline commands (scan, recover, startup-check, compact, doctor
 * run, console --batch) then run once per matching system, in id order,
 * each against a backend of its own, and write one report: per system a
 * section (text) or its report inside the fleet's document (the machine
 * formats: core/report_fleet.c), and the totals; the exit code is the
 * worst of the systems'.  This is the one place that loops over systems:
 * the commands do not know they are part of a fleet (pipeline.c sends a
 * member's output here).
 *
 * A pattern that matches nothing runs the command once with the pattern
 * as the id: no stream, so "No data at ..." names the system ids that do
 * exist (MISSING_DATA with --require-data), as for a mistyped plain id.
 * A plain id (no pattern character) is a plain run, byte for byte. */
#ifndef PAPYRA_FLEET_H
#define PAPYRA_FLEET_H

#include <stdio.h>

#include "pipeline.h"

struct fleet;

/* Run command `run` for c's configuration: directly, or once per system
 * of the fleet its --system-id names.  Returns the exit code. */
int fleet_run(struct cli *c, int (*run)(struct cli *));

/* For pipeline.c: where a member's text lines go; keep a member's report
 * (doc: malloc'd, taken; NULL for text) and outcome; write the fleet's
 * report (its own pipeline's pipeline_end); the summary line's outcome
 * (malloc'd). */
FILE *fleet_txt(const struct fleet *f);
void fleet_keep(struct fleet *f, char *doc, size_t len, int exit_code, const char *outcome, size_t anomalies);
int fleet_write(struct fleet *f, FILE *out, enum report_format fmt, int exit_code);
char *fleet_outcome(const struct fleet *f, int exit_code);
/* The fleet's Markdown summary ($GITHUB_STEP_SUMMARY, pipeline_report.c). */
int fleet_write_markdown(const struct fleet *f, FILE *out, int exit_code);

#endif
