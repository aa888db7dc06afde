/* The rotating backend (core/backend_rotating.c, core/rotating_compact.c):
 * set listing, scan order and exact anomalies, recovery touching only what
 * is damaged, the quarantine-directory refusal, and compaction checked
 * against an in-memory model of SPEC §5.  Fixtures are copied into a fresh
 * /tmp directory before anything is mutated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend.h"
#include "backend_rotating.h"
#include "recover.h"
#include "rotating_compact.h"
#include "scan.h"

/* The fixtures' documented configuration. */
#define FX_MAX_FILES 3
#define FX_MAX_BYTES 2048
/* Lines of rot_clean in reading order: rot.log.2, rot.log.1, rot.log. */
#define CLEAN_LINES (8 + 8 + 53)

struct rfx {
	char dir[64];
	char qroot[64];  /* a separate directory for quarantine tests */
	char path[128];  /* dir/rot.log */
	struct config cfg;
	struct backend *b;
	struct scan_report rep;
	struct plan plan;
	struct apply_result res;
};

static void append_buf(struct buf *b, const char *p, size_t n)
{
	b->p = realloc(b->p, b->n + n + 1);
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* "<dir>/<name>" in one of a few rotating buffers, so several can be used
 * in one call. */
static const char *at(const struct rfx *f, const char *name)
{
	static char ring[4][512];
	static int i;
	char *s = ring[i++ % 4];
	snprintf(s, sizeof ring[0], "%s/%s", f->dir, name);
	return s;
}

static void copy_fixture(const struct rfx *f, const char *fixture)
{
	char src[256];
	snprintf(src, sizeof src, "tests/fixtures/%s/data", fixture);
	DIR *d = opendir(src);
	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char from[512];
		snprintf(from, sizeof from, "%s/%s", src, de->d_name);
		struct buf b = read_all(from);
		write_file(at(f, de->d_name), b.p, b.n);
		free(b.p);
	}
	closedir(d);
}

static void rfx_open(struct rfx *f)
{
	perr e = {0};
	if (f->b)
		backend_close(f->b);
	f->b = NULL;
	if (backend_open(&f->cfg, &f->b, &e) != 0)
		fail_msg("open: %s", e.msg);
	assert_string_equal(f->b->ops->name, "rotating");
}

static void rfx_init(struct rfx *f, const char *fixture)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/papyra-rot-XXXXXX");
	strcpy(f->qroot, "/tmp/papyra-rotq-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_non_null(mkdtemp(f->qroot));
	snprintf(f->path, sizeof f->path, "%s/rot.log", f->dir);
	if (fixture)
		copy_fixture(f, fixture);
	f->cfg.backend = BK_ROTATING;
	f->cfg.path = f->path;
	f->cfg.max_files = FX_MAX_FILES;
	f->cfg.max_bytes = FX_MAX_BYTES;
	retention_init(&f->cfg.retention);
	scan_report_init(&f->rep);
	plan_init(&f->plan);
	rfx_open(f);
}

static void rfx_free(struct rfx *f)
{
	backend_close(f->b);
	scan_report_free(&f->rep);
	plan_free(&f->plan);
	apply_result_free(&f->res);
	rm_rf(f->dir);
	rm_rf(f->qroot);
}

static void rfx_scan(struct rfx *f, const struct scan_sink *sink)
{
	struct scan_opts o = {0};
	perr e = {0};
	scan_report_free(&f->rep);
	scan_report_init(&f->rep);
	if (f->b->ops->scan(f->b, &o, sink, &f->rep, &e) != 0)
		fail_msg("scan: %s", e.msg);
}

static void assert_anomaly(const struct rfx *f, size_t i, enum anomaly_type t, const char *name,
			   int64_t line, const char *detail_prefix)
{
	assert_true(i < f->rep.n_an);
	const struct anomaly *a = &f->rep.an[i];
	assert_string_equal(anomaly_type_name(a->type), anomaly_type_name(t));
	assert_string_equal(a->path, at(f, name));
	assert_int_equal(a->line, line);
	if (strncmp(a->detail, detail_prefix, strlen(detail_prefix)) != 0)
		fail_msg("anomaly %zu: detail '%s' does not start with '%s'", i, a->detail, detail_prefix);
}

/* The concatenation of the set in reading order. */
static struct buf concat_set(const struct rfx *f, int64_t max_files)
{
	struct buf all = {malloc(1), 0};
	for (int64_t i = max_files - 1; i >= 0; i--) {
		char name[64];
		snprintf(name, sizeof name, i ? "rot.log.%lld" : "rot.log", (long long)i);
		if (!exists(at(f, name)))
			continue;
		struct buf b = read_all(at(f, name));
		append_buf(&all, b.p, b.n);
		free(b.p);
	}
	return all;
}

/* ---- listing ---------------------------------------------------------------- */

static void touch(const struct rfx *f, const char *name)
{
	write_file(at(f, name), "", 0);
}

static void test_set_listing(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, NULL);
	const char *names[] = {"rot.log", "rot.log.1", "rot.log.2", "rot.log.3", "rot.log.01",
			       "rot.log.0", "rot.log.bak", "rot.logx", ".rot.log.2.papyra-tmp-12",
			       ".rot.log.9.papyra-tmp-1", "other.log", "rot.log.99999999999999999999999"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		touch(&f, names[i]);
	assert_int_equal(mkdir(at(&f, "rot.log.d"), 0755), 0);
	struct rotating_set s;
	perr e = {0};
	assert_int_equal(rotating_set_list(f.path, 3, &s, &e), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.m[0].index, 2);
	assert_true(s.m[0].exists && s.m[0].has_temps);
	assert_string_equal(s.m[0].path, at(&f, "rot.log.2"));
	assert_int_equal(s.m[1].index, 1);
	assert_false(s.m[1].has_temps);
	assert_int_equal(s.m[2].index, 0);
	assert_string_equal(s.m[2].path, f.path);
	const char *orphans[] = {"rot.log.0", "rot.log.01", "rot.log.3",
				 "rot.log.99999999999999999999999", "rot.log.bak", "rot.logx"};
	assert_int_equal(s.n_orphans, sizeof orphans / sizeof *orphans);
	for (size_t i = 0; i < s.n_orphans; i++)
		assert_string_equal(s.orphans[i], at(&f, orphans[i]));
	rotating_set_free(&s);

	/* with one file only, P.1 is an orphan too; with a huge count, P.3 is a member */
	assert_int_equal(rotating_set_list(f.path, 1, &s, &e), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.n_orphans, 8);
	rotating_set_free(&s);
	assert_int_equal(rotating_set_list(f.path, INT64_MAX, &s, &e), 0);
	assert_int_equal(s.n, 5); /* 3, 2, 1, 0 and the temp-only 9 */
	assert_int_equal(s.m[0].index, 9);
	assert_false(s.m[0].exists);
	assert_true(s.m[0].has_temps);
	rotating_set_free(&s);
	rfx_free(&f);
}

/* ---- scanning ------------------------------------------------------------------ */

static void test_scan_clean(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 0);
	assert_int_equal(f.rep.n_files, 3);
	const char *names[] = {"rot.log.2", "rot.log.1", "rot.log"};
	const int64_t bytes[] = {1967, 2018, 12480}, lines[] = {8, 8, 53};
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(f.rep.files[i].path, at(&f, names[i]));
		assert_int_equal(f.rep.files[i].bytes, bytes[i]);
		assert_int_equal(f.rep.files[i].lines, lines[i]);
	}
	assert_string_equal(f.b->ops->class_name, "RotatingFilePersistence");
	rfx_free(&f);
}

static void test_scan_orphan_first(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_orphan_7");
	touch(&f, "rot.log.5"); /* a second orphan: sorted by name, both first */
	write_file(at(&f, "rot.log.1"), "{\"kind\": \"event\"}\nbad\n", 22);
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 3);
	assert_anomaly(&f, 0, AN_ORPHANED_ROTATED_FILE, "rot.log.5", 0, "Unexpected file in rotation set");
	assert_anomaly(&f, 1, AN_ORPHANED_ROTATED_FILE, "rot.log.7", 0, "Unexpected file in rotation set");
	assert_anomaly(&f, 2, AN_CORRUPTED_LINE, "rot.log.1", 2, "Invalid JSON at line 2");
	rfx_free(&f);
}

static void test_scan_corrupt(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_corrupt");
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 3);
	assert_anomaly(&f, 0, AN_TRUNCATED_LINE, "rot.log.2", 8, "Line 8 missing newline");
	assert_anomaly(&f, 1, AN_CORRUPTED_LINE, "rot.log.1", 3,
		       "Invalid JSON at line 3 (byte 86: unexpected end of line)");
	assert_anomaly(&f, 2, AN_CORRUPTED_LINE, "rot.log", 5, "Invalid JSON at line 5 (byte 0: empty line)");
	rfx_free(&f);

	rfx_init(&f, "rot_truncated_active");
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 1);
	assert_anomaly(&f, 0, AN_TRUNCATED_LINE, "rot.log", 53, "Line 53 missing newline");
	rfx_free(&f);
}

struct order_sink {
	size_t n;
	size_t file[CLEAN_LINES];
	int64_t line[CLEAN_LINES];
	char first[64];
};

static void order_on_line(void *ctx, const struct scan_line *l)
{
	struct order_sink *o = ctx;
	if (o->n == 0 && l->bytes)
		snprintf(o->first, sizeof o->first, "%.*s", (int)(l->length < 63 ? l->length : 63), l->bytes);
	if (o->n < CLEAN_LINES) {
		o->file[o->n] = l->file_index;
		o->line[o->n] = l->line;
	}
	o->n++;
}

/* Listings see the set oldest first: every line of rot.log.2, then
 * rot.log.1, then rot.log. */
static void test_scan_sink_reading_order(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	struct order_sink o = {0};
	struct scan_sink sink = {&o, order_on_line};
	rfx_scan(&f, &sink);
	assert_int_equal(o.n, CLEAN_LINES);
	for (size_t i = 0; i < CLEAN_LINES; i++) {
		size_t want_file = i < 8 ? 0 : i < 16 ? 1 : 2;
		int64_t want_line = (int64_t)(i < 8 ? i + 1 : i < 16 ? i - 7 : i - 15);
		assert_int_equal(o.file[i], want_file);
		assert_int_equal(o.line[i], want_line);
	}
	struct buf oldest = read_all(at(&f, "rot.log.2"));
	assert_memory_equal(o.first, oldest.p, strlen(o.first));
	free(oldest.p);
	rfx_free(&f);
}

static void test_scan_missing_members(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	unlink(at(&f, "rot.log.1"));
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 0);
	assert_int_equal(f.rep.n_files, 2);
	assert_string_equal(f.rep.files[0].path, at(&f, "rot.log.2"));
	unlink(at(&f, "rot.log.2"));
	unlink(f.path);
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 0);
	assert_int_equal(f.rep.n_files, 1); /* an empty set still names P */
	assert_string_equal(f.rep.files[0].path, f.path);
	assert_false(f.rep.files[0].ident.exists);
	rfx_free(&f);
}

static void test_scan_leftover_temps(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	touch(&f, ".rot.log.papyra-tmp-5");
	touch(&f, ".rot.log.1.papyra-tmp-99");
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 2);
	/* each before its member: reading order */
	assert_anomaly(&f, 0, AN_UNEXPECTED_FILE, ".rot.log.1.papyra-tmp-99", 0, "Leftover temporary file");
	assert_anomaly(&f, 1, AN_UNEXPECTED_FILE, ".rot.log.papyra-tmp-5", 0, "Leftover temporary file");
	perr e = {0};
	assert_int_equal(f.b->ops->plan(f.b, &f.rep, RM_REPAIR, NULL, &f.plan, &e), 0);
	assert_int_equal(f.b->ops->apply(f.b, &f.plan, NULL, &f.res, &e), 0);
	assert_no_temp(f.dir);
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 0);
	rfx_free(&f);
}

/* ---- recovery ------------------------------------------------------------------ */

static void plan_apply(struct rfx *f, enum recovery_mode m, const char *qdir)
{
	perr e = {0};
	if (f->b->ops->plan(f->b, &f->rep, m, qdir, &f->plan, &e) != 0)
		fail_msg("plan: %s", e.msg);
	if (f->b->ops->apply(f->b, &f->plan, NULL, &f->res, &e) != 0)
		fail_msg("apply: %s", e.msg);
}

/* `src` without the given 1-based line (with its "\n", if any). */
static struct buf without_line(const struct buf *src, int line)
{
	struct buf out = {malloc(src->n + 1), 0};
	int n = 1;
	for (size_t i = 0; i < src->n; n++) {
		const char *nl = memchr(src->p + i, '\n', src->n - i);
		size_t end = nl ? (size_t)(nl - src->p) + 1 : src->n;
		if (n != line) {
			memcpy(out.p + out.n, src->p + i, end - i);
			out.n += end - i;
		}
		i = end;
	}
	return out;
}

static void test_repair_touches_only_damaged(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_truncated_active");
	struct stat st1, st2, after1, after2;
	assert_int_equal(stat(at(&f, "rot.log.1"), &st1), 0);
	assert_int_equal(stat(at(&f, "rot.log.2"), &st2), 0);
	struct buf p = read_all(f.path), o1 = read_all(at(&f, "rot.log.1")), o2 = read_all(at(&f, "rot.log.2"));
	rfx_scan(&f, NULL);
	plan_apply(&f, RM_REPAIR, NULL);
	assert_int_equal(f.res.n_repaired, 1);
	assert_string_equal(f.res.repaired[0], f.path);
	struct buf want = without_line(&p, 53);
	assert_file_equals(f.path, want.p, want.n);
	assert_int_equal(stat(at(&f, "rot.log.1"), &after1), 0);
	assert_int_equal(stat(at(&f, "rot.log.2"), &after2), 0);
	assert_true(st1.st_ino == after1.st_ino && st1.st_mtim.tv_nsec == after1.st_mtim.tv_nsec);
	assert_true(st2.st_ino == after2.st_ino && st2.st_mtim.tv_nsec == after2.st_mtim.tv_nsec);
	assert_file_equals(at(&f, "rot.log.1"), o1.p, o1.n);
	assert_file_equals(at(&f, "rot.log.2"), o2.p, o2.n);
	rfx_free(&f);
	free(p.p);
	free(o1.p);
	free(o2.p);
	free(want.p);
}

static void test_repair_corrupt_set(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_corrupt");
	const char *names[] = {"rot.log.2", "rot.log.1", "rot.log"};
	const int drop[] = {8, 3, 5};
	struct buf orig[3];
	for (int i = 0; i < 3; i++)
		orig[i] = read_all(at(&f, names[i]));
	rfx_scan(&f, NULL);
	plan_apply(&f, RM_REPAIR, NULL);
	assert_int_equal(f.res.n_repaired, 3);
	assert_int_equal(f.res.lines_dropped, 3);
	for (int i = 0; i < 3; i++) {
		struct buf want = without_line(&orig[i], drop[i]);
		assert_file_equals(at(&f, names[i]), want.p, want.n);
		free(want.p);
		free(orig[i].p);
	}
	assert_no_temp(f.dir);
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 0);
	rfx_free(&f);
}

static void test_orphan_repair_leaves_quarantine_moves(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_orphan_7");
	struct buf orphan = read_all(at(&f, "rot.log.7"));
	rfx_scan(&f, NULL);
	plan_apply(&f, RM_REPAIR, NULL);
	assert_int_equal(f.plan.n, 0); /* repair leaves orphans */
	assert_true(exists(at(&f, "rot.log.7")));
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 1);

	char qdir[128];
	snprintf(qdir, sizeof qdir, "%s/q", f.qroot);
	plan_free(&f.plan);
	plan_init(&f.plan);
	apply_result_free(&f.res);
	plan_apply(&f, RM_QUARANTINE, qdir);
	assert_int_equal(f.plan.n, 1);
	assert_int_equal(f.plan.v[0].kind, ACT_MOVE_ORPHAN);
	char want[256];
	snprintf(want, sizeof want, "%s/rot.log.7.quarantine.%lld", qdir, (long long)f.plan.epoch_ms);
	assert_string_equal(f.plan.v[0].to, want);
	assert_false(exists(at(&f, "rot.log.7")));
	assert_file_equals(want, orphan.p, orphan.n);
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 0);
	free(orphan.p);
	rfx_free(&f);
}

static void test_quarantine_dir_is_set_dir(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_orphan_7");
	rfx_scan(&f, NULL);
	char same[5][256], link[256];
	snprintf(same[0], sizeof same[0], "%s", f.dir);
	snprintf(same[1], sizeof same[1], "%s/", f.dir);
	snprintf(same[2], sizeof same[2], "%s/./", f.dir);
	snprintf(same[3], sizeof same[3], "%s/q/x/../..", f.dir); /* does not exist yet */
	snprintf(link, sizeof link, "%s/link", f.qroot);
	assert_int_equal(symlink(f.dir, link), 0);
	snprintf(same[4], sizeof same[4], "%s", link);
	for (int i = 0; i < 5; i++) {
		perr e = {0};
		plan_free(&f.plan);
		plan_init(&f.plan);
		assert_int_equal(f.b->ops->plan(f.b, &f.rep, RM_QUARANTINE, same[i], &f.plan, &e), -1);
		assert_int_equal(e.code, PX_USAGE);
		assert_non_null(strstr(e.msg, "own directory"));
	}
	assert_false(exists(at(&f, "q"))); /* refused before anything was created */
	assert_true(exists(at(&f, "rot.log.7")));

	/* a sibling that does not exist yet is fine */
	char other[256];
	snprintf(other, sizeof other, "%s/q/x/..", f.dir);
	perr e = {0};
	plan_free(&f.plan);
	plan_init(&f.plan);
	assert_int_equal(f.b->ops->plan(f.b, &f.rep, RM_QUARANTINE, other, &f.plan, &e), 0);
	rfx_free(&f);
}

/* ---- compaction: a model of SPEC §5 ------------------------------------------ */

struct mline {
	const char *p;
	size_t len; /* with its "\n" when terminated */
	int terminated, record, has_ts;
	double ts;
};

struct model {
	struct buf *files; /* files[i] = expected content of index i */
	int64_t nt, kept_records;
	int *keep;         /* per input line */
};

static void model_free(struct model *m)
{
	for (int64_t i = 0; i < m->nt; i++)
		free(m->files[i].p);
	free(m->files);
	free(m->keep);
}

static struct model model_compact(const struct mline *l, size_t n, int64_t max_files,
				  int64_t max_bytes, struct retention r, double now)
{
	int *keep = calloc(n + 1, sizeof *keep);
	int64_t age_kept = 0, seen = 0, bytes = 0;
	for (size_t i = 0; i < n; i++) {
		keep[i] = 1;
		if (l[i].record && r.max_age_seconds >= 0 && l[i].has_ts && l[i].ts < now - r.max_age_seconds)
			keep[i] = 0;
		age_kept += l[i].record && keep[i];
	}
	for (size_t i = 0; i < n; i++)
		if (l[i].record && keep[i] && r.max_records >= 0 && seen++ < age_kept - r.max_records)
			keep[i] = 0;
	int stop = 0;
	for (size_t i = n; i-- > 0;) {
		if (!l[i].record || !keep[i])
			continue;
		bytes += (int64_t)l[i].len;
		if (r.max_total_bytes >= 0 && (stop || bytes > r.max_total_bytes))
			keep[i] = 0, stop = 1;
	}
	struct model m = {calloc((size_t)max_files, sizeof *m.files), 0, 0, keep};
	int64_t ord = 0, cb = 0, cl = 0, any = 0;
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		int64_t olen = (int64_t)l[i].len + (!l[i].terminated && i != n - 1);
		if (cl && cb + olen > max_bytes && ord < max_files - 1)
			ord++, cb = cl = 0;
		append_buf(&m.files[ord], l[i].p, l[i].len);
		if (olen > (int64_t)l[i].len)
			append_buf(&m.files[ord], "\n", 1);
		cb += olen;
		cl++;
		any = 1;
		m.kept_records += l[i].record;
	}
	m.nt = any ? ord + 1 : 1;
	/* chunks were filled oldest first: reverse into indexes */
	for (int64_t i = 0; i < m.nt / 2; i++) {
		struct buf t = m.files[i];
		m.files[i] = m.files[m.nt - 1 - i];
		m.files[m.nt - 1 - i] = t;
	}
	return m;
}

/* Split a concatenation into model lines (every line a record here). */
static size_t split_lines(const struct buf *all, struct mline *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < all->n && n < cap; n++) {
		const char *nl = memchr(all->p + i, '\n', all->n - i);
		size_t end = nl ? (size_t)(nl - all->p) + 1 : all->n;
		out[n] = (struct mline){all->p + i, end - i, nl != NULL, 1, 0, 0};
		i = end;
	}
	return n;
}

static void assert_layout(const struct rfx *f, const struct model *m, int64_t max_files)
{
	for (int64_t i = 0; i < max_files + 2; i++) {
		char name[64];
		snprintf(name, sizeof name, i ? "rot.log.%lld" : "rot.log", (long long)i);
		if (i < m->nt)
			assert_file_equals(at(f, name), m->files[i].p ? m->files[i].p : "", m->files[i].n);
		else if (exists(at(f, name)))
			fail_msg("%s should not exist after compaction", name);
	}
	assert_no_temp(f->dir);
}

static struct retention policy(int64_t records, double age, int64_t bytes)
{
	struct retention r = {records, age, bytes, 0};
	return r;
}

static void compact_ok(struct rfx *f, struct retention r, struct compact_result *res)
{
	perr e = {0};
	f->cfg.retention = r;
	if (f->b->ops->compact(f->b, &f->cfg.retention, res, &e) != 0)
		fail_msg("compact: %s", e.msg);
	assert_string_equal(res->backend, "rotating");
	assert_int_equal(res->bytes_known, 1);
}

/* --max-records 20 on rot_clean: the newest 20 lines of the concatenation,
 * re-chunked by 2048 bytes. */
static void test_compact_max_records(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	struct buf all = concat_set(&f, FX_MAX_FILES);
	struct mline l[CLEAN_LINES];
	assert_int_equal(split_lines(&all, l, CLEAN_LINES), CLEAN_LINES);
	struct model m = model_compact(l, CLEAN_LINES, FX_MAX_FILES, FX_MAX_BYTES, policy(20, -1, -1), 0);
	assert_int_equal(m.nt, 3);
	struct compact_result res;
	compact_ok(&f, policy(20, -1, -1), &res);
	assert_layout(&f, &m, FX_MAX_FILES);
	struct buf now = concat_set(&f, FX_MAX_FILES);
	size_t tail = 0;
	for (size_t i = CLEAN_LINES - 20; i < CLEAN_LINES; i++)
		tail += l[i].len;
	assert_int_equal(now.n, tail);
	assert_memory_equal(now.p, all.p + all.n - tail, tail);
	assert_int_equal(res.before_records, CLEAN_LINES);
	assert_int_equal(res.after_records, 20);
	assert_int_equal(res.before_bytes, 16465);
	assert_int_equal(res.after_bytes, (int64_t)tail);
	model_free(&m);
	free(all.p);
	free(now.p);
	rfx_free(&f);
}

/* Nothing to drop and the layout already right: not a byte, not an inode
 * changes. */
static void test_compact_unchanged(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	struct stat before[3], after[3];
	const char *names[] = {"rot.log.2", "rot.log.1", "rot.log"};
	for (int i = 0; i < 3; i++)
		assert_int_equal(stat(at(&f, names[i]), &before[i]), 0);
	struct compact_result res;
	compact_ok(&f, policy(1000, -1, -1), &res);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(stat(at(&f, names[i]), &after[i]), 0);
		assert_true(before[i].st_ino == after[i].st_ino);
		assert_true(before[i].st_mtim.tv_sec == after[i].st_mtim.tv_sec &&
			    before[i].st_mtim.tv_nsec == after[i].st_mtim.tv_nsec);
	}
	assert_int_equal(res.before_records, res.after_records);
	assert_int_equal(res.before_bytes, res.after_bytes);
	rfx_free(&f);
}

/* Data needing more than max_files chunks: nothing is lost, P holds the
 * rest; then merged into P alone, then spread over more files. */
static void test_compact_keeps_everything(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	struct buf all = concat_set(&f, FX_MAX_FILES);
	struct compact_result res;
	/* never fewer files than exist: the ones beyond would be orphans */
	const int64_t files[] = {3, 3, 5, 5, 2, 4};
	const int64_t bytes[] = {500, 1000000, 300, 1000000, 700, 2048};
	for (int step = 0; step < 6; step++) {
		f.cfg.max_files = files[step];
		f.cfg.max_bytes = bytes[step];
		struct mline l[CLEAN_LINES];
		assert_int_equal(split_lines(&all, l, CLEAN_LINES), CLEAN_LINES);
		struct model m = model_compact(l, CLEAN_LINES, files[step], bytes[step], policy(-1, -1, -1), 0);
		compact_ok(&f, policy(-1, -1, -1), &res);
		assert_int_equal(res.after_records, CLEAN_LINES);
		assert_layout(&f, &m, 5);
		struct buf now = concat_set(&f, 6);
		assert_int_equal(now.n, all.n);
		assert_memory_equal(now.p, all.p, all.n);
		free(now.p);
		model_free(&m);
	}
	assert_true(exists(at(&f, "rot.log.3"))); /* from the 4-file step */
	free(all.p);
	rfx_free(&f);
}

static void test_compact_everything_dropped(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	struct compact_result res;
	compact_ok(&f, policy(0, -1, -1), &res);
	assert_int_equal(res.after_records, 0);
	assert_int_equal(res.after_bytes, 0);
	assert_file_equals(f.path, "", 0); /* P stays, empty */
	assert_false(exists(at(&f, "rot.log.1")));
	assert_false(exists(at(&f, "rot.log.2")));
	assert_no_temp(f.dir);
	rfx_free(&f);
}

/* Another process holding the lock on any member: nothing changes. */
static void test_compact_locked(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_clean");
	struct buf all = concat_set(&f, FX_MAX_FILES);
	int fd = open(f.path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	struct compact_result res;
	perr e = {0};
	f.cfg.retention = policy(5, -1, -1);
	assert_int_equal(f.b->ops->compact(f.b, &f.cfg.retention, &res, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "locked"));
	assert_int_equal(e.reason, PR_LOCKED);
	close(fd);
	struct buf now = concat_set(&f, FX_MAX_FILES);
	assert_int_equal(now.n, all.n);
	assert_memory_equal(now.p, all.p, all.n);
	assert_no_temp(f.dir);
	free(all.p);
	free(now.p);
	rfx_free(&f);
}

/* Under --force a truncated tail in the middle of the set gets its "\n"
 * so it cannot swallow the line placed after it; the last line of the set
 * stays unterminated. */
static void test_compact_force_terminates_inner_tail(void **state)
{
	(void)state;
	struct rfx f;
	rfx_init(&f, "rot_corrupt");
	struct buf p2 = read_all(at(&f, "rot.log.2")), p1 = read_all(at(&f, "rot.log.1"));
	struct buf p0 = read_all(f.path);
	struct buf want = {malloc(1), 0};
	append_buf(&want, p2.p, p2.n);
	append_buf(&want, "\n", 1);
	append_buf(&want, p1.p, p1.n);
	append_buf(&want, p0.p, p0.n);
	f.cfg.max_bytes = 4000;
	struct compact_result res;
	compact_ok(&f, policy(-1, -1, -1), &res);
	struct buf now = concat_set(&f, FX_MAX_FILES);
	assert_int_equal(now.n, want.n);
	assert_memory_equal(now.p, want.p, want.n);
	rfx_scan(&f, NULL);
	assert_int_equal(f.rep.n_an, 3); /* the damage is kept, never silently repaired */
	for (size_t i = 0; i < f.rep.n_an; i++)
		assert_int_equal(f.rep.an[i].type, AN_CORRUPTED_LINE);
	free(p2.p);
	free(p1.p);
	free(p0.p);
	free(want.p);
	free(now.p);
	rfx_free(&f);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- crash consistency ---------------------------------------------------------
 *
 * The test binary's own renameat/linkat/unlinkat take precedence over
 * libc's for the code linked from libpapyra.a; they do the real system
 * call and then, while a check is armed, look at the directory exactly as
 * a crash right after that call would leave it (every step is fsynced). */

struct crash_check {
	const struct rfx *f;
	int64_t max_files;
	const struct buf *old;   /* old[i]: content of index i before, p NULL when missing */
	const struct model *m;
	const struct mline *l;
	const int *kept;
	size_t n;
	int steps;
};

static struct crash_check *g_check;

static void crash_check_now(void)
{
	struct crash_check *c = g_check;
	struct buf set[16] = {{0}};
	int64_t top = c->max_files + 1 < 16 ? c->max_files + 1 : 16;
	c->steps++;
	for (int64_t i = 0; i < top; i++) {
		char name[64];
		snprintf(name, sizeof name, i ? "rot.log.%lld" : "rot.log", (long long)i);
		if (!exists(at(c->f, name)))
			continue;
		set[i] = read_all(at(c->f, name));
		/* each path holds a complete file: its old or its new content */
		int is_old = c->old[i].p && set[i].n == c->old[i].n && memcmp(set[i].p, c->old[i].p, set[i].n) == 0;
		int is_new = i < c->m->nt && set[i].n == c->m->files[i].n &&
			     (set[i].n == 0 || memcmp(set[i].p, c->m->files[i].p, set[i].n) == 0);
		if (!is_old && !is_new)
			fail_msg("step %d: %s is neither its old nor its new content", c->steps, name);
	}
	/* every kept line is somewhere in the set */
	for (size_t k = 0; k < c->n; k++) {
		if (!c->kept[k])
			continue;
		int found = 0;
		for (int64_t i = 0; i < top && !found; i++) {
			for (size_t o = 0; !found && o + c->l[k].len <= set[i].n; o++)
				found = (o == 0 || set[i].p[o - 1] == '\n') &&
					memcmp(set[i].p + o, c->l[k].p, c->l[k].len) == 0;
		}
		if (!found)
			fail_msg("step %d: kept line %zu is in no file of the set", c->steps, k);
	}
	for (int64_t i = 0; i < top; i++)
		free(set[i].p);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
#ifdef SYS_renameat
	int rc = (int)syscall(SYS_renameat, olddirfd, oldpath, newdirfd, newpath);
#else
	int rc = (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, 0);
#endif
	if (rc == 0 && g_check)
		crash_check_now();
	return rc;
}

int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
	int rc = (int)syscall(SYS_linkat, olddirfd, oldpath, newdirfd, newpath, flags);
	if (rc == 0 && g_check)
		crash_check_now();
	return rc;
}

int unlinkat(int dirfd_, const char *path, int flags)
{
	int rc = (int)syscall(SYS_unlinkat, dirfd_, path, flags);
	if (rc == 0 && g_check)
		crash_check_now();
	return rc;
}

/* Random sets (random members missing or empty, unordered timestamps,
 * lines that are not records, an unterminated last line) against the
 * model, through rotating_compact() directly, with the crash check after
 * every rename, link and unlink. */
static void test_compact_random_against_model(void **state)
{
	(void)state;
	uint64_t seed = 0x2545f4914f6cdd1du;
	enum { MAX_LINES = 200, MAX_OLD = 6 };
	char *data = malloc(1 << 16);
	struct mline *l = malloc(MAX_LINES * sizeof *l);
	int changed = 0, spilled = 0, multi_step = 0;
	for (int round = 0; round < 200; round++) {
		struct rfx f;
		rfx_init(&f, NULL);
		size_t n = 1 + rng_next(&seed) % MAX_LINES, off = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t r = rng_next(&seed);
			int pad = (int)((r >> 20) % 60);
			double ts = round % 2 ? (double)(r % 1000) : (double)i * 5;
			size_t start = off;
			l[i] = (struct mline){data + start, 0, 1, 1, 1, ts};
			if (r % 13 == 0) {
				l[i].record = l[i].has_ts = 0;
				off += (size_t)sprintf(data + off, "junk %zu %*s\n", i, pad, "");
			} else {
				off += (size_t)sprintf(data + off, "{\"kind\": \"event\", \"i\": %zu, "
						       "\"timestamp\": %.1f, \"p\": \"%*s\"}\n", i, ts, pad, "");
			}
			l[i].len = off - start;
		}
		if (rng_next(&seed) % 5 == 0) {
			l[n - 1].len--; /* an unterminated last line */
			l[n - 1].terminated = 0;
		}
		/* the old layout: lines split over up to MAX_OLD members, some missing */
		int64_t old = 1 + (int64_t)(rng_next(&seed) % MAX_OLD);
		struct buf before[MAX_OLD + 3] = {{0}};
		size_t at_line = 0;
		for (int64_t i = old - 1; i >= 0; i--) {
			size_t take = i ? (size_t)(rng_next(&seed) % (n - at_line + 1)) : n - at_line;
			char name[64];
			snprintf(name, sizeof name, i ? "rot.log.%lld" : "rot.log", (long long)i);
			if (take == 0 && rng_next(&seed) % 2)
				continue; /* a missing member */
			struct buf *b = &before[i];
			b->p = malloc(1);
			for (size_t k = at_line; k < at_line + take; k++)
				append_buf(b, l[k].p, l[k].len);
			write_file(at(&f, name), b->p, b->n);
			at_line += take;
		}
		uint64_t r = rng_next(&seed);
		int64_t max_files = old + (int64_t)(r % 3);
		int64_t max_bytes = 50 + (int64_t)((r >> 8) % 3000);
		struct retention ret = policy(r % 3 == 0 ? -1 : (int64_t)((r >> 20) % 220),
					      (r >> 30) % 3 == 0 ? -1 : (double)((r >> 32) % 1100),
					      (r >> 40) % 3 == 0 ? -1 : (int64_t)((r >> 44) % 12000));
		double now = 1000;
		struct model m = model_compact(l, n, max_files, max_bytes, ret, now);
		struct crash_check check = {&f, max_files, before, &m, l, m.keep, n, 0};
		struct compact_result res;
		perr e = {0};
		g_check = &check;
		int rc = rotating_compact(f.path, max_files, max_bytes, &ret, now, &res, &e);
		g_check = NULL;
		if (rc != 0)
			fail_msg("round %d: %s", round, e.msg);
		assert_layout(&f, &m, max_files + 1);
		assert_int_equal(res.after_records, m.kept_records);
		changed += res.after_records < res.before_records;
		spilled += m.nt == max_files && m.files[0].n > (size_t)max_bytes;
		multi_step += check.steps > 2;
		model_free(&m);
		for (int i = 0; i < MAX_OLD + 3; i++)
			free(before[i].p);
		rfx_free(&f);
	}
	/* the rounds did exercise retention, spilling into P and several renames */
	assert_true(changed > 50 && spilled > 5 && multi_step > 50);
	free(data);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_listing),
		cmocka_unit_test(test_scan_clean),
		cmocka_unit_test(test_scan_orphan_first),
		cmocka_unit_test(test_scan_corrupt),
		cmocka_unit_test(test_scan_sink_reading_order),
		cmocka_unit_test(test_scan_missing_members),
		cmocka_unit_test(test_scan_leftover_temps),
		cmocka_unit_test(test_repair_touches_only_damaged),
		cmocka_unit_test(test_repair_corrupt_set),
		cmocka_unit_test(test_orphan_repair_leaves_quarantine_moves),
		cmocka_unit_test(test_quarantine_dir_is_set_dir),
		cmocka_unit_test(test_compact_max_records),
		cmocka_unit_test(test_compact_unchanged),
		cmocka_unit_test(test_compact_keeps_everything),
		cmocka_unit_test(test_compact_everything_dropped),
		cmocka_unit_test(test_compact_locked),
		cmocka_unit_test(test_compact_force_terminates_inner_tail),
		cmocka_unit_test(test_compact_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
