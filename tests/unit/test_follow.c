/* Following a live store (core/follow.h): appended lines are scanned with
 * the whole scan's rules (after following, a whole scan reports the same),
 * a line being written waits FOLLOW_WRITTEN_MS before it is TRUNCATED_LINE
 * and is taken back when it goes on, a truncation or a rotation asks for
 * a new scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "follow.h"

#define REC "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": null, " \
	    "\"event_type\": \"ActorStarted\", \"payload\": {}, \"timestamp\": 1767225600.125}"

struct ffx {
	char dir[64], path[128];
	struct config cfg;
	struct backend *b;
	struct scan_report r;
	struct follow *f;
	int64_t lines, dropped;
};

static void on_line(void *ctx, const struct scan_line *l)
{
	(void)l;
	((struct ffx *)ctx)->lines++;
}

static void on_drop(void *ctx)
{
	struct ffx *x = ctx;
	x->lines--;
	x->dropped++;
}

static void put(const char *path, const char *mode, const char *text)
{
	FILE *w = fopen(path, mode);
	assert_non_null(w);
	fputs(text, w);
	fclose(w);
}

static struct scan_sink sink_of(struct ffx *x)
{
	return (struct scan_sink){ x, on_line };
}

static void ffx_open(struct ffx *x, enum backend_kind k, const char *name)
{
	memset(x, 0, sizeof *x);
	strcpy(x->dir, "/tmp/papyra-follow-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	snprintf(x->path, sizeof x->path, "%s/%s", x->dir, name);
	put(x->path, "w", REC "\n" REC "\n");
	x->cfg.backend = k;
	x->cfg.path = x->path;
	x->cfg.max_files = 3;
	x->cfg.max_bytes = 1000000;
	retention_init(&x->cfg.retention);
	perr e = { 0 };
	assert_int_equal(backend_open(&x->cfg, &x->b, &e), 0);
}

static struct scan_sink the_sink;

static void ffx_scan(struct ffx *x)
{
	perr e = { 0 };
	struct scan_opts o = { 0 };
	the_sink = sink_of(x);
	x->lines = 0;
	scan_report_init(&x->r);
	assert_int_equal(x->b->ops->scan(x->b, &o, &the_sink, &x->r, &e), 0);
	assert_int_equal(follow_open(&x->f, x->b, &x->r, &the_sink, on_drop, x, &e), 0);
}

static void ffx_free(struct ffx *x)
{
	follow_close(x->f);
	scan_report_free(&x->r);
	backend_close(x->b);
	rm_rf(x->dir);
}

static enum follow_what check(struct ffx *x, double now)
{
	struct follow_result res;
	perr e = { 0 };
	follow_drain(x->f);
	assert_int_equal(follow_check(x->f, now, &res, &e), 0);
	return res.what;
}

/* The report after following equals a whole scan of the file as it is. */
static void assert_like_whole(struct ffx *x)
{
	struct scan_report w;
	struct scan_opts o = { 0 };
	perr e = { 0 };
	scan_report_init(&w);
	assert_int_equal(x->b->ops->scan(x->b, &o, NULL, &w, &e), 0);
	assert_int_equal(x->r.n_an, w.n_an);
	for (size_t i = 0; i < w.n_an; i++) {
		assert_int_equal(x->r.an[i].type, w.an[i].type);
		assert_int_equal(x->r.an[i].line, w.an[i].line);
		assert_int_equal(x->r.an[i].offset, w.an[i].offset);
		assert_string_equal(x->r.an[i].detail, w.an[i].detail);
	}
	const struct scan_file *a = &x->r.files[x->r.n_files - 1], *b = &w.files[w.n_files - 1];
	assert_int_equal(a->lines, b->lines);
	assert_int_equal(a->anomalies, b->anomalies);
	for (int k = 0; k < RK__COUNT; k++)
		assert_int_equal(a->records[k], b->records[k]);
	assert_int_equal(x->lines, b->lines);
	scan_report_free(&w);
}

static void test_appends(void **state)
{
	(void)state;
	struct ffx x;
	ffx_open(&x, BK_JSON, "events.ndjson");
	ffx_scan(&x);
	assert_int_equal(x.lines, 2);
	assert_int_equal(check(&x, 1000), FW_SAME);
	put(x.path, "a", REC "\n{not json\n");
	assert_int_equal(check(&x, 2000), FW_GREW);
	assert_int_equal(x.lines, 4);
	assert_int_equal(x.r.n_an, 1);
	assert_int_equal(x.r.an[0].line, 4);
	assert_like_whole(&x);
	ffx_free(&x);
}

/* An append larger than a slice is taken in slices, the next one due at
 * once; the result is a whole scan's. */
static void test_large_append_in_slices(void **state)
{
	(void)state;
	struct ffx x;
	ffx_open(&x, BK_JSON, "events.ndjson");
	ffx_scan(&x);
	FILE *w = fopen(x.path, "a");
	assert_non_null(w);
	int64_t n = 0;
	for (long bytes = 0; bytes < FOLLOW_SLICE_BYTES + (1 << 20); bytes += (long)sizeof REC, n++)
		fputs(n % 1000 == 7 ? "{broken\n" : REC "\n", w);
	fclose(w);
	assert_int_equal(check(&x, 1000), FW_GREW);
	assert_true(x.lines < n + 2);
	assert_int_equal(follow_due_ms(x.f, 1000), 0); /* the rest is due now */
	struct follow_result res;
	perr e = { 0 };
	assert_int_equal(follow_check(x.f, 1000, &res, &e), 0);
	assert_int_equal(res.what, FW_GREW);
	assert_int_equal(x.lines, n + 2);
	assert_like_whole(&x);
	ffx_free(&x);
}

static void test_line_being_written(void **state)
{
	(void)state;
	struct ffx x;
	ffx_open(&x, BK_JSON, "events.ndjson");
	ffx_scan(&x);
	put(x.path, "a", "{\"kind\": \"event\", ");
	assert_int_equal(check(&x, 1000), FW_SAME);
	assert_int_equal(follow_pending(x.f), 18);
	assert_int_equal(x.r.n_an, 0); /* being written: no anomaly yet */
	assert_int_equal(check(&x, 1000 + FOLLOW_WRITTEN_MS - 1), FW_SAME);
	assert_int_equal(x.r.n_an, 0);
	assert_int_equal(check(&x, 1000 + FOLLOW_WRITTEN_MS), FW_GREW);
	assert_int_equal(x.r.n_an, 1);
	assert_int_equal(x.r.an[0].type, AN_TRUNCATED_LINE);
	assert_like_whole(&x);
	/* it goes on after all: taken back, scanned again whole */
	put(x.path, "a", "\"event_type\": \"X\", \"timestamp\": 5}\n");
	assert_int_equal(check(&x, 9000), FW_GREW);
	assert_int_equal(x.dropped, 1);
	assert_int_equal(x.r.n_an, 0);
	assert_int_equal(x.lines, 3);
	assert_like_whole(&x);
	ffx_free(&x);
}

/* A file that ends unterminated when the console opens: TRUNCATED_LINE at
 * once (a whole scan), taken back when it is completed. */
static void test_tail_at_open(void **state)
{
	(void)state;
	struct ffx x;
	ffx_open(&x, BK_JSON, "events.ndjson");
	put(x.path, "a", REC);
	ffx_scan(&x);
	assert_int_equal(x.r.n_an, 1);
	assert_int_equal(x.r.files[0].records[RK_EVENT], 3); /* a complete tail is a record */
	put(x.path, "a", "\n");
	assert_int_equal(check(&x, 1000), FW_GREW);
	assert_int_equal(x.r.n_an, 0);
	assert_like_whole(&x);
	ffx_free(&x);
}

static void test_truncation_and_replacement(void **state)
{
	(void)state;
	struct ffx x;
	ffx_open(&x, BK_JSON, "events.ndjson");
	ffx_scan(&x);
	assert_int_equal(truncate(x.path, 10), 0);
	struct follow_result res;
	perr e = { 0 };
	assert_int_equal(follow_check(x.f, 1000, &res, &e), 0);
	assert_int_equal(res.what, FW_RESCAN);
	assert_true(res.identity);
	assert_non_null(strstr(res.banner, "truncated"));
	follow_close(x.f);
	scan_report_free(&x.r);
	ffx_scan(&x);
	char other[160];
	snprintf(other, sizeof other, "%s.new", x.path);
	put(other, "w", REC "\n");
	assert_int_equal(rename(other, x.path), 0);
	follow_drain(x.f);
	assert_int_equal(follow_check(x.f, 2000, &res, &e), 0);
	assert_int_equal(res.what, FW_RESCAN);
	assert_non_null(strstr(res.banner, "replaced"));
	ffx_free(&x);
}

static void test_rotation(void **state)
{
	(void)state;
	struct ffx x;
	ffx_open(&x, BK_ROTATING, "rot.log");
	ffx_scan(&x);
	put(x.path, "a", REC "\n");
	assert_int_equal(check(&x, 1000), FW_GREW); /* P grows in place */
	char p1[160];
	snprintf(p1, sizeof p1, "%s.1", x.path);
	assert_int_equal(rename(x.path, p1), 0);
	put(x.path, "w", REC "\n");
	struct follow_result res;
	perr e = { 0 };
	follow_drain(x.f);
	assert_int_equal(follow_check(x.f, 2000, &res, &e), 0);
	assert_int_equal(res.what, FW_RESCAN);
	assert_non_null(strstr(res.banner, "rotated"));
	ffx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_large_append_in_slices),
		cmocka_unit_test(test_line_being_written),
		cmocka_unit_test(test_tail_at_open),
		cmocka_unit_test(test_truncation_and_replacement),
		cmocka_unit_test(test_rotation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
