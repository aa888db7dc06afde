/* Machine-readable reports (SPEC §6): one JSON document of the same shape
 * for every pipeline command; what does not apply is omitted. */
#ifndef PAPYRA_REPORT_H
#define PAPYRA_REPORT_H

#include <stdio.h>

#include "recover.h"
#include "scan.h"
#include "strbuf.h"

struct run_report {
	const char *command;       /* "persistence scan", "doctor run", ... */
	const char *backend;       /* "json" */
	const char *location;
	const char *mode;          /* NULL: omitted */
	const char *recovery_mode; /* NULL: omitted */
	const struct scan_report *scan;
	const struct plan *actions;       /* plan whose apply was attempted; NULL: omitted */
	const struct plan *plan;          /* plan shown but not applied ("plan"); NULL: omitted */
	/* Which actions of `actions` reached the store (applied[], same index);
	 * NULL means every non-skipped one did. */
	const struct apply_result *result;
	const struct scan_report *verify; /* NULL: omitted */
	/* What was checked: one line such as "json store .papyra/events.ndjson"
	 * (NULL: omitted), and when nothing was there the sentence saying so,
	 * "No data at .papyra/events.ndjson: nothing to check" (NULL: data). */
	const char *checked;
	const char *missing;
	const char *error; /* the error that ended the run, NULL when none */
	int exit_code;
	/* A fleet (--system-id pattern): the system this report is about
	 * (JSON "system_id", JUnit suite name, GitHub title, SARIF and GitLab
	 * too), NULL for a plain run; `fragment`: write only what goes inside
	 * the fleet's one document (report_write_fleet_*): JUnit its
	 * <testsuite>, SARIF its run object, GitLab its issues. */
	const char *system;
	int fragment;
};

/* One report for every system of a fleet: per system its report in the
 * same format, written by the writers above with `system` and `fragment`
 * set (docs[i], lens[i] bytes), wrapped here with the totals.  The JSON
 * document is {papyra_version, schema_version, command, backend,
 * location, system_glob, systems: [the reports], totals, exit_code}. */
struct fleet_report {
	const char *command, *backend, *location, *glob;
	size_t n;
	char *const *ids;
	char *const *docs;
	const size_t *lens;
	const int *codes;          /* each system's exit code */
	const char *const *outcomes; /* "healthy", "anomalies present", "no data", "error", ... */
	const size_t *anomalies;   /* of its final scan */
	int exit_code;             /* the worst */
};
int report_write_fleet_json(FILE *f, const struct fleet_report *r);
int report_write_fleet_junit(FILE *f, const struct fleet_report *r);
int report_write_fleet_github(FILE *f, const struct fleet_report *r);
int report_write_fleet_sarif(FILE *f, const struct fleet_report *r);
int report_write_fleet_gitlab(FILE *f, const struct fleet_report *r);
/* The fleet's $GITHUB_STEP_SUMMARY (report_md.c): a row per system
 * (system, outcome, anomalies, exit code), a total row, the totals line. */
int report_write_fleet_markdown(FILE *f, const struct fleet_report *r);
/* "3 systems: 2 healthy, 1 with anomalies (pay-2)" into b. */
void report_fleet_summary(struct strbuf *b, const struct fleet_report *r);

/* Whether action i of r->actions reached the store. */
int report_action_applied(const struct run_report *r, size_t i);

/* The version of the JSON report's shape (its "schema_version"; the
 * schema is share/papyra/report.schema.json).  Bumped when a change can
 * break a reader of the previous version: a key removed or renamed, a
 * value's type or meaning changed, an always-present key made optional.
 * Added keys, anomaly types or action names keep it (README). */
#define REPORT_SCHEMA_VERSION "1"

/* Write the report as one JSON document followed by "\n".  Returns 0, or
 * -1 when the stream reported an error. */
/* The first members of every JSON report, so a reader can pick the schema
 * before reading further: `{"papyra_version": …, "schema_version": …,
 * "command": …` (the object left open). */
void report_json_head(FILE *f, const char *command);
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
#define REPORT_SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"
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

/* `s` escaped for an XML attribute value (JUnit), and as the data of a
 * GitHub workflow command (% CR LF escaped). */
void report_xml_attr(FILE *f, const char *s);
void report_gh_data(FILE *f, const char *s);

/* Write `s` as a JSON string literal (invalid UTF-8 becomes U+FFFD, so the
 * document stays valid whatever the bytes of a path). */
void json_write_string(FILE *f, const char *s);

/* Append s[0..n) to `b` for a terminal or a text log: "\n" "\t" "\r",
 * "\xNN" for other C0 controls, DEL and bytes that are not UTF-8,
 * "\u00NN" for C1 controls, "\uNNNN" for bidi controls (U+061C, U+200E,
 * U+200F, U+202A..U+202E, U+2066..U+2069); everything else as is.  So a
 * file name such as "x\n::warning::y" stays on one line. */
void report_escape_text(struct strbuf *b, const char *s, size_t n);

/* The JUnit classname of a command: "papyra.doctor-run". */
void report_junit_classname(struct strbuf *b, const char *command);

/* GitHub annotations per file before the rest are summarised in one
 * ::error:: line (GitHub shows only a handful per step anyway). */
#define REPORT_GITHUB_PER_FILE 50

/* A Markdown summary table of the run, for $GITHUB_STEP_SUMMARY. */
int report_write_markdown(FILE *f, const struct run_report *r);

#endif
