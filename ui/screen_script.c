/* The test key script of the virtual screen (screen.h: PAPYRA_TEST_KEYS),
 * parsed into key codes before the console starts.  No curses here:
 * screen.c plays the script back. */
#include "screen_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "keys.h"

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Enter", SK_ENTER }, { "Esc", SK_ESC }, { "Tab", SK_TAB }, { "BTab", SK_BTAB },
	{ "Up", SK_UP }, { "Down", SK_DOWN }, { "Left", SK_LEFT }, { "Right", SK_RIGHT },
	{ "PgUp", SK_PGUP }, { "PgDn", SK_PGDN }, { "Home", SK_HOME }, { "End", SK_END },
	{ "Backspace", SK_BACKSPACE }, { "Delete", SK_DELETE }, { "Space", ' ' }, { "dump", SK_DUMP },
	{ "middump", SK_MIDDUMP },
	{ "slice", SK_SLICE },
	{ "C-a", 0x01 }, { "C-e", 0x05 }, { "C-u", 0x15 }, { "C-w", 0x17 },
};

static int push_key(struct test_script *t, int k, int w, int h)
{
	if (t->n >= TEST_MAX_KEYS)
		return -1;
	t->arg[t->n][0] = w;
	t->arg[t->n][1] = h;
	t->keys[t->n++] = k;
	return 0;
}

int screen_utf8_one(const char *s, size_t n, size_t *used)
{
	mbstate_t st;
	wchar_t wc;
	memset(&st, 0, sizeof st);
	size_t r = mbrtowc(&wc, s, n, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0)
		return -1;
	*used = r;
	return (int)wc;
}

/* `append:FILE:TEXT` (FILE without ':'): TEXT with \n, \s (a space,
 * since the script splits on blanks) and \\ decoded; `sh:CMD` (shell,
 * no FILE) the same way. */
static int parse_append(struct test_script *s, const char *arg, int shell)
{
	const char *colon = shell ? arg - 1 : strchr(arg, ':');
	if (!colon || (!shell && colon == arg) || s->n_appends >= TEST_MAX_APPENDS)
		return -1;
	char *file = shell ? strdup("") : strndup(arg, (size_t)(colon - arg)), *text = strdup(colon + 1);
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
	s->append_file[s->n_appends] = file;
	s->append_text[s->n_appends] = text;
	return push_key(s, shell ? SK_SHELL : SK_APPEND, s->n_appends++, 0);
}

int script_parse(struct test_script *s, const char *script, perr *e)
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
			rc = push_key(s, key_names[i].key, 0, 0);
		} else if (strncmp(t, "text:", 5) == 0) {
			for (const char *p = t + 5; *p && rc == 0; p += used) {
				int c = screen_utf8_one(p, strlen(p), &used);
				rc = c < 0 ? -1 : push_key(s, c, 0, 0);
			}
		} else if (strncmp(t, "append:", 7) == 0) {
			rc = parse_append(s, t + 7, 0);
		} else if (strncmp(t, "sh:", 3) == 0) {
			rc = parse_append(s, t + 3, 1);
		} else if (sscanf(t, "later:%d", &w) == 1 && w >= 0) {
			rc = push_key(s, SK_LATER, w, 0);
		} else if (sscanf(t, "resize:%dx%d", &w, &h) == 2 && w > 0 && h > 0) {
			rc = push_key(s, SK_RESIZE, w, h);
		} else {
			int c = screen_utf8_one(t, strlen(t), &used);
			rc = (c < 0 || t[used]) ? -1 : push_key(s, c, 0, 0);
		}
		if (rc < 0)
			perr_set(e, PX_USAGE, "PAPYRA_TEST_KEYS: bad or too many keys at '%s'", t);
	}
	free(copy);
	return rc;
}

void script_free(struct test_script *t)
{
	for (int i = 0; i < t->n_appends; i++) {
		free(t->append_file[i]);
		free(t->append_text[i]);
	}
	t->n_appends = 0;
}
