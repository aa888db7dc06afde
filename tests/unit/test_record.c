/* core/record: lenient decoding of record lines for listings (SPEC §2.1),
 * on real lines written by the reference (tests/fixtures/json_clean) and on
 * hand-made edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonv.h"
#include "record.h"
#include "scan.h"
#include "schema.h"

#define CLEAN_FIXTURE "tests/fixtures/json_clean/data/events.ndjson"

/* A line as the scanner would hand it to a sink. */
struct tline {
	struct scan_line l;
	struct jsonv_field f[SF__COUNT];
	struct jsonv v;
	char text[8192];
};

static struct tline tl; /* struct jsonv is large: keep it off the stack */
static struct record rec;

static const struct scan_line *mk(const char *text)
{
	struct jsonv_capture cap;
	size_t n = strlen(text);
	assert_true(n < sizeof tl.text);
	memcpy(tl.text, text, n + 1);
	memset(&tl.l, 0, sizeof tl.l);
	schema_capture_init(tl.f, &cap);
	tl.l.path = "t.ndjson";
	tl.l.line = 1;
	/* classified by the scanner's own function, as a sink would see it */
	scan_classify_record(tl.text, n, 0, &tl.v, &cap, &tl.l, NULL, 0);
	return &tl.l;
}

/* Line `n` (from 1) of the clean fixture, written by the reference. */
static const struct scan_line *fixture_line(int n)
{
	FILE *f = fopen(CLEAN_FIXTURE, "r");
	assert_non_null(f);
	char *buf = NULL;
	size_t cap = 0;
	ssize_t len = -1;
	for (int i = 0; i < n; i++)
		len = getline(&buf, &cap, f);
	fclose(f);
	assert_true(len > 1);
	buf[len - 1] = '\0'; /* the "\n" */
	const struct scan_line *l = mk(buf);
	free(buf);
	return l;
}

static void decode_ok(const struct scan_line *l)
{
	enum rec_status st;
	assert_int_equal(record_decode(&rec, l, &st, NULL), 0);
	assert_int_equal(st, REC_OK);
}

static void assert_str(struct rec_str s, const char *want)
{
	assert_int_equal(s.n, strlen(want));
	assert_memory_equal(s.p, want, s.n);
}

static void assert_line(const char *want)
{
	size_t n;
	char *got = record_format_line(&rec, &n);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(got);
}

static int setup(void **state)
{
	(void)state;
	record_init(&rec);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	record_free(&rec);
	return 0;
}

static void test_event_object_address(void **state)
{
	(void)state;
	decode_ok(fixture_line(1));
	assert_int_equal(rec.kind, RK_EVENT);
	assert_int_equal(rec.ts_kind, REC_TS_NUMBER);
	assert_str(rec.system_id, "local");
	assert_str(rec.type, "ActorStarted");
	assert_str(rec.addr.text, "local:1");
	assert_true(rec.addr.parsed);
	assert_str(rec.payload, "{}");
	assert_line("[1767225600.125] ActorStarted local:1");
	assert_true(record_addr_matches(&rec.addr, "local:1"));
	assert_true(record_addr_matches(&rec.addr, "local://1"));
	assert_false(record_addr_matches(&rec.addr, "local:10"));
}

static void test_payload_numbers_kept(void **state)
{
	(void)state;
	decode_ok(fixture_line(9));
	assert_non_null(strstr(rec.payload.p,
		"\"metrics\":{\"latency_ms\":NaN,\"p99_ms\":Infinity,\"floor\":-Infinity,"
		"\"zero\":-0.0,\"tiny\":5e-324,\"huge\":1.7976931348623157e+308},"
		"\"attempt_id\":9223372036854788153,\"trace_id\":18446744073709551617,"
		"\"just_over_2_53\":9007199254740993}"));
	/* spaces inside strings are not insignificant */
	assert_non_null(strstr(rec.payload.p, "\"RuntimeError: upstream timeout after 30.0s\""));
	assert_line("[1767225604.000] ActorCrashed local:3");
}

static void test_non_ascii_and_escapes_kept(void **state)
{
	(void)state;
	decode_ok(fixture_line(8));
	assert_non_null(strstr(rec.payload.p, "\"latin\":\"Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m\""));
	assert_non_null(strstr(rec.payload.p, "\"emoji\":\"\xf0\x9f\x9a\x80\xe2\x9c\xa8\""));
	decode_ok(fixture_line(16));
	assert_non_null(strstr(rec.payload.p,
		"{\"escapes\":\"tab\\tnewline\\ncr\\rnul\\u0000bell\\u0007\","
		"\"seps\":\"line\xe2\x80\xa8para\xe2\x80\xa9\""));
	assert_non_null(strstr(rec.payload.p, "\"slash\":\"a/b\\\\c\"}"));
}

static void test_timestamp_three_decimals(void **state)
{
	(void)state;
	decode_ok(fixture_line(17)); /* 1767225609.1234567 */
	assert_str(rec.ts_raw, "1767225609.1234567");
	assert_line("[1767225609.123] ActorCrashed local:5");
}

static void test_audit(void **state)
{
	(void)state;
	decode_ok(fixture_line(15));
	assert_int_equal(rec.kind, RK_AUDIT);
	assert_str(rec.count[RC_TOTAL], "4");
	assert_str(rec.count[RC_ALIVE], "3");
	assert_str(rec.count[RC_STOPPING], "1");
	assert_str(rec.count[RC_RESTARTING], "0");
	assert_str(rec.count[RC_REGISTRY_SIZE], "6");
	assert_str(rec.count[RC_DEAD_LETTERS], "3");
	assert_str(rec.orphans, "[\"ghost-1\",\"ghost-2\"]");
	assert_str(rec.dead, "[\"dead-7\"]");
	assert_line("[1767225608.000] total=4 alive=3 stopping=1 restarting=0 dead_letters=3");
}

static void test_dead_letters(void **state)
{
	(void)state;
	decode_ok(fixture_line(7));
	assert_int_equal(rec.kind, RK_DEAD_LETTER);
	assert_line("[1767225603.000] target=local:4 type=PaymentRequest "
		    "payload={\"order_id\":\"ord-000123\",\"amount_cents\":1999,\"currency\":\"EUR\"}");
	assert_true(record_addr_matches(&rec.addr, "local:4"));
	assert_true(record_addr_matches(&rec.addr, "local://4"));
	assert_false(record_addr_matches(&rec.addr, "None"));

	decode_ok(fixture_line(11));
	assert_true(rec.addr.is_null);
	assert_line("[1767225605.000] target=None type=str "
		    "payload=\"orphan message: 'hello' \\\"quoted\\\" back\\\\slash\"");
	assert_true(record_addr_matches(&rec.addr, "None"));
	assert_false(record_addr_matches(&rec.addr, "local:4"));

	decode_ok(fixture_line(12));
	assert_str(rec.payload, "9007199254740993");
	decode_ok(fixture_line(13));
	assert_str(rec.payload, "[1,\"two\",{\"three\":3.0},null,true,false]");
}

static void test_string_addresses(void **state)
{
	(void)state;
	decode_ok(mk("{\"kind\": \"event\", \"actor_address\": \"local://7\", \"event_type\": \"ActorStarted\", "
		     "\"timestamp\": 5}"));
	assert_line("[5.000] ActorStarted local://7");
	assert_true(record_addr_matches(&rec.addr, "local:7"));
	assert_true(record_addr_matches(&rec.addr, "local://7"));
	assert_false(record_addr_matches(&rec.addr, "other:7"));

	decode_ok(mk("{\"kind\": \"dead_letter\", \"target\": \"local:4\", \"message_type\": \"M\", "
		     "\"payload\": 1, \"timestamp\": 5}"));
	assert_line("[5.000] target=local:4 type=M payload=1");
	assert_true(record_addr_matches(&rec.addr, "local:4"));
	assert_true(record_addr_matches(&rec.addr, "local://4"));

	/* an actor_id beyond 2^64 keeps its digits */
	decode_ok(mk("{\"kind\": \"event\", \"actor_address\": {\"actor_id\": 18446744073709551617, "
		     "\"system\": \"local\"}, \"timestamp\": 5}"));
	assert_str(rec.addr.text, "local:18446744073709551617");
	assert_true(record_addr_matches(&rec.addr, "local://18446744073709551617"));
}

static void test_lone_surrogate(void **state)
{
	(void)state;
	decode_ok(mk("{\"kind\": \"event\", \"event_type\": \"X\\ud800Y\", \"payload\": {\"s\": \"\\ud800\"}, "
		     "\"actor_address\": {\"system\": \"a\\udc00\", \"actor_id\": 1}, \"timestamp\": 1}"));
	assert_str(rec.type, "X\xef\xbf\xbdY");          /* shown as U+FFFD */
	assert_str(rec.payload, "{\"s\":\"\\ud800\"}");  /* kept as stored */
	assert_str(rec.addr.text, "a\xef\xbf\xbd:1");
}

static void test_missing_fields_defaults(void **state)
{
	(void)state;
	decode_ok(mk("{\"kind\": \"event\", \"timestamp\": 1}"));
	assert_str(rec.system_id, "local");
	assert_str(rec.type, "");
	assert_true(rec.addr.is_null);
	assert_str(rec.payload, "{}");
	assert_line("[1.000]  None");

	decode_ok(mk("{\"kind\": \"audit\", \"timestamp\": 1}"));
	for (int i = 0; i < RC__COUNT; i++)
		assert_str(rec.count[i], "0");
	assert_str(rec.orphans, "[]");
	assert_str(rec.dead, "[]");

	decode_ok(mk("{\"kind\": \"dead_letter\", \"timestamp\": 1}"));
	assert_str(rec.payload, "null");
	assert_line("[1.000] target=None type= payload=null");
}

static void test_odd_values_shown_as_python(void **state)
{
	(void)state;
	decode_ok(mk("{\"kind\": \"audit\", \"timestamp\": 1, \"total_actors\": 1e400, \"alive_actors\": null, "
		     "\"stopping_actors\": \"2\", \"restarting_actors\": true, \"dead_letters_count\": [ 1 ]}"));
	assert_line("[1.000] total=1e400 alive=None stopping=2 restarting=True dead_letters=[1]");
}

static void test_duplicate_keys_last_wins(void **state)
{
	(void)state;
	decode_ok(mk("{\"kind\": \"event\", \"event_type\": \"A\", \"timestamp\": 1, \"event_type\": \"B\"}"));
	assert_str(rec.type, "B");
}

static void test_string_and_odd_timestamps(void **state)
{
	(void)state;
	decode_ok(mk("{\"kind\": \"event\", \"event_type\": \"E\", \"timestamp\": \"2026-01-01T00:00:00Z\"}"));
	assert_int_equal(rec.ts_kind, REC_TS_OTHER);
	assert_line("[\"2026-01-01T00:00:00Z\"] E None");
	decode_ok(mk("{\"kind\": \"event\", \"event_type\": \"E\", \"timestamp\": NaN}"));
	assert_int_equal(rec.ts_kind, REC_TS_NUMBER);
	assert_line("[nan] E None");
	decode_ok(mk("{\"kind\": \"event\", \"event_type\": \"E\", \"timestamp\": -Infinity}"));
	assert_line("[-inf] E None");
}

/* The shortcut for "%.3f" must agree with printf everywhere, ties included. */
static void test_timestamp_format_matches_printf(void **state)
{
	(void)state;
	static const double edge[] = { 0.0625, 1.0005, 2.0015, 0.0005, -0.0004, -0.0, 0.0,
				       1767225609.1234567, 1767225600.0005, 999.9995, 1e12 + 0.0625,
				       3.999999999e12, 4.1e12, 1e300, -1e-300, 123456.7895 };
	char text[128], want[400];
	unsigned seed = 12345;
	for (int i = 0; i < 20000 + (int)(sizeof edge / sizeof *edge); i++) {
		double v;
		if (i < (int)(sizeof edge / sizeof *edge)) {
			v = edge[i];
		} else {
			seed = seed * 1103515245u + 12345u;
			v = (double)(seed % 2000000000u) + (double)((seed >> 7) % 1000000u) / 1e6;
			if (i % 3 == 0)
				v = (double)(seed % 100000u) / 1000.0 + 0.0005; /* near ties */
			if (i % 7 == 0)
				v = -v;
		}
		snprintf(text, sizeof text, "{\"kind\": \"audit\", \"timestamp\": %.17g}", v);
		decode_ok(mk(text));
		snprintf(want, sizeof want, "[%.3f] total=0 alive=0 stopping=0 restarting=0 dead_letters=0", v);
		assert_line(want);
	}
}

static void test_skipped(void **state)
{
	(void)state;
	enum rec_status st;
	assert_int_equal(record_decode(&rec, mk("{\"kind\": \"nope\", \"timestamp\": 1}"), &st, NULL), 0);
	assert_int_equal(st, REC_SKIP_KIND);
	assert_int_equal(record_classify(mk("{\"timestamp\": 1}")), REC_SKIP_KIND);
	assert_int_equal(record_classify(mk("{\"kind\": \"event\"}")), REC_SKIP_NO_TS);
	assert_int_equal(record_classify(mk("{\"kind\": \"event\", \"timestamp\"")), REC_SKIP_INVALID);
	assert_int_equal(record_classify(mk("[1, 2]")), REC_SKIP_INVALID);
	const struct scan_line *l = mk("{\"kind\": \"event\", \"timestamp\": 1}");
	tl.l.bytes = NULL; /* as for a line longer than the scanner's buffer */
	assert_int_equal(record_classify(l), REC_SKIP_LONG);
}

static void test_escape_for_terminal(void **state)
{
	(void)state;
	decode_ok(mk("{\"kind\": \"event\", \"event_type\": \"a\\nb\\u001b[31m\\u009bc\\u0000d\", \"timestamp\": 1}"));
	assert_int_equal(rec.type.n, 13);
	assert_line("[1.000] a\\nb\\x1b[31m\\u009bc\\x00d None");
}

static void test_compact_json(void **state)
{
	(void)state;
	const char *in = "{ \"a\" : \"x  y\\\" }\" ,\t\"b\" : [ 1 , 2 ]\r\n}";
	char out[64];
	size_t n = record_compact_json(out, in, strlen(in));
	assert_string_equal(out, "{\"a\":\"x  y\\\" }\",\"b\":[1,2]}");
	assert_int_equal(n, strlen(out));
}

static void test_format_json(void **state)
{
	(void)state;
	decode_ok(fixture_line(9));
	size_t n;
	char *j = record_format_json(&rec, &n);
	assert_non_null(j);
	assert_non_null(strstr(j, "{\"kind\":\"event\",\"path\":\"t.ndjson\",\"line\":1,"
				  "\"timestamp\":1767225604.0,\"system_id\":\"local\","
				  "\"actor_address\":\"local:3\",\"event_type\":\"ActorCrashed\",\"payload\":{"));
	assert_non_null(strstr(j, "\"latency_ms\":NaN"));
	assert_null(strchr(j, '\n'));
	free(j);

	decode_ok(mk("{\"kind\": \"dead_letter\", \"timestamp\": \"x\"}"));
	j = record_format_json(&rec, &n);
	assert_string_equal(j, "{\"kind\":\"dead_letter\",\"path\":\"t.ndjson\",\"line\":1,\"timestamp\":\"x\","
			       "\"system_id\":\"local\",\"target\":null,\"message_type\":\"\",\"payload\":null}");
	free(j);
}

/* --- the whole fixture through the real scanner ------------------------- */

struct tally {
	int ok[RK__COUNT];
	int other;
	int failed;
};

static void tally_line(void *ctx, const struct scan_line *l)
{
	struct tally *t = ctx;
	enum rec_status st;
	if (record_decode(&rec, l, &st, NULL) < 0) {
		t->failed++;
		return;
	}
	if (st == REC_OK)
		t->ok[rec.kind]++;
	else
		t->other++;
}

static void test_fixture_through_scanner(void **state)
{
	(void)state;
	struct tally t = { { 0 }, 0, 0 };
	struct scan_sink sink = { &t, tally_line };
	struct scan_opts o = { 0 };
	struct scan_report r;
	scan_report_init(&r);
	assert_int_equal(scan_ndjson_file(CLEAN_FIXTURE, "events.ndjson", &o, &sink, &r, NULL), 0);
	assert_int_equal(r.n_an, 0);
	scan_report_free(&r);
	assert_int_equal(t.ok[RK_EVENT], 15);
	assert_int_equal(t.ok[RK_AUDIT], 3);
	assert_int_equal(t.ok[RK_DEAD_LETTER], 5);
	assert_int_equal(t.other, 0);
	assert_int_equal(t.failed, 0);
}

/* One address classifier: the console's display form (record_addr_format)
 * is the listings' addr.text, also for an object missing a member
 * (regression: the console showed "sysA:" where listings show the object). */
static void test_addr_format_is_the_listings(void **state)
{
	(void)state;
	char out[128];
	const char *obj = "{\"system\": \"local\", \"actor_id\": 4}";
	assert_int_equal(record_addr_format(obj, strlen(obj), out, sizeof out), 7);
	assert_string_equal(out, "local:4");
	const char *half = "{\"system\": \"sysA\"}";
	record_addr_format(half, strlen(half), out, sizeof out);
	assert_string_equal(out, "{\"system\":\"sysA\"}");
	const char *noid = "{\"actor_id\": 9}";
	record_addr_format(noid, strlen(noid), out, sizeof out);
	assert_string_equal(out, "{\"actor_id\":9}");
	record_addr_format("\"local://4\"", 11, out, sizeof out);
	assert_string_equal(out, "local://4");
	record_addr_format("null", 4, out, sizeof out);
	assert_string_equal(out, "None");
	record_addr_format(obj, strlen(obj), out, 4);
	assert_string_equal(out, "loc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_format_is_the_listings),
		cmocka_unit_test_setup_teardown(test_event_object_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_payload_numbers_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_ascii_and_escapes_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamp_three_decimals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_letters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lone_surrogate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_fields_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_values_shown_as_python, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_keys_last_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_and_odd_timestamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamp_format_matches_printf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escape_for_terminal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_format_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixture_through_scanner, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
