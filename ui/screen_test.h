/* The test harness behind ui/screen.c (PAPYRA_TEST_SCREEN=1, see
 * screen.h for the script language): split out so screen.c holds only the
 * terminal.  Nothing but screen.c includes this. */
#ifndef PAPYRA_UI_SCREEN_TEST_H
#define PAPYRA_UI_SCREEN_TEST_H

#include <stddef.h>

#include "common.h"

/* Read PAPYRA_TEST_KEYS and PAPYRA_TEST_SIZE: the script is parsed, the
 * virtual screen's size set (default 100x30).  Returns 0, or -1 (e:
 * PX_USAGE naming the bad key or size). */
int stest_open(int *cols, int *rows, perr *e);
void stest_close(void);
/* The next scripted key: `dump` steps append the screen to
 * PAPYRA_TEST_DUMP, `append:` steps grow their file, `resize:` resizes;
 * SK_EOF when the script is over. */
int stest_key(void);
/* Rows drawn selected since the last erase: the dump marks them. */
void stest_clear_selected(void);
void stest_note_selected(int y);

/* screen.c: one UTF-8 character of s[0..n) as a code point (*used bytes),
 * or -1; the script's keys are read the way the screen reads text. */
int screen_utf8_char(const char *s, size_t n, size_t *used);

#endif
