/* core/json_strict: Python's NaN / Infinity / -Infinity become strings,
 * only outside strings, everything else byte for byte (SPEC §2.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_strict.h"

static void expect(const char *in, const char *want)
{
	size_t n = 0;
	char *out = json_strict_copy(in, strlen(in), &n);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	free(out);
}

static void test_words_become_strings(void **state)
{
	(void)state;
	expect("NaN", "\"NaN\"");
	expect("-Infinity", "\"-Infinity\"");
	expect("[NaN,Infinity,-Infinity,-1,1E400,-0.0]", "[\"NaN\",\"Infinity\",\"-Infinity\",-1,1E400,-0.0]");
	expect("{\"a\": NaN, \"b\":{\"c\":[ Infinity ]}}", "{\"a\": \"NaN\", \"b\":{\"c\":[ \"Infinity\" ]}}");
	expect("", "");
	expect("{}", "{}");
}

static void test_strings_untouched(void **state)
{
	(void)state;
	expect("\"NaN Infinity -Infinity\"", "\"NaN Infinity -Infinity\"");
	/* an escaped quote does not end the string; an escaped backslash does not escape the quote */
	expect("[\"a\\\" NaN\",NaN]", "[\"a\\\" NaN\",\"NaN\"]");
	expect("[\"a\\\\\",NaN]", "[\"a\\\\\",\"NaN\"]");
	expect("{\"NaN\":null,\"x\":true}", "{\"NaN\":null,\"x\":true}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_become_strings),
		cmocka_unit_test(test_strings_untouched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
