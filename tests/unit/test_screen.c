/* cmocka tests for ui/screen.c on the virtual screen (PAPYRA_TEST_SCREEN):
 * the one width function that drawing and cutting share, and a fuzz of
 * the property the console rests on — no byte sequence drawn into a cell
 * reaches outside that cell, in a UTF-8 locale or under LANG=C.
 *
 * The fuzz part draws random bytes, and random valid records full of
 * hostile characters decoded the way the views decode them, into cells
 * of several widths on screens of several sizes, over a screen filled
 * with a sentinel, and checks every cell outside the drawn columns.
 * PAPYRA_FUZZ_SEED picks the seed (fixed by default, so `make test` is
 * repeatable) and PAPYRA_FUZZ_SECONDS runs it that long instead of a
 * fixed number of rounds (`make fuzz`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "jsonfmt.h"
#include "screen.h"

#define SENTINEL '.'
#define DEFAULT_SEED 20260101u
#define DEFAULT_ROUNDS 400
#define TEXT_MAX 160

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void open_screen(const char *locale, int cols, int rows)
{
	char size[32];
	snprintf(size, sizeof size, "%dx%d", cols, rows);
	setenv("PAPYRA_TEST_SCREEN", "1", 1);
	setenv("PAPYRA_TEST_SIZE", size, 1);
	setenv("PAPYRA_TEST_KEYS", "", 1);
	setenv("TERM", "xterm-256color", 1);
	setenv("LC_ALL", locale, 1);
	perr e = { 0 };
	assert_int_equal(screen_open(&e), 0);
}

static void fill_sentinel(int rows, int cols)
{
	char line[1024];
	memset(line, SENTINEL, sizeof line);
	screen_erase();
	for (int y = 0; y < rows; y++)
		screen_text(y, 0, cols, ROLE_NORMAL, line, (size_t)cols);
}

/* Every cell outside row y's columns [x, x + used) still holds the sentinel. */
static int outside_untouched(int rows, int cols, int y, int x, int used, char *why, size_t cap)
{
	for (int r = 0; r < rows; r++)
		for (int k = 0; k < cols; k++) {
			if (r == y && k >= x && k < x + used)
				continue;
			int ch = screen_cell(r, k);
			if (ch != SENTINEL) {
				snprintf(why, cap, "cell (%d,%d) holds U+%04X after drawing at (%d,%d) %d columns", r, k,
					 (unsigned)ch, y, x, used);
				return 0;
			}
		}
	return 1;
}

static void dump_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", (unsigned char)s[i]);
	fprintf(stderr, "\n");
}

/* Draw s into a cell of `w` columns at (y, x) and check the property. */
static void check_cell(int rows, int cols, int y, int x, int w, const char *s, size_t n)
{
	char why[160];
	fill_sentinel(rows, cols);
	int used = screen_text(y, x, w, ROLE_NORMAL, s, n);
	int room = w < cols - x ? w : cols - x;
	if (used < 0 || used > (room > 0 ? room : 0) || !outside_untouched(rows, cols, y, x, used, why, sizeof why)) {
		fprintf(stderr, "screen %dx%d, cell at (%d,%d) width %d, used %d: %s\ntext: ", cols, rows, y, x, w, used,
			used > room ? "more columns than the cell has" : why);
		dump_hex(s, n);
		fail();
	}
	/* what the cutters measure is what was drawn: the escaped form, drawn,
	 * takes the same columns and the same cells */
	char esc[TEXT_MAX * 12 + 1];
	int ew = 0;
	screen_escape(s, n, room > 0 ? room : 0, esc, sizeof esc, &ew);
	for (size_t i = 0; esc[i]; i++)
		if ((unsigned char)esc[i] < 0x20 || esc[i] == 0x7f) {
			fprintf(stderr, "screen_escape left byte 0x%02x in: ", (unsigned char)esc[i]);
			dump_hex(s, n);
			fail();
		}
	if (ew != used || screen_width_of(esc, strlen(esc)) != ew) {
		fprintf(stderr, "escaped form: %d columns, drawn %d, measured %d: ", ew, used,
			screen_width_of(esc, strlen(esc)));
		dump_hex(s, n);
		fail();
	}
}

/* Pieces hostile text is made of: controls, bidi and zero-width
 * characters, the BOM, combining and wide characters, invalid UTF-8. */
static const char *const hostile[] = {
	"\x00", "\x01", "\x1b[2J", "\x1b]0;x\x07", "\t", "\r", "\n", "\x7f", "\xc2\x9b", "\xc2\x85",
	"\xe2\x80\xae", "\xe2\x80\xad", "\xe2\x81\xa6", "\xe2\x81\xa9", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xd8\x9c",
	"\xe2\x80\x8b", "\xe2\x80\x8d", "\xe2\x81\xa0", "\xef\xbb\xbf", "\xcc\x81", "\xcc\x81\xcc\x81\xcc\x81",
	"\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xef\xb8\x8f", "\xe3\x80\x80", "\xb4", "\xff", "\xe4\xb8", "\xc0\xaf",
	"\xed\xa0\x80", "\xef\xbf\xbd", "\xe2\x80\xa8", "\xf3\xa0\x81\x81", "\xe1\x85\xa0", "\xc2\xad", "a", "Z",
	"local:42", " ", "\\", "\"",
};
#define N_HOSTILE (sizeof hostile / sizeof hostile[0])

static size_t piece_len(size_t k)
{
	return k == 0 ? 1 : strlen(hostile[k]);
}

static size_t random_text(char *out, size_t cap)
{
	size_t n = 0, want = rnd() % TEXT_MAX;
	while (n < want) {
		if (rnd() % 3 == 0) {
			out[n++] = (char)(rnd() & 0xff); /* any byte at all */
			continue;
		}
		size_t k = rnd() % N_HOSTILE, l = piece_len(k);
		if (n + l > cap)
			break;
		memcpy(out + n, hostile[k], l);
		n += l;
	}
	return n;
}

/* A valid record whose strings hold hostile characters, raw (valid UTF-8
 * only, or the line would not be a record) and as \u escapes. */
static size_t random_record(char *out, size_t cap)
{
	static const char *const cps[] = { "\\u0000", "\\u001b", "\\u202e", "\\u200b", "\\ufeff", "\\u0085",
					   "\\u2066", "\\u0301", "\\t", "\\n", "\\ud800", "\\u4e2d" };
	static const char *const raw[] = { "\xe2\x80\xae", "\xe2\x80\x8b", "\xef\xbb\xbf", "\xc2\x9b", "\xcc\x81",
					   "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xe2\x81\xa6", "x", "local:42" };
	char s[3][256];
	for (int f = 0; f < 3; f++) {
		size_t n = 0, want = rnd() % 40;
		while (n < want && n + 8 < sizeof s[f]) {
			const char *p = rnd() % 2 ? cps[rnd() % (sizeof cps / sizeof cps[0])] :
						    raw[rnd() % (sizeof raw / sizeof raw[0])];
			size_t l = strlen(p);
			if (n + l >= sizeof s[f])
				break;
			memcpy(s[f] + n, p, l);
			n += l;
		}
		s[f][n] = '\0';
	}
	int n = snprintf(out, cap,
			 "{\"kind\":\"event\",\"timestamp\":1767225600.5,\"system_id\":\"local\","
			 "\"actor_address\":\"%s\",\"event_type\":\"%s\",\"payload\":{\"k\":\"%s\"}}",
			 s[0], s[1], s[2]);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static void one_round(int rows, int cols, struct record *rec)
{
	char text[TEXT_MAX + 8];
	int y = (int)(rnd() % (unsigned)rows), x = (int)(rnd() % (unsigned)cols);
	static const int widths[] = { 1, 2, 3, 7, 14, 16, 40, 100, 400 };
	int w = widths[rnd() % (sizeof widths / sizeof widths[0])];
	size_t n = random_text(text, sizeof text);
	check_cell(rows, cols, y, x, w, text, n);
	/* the same at the right edge, where curses would wrap */
	check_cell(rows, cols, y, cols - 1 - (int)(rnd() % (cols < 4 ? (unsigned)cols : 4u)), w, text, n);

	char line[2048];
	size_t ln = random_record(line, sizeof line);
	if (ln && jf_decode(rec, line, ln) == REC_OK) {
		check_cell(rows, cols, y, x, w, rec->type.p, rec->type.n);
		check_cell(rows, cols, y, x, w, rec->addr.text.p, rec->addr.text.n);
		check_cell(rows, cols, y, x, w, rec->payload.p, rec->payload.n);
	} else if (ln) {
		fprintf(stderr, "generated record does not decode: %.*s\n", (int)ln, line);
		fail();
	}
	check_cell(rows, cols, y, x, w, line, ln);
}

static void fuzz(const char *locale)
{
	static const int sizes[][2] = { { 100, 30 }, { 60, 12 }, { 23, 5 }, { 203, 4 }, { 1, 1 } };
	const char *s = getenv("PAPYRA_FUZZ_SEED"), *secs = getenv("PAPYRA_FUZZ_SECONDS");
	uint64_t seed = s && *s ? strtoull(s, NULL, 10) : DEFAULT_SEED;
	double limit = secs && *secs ? strtod(secs, NULL) : 0;
	struct record rec;
	record_init(&rec);
	long rounds = 0;
	time_t start = time(NULL);
	for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
		rng = seed * 2654435761u + z + 1;
		open_screen(locale, sizes[z][0], sizes[z][1]);
		for (long i = 0; limit > 0 ? difftime(time(NULL), start) < limit * (double)(z + 1) / 5 :
					     i < DEFAULT_ROUNDS; i++, rounds++)
			one_round(sizes[z][1], sizes[z][0], &rec);
		screen_close();
	}
	record_free(&rec);
	jf_release();
	fprintf(stderr, "screen fuzz (%s): seed %llu, %ld rounds\n", locale, (unsigned long long)seed, rounds);
}

static void test_fuzz_utf8(void **state)
{
	(void)state;
	fuzz("C.UTF-8");
}

static void test_fuzz_c_locale(void **state)
{
	(void)state;
	fuzz("C");
}

/* The bug this pins: \xNN and \uNNNN escapes were measured as width 0 (or
 * the previous glyph's), so a line of invalid UTF-8 spilled across rows. */
static void test_escaped_bytes_are_measured(void **state)
{
	(void)state;
	open_screen("C.UTF-8", 40, 5);
	int w;
	assert_int_equal(screen_glyph("\xb4", 1, &w), 1);
	assert_int_equal(w, 4); /* \xb4 */
	assert_int_equal(screen_glyph("\xc2\x9b", 2, &w), 2);
	assert_int_equal(w, 6); /* \u009b */
	assert_int_equal(screen_glyph("\xe2\x80\xae", 3, &w), 3);
	assert_int_equal(w, 6); /* \u202e: right-to-left override */
	assert_int_equal(screen_glyph("\xef\xbb\xbf", 3, &w), 3);
	assert_int_equal(w, 6); /* BOM */
	assert_int_equal(screen_glyph("\xe2\x80\x8b", 3, &w), 3);
	assert_int_equal(w, 6); /* zero-width space */
	assert_int_equal(screen_glyph("\x00", 1, &w), 1);
	assert_int_equal(w, 4); /* \x00 */
	assert_int_equal(screen_glyph("\t", 1, &w), 1);
	assert_int_equal(w, 2); /* \t */
	assert_int_equal(screen_glyph("\xe4\xb8\xad", 3, &w), 3);
	assert_int_equal(w, 2); /* wide */
	assert_int_equal(screen_glyph("\xcc\x81", 2, &w), 2);
	assert_int_equal(w, 0); /* combining, after something */
	assert_int_equal(screen_width_of("\xcc\x81x", 3), 7); /* combining first: \u0301 then x */
	char out[64];
	int ew;
	screen_escape("a\x00" "b\xe2\x80\xae", 6, 40, out, sizeof out, &ew);
	assert_string_equal(out, "a\\x00b\\u202e");
	assert_int_equal(ew, 12);
	/* 40 bytes of invalid UTF-8 in 40 columns: 10 escapes, one row */
	char bad[40];
	memset(bad, 0xb4, sizeof bad);
	check_cell(5, 40, 1, 0, 40, bad, sizeof bad);
	screen_close();

	open_screen("C", 40, 5);
	assert_int_equal(screen_glyph("\xe4\xb8\xad", 3, &w), 1);
	assert_int_equal(w, 4); /* LANG=C: each byte escaped */
	assert_int_equal(screen_width_of("\xe4\xb8\xad", 3), 12);
	screen_escape("\xe4\xb8\xad", 3, 40, out, sizeof out, &ew);
	assert_string_equal(out, "\\xe4\\xb8\\xad");
	check_cell(5, 40, 0, 30, 40, "\xe4\xb8\xad\xe4\xb8\xad", 6);
	screen_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaped_bytes_are_measured),
		cmocka_unit_test(test_fuzz_utf8),
		cmocka_unit_test(test_fuzz_c_locale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
