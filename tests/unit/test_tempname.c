/* core/tempname and the temp names of core/fsutil: every name fits
 * NAME_MAX whatever the data file's name, and a shortened one still maps
 * back to its data file (SPEC §4 temporary files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "tempname.h"

static char *name_of(size_t n, char c)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void test_short_names_unchanged(void **state)
{
	(void)state;
	perr e = {0};
	char *s = tempname_stem("events.ndjson", &e);
	assert_string_equal(s, "events.ndjson");
	free(s);
	char *t = fsutil_temp_name("events.ndjson", &e);
	char want[64];
	snprintf(want, sizeof want, ".events.ndjson.papyra-tmp-%ld", (long)getpid());
	assert_string_equal(t, want);
	free(t);
}

static void test_long_names_fit(void **state)
{
	(void)state;
	perr e = {0};
	for (size_t n = 200; n <= NAME_MAX; n++) {
		char *base = name_of(n, 'a');
		char *t = fsutil_temp_name(base, &e);
		assert_non_null(t);
		assert_true(strlen(t) <= NAME_MAX);
		char *stem = NULL;
		assert_true(fsutil_is_temp_name(t, &stem));
		char *want = tempname_stem(base, &e);
		assert_string_equal(stem, want);
		free(stem);
		free(want);
		free(t);
		char *q = tempname_shorten(base, TEMPNAME_QUARANTINE_MAX, &e);
		assert_true(strlen(q) + strlen(".quarantine.18446744073709551615.10000") <= NAME_MAX);
		free(q);
		free(base);
	}
}

/* Two long names that share their first bytes get different stems. */
static void test_stems_differ(void **state)
{
	(void)state;
	perr e = {0};
	char *a = name_of(247, 'x'), *b = name_of(247, 'x');
	b[246] = 'y';
	char *sa = tempname_stem(a, &e), *sb = tempname_stem(b, &e);
	assert_int_equal(strlen(sa), TEMPNAME_STEM_MAX);
	assert_string_not_equal(sa, sb);
	assert_int_equal(sa[TEMPNAME_STEM_MAX - 17], '~');
	free(a);
	free(b);
	free(sa);
	free(sb);
}

static void test_find_data_and_member(void **state)
{
	(void)state;
	perr e = {0};
	char dir[] = "/tmp/papyra-tempname-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *base = name_of(247, 'z'), *other = name_of(247, 'z');
	other[0] = 'w';
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, base);
	write_file(path, "x\n", 2);
	snprintf(path, sizeof path, "%s/%s", dir, other);
	write_file(path, "y\n", 2);
	char *stem = tempname_stem(base, &e);
	char *found = tempname_find_data(dir, stem, &e);
	assert_string_equal(found, base);
	free(found);
	/* no such data file: the stem comes back (the caller sees ENOENT) */
	char *absent = name_of(250, 'q');
	char *gone = tempname_stem(absent, &e);
	free(absent);
	found = tempname_find_data(dir, gone, &e);
	assert_string_equal(found, gone);
	free(found);
	free(gone);
	/* a short stem is the name itself */
	found = tempname_find_data(dir, "events.ndjson", &e);
	assert_string_equal(found, "events.ndjson");
	free(found);
	char member[1024];
	snprintf(member, sizeof member, "%s.2", base);
	char *mstem = tempname_stem(member, &e);
	assert_int_equal(tempname_member_index(mstem, base, 5), 2);
	assert_int_equal(tempname_member_index(stem, base, 5), 0);
	assert_int_equal(tempname_member_index(mstem, base, 2), -1);
	free(mstem);
	free(stem);
	snprintf(path, sizeof path, "%s/%s", dir, base);
	unlink(path);
	snprintf(path, sizeof path, "%s/%s", dir, other);
	unlink(path);
	rmdir(dir);
	free(base);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_names_unchanged),
		cmocka_unit_test(test_long_names_fit),
		cmocka_unit_test(test_stems_differ),
		cmocka_unit_test(test_find_data_and_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
