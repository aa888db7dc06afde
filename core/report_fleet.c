/* One report for a fleet (--system-id pattern, issue 10 item 4): the
 * reports of its systems, each written by the ordinary writer (system
 * set, fragment for the formats that have an envelope), put inside one
 * document of the same format with the totals:
 *
 * - JSON: {papyra_version, schema_version, command, backend, location,
 *   system_glob, systems: [one report per system, each with system_id],
 *   totals: {systems, healthy, anomalies_present, no_data, errors,
 *   anomalies, with_anomalies: [ids]}, exit_code (the worst)};
 * - JUnit: one <testsuites> holding a <testsuite> per system (its test
 *   cases the system's streams);
 * - SARIF: one log, a run per system (properties.system_id);
 * - GitLab: one array of every system's issues;
 * - GitHub: every system's annotations (titled with the system), then a
 *   notice (or an error, when the worst exit code is not 0) with the
 *   totals. */
#include <string.h>

#include "report.h"
#include "strbuf.h"

struct fleet_counts {
	size_t healthy, anomalous, no_data, errors, anomalies;
};

static void count(const struct fleet_report *r, struct fleet_counts *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < r->n; i++) {
		const char *o = r->outcomes[i];
		c->anomalies += r->anomalies[i];
		if (strcmp(o, "healthy") == 0)
			c->healthy++;
		else if (strcmp(o, "no data") == 0)
			c->no_data++;
		else if (strcmp(o, "anomalies present") == 0)
			c->anomalous++;
		else
			c->errors++;
	}
}

void report_fleet_summary(struct strbuf *b, const struct fleet_report *r)
{
	struct fleet_counts c;
	count(r, &c);
	strbuf_printf(b, "%zu system%s matching '%s': %zu healthy", r->n, r->n == 1 ? "" : "s", r->glob,
		      c.healthy);
	if (c.anomalous) {
		strbuf_printf(b, ", %zu with anomalies (", c.anomalous);
		int k = 0;
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->outcomes[i], "anomalies present") == 0)
				strbuf_printf(b, "%s%s", k++ ? ", " : "", r->ids[i]);
		strbuf_puts(b, ")");
	}
	if (c.no_data)
		strbuf_printf(b, ", %zu without data", c.no_data);
	if (c.errors) {
		strbuf_printf(b, ", %zu failed (", c.errors);
		int k = 0;
		for (size_t i = 0; i < r->n; i++)
			if (strcmp(r->outcomes[i], "healthy") != 0 && strcmp(r->outcomes[i], "no data") != 0 &&
			    strcmp(r->outcomes[i], "anomalies present") != 0)
				strbuf_printf(b, "%s%s", k++ ? ", " : "", r->ids[i]);
		strbuf_puts(b, ")");
	}
	strbuf_printf(b, "; exit %d", r->exit_code);
}

/* docs[i] without its final newline. */
static void put_doc(FILE *f, const struct fleet_report *r, size_t i)
{
	size_t n = r->lens[i];
	while (n && r->docs[i][n - 1] == '\n')
		n--;
	fwrite(r->docs[i], 1, n, f);
}

int report_write_fleet_json(FILE *f, const struct fleet_report *r)
{
	struct fleet_counts c;
	count(r, &c);
	report_json_head(f, r->command);
	fputs(", \"backend\": ", f);
	json_write_string(f, r->backend);
	fputs(", \"location\": ", f);
	json_write_string(f, r->location);
	fputs(", \"system_glob\": ", f);
	json_write_string(f, r->glob);
	fputs(", \"systems\": [", f);
	for (size_t i = 0; i < r->n; i++) {
		fputs(i ? ", " : "", f);
		put_doc(f, r, i);
	}
	fprintf(f, "], \"totals\": {\"systems\": %zu, \"healthy\": %zu, \"anomalies_present\": %zu, "
		"\"no_data\": %zu, \"errors\": %zu, \"anomalies\": %zu, \"with_anomalies\": [",
		r->n, c.healthy, c.anomalous, c.no_data, c.errors, c.anomalies);
	int k = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->anomalies[i]) {
			fputs(k++ ? ", " : "", f);
			json_write_string(f, r->ids[i]);
		}
	fprintf(f, "]}, \"exit_code\": %d}\n", r->exit_code);
	return ferror(f) ? -1 : 0;
}

int report_write_fleet_junit(FILE *f, const struct fleet_report *r)
{
	/* the suites name their system; <testsuites> itself takes no attributes in the common XSD */
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
	for (size_t i = 0; i < r->n; i++)
		fwrite(r->docs[i], 1, r->lens[i], f);
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}

int report_write_fleet_sarif(FILE *f, const struct fleet_report *r)
{
	fputs("{\"$schema\": \"" REPORT_SARIF_SCHEMA "\", \"version\": \"2.1.0\", \"runs\": [", f);
	for (size_t i = 0; i < r->n; i++) {
		fputs(i ? ", " : "", f);
		put_doc(f, r, i);
	}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}

int report_write_fleet_gitlab(FILE *f, const struct fleet_report *r)
{
	int any = 0;
	fputc('[', f);
	for (size_t i = 0; i < r->n; i++) {
		if (!r->lens[i])
			continue;
		fputs(any ? "," : "", f);
		fwrite(r->docs[i], 1, r->lens[i], f);
		any = 1;
	}
	fputs(any ? "\n]\n" : "]\n", f);
	return ferror(f) ? -1 : 0;
}

int report_write_fleet_github(FILE *f, const struct fleet_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		fwrite(r->docs[i], 1, r->lens[i], f);
	struct strbuf b = { 0 };
	report_fleet_summary(&b, r);
	fputs(r->exit_code ? "::error::papyra " : "::notice::papyra ", f);
	fputs(r->command ? r->command : "", f);
	fputs(": ", f);
	report_gh_data(f, b.oom ? "" : b.p);
	fputc('\n', f);
	strbuf_free(&b);
	return ferror(f) ? -1 : 0;
}
