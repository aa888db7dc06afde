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
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "keys.h"
#include "screen_glyph.h"
#include "screen_script.h"

/* Default virtual screen for tests: wide enough for every column. */
#define TEST_DEFAULT_COLS 100
#define TEST_DEFAULT_ROWS 30
/* Esc must feel immediate; ncurses waits 1 s by default for a sequence. */
#define ESC_DELAY_MS 25
/* Matches highlighted in one piece of text; more are left plain. */
#define HL_MAX 64
/* Rows and columns whose highlight a test dump can list. */
#define HL_ROWS 256
#define HL_COLS 1024

static struct {
	SCREEN *scr;
	FILE *in, *out;
	int test, utf8, color;
	struct test_script script;
	int dumps;
	/* rows holding the selected row: the dump marks them, since a text
	 * dump cannot show reverse video */
	unsigned char selected[1024];
	/* search highlight: the matcher, and (tests) which cells it marked */
	screen_find_fn find;
	const void *find_ctx;
	unsigned char hl[HL_ROWS][HL_COLS / 8];
	attr_t attr[ROLE__COUNT];
	short pair[ROLE__COUNT];
	double skew_ms;  /* tests: later:MS moved the clock on */
	int in_main;     /* the console's main loop is reading (not a walk's dialog) */
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
	int cols = TEST_DEFAULT_COLS, rows = TEST_DEFAULT_ROWS;
	if (S.test) {
		const char *keys = getenv("PAPYRA_TEST_KEYS"), *size = getenv("PAPYRA_TEST_SIZE");
		if (keys && script_parse(&S.script, keys, e) < 0) {
			screen_close();
			return -1;
		}
		if (size && (sscanf(size, "%dx%d", &cols, &rows) != 2 || cols < 1 || rows < 1))
			return perr_set(e, PX_USAGE, "PAPYRA_TEST_SIZE: expected COLSxROWS, got '%s'", size);
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
		return perr_set(e, PX_USAGE, "cannot use the terminal (TERM=%s); use --batch for a headless "
				"triage summary", getenv("TERM") ? getenv("TERM") : "unset");
	}
	set_term(S.scr);
	/* a terminal that cannot move the cursor (TERM=dumb, a printer) would
	 * show a blank or scrolling screen: refuse, and say what works */
	const char *cup = tigetstr("cup");
	if (!cup || cup == (char *)-1) {
		const char *term = getenv("TERM");
		screen_close();
		return perr_set(e, PX_USAGE, "the terminal (TERM=%s) cannot address the cursor: the interactive "
				"console needs one; use --batch for a headless triage summary",
				term && *term ? term : "unset");
	}
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
	script_free(&S.script);
}

void screen_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void screen_erase(void)
{
	memset(S.selected, 0, sizeof S.selected);
	memset(S.hl, 0, sizeof S.hl);
	erase();
}

static void note_selected(int y, int role)
{
	if ((role & ROLE_SELECTED) && y >= 0 && y < (int)sizeof S.selected)
		S.selected[y] = 1;
}

static void set_role(int role)
{
	int r = role & 0xff;
	attr_t a = S.attr[r] | ((role & ROLE_SELECTED) ? A_REVERSE : 0);
	attr_set(a, S.pair[r], NULL);
}

void screen_highlight(screen_find_fn find, const void *ctx)
{
	S.find = find;
	S.find_ctx = ctx;
}

static void note_hl(int y, int x, int w)
{
	for (int k = x; k < x + w; k++)
		if (y >= 0 && y < HL_ROWS && k >= 0 && k < HL_COLS)
			S.hl[y][k / 8] |= (unsigned char)(1u << (k % 8));
}

int screen_text(int y, int x, int width, int role, const char *s, size_t n)
{
	int col = 0, rows, cols;
	struct glyph g;
	getmaxyx(stdscr, rows, cols);
	/* never past the right edge: curses would wrap onto the next row */
	if (width > cols - x)
		width = cols - x;
	if (width <= 0 || y < 0 || y >= rows || x < 0)
		return 0;
	size_t so[HL_MAX], eo[HL_MAX];
	int n_hl = 0, h = 0;
	for (size_t from = 0; S.find && n_hl < HL_MAX && S.find(S.find_ctx, s, n, from, &so[n_hl], &eo[n_hl]);
	     from = eo[n_hl++])
		;
	move(y, x);
	set_role(role);
	note_selected(y, role);
	int sel = role & ROLE_SELECTED;
	for (size_t i = 0; i < n; i += g.used) {
		if (col == 0)
			screen_first_glyph(s + i, n - i, &g);
		else
			screen_next_glyph(s + i, n - i, &g);
		if (col + g.width > width)
			break;
		while (h < n_hl && i >= eo[h])
			h++;
		int lit = h < n_hl && i >= so[h];
		if (lit) {
			set_role(ROLE_MARK | sel);
			note_hl(y, x + col, g.width);
		} else if (g.esc[0]) {
			set_role(ROLE_DIM | sel);
		}
		if (g.esc[0])
			addnstr(g.esc, (int)strlen(g.esc));
		else
			addnwstr(&g.wc, 1);
		if (lit || g.esc[0])
			set_role(role);
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
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	if (width > cols - x)
		width = cols - x;
	if (width <= 0 || y < 0 || y >= rows || x < 0)
		return;
	set_role(role);
	note_selected(y, role);
	mvhline(y, x, ' ', width);
	attr_set(A_NORMAL, 0, NULL);
}

int screen_cell(int y, int x)
{
	int rows, cols;
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t a;
	short pair;
	getmaxyx(stdscr, rows, cols);
	if (y < 0 || y >= rows || x < 0 || x >= cols || mvin_wch(y, x, &cc) == ERR)
		return -1;
	if (getcchar(&cc, wc, &a, &pair, NULL) == ERR)
		return -1;
	return (int)wc[0];
}

void screen_cursor(int y, int x)
{
	if (y < 0) {
		curs_set(0);
		return;
	}
	move(y, x);
	curs_set(1);
}

void screen_update(void)
{
	wnoutrefresh(stdscr);
	doupdate();
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
		char marks[256] = "";
		size_t mk = 0;
		for (int k = 0; y < HL_ROWS && k < cols && k < HL_COLS && mk + 24 < sizeof marks; k++) {
			if (!(S.hl[y][k / 8] & (1u << (k % 8))) || (k > 0 && (S.hl[y][(k - 1) / 8] & (1u << ((k - 1) % 8)))))
				continue;
			int e = k;
			while (e + 1 < cols && e + 1 < HL_COLS && (S.hl[y][(e + 1) / 8] & (1u << ((e + 1) % 8))))
				e++;
			mk += (size_t)snprintf(marks + mk, sizeof marks - mk, "%s%d-%d", mk ? "," : "   <-- match ", k, e);
		}
		fprintf(f, "%.*s%s%s\n", (int)len, line,
			y < (int)sizeof S.selected && S.selected[y] ? "   <-- selected" : "", marks);
	}
	free(wbuf);
	fclose(f);
}

static int test_key(void)
{
	struct test_script *t = &S.script;
	for (;;) {
		if (t->next >= t->n)
			return SK_EOF;
		int i = t->next++, k = t->keys[i];
		if (k == SK_DUMP || k == SK_MIDDUMP) {
			dump_screen();
			continue;
		}
		if (k == SK_APPEND) {
			/* the file changes under the console at this point of the script:
			 * how tests make a plan go stale between preview and apply */
			int a = t->arg[i][0];
			FILE *f = fopen(t->append_file[a], "a");
			if (f) {
				fputs(t->append_text[a], f);
				fclose(f);
			}
			if (S.in_main)
				return SK_TIMEOUT; /* the main loop follows the store: it looks before the next key */
			continue;
		}
		if (k == SK_SHELL) {
			/* a rotation, a truncation... under the console (tests) */
			if (system(t->append_text[t->arg[i][0]]) != 0)
				fprintf(stderr, "papyra test: sh:%s failed\n", t->append_text[t->arg[i][0]]);
			return SK_TIMEOUT; /* the console looks at the store before the next key */
		}
		if (k == SK_LATER) {
			S.skew_ms += t->arg[i][0];
			return SK_TIMEOUT;
		}
		if (k == SK_SLICE) {
			if (S.in_main)
				return SK_TIMEOUT; /* the main loop runs one more slice of its work */
			continue;
		}
		if (k == SK_RESIZE)
			resize_term(t->arg[i][1], t->arg[i][0]);
		return k;
	}
}

int screen_test_slice(void)
{
	if (S.test && S.script.next < S.script.n && S.script.keys[S.script.next] == SK_SLICE) {
		S.script.next++;
		return 1;
	}
	return 0;
}

int screen_poll_esc(void)
{
	if (S.test) {
		if (S.script.next < S.script.n && S.script.keys[S.script.next] == SK_MIDDUMP) {
			S.script.next++;
			dump_screen(); /* the screen as it is mid-operation */
		}
		if (S.script.next < S.script.n && S.script.keys[S.script.next] == SK_ESC) {
			S.script.next++;
			return 1;
		}
		return 0;
	}
	wint_t wch;
	timeout(0);
	int rc = get_wch(&wch);
	if (rc == ERR)
		return 0;
	if (rc == OK && wch == 27)
		return 1;
	if (rc == KEY_CODE_YES)
		ungetch((int)wch);
	else
		unget_wch((wchar_t)wch);
	return 0;
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
		case KEY_DC: return SK_DELETE;
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

double screen_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6 + S.skew_ms;
}

int screen_getkey_fd(int timeout_ms, int fd)
{
	if (S.test) {
		S.in_main = 1;
		int k = test_key();
		S.in_main = 0;
		return k;
	}
	wint_t wch;
	if (fd >= 0 && timeout_ms != 0) {
		/* a key typed ahead first, then wait for a key or the store */
		timeout(0);
		int rc = get_wch(&wch);
		if (rc != ERR) {
			if (rc == KEY_CODE_YES)
				ungetch((int)wch);
			else
				unget_wch((wchar_t)wch);
		} else {
			struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
			int n = poll(p, 2, timeout_ms);
			if (n > 0 && (p[1].revents & POLLIN) && !(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
				return SK_WAKE;
			if (n == 0)
				return SK_TIMEOUT;
			timeout_ms = 0;
		}
	}
	return screen_getkey(timeout_ms);
}

int screen_getkey(int timeout_ms)
{
	if (S.test)
		return test_key();
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
