/* core/kept: the names of kept replaced files fit NAME_MAX, parse back,
 * belong to their data file only, and a kept file is drained into it
 * (SPEC §4: no appended line is ever lost). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "kept.h"

static void test_name_round_trip(void **state)
{
	(void)state;
	perr e = {0};
	char *n = kept_name("events.ndjson", 1700000000123, 4096, &e);
	assert_string_equal(n, ".events.ndjson.papyra-kept-1700000000123-4096");
	char *stem = NULL;
	int64_t ms = 0, off = 0;
	assert_true(kept_parse(n, &stem, &ms, &off));
	assert_string_equal(stem, "events.ndjson");
	assert_true(ms == 1700000000123 && off == 4096);
	assert_true(kept_is_of(n, "events.ndjson"));
	assert_false(kept_is_of(n, "events.ndjson.1"));
	free(stem);
	free(n);
	/* not ours: a temp name, a missing number, trailing junk, no dot */
	assert_false(kept_parse(".events.ndjson.papyra-tmp-12", NULL, &ms, &off));
	assert_false(kept_parse(".events.ndjson.papyra-kept-12", NULL, &ms, &off));
	assert_false(kept_parse(".events.ndjson.papyra-kept-12-3x", NULL, &ms, &off));
	assert_false(kept_parse("events.ndjson.papyra-kept-12-3", NULL, &ms, &off));
	assert_false(kept_parse(".events.ndjson.papyra-kept-99999999999999999999-3", NULL, &ms, &off));
}

static void test_long_name_fits(void **state)
{
	(void)state;
	perr e = {0};
	char base[256];
	memset(base, 'a', 250);
	base[250] = '\0';
	char *n = kept_name(base, INT64_MAX, INT64_MAX, &e);
	assert_non_null(n);
	assert_true(strlen(n) <= 255);
	assert_true(kept_is_of(n, base));
	free(n);
}

static void test_drain_removes_when_closed(void **state)
{
	(void)state;
	char dir[] = "/tmp/papyra-kept-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char data[128], kept[160];
	snprintf(data, sizeof data, "%s/events.ndjson", dir);
	snprintf(kept, sizeof kept, "%s/.events.ndjson.papyra-kept-1-4", dir);
	FILE *f = fopen(data, "w");
	fputs("{\"a\": 1}\n", f);
	fclose(f);
	f = fopen(kept, "w");
	fputs("OLD\n{\"b\": 2}\n{\"c\": 3}", f); /* an unterminated last record */
	fclose(f);
	perr e = {0};
	char buf[64];
	struct kept_drain d;
	assert_int_equal(kept_drain(kept, buf, sizeof buf, &d, &e), 0);
	assert_true(d.removed);
	assert_true(d.lines == 2);
	kept_drain_free(&d);
	struct stat st;
	assert_int_not_equal(stat(kept, &st), 0);
	char got[128] = "";
	f = fopen(data, "r");
	size_t n = fread(got, 1, sizeof got - 1, f);
	fclose(f);
	got[n] = '\0';
	assert_string_equal(got, "{\"a\": 1}\n{\"b\": 2}\n{\"c\": 3}\n");
	/* already gone: nothing to do, not an error */
	assert_int_equal(kept_drain(kept, buf, sizeof buf, &d, &e), 0);
	assert_true(d.removed && d.lines == 0);
	kept_drain_free(&d);
	unlink(data);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_round_trip),
		cmocka_unit_test(test_long_name_fits),
		cmocka_unit_test(test_drain_removes_when_closed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
