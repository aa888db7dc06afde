/* Recovery plans and their application (core/recover.c, core/fsutil.c,
 * core/journal.c).  Fixtures are copied into a fresh /tmp directory
 * before anything is mutated; every test checks exact resulting bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "recover.h"
#include "scan.h"

struct fx {
	char dir[64];
	char path[128];  /* dir/events.ndjson */
	struct buf orig; /* its bytes before the test */
	struct scan_report rep;
	struct plan plan;
	struct apply_result res;
};

/* `src` without the given 1-based lines (each with its "\n"). */
static struct buf drop_lines(const struct buf *src, const int *lines, size_t nlines)
{
	struct buf out = {malloc(src->n + 1), 0};
	int line = 1;
	for (size_t i = 0; i < src->n;) {
		const char *nl = memchr(src->p + i, '\n', src->n - i);
		size_t end = nl ? (size_t)(nl - src->p) + 1 : src->n;
		int drop = 0;
		for (size_t k = 0; k < nlines; k++)
			drop |= lines[k] == line;
		if (!drop) {
			memcpy(out.p + out.n, src->p + i, end - i);
			out.n += end - i;
		}
		i = end;
		line++;
	}
	return out;
}

static void fx_init(struct fx *f, const char *fixture)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/papyra-recover-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/events.ndjson", f->dir);
	if (fixture) {
		char src[256];
		snprintf(src, sizeof src, "tests/fixtures/%s/data/events.ndjson", fixture);
		f->orig = read_all(src);
		write_file(f->path, f->orig.p, f->orig.n);
	}
	scan_report_init(&f->rep);
	plan_init(&f->plan);
}

/* Permission checks cannot fail for root (CAP_DAC_OVERRIDE), and CI runs
 * as root: run `fn` in a child that gives up root for an unprivileged uid,
 * so the check is real either way.  The child reports through its exit
 * status (0 = every expectation held). */
#define UNPRIV_UID 65534 /* nobody */
static void run_unprivileged(struct fx *f, int (*fn)(struct fx *f))
{
	assert_int_equal(chmod(f->path, 0644), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(UNPRIV_UID) != 0 || setuid(UNPRIV_UID) != 0))
			_exit(90);
		_exit(fn(f));
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void fx_free(struct fx *f)
{
	rm_rf(f->dir);
	free(f->orig.p);
	scan_report_free(&f->rep);
	plan_free(&f->plan);
	apply_result_free(&f->res);
}

static void fx_scan(struct fx *f)
{
	perr e = {0};
	struct scan_opts o = {0};
	scan_report_free(&f->rep);
	assert_int_equal(scan_ndjson_file(f->path, f->path, &o, NULL, &f->rep, &e), 0);
}

static void fx_plan(struct fx *f, enum recovery_mode m, const char *qdir)
{
	perr e = {0};
	fx_scan(f);
	int rc = plan_build_files(&f->plan, &f->rep, NULL, m, qdir, &e);
	if (rc != 0)
		fail_msg("plan_build_files: %s", e.msg);
}

static int fx_apply(struct fx *f, perr *e)
{
	apply_result_free(&f->res); /* a test may apply twice: the result owns applied[] */
	return plan_apply_files(&f->plan, NULL, &f->res, e);
}

static void assert_clean_after(struct fx *f)
{
	fx_scan(f);
	assert_int_equal(f->rep.n_an, 0);
}

static size_t count_kind(const struct plan *p, enum action_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->v[i].kind == k;
	return n;
}

static void test_mode_and_action_names(void **state)
{
	(void)state;
	enum recovery_mode m;
	assert_int_equal(recovery_mode_parse("Repair", &m), 0);
	assert_int_equal(m, RM_REPAIR);
	assert_int_equal(recovery_mode_parse("QUARANTINE", &m), 0);
	assert_int_equal(m, RM_QUARANTINE);
	assert_int_equal(recovery_mode_parse("ignore", &m), 0);
	assert_int_equal(m, RM_IGNORE);
	assert_int_equal(recovery_mode_parse("bogus", &m), -1);
	assert_int_equal(recovery_mode_parse("", &m), -1);
	assert_string_equal(recovery_mode_name(RM_QUARANTINE), "quarantine");
	assert_string_equal(action_kind_name(ACT_DROP_LINE), "drop_line");
	assert_string_equal(action_kind_name(ACT_APPEND_NEWLINE), "append_newline");
	assert_string_equal(action_kind_name(ACT_MOVE_ORPHAN), "move_orphan");
	assert_string_equal(action_kind_name(ACT_REWRITE_FILE), "rewrite_file");
}

static void test_temp_names(void **state)
{
	(void)state;
	perr e = {0};
	char *t = fsutil_temp_name("events.ndjson", &e);
	char want[64];
	snprintf(want, sizeof want, ".events.ndjson.papyra-tmp-%ld", (long)getpid());
	assert_string_equal(t, want);
	char *base = NULL;
	assert_true(fsutil_is_temp_name(t, &base));
	assert_string_equal(base, "events.ndjson");
	free(base);
	free(t);
	assert_false(fsutil_is_temp_name("events.ndjson", NULL));
	assert_false(fsutil_is_temp_name(".x.papyra-tmp-", NULL));
	assert_false(fsutil_is_temp_name(".x.papyra-tmp-12a", NULL));
	assert_false(fsutil_is_temp_name("..papyra-tmp-12", NULL));
}

/* A report built by hand: every anomaly type maps to the documented action. */
static void test_plan_from_hand_report(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, NULL);
	const char data[] = "{\"a\":1}\nbad\n{\"b\":2}\n{\"c\"";
	write_file(f.path, data, sizeof data - 1);
	perr e = {0};
	struct scan_file *sf = scan_report_add_file(&f.rep, f.path, &e);
	assert_non_null(sf);
	sf->bytes = sizeof data - 1;
	sf->lines = 4;
	assert_int_equal(file_ident_get(f.path, &sf->ident, &e), 0);
	char orphan[160], temp[160];
	snprintf(orphan, sizeof orphan, "%s/events.ndjson.7", f.dir);
	snprintf(temp, sizeof temp, "%s/.events.ndjson.papyra-tmp-1", f.dir);
	scan_report_add(&f.rep, AN_ORPHANED_ROTATED_FILE, orphan, 0, -1, -1, NULL, 0, &e, "o");
	scan_report_add(&f.rep, AN_UNEXPECTED_FILE, temp, 0, -1, -1, NULL, AF_TEMP_FILE, &e, "t");
	scan_report_add(&f.rep, AN_CORRUPTED_LINE, f.path, 2, 8, 3, NULL, 0, &e, "c");
	scan_report_add(&f.rep, AN_SCHEMA_MISMATCH, f.path, 3, 12, 7, NULL, 0, &e, "s");
	scan_report_add(&f.rep, AN_TRUNCATED_LINE, f.path, 4, 20, 4, NULL, 0, &e, "t");

	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(f.plan.n, 3); /* remove_temp, drop_line x2; orphan stays in repair */
	assert_int_equal(f.plan.v[0].kind, ACT_REMOVE_TEMP);
	assert_string_equal(f.plan.v[0].path, temp);
	assert_int_equal(f.plan.v[1].kind, ACT_DROP_LINE);
	assert_int_equal(f.plan.v[1].line, 2);
	assert_int_equal(f.plan.v[1].reason, AN_CORRUPTED_LINE);
	assert_int_equal(f.plan.v[2].kind, ACT_DROP_LINE);
	assert_int_equal(f.plan.v[2].reason, AN_TRUNCATED_LINE);
	assert_int_equal(f.plan.nfiles, 1);
	assert_int_equal(f.plan.files[0].bytes_before, 24);
	assert_int_equal(f.plan.files[0].bytes_after, 16); /* "bad\n" and the 4-byte tail */
	assert_int_equal(f.plan.files[0].lines_after, 2);

	struct plan q;
	plan_init(&q);
	char qdir[128];
	snprintf(qdir, sizeof qdir, "%s/q", f.dir);
	assert_int_equal(plan_build_files(&q, &f.rep, NULL, RM_QUARANTINE, qdir, &e), 0);
	assert_int_equal(count_kind(&q, ACT_MOVE_ORPHAN), 1);
	assert_int_equal(count_kind(&q, ACT_QUARANTINE_FILE), 1);
	assert_int_equal(count_kind(&q, ACT_DROP_LINE), 2);
	char want[200];
	snprintf(want, sizeof want, "%s/events.ndjson.7.quarantine.%lld", qdir, (long long)q.epoch_ms);
	assert_string_equal(q.v[0].to, want);
	plan_free(&q);

	plan_init(&q);
	assert_int_equal(plan_build_files(&q, &f.rep, NULL, RM_IGNORE, NULL, &e), 0);
	assert_int_equal(q.n, 0);
	plan_free(&q);
	fx_free(&f);
}

static void test_repair_corrupt_middle(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 2);
	assert_int_equal(f.plan.v[0].line, 10);
	assert_int_equal(f.plan.v[1].line, 20);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	const int lines[] = {10, 20};
	struct buf want = drop_lines(&f.orig, lines, 2);
	assert_file_equals(f.path, want.p, want.n);
	assert_int_equal(f.plan.files[0].bytes_after, (int64_t)want.n);
	assert_int_equal(f.res.bytes_before, (int64_t)f.orig.n);
	assert_int_equal(f.res.bytes_after, (int64_t)want.n);
	assert_int_equal(f.res.lines_dropped, 2);
	assert_int_equal(f.res.n_repaired, 1);
	assert_string_equal(f.res.repaired[0], f.path);
	assert_int_equal(f.res.n_quarantined, 0);
	assert_no_temp(f.dir);
	assert_clean_after(&f);
	free(want.p);
	fx_free(&f);
}

static void test_repair_truncated_tail(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_truncated_tail");
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 1);
	assert_int_equal(f.plan.v[0].kind, ACT_DROP_LINE);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	size_t keep = f.orig.n;
	while (keep > 0 && f.orig.p[keep - 1] != '\n')
		keep--;
	assert_true(keep < f.orig.n);
	assert_file_equals(f.path, f.orig.p, keep);
	assert_clean_after(&f);
	fx_free(&f);
}

static void test_repair_complete_tail_keeps_record(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, NULL);
	const char data[] = "{\"kind\": \"event\", \"timestamp\": 1.5}\r\n{\"kind\": \"audit\", \"timestamp\": 2}";
	write_file(f.path, data, sizeof data - 1);
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 1);
	assert_int_equal(f.plan.v[0].kind, ACT_APPEND_NEWLINE);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	const char want[] = "{\"kind\": \"event\", \"timestamp\": 1.5}\r\n{\"kind\": \"audit\", \"timestamp\": 2}\n";
	assert_file_equals(f.path, want, sizeof want - 1);
	assert_int_equal(f.res.lines_dropped, 0);
	assert_clean_after(&f);
	fx_free(&f);
}

/* A tail that is valid JSON but not an object is reported twice; it must
 * be dropped once, and the figures must say one line. */
static void test_repair_tail_non_object_counted_once(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, NULL);
	const char data[] = "{\"a\": 1}\n42";
	write_file(f.path, data, sizeof data - 1);
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 1);
	assert_int_equal(f.plan.files[0].lines_after, 1);
	assert_int_equal(f.plan.files[0].bytes_after, 9);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	assert_file_equals(f.path, "{\"a\": 1}\n", 9);
	assert_int_equal(f.res.lines_dropped, 1);
	fx_free(&f);
}

static void test_repair_blank_lines(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_blank_lines");
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 2);
	assert_int_equal(f.plan.v[0].line, 6);
	assert_int_equal(f.plan.v[1].line, 17);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	const int lines[] = {6, 17};
	struct buf want = drop_lines(&f.orig, lines, 2);
	assert_file_equals(f.path, want.p, want.n);
	assert_clean_after(&f);
	free(want.p);
	fx_free(&f);
}

/* CRLF data: clean as it is (nothing planned, nothing touched); with one
 * garbage line added, repair removes that line and nothing else, "\r\n"
 * endings included. */
static void test_repair_crlf_untouched_bytes(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_crlf");
	struct stat before, after;
	assert_int_equal(stat(f.path, &before), 0);
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 0);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	apply_result_free(&f.res); /* applied again below */
	assert_int_equal(stat(f.path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_file_equals(f.path, f.orig.p, f.orig.n);

	const char *third = f.orig.p;
	for (int i = 0; i < 3; i++)
		third = memchr(third, '\n', f.orig.n - (size_t)(third - f.orig.p)) + 1;
	size_t at = (size_t)(third - f.orig.p);
	const char junk[] = "{\"kind\": \"event\"\r\n";
	struct buf mixed = {malloc(f.orig.n + sizeof junk), 0};
	memcpy(mixed.p, f.orig.p, at);
	memcpy(mixed.p + at, junk, sizeof junk - 1);
	memcpy(mixed.p + at + sizeof junk - 1, f.orig.p + at, f.orig.n - at);
	mixed.n = f.orig.n + sizeof junk - 1;
	write_file(f.path, mixed.p, mixed.n);
	plan_free(&f.plan);
	plan_init(&f.plan);
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 1);
	assert_int_equal(f.plan.v[0].line, 4);
	apply_result_free(&f.res); /* plan_apply_files overwrites its result */
	assert_int_equal(fx_apply(&f, &e), 0);
	assert_file_equals(f.path, f.orig.p, f.orig.n);
	free(mixed.p);
	fx_free(&f);
}

static void test_quarantine_preserves_original(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char qdir[128];
	snprintf(qdir, sizeof qdir, "%s/q/nested", f.dir); /* missing, with a missing parent */
	fx_plan(&f, RM_QUARANTINE, qdir);
	struct stat st;
	/* a plan changes nothing, not even the quarantine directory */
	assert_int_equal(stat(qdir, &st), -1);
	assert_int_equal(count_kind(&f.plan, ACT_QUARANTINE_FILE), 1);
	char want[200];
	snprintf(want, sizeof want, "%s/events.ndjson.quarantine.%lld", qdir, (long long)f.plan.epoch_ms);
	assert_string_equal(f.plan.v[0].to, want);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	assert_int_equal(f.res.n_quarantined, 1);
	assert_string_equal(f.res.quarantined[0], want);
	assert_file_equals(want, f.orig.p, f.orig.n);
	assert_int_equal(stat(qdir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	const int lines[] = {10, 20};
	struct buf fixed = drop_lines(&f.orig, lines, 2);
	assert_file_equals(f.path, fixed.p, fixed.n);
	assert_no_temp(f.dir);
	assert_no_temp(qdir);
	free(fixed.p);
	fx_free(&f);
}

static void test_quarantine_name_collision(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char qdir[128], taken[200], next[208];
	snprintf(qdir, sizeof qdir, "%s/q", f.dir);
	assert_int_equal(mkdir(qdir, 0755), 0);
	fx_plan(&f, RM_QUARANTINE, qdir);
	/* someone takes the planned name (and the first suffix) before apply */
	snprintf(taken, sizeof taken, "%s/events.ndjson.quarantine.%lld", qdir, (long long)f.plan.epoch_ms);
	write_file(taken, "sentinel\n", 9);
	snprintf(next, sizeof next, "%s.1", taken);
	write_file(next, "sentinel 1\n", 11);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	char want[216];
	snprintf(want, sizeof want, "%s.2", taken);
	assert_string_equal(f.res.quarantined[0], want);
	assert_file_equals(want, f.orig.p, f.orig.n);
	assert_file_equals(taken, "sentinel\n", 9);
	assert_file_equals(next, "sentinel 1\n", 11);

	/* taken before planning: the plan already names a free destination */
	struct plan p2;
	plan_init(&p2);
	p2.epoch_ms = f.plan.epoch_ms;
	write_file(f.path, f.orig.p, f.orig.n);
	fx_scan(&f);
	assert_int_equal(plan_build_files(&p2, &f.rep, NULL, RM_QUARANTINE, qdir, &e), 0);
	snprintf(want, sizeof want, "%s.3", taken);
	assert_string_equal(p2.v[0].to, want);
	plan_free(&p2);
	fx_free(&f);
}

static void test_quarantine_dir_refused(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char real[128], link[128], file[128];
	snprintf(real, sizeof real, "%s/real", f.dir);
	snprintf(link, sizeof link, "%s/link", f.dir);
	snprintf(file, sizeof file, "%s/file", f.dir);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);
	write_file(file, "x", 1);
	fx_scan(&f);
	perr e = {0};
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_QUARANTINE, link, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "symbolic link"));
	char slash[132];
	snprintf(slash, sizeof slash, "%s/", link); /* a trailing slash must not sneak through */
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_QUARANTINE, slash, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_QUARANTINE, file, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "not a directory"));
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_QUARANTINE, NULL, &e), -1);
	assert_int_equal(e.code, PX_USAGE);
	plan_free(&f.plan);
	plan_init(&f.plan);

	/* the directory is swapped for a symlink between plan and apply */
	char q[128];
	snprintf(q, sizeof q, "%s/q", f.dir);
	assert_int_equal(mkdir(q, 0755), 0);
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_QUARANTINE, q, &e), 0);
	assert_int_equal(rmdir(q), 0);
	assert_int_equal(symlink(real, q), 0);
	assert_int_equal(fx_apply(&f, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_file_equals(f.path, f.orig.p, f.orig.n);
	assert_no_temp(f.dir);
	DIR *d = opendir(real);
	int entries = 0;
	for (struct dirent *de; (de = readdir(d));)
		entries += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(entries, 0);
	fx_free(&f);
}

static int qdir_not_writable_child(struct fx *f)
{
	char q[96];
	snprintf(q, sizeof q, "%s/q", f->dir);
	perr e = {0};
	if (plan_build_files(&f->plan, &f->rep, NULL, RM_QUARANTINE, q, &e) != -1)
		return 1;
	if (e.code != PX_IOERR || !strstr(e.msg, "not writable"))
		return 2;
	return 0;
}

static void test_quarantine_dir_not_writable(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char q[96];
	snprintf(q, sizeof q, "%s/q", f.dir);
	assert_int_equal(mkdir(q, 0555), 0);
	assert_int_equal(chmod(f.dir, 0755), 0);
	fx_scan(&f);
	run_unprivileged(&f, qdir_not_writable_child);
	assert_file_equals(f.path, f.orig.p, f.orig.n);
	fx_free(&f);
}

static void test_file_removed_between_plan_and_apply(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(unlink(f.path), 0);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "no longer exists"));
	assert_int_equal(access(f.path, F_OK), -1);
	assert_no_temp(f.dir);
	fx_free(&f);
}

/* The store is live (SPEC §4): what is appended between the plan and the
 * apply is kept byte for byte after the repaired lines, even a line that
 * is not a record (the verification scan reports it). */
static void test_appended_between_plan_and_apply_kept(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	fx_plan(&f, RM_REPAIR, NULL);
	FILE *a = fopen(f.path, "ab");
	fputs("{\"kind\": \"audit\", \"timestamp\": 9}\n\n", a);
	fclose(a);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	const int lines[] = {10, 20};
	struct buf want = drop_lines(&f.orig, lines, 2);
	want.p = realloc(want.p, want.n + 64);
	want.n += (size_t)sprintf(want.p + want.n, "{\"kind\": \"audit\", \"timestamp\": 9}\n\n");
	assert_file_equals(f.path, want.p, want.n);
	assert_int_equal(f.res.lines_caught_up, 2);
	assert_int_equal(f.res.caught_up_invalid, 1);
	assert_int_equal(f.res.lines_dropped, 2);
	assert_int_equal(f.res.n_applied, 2);
	assert_no_temp(f.dir);
	free(want.p);
	fx_free(&f);
}

/* A file replaced (another inode) or shrunk since the scan is not the
 * file planned: nothing is applied. */
static void test_changed_between_plan_and_apply(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	fx_plan(&f, RM_REPAIR, NULL);
	char other[160];
	snprintf(other, sizeof other, "%s/other", f.dir);
	write_file(other, f.orig.p, f.orig.n);
	assert_int_equal(rename(other, f.path), 0);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "changed since the scan"));
	assert_int_equal(e.reason, PR_STALE);
	assert_non_null(strstr(e.msg, "replaced by another file"));
	assert_file_equals(f.path, f.orig.p, f.orig.n);
	assert_no_temp(f.dir);
	assert_int_equal(f.res.n_repaired, 0);
	assert_int_equal(f.res.n_applied, 0);
	fx_free(&f);

	fx_init(&f, "json_corrupt_middle");
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(truncate(f.path, (off_t)f.orig.n - 10), 0);
	memset(&e, 0, sizeof e);
	assert_int_equal(fx_apply(&f, &e), -1);
	assert_non_null(strstr(e.msg, "it shrank"));
	assert_file_equals(f.path, f.orig.p, f.orig.n - 10);
	assert_no_temp(f.dir);
	fx_free(&f);
}

static int readonly_dir_child(struct fx *f)
{
	perr e = {0};
	if (fx_apply(f, &e) != -1)
		return 1;
	if (e.code != PX_IOERR || !strstr(e.msg, "Permission denied"))
		return 2;
	return 0;
}

static void test_readonly_directory(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	fx_plan(&f, RM_REPAIR, NULL);
	assert_int_equal(chmod(f.dir, 0555), 0);
	run_unprivileged(&f, readonly_dir_child);
	assert_file_equals(f.path, f.orig.p, f.orig.n);
	assert_no_temp(f.dir);
	fx_free(&f);
}

/* Disk full (simulated with a file size limit, which binds root too):
 * the original stays intact and neither the temp file nor a partial
 * quarantine copy is left behind. */
static void test_write_failure_leaves_original(void **state)
{
	(void)state;
	for (int quarantine = 0; quarantine <= 1; quarantine++) {
		struct fx f;
		fx_init(&f, "json_corrupt_middle");
		char qdir[128];
		snprintf(qdir, sizeof qdir, "%s/q", f.dir);
		fx_plan(&f, quarantine ? RM_QUARANTINE : RM_REPAIR, qdir);
		struct rlimit old, small = {1000, 1000};
		assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
		small.rlim_max = old.rlim_max;
		void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
		perr e = {0};
		int rc = fx_apply(&f, &e);
		setrlimit(RLIMIT_FSIZE, &old);
		signal(SIGXFSZ, prev);
		assert_int_equal(rc, -1);
		assert_int_equal(e.code, PX_IOERR);
		assert_non_null(strstr(e.msg, "File too large"));
		assert_file_equals(f.path, f.orig.p, f.orig.n);
		assert_no_temp(f.dir);
		if (quarantine) {
			DIR *d = opendir(qdir);
			for (struct dirent *de; (de = readdir(d));)
				if (de->d_name[0] != '.')
					fail_msg("partial quarantine copy left: %s", de->d_name);
			closedir(d);
		}
		fx_free(&f);
	}
}

static void test_lock_held_elsewhere(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	fx_plan(&f, RM_REPAIR, NULL);
	int other = open(f.path, O_RDONLY);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "locked by another process"));
	assert_int_equal(e.reason, PR_LOCKED);
	assert_file_equals(f.path, f.orig.p, f.orig.n);
	close(other);
	apply_result_free(&f.res);
	assert_int_equal(fx_apply(&f, &e), 0); /* lock released: fine */
	fx_free(&f);
}

static void test_symlinked_data_file_refused(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char target[128];
	snprintf(target, sizeof target, "%s/target.ndjson", f.dir);
	assert_int_equal(rename(f.path, target), 0);
	assert_int_equal(symlink("target.ndjson", f.path), 0);
	fx_plan(&f, RM_REPAIR, NULL);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_file_equals(target, f.orig.p, f.orig.n);
	struct stat st;
	assert_int_equal(lstat(f.path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	fx_free(&f);
}

/* A data directory reached through a symlink (/var/lib/app -> /data/app)
 * is ordinary: the file is repaired where it really lives. */
static void test_data_dir_through_symlink(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char real[96], link[96];
	snprintf(real, sizeof real, "%s/real", f.dir);
	snprintf(link, sizeof link, "%s/link", f.dir);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink("real", link), 0);
	char moved[160];
	snprintf(moved, sizeof moved, "%s/events.ndjson", real);
	assert_int_equal(rename(f.path, moved), 0);
	snprintf(f.path, sizeof f.path, "%s/events.ndjson", link);
	fx_plan(&f, RM_REPAIR, NULL);
	perr e = {0};
	if (fx_apply(&f, &e) != 0)
		fail_msg("%s", e.msg);
	const int lines[] = {10, 20};
	struct buf want = drop_lines(&f.orig, lines, 2);
	assert_file_equals(moved, want.p, want.n);
	assert_no_temp(real);
	free(want.p);
	fx_free(&f);
}

static void test_skipped_action_is_kept(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	fx_plan(&f, RM_REPAIR, NULL);
	f.plan.v[0].skip = 1; /* the operator keeps line 10 */
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	const int lines[] = {20};
	struct buf want = drop_lines(&f.orig, lines, 1);
	assert_file_equals(f.path, want.p, want.n);
	assert_int_equal(f.res.lines_dropped, 1);
	free(want.p);
	fx_free(&f);
}

/* A leftover temp file from a killed run with our very pid (pid 1 in a
 * container) must not block the repair: it is removed first. */
static void test_leftover_temp_with_our_pid(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char temp[160];
	snprintf(temp, sizeof temp, "%s/.events.ndjson.papyra-tmp-%ld", f.dir, (long)getpid());
	write_file(temp, "{\"half\": ", 9);
	fx_scan(&f);
	perr e = {0};
	scan_report_add(&f.rep, AN_UNEXPECTED_FILE, temp, 0, -1, -1, NULL, AF_TEMP_FILE, &e,
			"Leftover temporary file from an interrupted operation");
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(count_kind(&f.plan, ACT_REMOVE_TEMP), 1);
	assert_int_equal(fx_apply(&f, &e), 0);
	assert_no_temp(f.dir);
	const int lines[] = {10, 20};
	struct buf want = drop_lines(&f.orig, lines, 2);
	assert_file_equals(f.path, want.p, want.n);
	free(want.p);
	fx_free(&f);
}

static void test_remove_temp_refused_while_data_locked(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_clean");
	char temp[160];
	snprintf(temp, sizeof temp, "%s/.events.ndjson.papyra-tmp-4242", f.dir);
	write_file(temp, "x", 1);
	perr e = {0};
	scan_report_add(&f.rep, AN_UNEXPECTED_FILE, temp, 0, -1, -1, NULL, AF_TEMP_FILE, &e, "t");
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	int other = open(f.path, O_RDONLY);
	assert_int_equal(flock(other, LOCK_EX), 0);
	assert_int_equal(fx_apply(&f, &e), -1);
	assert_non_null(strstr(e.msg, "locked by another process"));
	assert_int_equal(e.reason, PR_LOCKED);
	assert_int_equal(access(temp, F_OK), 0);
	close(other);
	apply_result_free(&f.res);
	assert_int_equal(fx_apply(&f, &e), 0);
	assert_int_equal(access(temp, F_OK), -1);
	fx_free(&f);
}

static void test_move_orphan(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_clean");
	char orphan[160], qdir[128];
	snprintf(orphan, sizeof orphan, "%s/events.ndjson.7", f.dir);
	snprintf(qdir, sizeof qdir, "%s/q", f.dir);
	write_file(orphan, f.orig.p, 100);
	fx_scan(&f);
	perr e = {0};
	scan_report_add(&f.rep, AN_ORPHANED_ROTATED_FILE, orphan, 0, -1, -1, NULL, 0, &e,
			"Unexpected file in rotation set");
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_REPAIR, NULL, &e), 0);
	assert_int_equal(f.plan.n, 0); /* repair leaves orphans */
	assert_int_equal(plan_build_files(&f.plan, &f.rep, NULL, RM_QUARANTINE, qdir, &e), 0);
	assert_int_equal(f.plan.n, 1);
	assert_int_equal(f.plan.v[0].kind, ACT_MOVE_ORPHAN);
	assert_int_equal(fx_apply(&f, &e), 0);
	assert_int_equal(access(orphan, F_OK), -1);
	assert_int_equal(f.res.n_quarantined, 1);
	assert_string_equal(f.res.quarantined[0], f.plan.v[0].to);
	assert_file_equals(f.res.quarantined[0], f.orig.p, 100);
	assert_file_equals(f.path, f.orig.p, f.orig.n); /* healthy file untouched */
	assert_int_equal(f.res.n_repaired, 0);
	fx_free(&f);
}

struct progress_seen {
	int calls;
	int64_t last_done, last_total;
};

static void on_progress(void *ctx, int64_t done, int64_t total)
{
	struct progress_seen *s = ctx;
	s->calls++;
	s->last_done = done;
	s->last_total = total;
}

static void test_progress_reported(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char qdir[128];
	snprintf(qdir, sizeof qdir, "%s/q", f.dir);
	fx_plan(&f, RM_QUARANTINE, qdir);
	struct progress_seen s = {0};
	struct apply_progress prog = {&s, on_progress, NULL};
	perr e = {0};
	assert_int_equal(plan_apply_files(&f.plan, &prog, &f.res, &e), 0);
	assert_true(s.calls >= 2);
	assert_int_equal(s.last_total, 2 * (int64_t)f.orig.n);
	assert_int_equal(s.last_done, s.last_total);
	fx_free(&f);
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	if (!v)
		fail_msg("journal: missing field %s", k);
	return v;
}

static void test_journal_line(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, "json_corrupt_middle");
	char qdir[128], jpath[160];
	snprintf(qdir, sizeof qdir, "%s/q", f.dir);
	snprintf(jpath, sizeof jpath, "%s/state/papyra/journal.ndjson", f.dir);
	fx_plan(&f, RM_QUARANTINE, qdir);
	perr e = {0};
	assert_int_equal(fx_apply(&f, &e), 0);
	struct journal_entry j = {
		.command = "persistence recover", .backend = "json",
		.location = "odd \"name\"\n\xff.ndjson", .mode = "quarantine",
		.plan = &f.plan, .result = &f.res, .records_before = 21, .records_after = 21,
		.bytes_before = f.res.bytes_before, .bytes_after = f.res.bytes_after,
	};
	assert_int_equal(journal_append(jpath, &j, &e), 0);
	j.plan = NULL; /* a compaction entry */
	j.result = NULL;
	j.command = "persistence compact";
	assert_int_equal(journal_append(jpath, &j, &e), 0);

	struct buf b = read_all(jpath);
	char *nl = memchr(b.p, '\n', b.n);
	assert_non_null(nl);
	assert_int_equal(b.p[b.n - 1], '\n');
	*nl = '\0';
	cJSON *o = cJSON_Parse(b.p);
	assert_non_null(o);
	const cJSON *t = jget(o, "time");
	assert_true(cJSON_IsString(t));
	assert_int_equal(strlen(t->valuestring), 24);
	assert_int_equal(t->valuestring[23], 'Z');
	assert_true(cJSON_IsNumber(jget(o, "epoch")));
	assert_true(cJSON_IsString(jget(o, "user")));
	assert_true(cJSON_IsString(jget(o, "host")));
	assert_string_equal(jget(o, "command")->valuestring, "persistence recover");
	assert_string_equal(jget(o, "mode")->valuestring, "quarantine");
	assert_string_equal(jget(o, "location")->valuestring, "odd \"name\"\n\xef\xbf\xbd.ndjson");
	const cJSON *files = jget(o, "files");
	assert_int_equal(cJSON_GetArraySize(files), 1);
	const cJSON *f0 = cJSON_GetArrayItem(files, 0);
	assert_string_equal(jget(f0, "path")->valuestring, f.path);
	assert_int_equal((int64_t)jget(f0, "bytes_before")->valuedouble, (int64_t)f.orig.n);
	assert_int_equal((int64_t)jget(f0, "bytes_after")->valuedouble, f.res.bytes_after);
	assert_int_equal((int64_t)jget(f0, "lines_before")->valuedouble, 23);
	assert_int_equal((int64_t)jget(f0, "lines_after")->valuedouble, 21);
	assert_int_equal((int64_t)jget(o, "records_before")->valuedouble, 21);
	assert_int_equal((int64_t)jget(o, "bytes_after")->valuedouble, f.res.bytes_after);
	const cJSON *dropped = jget(o, "dropped");
	assert_int_equal(cJSON_GetArraySize(dropped), 2);
	const cJSON *d1 = cJSON_GetArrayItem(dropped, 1);
	assert_int_equal((int)jget(d1, "line")->valuedouble, 20);
	assert_string_equal(jget(d1, "reason")->valuestring, "CORRUPTED_LINE");
	assert_string_equal(jget(d1, "path")->valuestring, f.path);
	const cJSON *q = jget(o, "quarantine");
	assert_int_equal(cJSON_GetArraySize(q), 1);
	assert_string_equal(cJSON_GetArrayItem(q, 0)->valuestring, f.res.quarantined[0]);
	cJSON_Delete(o);

	cJSON *o2 = cJSON_Parse(nl + 1);
	assert_non_null(o2);
	assert_string_equal(jget(o2, "command")->valuestring, "persistence compact");
	assert_int_equal(cJSON_GetArraySize(jget(o2, "files")), 0);
	cJSON_Delete(o2);
	free(b.p);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_and_action_names),
		cmocka_unit_test(test_temp_names),
		cmocka_unit_test(test_plan_from_hand_report),
		cmocka_unit_test(test_repair_corrupt_middle),
		cmocka_unit_test(test_repair_truncated_tail),
		cmocka_unit_test(test_repair_complete_tail_keeps_record),
		cmocka_unit_test(test_repair_tail_non_object_counted_once),
		cmocka_unit_test(test_repair_blank_lines),
		cmocka_unit_test(test_repair_crlf_untouched_bytes),
		cmocka_unit_test(test_quarantine_preserves_original),
		cmocka_unit_test(test_quarantine_name_collision),
		cmocka_unit_test(test_quarantine_dir_refused),
		cmocka_unit_test(test_quarantine_dir_not_writable),
		cmocka_unit_test(test_appended_between_plan_and_apply_kept),
		cmocka_unit_test(test_changed_between_plan_and_apply),
		cmocka_unit_test(test_file_removed_between_plan_and_apply),
		cmocka_unit_test(test_readonly_directory),
		cmocka_unit_test(test_write_failure_leaves_original),
		cmocka_unit_test(test_lock_held_elsewhere),
		cmocka_unit_test(test_symlinked_data_file_refused),
		cmocka_unit_test(test_data_dir_through_symlink),
		cmocka_unit_test(test_skipped_action_is_kept),
		cmocka_unit_test(test_leftover_temp_with_our_pid),
		cmocka_unit_test(test_remove_temp_refused_while_data_locked),
		cmocka_unit_test(test_move_orphan),
		cmocka_unit_test(test_progress_reported),
		cmocka_unit_test(test_journal_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
