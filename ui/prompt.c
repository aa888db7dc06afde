/* The line editors: the status-row prompt (search, filter, go to time,
 * write, the quarantine directory) and the text field of a typed
 * confirmation edit text the same way, readline-like: Left/Right,
 * Home/End (Ctrl-A, Ctrl-E), Backspace, Delete, Ctrl-U (to the start),
 * Ctrl-W (the word before the cursor); a prompt keeps its own history
 * (Up/Down).  A pre-filled text starts selected: typing replaces it,
 * Backspace clears it, a movement key keeps it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "screen.h"

struct ledit {
	char *buf;
	size_t cap, len, cur; /* bytes; cur is on a character boundary */
	int selected;
};

static int is_cont(char ch)
{
	return ((unsigned char)ch & 0xc0) == 0x80;
}

static size_t prev_char(const struct ledit *e, size_t i)
{
	while (i > 0 && is_cont(e->buf[--i]))
		;
	return i;
}

static size_t next_char(const struct ledit *e, size_t i)
{
	if (i < e->len)
		i++;
	while (i < e->len && is_cont(e->buf[i]))
		i++;
	return i;
}

static void cut(struct ledit *e, size_t from, size_t to)
{
	memmove(e->buf + from, e->buf + to, e->len - to + 1);
	e->len -= to - from;
	e->cur = from;
}

static size_t encode(unsigned u, char *mb)
{
	int n = 0;
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
	return (size_t)n;
}

static void set_text(struct ledit *e, const char *s)
{
	snprintf(e->buf, e->cap, "%s", s);
	e->len = e->cur = strlen(e->buf);
	e->selected = 0;
}

/* Apply one key (the editing requests of PROMPT_KEY_TABLE, or a
 * character to type); returns 1 when it was an editing key. */
static int ledit_key(struct ledit *e, int k)
{
	int sel = e->selected;
	e->selected = 0;
	switch (keys_prompt_request(k)) {
	case PREQ_LEFT: e->cur = prev_char(e, e->cur); return 1;
	case PREQ_RIGHT: e->cur = next_char(e, e->cur); return 1;
	case PREQ_HOME: e->cur = 0; return 1;
	case PREQ_END: e->cur = e->len; return 1;
	case PREQ_BACKSPACE:
		if (sel)
			cut(e, 0, e->len);
		else if (e->cur > 0)
			cut(e, prev_char(e, e->cur), e->cur);
		return 1;
	case PREQ_DELETE:
		if (sel)
			cut(e, 0, e->len);
		else if (e->cur < e->len)
			cut(e, e->cur, next_char(e, e->cur));
		return 1;
	case PREQ_KILL:
		cut(e, 0, sel ? e->len : e->cur);
		return 1;
	case PREQ_WORD: {
		size_t i = e->cur;
		while (i > 0 && e->buf[i - 1] == ' ')
			i--;
		while (i > 0 && e->buf[i - 1] != ' ')
			i--;
		cut(e, i, e->cur);
		return 1;
	}
	default:
		break;
	}
	if (k < 0x20 || k >= SK_BASE || k == 0x7f) {
		e->selected = sel;
		return 0;
	}
	if (sel)
		cut(e, 0, e->len); /* typing replaces a pre-filled text */
	char mb[8];
	size_t n = encode((unsigned)k, mb);
	if (e->len + n < e->cap) {
		memmove(e->buf + e->cur + n, e->buf + e->cur, e->len - e->cur + 1);
		memcpy(e->buf + e->cur, mb, n);
		e->len += n;
		e->cur += n;
	}
	return 1;
}

int console_edit(char *buf, size_t cap, int k)
{
	struct ledit e = { buf, cap, strlen(buf), strlen(buf), 0 };
	return ledit_key(&e, k);
}

static void hist_add(struct prompt_hist *h, const char *s)
{
	if (!*s || (h->n && strcmp(h->e[h->n - 1], s) == 0))
		return;
	char *copy = strdup(s);
	if (!copy)
		return;
	if (h->n == PROMPT_HIST_MAX) {
		free(h->e[0]);
		memmove(h->e, h->e + 1, (PROMPT_HIST_MAX - 1) * sizeof *h->e);
		h->n--;
	}
	h->e[h->n++] = copy;
}

void console_hist_free(struct console *c)
{
	for (int i = 0; i < PH__COUNT; i++) {
		for (int k = 0; k < c->hist[i].n; k++)
			free(c->hist[i].e[k]);
		c->hist[i].n = 0;
	}
}

int console_prompt(struct console *c, enum prompt_id id, const char *label, char *buf, size_t cap)
{
	struct ledit e = { buf, cap, strlen(buf), strlen(buf), buf[0] != '\0' };
	struct prompt_hist *h = &c->hist[id];
	int at = h->n; /* browsing position; h->n is the line being edited */
	char *draft = strdup(buf);
	int ok = 0;
	for (;;) {
		console_draw(c);
		int y = c->rows - 1, lw = screen_width_of(label, strlen(label));
		console_cell(y, 0, c->cols, ROLE_NORMAL, label);
		int x = lw, cx;
		if (e.selected) {
			x += screen_text(y, x, c->cols - x, ROLE_SELECTED, buf, e.len);
			cx = x;
		} else {
			cx = x + screen_width_of(buf, e.cur);
			x += screen_text(y, x, c->cols - x, ROLE_NORMAL, buf, e.len);
		}
		if (e.cur == e.len)
			screen_str(y, x, 1, ROLE_NORMAL, "_");
		screen_cursor(y, cx < c->cols ? cx : c->cols - 1);
		screen_update();
		int k = screen_getkey(-1);
		if (k == SK_EOF || screen_hangup()) {
			c->quit = 1;
			break;
		}
		enum prompt_request r = keys_prompt_request(k);
		if (r == PREQ_ABANDON)
			break;
		if (console_too_small(c)) {
			c->ignored_keys++;
			continue;
		}
		if (r == PREQ_ACCEPT) {
			hist_add(h, buf);
			ok = 1;
			break;
		}
		if (r == PREQ_OLDER || r == PREQ_NEWER) {
			int to = at + (r == PREQ_OLDER ? -1 : 1);
			if (to < 0 || to > h->n)
				continue;
			if (at == h->n) {
				free(draft);
				draft = strdup(buf);
			}
			at = to;
			set_text(&e, at == h->n ? (draft ? draft : "") : h->e[at]);
			continue;
		}
		ledit_key(&e, k);
	}
	screen_cursor(-1, -1);
	free(draft);
	return ok;
}
