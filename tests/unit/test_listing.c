/* The listing engine (core/listing.c): which records a listing shows and
 * in which order, whatever path it takes (one pass with the ring of the
 * newest N, two passes past its bound, the reversed output spilled to a
 * temporary file), with retention, filters and records longer than the
 * scanner's buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "listing.h"

struct lfx {
	char dir[64], path[128];
	struct config cfg;
	struct backend *b;
	struct strbuf out; /* every line written, each followed by "\n" */
	int64_t emitted;
};

static void ev(FILE *f, int i, const char *type, int actor)
{
	fprintf(f, "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": {\"system\": \"local\", "
		   "\"actor_id\": %d}, \"event_type\": \"%s\", \"payload\": {}, \"timestamp\": %d}\n",
		actor, type, 1000 + i);
}

/* n events at timestamps 1000.., types alternating, actors i % 3, with a
 * damaged line and an audit in between. */
static void lfx_init(struct lfx *f, int n)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/papyra-listing-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/events.ndjson", f->dir);
	FILE *w = fopen(f->path, "w");
	assert_non_null(w);
	for (int i = 0; i < n; i++) {
		ev(w, i, i % 2 ? "ActorStopped" : "ActorStarted", i % 3);
		if (i == 1)
			fputs("{broken\n{\"kind\": \"audit\", \"timestamp\": 1, \"total\": 3}\n", w);
	}
	fclose(w);
	f->cfg.backend = BK_JSON;
	f->cfg.path = f->path;
	retention_init(&f->cfg.retention);
	perr e = { 0 };
	assert_int_equal(backend_open(&f->cfg, &f->b, &e), 0);
}

static void lfx_free(struct lfx *f)
{
	backend_close(f->b);
	strbuf_free(&f->out);
	rm_rf(f->dir);
}

static int emit_ts(void *ctx, const struct record *r, struct strbuf *line, perr *e)
{
	(void)ctx;
	(void)e;
	strbuf_printf(line, "%.0f %s %s", r->ts, r->type.p, r->addr.text.p);
	return 0;
}

static void write_line(void *ctx, const char *p, size_t n)
{
	struct lfx *f = ctx;
	strbuf_add(&f->out, p, n);
	strbuf_add(&f->out, "\n", 1);
}

static void run(struct lfx *f, const struct listing_opts *o)
{
	struct listing_out out = { f, emit_ts, write_line };
	perr e = { 0 };
	f->out.n = 0;
	strbuf_puts(&f->out, "");
	assert_int_equal(listing_run(f->b, o, &out, &f->emitted, &e), 0);
}

static void test_all_in_order(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, 4);
	struct listing_opts o = { .kind = RK_EVENT, .limit = -1 };
	run(&f, &o);
	assert_int_equal(f.emitted, 4);
	assert_string_equal(f.out.p, "1000 ActorStarted local:0\n1001 ActorStopped local:1\n"
				     "1002 ActorStarted local:2\n1003 ActorStopped local:0\n");
	o.reverse = 1;
	run(&f, &o);
	assert_string_equal(f.out.p, "1003 ActorStopped local:0\n1002 ActorStarted local:2\n"
				     "1001 ActorStopped local:1\n1000 ActorStarted local:0\n");
	lfx_free(&f);
}

static void test_limit_ring_and_filters(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, 10);
	struct listing_opts o = { .kind = RK_EVENT, .limit = 2 };
	run(&f, &o);
	assert_string_equal(f.out.p, "1008 ActorStarted local:2\n1009 ActorStopped local:0\n");
	o.reverse = 1;
	run(&f, &o);
	assert_string_equal(f.out.p, "1009 ActorStopped local:0\n1008 ActorStarted local:2\n");
	struct listing_opts q = { .kind = RK_EVENT, .limit = -1, .event_type = "ActorStopped",
				  .target = "local://0", .has_since = 1, .since = 1002 };
	run(&f, &q);
	assert_string_equal(f.out.p, "1003 ActorStopped local:0\n1009 ActorStopped local:0\n");
	struct listing_opts a = { .kind = RK_AUDIT, .limit = -1 };
	run(&f, &a);
	assert_int_equal(f.emitted, 1);
	struct listing_opts z = { .kind = RK_EVENT, .limit = 0 };
	run(&f, &z);
	assert_int_equal(f.emitted, 0);
	lfx_free(&f);
}

/* Past the ring's bound: two passes (count, then emit), same answer. */
static void test_limit_two_passes(void **state)
{
	(void)state;
	struct lfx f;
	int n = LISTING_TAIL_MAX_RECORDS + 10;
	lfx_init(&f, n);
	struct listing_opts o = { .kind = RK_EVENT, .limit = LISTING_TAIL_MAX_RECORDS + 1 };
	run(&f, &o);
	assert_int_equal(f.emitted, LISTING_TAIL_MAX_RECORDS + 1);
	char first[64];
	snprintf(first, sizeof first, "%d ", 1000 + n - LISTING_TAIL_MAX_RECORDS - 1);
	assert_memory_equal(f.out.p, first, strlen(first));
	o.reverse = 1;
	run(&f, &o);
	char last[64];
	snprintf(last, sizeof last, "%d ", 1000 + n - 1);
	assert_memory_equal(f.out.p, last, strlen(last));
	lfx_free(&f);
}

/* Reversed output beyond the memory bound goes through the temporary file
 * and comes back newest first, every line once. */
static int emit_wide(void *ctx, const struct record *r, struct strbuf *line, perr *e)
{
	(void)ctx;
	(void)e;
	strbuf_printf(line, "%.0f %0512d", r->ts, 0);
	return 0;
}

static void test_reverse_spills(void **state)
{
	(void)state;
	struct lfx f;
	int n = (int)(LISTING_STORE_MEM_MAX / 512) + 2000;
	lfx_init(&f, n);
	struct listing_opts o = { .kind = RK_EVENT, .limit = -1, .reverse = 1 };
	struct listing_out out = { &f, emit_wide, write_line };
	perr e = { 0 };
	assert_int_equal(listing_run(f.b, &o, &out, &f.emitted, &e), 0);
	assert_int_equal(f.emitted, n);
	const char *p = f.out.p;
	for (int i = n - 1; i >= 0; i--) {
		char want[16];
		int k = snprintf(want, sizeof want, "%d ", 1000 + i);
		assert_memory_equal(p, want, (size_t)k);
		const char *nl = memchr(p, '\n', f.out.n - (size_t)(p - f.out.p));
		assert_non_null(nl);
		p = nl + 1;
	}
	assert_int_equal((size_t)(p - f.out.p), f.out.n);
	lfx_free(&f);
}

static void test_retention_and_tally(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, 6);
	f.cfg.retention.max_records = 3;
	struct listing_opts o = { .kind = RK_EVENT, .limit = -1, .ret = &f.cfg.retention, .now = 2000 };
	run(&f, &o);
	/* the stored view keeps the newest 3 records of the store (any kind) */
	assert_string_equal(f.out.p, "1003 ActorStopped local:0\n1004 ActorStarted local:1\n"
				     "1005 ActorStopped local:2\n");
	int64_t tally[RK__COUNT] = { 0 };
	perr e = { 0 };
	assert_int_equal(listing_tally(f.b, &o, tally, &e), 0);
	assert_int_equal(tally[RK_EVENT], 3);
	assert_int_equal(tally[RK_AUDIT], 0);
	struct listing_opts all = { .kind = RK_EVENT };
	assert_int_equal(listing_tally(f.b, &all, tally, &e), 0);
	assert_int_equal(tally[RK_EVENT], 6);
	assert_int_equal(tally[RK_AUDIT], 1);
	lfx_free(&f);
}

/* A record longer than the scanner's buffer is read back and listed. */
#define LONG_PAYLOAD (3u << 20)
static void test_long_record(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, 1);
	FILE *w = fopen(f.path, "a");
	assert_non_null(w);
	fputs("{\"kind\": \"event\", \"event_type\": \"Big\", \"payload\": {\"blob\": \"", w);
	for (size_t i = 0; i < LONG_PAYLOAD; i++)
		fputc('a', w);
	fputs("\"}, \"actor_address\": \"local:7\", \"timestamp\": 5000}\n", w);
	fclose(w);
	struct listing_opts o = { .kind = RK_EVENT, .limit = -1 };
	run(&f, &o);
	assert_string_equal(f.out.p, "1000 ActorStarted local:0\n5000 Big local:7\n");
	lfx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_in_order),
		cmocka_unit_test(test_limit_ring_and_filters),
		cmocka_unit_test(test_limit_two_passes),
		cmocka_unit_test(test_reverse_spills),
		cmocka_unit_test(test_retention_and_tally),
		cmocka_unit_test(test_long_record),
	};
	return cmocka_run_group_tests_name("listing", tests, NULL, NULL);
}
