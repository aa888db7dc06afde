/* The line editors: the status-row prompt (search, filter, the quarantine
 * directory) and the text field of a typed confirmation edit text the
 * same way. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "screen.h"

int console_edit(char *buf, size_t cap, int k)
{
	size_t len = strlen(buf);
	if (k == SK_BACKSPACE) {
		while (len > 0 && ((unsigned char)buf[len - 1] & 0xc0) == 0x80)
			len--;
		if (len > 0)
			len--;
		buf[len] = '\0';
		return 1;
	}
	if (k < 0x20 || k >= SK_BASE || k == 0x7f)
		return 0;
	char mb[8];
	int n = 0;
	unsigned u = (unsigned)k;
	if (u < 0x80) {
		mb[n++] = (char)u;
	} else if (u < 0x800) {
		mb[n++] = (char)(0xc0 | (u >> 6));
		mb[n++] = (char)(0x80 | (u & 0x3f));
	} else if (u < 0x10000) {
		mb[n++] = (char)(0xe0 | (u >> 12));
		mb[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
		mb[n++] = (char)(0x80 | (u & 0x3f));
	} else {
		mb[n++] = (char)(0xf0 | (u >> 18));
		mb[n++] = (char)(0x80 | ((u >> 12) & 0x3f));
		mb[n++] = (char)(0x80 | ((u >> 6) & 0x3f));
		mb[n++] = (char)(0x80 | (u & 0x3f));
	}
	if (len + (size_t)n < cap) {
		memcpy(buf + len, mb, (size_t)n);
		buf[len + (size_t)n] = '\0';
	}
	return 1;
}

int console_prompt(struct console *c, const char *label, char *buf, size_t cap)
{
	for (;;) {
		console_draw(c);
		char line[600];
		snprintf(line, sizeof line, "%s%s_", label, buf);
		console_cell(c->rows - 1, 0, c->cols, ROLE_NORMAL, line);
		screen_update();
		int k = screen_getkey(-1);
		if (k == SK_ENTER)
			return 1;
		if (k == SK_ESC)
			return 0;
		if (k == SK_EOF || screen_hangup()) {
			c->quit = 1;
			return 0;
		}
		console_edit(buf, cap, k);
	}
}
