/* cmocka tests for the Redis Streams backend (core/redis_conn.c,
 * core/redis_scan.c, core/redis_apply.c) and scan_classify_record.
 *
 * Offline: URL parsing and redaction, stream ids, quarantine keys, and that
 * a record is classified exactly as the file scanner classifies the same
 * bytes as a line.  Live, only when PAPYRA_TEST_REDIS_URL names a scratch
 * database (tests/cli/t_redis.sh starts a server and runs this binary):
 * apply refuses entries that changed since the scan, and large plans go
 * through in batches. */
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
#include "model.h"
#include "redis_conn.h"
#include "redis_store.h"
#include "scan.h"
#include "schema.h"

/* ---- URLs ----------------------------------------------------------------- */

static void test_url_defaults_and_forms(void **state)
{
	(void)state;
	struct redis_url u;
	perr e = { 0 };
	assert_int_equal(redis_url_parse("redis://", &u, &e), 0);
	assert_string_equal(u.host, "localhost");
	assert_int_equal(u.port, 6379);
	assert_int_equal(u.db, 0);
	assert_null(u.password);
	redis_url_free(&u);

	assert_int_equal(redis_url_parse("redis://bob:p%40ss:w@cache.example:6380/3", &u, &e), 0);
	assert_string_equal(u.host, "cache.example");
	assert_int_equal(u.port, 6380);
	assert_int_equal(u.db, 3);
	assert_string_equal(u.user, "bob");
	assert_string_equal(u.password, "p@ss:w");
	assert_string_equal(u.display, "redis://bob:***@cache.example:6380/3");
	redis_url_free(&u);

	/* an unescaped '@' stays inside the password */
	assert_int_equal(redis_url_parse("redis://:a@b@[::1]:7000", &u, &e), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 7000);
	assert_null(u.user);
	assert_string_equal(u.password, "a@b");
	assert_string_equal(u.display, "redis://:***@[::1]:7000");
	redis_url_free(&u);

	assert_int_equal(redis_url_parse("unix:///run/redis.sock?db=2&password=zz&x=1", &u, &e), 0);
	assert_null(u.host);
	assert_string_equal(u.socket, "/run/redis.sock");
	assert_int_equal(u.db, 2);
	assert_string_equal(u.password, "zz");
	assert_string_equal(u.display, "unix:///run/redis.sock?db=2&password=***&x=1");
	redis_url_free(&u);
}

static void test_url_tls_and_sentinel(void **state)
{
	(void)state;
	struct redis_url u;
	perr e = { 0 };
	assert_int_equal(redis_url_parse("rediss://:pw@cache.example:6380/2", &u, &e), 0);
	assert_true(u.tls);
	assert_string_equal(u.host, "cache.example");
	assert_int_equal(u.port, 6380);
	assert_int_equal(u.db, 2);
	assert_int_equal(u.n_sentinels, 0);
	redis_url_free(&u);
	assert_true(redis_url_is_tls("REDISS://h"));
	assert_true(redis_url_is_tls("rediss-sentinel://h/m"));
	assert_false(redis_url_is_tls("redis://h"));
	assert_false(redis_url_is_tls("redis-sentinel://h/m"));

	assert_int_equal(redis_url_parse("redis-sentinel://u:p%2Fw@s1,s2:26380,[::1]:7/my%20master/3?password=x", &u, &e), 0);
	assert_false(u.tls);
	assert_null(u.host);
	assert_int_equal(u.n_sentinels, 3);
	assert_string_equal(u.sentinels[0].host, "s1");
	assert_int_equal(u.sentinels[0].port, 26379);
	assert_string_equal(u.sentinels[1].host, "s2");
	assert_int_equal(u.sentinels[1].port, 26380);
	assert_string_equal(u.sentinels[2].host, "::1");
	assert_int_equal(u.sentinels[2].port, 7);
	assert_string_equal(u.master, "my master");
	assert_int_equal(u.db, 3);
	assert_string_equal(u.user, "u");
	assert_string_equal(u.password, "x"); /* the query wins, as in redis-py */
	assert_string_equal(u.display, "redis-sentinel://u:***@s1,s2:26380,[::1]:7/my%20master/3?password=***");
	redis_url_free(&u);

	assert_int_equal(redis_url_parse("rediss+sentinel:///m", &u, &e), 0);
	assert_true(u.tls);
	assert_int_equal(u.n_sentinels, 1);
	assert_string_equal(u.sentinels[0].host, "localhost");
	assert_string_equal(u.master, "m");
	assert_int_equal(u.db, 0);
	redis_url_free(&u);
}

static void test_url_refusals(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"http://localhost", "redis://host:0", "redis://host:99999",
		"redis://host:12a", "redis://host/abc", "redis://::1:6379", "unix://host/sock",
		"unix://", "redis://h?db=-1", "redis-sentinel://h:26379", "redis-sentinel://h:26379/",
		"redis-sentinel://h1,,h2/m", "redis-sentinel://h1,/m", "redis-sentinel://,h1/m",
		"redis-sentinel://h/m/x", "redis-sentinel://h:0/m", "redis-sentinel://a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q/m",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct redis_url u;
		perr e = { 0 };
		assert_int_equal(redis_url_parse(bad[i], &u, &e), -1);
		assert_int_equal(e.code, PX_USAGE);
		redis_url_free(&u);
	}
	/* the message never shows the password */
	struct redis_url u;
	perr e = { 0 };
	assert_int_equal(redis_url_parse("redis://:hunter2@h:bad", &u, &e), -1);
	assert_null(strstr(e.msg, "hunter2"));
	assert_non_null(strstr(e.msg, "redis://:***@h:bad"));
	redis_url_free(&u);
}

static void test_url_redact(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "redis://localhost:6379/0", "redis://localhost:6379/0" },
		{ "redis://u:secret@h/1", "redis://u:***@h/1" },
		{ "redis://:secret@h", "redis://:***@h" },
		{ "redis://user@h", "redis://user@h" },
		{ "garbage:secret@x", "garbage:***@x" },
		{ "redis://h/0?password=secret&db=1", "redis://h/0?password=***&db=1" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *r = redis_url_redact(cases[i][0]);
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
}

/* Redis Cluster's hash slots: the examples of the cluster specification
 * (CRC16 of "123456789" is 0x31C3) and its hash-tag rules. */
static unsigned slot_of(const char *k)
{
	return redis_key_slot(k, strlen(k));
}

static void test_cluster_slots(void **state)
{
	(void)state;
	assert_int_equal(slot_of("123456789"), 0x31C3 % REDIS_CLUSTER_SLOTS);
	assert_int_equal(slot_of("papyra:local:events"), 6897); /* redis-cli CLUSTER KEYSLOT */
	assert_int_equal(slot_of("{user1000}.following"), slot_of("{user1000}.followers"));
	assert_int_equal(slot_of("{user1000}.following"), slot_of("user1000"));
	assert_int_equal(slot_of("foo{}{bar}"), redis_key_slot("foo{}{bar}", 10)); /* empty tag: all */
	assert_int_not_equal(slot_of("foo{}{bar}"), slot_of("bar"));
	assert_int_equal(slot_of("foo{{bar}}zap"), slot_of("{bar"));
	assert_int_equal(slot_of("foo{bar}{zap}"), slot_of("bar"));
	assert_int_equal(slot_of("{papyra}:local:events"), slot_of("{papyra}:local:quarantine:{papyra}_local_events"));
	assert_int_equal(slot_of("no{close"), redis_key_slot("no{close", 8));
	/* binary keys: the length ends them, not a NUL */
	assert_int_equal(redis_key_slot("{a\0b}", 5), redis_key_slot("a\0b", 3));
	assert_int_not_equal(redis_key_slot("{a\0b}", 5), slot_of("a"));
}

static void test_ids_and_quarantine_key(void **state)
{
	(void)state;
	uint64_t ms, seq;
	assert_int_equal(redis_id_parse("1767225600000-7", &ms, &seq), 0);
	assert_true(ms == 1767225600000ull && seq == 7);
	assert_int_equal(redis_id_parse("42", &ms, &seq), 0);
	assert_true(ms == 42 && seq == 0);
	assert_int_equal(redis_id_parse("1-", &ms, &seq), -1);
	assert_int_equal(redis_id_parse("x-1", &ms, &seq), -1);
	assert_int_equal(redis_id_parse("1-2-3", &ms, &seq), -1);

	struct redis_store st;
	memset(&st, 0, sizeof st);
	st.quarantine_prefix = (char *)"papyra:local:quarantine";
	perr e = { 0 };
	char *q = redis_quarantine_key(&st, "papyra:local:events", &e);
	assert_string_equal(q, "papyra:local:quarantine:papyra_local_events");
	free(q);
}

/* ---- scan_classify_record agrees with the file scanner --------------------- */

struct seen {
	unsigned flags;
	enum rec_kind kind;
	double ts;
};

static void on_line(void *ctx, const struct scan_line *l)
{
	*(struct seen *)ctx = (struct seen){ l->flags, l->kind, l->ts };
}

static void test_classify_matches_file_scanner(void **state)
{
	(void)state;
	static const char *const recs[] = {
		"{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": \"local:1\", "
		"\"event_type\": \"ActorStarted\", \"payload\": {}, \"timestamp\": 1767225600.5}",
		"{\"kind\": \"audit\", \"timestamp\": \"2026-01-01\"}",
		"{\"kind\": \"dead_letter\", \"timestamp\": NaN}",
		"{\"\\u006bind\": \"event\"}",
		"{\"kind\": \"mystery\", \"timestamp\": 1}",
		"{not json",
		"",
		"42",
		"[1,2]",
		"\"just a string\"",
		"{\"a\": 1} {\"b\": 2}",
	};
	static struct jsonv v;
	struct jsonv_field f[SF__COUNT];
	struct jsonv_capture cap;
	schema_capture_init(f, &cap);
	char dir[] = "/tmp/papyra-test-redis.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/one.ndjson", dir);
	for (int strict = 0; strict < 2; strict++) {
		for (size_t i = 0; i < sizeof recs / sizeof *recs; i++) {
			FILE *fp = fopen(path, "w");
			assert_non_null(fp);
			fprintf(fp, "%s\n", recs[i]);
			fclose(fp);
			struct seen file = { 0 };
			struct scan_sink sink = { &file, on_line };
			struct scan_opts o = { .strict = strict };
			struct scan_report r;
			perr e = { 0 };
			scan_report_init(&r);
			assert_int_equal(scan_ndjson_file(path, path, &o, &sink, &r, &e), 0);

			struct scan_line sl;
			char why[256];
			memset(&sl, 0, sizeof sl);
			enum scan_verdict vd = scan_classify_record(recs[i], strlen(recs[i]), strict, &v, &cap,
								    &sl, why, sizeof why);
			assert_int_equal(sl.flags, file.flags);
			assert_int_equal(sl.kind, file.kind);
			if (sl.flags & SL_TS_NUMBER && sl.ts == sl.ts)
				assert_true(sl.ts == file.ts);
			assert_int_equal(vd == SV_OBJECT, (file.flags & SL_VALID) != 0);
			assert_int_equal(vd == SV_OBJECT ? 0 : 1, (sl.fields == NULL));
			/* the file scanner's anomalies: one per bad line, plus the strict one */
			size_t expect = (vd != SV_OBJECT) + ((sl.flags & SL_SCHEMA) != 0);
			assert_int_equal(r.n_an, expect);
			scan_report_free(&r);
		}
	}
	unlink(path);
	rmdir(dir);
}

/* ---- live, against a scratch database -------------------------------------- */

struct live {
	const char *url;
	struct config cfg;
	struct redis_conn raw; /* a second client: "someone else" changing data */
};

static int live_setup(void **state)
{
	static struct live L;
	memset(&L, 0, sizeof L);
	L.url = getenv("PAPYRA_TEST_REDIS_URL");
	*state = &L;
	if (!L.url || !*L.url)
		return 0;
	L.cfg.backend = BK_REDIS;
	L.cfg.redis_url = (char *)L.url;
	L.cfg.prefix = (char *)"ptest";
	L.cfg.system_id = (char *)"u";
	L.cfg.quarantine_prefix = (char *)"ptest:u:quarantine";
	retention_init(&L.cfg.retention);
	perr e = { 0 };
	return redis_conn_open(&L.raw, L.url, NULL, &e);
}

static int live_teardown(void **state)
{
	struct live *L = *state;
	if (L->raw.display)
		redis_conn_close(&L->raw);
	return 0;
}

static void raw(struct live *L, int argc, const char **argv)
{
	perr e = { 0 };
	redisReply *r = redis_conn_command(&L->raw, -1, argv[0], argc, argv, NULL, &e);
	if (!r)
		fail_msg("%s", e.msg);
	freeReplyObject(r);
}

static void reset(struct live *L)
{
	const char *del[] = { "DEL", "ptest:u:events", "ptest:u:audits", "ptest:u:dead_letters",
			      "ptest:u:quarantine:ptest_u_events" };
	raw(L, 5, del);
}

static void xadd(struct live *L, const char *id, const char *data)
{
	const char *argv[] = { "XADD", "ptest:u:events", id, "data", data };
	raw(L, 5, argv);
}

static long long xlen(struct live *L, const char *key)
{
	perr e = { 0 };
	const char *argv[] = { "XLEN", key };
	redisReply *r = redis_conn_command(&L->raw, REDIS_REPLY_INTEGER, "XLEN", 2, argv, NULL, &e);
	assert_non_null(r);
	long long n = r->integer;
	freeReplyObject(r);
	return n;
}

static const char GOOD[] = "{\"kind\": \"event\", \"timestamp\": 1.5}";

/* scan + plan on a fresh backend; returns it open */
static struct backend *scan_plan(struct live *L, enum recovery_mode m, struct scan_report *r,
				 struct plan *p)
{
	struct backend *b;
	perr e = { 0 };
	struct scan_opts o = { 0 };
	if (backend_open(&L->cfg, &b, &e) < 0)
		fail_msg("%s", e.msg);
	scan_report_init(r);
	plan_init(p);
	assert_int_equal(b->ops->scan(b, &o, NULL, r, &e), 0);
	assert_int_equal(b->ops->plan(b, r, m, NULL, p, &e), 0);
	/* every entry action names the anomaly it answers */
	for (size_t i = 0; i < p->n; i++) {
		assert_int_equal(p->v[i].n_anomalies, 1);
		assert_true(p->v[i].anomaly < r->n_an);
		assert_string_equal(r->an[p->v[i].anomaly].id, p->v[i].id);
	}
	return b;
}

static void test_live_entry_deleted_since_scan(void **state)
{
	struct live *L = *state;
	if (!L->url || !*L->url)
		skip();
	reset(L);
	xadd(L, "1-1", GOOD);
	xadd(L, "1-2", "{bad");
	xadd(L, "1-3", "42");
	struct scan_report r;
	struct plan p;
	struct apply_result res = { 0 };
	struct backend *b = scan_plan(L, RM_REPAIR, &r, &p);
	assert_int_equal(r.n_an, 2);
	assert_int_equal(p.n, 2);
	const char *del[] = { "XDEL", "ptest:u:events", "1-3" };
	raw(L, 3, del);
	perr e = { 0 };
	assert_int_equal(b->ops->apply(b, &p, NULL, &res, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "changed since the scan"));
	assert_int_equal(e.reason, PR_STALE);
	assert_non_null(strstr(e.msg, "nothing was applied"));
	assert_int_equal(xlen(L, "ptest:u:events"), 2); /* 1-2 is still there */
	apply_result_free(&res);
	plan_free(&p);
	scan_report_free(&r);
	backend_close(b);
}

static void test_live_entry_rewritten_since_scan(void **state)
{
	struct live *L = *state;
	if (!L->url || !*L->url)
		skip();
	reset(L);
	xadd(L, "1-1", GOOD);
	xadd(L, "1-2", "{bad");
	struct scan_report r;
	struct plan p;
	struct apply_result res = { 0 };
	struct backend *b = scan_plan(L, RM_QUARANTINE, &r, &p);
	/* the key recreated: same id, other bytes */
	reset(L);
	xadd(L, "1-1", GOOD);
	xadd(L, "1-2", "{other");
	perr e = { 0 };
	assert_int_equal(b->ops->apply(b, &p, NULL, &res, &e), -1);
	assert_non_null(strstr(e.msg, "its fields are different"));
	assert_int_equal(xlen(L, "ptest:u:events"), 2);
	assert_int_equal(xlen(L, "ptest:u:quarantine:ptest_u_events"), 0);
	apply_result_free(&res);
	plan_free(&p);
	scan_report_free(&r);
	backend_close(b);
}

/* more bad entries than one batch, both modes */
static void test_live_batches(void **state)
{
	struct live *L = *state;
	if (!L->url || !*L->url)
		skip();
	enum { BAD = 1203, GOOD_N = 10 };
	for (int mode = RM_REPAIR; mode <= RM_QUARANTINE; mode++) {
		reset(L);
		char id[32];
		for (int i = 1; i <= BAD + GOOD_N; i++) {
			snprintf(id, sizeof id, "5-%d", i);
			xadd(L, id, i % ((BAD + GOOD_N) / GOOD_N) == 0 ? GOOD : "[1]");
		}
		struct scan_report r;
		struct plan p;
		struct apply_result res = { 0 };
		struct backend *b = scan_plan(L, (enum recovery_mode)mode, &r, &p);
		assert_int_equal(p.n, BAD + GOOD_N - (BAD + GOOD_N) / ((BAD + GOOD_N) / GOOD_N));
		size_t nbad = p.n;
		perr e = { 0 };
		assert_int_equal(b->ops->apply(b, &p, NULL, &res, &e), 0);
		assert_int_equal(res.lines_dropped, (int64_t)nbad);
		assert_int_equal(res.n_repaired, 1);
		assert_string_equal(res.repaired[0], "ptest:u:events");
		assert_int_equal(xlen(L, "ptest:u:events"), (long long)(BAD + GOOD_N - nbad));
		if (mode == RM_QUARANTINE) {
			assert_int_equal(res.n_quarantined, 1);
			assert_string_equal(res.quarantined[0], "ptest:u:quarantine:ptest_u_events");
			assert_int_equal(xlen(L, "ptest:u:quarantine:ptest_u_events"), (long long)nbad);
		}
		apply_result_free(&res);
		plan_free(&p);
		scan_report_free(&r);
		backend_close(b);
	}
	reset(L);
}

/* Following the streams (backend_ops.position / since): entries added
 * after the position are APPENDED with the lengths then and now; the
 * newest entry deleted means the end moved back: rescan.  read_row reads
 * an entry back by id. */
static void test_live_since_and_read_row(void **state)
{
	struct live *L = *state;
	if (!L->url || !*L->url)
		skip();
	reset(L);
	xadd(L, "5-1", GOOD);
	struct backend *b;
	perr e = { 0 };
	if (backend_open(&L->cfg, &b, &e) < 0)
		fail_msg("%s", e.msg);
	struct backend_pos pos = { 0 };
	assert_int_equal(b->ops->position(b, &pos, &e), 0);
	assert_int_equal(pos.n, 3);
	assert_string_equal(pos.v[0].unit, "ptest:u:events");
	assert_string_equal(pos.v[0].last_id, "5-1");
	assert_false(pos.v[1].exists);
	struct backend_growth g;
	assert_int_equal(b->ops->since(b, &pos, &g, &e), 0);
	assert_false(g.grew);
	assert_false(g.rescan);
	assert_int_equal(g.v[0].state, GROW_SAME);
	backend_growth_free(&g);
	xadd(L, "5-2", GOOD);
	xadd(L, "6-0", "{bad");
	assert_int_equal(b->ops->since(b, &pos, &g, &e), 0);
	assert_true(g.grew);
	assert_false(g.rescan);
	assert_int_equal(g.v[0].state, GROW_APPENDED);
	assert_int_equal(g.v[0].from, 1);
	assert_int_equal(g.v[0].to, 3);
	assert_int_equal(g.v[1].state, GROW_SAME);
	backend_growth_free(&g);
	struct backend_row row;
	struct backend_rowref ref = { .path = "ptest:u:events", .offset = -1, .length = -1, .id = "6-0" };
	assert_int_equal(b->ops->read_row(b, &ref, &row, &e), 1);
	assert_int_equal(row.len, 4);
	assert_memory_equal(row.data, "{bad", 4);
	assert_false(row.fields);
	free(row.data);
	ref.id = "9-9";
	assert_int_equal(b->ops->read_row(b, &ref, &row, &e), 0);
	/* every entry up to the position's newest deleted (the stream stays,
	 * empty): the end moved back, rescan */
	const char *del[] = { "XDEL", "ptest:u:events", "6-0" };
	raw(L, 3, del);
	const char *del2[] = { "XDEL", "ptest:u:events", "5-2" };
	raw(L, 3, del2);
	const char *del3[] = { "XDEL", "ptest:u:events", "5-1" };
	raw(L, 3, del3);
	assert_int_equal(b->ops->since(b, &pos, &g, &e), 0);
	assert_true(g.rescan);
	assert_int_equal(g.v[0].state, GROW_REPLACED);
	backend_growth_free(&g);
	backend_pos_free(&pos);
	backend_close(b);
	reset(L);
}

/* The entry data test_live_model_pages writes for id K-0. */
static int page_data(char *buf, size_t cap, int k)
{
	return snprintf(buf, cap, "{\"kind\": \"event\", \"timestamp\": %d.5, \"payload\": {\"n\": %d}}", k, k);
}

static long long cmd_calls(struct live *L, const char *cmd)
{
	perr e = { 0 };
	const char *argv[] = { "INFO", "commandstats" };
	redisReply *r = redis_conn_command(&L->raw, -1, "INFO", 2, argv, NULL, &e);
	assert_non_null(r);
	char key[64];
	snprintf(key, sizeof key, "cmdstat_%s:calls=", cmd);
	const char *p = r->str ? strstr(r->str, key) : NULL;
	long long n = p ? atoll(p + strlen(key)) : 0;
	freeReplyObject(r);
	return n;
}

static void reset_stats(struct live *L)
{
	const char *argv[] = { "CONFIG", "RESETSTAT" };
	raw(L, 2, argv);
}

/* Every row read back in both directions after entries were deleted
 * since the index, one round trip a page (issue 10 item 7). */
static void check_rows(struct model *m, int dir, const int *gone, size_t n_gone)
{
	char buf[256], want[256];
	for (int k = 0; k < (int)m->n; k++) {
		size_t i = dir > 0 ? (size_t)k : m->n - 1 - (size_t)k;
		int id = (int)i + 1, deleted = 0;
		for (size_t g = 0; g < n_gone; g++)
			deleted |= gone[g] == id;
		long n = model_read(m, i, buf, sizeof buf);
		if (deleted) {
			assert_int_equal(n, -1);
			assert_non_null(strstr(m->read_err, "is no longer in"));
			continue;
		}
		int w = page_data(want, sizeof want, id);
		if (n != w || memcmp(buf, want, (size_t)w) != 0)
			fail_msg("row %zu (dir %d): '%.*s', not '%s'", i, dir, (int)(n > 0 ? n : 0), buf, want);
	}
}

static void test_live_model_pages(void **state)
{
	struct live *L = *state;
	if (!L->url || !*L->url)
		skip();
	enum { N = 3000 };
	reset(L);
	char id[32], data[256];
	for (int k = 1; k <= N; k++) {
		snprintf(id, sizeof id, "%d-0", k);
		page_data(data, sizeof data, k);
		xadd(L, id, data);
	}
	struct backend *b;
	perr e = { 0 };
	if (backend_open(&L->cfg, &b, &e) < 0)
		fail_msg("%s", e.msg);
	assert_non_null(b->ops->read_rows);

	/* the seam: a run forward, cut by count and by bytes; backward over a gap */
	struct backend_rows rows;
	struct backend_rowref ref = { .path = "ptest:u:events", .offset = -1, .length = -1, .id = "1-0" };
	assert_int_equal(b->ops->read_rows(b, &ref, "3000-0", 1, 100, 1u << 20, &rows, &e), 0);
	assert_int_equal(rows.n, 100);
	assert_true(rows.more);
	assert_string_equal(rows.v[99].id, "100-0");
	backend_rows_free(&rows);
	assert_int_equal(b->ops->read_rows(b, &ref, "3000-0", 1, 100, 1, &rows, &e), 0);
	assert_int_equal(rows.n, 1);
	assert_true(rows.more);
	backend_rows_free(&rows);

	struct model m;
	assert_int_equal(model_open(&m, b, &e), 0);
	while (model_step(&m, 50))
		;
	assert_false(m.failed);
	assert_int_equal(m.n, N);
	const int gone[] = { 1, 10, 1500, 1502, 2999, N };
	char gid[32];
	for (size_t g = 0; g < sizeof gone / sizeof *gone; g++) {
		snprintf(gid, sizeof gid, "%d-0", gone[g]);
		const char *del[] = { "XDEL", "ptest:u:events", gid };
		raw(L, 3, del);
	}
	ref.id = "3000-0";
	assert_int_equal(b->ops->read_rows(b, &ref, "2990-0", -1, 11, 1u << 20, &rows, &e), 0);
	assert_int_equal(rows.n, 9); /* 3000 and 2999 deleted */
	assert_false(rows.more);
	assert_string_equal(rows.v[0].id, "2998-0");
	backend_rows_free(&rows);

	reset_stats(L);
	check_rows(&m, 1, gone, sizeof gone / sizeof *gone);
	long long fwd = cmd_calls(L, "xrange") + cmd_calls(L, "xrevrange");
	if (fwd >= N / 50)
		fail_msg("%lld reads for %d rows forward", fwd, N);
	model_cache_free(&m);
	reset_stats(L);
	check_rows(&m, -1, gone, sizeof gone / sizeof *gone);
	long long back = cmd_calls(L, "xrevrange");
	if (back < 1 || back + cmd_calls(L, "xrange") >= N / 50)
		fail_msg("%lld XREVRANGE, %lld XRANGE for %d rows backward", back, cmd_calls(L, "xrange"), N);
	/* again from the cache and the pages kept: a row just read costs nothing */
	reset_stats(L);
	char buf[256];
	assert_true(model_read(&m, 1, buf, sizeof buf) > 0);
	assert_int_equal(cmd_calls(L, "xrange") + cmd_calls(L, "xrevrange"), 0);
	model_close(&m);
	backend_close(b);
	reset(L);
}

int main(void)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_url_defaults_and_forms),
		cmocka_unit_test(test_url_tls_and_sentinel),
		cmocka_unit_test(test_url_refusals),
		cmocka_unit_test(test_url_redact),
		cmocka_unit_test(test_cluster_slots),
		cmocka_unit_test(test_ids_and_quarantine_key),
		cmocka_unit_test(test_classify_matches_file_scanner),
	};
	const struct CMUnitTest live[] = {
		cmocka_unit_test(test_live_entry_deleted_since_scan),
		cmocka_unit_test(test_live_entry_rewritten_since_scan),
		cmocka_unit_test(test_live_batches),
		cmocka_unit_test(test_live_since_and_read_row),
		cmocka_unit_test(test_live_model_pages),
	};
	int failed = cmocka_run_group_tests_name("redis", offline, NULL, NULL);
	return failed + cmocka_run_group_tests_name("redis-live", live, live_setup, live_teardown);
}
