/* core/salvage: finding the complete records glued after a torn one, and
 * applying the salvage through a plan (SPEC §4 "salvage", §8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recover.h"
#include "salvage.h"
#include "scan.h"

#define REC "{\"kind\": \"event\", \"timestamp\": 1}"

/* salvage_find on an in-memory line: 1/0, and *out. */
static int find(const char *line, struct salvage **out)
{
	perr e = {0};
	int rc = salvage_find(line, -1, 0, (int64_t)strlen(line), out, &e);
	assert_true(rc >= 0);
	return rc;
}

static void test_torn_then_one_record(void **state)
{
	(void)state;
	struct salvage *s;
	const char *line = "{\"kind\": \"ev" REC;
	assert_int_equal(find(line, &s), 1);
	assert_int_equal(s->keep, 12);
	assert_int_equal(s->records, 1);
	assert_int_equal(s->ngaps, 0);
	assert_int_equal(salvage_bytes_delta(s), -12);
	char d[128];
	salvage_describe(s, d, sizeof d);
	assert_string_equal(d, "; a torn record followed by 1 complete record: recovery salvages it");
	salvage_free(s);
}

/* A nested object of the torn record that happens to be complete is not a
 * record (no "kind"): the salvage starts at the glued record. */
static void test_nested_object_is_not_a_record(void **state)
{
	(void)state;
	struct salvage *s;
	const char *line = "{\"kind\": \"event\", \"actor_address\": {\"system\": \"local\", \"actor_id\": 1}" REC;
	assert_int_equal(find(line, &s), 1);
	assert_int_equal(s->keep, (int64_t)(strlen(line) - strlen(REC)));
	assert_int_equal(s->records, 1);
	salvage_free(s);
}

static void test_several_records_and_gaps(void **state)
{
	(void)state;
	struct salvage *s;
	const char *line = "garbage" REC REC "  \t" REC " \r";
	assert_int_equal(find(line, &s), 1);
	size_t r = strlen(REC);
	assert_int_equal(s->keep, 7);
	assert_int_equal(s->records, 3);
	assert_int_equal(s->ngaps, 2);
	assert_int_equal(s->gaps[0].start, (int64_t)(7 + r));
	assert_int_equal(s->gaps[0].end, (int64_t)(7 + r)); /* touching: empty gap */
	assert_int_equal(s->gaps[1].start, (int64_t)(7 + 2 * r));
	assert_int_equal(s->gaps[1].end, (int64_t)(7 + 2 * r + 3));
	/* -7 prefix, the empty gap becomes "\n" (+1), the 3-byte one too (-2) */
	assert_int_equal(salvage_bytes_delta(s), -7 + 1 - 2);
	salvage_free(s);
}

static void test_lost_newline(void **state)
{
	(void)state;
	struct salvage *s;
	assert_int_equal(find(REC REC, &s), 1);
	assert_int_equal(s->keep, 0);
	assert_int_equal(s->records, 2);
	char d[128];
	salvage_describe(s, d, sizeof d);
	assert_string_equal(d, "; 2 complete records on one line: recovery splits them");
	salvage_free(s);
}

static void test_nothing_to_salvage(void **state)
{
	(void)state;
	struct salvage *s = (struct salvage *)1;
	assert_int_equal(find("{\"kind\": \"ev", &s), 0);
	assert_null(s);
	assert_int_equal(find("{{{{{{{{{{{{", &s), 0);
	assert_int_equal(find("x{\"a\": 1}", &s), 0);           /* an object, not a record */
	assert_int_equal(find("x" REC "y", &s), 0);              /* garbage after it */
	assert_int_equal(find("x" REC "[1]", &s), 0);            /* a non-object after it */
	assert_int_equal(find("{\"a\": 1} " REC, &s), 1);        /* ...but a record after one is kept */
	assert_int_equal(s->keep, 9);
	salvage_free(s);
	assert_int_equal(find("x{\"kind\": 1}", &s), 0);          /* kind must be a string */
	assert_int_equal(find("", &s), 0);
}

/* More glued records than SALVAGE_MAX_RECORDS: not a torn append, dropped. */
static void test_too_many_records(void **state)
{
	(void)state;
	size_t r = strlen(REC), n = SALVAGE_MAX_RECORDS + 1;
	char *line = malloc(1 + n * r + 1);
	line[0] = 'x';
	for (size_t i = 0; i < n; i++)
		memcpy(line + 1 + i * r, REC, r);
	line[1 + n * r] = '\0';
	struct salvage *s;
	assert_int_equal(find(line, &s), 0);
	line[1 + (n - 1) * r] = '\0'; /* exactly the limit: salvaged */
	assert_int_equal(find(line, &s), 1);
	assert_int_equal(s->records, SALVAGE_MAX_RECORDS);
	salvage_free(s);
	free(line);
}

/* Pathological lines end (the budget) with the safe answer: no salvage,
 * or the right one when it is found within the budget. */
static void test_pathological_lines(void **state)
{
	(void)state;
	size_t n = 8u << 20;
	char *line = malloc(n + strlen(REC) + 1);
	/* every candidate stays valid to the end of the line: 8 MiB of '{"a":' */
	for (size_t i = 0; i + 5 <= n; i += 5)
		memcpy(line + i, "{\"a\":", 5);
	n -= n % 5;
	line[n] = '\0';
	struct salvage *s;
	assert_int_equal(find(line, &s), 0);
	/* the same with a record at the end: the unclosed objects before it
	 * exhaust the budget, so nothing is claimed */
	memcpy(line + n, REC, strlen(REC) + 1);
	assert_int_equal(find(line, &s), 0);
	/* 8 MiB of '{': each candidate fails at once; the record is found */
	memset(line, '{', n);
	memcpy(line + n, REC, strlen(REC) + 1);
	assert_int_equal(find(line, &s), 1);
	assert_int_equal(s->keep, (int64_t)n);
	salvage_free(s);
	free(line);
}

/* The same answers when the line is read back from a file (long lines). */
static void test_from_fd(void **state)
{
	(void)state;
	char path[] = "/tmp/papyra-salvage-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *head = "prefix line\n";
	size_t pad = 3u << 20; /* beyond one read chunk */
	char *torn = malloc(pad);
	memset(torn, ' ', pad);
	memcpy(torn, "{\"kind\": \"event\", \"payload\": \"", 30);
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	assert_int_equal(write(fd, torn, pad), (ssize_t)pad);
	assert_int_equal(write(fd, REC "  " REC, 2 * strlen(REC) + 2), (ssize_t)(2 * strlen(REC) + 2));
	int64_t len = (int64_t)(pad + 2 * strlen(REC) + 2);
	struct salvage *s;
	perr e = {0};
	assert_int_equal(salvage_find(NULL, fd, (int64_t)strlen(head), len, &s, &e), 1);
	assert_int_equal(s->keep, (int64_t)pad);
	assert_int_equal(s->records, 2);
	assert_int_equal(s->gaps[0].end - s->gaps[0].start, 2);
	salvage_free(s);
	close(fd);
	unlink(path);
	free(torn);
}

/* Scan, plan, apply, rescan: the records are kept byte for byte, each on
 * its own line, and the verification is clean. */
static void test_scan_plan_apply(void **state)
{
	(void)state;
	char dir[] = "/tmp/papyra-salvage-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/events.ndjson", dir);
	const char *data = REC "\n{\"kind\": \"ev" REC "\n\xef\xbb\xbf" REC REC "\r\n" REC "\n";
	write_file(path, data, strlen(data));
	struct scan_report rep;
	struct scan_opts o = {0};
	perr e = {0};
	scan_report_init(&rep);
	assert_int_equal(scan_ndjson_file(path, path, &o, NULL, &rep, &e), 0);
	assert_int_equal(rep.n_an, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(rep.an[i].type, AN_CORRUPTED_LINE);
		assert_true(rep.an[i].flags & AF_SALVAGE);
		assert_non_null(rep.an[i].salvage);
	}
	struct plan p;
	plan_init(&p);
	assert_int_equal(plan_build_files(&p, &rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].kind, ACT_SALVAGE);
	assert_string_equal(action_kind_name(p.v[0].kind), "salvage");
	assert_int_equal(p.v[0].length, 12);
	assert_int_equal(p.v[1].length, 3);
	assert_int_equal(p.files[0].lines_after, 5);
	struct apply_result res;
	assert_int_equal(plan_apply_files(&p, NULL, &res, &e), 0);
	assert_int_equal(res.n_applied, 2);
	assert_int_equal(res.lines_dropped, 0);
	struct buf got = read_all(path);
	const char *want = REC "\n" REC "\n" REC "\n" REC "\r\n" REC "\n";
	assert_int_equal(got.n, strlen(want));
	assert_memory_equal(got.p, want, got.n);
	assert_int_equal(res.bytes_after, (int64_t)strlen(want));
	assert_int_equal(p.files[0].bytes_after, (int64_t)strlen(want));
	struct scan_report ver;
	scan_report_init(&ver);
	assert_int_equal(scan_ndjson_file(path, path, &o, NULL, &ver, &e), 0);
	assert_int_equal(ver.n_an, 0);
	scan_report_free(&ver);
	scan_report_free(&rep);
	apply_result_free(&res);
	plan_free(&p);
	free(got.p);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_torn_then_one_record),
		cmocka_unit_test(test_nested_object_is_not_a_record),
		cmocka_unit_test(test_several_records_and_gaps),
		cmocka_unit_test(test_lost_newline),
		cmocka_unit_test(test_nothing_to_salvage),
		cmocka_unit_test(test_too_many_records),
		cmocka_unit_test(test_pathological_lines),
		cmocka_unit_test(test_from_fd),
		cmocka_unit_test(test_scan_plan_apply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
