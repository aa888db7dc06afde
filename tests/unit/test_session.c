/* Recovery and compaction sessions (core/session.c): plan -> apply ->
 * verify -> journal -> outcome, on success, on a stale plan, and for a
 * compaction whose file changed since the preview. */
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
#include "session.h"

#define REC "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": null, " \
	    "\"event_type\": \"ActorStarted\", \"payload\": {}, \"timestamp\": 1767225600.125}\n"

struct sfx {
	char dir[64], path[128], journal[128];
	struct config cfg;
	struct backend *b;
	struct scan_report rep, ver;
	struct plan plan;
	struct apply_result res;
};

static void sfx_init(struct sfx *f, const char *data)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/papyra-session-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/events.ndjson", f->dir);
	snprintf(f->journal, sizeof f->journal, "%s/state/journal.ndjson", f->dir);
	write_file(f->path, data, strlen(data));
	f->cfg.backend = BK_JSON;
	f->cfg.path = f->path;
	retention_init(&f->cfg.retention);
	perr e = { 0 };
	assert_int_equal(backend_open(&f->cfg, &f->b, &e), 0);
	scan_report_init(&f->rep);
	scan_report_init(&f->ver);
	plan_init(&f->plan);
	struct scan_opts o = { 0 };
	assert_int_equal(f->b->ops->scan(f->b, &o, NULL, &f->rep, &e), 0);
}

static void sfx_free(struct sfx *f)
{
	backend_close(f->b);
	rm_rf(f->dir);
	scan_report_free(&f->rep);
	scan_report_free(&f->ver);
	plan_free(&f->plan);
	apply_result_free(&f->res);
}

static struct recover_session sfx_session(struct sfx *f)
{
	return (struct recover_session){ .b = f->b, .scan = &f->rep, .plan = &f->plan, .res = &f->res,
					 .verify = &f->ver, .command = "test", .journal = f->journal };
}

static void test_recover_session_outcome(void **state)
{
	(void)state;
	struct sfx f;
	sfx_init(&f, REC "garbage\n" REC);
	struct recover_session s = sfx_session(&f);
	perr e = { 0 };
	assert_int_equal(session_recover_plan(&s, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(f.plan.n, 1);
	assert_int_equal(session_recover_run(&s, NULL), 0);
	assert_int_equal(s.out.total, 1);
	assert_int_equal(s.out.applied, 1);
	assert_false(s.out.failed);
	assert_true(s.out.verified);
	assert_int_equal(f.ver.n_an, 0);
	assert_true(s.out.journaled);
	assert_true(s.out.bytes_known);
	assert_int_equal(s.out.records_before, 2);
	assert_int_equal(s.out.records_after, 2);
	assert_int_equal(s.out.bytes_before - s.out.bytes_after, 8);
	struct buf j = read_all(f.journal);
	assert_non_null(strstr(j.p, "\"status\":\"complete\""));
	assert_non_null(strstr(j.p, "\"records_before\":2,\"records_after\":2"));
	free(j.p);
	sfx_free(&f);
}

/* The file is replaced (another inode) between plan and apply: nothing
 * applied, the reason is STALE, the store is verified anyway and the
 * journal says "failed".  (Growth alone is caught up: the store is live.) */
static void test_recover_session_stale(void **state)
{
	(void)state;
	struct sfx f;
	sfx_init(&f, REC "garbage\n" "bad\n");
	scan_report_init_bounded(&f.ver, 1); /* the verification keeps the caller's bound */
	struct recover_session s = sfx_session(&f);
	perr e = { 0 };
	assert_int_equal(session_recover_plan(&s, RM_REPAIR, NULL, &e), 0);
	char other[512];
	snprintf(other, sizeof other, "%s.other", f.path);
	FILE *w = fopen(other, "w");
	assert_non_null(w);
	fputs(REC "garbage\n" "bad\n", w);
	fclose(w);
	assert_int_equal(rename(other, f.path), 0);
	assert_int_equal(session_recover_run(&s, NULL), -1);
	assert_true(s.out.failed);
	assert_int_equal(s.out.err.reason, PR_STALE);
	assert_int_equal(s.out.applied, 0);
	assert_non_null(strstr(s.out.failure, "Recovery failed after 0 of 2 actions: "));
	assert_true(s.out.verified);
	assert_int_equal(f.ver.n_an, 2);
	assert_int_equal(f.ver.n_mem, 1);
	assert_true(s.out.journaled);
	struct buf j = read_all(f.journal);
	assert_non_null(strstr(j.p, "\"status\":\"failed\""));
	free(j.p);
	sfx_free(&f);
}

/* The preview was made from a scan; the file changed since: refused with
 * STALE before anything is rewritten, nothing journaled. */
static void test_compact_session_unchanged_check(void **state)
{
	(void)state;
	struct sfx f;
	sfx_init(&f, REC REC REC);
	f.cfg.retention.max_records = 1;
	FILE *w = fopen(f.path, "a");
	assert_non_null(w);
	fputs(REC, w);
	fclose(w);
	struct compact_session cs = { .b = f.b, .scan = &f.rep, .ret = &f.cfg.retention, .verify = &f.ver,
				      .command = "test", .journal = f.journal, .check_unchanged = 1 };
	assert_int_equal(session_compact_run(&cs), -1);
	assert_int_equal(cs.out.err.reason, PR_STALE);
	assert_non_null(strstr(cs.out.err.msg, "changed since the scan"));
	assert_false(cs.out.journaled);
	struct buf now = read_all(f.path);
	assert_int_equal(now.n, 4 * (sizeof REC - 1));
	free(now.p);
	/* rescanned, it goes through and is journaled */
	scan_report_free(&f.rep);
	scan_report_init(&f.rep);
	struct scan_opts o = { 0 };
	perr e = { 0 };
	assert_int_equal(f.b->ops->scan(f.b, &o, NULL, &f.rep, &e), 0);
	assert_int_equal(session_compact_run(&cs), 0);
	assert_int_equal(cs.out.records_before, 4);
	assert_int_equal(cs.out.records_after, 1);
	assert_true(cs.out.verified);
	assert_true(cs.out.journaled);
	struct buf j = read_all(f.journal);
	assert_non_null(strstr(j.p, "\"mode\":\"compact\""));
	assert_non_null(strstr(j.p, "\"lines_dropped\":3"));
	free(j.p);
	sfx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recover_session_outcome),
		cmocka_unit_test(test_recover_session_stale),
		cmocka_unit_test(test_compact_session_unchanged_check),
	};
	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
