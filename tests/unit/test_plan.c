/* Plans link actions to anomalies (core/recover.c, core/anomaly.c): the
 * policy table, the anomaly index of every action, the coverage map the
 * console counts "left as they are" with, and drop ranges merged at apply
 * while every dropped line is still counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recover.h"
#include "scan.h"

#define REC "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": null, " \
	    "\"event_type\": \"ActorStarted\", \"payload\": {}, \"timestamp\": 1767225600.125}\n"

struct pfx {
	char dir[64], path[128];
	struct scan_report rep;
	struct plan plan;
	struct apply_result res;
};

static void pfx_init(struct pfx *f, const char *bytes, size_t n)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/papyra-plan-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/events.ndjson", f->dir);
	write_file(f->path, bytes, n);
	scan_report_init(&f->rep);
	plan_init(&f->plan);
	perr e = { 0 };
	struct scan_opts o = { 0 };
	assert_int_equal(scan_ndjson_file(f->path, f->path, &o, NULL, &f->rep, &e), 0);
}

static void pfx_free(struct pfx *f)
{
	rm_rf(f->dir);
	scan_report_free(&f->rep);
	plan_free(&f->plan);
	apply_result_free(&f->res);
}

static void test_policy_table(void **state)
{
	(void)state;
	assert_int_equal(anomaly_type_action(AN_CORRUPTED_LINE, 0), ACT_DROP_LINE);
	assert_int_equal(anomaly_type_action(AN_TRUNCATED_LINE, 1), ACT_DROP_LINE);
	assert_int_equal(anomaly_type_action(AN_ORPHANED_ROTATED_FILE, 0), ACT_NONE);
	assert_int_equal(anomaly_type_action(AN_ORPHANED_ROTATED_FILE, 1), ACT_MOVE_ORPHAN);
	assert_int_equal(anomaly_type_action(AN_SCHEMA_MISMATCH, 0), ACT_NONE);
	assert_int_equal(anomaly_type_action(AN_PARTIAL_WRITE, 1), ACT_NONE);
	assert_int_equal(anomaly_type_action(AN__COUNT, 0), ACT_NONE);
	assert_true(anomaly_type_batch(AN_CORRUPTED_LINE));
	assert_false(anomaly_type_batch(AN_SCHEMA_MISMATCH));
	assert_string_equal(action_kind_name(ACT_DROP_LINE), "drop_line");
	assert_string_equal(action_kind_verb(ACT_DELETE_ENTRY), "delete the entry (XDEL)");
	assert_true(action_kind_steppable(ACT_SALVAGE));
	assert_false(action_kind_steppable(ACT_QUARANTINE_FILE));
	assert_false(action_kind_steppable(ACT_NONE));
	assert_string_equal(action_kind_name(ACT_NONE), "?");
}

/* Every action names the anomaly it answers; a line reported twice in a
 * row (truncated and not an object) is one action answering both. */
static void test_actions_link_anomalies(void **state)
{
	(void)state;
	const char data[] = REC "garbage\n" REC "{broken\n" REC "[1]";
	struct pfx f;
	pfx_init(&f, data, sizeof data - 1);
	assert_int_equal(f.rep.n_an, 3); /* lines 2 and 4, the tail 6 truncated */
	/* a report that also calls the tail not an object (right after): what
	 * the planner must fold into the tail's one action */
	const struct anomaly *t = &f.rep.an[2];
	perr e = { 0 };
	assert_int_equal(scan_report_add(&f.rep, AN_CORRUPTED_LINE, f.path, t->line, t->offset, t->length,
					 NULL, 0, &e, "Invalid JSON at line 6"), 0);
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(f.plan.n, 3);
	for (size_t i = 0; i < f.plan.n; i++) {
		const struct action *a = &f.plan.v[i];
		assert_true(a->n_anomalies >= 1);
		assert_int_equal(f.rep.an[a->anomaly].line, a->line);
		assert_int_equal(f.rep.an[a->anomaly].type, a->reason);
	}
	assert_int_equal(f.plan.v[2].line, 6);
	assert_int_equal(f.plan.v[2].n_anomalies, 2);
	assert_int_equal(f.rep.an[f.plan.v[2].anomaly + 1].type, AN_CORRUPTED_LINE);
	unsigned char cov[4] = { 0 };
	plan_covered(&f.plan, cov, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(cov[i], 1);
	/* a skipped action still answers its anomaly (the operator left it) */
	f.plan.v[0].skip = 1;
	memset(cov, 0, sizeof cov);
	plan_covered(&f.plan, cov, 4);
	assert_int_equal(cov[f.plan.v[0].anomaly], 1);
	assert_int_equal(plan_batch_filter(&f.plan), 0);
	pfx_free(&f);
}

/* The quarantine copy goes with the lines: it answers no anomaly itself. */
static void test_quarantine_copy_answers_none(void **state)
{
	(void)state;
	const char data[] = REC "garbage\n" REC;
	struct pfx f;
	pfx_init(&f, data, sizeof data - 1);
	char q[160];
	snprintf(q, sizeof q, "%s/q", f.dir);
	perr e = { 0 };
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_QUARANTINE, q, &e), 0);
	assert_int_equal(f.plan.n, 2);
	assert_int_equal(f.plan.v[0].kind, ACT_QUARANTINE_FILE);
	assert_int_equal(f.plan.v[0].n_anomalies, 0);
	assert_int_equal(f.plan.v[1].kind, ACT_DROP_LINE);
	assert_int_equal(f.plan.v[1].anomaly, 0);
	pfx_free(&f);
}

/* A file of a thousand damaged lines in a row between records: one drop
 * range at apply, still a thousand lines dropped and every action marked. */
#define RUN 1000
static void test_adjacent_drops_merge(void **state)
{
	(void)state;
	size_t cap = 2 * sizeof REC + RUN * 4, n = 0;
	char *data = malloc(cap);
	memcpy(data + n, REC, sizeof REC - 1);
	n += sizeof REC - 1;
	for (int i = 0; i < RUN; i++) {
		memcpy(data + n, i % 2 ? "x{\n" : "\x01\x02\n", 3);
		n += 3;
	}
	memcpy(data + n, REC, sizeof REC - 1);
	n += sizeof REC - 1;
	struct pfx f;
	pfx_init(&f, data, n);
	assert_int_equal(f.rep.n_an, RUN);
	perr e = { 0 };
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(f.plan.n, RUN);
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), 0);
	assert_int_equal(f.res.lines_dropped, RUN);
	assert_int_equal(f.res.n_applied, RUN);
	struct buf after = read_all(f.path);
	assert_int_equal(after.n, 2 * (sizeof REC - 1));
	assert_memory_equal(after.p, REC REC, after.n);
	free(after.p);
	free(data);
	pfx_free(&f);
}

/* In a merged plan (the CLI's) damaged lines of one file and reason are
 * one action, adjacent (lines 2-4) or not (line 6, after a record);
 * plan_lines gives every line back with its own offset and length, and
 * the apply drops them all and nothing else. */
static void test_merged_run(void **state)
{
	(void)state;
	const char data[] = REC "bad one\n" "x\n" "{broken line\n" REC "tail\n";
	struct pfx f;
	pfx_init(&f, data, sizeof data - 1);
	assert_int_equal(f.rep.n_an, 4);
	perr e = { 0 };
	f.plan.merge = 1;
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(f.plan.n, 1); /* lines 2-4 and 6 as one */
	assert_int_equal(f.plan.v[0].count, 4);
	assert_int_equal(f.plan.v[0].n_anomalies, 4);
	assert_int_equal(action_lines(&f.plan.v[0]), 4);
	assert_int_equal(action_drop_bytes(&f.plan.v[0], sizeof data - 1), 8 + 2 + 13 + 5);
	assert_int_equal(plan_weight(&f.plan), 4);
	struct plan_lines it;
	size_t idx;
	const struct action *a;
	int64_t want_line[] = { 2, 3, 4, 6 }, want_len[] = { 7, 1, 12, 4 };
	int64_t off = sizeof REC - 1;
	int64_t want_off[] = { off, off + 8, off + 10, off + 23 + (int64_t)sizeof REC - 1 };
	size_t want_idx[] = { 0, 0, 0, 0 };
	plan_lines_init(&it, &f.plan);
	for (int k = 0; k < 4; k++) {
		assert_non_null(a = plan_lines_next(&it, &idx));
		assert_int_equal(a->line, want_line[k]);
		assert_int_equal(a->offset, want_off[k]);
		assert_int_equal(a->length, want_len[k]);
		assert_int_equal(idx, want_idx[k]);
		assert_int_equal(f.rep.an[a->anomaly].line, a->line);
		struct action one;
		action_line(&f.plan.v[idx], (size_t)k, &one);
		assert_int_equal(one.offset, a->offset);
		assert_int_equal(one.line, a->line);
	}
	assert_null(plan_lines_next(&it, &idx));
	assert_int_equal(f.plan.files[0].lines_after, 2);
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), 0);
	assert_int_equal(f.res.lines_dropped, 4);
	assert_int_equal(plan_weight_applied(&f.plan, f.res.applied, f.res.n_actions), 4);
	struct buf after = read_all(f.path);
	assert_int_equal(after.n, 2 * (sizeof REC - 1));
	assert_memory_equal(after.p, REC REC, after.n);
	free(after.p);
	pfx_free(&f);
}

/* Scattered damage (SPEC §8: memory bounded however many lines are
 * damaged): 40 damaged lines, single or in pairs, between records, are
 * one action of 40 lines in the CLI's merged plan (its run grows past
 * its first capacity); an unterminated damaged last line stays its own
 * action (a tail a writer may still be writing).  Every line comes back
 * from plan_lines with its number and offset, and the apply keeps exactly
 * the records, byte for byte. */
static void test_scattered_run(void **state)
{
	(void)state;
	char data[8192], want[8192];
	size_t n = 0, w = 0, bad = 0;
	int64_t line = 0, lines[64], offs[64];
	for (int i = 0; bad < 40; i++) {
		memcpy(data + n, REC, sizeof REC - 1);
		memcpy(want + w, REC, sizeof REC - 1);
		n += sizeof REC - 1;
		w += sizeof REC - 1;
		line++;
		for (int k = 0; k < 1 + (i % 3 == 0) && bad < 40; k++) {
			lines[bad] = ++line;
			offs[bad++] = (int64_t)n;
			n += (size_t)snprintf(data + n, sizeof data - n, "bad %d.%d\n", i, k);
		}
	}
	memcpy(data + n, "{torn", 5);
	n += 5;
	struct pfx f;
	pfx_init(&f, data, n);
	assert_int_equal(f.rep.n_an, 41);
	perr e = { 0 };
	f.plan.merge = 1;
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(f.plan.n, 2);
	assert_int_equal(f.plan.v[0].count, 40);
	assert_non_null(f.plan.v[0].gaps);
	assert_int_equal(f.plan.v[1].count, 1);
	struct plan_lines it;
	size_t idx;
	const struct action *a;
	plan_lines_init(&it, &f.plan);
	for (size_t k = 0; k < 40; k++) {
		assert_non_null(a = plan_lines_next(&it, &idx));
		assert_int_equal(idx, 0);
		assert_int_equal(a->line, lines[k]);
		assert_int_equal(a->offset, offs[k]);
		assert_int_equal(f.rep.an[a->anomaly].line, a->line);
		assert_int_equal(f.rep.an[a->anomaly].length, a->length);
	}
	assert_non_null(a = plan_lines_next(&it, &idx));
	assert_int_equal(idx, 1);
	assert_null(plan_lines_next(&it, &idx));
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), 0);
	assert_int_equal(f.res.lines_dropped, 41);
	assert_int_equal(f.res.n_applied, 2);
	struct buf after = read_all(f.path);
	assert_int_equal(after.n, w);
	assert_memory_equal(after.p, want, w);
	free(after.p);
	pfx_free(&f);
}

/* A run with gaps never takes in the file's last line, even one right
 * after it for the same reason: the apply would take the whole run for a
 * tail, one range, and the records between its lines with it. */
static void test_scattered_run_stops_before_the_end(void **state)
{
	(void)state;
	const char data[] = REC "x\n" REC "y\n" "{torn";
	struct pfx f;
	pfx_init(&f, data, sizeof data - 1);
	assert_int_equal(f.rep.n_an, 3);
	f.rep.an[2].type = AN_CORRUPTED_LINE; /* as if the tail were reported so */
	perr e = { 0 };
	f.plan.merge = 1;
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(f.plan.n, 2);
	assert_int_equal(f.plan.v[0].count, 2);
	assert_int_equal(f.plan.v[1].line, 5);
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), 0);
	struct buf after = read_all(f.path);
	assert_int_equal(after.n, 2 * (sizeof REC - 1));
	assert_memory_equal(after.p, REC REC, after.n);
	free(after.p);
	pfx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_table),
		cmocka_unit_test(test_actions_link_anomalies),
		cmocka_unit_test(test_quarantine_copy_answers_none),
		cmocka_unit_test(test_adjacent_drops_merge),
		cmocka_unit_test(test_merged_run),
		cmocka_unit_test(test_scattered_run),
		cmocka_unit_test(test_scattered_run_stops_before_the_end),
	};
	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
