/* core/numparse: the one number parser of flags, environment and config
 * files (SPEC §6 "bad number" -> 64), on its edge cases. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "numparse.h"

static enum numparse_status i64(const char *s, int64_t *v)
{
	return numparse_i64(s, INT64_MIN, INT64_MAX, v);
}

static void test_i64_accepts_decimal(void **state)
{
	(void)state;
	int64_t v = -1;
	assert_int_equal(i64("0", &v), NP_OK);
	assert_int_equal(v, 0);
	assert_int_equal(i64("42", &v), NP_OK);
	assert_int_equal(v, 42);
	assert_int_equal(i64("-7", &v), NP_OK);
	assert_int_equal(v, -7);
	assert_int_equal(i64("010", &v), NP_OK); /* decimal, not octal */
	assert_int_equal(v, 10);
	assert_int_equal(i64("9223372036854775807", &v), NP_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(i64("-9223372036854775808", &v), NP_OK);
	assert_true(v == INT64_MIN);
}

static void test_i64_refuses(void **state)
{
	(void)state;
	int64_t v = 123;
	assert_int_equal(i64(NULL, &v), NP_EMPTY);
	assert_int_equal(i64("", &v), NP_EMPTY);
	assert_int_equal(i64("9223372036854775808", &v), NP_RANGE);
	assert_int_equal(i64("-9223372036854775809", &v), NP_RANGE);
	assert_int_equal(i64("99999999999999999999999", &v), NP_RANGE);
	assert_int_equal(i64("0x10", &v), NP_SYNTAX);
	assert_int_equal(i64("+3", &v), NP_SYNTAX);
	assert_int_equal(i64(" 3", &v), NP_SYNTAX);
	assert_int_equal(i64("3 ", &v), NP_SYNTAX);
	assert_int_equal(i64("-", &v), NP_SYNTAX);
	assert_int_equal(i64("1.5", &v), NP_FRACTION);
	assert_int_equal(i64("1e3", &v), NP_FRACTION);
	assert_int_equal(i64("1.", &v), NP_SYNTAX);
	assert_int_equal(i64("inf", &v), NP_SYNTAX);
	assert_int_equal(i64("nan", &v), NP_SYNTAX);
	assert_int_equal(i64("12abc", &v), NP_SYNTAX);
	assert_int_equal(v, 123); /* untouched on failure */
	assert_int_equal(numparse_i64("-1", 0, INT64_MAX, &v), NP_RANGE);
	assert_int_equal(numparse_i64("11", 1, 10, &v), NP_RANGE);
	assert_int_equal(numparse_i64("10", 1, 10, &v), NP_OK);
}

static void test_double(void **state)
{
	(void)state;
	double d = -1;
	assert_int_equal(numparse_double("1.5", 0, HUGE_VAL, &d), NP_OK);
	assert_true(d == 1.5);
	assert_int_equal(numparse_double("1e3", 0, HUGE_VAL, &d), NP_OK);
	assert_true(d == 1000);
	assert_int_equal(numparse_double("-2.5E-1", -HUGE_VAL, HUGE_VAL, &d), NP_OK);
	assert_true(d == -0.25);
	assert_int_equal(numparse_double("1e-400", 0, HUGE_VAL, &d), NP_OK); /* underflow is ~0 */
	assert_int_equal(numparse_double("1e400", 0, HUGE_VAL, &d), NP_RANGE);
	assert_int_equal(numparse_double("0x10", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double("inf", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double("Infinity", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double("nan", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double("+1", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double(".5", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double("5.", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double("1e", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double(" 1", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double("", 0, HUGE_VAL, &d), NP_EMPTY);
	assert_int_equal(numparse_double("1,5", 0, HUGE_VAL, &d), NP_SYNTAX);
	assert_int_equal(numparse_double("-1", 0, HUGE_VAL, &d), NP_RANGE);
	assert_int_equal(numparse_double("0.0005", 0.001, 10, &d), NP_RANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i64_accepts_decimal),
		cmocka_unit_test(test_i64_refuses),
		cmocka_unit_test(test_double),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
