/* The console's test harness (screen_test.h): the key script of
 * PAPYRA_TEST_KEYS, the virtual screen's size, and dumping the screen as
 * text to PAPYRA_TEST_DUMP, the way tig's tests do it.  Only screen.c
 * calls these, and only under PAPYRA_TEST_SCREEN=1. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "screen_test.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "keys.h"

/* Default virtual screen for tests: wide enough for every column. */
#define TEST_DEFAULT_COLS 100
#define TEST_DEFAULT_ROWS 30
/* A test script is short; longer ones are refused rather than cut. */
#define TEST_MAX_KEYS 4096
/* append: steps in one test script (a race needs one or two). */
#define TEST_MAX_APPENDS 16

static struct {
	int keys[TEST_MAX_KEYS];
	int resize_to[TEST_MAX_KEYS][2];
	int n_keys, next_key;
	int dumps;
	/* append:FILE:TEXT steps: the file to grow and the bytes, unescaped */
	char *append_file[TEST_MAX_APPENDS], *append_text[TEST_MAX_APPENDS];
	int n_appends;
	/* rows holding the selected row: the dump marks them, since a text
	 * dump cannot show reverse video */
	unsigned char selected[1024];
} S;

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Enter", SK_ENTER }, { "Esc", SK_ESC }, { "Tab", SK_TAB }, { "BTab", SK_BTAB },
	{ "Up", SK_UP }, { "Down", SK_DOWN }, { "Left", SK_LEFT }, { "Right", SK_RIGHT },
	{ "PgUp", SK_PGUP }, { "PgDn", SK_PGDN }, { "Home", SK_HOME }, { "End", SK_END },
	{ "Backspace", SK_BACKSPACE }, { "Space", ' ' }, { "dump", SK_DUMP },
};

static int push_key(int k, int w, int h)
{
	if (S.n_keys >= TEST_MAX_KEYS)
		return -1;
	S.resize_to[S.n_keys][0] = w;
	S.resize_to[S.n_keys][1] = h;
	S.keys[S.n_keys++] = k;
	return 0;
}

/* `append:FILE:TEXT` (FILE without ':'): TEXT with \n, \s (a space,
 * since the script splits on blanks) and \\ decoded. */
static int parse_append(const char *arg)
{
	const char *colon = strchr(arg, ':');
	if (!colon || colon == arg || S.n_appends >= TEST_MAX_APPENDS)
		return -1;
	char *file = strndup(arg, (size_t)(colon - arg)), *text = strdup(colon + 1);
	if (!file || !text) {
		free(file);
		free(text);
		return -1;
	}
	char *o = text;
	for (const char *p = colon + 1; *p; p++) {
		if (*p == '\\' && (p[1] == 'n' || p[1] == 's' || p[1] == '\\')) {
			p++;
			*o++ = *p == 'n' ? '\n' : *p == 's' ? ' ' : '\\';
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	S.append_file[S.n_appends] = file;
	S.append_text[S.n_appends] = text;
	return push_key(SK_APPEND, S.n_appends++, 0);
}

static int parse_script(const char *script, perr *e)
{
	char *copy = px_strdup(script, e), *save = NULL;
	if (!copy)
		return -1;
	int rc = 0;
	for (char *t = strtok_r(copy, " \t\n", &save); t && rc == 0; t = strtok_r(NULL, " \t\n", &save)) {
		size_t i, used;
		int w, h;
		for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
			if (strcmp(t, key_names[i].name) == 0)
				break;
		if (i < sizeof key_names / sizeof key_names[0]) {
			rc = push_key(key_names[i].key, 0, 0);
		} else if (strncmp(t, "text:", 5) == 0) {
			for (const char *p = t + 5; *p && rc == 0; p += used) {
				int c = screen_utf8_char(p, strlen(p), &used);
				rc = c < 0 ? -1 : push_key(c, 0, 0);
			}
		} else if (strncmp(t, "append:", 7) == 0) {
			rc = parse_append(t + 7);
		} else if (sscanf(t, "resize:%dx%d", &w, &h) == 2 && w > 0 && h > 0) {
			rc = push_key(SK_RESIZE, w, h);
		} else {
			int c = screen_utf8_char(t, strlen(t), &used);
			rc = (c < 0 || t[used]) ? -1 : push_key(c, 0, 0);
		}
		if (rc < 0)
			perr_set(e, PX_USAGE, "PAPYRA_TEST_KEYS: bad or too many keys at '%s'", t);
	}
	free(copy);
	return rc;
}

int stest_open(int *cols, int *rows, perr *e)
{
	memset(&S, 0, sizeof S);
	*cols = TEST_DEFAULT_COLS;
	*rows = TEST_DEFAULT_ROWS;
	const char *keys = getenv("PAPYRA_TEST_KEYS"), *size = getenv("PAPYRA_TEST_SIZE");
	if (keys && parse_script(keys, e) < 0)
		return -1;
	if (size && (sscanf(size, "%dx%d", cols, rows) != 2 || *cols < 1 || *rows < 1))
		return perr_set(e, PX_USAGE, "PAPYRA_TEST_SIZE: expected COLSxROWS, got '%s'", size);
	return 0;
}

void stest_close(void)
{
	for (int i = 0; i < S.n_appends; i++) {
		free(S.append_file[i]);
		free(S.append_text[i]);
	}
	S.n_appends = 0;
}

void stest_clear_selected(void)
{
	memset(S.selected, 0, sizeof S.selected);
}

void stest_note_selected(int y)
{
	if (y >= 0 && y < (int)sizeof S.selected)
		S.selected[y] = 1;
}

static void dump_screen(void)
{
	const char *path = getenv("PAPYRA_TEST_DUMP");
	FILE *f = path ? fopen(path, "a") : NULL;
	if (!f)
		return;
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	fprintf(f, "==== screen %d (%dx%d) ====\n", ++S.dumps, cols, rows);
	wchar_t *wbuf = calloc((size_t)cols + 1, sizeof *wbuf);
	char mb[MB_LEN_MAX];
	for (int y = 0; wbuf && y < rows; y++) {
		int n = mvinnwstr(y, 0, wbuf, cols);
		if (n < 0)
			n = 0;
		char line[4096];
		size_t len = 0;
		mbstate_t st;
		memset(&st, 0, sizeof st);
		for (int i = 0; i < n && wbuf[i]; i++) {
			size_t k = wcrtomb(mb, wbuf[i], &st);
			if (k == (size_t)-1 || len + k >= sizeof line)
				break;
			memcpy(line + len, mb, k);
			len += k;
		}
		while (len > 0 && line[len - 1] == ' ')
			len--;
		fprintf(f, "%.*s%s\n", (int)len, line,
			y < (int)sizeof S.selected && S.selected[y] ? "   <-- selected" : "");
	}
	free(wbuf);
	fclose(f);
}

int stest_key(void)
{
	for (;;) {
		if (S.next_key >= S.n_keys)
			return SK_EOF;
		int i = S.next_key++, k = S.keys[i];
		if (k == SK_DUMP) {
			dump_screen();
			continue;
		}
		if (k == SK_APPEND) {
			/* the file changes under the console at this point of the script:
			 * how tests make a plan go stale between preview and apply */
			int a = S.resize_to[i][0];
			FILE *f = fopen(S.append_file[a], "a");
			if (f) {
				fputs(S.append_text[a], f);
				fclose(f);
			}
			continue;
		}
		if (k == SK_RESIZE)
			resize_term(S.resize_to[i][1], S.resize_to[i][0]);
		return k;
	}
}

