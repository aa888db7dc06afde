/* core/retention: the retention view (SPEC §5) that listings and both
 * compactions decide with: hand-made cases, then random lines against a
 * model that holds every record, including the single-file tail that
 * compaction copies as bytes (retview_suffix). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonv.h"
#include "retention.h"
#include "scan.h"
#include "schema.h"

/* A line as the scanner would hand it to a sink. */
struct tline {
	struct scan_line l;
	struct jsonv_field f[SF__COUNT];
	struct jsonv v;
	char text[8192];
};

static struct tline tl; /* struct jsonv is large: keep it off the stack */

/* Line `text` of file `file`, starting at byte `offset`. */
static const struct scan_line *mk_at(const char *text, size_t file, int64_t offset)
{
	struct jsonv_capture cap;
	size_t n = strlen(text);
	assert_true(n < sizeof tl.text);
	memcpy(tl.text, text, n + 1);
	memset(&tl.l, 0, sizeof tl.l);
	schema_capture_init(tl.f, &cap);
	tl.l.path = "t.ndjson";
	tl.l.file_index = file;
	tl.l.line = 1;
	tl.l.offset = offset;
	/* classified by the scanner's own function, as a sink would see it */
	scan_classify_record(tl.text, n, 0, &tl.v, &cap, &tl.l, NULL, 0);
	return &tl.l;
}

static const struct scan_line *mk(const char *text)
{
	return mk_at(text, 0, 0);
}

static struct retention policy(int64_t max_records, double max_age, int64_t max_bytes)
{
	struct retention pol;
	retention_init(&pol);
	pol.max_records = max_records;
	pol.max_age_seconds = max_age;
	pol.max_total_bytes = max_bytes;
	return pol;
}

/* Ten records, timestamps 1..10, each line 42 bytes + "\n"; which does
 * `pol` keep at time `now`?  Returns a bit mask (bit i = record i+1). */
static unsigned retained(int64_t max_records, double max_age, int64_t max_bytes, double now)
{
	struct retention pol;
	retention_init(&pol);
	pol.max_records = max_records;
	pol.max_age_seconds = max_age;
	pol.max_total_bytes = max_bytes;
	struct retview v;
	retview_init(&v, &pol, now, 0);
	char text[10][64];
	for (int pass = 0; pass < 2; pass++) {
		unsigned mask = 0;
		if (pass)
			retview_rewind(&v);
		for (int i = 0; i < 10; i++) {
			snprintf(text[i], sizeof text[i], "{\"kind\": \"event\", \"timestamp\": %-10d}", i + 1);
			const struct scan_line *l = mk(text[i]);
			assert_int_equal(l->length, 42);
			if (pass == 0)
				assert_int_equal(retview_add(&v, l, NULL), 0);
			else if (retview_keeps(&v, l))
				mask |= 1u << i;
		}
		if (pass == 0) {
			retview_finish(&v);
		} else {
			retview_free(&v);
			return mask;
		}
	}
	return 0;
}

static void test_retention_view(void **state)
{
	(void)state;
	assert_int_equal(retained(3, -1, -1, 0), 0x380);      /* newest 3 */
	assert_int_equal(retained(-1, 4.5, -1, 10), 0x3e0);   /* ts >= 5.5: 6..10 */
	assert_int_equal(retained(-1, -1, 129, 0), 0x380);    /* 3 x 43 bytes fit */
	assert_int_equal(retained(-1, -1, 128, 0), 0x300);
	assert_int_equal(retained(4, -1, 1000, 0), 0x3c0);    /* count, then size */
	assert_int_equal(retained(4, 6, 86, 10), 0x300);      /* age, count, size */
	assert_int_equal(retained(0, -1, -1, 0), 0);
}

/* A record whose age cannot be told survives the age rule, as compaction
 * decides; the count rule still counts it. */
static void test_retention_unknown_age_kept(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"{\"kind\": \"event\", \"timestamp\": 1}",
		"{\"kind\": \"event\", \"timestamp\": \"2026-01-01\"}",
		"{\"kind\": \"event\", \"timestamp\": NaN}",
		"{\"kind\": \"event\"}",
		"{\"kind\": \"event\", \"timestamp\": 100}",
		"not json",
	};
	struct retention pol;
	retention_init(&pol);
	pol.max_age_seconds = 10;
	struct retview v;
	retview_init(&v, &pol, 100, 0);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(retview_add(&v, mk(lines[i]), NULL), 0);
	retview_finish(&v);
	int want[] = { 0, 1, 1, 1, 1, 0 };
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(retview_keeps(&v, mk(lines[i])), want[i]);
	retview_free(&v);
}


/* Each file of a per-file view (Redis streams) has its own policy. */
static void test_retention_per_file(void **state)
{
	(void)state;
	struct retention pol = policy(1, -1, -1);
	struct retview v;
	retview_init(&v, &pol, 0, 1);
	static const char *const text = "{\"kind\": \"event\", \"timestamp\": 1}";
	static const size_t file[] = { 0, 1, 0, 1, 1 };
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(retview_add(&v, mk_at(text, file[i], 0), NULL), 0);
	retview_finish(&v);
	assert_int_equal(retview_records(&v), 5);
	assert_true(retview_drops(&v));
	int want[] = { 0, 0, 1, 0, 1 };
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(retview_keeps(&v, mk_at(text, file[i], 0)), want[i]);
	retview_free(&v);
}

/* Lines that are not records: no rule counts them, listings skip them,
 * compaction keeps them; and they end any hope of a plain tail copy. */
static void test_retention_nonrecords(void **state)
{
	(void)state;
	static const char *const lines[] = {
		"{\"kind\": \"event\", \"timestamp\": 1}",
		"not json",
		"{\"kind\": \"event\", \"timestamp\": 2}",
		"[1, 2]",
		"{\"kind\": \"event\", \"timestamp\": 3}",
	};
	struct retention pol = policy(2, -1, -1);
	struct retview v;
	struct retview_suffix sx;
	retview_init(&v, &pol, 0, 0);
	int64_t off = 0;
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(retview_add(&v, mk_at(lines[i], 0, off), NULL), 0);
		off += (int64_t)strlen(lines[i]) + 1;
	}
	retview_finish(&v);
	assert_int_equal(retview_records(&v), 3);
	assert_true(retview_drops(&v));
	assert_false(retview_suffix(&v, &sx));
	int listed[] = { 0, 0, 1, 0, 1 }, compacted[] = { 0, 1, 1, 1, 1 };
	for (int pass = 0; pass < 2; pass++) {
		retview_rewind(&v);
		for (size_t i = 0; i < 5; i++) {
			const struct scan_line *l = mk(lines[i]);
			assert_int_equal(pass ? retview_compact_keeps(&v, l) : retview_keeps(&v, l),
					 pass ? compacted[i] : listed[i]);
		}
	}
	retview_free(&v);
}

/* Ten 43-byte records at offsets 0, 43, ...: does the policy drop any, and
 * where does the tail of survivors start? */
static int ten_suffix(struct retention pol, double now, int *drops, struct retview_suffix *sx)
{
	struct retview v;
	char text[64];
	retview_init(&v, &pol, now, 0);
	for (int i = 0; i < 10; i++) {
		snprintf(text, sizeof text, "{\"kind\": \"event\", \"timestamp\": %-10d}", i + 1);
		assert_int_equal(retview_add(&v, mk_at(text, 0, 43 * i), NULL), 0);
	}
	retview_finish(&v);
	*drops = retview_drops(&v);
	int rc = retview_suffix(&v, sx);
	retview_free(&v);
	return rc;
}

static void test_retention_drops_and_suffix(void **state)
{
	(void)state;
	struct retview_suffix sx;
	int drops;
	assert_true(ten_suffix(policy(10, -1, 430), 0, &drops, &sx));
	assert_false(drops); /* everything fits exactly */
	assert_int_equal(sx.end, 430);
	assert_true(ten_suffix(policy(-1, -1, 429), 0, &drops, &sx));
	assert_true(drops);
	assert_int_equal(sx.min_start, 1); /* so the first line goes */
	assert_true(ten_suffix(policy(3, 4.5, -1), 10, &drops, &sx));
	assert_true(drops);
	assert_int_equal(sx.from, 5 * 43); /* ts 6 is the first age survivor */
	assert_int_equal(sx.skip, 2);      /* 6 and 7 go by count */
	assert_int_equal(sx.min_start, 0);
	assert_true(ten_suffix(policy(-1, 100, -1), 0, &drops, &sx));
	assert_false(drops); /* no record is older than the cut-off */
	assert_true(ten_suffix(policy(-1, 0, -1), 1000, &drops, &sx));
	assert_true(drops); /* all too old */
	assert_int_equal(sx.from, 430);

	/* out of order: an old record after a kept one leaves a hole */
	struct retention pol = policy(-1, 5, -1);
	struct retview v;
	retview_init(&v, &pol, 10, 0);
	assert_int_equal(retview_add(&v, mk_at("{\"timestamp\": 9}", 0, 0), NULL), 0);
	assert_int_equal(retview_add(&v, mk_at("{\"timestamp\": 1}", 0, 17), NULL), 0);
	retview_finish(&v);
	assert_true(retview_drops(&v));
	assert_false(retview_suffix(&v, &sx));
	retview_free(&v);

	/* a gap in the offsets (a second file) */
	retview_init(&v, &pol, 10, 0);
	assert_int_equal(retview_add(&v, mk_at("{\"timestamp\": 9}", 0, 0), NULL), 0);
	assert_int_equal(retview_add(&v, mk_at("{\"timestamp\": 9}", 0, 0), NULL), 0);
	retview_finish(&v);
	assert_false(retview_suffix(&v, &sx));
	retview_free(&v);
}

/* --- random lines against a model that holds them all --------------------- */

#define RND_LINES 24
#define RND_ROUNDS 3000

static uint64_t rnd_state = 88172645463325252u;

static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

struct rline {
	char text[96];
	int64_t off, size;
	int truncated;
};

static const struct scan_line *rline_get(const struct rline *r)
{
	const struct scan_line *l = mk_at(r->text, 0, r->off);
	if (r->truncated)
		tl.l.flags |= SL_TRUNCATED;
	return l;
}

/* SPEC §5 the obvious way, every record in memory: which lines stay. */
static void model(const struct rline *r, const struct scan_line *ls, size_t n,
		  const struct retention *pol, double now, int keep[])
{
	int elig[RND_LINES];
	int64_t ne = 0;
	for (size_t i = 0; i < n; i++) {
		int old = pol->max_age_seconds >= 0 && (ls[i].flags & SL_TS_NUMBER) &&
			  ls[i].ts < now - pol->max_age_seconds;
		elig[i] = (ls[i].flags & SL_VALID) && !old;
		ne += elig[i];
		keep[i] = 0;
	}
	int64_t skip = pol->max_records >= 0 && ne > pol->max_records ? ne - pol->max_records : 0;
	int64_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (elig[i] && k++ >= skip)
			keep[i] = 1;
	if (pol->max_total_bytes >= 0) {
		int64_t sum = 0, fits = 1;
		for (size_t i = n; i-- > 0;) {
			if (!keep[i])
				continue;
			sum += r[i].size;
			fits = fits && sum <= pol->max_total_bytes;
			keep[i] = (int)fits;
		}
	}
}

static void test_retention_random_against_model(void **state)
{
	(void)state;
	static struct rline r[RND_LINES];
	static struct scan_line ls[RND_LINES];
	int suffixes = 0;
	for (int round = 0; round < RND_ROUNDS; round++) {
		size_t n = rnd(RND_LINES + 1);
		int64_t off = 0;
		int sorted = rnd(2); /* timestamps in append order, usually a tail */
		for (size_t i = 0; i < n; i++) {
			unsigned what = rnd(sorted ? 24 : 12);
			int ts = sorted ? (int)(i * 4 + rnd(4)) : (int)rnd(100);
			if (what == 0)
				snprintf(r[i].text, sizeof r[i].text, "not json %*s", (int)rnd(20), "");
			else if (what == 1)
				snprintf(r[i].text, sizeof r[i].text, "{\"kind\": \"event\", \"timestamp\": \"x\"}");
			else if (what == 2)
				snprintf(r[i].text, sizeof r[i].text, "{\"kind\": \"audit\", \"timestamp\": NaN}");
			else if (what == 3)
				snprintf(r[i].text, sizeof r[i].text, "{\"kind\": \"audit\"}");
			else
				snprintf(r[i].text, sizeof r[i].text, "{\"kind\": \"event\", \"timestamp\": %d%*s}",
					 ts, (int)rnd(30), "");
			r[i].truncated = i + 1 == n && rnd(4) == 0;
			r[i].off = off;
			r[i].size = (int64_t)strlen(r[i].text) + !r[i].truncated;
			off += r[i].size;
			ls[i] = *rline_get(&r[i]);
		}
		struct retention pol = policy(rnd(3) ? (int64_t)rnd((unsigned)n + 2) : -1,
					      rnd(2) ? (double)rnd(110) : -1,
					      rnd(3) ? (int64_t)rnd((unsigned)off + 10) : -1);
		double now = 100;
		int keep[RND_LINES];
		model(r, ls, n, &pol, now, keep);

		struct retview v;
		retview_init(&v, &pol, now, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(retview_add(&v, rline_get(&r[i]), NULL), 0);
		retview_finish(&v);
		int64_t records = 0, dropped = 0;
		int nonrecords = 0;
		for (size_t i = 0; i < n; i++) {
			int rec = (ls[i].flags & SL_VALID) != 0;
			records += rec;
			dropped += rec && !keep[i];
			nonrecords |= !rec;
		}
		assert_int_equal(retview_records(&v), records);
		assert_int_equal(retview_drops(&v), dropped > 0);
		for (int pass = 0; pass < 2; pass++) {
			retview_rewind(&v);
			for (size_t i = 0; i < n; i++) {
				const struct scan_line *l = rline_get(&r[i]);
				if (pass)
					assert_int_equal(retview_compact_keeps(&v, l), keep[i] || !(l->flags & SL_VALID));
				else
					assert_int_equal(retview_keeps(&v, l), keep[i]);
			}
		}

		/* a tail exactly when every line is a record and no record the age
		 * rule drops follows one it keeps */
		int unordered = 0, seen_kept = 0;
		for (size_t i = 0; i < n; i++) {
			int old = pol.max_age_seconds >= 0 && (ls[i].flags & SL_TS_NUMBER) &&
				  ls[i].ts < now - pol.max_age_seconds;
			unordered |= (ls[i].flags & SL_VALID) && old && seen_kept;
			seen_kept |= (ls[i].flags & SL_VALID) && !old;
		}
		struct retview_suffix sx;
		int is_suffix = retview_suffix(&v, &sx);
		assert_int_equal(is_suffix, !nonrecords && !unordered);
		if (is_suffix) {
			suffixes++;
			assert_int_equal(sx.end, off);
			size_t f = 0;
			while (f < n && r[f].off < sx.from)
				f++;
			assert_true(f == n ? sx.from == off : r[f].off == sx.from);
			int64_t start = f + (size_t)sx.skip < n ? r[f + (size_t)sx.skip].off : off;
			for (size_t i = 0; i < n; i++)
				assert_int_equal(keep[i], r[i].off >= start && r[i].off >= sx.min_start);
		}
		retview_free(&v);
	}
	assert_true(suffixes > RND_ROUNDS / 4); /* the fast path was exercised */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retention_view),
		cmocka_unit_test(test_retention_unknown_age_kept),
		cmocka_unit_test(test_retention_per_file),
		cmocka_unit_test(test_retention_nonrecords),
		cmocka_unit_test(test_retention_drops_and_suffix),
		cmocka_unit_test(test_retention_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
