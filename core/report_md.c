/* The Markdown summary of a run for $GITHUB_STEP_SUMMARY (SPEC §6, github
 * format): what was checked, the outcome, the anomalies of the final state
 * and the actions, as tables; for a fleet (--system-id pattern) one
 * summary of every system, a row each, and the totals. */
#include <string.h>

#include "report.h"
#include "strbuf.h"

/* Table rows per section before "… and N more": the summary is for people. */
#define REPORT_MD_ROWS 50

/* A table cell: escaped as text, then what Markdown or HTML would read as
 * markup made literal. */
static void md_cell(FILE *f, const char *s)
{
	struct strbuf t = { 0 };
	report_escape_text(&t, s ? s : "", s ? strlen(s) : 0);
	if (t.oom) {
		strbuf_free(&t);
		return;
	}
	for (size_t i = 0; i < t.n; i++) {
		switch (t.p[i]) {
		case '|': fputs("\\|", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '`': fputs("\\`", f); break;
		case '*': case '_': case '[': case ']': case '\\':
			fputc('\\', f);
			fputc(t.p[i], f);
			break;
		default: fputc(t.p[i], f); break;
		}
	}
	strbuf_free(&t);
}

static void md_row(FILE *f, const char *k, const char *v)
{
	fputs("| ", f);
	md_cell(f, k);
	fputs(" | ", f);
	md_cell(f, v);
	fputs(" |\n", f);
}

int report_write_markdown(FILE *f, const struct run_report *r)
{
	const struct scan_report *s = r->verify ? r->verify : r->scan;
	char buf[64];
	fputs("### papyra ", f);
	md_cell(f, r->command);
	fprintf(f, ": exit %d\n\n| | |\n|---|---|\n", r->exit_code);
	if (r->backend)
		md_row(f, "backend", r->backend);
	if (r->location)
		md_row(f, "location", r->location);
	if (r->mode)
		md_row(f, "mode", r->mode);
	if (r->missing)
		md_row(f, "data", r->missing);
	if (s) {
		snprintf(buf, sizeof buf, "%zu", s->n_an);
		md_row(f, r->verify ? "anomalies after recovery" : "anomalies", buf);
	}
	if (r->actions) {
		size_t n = 0, applied = 0;
		for (size_t i = 0; i < r->actions->n; i++) {
			size_t w = action_lines(&r->actions->v[i]);
			n += r->actions->v[i].skip ? 0 : w;
			applied += report_action_applied(r, i) ? w : 0;
		}
		snprintf(buf, sizeof buf, "%zu of %zu", applied, n);
		md_row(f, "actions applied", buf);
	}
	if (r->error)
		md_row(f, "error", r->error);
	if (s && s->n_an) {
		fputs("\n| type | path | line / entry | detail |\n|---|---|---|---|\n", f);
		for (size_t i = 0; i < s->n_mem && i < REPORT_MD_ROWS; i++) { /* in memory: the first ones */
			const struct anomaly *a = &s->an[i];
			fputs("| ", f);
			md_cell(f, anomaly_type_name(a->type));
			fputs(" | ", f);
			md_cell(f, a->path);
			fputs(" | ", f);
			if (a->id)
				md_cell(f, a->id);
			else if (a->line > 0)
				fprintf(f, "%lld", (long long)a->line);
			fputs(" | ", f);
			md_cell(f, a->detail);
			fputs(" |\n", f);
		}
		if (s->n_an > REPORT_MD_ROWS)
			fprintf(f, "\n… and %zu more (`--format json` lists them all)\n", s->n_an - REPORT_MD_ROWS);
	}
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

int report_write_fleet_markdown(FILE *f, const struct fleet_report *r)
{
	size_t anomalies = 0;
	char buf[32];
	fputs("### papyra ", f);
	md_cell(f, r->command);
	fputs(": fleet '", f);
	md_cell(f, r->glob);
	fprintf(f, "', exit %d\n\n| | |\n|---|---|\n", r->exit_code);
	if (r->backend)
		md_row(f, "backend", r->backend);
	if (r->location)
		md_row(f, "location", r->location);
	fputs("\n| system | outcome | anomalies | exit code |\n|---|---|---|---|\n", f);
	for (size_t i = 0; i < r->n; i++) {
		fputs("| ", f);
		md_cell(f, r->ids[i]);
		fputs(" | ", f);
		md_cell(f, r->outcomes[i]);
		fprintf(f, " | %zu | %d |\n", r->anomalies[i], r->codes[i]);
		anomalies += r->anomalies[i];
	}
	snprintf(buf, sizeof buf, "%zu system%s", r->n, r->n == 1 ? "" : "s");
	fputs("| **total** | ", f);
	md_cell(f, buf);
	fprintf(f, " | %zu | %d |\n\n", anomalies, r->exit_code);
	struct strbuf b = { 0 };
	report_fleet_summary(&b, r);
	fputs("Totals: ", f);
	md_cell(f, b.oom ? "?" : b.p);
	fputs("\n\n", f);
	strbuf_free(&b);
	return ferror(f) ? -1 : 0;
}
