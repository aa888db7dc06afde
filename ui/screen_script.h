/* Inside ui/: the test key script (screen_script.c) that screen.c plays
 * back on the virtual screen, and the UTF-8 decoding both use. */
#ifndef PAPYRA_UI_SCREEN_SCRIPT_H
#define PAPYRA_UI_SCREEN_SCRIPT_H

#include <stddef.h>

#include "common.h"

/* A test script is short; longer ones are refused rather than cut. */
#define TEST_MAX_KEYS 4096
/* append: steps in one test script (a race needs one or two). */
#define TEST_MAX_APPENDS 16

struct test_script {
	int keys[TEST_MAX_KEYS];
	int arg[TEST_MAX_KEYS][2]; /* resize: columns, rows; append: its index */
	int n, next;
	/* append:FILE:TEXT steps: the file to grow and the bytes, unescaped */
	char *append_file[TEST_MAX_APPENDS], *append_text[TEST_MAX_APPENDS];
	int n_appends;
};

/* Parse PAPYRA_TEST_KEYS into `s` (zeroed by the caller); -1 with e set
 * on a bad or too long script. */
int script_parse(struct test_script *s, const char *script, perr *e);
void script_free(struct test_script *s);

/* One UTF-8 character from `s` as a code point (by the locale), or -1. */
int screen_utf8_one(const char *s, size_t n, size_t *used);

#endif
