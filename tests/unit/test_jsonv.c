/* cmocka tests for core/jsonv.c: the JSON line validator of SPEC §3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonv.h"

/* Test hook in jsonv.c: 0 turns the whole-line fast path off (the per-byte
 * machine alone), -1 back to what the CPU allows; returns whether it is on. */
int jsonv__fast_level(int level);

#define FIXTURE_EVENTS "tests/fixtures/json_clean/data/events.ndjson"

/* The struct holds an 8 KiB bit stack: keep it off the test's stack. */
static struct jsonv V;

/* Everything the validator says about a line, to compare runs. */
struct verdict {
	int ok;
	uint64_t pos;
	const char *reason;
	enum jsonv_type top;
	struct jsonv_field f[4];
};

static const char *const cap_names[4] = { "kind", "timestamp", "payload", "a" };

static void cap_setup(struct verdict *r, struct jsonv_capture *cap)
{
	for (int i = 0; i < 4; i++) {
		r->f[i].name = cap_names[i];
		r->f[i].type = (enum jsonv_type)99; /* jsonv_init must reset it */
		r->f[i].off = r->f[i].len = 77;
	}
	cap->fields = r->f;
	cap->n = 4;
}

static void finish_verdict(struct verdict *r)
{
	r->ok = jsonv_finish(&V) == 0;
	r->pos = r->ok ? 0 : jsonv_error_pos(&V);
	r->reason = r->ok ? "" : jsonv_error_reason(&V);
	r->top = jsonv_top_type(&V);
}

/* Feeds `s` in pieces of `step` bytes, or split once at `split` when
 * step is 0. */
static struct verdict run(const char *s, size_t n, size_t step, size_t split)
{
	struct verdict r;
	struct jsonv_capture cap;
	cap_setup(&r, &cap);
	jsonv_init(&V, &cap);
	if (step) {
		for (size_t i = 0; i < n; i += step)
			jsonv_feed(&V, s + i, n - i < step ? n - i : step);
	} else {
		jsonv_feed(&V, s, split);
		jsonv_feed(&V, s + split, n - split);
	}
	finish_verdict(&r);
	return r;
}

static struct verdict run1(const char *s, size_t n)
{
	struct verdict r;
	struct jsonv_capture cap;
	cap_setup(&r, &cap);
	r.ok = jsonv_check(&V, s, n, &cap) == 0;
	r.pos = r.ok ? 0 : jsonv_error_pos(&V);
	r.reason = r.ok ? "" : jsonv_error_reason(&V);
	r.top = jsonv_top_type(&V);
	return r;
}

static void same_verdict(const struct verdict *a, const struct verdict *b, const char *what)
{
	if (a->ok != b->ok || a->pos != b->pos || strcmp(a->reason, b->reason) != 0 ||
	    a->top != b->top)
		fail_msg("%s: ok %d/%d pos %llu/%llu reason '%s'/'%s'", what, a->ok, b->ok,
			 (unsigned long long)a->pos, (unsigned long long)b->pos, a->reason, b->reason);
	for (int i = 0; i < 4; i++)
		if (a->f[i].type != b->f[i].type || a->f[i].off != b->f[i].off ||
		    a->f[i].len != b->f[i].len)
			fail_msg("%s: capture %s differs", what, cap_names[i]);
}

/* Checks a line one-shot, split at every position and byte by byte. */
static struct verdict verdict_n(const char *s, size_t n)
{
	struct verdict one = run1(s, n);
	for (size_t i = 0; i <= n; i++) {
		struct verdict two = run(s, n, 0, i);
		same_verdict(&one, &two, s);
	}
	struct verdict bytes = run(s, n, 1, 0);
	same_verdict(&one, &bytes, s);
	return one;
}

#define VALID_N(s, n) do { \
	struct verdict r_ = verdict_n((s), (n)); \
	if (!r_.ok) \
		fail_msg("expected valid: \"%s\" (%s at %llu)", (s), r_.reason, \
			 (unsigned long long)r_.pos); \
} while (0)
#define VALID(s) VALID_N((s), sizeof(s) - 1)

#define INVALID_N(s, n, at, why) do { \
	struct verdict r_ = verdict_n((s), (n)); \
	if (r_.ok) \
		fail_msg("expected invalid: \"%s\"", (s)); \
	if (r_.pos != (uint64_t)(at) || strcmp(r_.reason, (why)) != 0) \
		fail_msg("\"%s\": got '%s' at %llu, want '%s' at %llu", (s), r_.reason, \
			 (unsigned long long)r_.pos, (why), (unsigned long long)(at)); \
} while (0)
#define INVALID(s, at, why) INVALID_N((s), sizeof(s) - 1, (at), (why))

static void test_valid_values(void **state)
{
	(void)state;
	VALID("{}");
	VALID("[]");
	VALID("{\"a\":1}");
	VALID("{\"a\": [1, 2.5, \"x\", true, false, null, {}, []]}");
	VALID("  {\"a\" : { \"b\" : [ ] } }  ");
	VALID("\t\r\n{}\t\r\n");
	VALID("\"just a string\"");
	VALID("42");
	VALID("true");
	VALID("null");
	VALID("[[[[1, 2.5, \"x\"]]]]");
	VALID("{\"\": \"\"}");
	VALID("{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}");
	VALID("[\"\x7f\"]"); /* DEL is not a control character for JSON */
}

static void test_nan_infinity(void **state)
{
	(void)state;
	VALID("NaN");
	VALID("Infinity");
	VALID("-Infinity");
	VALID("{\"a\": NaN, \"b\": Infinity, \"c\": -Infinity}");
	VALID("[NaN,Infinity,-Infinity]");
	INVALID("nan", 1, "invalid literal");
	INVALID("Inf", 3, "unexpected end of line");
	INVALID("[Inf]", 4, "invalid literal");
	INVALID("-NaN", 1, "invalid number");
	INVALID("NAN", 1, "invalid literal");
	INVALID("infinity", 0, "unexpected character");
	INVALID("+Infinity", 0, "unexpected character");
	INVALID("-Infinityx", 9, "trailing data after value");
	INVALID("[NaNN]", 4, "unexpected character");
	INVALID("tru", 3, "unexpected end of line");
	INVALID("nul]", 3, "invalid literal");
	INVALID("[truex]", 5, "unexpected character");
}

static void test_lone_surrogates_valid(void **state)
{
	(void)state;
	VALID("\"\\ud800\"");
	VALID("\"\\udc00\"");
	VALID("{\"k\": \"\\uDBFF\\uDBFF x \\uDFFF\"}");
	VALID("{\"\\ud800\": 1}");
}

static void test_big_numbers(void **state)
{
	(void)state;
	VALID("1E400");
	VALID("1180591620717411303424"); /* 2^70 */
	VALID("-0");
	VALID("-0.0");
	VALID("5e-324");
	VALID("1.7976931348623157e+308");
	VALID("[0, -0, 0.5, 0e0, 0E+1, 1e-0, 10, 123456789012345678901234567890]");
	VALID("{\"n\": 99999999999999999999999999999999999999999999999999.5e-99999}");
}

static void test_bad_numbers(void **state)
{
	(void)state;
	INVALID("01", 1, "leading zero");
	INVALID("-01", 2, "leading zero");
	INVALID("[00]", 2, "leading zero");
	INVALID("{\"a\": 0123}", 7, "leading zero");
	INVALID("1.", 2, "unexpected end of line");
	INVALID("[1.]", 3, "invalid number");
	INVALID("[.5]", 1, "unexpected character");
	INVALID("[1e]", 3, "invalid number");
	INVALID("[1e+]", 4, "invalid number");
	INVALID("[-]", 2, "invalid number");
	INVALID("-", 1, "unexpected end of line");
	INVALID("[+1]", 1, "unexpected character");
	INVALID("[1.5.2]", 4, "unexpected character");
	INVALID("0x10", 1, "trailing data after value");
	INVALID("[1,]", 3, "unexpected character");
}

static void test_duplicate_keys_last_wins(void **state)
{
	(void)state;
	const char line[] = "{\"kind\": \"event\", \"kind\": [1], \"x\": {\"kind\": 3}}";
	VALID(line);
	struct verdict r = run1(line, sizeof line - 1);
	assert_int_equal(r.f[0].type, JV_ARRAY);
	assert_int_equal(r.f[0].off, 26);
	assert_int_equal(r.f[0].len, 3);
	assert_int_equal(r.f[1].type, JV_NONE); /* timestamp absent */
	assert_int_equal(r.f[1].off, 0);
	assert_int_equal(r.f[1].len, 0);
}

static void test_capture(void **state)
{
	(void)state;
	const char line[] = "{\"\\u006bind\":\"ev\\\"t\" , \"timestamp\" :-1.5e3 ,"
			    "\"payload\":{\"a\":[1,{}]},\"a\":null}";
	struct verdict r = verdict_n(line, sizeof line - 1);
	assert_true(r.ok);
	assert_int_equal(r.top, JV_OBJECT);
	assert_int_equal(r.f[0].type, JV_STRING);
	assert_memory_equal(line + r.f[0].off, "\"ev\\\"t\"", r.f[0].len);
	assert_int_equal(r.f[0].len, 7);
	assert_int_equal(r.f[1].type, JV_NUMBER);
	assert_memory_equal(line + r.f[1].off, "-1.5e3", 6);
	assert_int_equal(r.f[1].len, 6);
	assert_int_equal(r.f[2].type, JV_OBJECT);
	assert_memory_equal(line + r.f[2].off, "{\"a\":[1,{}]}", 12);
	assert_int_equal(r.f[2].len, 12);
	assert_int_equal(r.f[3].type, JV_NULL);
	assert_int_equal(r.f[3].len, 4);

	/* only top-level members of an object are captured */
	r = verdict_n("[{\"kind\": 1}]", 13);
	assert_true(r.ok);
	assert_int_equal(r.top, JV_ARRAY);
	assert_int_equal(r.f[0].type, JV_NONE);

	/* a key longer than the key buffer never matches, whatever its start */
	char big[200];
	int n = snprintf(big, sizeof big, "{\"kind%070d\": 1, \"a\": true, \"timestamp\": NaN}", 0);
	r = verdict_n(big, (size_t)n);
	assert_true(r.ok);
	assert_int_equal(r.f[0].type, JV_NONE);
	assert_int_equal(r.f[3].type, JV_TRUE);
	assert_int_equal(r.f[1].type, JV_NUMBER);
	assert_int_equal(r.f[1].len, 3);

	/* a NUL in an escaped key does not end the key */
	static const char nul_key[] = "{\"a\\u0000\": 1, \"kin\\u0064\": false}";
	r = verdict_n(nul_key, sizeof nul_key - 1);
	assert_true(r.ok);
	assert_int_equal(r.f[3].type, JV_NONE);
	assert_int_equal(r.f[0].type, JV_FALSE);
	assert_int_equal(r.f[0].off, strstr(nul_key, "false") - nul_key);

	/* names compare as bytes: prefixes and case do not match */
	static const char near[] = "{\"kin\": 1, \"kinds\": 2, \"Kind\": 3, \"\": 4}";
	r = verdict_n(near, sizeof near - 1);
	assert_true(r.ok);
	assert_int_equal(r.f[0].type, JV_NONE);

	/* without a capture set nothing is written */
	assert_int_equal(jsonv_check(&V, "{\"kind\": 1}", 11, NULL), 0);
	assert_int_equal(jsonv_top_type(&V), JV_OBJECT);
}

static void test_capture_many_fields(void **state)
{
	(void)state;
	/* more fields than any index holds: the rest are still found */
	enum { N = 300 };
	static char names[N][16];
	static struct jsonv_field f[N];
	struct jsonv_capture cap = { f, N };
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "f%d", i);
		f[i].name = names[i];
	}
	static const char line[] = "{\"f3\": 1, \"f299\": \"x\", \"f40\": [], \"f2\": {}}";
	for (int round = 0; round < 2; round++) { /* the second reuses what the first learnt */
		assert_int_equal(jsonv_check(&V, line, sizeof line - 1, &cap), 0);
		assert_int_equal(f[3].type, JV_NUMBER);
		assert_int_equal(f[N - 1].type, JV_STRING);
		assert_int_equal(f[N - 1].len, 3);
		assert_int_equal(f[40].type, JV_ARRAY);
		assert_int_equal(f[2].type, JV_OBJECT);
		assert_int_equal(f[0].type, JV_NONE);
		assert_int_equal(f[29].type, JV_NONE);
	}
	/* a different name at the same place is noticed */
	f[3].name = "renamed";
	assert_int_equal(jsonv_check(&V, line, sizeof line - 1, &cap), 0);
	assert_int_equal(f[3].type, JV_NONE);
	assert_int_equal(f[2].type, JV_OBJECT);
}

static void test_capture_reset_by_init(void **state)
{
	(void)state;
	struct jsonv_field f[1] = { { .name = "a" } };
	struct jsonv_capture cap = { f, 1 };
	assert_int_equal(jsonv_check(&V, "{\"a\": 12}", 9, &cap), 0);
	assert_int_equal(f[0].type, JV_NUMBER);
	assert_int_equal(f[0].off, 6);
	assert_int_equal(f[0].len, 2);
	jsonv_init(&V, &cap);
	assert_int_equal(f[0].type, JV_NONE);
	assert_int_equal(f[0].off, 0);
	assert_int_equal(f[0].len, 0);
}

static void test_control_characters(void **state)
{
	(void)state;
	INVALID("{\"a\": \"x\ty\"}", 8, "control character in string");
	INVALID("[\"\x01\"]", 2, "control character in string");
	INVALID("[\"\x1f\"]", 2, "control character in string");
	INVALID("[\"a\nb\"]", 3, "control character in string");
	VALID("[\"a\\tb\"]");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	VALID("[\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbf\"]");
	VALID("[\"\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf\"]"); /* U+2028, U+2029, U+FEFF */
	INVALID("[\"\x80\"]", 2, "invalid UTF-8");
	INVALID("[\"\xc0\x80\"]", 2, "invalid UTF-8");       /* overlong NUL */
	INVALID("[\"\xc1\xbf\"]", 2, "invalid UTF-8");       /* overlong */
	INVALID("[\"\xe0\x80\xaf\"]", 3, "invalid UTF-8");   /* overlong "/" */
	INVALID("[\"\xf0\x8f\xbf\xbf\"]", 3, "invalid UTF-8"); /* overlong U+FFFF */
	INVALID("[\"\xed\xa0\x80\"]", 3, "invalid UTF-8");   /* encoded surrogate */
	INVALID("[\"\xed\xbf\xbf\"]", 3, "invalid UTF-8");
	INVALID("[\"\xf4\x90\x80\x80\"]", 3, "invalid UTF-8"); /* above U+10FFFF */
	INVALID("[\"\xf5\x80\x80\x80\"]", 2, "invalid UTF-8");
	INVALID("[\"\xff\"]", 2, "invalid UTF-8");
	INVALID("[\"\xe2\x82\"]", 4, "invalid UTF-8");        /* truncated */
	INVALID("[\"\xf0\x9f\x9a\"]", 5, "invalid UTF-8");
	INVALID("[\"\xe2\x82", 4, "invalid UTF-8");           /* truncated at the end */
	INVALID("[\"\xc3\xa9\xa9\"]", 4, "invalid UTF-8");    /* stray continuation */
	/* outside strings too */
	INVALID("{} \xff", 3, "invalid UTF-8");
	INVALID("[1, \x80]", 4, "invalid UTF-8");
	INVALID("{\"a\"\xc0:1}", 4, "invalid UTF-8");
	INVALID("[\xc3\xa9]", 1, "unexpected character");
	INVALID("{} \xc3\xa9", 3, "trailing data after value");
}

static void test_byte_order_mark(void **state)
{
	(void)state;
	INVALID("\xef\xbb\xbf{}", 0, "byte order mark");
	INVALID("\xef\xbb\xbf", 0, "byte order mark");
	INVALID("\xef\xbb", 2, "invalid UTF-8");
	INVALID("\xef\xbf\xbf{}", 0, "unexpected character");
	INVALID(" \xef\xbb\xbf{}", 1, "unexpected character");
	INVALID("{}\xef\xbb\xbf", 2, "trailing data after value");
	VALID("{\"bom\": \"\xef\xbb\xbf\"}");
}

static void test_nul_bytes(void **state)
{
	(void)state;
	INVALID_N("{\"a\": \"x\0y\"}", 12, 8, "NUL byte");
	INVALID_N("{\"a\":\0 1}", 9, 5, "NUL byte");
	INVALID_N("{}\0", 3, 2, "NUL byte");
	INVALID_N("\0\0\0\0", 4, 0, "NUL byte");
	VALID("[\"\\u0000\"]");
}

static void test_empty_and_blank_lines(void **state)
{
	(void)state;
	INVALID("", 0, "empty line");
	INVALID(" ", 1, "empty line");
	INVALID("\r", 1, "empty line");
	INVALID(" \t \r ", 5, "empty line");
	assert_int_equal(jsonv_check(&V, NULL, 0, NULL), -1);
	assert_string_equal(jsonv_error_reason(&V), "empty line");
	assert_int_equal(jsonv_top_type(&V), JV_NONE);
}

static void test_trailing_data(void **state)
{
	(void)state;
	INVALID("{} {}", 3, "trailing data after value");
	INVALID("{}{}", 2, "trailing data after value");
	INVALID("{}\r{}", 3, "trailing data after value");
	INVALID("{\"a\":1}\r{\"a\":2}", 8, "trailing data after value");
	INVALID("1 2", 2, "trailing data after value");
	INVALID("\"a\"\"b\"", 3, "trailing data after value");
	INVALID("{}]", 2, "trailing data after value");
	VALID("{\"a\":1}\r");
	VALID("{\"a\":1} \r");
	VALID("{}\r\r");
}

static void test_structure_errors(void **state)
{
	(void)state;
	INVALID("{\"a\" 1}", 5, "unexpected character");
	INVALID("{,}", 1, "unexpected character");
	INVALID("{\"a\":1,}", 7, "unexpected character");
	INVALID("[1 2]", 3, "unexpected character");
	INVALID("{\"a\":1]", 6, "unexpected character");
	INVALID("[}", 1, "unexpected character");
	INVALID("{'a':1}", 1, "unexpected character");
	INVALID("{1:1}", 1, "unexpected character");
	INVALID("{\"a\":}", 5, "unexpected character");
	INVALID("}", 0, "unexpected character");
	INVALID("[\"a\\x\"]", 4, "invalid escape");
	INVALID("[\"\\u12G4\"]", 6, "invalid escape");
	INVALID("[\"\\U0041\"]", 3, "invalid escape");
	INVALID("{\"a\\", 4, "unexpected end of line");
	INVALID("[\"\\u12", 6, "unexpected end of line");
}

static void test_unexpected_end(void **state)
{
	(void)state;
	INVALID("{", 1, "unexpected end of line");
	INVALID("{\"a\":", 5, "unexpected end of line");
	INVALID("[1", 2, "unexpected end of line");
	INVALID("[1, ", 4, "unexpected end of line");
	INVALID("\"abc", 4, "unexpected end of line");
	INVALID("{\"a\": {\"b\": 1}", 14, "unexpected end of line");

	/* a 254-byte record cut in half: the error is at the end of the 127
	 * bytes that are left, fed at once or in pieces */
	char line[256];
	int n = snprintf(line, sizeof line, "{\"kind\": \"event\", \"system_id\": \"local\", "
			 "\"event_type\": \"ActorStarted\", \"payload\": {\"x\": \"%134d\"}, "
			 "\"timestamp\": 1767225600.125}", 0);
	assert_int_equal(n, 254);
	assert_int_equal(run1(line, (size_t)n).ok, 1);
	struct verdict r = verdict_n(line, 127);
	assert_false(r.ok);
	assert_int_equal(r.pos, 127);
	assert_string_equal(r.reason, "unexpected end of line");
}

static void test_feed_after_error(void **state)
{
	(void)state;
	jsonv_init(&V, NULL);
	assert_int_equal(jsonv_feed(&V, "{x", 2), -1);
	assert_int_equal(jsonv_feed(&V, "}", 1), -1);
	assert_int_equal(jsonv_finish(&V), -1);
	assert_int_equal(jsonv_error_pos(&V), 1);
	assert_string_equal(jsonv_error_reason(&V), "unexpected character");
	jsonv_init(&V, NULL);
	assert_int_equal(jsonv_feed(&V, "{", 1), 0);
	assert_int_equal(jsonv_feed(&V, "", 0), 0);
	assert_int_equal(jsonv_feed(&V, "}", 1), 0);
	assert_int_equal(jsonv_finish(&V), 0);
	assert_string_equal(jsonv_type_name(JV_OBJECT), "object");
	assert_string_equal(jsonv_type_name(JV_NUMBER), "number");
	assert_string_equal(jsonv_type_name(JV_NONE), "none");
}

static char *nest(size_t depth, const char *open, const char *mid, const char *close,
		  size_t *len)
{
	size_t lo = strlen(open), lm = strlen(mid), lc = strlen(close);
	char *s = malloc(depth * (lo + lc) + lm + 1);
	assert_non_null(s);
	char *p = s;
	for (size_t i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, mid, lm);
	p += lm;
	for (size_t i = 0; close[0] && i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

static void test_deep_nesting(void **state)
{
	(void)state;
	size_t n;
	char *s = nest(JSONV_MAX_DEPTH, "[", "1", "]", &n);
	assert_int_equal(run1(s, n).ok, 1);
	assert_int_equal(run(s, n, 4096, 0).ok, 1);
	free(s);

	s = nest(JSONV_MAX_DEPTH, "{\"a\":", "1", "}", &n);
	assert_int_equal(run1(s, n).ok, 1);
	free(s);

	s = nest(JSONV_MAX_DEPTH + 1, "[", "", "]", &n);
	struct verdict r = run1(s, n);
	assert_false(r.ok);
	assert_int_equal(r.pos, JSONV_MAX_DEPTH);
	assert_string_equal(r.reason, "nesting deeper than 65536 levels");
	struct verdict r2 = run(s, n, 1000, 0);
	same_verdict(&r, &r2, "65537 deep");
	free(s);

	s = nest(100000, "[", "", "", &n);
	r = run1(s, n);
	assert_false(r.ok);
	assert_int_equal(r.pos, JSONV_MAX_DEPTH);
	free(s);

	/* a mix of objects and arrays closes in the right order */
	s = nest(1000, "[{\"k\":", "[]", "}]", &n);
	assert_int_equal(run1(s, n).ok, 1);
	s[n - 1] = '}';
	r = run1(s, n);
	assert_false(r.ok);
	assert_int_equal(r.pos, n - 1);
	free(s);
}

static void test_multi_megabyte_line(void **state)
{
	(void)state;
	enum { BIG = 5 * 1024 * 1024 };
	char *s = malloc(BIG + 64);
	assert_non_null(s);
	size_t n = (size_t)sprintf(s, "{\"kind\": \"");
	for (size_t i = 0; i < BIG; i++)
		s[n++] = (char)(' ' + i % 90 + (i % 90 >= 2) + (i % 90 >= 59)); /* skips " and \ */
	static const char tail[] = "\\u00e9\xc3\xa9\", \"timestamp\": 1}";
	memcpy(s + n, tail, sizeof tail - 1);
	n += sizeof tail - 1;
	struct verdict one = run1(s, n);
	assert_true(one.ok);
	assert_int_equal(one.f[0].off, 9);
	assert_int_equal(one.f[0].len, BIG + 10);
	struct verdict pieces = run(s, n, 4096, 0);
	same_verdict(&one, &pieces, "5 MB line");
	s[n - 1] = ' ';
	pieces = run(s, n, 4096, 0);
	assert_false(pieces.ok);
	assert_int_equal(pieces.pos, n);
	free(s);
}

/* Each line, split at every position and fed byte by byte, gives the same
 * verdict, position and captures as fed at once (checked by verdict_n). */
static const char *const split_lines[] = {
	"{\"kind\": \"event\", \"timestamp\": 1767225600.125, \"payload\": {}}",
	"{\"kind\":\"a\\u0041\\n\",\"a\":[true,false,null,NaN,-Infinity,Infinity]}",
	"{\"\\u006bind\": \"x\", \"timestamp\": -0.5e-3}",
	"  [1, 2.5e+10, -0, 0.0, \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80\"]  \r",
	"{\"a\": {\"b\": {\"c\": [[[]]]}}, \"kind\": \"\\ud800\"}",
	"{\"timestamp\": 1E400, \"timestamp\": 2}",
	"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
	"12345678901234567890",
	"-Infinity",
	"NaN",
	"{\"kind\": \"dead_letter\", \"payload\": \"orphan 'hello' \\\"quoted\\\"\"}",
	"{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": 1}",
	"{\"kind\": \"event\"} {\"kind\": \"event\"}",
	"{}\r{}",
	"\xef\xbb\xbf{}",
	"{\"a\": 01}",
	"{\"a\": -01}",
	"{\"a\": \"\t\"}",
	"{\"a\": \"\xc0\x80\"}",
	"{\"a\": \"\xed\xa0\x80\"}",
	"{\"a\": \"\xf4\x90\x80\x80\"}",
	"{\"a\": \"\xe2\x82\"}",
	"{\"a\": nul}",
	"{\"a\": nan}",
	"{\"a\": Inf}",
	"{\"a\": -NaN}",
	"{\"a\": 1.}",
	"{\"a\": 1e+}",
	"{\"a\": \"\\u12x4\"}",
	"{\"a\": \"\\q\"}",
	"{\"a\" 1}",
	"{\"a\": 1,}",
	"[1, 2",
	"{\"kind\": \"ev",
	"   ",
	"",
	"{\"payload\": {\"kind\": 1}, \"kind\": [1, {\"a\": \"}\"}]}",
	"[\"\\ud83d\\ude00\", 0, 1e5, 1E-5, 1.5E+5]",
	"{\"x\": \"\xe2\x80\xa8\xef\xbb\xbf\", \"kind\": true}",
	"{} \xff",
	"\xef\xbb",
	"{\"a\": [1, 2] ]",
};

static void test_split_anywhere(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof split_lines / sizeof split_lines[0]; i++)
		verdict_n(split_lines[i], strlen(split_lines[i]));
}

static char *read_fixture(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run the tests from the repository root)", path);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	assert_true(n > 0 && n < sizeof buf - 1);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void test_fixture_lines_valid(void **state)
{
	(void)state;
	size_t len, lines = 0;
	char *buf = read_fixture(FIXTURE_EVENTS, &len);
	for (char *p = buf; p < buf + len; lines++) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		assert_non_null(nl);
		struct verdict r = verdict_n(p, (size_t)(nl - p));
		if (!r.ok)
			fail_msg("line %zu: %s at %llu", lines + 1, r.reason, (unsigned long long)r.pos);
		assert_int_equal(r.top, JV_OBJECT);
		assert_int_equal(r.f[0].type, JV_STRING);
		assert_int_equal(r.f[1].type, JV_NUMBER);
		assert_int_equal(p[r.f[0].off], '"');
		assert_int_equal(p[r.f[0].off + r.f[0].len - 1], '"');
		p = nl + 1;
	}
	assert_int_equal(lines, 23);
}

static void test_fixture_capture_spans(void **state)
{
	(void)state;
	size_t len;
	char *buf = read_fixture(FIXTURE_EVENTS, &len);
	size_t n = (size_t)((char *)memchr(buf, '\n', len) - buf);
	struct verdict r = run1(buf, n);
	assert_true(r.ok);
	assert_int_equal(r.f[0].type, JV_STRING);
	assert_int_equal(r.f[0].off, 9);
	assert_int_equal(r.f[0].len, 7);
	assert_memory_equal(buf + r.f[0].off, "\"event\"", 7);
	assert_int_equal(r.f[1].type, JV_NUMBER);
	assert_int_equal(r.f[1].len, 14);
	assert_memory_equal(buf + r.f[1].off, "1767225600.125", 14);
	assert_int_equal(r.f[1].off + r.f[1].len, n - 1);
	assert_int_equal(r.f[2].type, JV_OBJECT);
	assert_memory_equal(buf + r.f[2].off, "{}", 2);

	/* the same spans with the line in 7-byte pieces */
	struct verdict p = run(buf, n, 7, 0);
	same_verdict(&r, &p, "fixture line 1");
}

/* The same line with the whole-line fast path on (where the CPU has it)
 * and off: same verdict, position, reason and captures. */
static struct verdict fast_vs_per_byte(const char *s, size_t n)
{
	jsonv__fast_level(-1);
	struct verdict fast = run1(s, n);
	jsonv__fast_level(0);
	struct verdict slow = run1(s, n);
	jsonv__fast_level(-1);
	same_verdict(&fast, &slow, s);
	return fast;
}

static void test_fast_path_same_as_per_byte(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof split_lines / sizeof split_lines[0]; i++)
		fast_vs_per_byte(split_lines[i], strlen(split_lines[i]));
	static const char *const more[] = {
		"[:1]", "{\"a\"::1}", "[1,,2]", "{,\"a\":1}", "{\"a\":1,}", "[1 2]", "[\"a\"\"b\"]",
		"{\"a\":1}}", "[1]]", "{\"a\":[}", "{\"a\":1:2}", "[1,]", "{\"a\":\"b\",}", "1 {}",
		"{} 1", "{}:", ",{}", "{\"a\":1 \"b\":2}", "{\"a\",1}", "[\"a\":1]", "{1:2}",
		"{\"a\":tru}", "{\"a\":truex}", "{\"a\":-}", "{\"a\":-x}", "{\"a\":2.}", "{\"a\":.5}",
		"{\"a\":1e}", "{\"a\":1e+1.5}", "{\"a\":+1}", "{\"a\":0x1}", "{\"a\":00}",
		"{\"a\":Infinityy}", "{\"a\":-Infinity}", "{\"a\":NaN,\"b\":-0}", "[\"\\\\\"]",
		"[\"\\\\\\\"\"]", "[\"\\\"]", "\t{\"a\":\r1\t}\t", "{\"a\":\"\x7f\"}", "{\"a\":\"\x01\"}",
		"{\"a\":1\x01}", "{\"a\":1}\x0b", "{\"\\u006bind\":1,\"kind\":2}", "{\"ki\\nd\":1}",
		"{\"kind\":{\"kind\":1}}", "{\"payload\":[{\"kind\":\"x\"}],\"kind\":\"y\"}",
		"{\"kind\" : \"a\" , \"a\" : [ 1 , 2 ] }", "[{\"kind\":1}]", "{\"kind\":\"\\\"\"}",
		"{\"a\":[\"]\"],\"kind\":\"}\"}", "{\"k\xc3\xa9y\":1,\"kind\":2}", "{\"a\":\xc3\xa9}",
		"{\"a\":\"\xc3\"}", "{\"a\":\"\xe0\x80\x80\"}", "{\"a\":\"\xf0\x80\x80\x80\"}",
		"{\"a\":\"\xf4\x8f\xbf\xbf\"}", "{\"a\":\"\xed\x9f\xbf\"}", "{\"a\":\"\x80\"}",
		"{\"a\":\"\\u00\"}", "{\"a\":\"\\uD800\\uDC00\"}", "{\"a\":\"\\/\\b\\f\\r\\t\"}",
	};
	for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
		fast_vs_per_byte(more[i], strlen(more[i]));
		verdict_n(more[i], strlen(more[i]));
	}
	size_t len;
	char *buf = read_fixture(FIXTURE_EVENTS, &len);
	for (char *p = buf; p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		assert_non_null(nl);
		fast_vs_per_byte(p, (size_t)(nl - p));
		p = nl + 1;
	}
}

/* Every token kind across the 64-byte blocks the fast path classifies and
 * the 1024-byte windows it walks: a pad of growing length shifts the rest
 * of the line one byte at a time, so each string end, escape, UTF-8
 * sequence, number and captured key lands on every boundary, and the lines
 * take every length from 20-odd bytes on (31, 32, 33, 63, 64, 65 among
 * them).  Valid and invalid lines alike must match the per-byte machine,
 * fed whole and split anywhere. */
static void test_block_boundaries(void **state)
{
	(void)state;
	static const char *const tails[] = {
		"\"}",
		"\", \"timestamp\": 1767225600.000534}",
		"\\\"\\\\\", \"a\": [1, -2.5e+3, true, null]}",
		"\\u00e9\\/\", \"kind\": \"x\"}",
		"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", \"a\": {\"b\": \"\\\\\"}}",
		"\", \"a\": NaN, \"payload\": {\"kind\": [\"\\\"\"]}}",
		"\", \"a\": 1}}",       /* one bracket too many */
		"\\x\"}",               /* bad escape */
		"\t\"}",                /* control character in a string */
		"\xe2\x82\"}",          /* cut UTF-8 */
		"\", \"a\": 12",        /* unfinished */
		"\", \"a\":: 1}",
	};
	static char line[4096];
	int seen[70] = { 0 };
	for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++)
		for (size_t pad = 0; pad <= 140; pad++) {
			size_t n = (size_t)sprintf(line, "{\"kind\": \"");
			for (size_t i = 0; i < pad; i++)
				line[n++] = (char)('a' + i % 26);
			n += (size_t)sprintf(line + n, "%s", tails[t]);
			if (n < sizeof seen / sizeof seen[0])
				seen[n] = 1;
			fast_vs_per_byte(line, n);
			verdict_n(line, n);
		}
	assert_true(seen[31] && seen[32] && seen[33] && seen[63] && seen[64] && seen[65]);

	/* around the end of the first window: a string, an escape and a UTF-8
	 * sequence ending at each offset from 1000 to 1100 */
	for (size_t t = 0; t < 4; t++)
		for (size_t pad = 980; pad <= 1100; pad++) {
			static const char *const mid[] = { "", "\\\"", "\\u0041", "\xf0\x9f\x98\x80" };
			size_t n = (size_t)sprintf(line, "[\"");
			for (size_t i = 0; i < pad; i++)
				line[n++] = (char)('a' + i % 26);
			n += (size_t)sprintf(line + n, "%s\", {\"kind\": \"%s\"}, 123456789]", mid[t], mid[t]);
			fast_vs_per_byte(line, n);
			struct verdict r = run(line, n, 0, pad / 2);
			struct verdict w = run1(line, n);
			same_verdict(&w, &r, "split long line");
			assert_true(w.ok);
		}
}

/* A line with more top-level members than the fast path notes at once,
 * with a captured key early, late and repeated (the last one wins). */
static void test_many_members(void **state)
{
	(void)state;
	static char line[8192];
	size_t n = (size_t)sprintf(line, "{\"timestamp\": 1");
	for (int i = 0; i < 100; i++) {
		n += (size_t)sprintf(line + n, ", \"m%d\": [%d, {\"kind\": %d}]", i, i, i);
		if (i == 40)
			n += (size_t)sprintf(line + n, ", \"kind\": \"first\"");
		if (i == 70)
			n += (size_t)sprintf(line + n, ", \"kind\": \"second\" ");
	}
	n += (size_t)sprintf(line + n, ", \"payload\": {\"a\": [1, 2]}}");
	struct verdict r = fast_vs_per_byte(line, n);
	assert_true(r.ok);
	assert_int_equal(r.f[0].type, JV_STRING);
	assert_memory_equal(line + r.f[0].off, "\"second\"", 8);
	assert_int_equal(r.f[0].len, 8);
	assert_int_equal(r.f[1].type, JV_NUMBER);
	assert_int_equal(r.f[2].type, JV_OBJECT);
	assert_memory_equal(line + r.f[2].off, "{\"a\": [1, 2]}", r.f[2].len);
	struct verdict p = run(line, n, 97, 0);
	same_verdict(&r, &p, "many members in pieces");

	/* an escaped key among them: the per-byte machine unescapes it */
	n = (size_t)sprintf(line, "{\"a\": 0");
	for (int i = 0; i < 50; i++)
		n += (size_t)sprintf(line + n, i == 7 ? ", \"\\u006bind\": %d" : ", \"m%d\": 1", i);
	n += (size_t)sprintf(line + n, "}");
	r = fast_vs_per_byte(line, n);
	assert_true(r.ok);
	assert_int_equal(r.f[0].type, JV_NUMBER);
	assert_memory_equal(line + r.f[0].off, "7", 1);
}

/* Nesting around the depth where the fast path hands over (64), with a
 * captured object holding it; and keys the fast path leaves to the
 * per-byte machine (escaped) or compares itself (64 and 65 bytes long). */
static void test_fast_path_depth_and_keys(void **state)
{
	(void)state;
	static char line[1024];
	for (int depth = 60; depth <= 68; depth++) {
		size_t n = (size_t)sprintf(line, "{\"a\": 1, \"payload\": ");
		for (int i = 0; i < depth; i++)
			n += (size_t)sprintf(line + n, "%s", i % 2 ? "[" : "{\"k\":");
		line[n++] = '1';
		for (int i = depth - 1; i >= 0; i--)
			line[n++] = i % 2 ? ']' : '}';
		n += (size_t)sprintf(line + n, ", \"kind\": \"d\"}");
		struct verdict r = fast_vs_per_byte(line, n);
		assert_true(r.ok);
		assert_int_equal(r.f[2].type, JV_OBJECT);
		line[n - 1] = ']';
		r = fast_vs_per_byte(line, n);
		assert_false(r.ok);
	}
	char key64[80], key65[80];
	memset(key64, 'k', 64);
	key64[64] = '\0';
	memset(key65, 'k', 65);
	key65[65] = '\0';
	struct jsonv_field f[3] = { { .name = key64 }, { .name = key65 }, { .name = "kind" } };
	struct jsonv_capture cap = { f, 3 };
	for (int fast = 0; fast < 2; fast++) {
		jsonv__fast_level(fast ? -1 : 0);
		size_t n = (size_t)sprintf(line, "{\"%s\": 1, \"%s\": 2, \"\\u006bind\": 3, \"a\": {\"kin\\u0064\": 4}}",
					   key64, key65);
		assert_int_equal(jsonv_check(&V, line, n, &cap), 0);
		assert_int_equal(f[0].type, JV_NUMBER);
		assert_memory_equal(line + f[0].off, "1", 1);
		assert_int_equal(f[1].type, JV_NONE); /* longer than any key can match */
		assert_int_equal(f[2].type, JV_NUMBER);
		assert_memory_equal(line + f[2].off, "3", 1);
	}
	jsonv__fast_level(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_values),
		cmocka_unit_test(test_nan_infinity),
		cmocka_unit_test(test_lone_surrogates_valid),
		cmocka_unit_test(test_big_numbers),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_duplicate_keys_last_wins),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_capture_many_fields),
		cmocka_unit_test(test_capture_reset_by_init),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_byte_order_mark),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_empty_and_blank_lines),
		cmocka_unit_test(test_trailing_data),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_unexpected_end),
		cmocka_unit_test(test_feed_after_error),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_multi_megabyte_line),
		cmocka_unit_test(test_split_anywhere),
		cmocka_unit_test(test_fixture_lines_valid),
		cmocka_unit_test(test_fixture_capture_spans),
		cmocka_unit_test(test_fast_path_same_as_per_byte),
		cmocka_unit_test(test_block_boundaries),
		cmocka_unit_test(test_many_members),
		cmocka_unit_test(test_fast_path_depth_and_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
