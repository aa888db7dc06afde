/* The only part of the console that talks to ncurses.
 *
 * Views draw through these calls (text with a semantic role at a
 * position) and read keys as SK_* / code points (keys.h).  The same calls
 * drive a virtual screen for tests: with PAPYRA_TEST_SCREEN=1 the console
 * runs newterm on /dev/null, takes its keys from PAPYRA_TEST_KEYS (a
 * space-separated script: a character, a key name such as Enter, Esc, Tab,
 * Up, Down, PgDn, Delete, C-a, C-e, C-u, C-w, `text:WORDS` to type WORDS, `dump` to append the screen
 * as text to PAPYRA_TEST_DUMP (`middump`: the same at the next screen_poll_esc, the
 * screen mid-operation, e.g. a scan of the fleet; read as a key, as dump), `resize:COLSxROWS`, `append:FILE:TEXT` to
 * append TEXT (\n newline, \s blank) to FILE at that point, as another
 * writer would; in the main loop the console then looks at the store
 * before the next key), `sh:CMD` to run CMD (escaped the same way) and
 * look, `later:MS` to move the console's clock MS ms on and look, `slice` (while a
 * text= filter is being applied, which a script otherwise sees finished
 * before its next key: from here the keys are taken between slices, and
 * each further `slice` lets one more slice run), with the size from PAPYRA_TEST_SIZE (default 100x30).
 * Only under PAPYRA_TEST_SCREEN=1 is any of this read. */
#ifndef PAPYRA_UI_SCREEN_H
#define PAPYRA_UI_SCREEN_H

#include <stddef.h>

#include "common.h"

/* Semantic roles; each has a colour and a monochrome attribute. */
enum role {
	ROLE_NORMAL = 0,
	ROLE_HEADER,  /* title and status bars */
	ROLE_TITLE,   /* column headings, section titles */
	ROLE_ANOMALY, /* corrupted / truncated data, error markers */
	ROLE_WARN,    /* crashes, dead letters */
	ROLE_OK,      /* healthy */
	ROLE_DIM,     /* secondary text: line numbers, offsets */
	ROLE_MARK,    /* search matches, chart bars */
	ROLE__COUNT
};
/* OR-ed into a role: the selected row (reverse video). */
#define ROLE_SELECTED 0x100

/* Smallest usable terminal; below it the console shows only a message. */
#define SCREEN_MIN_COLS 60
#define SCREEN_MIN_ROWS 12

int screen_open(perr *e);
void screen_close(void);
int screen_is_test(void);
/* UTF-8 locale: box and glyph characters allowed. */
int screen_utf8(void);
void screen_size(int *rows, int *cols);

void screen_erase(void);
/* Draw `n` bytes of UTF-8 `s` at (y, x), at most `width` columns (and
 * never past the right edge); control characters (NUL included), DEL,
 * invalid UTF-8, C1 controls, bidi controls, zero-width characters, the
 * BOM, a combining mark that starts the text and, outside a UTF-8 locale,
 * every non-ASCII byte are shown escaped (\n, \x00, \xb4, \u202e) in
 * ROLE_DIM.  Returns the columns used. */
int screen_text(int y, int x, int width, int role, const char *s, size_t n);
int screen_str(int y, int x, int width, int role, const char *s);
/* Fill `width` columns from (y, x) with blanks in `role`. */
void screen_fill(int y, int x, int width, int role);
/* One character (or one byte shown escaped) at s: returns the bytes it
 * takes and sets *width to the columns it is drawn in. */
size_t screen_glyph(const char *s, size_t n, int *width);
/* Columns the text takes once drawn (escapes included). */
int screen_width_of(const char *s, size_t n);
/* The text as screen_text would draw it, as printable characters only
 * (escapes spelled out), cut to at most `cols` columns and `cap` - 1
 * bytes; NUL-terminated.  Returns the bytes written, *width (when not
 * NULL) the columns.  For text composed into other strings (the plan's
 * content column, dialogs), so a NUL cannot cut it short. */
size_t screen_escape(const char *s, size_t n, int cols, char *out, size_t cap, int *width);
/* Tests: the character in cell (y, x) of the screen (its spacing
 * character; 0 for the second cell of a wide one), or -1 off screen. */
int screen_cell(int y, int x);
void screen_update(void);

/* While `find` is set, screen_text draws the parts of its text that
 * `find` matches (first match at or after `from`: 1 with [*so, *eo)) in
 * ROLE_MARK, so every match on screen shows; NULL stops it.  Test dumps
 * list the highlighted columns after the row ("<-- match 12-19"). */
typedef int (*screen_find_fn)(const void *ctx, const char *s, size_t n, size_t from, size_t *so, size_t *eo);
void screen_highlight(screen_find_fn find, const void *ctx);
/* Without waiting: was Esc pressed?  It is consumed; any other key is
 * left for screen_getkey.  Tests: the next scripted key is looked at
 * (a middump there first dumps the screen as it is, mid-operation). */
int screen_poll_esc(void);
/* Tests: is the next scripted key `slice`?  It is consumed. */
int screen_test_slice(void);
/* Show the terminal's cursor at (y, x) (a prompt's insertion point), or
 * hide it with y < 0. */
void screen_cursor(int y, int x);

/* Next key, waiting at most `timeout_ms` (-1: forever).  SK_TIMEOUT when
 * none came, SK_RESIZE after a resize (repeated resizes are drained),
 * SK_EOF when the terminal went away (hang-up, end of input) or the test
 * script is over.  SK_DUMP is handled inside (the screen is dumped). */
int screen_getkey(int timeout_ms);

/* The same, also returning SK_WAKE as soon as `fd` (>= 0: the follower's
 * inotify descriptor) is readable, so an idle console blocks in poll. */
int screen_getkey_fd(int timeout_ms, int fd);
/* The monotonic clock in milliseconds (tests: moved on by later:MS). */
double screen_now_ms(void);

/* Set by the SIGHUP/SIGTERM handler; the main loop leaves when it is set. */
int screen_hangup(void);

#endif
