/* Errors as data (core/common.c): the reason code callers branch on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "common.h"

static void test_reason_follows_class(void **state)
{
	(void)state;
	perr e = { 0 };
	assert_int_equal(perr_set(&e, PX_USAGE, "bad %s", "flag"), -1);
	assert_int_equal(e.reason, PR_USAGE);
	assert_string_equal(e.msg, "bad flag");
	perr_set(&e, PX_UNAVAILABLE, "down");
	assert_int_equal(e.reason, PR_UNAVAILABLE);
	perr_set(&e, PX_IOERR, "broken");
	assert_int_equal(e.reason, PR_IO);
}

static void test_explicit_reason_survives_rewording(void **state)
{
	(void)state;
	perr e = { 0 };
	/* what the console's rescan offer depends on: the reason, whatever the words */
	perr_setr(&e, PX_IOERR, PR_STALE, "the data moved on");
	assert_int_equal(e.code, PX_IOERR);
	assert_int_equal(e.reason, PR_STALE);
	assert_string_equal(perr_reason_name(e.reason), "stale");
}

static void test_errno_reasons(void **state)
{
	(void)state;
	perr e = { 0 };
	perr_set_errno(&e, PX_IOERR, ENOSPC, "cannot write x: %s", strerror(ENOSPC));
	assert_int_equal(e.reason, PR_NOSPACE);
	assert_int_equal(perr_reason_of_errno(EACCES), PR_PERMISSION);
	assert_int_equal(perr_reason_of_errno(EROFS), PR_PERMISSION);
	assert_int_equal(perr_reason_of_errno(EDQUOT), PR_NOSPACE);
	assert_int_equal(perr_reason_of_errno(ETIMEDOUT), PR_TIMEOUT);
	assert_int_equal(perr_reason_of_errno(EWOULDBLOCK), PR_LOCKED);
	assert_int_equal(perr_reason_of_errno(EIO), PR_IO);
}

static void test_names_and_null(void **state)
{
	(void)state;
	assert_int_equal(perr_set(NULL, PX_IOERR, "nobody listens"), -1);
	assert_string_equal(perr_reason_name(PR_NONE), "none");
	assert_string_equal(perr_reason_name(PR_NOSPACE), "no-space");
	assert_string_equal(perr_reason_name(PR__COUNT), "?");
	assert_string_equal(perr_reason_name(PR_NOMEM), "no-memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_follows_class),
		cmocka_unit_test(test_explicit_reason_survives_rewording),
		cmocka_unit_test(test_errno_reasons),
		cmocka_unit_test(test_names_and_null),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
