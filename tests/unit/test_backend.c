/* The store interface (core/backend.h) over the file backends: the
 * incremental scan agrees with ops->scan whatever the deadline, rows read
 * back by position, and following a file or a rotating set (position /
 * since): appends, truncation, rotation. */
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

#define REC "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": null, " \
	    "\"event_type\": \"ActorStarted\", \"payload\": {}, \"timestamp\": 1767225600.125}\n"

struct bfx {
	char dir[64], path[128];
	struct config cfg;
	struct backend *b;
};

static void bfx_open(struct bfx *f, enum backend_kind k)
{
	f->cfg.backend = k;
	f->cfg.path = f->path;
	f->cfg.max_files = 5;
	f->cfg.max_bytes = 1000000;
	retention_init(&f->cfg.retention);
	perr e = { 0 };
	if (backend_open(&f->cfg, &f->b, &e) < 0)
		fail_msg("%s", e.msg);
}

static void bfx_init(struct bfx *f, const char *fixture, const char *name)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/papyra-backend-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
	if (fixture) {
		char cmd[512];
		snprintf(cmd, sizeof cmd, "cp -p tests/fixtures/%s/data/* %s/", fixture, f->dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void bfx_free(struct bfx *f)
{
	backend_close(f->b);
	rm_rf(f->dir);
}

static void append(const char *path, const char *text)
{
	FILE *w = fopen(path, "a");
	assert_non_null(w);
	fputs(text, w);
	fclose(w);
}

/* Lines the sink saw, in order. */
struct seen {
	char where[4096];
	size_t n;
};

static void on_line(void *ctx, const struct scan_line *l)
{
	struct seen *s = ctx;
	size_t k = strlen(s->where);
	snprintf(s->where + k, sizeof s->where - k, "%s:%lld ", px_basename(l->path), (long long)l->line);
	s->n++;
}

static void assert_same_report(const struct scan_report *a, const struct scan_report *b)
{
	assert_int_equal(a->n_an, b->n_an);
	assert_int_equal(a->n_files, b->n_files);
	for (size_t i = 0; i < a->n_an; i++) {
		assert_int_equal(a->an[i].type, b->an[i].type);
		assert_string_equal(a->an[i].path, b->an[i].path);
		assert_int_equal(a->an[i].line, b->an[i].line);
	}
	for (size_t i = 0; i < a->n_files; i++) {
		assert_string_equal(a->files[i].path, b->files[i].path);
		assert_int_equal(a->files[i].lines, b->files[i].lines);
	}
}

/* The sliced scan with a deadline already passed (one slice per step)
 * and ops->scan report the same, in the same order: orphans, each
 * member's temps then lines, oldest member first. */
static void test_incremental_scan_matches_whole(void **state)
{
	(void)state;
	struct bfx f;
	bfx_init(&f, "rot_orphan_7", "rot.log");
	char temp[256];
	snprintf(temp, sizeof temp, "%s/.rot.log.1.papyra-tmp-99", f.dir);
	append(temp, "x");
	append(f.path, "garbage\n");
	bfx_open(&f, BK_ROTATING);
	assert_true(backend_traits(f.b)->rotates);
	struct scan_opts o = { 0 };
	struct scan_report whole, sliced;
	struct seen sw = { "", 0 }, ss = { "", 0 };
	struct scan_sink kw = { &sw, on_line }, ks = { &ss, on_line };
	perr e = { 0 };
	scan_report_init(&whole);
	scan_report_init(&sliced);
	assert_int_equal(f.b->ops->scan(f.b, &o, &kw, &whole, &e), 0);
	struct backend_scan *s;
	assert_int_equal(backend_scan_open(f.b, &o, &ks, &sliced, &s, &e), 0);
	int rc, steps = 0;
	while ((rc = backend_scan_step(s, 1)) == 1)
		steps++;
	assert_int_equal(rc, 0);
	int64_t done, total;
	backend_scan_progress(s, &done, &total);
	assert_true(total > 0);
	assert_int_equal(done, total);
	backend_scan_close(s);
	assert_true(steps >= 1); /* one member per slice at least */
	assert_same_report(&whole, &sliced);
	assert_string_equal(sw.where, ss.where);
	assert_int_equal(whole.an[0].type, AN_ORPHANED_ROTATED_FILE);
	assert_int_equal(whole.an[whole.n_an - 1].type, AN_CORRUPTED_LINE);
	scan_report_free(&whole);
	scan_report_free(&sliced);
	bfx_free(&f);
}

static void test_read_row_file(void **state)
{
	(void)state;
	struct bfx f;
	bfx_init(&f, NULL, "events.ndjson");
	append(f.path, REC "garbage\n");
	bfx_open(&f, BK_JSON);
	struct backend_row row;
	perr e = { 0 };
	struct backend_rowref ref = { .path = f.path, .offset = sizeof REC - 1, .length = 7 };
	assert_int_equal(f.b->ops->read_row(f.b, &ref, &row, &e), 1);
	assert_int_equal(row.len, 7);
	assert_memory_equal(row.data, "garbage", 7);
	free(row.data);
	/* past the end: what is there (nothing), never a crash */
	ref.offset = 10000;
	assert_int_equal(f.b->ops->read_row(f.b, &ref, &row, &e), 1);
	assert_int_equal(row.len, 0);
	free(row.data);
	unlink(f.path);
	assert_int_equal(f.b->ops->read_row(f.b, &ref, &row, &e), 0);
	bfx_free(&f);
}

static void test_since_single_file(void **state)
{
	(void)state;
	struct bfx f;
	bfx_init(&f, NULL, "events.ndjson");
	bfx_open(&f, BK_JSON);
	perr e = { 0 };
	struct backend_pos pos;
	struct backend_growth g;
	/* missing, then created */
	assert_int_equal(f.b->ops->position(f.b, &pos, &e), 0);
	assert_int_equal(pos.n, 1);
	assert_false(pos.v[0].exists);
	append(f.path, REC);
	assert_int_equal(f.b->ops->since(f.b, &pos, &g, &e), 0);
	assert_int_equal(g.v[0].state, GROW_NEW);
	assert_int_equal(g.v[0].to, sizeof REC - 1);
	assert_true(g.grew);
	backend_growth_free(&g);
	backend_pos_free(&pos);
	/* appended */
	assert_int_equal(f.b->ops->position(f.b, &pos, &e), 0);
	assert_int_equal(f.b->ops->since(f.b, &pos, &g, &e), 0);
	assert_int_equal(g.v[0].state, GROW_SAME);
	assert_false(g.grew);
	backend_growth_free(&g);
	append(f.path, REC REC);
	assert_int_equal(f.b->ops->since(f.b, &pos, &g, &e), 0);
	assert_int_equal(g.v[0].state, GROW_APPENDED);
	assert_int_equal(g.v[0].from, sizeof REC - 1);
	assert_int_equal(g.v[0].to, 3 * (sizeof REC - 1));
	assert_false(g.rescan);
	backend_growth_free(&g);
	/* truncated under us: rescan */
	assert_int_equal(truncate(f.path, 10), 0);
	assert_int_equal(f.b->ops->since(f.b, &pos, &g, &e), 0);
	assert_int_equal(g.v[0].state, GROW_REPLACED);
	assert_true(g.rescan);
	backend_growth_free(&g);
	backend_pos_free(&pos);
	bfx_free(&f);
}

static void test_since_rotating_set(void **state)
{
	(void)state;
	struct bfx f;
	bfx_init(&f, "rot_clean", "rot.log");
	bfx_open(&f, BK_ROTATING);
	perr e = { 0 };
	struct backend_pos pos;
	struct backend_growth g;
	assert_int_equal(f.b->ops->position(f.b, &pos, &e), 0);
	assert_true(pos.n >= 2);
	assert_string_equal(px_basename(pos.v[pos.n - 1].unit), "rot.log"); /* reading order: active last */
	append(f.path, REC);
	assert_int_equal(f.b->ops->since(f.b, &pos, &g, &e), 0);
	assert_true(g.grew);
	assert_false(g.rescan);
	assert_int_equal(g.v[pos.n - 1].state, GROW_APPENDED);
	for (size_t i = 0; i + 1 < pos.n; i++)
		assert_int_equal(g.v[i].state, GROW_SAME);
	backend_growth_free(&g);
	/* the writer rotates: every member moves up one, a new active file */
	char from[256], to[256];
	for (int k = 4; k >= 0; k--) {
		if (k)
			snprintf(from, sizeof from, "%s.%d", f.path, k);
		else
			snprintf(from, sizeof from, "%s", f.path);
		snprintf(to, sizeof to, "%s.%d", f.path, k + 1);
		if (access(from, F_OK) == 0 && k + 1 < 5)
			assert_int_equal(rename(from, to), 0);
	}
	append(f.path, REC);
	assert_int_equal(f.b->ops->since(f.b, &pos, &g, &e), 0);
	assert_true(g.rescan);
	backend_growth_free(&g);
	backend_pos_free(&pos);
	bfx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_scan_matches_whole),
		cmocka_unit_test(test_read_row_file),
		cmocka_unit_test(test_since_single_file),
		cmocka_unit_test(test_since_rotating_set),
	};
	return cmocka_run_group_tests_name("backend", tests, NULL, NULL);
}
