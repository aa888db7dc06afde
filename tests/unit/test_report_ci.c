/* core/sha256 and the report helpers behind the GitLab and SARIF formats
 * (SPEC §6): known SHA-256 vectors, and fingerprints that stay the same
 * for the same anomaly and change with any of its parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "sha256.h"

static void hex_of(const char *s, size_t n, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, s, n);
	sha256_hex(&h, out);
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	char out[65];
	hex_of("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the padding needs a second block */
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hex_of(two, strlen(two), out);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a', fed in uneven pieces */
	static char mil[1000000];
	memset(mil, 'a', sizeof mil);
	struct sha256 h;
	sha256_init(&h);
	for (size_t i = 0; i < sizeof mil;) {
		size_t n = (i % 7) * 13 + 1;
		n = n > sizeof mil - i ? sizeof mil - i : n;
		sha256_update(&h, mil + i, n);
		i += n;
	}
	sha256_hex(&h, out);
	assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_fingerprint_stable_and_distinct(void **state)
{
	(void)state;
	struct anomaly a = { .type = AN_CORRUPTED_LINE, .path = "events.ndjson",
			     .detail = "Invalid JSON at line 10", .line = 10, .offset = 5, .length = 3 };
	char f1[65], f2[65];
	report_fingerprint(&a, f1);
	assert_int_equal(strlen(f1), 64);
	/* "./events.ndjson" is the same file; offset and length are not part of it */
	struct anomaly b = a;
	b.path = "./events.ndjson";
	b.offset = 99;
	b.length = 1;
	report_fingerprint(&b, f2);
	assert_string_equal(f1, f2);
	/* any of type, path, line, id, detail changes it */
	b = a;
	b.type = AN_TRUNCATED_LINE;
	report_fingerprint(&b, f2);
	assert_string_not_equal(f1, f2);
	b = a;
	b.path = "other.ndjson";
	report_fingerprint(&b, f2);
	assert_string_not_equal(f1, f2);
	b = a;
	b.line = 11;
	report_fingerprint(&b, f2);
	assert_string_not_equal(f1, f2);
	b = a;
	b.detail = "Invalid JSON at line 1";
	report_fingerprint(&b, f2);
	assert_string_not_equal(f1, f2);
	/* fields are separated: moving bytes between path and detail is seen */
	struct anomaly c = { .type = AN_CORRUPTED_LINE, .path = "ab", .detail = "c" };
	struct anomaly d = { .type = AN_CORRUPTED_LINE, .path = "a", .detail = "bc" };
	report_fingerprint(&c, f1);
	report_fingerprint(&d, f2);
	assert_string_not_equal(f1, f2);
	/* Redis: the entry id, not its position, names it */
	struct anomaly r1 = { .type = AN_CORRUPTED_LINE, .path = "papyra:local:events",
			      .detail = "x", .line = 3, .id = "1-0" };
	struct anomaly r2 = r1;
	r2.line = 2;
	report_fingerprint(&r1, f1);
	report_fingerprint(&r2, f2);
	assert_string_equal(f1, f2);
	r2.id = "2-0";
	report_fingerprint(&r2, f2);
	assert_string_not_equal(f1, f2);
}

static void test_gitlab_severity_for_every_type(void **state)
{
	(void)state;
	static const char *const scale[] = { "info", "minor", "major", "critical", "blocker" };
	for (int t = 0; t < AN__COUNT; t++) {
		const char *s = report_gitlab_severity((enum anomaly_type)t);
		int ok = 0;
		for (size_t i = 0; i < sizeof scale / sizeof *scale; i++)
			ok |= strcmp(s, scale[i]) == 0;
		assert_true(ok);
	}
	assert_string_equal(report_gitlab_severity(AN_PARTIAL_WRITE), "blocker");
	assert_string_equal(report_gitlab_severity(AN_CORRUPTED_LINE), "critical");
	assert_string_equal(report_path("./././a/b"), "a/b");
	assert_string_equal(report_path("../a"), "../a");
	assert_string_equal(report_path("./"), "./");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_fingerprint_stable_and_distinct),
		cmocka_unit_test(test_gitlab_severity_for_every_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
