/* NDJSON compaction (core/compact.c): retention applied age, then count,
 * then size, survivors byte for byte.  Fixtures are copied into a fresh
 * /tmp directory first; expected bytes are suffixes of the original lines. */
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
#include <unistd.h>

#include "compact.h"
#include "config.h"

/* Newest timestamp in tests/fixtures/json_retention (records 24..46 are an
 * hour after records 1..23). */
#define RET_NEWEST_TS 1767229211.0
#define RET_RECORDS 46

struct cfx {
	char dir[64];
	char path[128];
	struct buf orig;
	size_t nlines;
	size_t *off; /* start of each line, plus orig.n at the end */
};

static void cfx_index(struct cfx *f)
{
	free(f->off);
	f->off = malloc((f->orig.n + 2) * sizeof *f->off);
	f->nlines = 0;
	for (size_t i = 0; i < f->orig.n;) {
		f->off[f->nlines++] = i;
		const char *nl = memchr(f->orig.p + i, '\n', f->orig.n - i);
		i = nl ? (size_t)(nl - f->orig.p) + 1 : f->orig.n;
	}
	f->off[f->nlines] = f->orig.n;
}

static void cfx_set(struct cfx *f, const char *p, size_t n)
{
	free(f->orig.p);
	f->orig.p = malloc(n + 1);
	memcpy(f->orig.p, p, n);
	f->orig.n = n;
	write_file(f->path, p, n);
	cfx_index(f);
}

static void cfx_init(struct cfx *f, const char *fixture)
{
	memset(f, 0, sizeof *f);
	strcpy(f->dir, "/tmp/papyra-compact-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/events.ndjson", f->dir);
	if (fixture) {
		char src[256];
		snprintf(src, sizeof src, "tests/fixtures/%s/data/events.ndjson", fixture);
		struct buf b = read_all(src);
		cfx_set(f, b.p, b.n);
		free(b.p);
	}
}

static void cfx_free(struct cfx *f)
{
	DIR *d = opendir(f->dir);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f->orig.p);
	free(f->off);
}

/* The file must now hold exactly the original lines from `first` on. */
static void assert_suffix(const struct cfx *f, size_t first)
{
	assert_file_equals(f->path, f->orig.p + f->off[first], f->orig.n - f->off[first]);
}

static struct retention policy(int64_t records, double age, int64_t bytes)
{
	struct retention r = {records, age, bytes, 0};
	return r;
}

static int run(struct cfx *f, struct retention r, double now, struct compact_result *res, perr *e)
{
	int rc = compact_ndjson_file(f->path, &r, now, res, e);
	assert_no_temp(f->dir);
	return rc;
}

static void test_max_records(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_retention");
	assert_int_equal(f.nlines, RET_RECORDS);
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(5, -1, -1), RET_NEWEST_TS, &res, &e), 0);
	assert_suffix(&f, RET_RECORDS - 5);
	assert_string_equal(res.backend, "json");
	assert_int_equal(res.bytes_known, 1);
	assert_int_equal(res.before_records, RET_RECORDS);
	assert_int_equal(res.after_records, 5);
	assert_int_equal(res.before_bytes, (int64_t)f.orig.n);
	assert_int_equal(res.after_bytes, (int64_t)(f.orig.n - f.off[RET_RECORDS - 5]));
	cfx_free(&f);
}

/* The longest suffix whose line bytes fit in `max`. */
static size_t fitting_suffix(const struct cfx *f, size_t from, int64_t max)
{
	size_t first = f->nlines;
	while (first > from && (int64_t)(f->orig.n - f->off[first - 1]) <= max)
		first--;
	return first;
}

static void test_max_total_bytes(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_retention");
	size_t first = fitting_suffix(&f, 0, 2000);
	assert_true(first > 0 && first < RET_RECORDS);
	assert_true(f.orig.n - f.off[first - 1] > 2000); /* the next older one does not fit */
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(-1, -1, 2000), RET_NEWEST_TS, &res, &e), 0);
	assert_suffix(&f, first);
	assert_int_equal(res.after_records, (int64_t)(RET_RECORDS - first));
	assert_true(res.after_bytes <= 2000);
	cfx_free(&f);
}

static void test_max_total_bytes_exact_fit(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_retention");
	int64_t exact = (int64_t)(f.orig.n - f.off[40]); /* the last 6 lines, to the byte */
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(-1, -1, exact), RET_NEWEST_TS, &res, &e), 0);
	assert_suffix(&f, 40);
	assert_int_equal(res.after_bytes, exact);
	cfx_free(&f);
}

static void test_max_age_seconds(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_retention");
	struct compact_result res;
	perr e = {0};
	/* cutoff an hour minus 1000 s before the newest: the older half goes */
	assert_int_equal(run(&f, policy(-1, 1000, -1), RET_NEWEST_TS + 100, &res, &e), 0);
	assert_suffix(&f, 23);
	assert_int_equal(res.after_records, 23);
	cfx_free(&f);
}

static void test_age_then_count_then_size(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_retention");
	size_t first = fitting_suffix(&f, RET_RECORDS - 10, 1200);
	assert_true(first > RET_RECORDS - 10);
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(10, 1000, 1200), RET_NEWEST_TS + 100, &res, &e), 0);
	assert_suffix(&f, first);
	assert_int_equal(res.after_records, (int64_t)(RET_RECORDS - first));
	cfx_free(&f);

	/* count wider than what age leaves: age decides */
	cfx_init(&f, "json_retention");
	assert_int_equal(run(&f, policy(40, 1000, -1), RET_NEWEST_TS + 100, &res, &e), 0);
	assert_suffix(&f, 23);
	cfx_free(&f);

	/* size with count: measured over the newest 3 only */
	cfx_init(&f, "json_retention");
	assert_int_equal(run(&f, policy(3, -1, 1000000), RET_NEWEST_TS, &res, &e), 0);
	assert_suffix(&f, RET_RECORDS - 3);
	cfx_free(&f);
}

static void test_nothing_to_drop_leaves_file(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_retention");
	struct stat before, after;
	assert_int_equal(stat(f.path, &before), 0);
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(100, 1e9, 1000000), RET_NEWEST_TS, &res, &e), 0);
	assert_int_equal(stat(f.path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_suffix(&f, 0);
	assert_int_equal(res.before_records, RET_RECORDS);
	assert_int_equal(res.after_records, RET_RECORDS);
	assert_int_equal(res.after_bytes, (int64_t)f.orig.n);
	assert_int_equal(run(&f, policy(-1, -1, -1), RET_NEWEST_TS, &res, &e), 0);
	assert_int_equal(res.after_records, RET_RECORDS);
	cfx_free(&f);
}

static void test_max_records_zero_empties(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_retention");
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(0, -1, -1), RET_NEWEST_TS, &res, &e), 0);
	assert_file_equals(f.path, "", 0);
	assert_int_equal(res.after_records, 0);
	assert_int_equal(res.after_bytes, 0);
	cfx_free(&f);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, NULL);
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(5, 10, 100), RET_NEWEST_TS, &res, &e), 0);
	assert_int_equal(res.before_records, 0);
	assert_int_equal(res.after_records, 0);
	assert_int_equal(res.before_bytes, 0);
	assert_int_equal(res.after_bytes, 0);
	assert_int_equal(res.bytes_known, 1);
	assert_int_equal(access(f.path, F_OK), -1);
	cfx_free(&f);
}

/* Records without a numeric timestamp survive the age rule; lines that are
 * not records (kept under --force) survive everything and are not counted. */
static void test_non_numeric_and_corrupt_lines(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, NULL);
	const char data[] =
		"{\"kind\": \"event\", \"timestamp\": 1.0}\n"
		"{\"kind\": \"event\", \"timestamp\": \"2020-01-01T00:00:00\"}\n"
		"garbage line\n"
		"{\"kind\": \"event\"}\n"
		"{\"kind\": \"event\", \"timestamp\": 5e9}\n"
		"{\"kind\": \"audit\", \"timestamp\": 4e9}\n";
	cfx_set(&f, data, sizeof data - 1);
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(-1, 10, -1), 1000.0, &res, &e), 0);
	assert_suffix(&f, 1);
	assert_int_equal(res.before_records, 5);
	assert_int_equal(res.after_records, 4);

	cfx_set(&f, data, sizeof data - 1);
	assert_int_equal(run(&f, policy(2, -1, -1), 1000.0, &res, &e), 0);
	const char want[] = "garbage line\n"
			    "{\"kind\": \"event\", \"timestamp\": 5e9}\n"
			    "{\"kind\": \"audit\", \"timestamp\": 4e9}\n";
	assert_file_equals(f.path, want, sizeof want - 1);
	assert_int_equal(res.after_records, 2);
	cfx_free(&f);
}

static void test_crlf_and_complete_tail_kept_byte_for_byte(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_crlf");
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(3, -1, -1), RET_NEWEST_TS, &res, &e), 0);
	assert_suffix(&f, f.nlines - 3);
	cfx_free(&f);

	cfx_init(&f, NULL);
	const char data[] = "{\"a\": 1}\n{\"b\": 2}\n{\"c\": 3}";
	cfx_set(&f, data, sizeof data - 1);
	assert_int_equal(run(&f, policy(2, -1, -1), 0, &res, &e), 0);
	assert_file_equals(f.path, "{\"b\": 2}\n{\"c\": 3}", 17);
	cfx_free(&f);
}

/* A record longer than the scanner's buffer has no bytes in the callback:
 * it is copied from the file instead. */
static void test_long_line(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, NULL);
	size_t big = 5u << 20;
	char *data = malloc(big + 200);
	size_t n = 0;
	n += (size_t)sprintf(data + n, "{\"kind\": \"event\", \"timestamp\": 1}\n");
	n += (size_t)sprintf(data + n, "{\"kind\": \"event\", \"timestamp\": 2, \"payload\": \"");
	memset(data + n, 'x', big);
	n += big;
	n += (size_t)sprintf(data + n, "\"}\n{\"kind\": \"event\", \"timestamp\": 3}\n");
	cfx_set(&f, data, n);
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(2, -1, -1), 0, &res, &e), 0);
	assert_suffix(&f, 1);
	assert_int_equal(run(&f, policy(1, -1, -1), 0, &res, &e), 0);
	assert_suffix(&f, 2);
	free(data);
	cfx_free(&f);
}

static void test_refusals(void **state)
{
	(void)state;
	struct cfx f;
	cfx_init(&f, "json_retention");
	int other = open(f.path, O_RDONLY);
	assert_int_equal(flock(other, LOCK_EX), 0);
	struct compact_result res;
	perr e = {0};
	assert_int_equal(run(&f, policy(5, -1, -1), 0, &res, &e), -1);
	assert_int_equal(e.code, PX_IOERR);
	assert_non_null(strstr(e.msg, "locked by another process"));
	assert_int_equal(e.reason, PR_LOCKED);
	assert_suffix(&f, 0);
	close(other);

	char target[160];
	snprintf(target, sizeof target, "%s/target.ndjson", f.dir);
	assert_int_equal(rename(f.path, target), 0);
	assert_int_equal(symlink("target.ndjson", f.path), 0);
	assert_int_equal(run(&f, policy(5, -1, -1), 0, &res, &e), -1);
	assert_non_null(strstr(e.msg, "symbolic link"));
	assert_file_equals(target, f.orig.p, f.orig.n);
	cfx_free(&f);
}

/* A tiny deterministic generator (tests must not depend on rand()'s libc). */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct model_line {
	size_t off, len; /* len includes the "\n" when there is one */
	int record, has_ts;
	double ts;
};

/* Random files checked against a direct in-memory model of SPEC §5:
 * ordered timestamps (the tail-copy path), shuffled ones and lines that
 * are not records (the scanner-pass path), with and without a complete
 * unterminated last record. */
static void test_random_against_model(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	char *data = malloc(1 << 20);
	struct model_line *ml = malloc(4096 * sizeof *ml);
	char *want = malloc(1 << 20);
	int changed = 0, emptied = 0;
	for (int round = 0; round < 300; round++) {
		int shuffled = round % 3 == 1, junk = round % 3 == 2;
		size_t nlines = 1 + rng_next(&seed) % 120, n = 0;
		for (size_t i = 0; i < nlines; i++) {
			uint64_t r = rng_next(&seed);
			struct model_line *m = &ml[i];
			m->off = n;
			m->record = 1;
			m->has_ts = 1;
			m->ts = shuffled ? (double)(r % 1000) : (double)i * 10 + (double)(r % 10);
			int pad = (int)(r >> 20) % 40;
			if (junk && r % 7 == 0) {
				m->record = 0;
				m->has_ts = 0;
				n += (size_t)sprintf(data + n, "not json %*s\n", pad, "");
			} else if (r % 11 == 0) {
				m->has_ts = 0;
				n += (size_t)sprintf(data + n, "{\"kind\": \"event\", \"timestamp\": \"x\", \"p\": \"%*s\"}\n", pad, "");
			} else {
				n += (size_t)sprintf(data + n, "{\"kind\": \"event\", \"timestamp\": %.1f, \"p\": \"%*s\"}\n",
						     m->ts, pad, "");
			}
			m->len = n - m->off;
		}
		if (ml[nlines - 1].record && rng_next(&seed) % 4 == 0) {
			n--; /* a complete last record without its "\n" */
			ml[nlines - 1].len--;
		}
		uint64_t r = rng_next(&seed);
		int64_t max_records = r % 3 == 0 ? -1 : (int64_t)(r >> 8) % 130;
		double max_age = (r >> 16) % 3 == 0 ? -1 : (double)((r >> 24) % 1300);
		int64_t max_bytes = (r >> 32) % 3 == 0 ? -1 : (int64_t)((r >> 40) % 9000);
		double now = 1200;

		int keep[4096];
		int64_t kept_age = 0;
		for (size_t i = 0; i < nlines; i++) {
			keep[i] = 1;
			if (!ml[i].record)
				continue;
			if (max_age >= 0 && ml[i].has_ts && ml[i].ts < now - max_age)
				keep[i] = 0;
			kept_age += keep[i];
		}
		int64_t seen = 0, bytes = 0, after = 0;
		for (size_t i = 0; i < nlines; i++)
			if (ml[i].record && keep[i] && max_records >= 0 && seen++ < kept_age - max_records)
				keep[i] = 0;
		int stop = 0;
		for (size_t i = nlines; i-- > 0;) {
			if (!ml[i].record || !keep[i])
				continue;
			bytes += (int64_t)ml[i].len;
			if (max_bytes >= 0 && (stop || bytes > max_bytes))
				keep[i] = 0, stop = 1;
			after += keep[i];
		}
		size_t wn = 0;
		for (size_t i = 0; i < nlines; i++)
			if (keep[i]) {
				memcpy(want + wn, data + ml[i].off, ml[i].len);
				wn += ml[i].len;
			}

		struct cfx f;
		cfx_init(&f, NULL);
		cfx_set(&f, data, n);
		struct compact_result res;
		perr e = {0};
		if (run(&f, policy(max_records, max_age, max_bytes), now, &res, &e) != 0)
			fail_msg("round %d: %s", round, e.msg);
		struct buf got = read_all(f.path);
		if (got.n != wn || memcmp(got.p, want, wn) != 0)
			fail_msg("round %d (records %lld age %.0f bytes %lld): got %zu bytes, want %zu",
				 round, (long long)max_records, max_age, (long long)max_bytes, got.n, wn);
		assert_int_equal(res.after_records, after);
		assert_int_equal(res.after_bytes, (int64_t)wn);
		changed += wn < n;
		emptied += wn == 0;
		free(got.p);
		cfx_free(&f);
	}
	assert_true(changed > 100 && emptied > 5); /* the rounds did exercise retention */
	free(data);
	free(ml);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_max_records),
		cmocka_unit_test(test_max_total_bytes),
		cmocka_unit_test(test_max_total_bytes_exact_fit),
		cmocka_unit_test(test_max_age_seconds),
		cmocka_unit_test(test_age_then_count_then_size),
		cmocka_unit_test(test_nothing_to_drop_leaves_file),
		cmocka_unit_test(test_max_records_zero_empties),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_non_numeric_and_corrupt_lines),
		cmocka_unit_test(test_crlf_and_complete_tail_kept_byte_for_byte),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
