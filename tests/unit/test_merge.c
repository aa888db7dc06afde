/* Several stores merged (ui/merge.h): the k-way merge by timestamp keeps
 * each source's storage order (a record without a timestamp stays after
 * the one before it in its source; an unordered source is not re-sorted),
 * ties go to the source given first, the permutation and its inverse
 * agree, and selections walk the merged order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "merge.h"
#include "model.h"

#define NSRC 3

struct mfx {
	char dir[64], path[NSRC][128];
	struct config cfg[NSRC];
	struct backend *b[NSRC];
	struct model m;
};

/* One event whose payload names it; ts < 0: no timestamp. */
static void rec(FILE *f, const char *name, double ts)
{
	fprintf(f, "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": null, \"event_type\": \"E\", "
		   "\"payload\": {\"n\": \"%s\"}", name);
	if (ts >= 0)
		fprintf(f, ", \"timestamp\": %.3f", ts);
	fputs("}\n", f);
}

static void mfx_open(struct mfx *x, const char *const *spec)
{
	memset(x, 0, sizeof *x);
	strcpy(x->dir, "/tmp/papyra-merge-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	char dir[sizeof x->dir];
	memcpy(dir, x->dir, sizeof dir); /* not formatted from inside x: -Werror=restrict */
	for (int s = 0; s < NSRC; s++) {
		snprintf(x->path[s], sizeof x->path[s], "%s/%c.ndjson", dir, 'a' + s);
		FILE *f = fopen(x->path[s], "w");
		assert_non_null(f);
		/* spec: "name:ts name:- ..." */
		char buf[256];
		snprintf(buf, sizeof buf, "%s", spec[s]);
		for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
			char *colon = strchr(tok, ':');
			assert_non_null(colon);
			*colon = '\0';
			rec(f, tok, colon[1] == '-' ? -1 : atof(colon + 1));
		}
		fclose(f);
		x->cfg[s].backend = BK_JSON;
		x->cfg[s].path = x->path[s];
		retention_init(&x->cfg[s].retention);
		perr e = { 0 };
		assert_int_equal(backend_open(&x->cfg[s], &x->b[s], &e), 0);
	}
	perr e = { 0 };
	assert_int_equal(merge_open(&x->m, x->b, NSRC, &e), 0);
	while (model_step(&x->m, 50))
		;
	assert_false(x->m.failed);
}

static void mfx_close(struct mfx *x)
{
	model_close(&x->m);
	for (int s = 0; s < NSRC; s++) {
		backend_close(x->b[s]);
		unlink(x->path[s]);
	}
	rmdir(x->dir);
}

/* The names in the merged order, "a1 b1 ...". */
static void order_names(struct mfx *x, char *out, size_t cap)
{
	size_t k = 0;
	out[0] = '\0';
	char line[512];
	for (size_t pos = 0; pos < x->m.n; pos++) {
		size_t l = model_at(&x->m, pos);
		assert_int_equal(model_pos(&x->m, l), pos);
		long n = model_read(&x->m, l, line, sizeof line - 1);
		assert_true(n > 0);
		line[n] = '\0';
		const char *p = strstr(line, "\"n\": \"");
		assert_non_null(p);
		p += 6;
		k += (size_t)snprintf(out + k, cap - k, "%s%.*s", k ? " " : "", (int)strcspn(p, "\""), p);
	}
}

static void test_merge_by_time_keeps_source_order(void **state)
{
	(void)state;
	struct mfx x;
	/* c is out of time order: c2 (ts 1) stays after c1 (ts 5) */
	static const char *const spec[NSRC] = { "a1:1 a2:3 a3:- a4:4", "b1:2 b2:3 b3:6", "c1:5 c2:1" };
	mfx_open(&x, spec);
	char got[256];
	order_names(&x, got, sizeof got);
	/* a3 has no time: it keeps a2's key (3), so it comes before b2 (3, a given first) */
	assert_string_equal(got, "a1 b1 a2 a3 b2 a4 c1 c2 b3");
	assert_int_equal(merge_src_of_line(&x.m, 0), 0);
	assert_int_equal(merge_src_of_line(&x.m, 4), 1);
	assert_int_equal(merge_src_of_line(&x.m, 7), 2);
	assert_int_equal(merge_src_of_file(&x.m, 2), 2);
	assert_string_equal(merge_tag(2), "c");
	mfx_close(&x);
}

static int is_event(const struct model *m, size_t i, const void *arg)
{
	(void)arg;
	return (m->meta[i] & MF_VALID) && model_kind(m, i) == RK_EVENT;
}

static void test_selection_walks_the_merged_order(void **state)
{
	(void)state;
	struct mfx x;
	static const char *const spec[NSRC] = { "a1:1 a2:4", "b1:2 b2:5", "c1:3" };
	mfx_open(&x, spec);
	struct sel s;
	sel_init(&s, is_event, NULL);
	sel_update(&s, &x.m);
	assert_int_equal(sel_count(&s, &x.m), 5);
	/* rows by time: a1 b1 c1 a2 b2 = lines 0 2 4 1 3 */
	static const size_t want[5] = { 0, 2, 4, 1, 3 };
	for (int r = 0; r < 5; r++) {
		assert_int_equal(sel_line(&s, &x.m, r), want[r]);
		assert_int_equal(sel_row_at(&s, &x.m, want[r]), r);
	}
	sel_free(&s);
	mfx_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_by_time_keeps_source_order),
		cmocka_unit_test(test_selection_walks_the_merged_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
