/* Recovery against a live store (core/live.c, core/recover_apply.c, SPEC §4
 * "the store is live"): what the application appends between the plan and
 * the switch, a planned last line a writer completes or writes after, a
 * writer holding the file open, a member a rotation renamed, and the
 * helpers (planned end, exchange, rename without replacing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include "fsutil.h"
#include "kept.h"
#include "live.h"
#include "recover.h"
#include "scan.h"

struct lfx {
	char dir[64];
	char path[128];
	struct scan_report rep;
	struct plan plan;
	struct apply_result res;
};

static void lfx_init(struct lfx *f, const char *data)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/papyra-live-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/events.ndjson", f->dir);
	write_file(f->path, data, strlen(data));
	scan_report_init(&f->rep);
	plan_init(&f->plan);
}

static void lfx_free(struct lfx *f)
{
	rm_rf(f->dir);
	scan_report_free(&f->rep);
	plan_free(&f->plan);
	apply_result_free(&f->res);
}

static void lfx_plan(struct lfx *f, const char *path, enum recovery_mode m, const char *qdir)
{
	perr e = {0};
	struct scan_opts o = {0};
	assert_int_equal(scan_ndjson_file(path, path, &o, NULL, &f->rep, &e), 0);
	if (plan_build_files(&f->plan, &f->rep, NULL, m, qdir, &e) != 0)
		fail_msg("plan: %s", e.msg);
}

static void append(const char *path, const char *s)
{
	FILE *a = fopen(path, "ab");
	assert_non_null(a);
	fputs(s, a);
	fclose(a);
}

#define REC1 "{\"kind\": \"event\", \"timestamp\": 1}\n"
#define REC2 "{\"kind\": \"event\", \"timestamp\": 2}\n"

/* The scan saw a writer half-way through its record (an unterminated last
 * line); by the apply the writer completed it: kept whole, and the planned
 * drop of that line is not applied. */
static void test_tail_completed_by_writer_kept(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, REC1 "garbage\n{\"kind\": \"ev");
	lfx_plan(&f, f.path, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 2);
	append(f.path, "ent\", \"timestamp\": 3}\n" REC2);
	perr e = {0};
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), 0);
	const char want[] = REC1 "{\"kind\": \"event\", \"timestamp\": 3}\n" REC2;
	assert_file_equals(f.path, want, sizeof want - 1);
	assert_int_equal(f.res.tails_completed, 1);
	assert_int_equal(f.res.lines_dropped, 1);
	assert_int_equal(f.res.n_applied, 1); /* the garbage line only */
	assert_true(f.res.applied[0] != f.res.applied[1]);
	assert_int_equal(f.res.lines_caught_up, 2);
	assert_no_temp(f.dir);
	lfx_free(&f);
}

/* A torn fragment (a crash mid-write), then the restarted application
 * appended a record right after it: exactly the planned bytes go. */
static void test_torn_tail_then_append_drops_only_the_fragment(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, REC1 "{\"kind\": \"ev");
	lfx_plan(&f, f.path, RM_REPAIR, NULL);
	append(f.path, REC2);
	perr e = {0};
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), 0);
	assert_file_equals(f.path, REC1 REC2, strlen(REC1 REC2));
	assert_int_equal(f.res.tails_completed, 0);
	assert_int_equal(f.res.lines_dropped, 1);
	assert_int_equal(f.res.n_applied, 1);
	lfx_free(&f);
}

/* A complete record without its "\n", then an append glued to it: the
 * planned "\n" goes right after the record, before the appended one. */
static void test_complete_tail_then_append_gets_its_newline(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, REC1 "{\"kind\": \"audit\", \"timestamp\": 5}");
	lfx_plan(&f, f.path, RM_REPAIR, NULL);
	assert_int_equal(f.plan.v[0].kind, ACT_APPEND_NEWLINE);
	append(f.path, REC2);
	perr e = {0};
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), 0);
	const char want[] = REC1 "{\"kind\": \"audit\", \"timestamp\": 5}\n" REC2;
	assert_file_equals(f.path, want, sizeof want - 1);
	lfx_free(&f);
}

/* Quarantine with appends: the copy is the original as planned, complete,
 * under its final name only; the repaired file has the appended lines. */
static void test_quarantine_copy_is_the_planned_original(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, REC1 "garbage\n" REC2);
	char q[160];
	snprintf(q, sizeof q, "%s/q", f.dir);
	lfx_plan(&f, f.path, RM_QUARANTINE, q);
	append(f.path, REC1);
	perr e = {0};
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), 0);
	assert_file_equals(f.path, REC1 REC2 REC1, strlen(REC1 REC2 REC1));
	assert_int_equal(f.res.n_quarantined, 1);
	assert_file_equals(f.res.quarantined[0], REC1 "garbage\n" REC2, strlen(REC1 "garbage\n" REC2));
	assert_no_temp(q);
	lfx_free(&f);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An application holding the file open for writing: what it writes later
 * would land in the replaced file, so nothing is changed and the message
 * says why, after a bounded wait. */
static void test_writer_holding_the_file_refused(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, REC1 "garbage\n");
	lfx_plan(&f, f.path, RM_REPAIR, NULL);
	int held = open(f.path, O_WRONLY | O_APPEND);
	assert_true(held >= 0);
	perr e = {0};
	int64_t t0 = now_ms();
	assert_int_equal(plan_apply_files(&f.plan, NULL, &f.res, &e), -1);
	assert_true(now_ms() - t0 >= LIVE_LEASE_WAIT_MS);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "stayed open for writing by another process"));
	assert_non_null(strstr(e.msg, "nothing was changed"));
	assert_int_equal(f.res.n_applied, 0);
	close(held);
	assert_file_equals(f.path, REC1 "garbage\n", strlen(REC1 "garbage\n"));
	assert_no_temp(f.dir);
	lfx_free(&f);
}

/* A rotation renamed the damaged member (P.1 -> P.2) and a new P.1 took
 * its name between the plan and the apply: the planned inode is repaired
 * where it now is, the newcomer is left alone. */
static void test_rotated_member_repaired_where_it_moved(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, REC1);
	char p1[160], p2[160];
	snprintf(p1, sizeof p1, "%s.1", f.path);
	snprintf(p2, sizeof p2, "%s.2", f.path);
	write_file(p1, REC1 "garbage\n" REC2, strlen(REC1 "garbage\n" REC2));
	lfx_plan(&f, p1, RM_REPAIR, NULL);
	f.plan.set_path = strdup(f.path);
	f.plan.set_max_files = 5;
	assert_int_equal(rename(p1, p2), 0);
	write_file(p1, "newcomer\n", 9);
	perr e = {0};
	if (plan_apply_files(&f.plan, NULL, &f.res, &e) != 0)
		fail_msg("apply: %s", e.msg);
	assert_file_equals(p2, REC1 REC2, strlen(REC1 REC2));
	assert_file_equals(p1, "newcomer\n", 9);
	assert_no_temp(f.dir);
	lfx_free(&f);
}

/* Rotations in the middle of the switch (the Makefile links this test
 * with -Wl,--wrap=fsutil_exchange): before each of the next `rot_left`
 * exchanges the set at rot_path rotates once (P.3 -> P.4 ... P -> P.1, a
 * new P), as Papyra's writer does. */
static const char *rot_path;
static int rot_left, rot_done;
int __real_fsutil_exchange(int dirfd, const char *a, const char *b);
int __wrap_fsutil_exchange(int dirfd, const char *a, const char *b);
int __wrap_fsutil_exchange(int dirfd, const char *a, const char *b)
{
	if (rot_path && rot_left > 0) {
		rot_left--;
		char from[192], to[192];
		for (int i = 3; i >= 0; i--) {
			snprintf(from, sizeof from, i ? "%s.%d" : "%s", rot_path, i);
			snprintf(to, sizeof to, "%s.%d", rot_path, i + 1);
			(void)rename(from, to);
		}
		char rec[64];
		int n = snprintf(rec, sizeof rec, "new%d\n", ++rot_done);
		write_file(rot_path, rec, (size_t)n);
	}
	return __real_fsutil_exchange(dirfd, a, b);
}

/* Two rotations inside one switch: the exchange takes out another member
 * (the old P), the put-back takes out the next newcomer, and the set then
 * holds the damaged member twice, as it was and repaired.  The repaired
 * copy is taken back out (nothing twice, nothing lost: the original holds
 * every record of it), the newcomer is kept for the next recovery, and
 * nothing is reported as applied. */
static void test_rotations_inside_the_switch_undo_the_repair(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, "M\n");
	char p1[160], p2[160], p3[160];
	snprintf(p1, sizeof p1, "%s.1", f.path);
	snprintf(p2, sizeof p2, "%s.2", f.path);
	snprintf(p3, sizeof p3, "%s.3", f.path);
	const char orig[] = REC1 "garbage\n" REC2;
	write_file(p1, orig, sizeof orig - 1);
	lfx_plan(&f, p1, RM_REPAIR, NULL);
	f.plan.set_path = strdup(f.path);
	f.plan.set_max_files = 5;
	rot_path = f.path;
	rot_left = 2;
	rot_done = 0;
	perr e = {0};
	int rc = plan_apply_files(&f.plan, NULL, &f.res, &e);
	rot_path = NULL;
	assert_int_equal(rc, -1);
	assert_int_equal(rot_done, 2);
	if (!strstr(e.msg, "the repair was undone, nothing is in the set twice"))
		fail_msg("message: %s", e.msg);
	assert_int_equal(f.res.n_applied, 0);
	assert_int_equal(f.res.n_repaired, 0);
	assert_file_equals(p3, orig, sizeof orig - 1);    /* the original, where the rotations took it */
	assert_int_equal(access(p2, F_OK), -1);           /* its repaired copy: gone */
	assert_file_equals(p1, "M\n", 2);                 /* the other member, back in the set */
	assert_file_equals(f.path, "new2\n", 5);
	/* the first newcomer, kept whole for the next recovery to drain */
	DIR *d = opendir(f.dir);
	assert_non_null(d);
	int kept = 0;
	for (struct dirent *de; (de = readdir(d));)
		if (kept_is_of(de->d_name, "events.ndjson")) {
			char kp[320];
			snprintf(kp, sizeof kp, "%s/%s", f.dir, de->d_name);
			assert_file_equals(kp, "new1\n", 5);
			kept++;
		}
	closedir(d);
	assert_int_equal(kept, 1);
	assert_no_temp(f.dir);
	lfx_free(&f);
}

/* The planned end of a live file: complete lines, plus an unterminated
 * last line only when it is a whole record. */
static void test_planned_end(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, REC1 "{\"kind\": \"ev");
	char buf[8];
	int fd = open(f.path, O_RDONLY);
	perr e = {0};
	int64_t end = -1;
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(live_planned_end(fd, f.path, st.st_size, buf, sizeof buf, &end, &e), 0);
	assert_int_equal(end, (int64_t)strlen(REC1));
	close(fd);
	write_file(f.path, REC1 "{}", strlen(REC1) + 2);
	fd = open(f.path, O_RDONLY);
	assert_int_equal(live_planned_end(fd, f.path, (int64_t)strlen(REC1) + 2, buf, sizeof buf, &end, &e), 0);
	assert_int_equal(end, (int64_t)strlen(REC1) + 2);
	close(fd);
	lfx_free(&f);
}

/* The two renames the switch is made of. */
static void test_exchange_and_noreplace(void **state)
{
	(void)state;
	struct lfx f;
	lfx_init(&f, "a\n");
	int dfd = open(f.dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	write_file(strcat(strcpy((char[192]){0}, f.dir), "/b"), "b\n", 2);
	assert_int_equal(fsutil_exchange(dfd, "events.ndjson", "b"), 0);
	assert_file_equals(f.path, "b\n", 2);
	assert_int_equal(fsutil_rename_noreplace(dfd, "b", "events.ndjson"), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(fsutil_rename_noreplace(dfd, "b", "c"), 0);
	assert_int_equal(faccessat(dfd, "b", F_OK, 0), -1);
	close(dfd);
	lfx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_completed_by_writer_kept),
		cmocka_unit_test(test_torn_tail_then_append_drops_only_the_fragment),
		cmocka_unit_test(test_complete_tail_then_append_gets_its_newline),
		cmocka_unit_test(test_quarantine_copy_is_the_planned_original),
		cmocka_unit_test(test_writer_holding_the_file_refused),
		cmocka_unit_test(test_rotated_member_repaired_where_it_moved),
		cmocka_unit_test(test_rotations_inside_the_switch_undo_the_repair),
		cmocka_unit_test(test_planned_end),
		cmocka_unit_test(test_exchange_and_noreplace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
