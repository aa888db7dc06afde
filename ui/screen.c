#define _XOPEN_SOURCE_EXTENDED 1
#include "screen.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "keys.h"
#include "screen_test.h"

/* Esc must feel immediate; ncurses waits 1 s by default for a sequence. */
#define ESC_DELAY_MS 25
static struct {
	SCREEN *scr;
	FILE *in, *out;
	int test, utf8, color;
	attr_t attr[ROLE__COUNT];
	short pair[ROLE__COUNT];
} S;

static volatile sig_atomic_t hangup_flag;

static void on_hangup(int sig)
{
	(void)sig;
	hangup_flag = 1;
}

int screen_hangup(void)
{
	return hangup_flag != 0;
}

int screen_is_test(void)
{
	return S.test;
}

int screen_utf8(void)
{
	return S.utf8;
}

/* One UTF-8 character from `s` as a code point, or -1. */
int screen_utf8_char(const char *s, size_t n, size_t *used)
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

static void setup_roles(void)
{
	static const struct {
		short fg;
		attr_t color_attr, mono_attr;
	} def[ROLE__COUNT] = {
		[ROLE_NORMAL] = { -1, 0, 0 },
		[ROLE_HEADER] = { -1, A_REVERSE | A_BOLD, A_REVERSE | A_BOLD },
		[ROLE_TITLE] = { COLOR_CYAN, A_BOLD, A_BOLD | A_UNDERLINE },
		[ROLE_ANOMALY] = { COLOR_RED, A_BOLD, A_BOLD },
		[ROLE_WARN] = { COLOR_YELLOW, 0, A_BOLD },
		[ROLE_OK] = { COLOR_GREEN, 0, 0 },
		[ROLE_DIM] = { -1, A_DIM, A_DIM },
		[ROLE_MARK] = { COLOR_MAGENTA, A_BOLD, A_UNDERLINE },
	};
	const char *nc = getenv("NO_COLOR");
	S.color = has_colors() && !(nc && *nc);
	if (S.color) {
		start_color();
		use_default_colors(); /* keep the terminal's own background */
	}
	for (int r = 0; r < ROLE__COUNT; r++) {
		S.pair[r] = 0;
		S.attr[r] = S.color ? def[r].color_attr : def[r].mono_attr;
		if (S.color && def[r].fg >= 0 && r < COLOR_PAIRS) {
			init_pair((short)r, def[r].fg, -1);
			S.pair[r] = (short)r;
		}
	}
}

int screen_open(perr *e)
{
	memset(&S, 0, sizeof S);
	setlocale(LC_ALL, "");
	S.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	const char *t = getenv("PAPYRA_TEST_SCREEN");
	S.test = t && strcmp(t, "1") == 0;
	int cols = 0, rows = 0;
	if (S.test) {
		if (stest_open(&cols, &rows, e) < 0) {
			screen_close();
			return -1;
		}
		S.in = fopen("/dev/null", "r");
		S.out = fopen("/dev/null", "w");
		if (!S.in || !S.out) {
			screen_close();
			return perr_set(e, PX_IOERR, "cannot open /dev/null: %s", strerror(errno));
		}
	}
	S.scr = newterm(NULL, S.test ? S.out : stdout, S.test ? S.in : stdin);
	if (!S.scr) {
		screen_close();
		return perr_set(e, PX_USAGE, "cannot use the terminal (TERM=%s)",
				getenv("TERM") ? getenv("TERM") : "unset");
	}
	set_term(S.scr);
	if (S.test)
		resize_term(rows, cols);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(ESC_DELAY_MS);
	setup_roles();

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_hangup; /* no SA_RESTART: a blocked read returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	return 0;
}

void screen_close(void)
{
	if (S.scr) {
		endwin();
		delscreen(S.scr);
		S.scr = NULL;
	}
	if (S.in)
		fclose(S.in);
	if (S.out)
		fclose(S.out);
	S.in = S.out = NULL;
	stest_close();
}

void screen_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void screen_erase(void)
{
	stest_clear_selected();
	erase();
}

static void note_selected(int y, int role)
{
	if (role & ROLE_SELECTED)
		stest_note_selected(y);
}

static void set_role(int role)
{
	int r = role & 0xff;
	attr_t a = S.attr[r] | ((role & ROLE_SELECTED) ? A_REVERSE : 0);
	attr_set(a, S.pair[r], NULL);
}

/* How one piece of text is shown: either a printable character (wc, its
 * width) or an escape sequence in `esc`. */
struct glyph {
	size_t used;
	wchar_t wc;
	int width;
	char esc[12];
};

static void next_glyph(const char *s, size_t n, struct glyph *g)
{
	unsigned char c = (unsigned char)s[0];
	g->esc[0] = '\0';
	g->used = 1;
	if (c < 0x80) {
		if (c >= 0x20 && c != 0x7f) {
			g->wc = c;
			g->width = 1;
			return;
		}
		const char *named = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
		if (named)
			snprintf(g->esc, sizeof g->esc, "%s", named);
		else
			snprintf(g->esc, sizeof g->esc, "\\x%02x", c);
	} else {
		size_t used;
		int cp = S.utf8 ? screen_utf8_char(s, n, &used) : -1;
		if (cp < 0) {
			snprintf(g->esc, sizeof g->esc, "\\x%02x", c);
			return;
		}
		g->used = used;
		int w = wcwidth((wchar_t)cp);
		if (w < 0 || (cp >= 0x80 && cp < 0xa0)) {
			snprintf(g->esc, sizeof g->esc, cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp);
			return;
		}
		g->wc = (wchar_t)cp;
		g->width = w;
		return;
	}
	g->width = (int)strlen(g->esc);
}

size_t screen_glyph(const char *s, size_t n, int *width)
{
	struct glyph g;
	next_glyph(s, n, &g);
	*width = g.width;
	return g.used;
}

int screen_width_of(const char *s, size_t n)
{
	int w = 0;
	struct glyph g;
	for (size_t i = 0; i < n; i += g.used) {
		next_glyph(s + i, n - i, &g);
		w += g.width;
	}
	return w;
}

int screen_text(int y, int x, int width, int role, const char *s, size_t n)
{
	int col = 0;
	struct glyph g;
	if (width <= 0)
		return 0;
	move(y, x);
	set_role(role);
	note_selected(y, role);
	for (size_t i = 0; i < n; i += g.used) {
		next_glyph(s + i, n - i, &g);
		if (col + g.width > width)
			break;
		if (g.esc[0]) {
			set_role(ROLE_DIM | (role & ROLE_SELECTED));
			addnstr(g.esc, (int)strlen(g.esc));
			set_role(role);
		} else if (g.width == 0 && col == 0) {
			continue; /* a combining mark has nothing to combine with */
		} else {
			addnwstr(&g.wc, 1);
		}
		col += g.width;
	}
	attr_set(A_NORMAL, 0, NULL);
	return col;
}

int screen_str(int y, int x, int width, int role, const char *s)
{
	return screen_text(y, x, width, role, s, strlen(s));
}

void screen_fill(int y, int x, int width, int role)
{
	if (width <= 0)
		return;
	set_role(role);
	note_selected(y, role);
	mvhline(y, x, ' ', width);
	attr_set(A_NORMAL, 0, NULL);
}

void screen_update(void)
{
	wnoutrefresh(stdscr);
	doupdate();
}

static int map_key(int rc, wint_t wch)
{
	if (rc == KEY_CODE_YES) {
		switch (wch) {
		case KEY_UP: return SK_UP;
		case KEY_DOWN: return SK_DOWN;
		case KEY_LEFT: return SK_LEFT;
		case KEY_RIGHT: return SK_RIGHT;
		case KEY_PPAGE: return SK_PGUP;
		case KEY_NPAGE: return SK_PGDN;
		case KEY_HOME: return SK_HOME;
		case KEY_END: return SK_END;
		case KEY_ENTER: return SK_ENTER;
		case KEY_BTAB: return SK_BTAB;
		case KEY_BACKSPACE: return SK_BACKSPACE;
		case KEY_RESIZE: return SK_RESIZE;
		case KEY_F(1): return '?';
		default: return SK_TIMEOUT; /* a key we do not use */
		}
	}
	switch (wch) {
	case '\r': case '\n': return SK_ENTER;
	case 27: return SK_ESC;
	case '\t': return SK_TAB;
	case 127: case 8: return SK_BACKSPACE;
	default: return (int)wch;
	}
}

/* After get_wch() failed: did the terminal go away?  A hang-up shows as
 * POLLHUP; end of input as readable-but-nothing-read. */
static int terminal_gone(void)
{
	if (hangup_flag)
		return 1;
	struct pollfd p = { .fd = 0, .events = POLLIN };
	if (poll(&p, 1, 0) < 0)
		return errno != EINTR;
	return (p.revents & (POLLHUP | POLLERR | POLLNVAL | POLLIN)) != 0;
}

int screen_getkey(int timeout_ms)
{
	if (S.test)
		return stest_key();
	wint_t wch;
	timeout(timeout_ms);
	int rc = get_wch(&wch);
	if (rc == ERR)
		return terminal_gone() ? SK_EOF : SK_TIMEOUT; /* else a signal or the timeout */
	int k = map_key(rc, wch);
	if (k == SK_RESIZE) {
		/* drain a burst of resizes so we redraw once, keep the next real key */
		timeout(0);
		while ((rc = get_wch(&wch)) != ERR) {
			if (rc == KEY_CODE_YES && wch == KEY_RESIZE)
				continue;
			if (rc == KEY_CODE_YES)
				ungetch((int)wch);
			else
				unget_wch((wchar_t)wch);
			break;
		}
	}
	return k;
}
