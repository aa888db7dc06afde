/* CI report formats (SPEC §6): JUnit XML and GitHub workflow annotations.
 * Both describe the final state: the verification scan when a recovery
 * ran, else the scan. */
#include <string.h>

#include "report.h"
#include "strbuf.h"

static const struct scan_report *final_scan(const struct run_report *r)
{
	return r->verify ? r->verify : r->scan;
}

/* XML 1.0 text: escape markup, and replace what XML cannot carry at all
 * (control characters, invalid UTF-8) by U+FFFD. */
static void xml_write(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	while (*s) {
		size_t n = utf8_seq_len(s, strlen((const char *)s));
		if (n == 0 || (n == 1 && *s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')) {
			fputs("\xef\xbf\xbd", f);
			s++;
			continue;
		}
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fwrite(s, 1, n, f); break;
		}
		s += n;
	}
}

static void junit_anomaly_line(FILE *f, const struct anomaly *a)
{
	fputs("- ", f);
	xml_write(f, anomaly_type_name(a->type));
	fputs(": ", f);
	xml_write(f, a->path);
	if (a->id) {
		fputs(" id ", f);
		xml_write(f, a->id);
	} else if (a->line > 0) {
		fprintf(f, " line %lld", (long long)a->line);
	}
	fputs(" (", f);
	xml_write(f, a->detail);
	fputs(")\n", f);
}

/* Anomalies that belong to no scanned file (leftover temp files,
 * orphans) get a test case of their own, named after their path. */
static int belongs_to_file(const struct scan_report *s, const struct anomaly *a)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i].path, a->path) == 0)
			return 1;
	return 0;
}

static void junit_case(FILE *f, const struct run_report *r, const struct scan_report *s,
		       const char *path, int whole_report_for_extras)
{
	size_t n = 0;
	const struct anomaly *first = NULL;
	for (size_t i = 0; i < s->n_an; i++) {
		const struct anomaly *a = &s->an[i];
		int mine = whole_report_for_extras ? !belongs_to_file(s, a) : strcmp(a->path, path) == 0;
		if (mine && !n++)
			first = a;
	}
	fputs("    <testcase classname=\"papyra.", f);
	xml_write(f, r->backend);
	fputs("\" name=\"", f);
	xml_write(f, path);
	fputs("\" time=\"0\">\n", f);
	if (n) {
		fprintf(f, "      <failure type=\"%s\" message=\"%zu persistence anomal%s\">", anomaly_type_name(first->type),
			n, n == 1 ? "y" : "ies");
		for (size_t i = 0; i < s->n_an; i++) {
			const struct anomaly *a = &s->an[i];
			int mine = whole_report_for_extras ? !belongs_to_file(s, a) : strcmp(a->path, path) == 0;
			if (mine)
				junit_anomaly_line(f, a);
		}
		fputs("</failure>\n", f);
	}
	fputs("    </testcase>\n", f);
}

int report_write_junit(FILE *f, const struct run_report *r)
{
	const struct scan_report *s = final_scan(r);
	size_t cases = 0, failures = 0, extras = 0;
	if (s) {
		cases = s->n_files;
		for (size_t i = 0; i < s->n_files; i++)
			failures += s->files[i].anomalies > 0;
		for (size_t i = 0; i < s->n_an; i++)
			if (!belongs_to_file(s, &s->an[i]))
				extras = 1;
		cases += extras;
		failures += extras;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"papyra ", f);
	xml_write(f, r->command);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"0\">\n", cases, failures);
	fputs("    <properties>\n      <property name=\"backend\" value=\"", f);
	xml_write(f, r->backend);
	fputs("\"/>\n      <property name=\"location\" value=\"", f);
	xml_write(f, r->location);
	fprintf(f, "\"/>\n      <property name=\"exit_code\" value=\"%d\"/>\n    </properties>\n", r->exit_code);
	if (s) {
		for (size_t i = 0; i < s->n_files; i++)
			junit_case(f, r, s, s->files[i].path, 0);
		if (extras)
			junit_case(f, r, s, "other files", 1);
	}
	if (r->actions) {
		fputs("    <system-out>", f);
		for (size_t i = 0; i < r->actions->n; i++) {
			const struct action *a = &r->actions->v[i];
			if (a->skip)
				continue;
			xml_write(f, action_kind_name(a->kind));
			fputs(" ", f);
			xml_write(f, a->path);
			if (a->line > 0)
				fprintf(f, " line %lld", (long long)a->line);
			if (a->to) {
				fputs(" -> ", f);
				xml_write(f, a->to);
			}
			fputs("\n", f);
		}
		fputs("</system-out>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}

/* Workflow-command escaping: data escapes % CR LF; property values also
 * escape ':' and ','. */
static void gh_write(FILE *f, const char *s, int property)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '%': fputs("%25", f); break;
		case '\r': fputs("%0D", f); break;
		case '\n': fputs("%0A", f); break;
		case ':': property ? fputs("%3A", f) : fputc(':', f); break;
		case ',': property ? fputs("%2C", f) : fputc(',', f); break;
		default: fputc(*s, f); break;
		}
	}
}

int report_write_github(FILE *f, const struct run_report *r)
{
	const struct scan_report *s = final_scan(r);
	if (r->actions) {
		for (size_t i = 0; i < r->actions->n; i++) {
			const struct action *a = &r->actions->v[i];
			if (a->skip)
				continue;
			fputs("::notice file=", f);
			gh_write(f, a->path, 1);
			if (a->line > 0)
				fprintf(f, ",line=%lld", (long long)a->line);
			fputs("::papyra ", f);
			gh_write(f, action_kind_name(a->kind), 0);
			if (a->to) {
				fputs(" to ", f);
				gh_write(f, a->to, 0);
			}
			fputc('\n', f);
		}
	}
	for (size_t i = 0; s && i < s->n_an; i++) {
		const struct anomaly *a = &s->an[i];
		fputs("::error file=", f);
		gh_write(f, a->path, 1);
		if (a->line > 0 && !a->id)
			fprintf(f, ",line=%lld", (long long)a->line);
		fputs("::", f);
		gh_write(f, anomaly_type_name(a->type), 0);
		fputc(' ', f);
		gh_write(f, a->detail, 0);
		if (a->id) {
			fputs(" (entry ", f);
			gh_write(f, a->id, 0);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	if (s && s->n_an == 0)
		fputs("::notice::papyra: persistence is healthy\n", f);
	return ferror(f) ? -1 : 0;
}
