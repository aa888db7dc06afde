/* core/report*: text escaping for terminals and logs, the JSON report's
 * applied flags and error, JUnit attributes and classnames, GitHub
 * annotations (SPEC §6; issue 7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recover.h"
#include "report.h"
#include "scan.h"
#include "strbuf.h"
#include "version.h"

static char *escaped(const char *s, size_t n)
{
	struct strbuf b = { 0 };
	report_escape_text(&b, s, n);
	assert_false(b.oom);
	return strbuf_detach(&b, NULL);
}

static void test_escape_controls(void **state)
{
	(void)state;
	char *e = escaped("inj\n::warning title=x::y", 24);
	assert_string_equal(e, "inj\\n::warning title=x::y");
	free(e);
	e = escaped("a\tb\rc\x1b[2J\x7f", 10);
	assert_string_equal(e, "a\\tb\\rc\\x1b[2J\\x7f");
	free(e);
	/* C1 (U+009B CSI), bidi override U+202E, invalid UTF-8, NUL */
	e = escaped("\xc2\x9b|\xe2\x80\xae|\xff|\0|", 11);
	assert_string_equal(e, "\\u009b|\\u202e|\\xff|\\x00|");
	free(e);
	/* ordinary UTF-8 is kept: CJK, RTL letters, emoji */
	e = escaped("日本 שלום 🎉", strlen("日本 שלום 🎉"));
	assert_string_equal(e, "日本 שלום 🎉");
	free(e);
}

static void test_classname(void **state)
{
	(void)state;
	struct strbuf b = { 0 };
	report_junit_classname(&b, "doctor run");
	assert_string_equal(b.p, "papyra.doctor-run");
	strbuf_free(&b);
}

/* Render a report with `write` into a string. */
static char *render(int (*write)(FILE *, const struct run_report *), const struct run_report *r)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	assert_int_equal(write(f, r), 0);
	fclose(f);
	return buf;
}

struct fixture {
	struct scan_report scan;
	struct plan plan;
	struct apply_result res;
};

static void fixture_init(struct fixture *fx)
{
	perr e = { 0 };
	scan_report_init(&fx->scan);
	plan_init(&fx->plan);
	memset(&fx->res, 0, sizeof fx->res);
	struct scan_file *f = scan_report_add_file(&fx->scan, "ev\n.ndjson", &e);
	assert_non_null(f);
	f->ident.exists = 1;
	f->anomalies = 2;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(scan_report_add(&fx->scan, AN_CORRUPTED_LINE, "ev\n.ndjson", 3 + i, 10 * i, 5, NULL,
						 0, &e, "bad\tline %d", i), 0);
		fx->plan.v = realloc(fx->plan.v, (fx->plan.n + 1) * sizeof *fx->plan.v);
		struct action *a = &fx->plan.v[fx->plan.n++];
		memset(a, 0, sizeof *a);
		a->kind = ACT_DROP_LINE;
		a->path = strdup("ev\n.ndjson");
		a->line = 3 + i;
		a->offset = 10 * i;
		a->length = 5;
		a->reason = AN_CORRUPTED_LINE;
	}
	assert_int_equal(apply_result_track(&fx->res, fx->plan.n, &e), 0);
	apply_result_mark(&fx->res, 0); /* the first action landed, the second did not */
}

static void fixture_free(struct fixture *fx)
{
	scan_report_free(&fx->scan);
	plan_free(&fx->plan);
	apply_result_free(&fx->res);
}

static void test_partial_apply_reports(void **state)
{
	(void)state;
	struct fixture fx;
	fixture_init(&fx);
	struct run_report r = { .command = "doctor run", .backend = "json", .location = "ev\n.ndjson",
				.scan = &fx.scan, .actions = &fx.plan, .result = &fx.res, .verify = &fx.scan,
				.error = "Recovery failed after 1 of 2 actions: disk full", .exit_code = 74 };
	char *json = render(report_write_json, &r);
	assert_non_null(strstr(json, "\"line\": 3, \"offset\": 0, \"length\": 5, \"reason\": \"CORRUPTED_LINE\", \"applied\": true}"));
	assert_non_null(strstr(json, "\"line\": 4, \"offset\": 10, \"length\": 5, \"reason\": \"CORRUPTED_LINE\", \"applied\": false}"));
	assert_non_null(strstr(json, "\"error\": {\"message\": \"Recovery failed after 1 of 2 actions: disk full\"}, \"exit_code\": 74}"));
	free(json);

	char *gh = render(report_write_github, &r);
	assert_non_null(strstr(gh, "::warning file=ev%0A.ndjson,line=3::papyra drop_line (CORRUPTED_LINE)\n"));
	assert_null(strstr(gh, "line=4::papyra"));  /* not applied: not announced */
	assert_null(strstr(gh, "::notice"));
	assert_non_null(strstr(gh, "::error::papyra doctor run: Recovery failed after 1 of 2 actions: disk full (exit 74)\n"));
	free(gh);

	char *xml = render(report_write_junit, &r);
	assert_non_null(strstr(xml, "classname=\"papyra.doctor-run\" name=\"ev&#10;.ndjson\""));
	assert_non_null(strstr(xml, "errors=\"1\""));
	assert_non_null(strstr(xml, "<error type=\"exit 74\" message=\"Recovery failed after 1 of 2 actions: disk full\">"));
	assert_non_null(strstr(xml, "drop_line ev\n.ndjson line 4 (not applied)\n"));
	free(xml);
	fixture_free(&fx);
}

static void test_missing_store(void **state)
{
	(void)state;
	struct scan_report s;
	perr e = { 0 };
	scan_report_init(&s);
	assert_non_null(scan_report_add_file(&s, ".papyra/events.ndjson", &e));
	struct run_report r = { .command = "persistence scan", .backend = "json",
				.location = ".papyra/events.ndjson", .scan = &s,
				.missing = "No data at .papyra/events.ndjson: nothing to check" };
	char *xml = render(report_write_junit, &r);
	assert_non_null(strstr(xml, "skipped=\"1\""));
	assert_non_null(strstr(xml, "<skipped message=\"No data at .papyra/events.ndjson: nothing to check\"/>"));
	free(xml);
	char *gh = render(report_write_github, &r);
	assert_string_equal(gh, "::warning::papyra: No data at .papyra/events.ndjson: nothing to check\n");
	free(gh);
	char *json = render(report_write_json, &r);
	/* the versions come first, for a reader to pick the schema */
	const char *head = "{\"papyra_version\": \"" PAPYRA_VERSION "\", \"schema_version\": \"" REPORT_SCHEMA_VERSION
			   "\", \"command\": \"persistence scan\", ";
	assert_int_equal(strncmp(json, head, strlen(head)), 0);
	assert_non_null(strstr(json, "\"missing\": true, \"note\": \"No data at .papyra/events.ndjson: nothing to check\""));
	free(json);
	scan_report_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_classname),
		cmocka_unit_test(test_partial_apply_reports),
		cmocka_unit_test(test_missing_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
