/* CI report formats (SPEC §6): JUnit XML and GitHub workflow annotations.
 * Both describe the final state: the verification scan when a recovery
 * ran, else the scan; an error that ended the run is a JUnit <error> and
 * a github ::error::, a store that was not there a JUnit <skipped> and a
 * github ::warning::. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "strbuf.h"

static const struct scan_report *final_scan(const struct run_report *r)
{
	return r->verify ? r->verify : r->scan;
}

/* XML 1.0: escape markup, and replace what XML cannot carry at all
 * (control characters, invalid UTF-8) by U+FFFD.  In an attribute, tab,
 * CR and LF become character references: a parser would otherwise turn
 * them into spaces (XML 1.0 §3.3.3 attribute-value normalization). */
static void xml_put(FILE *f, const char *str, int attr)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	while (*s) {
		size_t n = utf8_seq_len(s, strlen((const char *)s));
		if (n == 0 || (n == 1 && *s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r') ||
		    (n == 1 && *s == 0x7f)) {
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
		case '\t': fputs(attr ? "&#9;" : "\t", f); break;
		case '\n': fputs(attr ? "&#10;" : "\n", f); break;
		case '\r': fputs("&#13;", f); break; /* a bare CR is lost in text as well */
		default: fwrite(s, 1, n, f); break;
		}
		s += n;
	}
}

static void xml_write(FILE *f, const char *s)
{
	xml_put(f, s, 0);
}

static void xml_attr(FILE *f, const char *s)
{
	xml_put(f, s, 1);
}

void report_xml_attr(FILE *f, const char *s)
{
	xml_attr(f, s);
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
 * orphans, a missing store) get a test case of their own. */
static int belongs_to_file(const struct scan_report *s, const struct anomaly *a)
{
	for (size_t i = 0; i < s->n_files; i++)
		if (strcmp(s->files[i].path, a->path) == 0)
			return 1;
	return 0;
}

/* Test case names must be unique within the suite: a second "x" is "x (2)". */
struct junit_names {
	const char *seen[64];
	size_t n;
};

static void junit_name(FILE *f, struct junit_names *nm, const char *name)
{
	size_t dup = 0;
	for (size_t i = 0; i < nm->n; i++)
		dup += strcmp(nm->seen[i], name) == 0;
	if (nm->n < sizeof nm->seen / sizeof *nm->seen)
		nm->seen[nm->n++] = name;
	xml_attr(f, name);
	if (dup)
		fprintf(f, " (%zu)", dup + 1);
}

static void junit_open_case(FILE *f, const char *classname, struct junit_names *nm, const char *name)
{
	fputs("    <testcase classname=\"", f);
	xml_attr(f, classname);
	fputs("\" name=\"", f);
	junit_name(f, nm, name);
	fputs("\" time=\"0\">\n", f);
}

static void junit_case(FILE *f, const struct run_report *r, const char *classname,
		       struct junit_names *nm, const struct scan_report *s, size_t file,
		       const char *path, int extras)
{
	size_t n = 0;
	enum anomaly_type first = AN__COUNT;
	struct scan_iter it;
	const struct anomaly *a;
	scan_iter_init(&it, s);
	while ((a = scan_iter_next(&it))) {
		int mine = extras ? !belongs_to_file(s, a) : strcmp(a->path, path) == 0;
		if (mine && !n++)
			first = a->type;
	}
	scan_iter_free(&it);
	junit_open_case(f, classname, nm, path);
	if (n) {
		fputs("      <failure type=\"", f);
		xml_attr(f, anomaly_type_name(first));
		fprintf(f, "\" message=\"%zu persistence anomal%s\">", n, n == 1 ? "y" : "ies");
		scan_iter_init(&it, s);
		while ((a = scan_iter_next(&it))) {
			int mine = extras ? !belongs_to_file(s, a) : strcmp(a->path, path) == 0;
			if (mine)
				junit_anomaly_line(f, a);
		}
		scan_iter_free(&it);
		fputs("</failure>\n", f);
	} else if (!extras && r->missing && !s->files[file].ident.exists) {
		fputs("      <skipped message=\"", f);
		xml_attr(f, r->missing);
		fputs("\"/>\n", f);
	}
	fputs("    </testcase>\n", f);
}

static void junit_actions(FILE *f, const struct run_report *r)
{
	fputs("    <system-out>", f);
	const struct plan *p = r->actions;
	struct plan_lines lines;
	size_t i;
	plan_lines_init(&lines, p);
	for (const struct action *a; (a = plan_lines_next(&lines, &i));) {
		if (a->skip)
			continue;
		xml_write(f, action_kind_name(a->kind));
		fputs(" ", f);
		xml_write(f, a->path);
		if (a->line > 0)
			fprintf(f, " line %lld", (long long)a->line);
		if (a->id) {
			fputs(" entry ", f);
			xml_write(f, a->id);
		}
		if (a->to) {
			fputs(" -> ", f);
			xml_write(f, a->to);
		}
		fputs(report_action_applied(r, i) ? "\n" : " (not applied)\n", f);
	}
	fputs("</system-out>\n", f);
}

int report_write_junit(FILE *f, const struct run_report *r)
{
	const struct scan_report *s = final_scan(r);
	size_t cases = 0, failures = 0, extras = 0, skipped = 0, errors = r->error != NULL;
	if (s) {
		cases = s->n_files;
		for (size_t i = 0; i < s->n_files; i++) {
			failures += s->files[i].anomalies > 0;
			skipped += r->missing && !s->files[i].ident.exists && s->files[i].anomalies == 0;
		}
		struct scan_iter it;
		const struct anomaly *a;
		scan_iter_init(&it, s);
		while (!extras && (a = scan_iter_next(&it)))
			extras = !belongs_to_file(s, a);
		scan_iter_free(&it);
		cases += extras;
		failures += extras;
	}
	struct strbuf cls = { 0 };
	report_junit_classname(&cls, r->command);
	const char *classname = cls.oom ? "papyra" : cls.p;
	struct junit_names nm = { .n = 0 };
	if (!r->fragment)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
	fputs("  <testsuite name=\"papyra ", f);
	xml_attr(f, r->command);
	if (r->system) {
		fputs(" system ", f);
		xml_attr(f, r->system);
	}
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"0\">\n",
		cases + errors, failures, errors, skipped);
	fputs("    <properties>\n", f);
	if (r->backend) {
		fputs("      <property name=\"backend\" value=\"", f);
		xml_attr(f, r->backend);
		fputs("\"/>\n", f);
	}
	if (r->location) {
		fputs("      <property name=\"location\" value=\"", f);
		xml_attr(f, r->location);
		fputs("\"/>\n", f);
	}
	if (r->system) {
		fputs("      <property name=\"system_id\" value=\"", f);
		xml_attr(f, r->system);
		fputs("\"/>\n", f);
	}
	if (r->checked) {
		fputs("      <property name=\"checked\" value=\"", f);
		xml_attr(f, r->checked);
		fputs("\"/>\n", f);
	}
	fprintf(f, "      <property name=\"exit_code\" value=\"%d\"/>\n    </properties>\n", r->exit_code);
	if (s) {
		for (size_t i = 0; i < s->n_files; i++)
			junit_case(f, r, classname, &nm, s, i, s->files[i].path, 0);
		if (extras)
			junit_case(f, r, classname, &nm, s, 0, "other files", 1);
	}
	if (r->error) {
		char name[160];
		snprintf(name, sizeof name, "papyra %s", r->command ? r->command : "");
		junit_open_case(f, classname, &nm, name);
		fputs("      <error type=\"", f);
		fprintf(f, "exit %d", r->exit_code);
		fputs("\" message=\"", f);
		xml_attr(f, r->error);
		fputs("\">", f);
		xml_write(f, r->error);
		fputs("</error>\n    </testcase>\n", f);
	}
	if (r->actions)
		junit_actions(f, r);
	fputs(r->fragment ? "  </testsuite>\n" : "  </testsuite>\n</testsuites>\n", f);
	strbuf_free(&cls);
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

void report_gh_data(FILE *f, const char *s)
{
	gh_write(f, s, 0);
}

/* A fleet's system as the annotation's title: ",title=papyra system X"
 * after other properties (`more`), " title=..." as the first. */
static void gh_title(FILE *f, const struct run_report *r, int more)
{
	if (!r->system)
		return;
	fputs(more ? ",title=papyra system " : " title=papyra system ", f);
	gh_write(f, r->system, 1);
}

/* Drops change the data: a pipeline should see them (a warning); the
 * other applied actions are notices; an action not applied prints none. */
static void gh_actions(FILE *f, const struct run_report *r)
{
	const struct plan *p = r->actions;
	struct plan_lines lines;
	size_t i;
	plan_lines_init(&lines, p);
	for (const struct action *a; (a = plan_lines_next(&lines, &i));) {
		if (!report_action_applied(r, i))
			continue;
		int drop = a->kind == ACT_DROP_LINE || a->kind == ACT_DELETE_ENTRY ||
			   a->kind == ACT_QUARANTINE_ENTRY || a->kind == ACT_QUARANTINE_FILE;
		fputs(drop ? "::warning file=" : "::notice file=", f);
		gh_write(f, a->path, 1);
		if (a->line > 0)
			fprintf(f, ",line=%lld", (long long)a->line);
		gh_title(f, r, 1);
		fputs("::papyra ", f);
		gh_write(f, action_kind_name(a->kind), 0);
		if (a->id) {
			fputs(" entry ", f);
			gh_write(f, a->id, 0);
		}
		if (a->kind == ACT_DROP_LINE || a->kind == ACT_DELETE_ENTRY || a->kind == ACT_QUARANTINE_ENTRY) {
			fputs(" (", f);
			gh_write(f, anomaly_type_name(a->reason), 0);
			fputc(')', f);
		}
		if (a->to) {
			fputs(" to ", f);
			gh_write(f, a->to, 0);
		}
		fputc('\n', f);
	}
}

/* Anomalies come grouped by path (SPEC §3 order), so the cap counts runs
 * of one path: linear, whatever the number of anomalies. */
static void gh_more(FILE *f, const char *path, size_t more)
{
	fputs("::error file=", f);
	gh_write(f, path, 1);
	fprintf(f, "::papyra: %zu more persistence anomalies in ", more);
	gh_write(f, path, 0);
	fputs(" (--format json lists them all)\n", f);
}

static void gh_anomalies(FILE *f, const struct run_report *r, const struct scan_report *s)
{
	size_t run = 0, more = 0;
	char *prev = NULL; /* the path of the current run (anomalies read back are not kept) */
	struct scan_iter it;
	const struct anomaly *a;
	scan_iter_init(&it, s);
	while ((a = scan_iter_next(&it))) {
		if (!prev || strcmp(prev, a->path) != 0) {
			if (more)
				gh_more(f, prev, more);
			run = more = 0;
			free(prev);
			prev = strdup(a->path);
		}
		if (run++ >= REPORT_GITHUB_PER_FILE) {
			more++;
			continue;
		}
		fputs("::error file=", f);
		gh_write(f, a->path, 1);
		if (a->line > 0 && !a->id)
			fprintf(f, ",line=%lld", (long long)a->line);
		gh_title(f, r, 1);
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
	if (more && prev)
		gh_more(f, prev, more);
	free(prev);
	scan_iter_free(&it);
}

int report_write_github(FILE *f, const struct run_report *r)
{
	const struct scan_report *s = final_scan(r);
	if (r->actions)
		gh_actions(f, r);
	if (s)
		gh_anomalies(f, r, s);
	int required = 0;
	required = s && s->by_type[AN_MISSING_DATA] > 0;
	if (r->missing && !required) {
		fputs("::warning", f);
		gh_title(f, r, 0);
		fputs("::papyra: ", f);
		gh_write(f, r->missing, 0);
		fputc('\n', f);
	}
	if (r->error) {
		fputs("::error", f);
		gh_title(f, r, 0);
		fputs("::papyra ", f);
		gh_write(f, r->command, 0);
		fputs(": ", f);
		gh_write(f, r->error, 0);
		fprintf(f, " (exit %d)\n", r->exit_code);
	}
	if (s && s->n_an == 0 && !r->error && !r->missing) {
		fputs("::notice", f);
		gh_title(f, r, 0);
		fputs("::papyra: persistence is healthy", f);
		if (r->checked) {
			fputs(" (", f);
			gh_write(f, r->checked, 0);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	return ferror(f) ? -1 : 0;
}
