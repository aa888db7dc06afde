/* Bounded scan reports (core/scan_report.c): past the bound anomalies go to
 * a temporary file and come back in order, every field (id, salvage)
 * intact, counted exactly; several readers at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "salvage.h"
#include "scan.h"

#define N 5000

static void fill(struct scan_report *r)
{
	perr e = { 0 };
	for (int i = 0; i < N; i++) {
		char path[32], id[32];
		snprintf(path, sizeof path, "f%d.ndjson", i / 1000);
		snprintf(id, sizeof id, "%d-0", i);
		if (i % 7 == 3) {
			struct salvage *sv = malloc(sizeof *sv + 2 * sizeof sv->gaps[0]);
			sv->keep = i;
			sv->records = 3;
			sv->ngaps = 2;
			sv->gaps[0] = (struct salvage_gap){ 10, 11 };
			sv->gaps[1] = (struct salvage_gap){ 20, i };
			struct anomaly a = { .type = AN_CORRUPTED_LINE, .path = path, .detail = (char *)"torn",
					     .line = i + 1, .offset = 2 * i, .length = 1, .flags = AF_SALVAGE,
					     .salvage = sv };
			assert_int_equal(scan_report_put(r, &a, &e), 0);
		} else {
			assert_int_equal(scan_report_add(r, i % 2 ? AN_CORRUPTED_LINE : AN_SCHEMA_MISMATCH, path,
							 i + 1, 2 * i, 1, i % 5 ? NULL : id, 0, &e,
							 "Invalid JSON at line %d", i + 1), 0);
		}
	}
}

static void check_one(const struct anomaly *a, int i)
{
	char path[32], detail[64];
	snprintf(path, sizeof path, "f%d.ndjson", i / 1000);
	assert_string_equal(a->path, path);
	assert_int_equal(a->line, i + 1);
	assert_int_equal(a->offset, 2 * i);
	if (i % 7 == 3) {
		assert_int_equal(a->type, AN_CORRUPTED_LINE);
		assert_string_equal(a->detail, "torn");
		assert_non_null(a->salvage);
		assert_int_equal(a->salvage->keep, i);
		assert_int_equal(a->salvage->ngaps, 2);
		assert_int_equal(a->salvage->gaps[1].end, i);
		return;
	}
	snprintf(detail, sizeof detail, "Invalid JSON at line %d", i + 1);
	assert_string_equal(a->detail, detail);
	assert_null(a->salvage);
	if (i % 5) {
		assert_null(a->id);
	} else {
		char id[32];
		snprintf(id, sizeof id, "%d-0", i);
		assert_string_equal(a->id, id);
	}
}

static void test_bounded_round_trip(void **state)
{
	(void)state;
	struct scan_report r;
	scan_report_init_bounded(&r, 100);
	fill(&r);
	assert_int_equal(r.n_an, N);
	assert_int_equal(r.n_mem, 100);
	assert_true(r.spill_open);
	int64_t total = 0;
	for (int k = 0; k < AN__COUNT; k++)
		total += r.by_type[k];
	assert_int_equal(total, N);
	struct scan_iter a, b;
	scan_iter_init(&a, &r);
	scan_iter_init(&b, &r);
	const struct anomaly *x, *y;
	int i = 0;
	/* two readers at different places */
	while ((x = scan_iter_next(&a))) {
		check_one(x, i);
		if (i % 2 == 0) {
			y = scan_iter_next(&b);
			assert_non_null(y);
			check_one(y, i / 2);
		}
		i++;
	}
	assert_int_equal(i, N);
	assert_false(a.failed);
	scan_iter_free(&a);
	scan_iter_free(&b);
	/* emptied, it stays bounded */
	scan_report_free(&r);
	assert_int_equal(r.mem_max, 100);
	assert_int_equal(r.n_an, 0);
	fill(&r);
	scan_iter_init(&a, &r);
	for (i = 0; (x = scan_iter_next(&a)); i++)
		check_one(x, i);
	assert_int_equal(i, N);
	scan_iter_free(&a);
	scan_report_free(&r);
}

static void test_unbounded_keeps_all(void **state)
{
	(void)state;
	struct scan_report r;
	scan_report_init(&r);
	fill(&r);
	assert_int_equal(r.n_mem, N);
	assert_false(r.spill_open);
	check_one(&r.an[N - 1], N - 1);
	scan_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded_round_trip),
		cmocka_unit_test(test_unbounded_keeps_all),
	};
	return cmocka_run_group_tests_name("scan_report", tests, NULL, NULL);
}
