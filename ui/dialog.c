/* Dialogs over the console's screen: a framed box with lines of text,
 * wrapped to fit, then a checkbox, a progress bar, buttons or a text
 * field, and the keys on the last line.  The focused button is drawn
 * reversed and between arrows, so focus shows without colour and in a
 * text dump. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "walk.h"

/* Narrowest box: a question and two buttons read well in it. */
#define DLG_MIN_INNER 44
/* First row of a box: below the header and the view tabs. */
#define DLG_TOP 3
/* Widest box: longer text wraps, so the screen behind stays in view. */
#define DLG_MAX_INNER 76
/* Blank columns between the frame and the text. */
#define DLG_PAD 2

void dlg_init(struct dialog *d, const char *title, int role)
{
	memset(d, 0, sizeof *d);
	d->title = title;
	d->role = role;
	d->progress = -1;
}

void dlg_line(struct dialog *d, int role, const char *fmt, ...)
{
	if (d->n_lines >= DLG_LINES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->line[d->n_lines].s, DLG_LINE_MAX, fmt, ap);
	va_end(ap);
	d->line[d->n_lines++].role = role;
}

void dlg_button(struct dialog *d, const char *label)
{
	if (d->n_buttons < DLG_BUTTONS)
		d->button[d->n_buttons++] = label;
}

/* Bytes of s[0..n) that fit in `width` columns, cut after a blank when
 * there is one (words stay whole); at least one character. */
static size_t wrap_take(const char *s, size_t n, int width)
{
	size_t i = 0, blank = 0;
	int col = 0;
	while (i < n) {
		int w;
		size_t used = screen_glyph(s + i, n - i, &w);
		if (col + w > width && i > 0)
			return blank ? blank : i;
		if (s[i] == ' ')
			blank = i + 1;
		col += w;
		i += used;
	}
	return n;
}

static int wrapped_rows(const char *s, int width)
{
	size_t n = strlen(s);
	int rows = 0;
	do {
		size_t k = wrap_take(s, n, width);
		s += k;
		n -= k;
		rows++;
	} while (n > 0);
	return rows;
}

static void button_label(const struct dialog *d, int i, char *out, size_t cap)
{
	int utf8 = screen_utf8();
	if (i == d->focus)
		snprintf(out, cap, "[%s %s %s]", utf8 ? "\xe2\x96\xb8" : ">", d->button[i], utf8 ? "\xe2\x97\x82" : "<");
	else
		snprintf(out, cap, "[  %s  ]", d->button[i]);
}

static void frame_row(int y, int x, int inner, int role, const char *l, const char *fill, const char *r)
{
	int w = inner + 2 * DLG_PAD;
	screen_str(y, x, 1, role, l);
	for (int i = 0; i < w; i++)
		screen_str(y, x + 1 + i, 1, role, fill);
	screen_str(y, x + 1 + w, 1, role, r);
}

/* The rows a dialog takes: text (clipped when short of room), then one
 * row per part (checkbox, bar, buttons or field, keys), each after a
 * blank row while there is room for blanks.  On a short terminal the
 * blanks go first, then the key hint, then text: the buttons always show. */
struct dlg_layout {
	int text_rows, spacer, hint, top;
};

static void dlg_layout(const struct console *c, const struct dialog *d, int inner, struct dlg_layout *L)
{
	int rows = 0;
	for (int i = 0; i < d->n_lines; i++)
		rows += wrapped_rows(d->line[i].s, inner);
	int parts = (d->toggle != NULL) + (d->progress >= 0) + (d->n_buttons || d->field);
	/* below the tabs when it fits; over the header lines when it does not */
	int top = DLG_TOP, avail = c->rows - 1 - top;
	L->spacer = 1;
	L->hint = d->hint != NULL;
	for (int pass = 0; 2 + rows + (parts + L->hint) * (1 + L->spacer) > avail && pass < 4; pass++) {
		if (pass == 0)
			top = 1, avail = c->rows - 2;
		else if (pass == 1)
			L->spacer = 0;
		else if (pass == 2)
			L->hint = 0;
		else
			rows = avail - 2 - parts;
	}
	L->text_rows = rows < 1 ? 1 : rows;
	int h = 2 + L->text_rows + (parts + L->hint) * (1 + L->spacer);
	L->top = top + (avail > h ? (avail - h) / 2 : 0);
}

void dlg_draw(struct console *c, const struct dialog *d)
{
	int utf8 = screen_utf8();
	const char *h = utf8 ? "\xe2\x94\x80" : "-", *v = utf8 ? "\xe2\x94\x82" : "|";
	if (c->rows < SCREEN_MIN_ROWS || c->cols < SCREEN_MIN_COLS)
		return; /* the console shows its too-small message instead */
	int max_inner = c->cols - 2 - 2 * DLG_PAD;
	int inner = d->title ? screen_width_of(d->title, strlen(d->title)) + 4 : 0;
	for (int i = 0; i < d->n_lines; i++) {
		int w = screen_width_of(d->line[i].s, strlen(d->line[i].s));
		inner = w > inner ? w : inner;
	}
	if (d->toggle) {
		int w = screen_width_of(d->toggle, strlen(d->toggle)) + 4;
		inner = w > inner ? w : inner;
	}
	if (d->hint) {
		int w = screen_width_of(d->hint, strlen(d->hint));
		inner = w > inner ? w : inner;
	}
	inner = inner < DLG_MIN_INNER ? DLG_MIN_INNER : inner;
	inner = inner > DLG_MAX_INNER ? DLG_MAX_INNER : inner;
	inner = inner > max_inner ? max_inner : inner;

	struct dlg_layout L;
	dlg_layout(c, d, inner, &L);
	int y = L.top;
	int x = (c->cols - inner - 2 * DLG_PAD - 2) / 2;

	frame_row(y, x, inner, d->role, utf8 ? "\xe2\x94\x8c" : "+", h, utf8 ? "\xe2\x94\x90" : "+");
	if (d->title) {
		char t[256];
		snprintf(t, sizeof t, " %s ", d->title);
		screen_str(y, x + 2, inner, d->role, t);
	}
	y++;
	int tx = x + 1 + DLG_PAD;
#define BODY_ROW()                                                  \
	do {                                                        \
		screen_str(y, x, 1, d->role, v);                    \
		screen_fill(y, x + 1, inner + 2 * DLG_PAD, ROLE_NORMAL); \
		screen_str(y, x + 1 + inner + 2 * DLG_PAD, 1, d->role, v); \
	} while (0)
#define PART_ROW()              \
	do {                    \
		if (L.spacer) { \
			BODY_ROW(); \
			y++;        \
		}               \
		BODY_ROW();     \
	} while (0)
	int left = L.text_rows;
	for (int i = 0; i < d->n_lines && left > 0; i++) {
		const char *s = d->line[i].s;
		size_t n = strlen(s);
		do {
			size_t k = wrap_take(s, n, inner);
			BODY_ROW();
			screen_text(y, tx, inner, d->line[i].role, s, k);
			y++;
			left--;
			s += k;
			n -= k;
		} while (n > 0 && left > 0);
		if (n > 0)
			screen_str(y - 1, tx + inner - 1, 1, ROLE_DIM, utf8 ? "\xe2\x80\xa6" : "~");
	}
	if (d->toggle) {
		PART_ROW();
		char t[DLG_LINE_MAX];
		snprintf(t, sizeof t, "[%s] %s", d->toggle_on ? "x" : " ", d->toggle);
		screen_str(y++, tx, inner, ROLE_NORMAL, t);
	}
	if (d->progress >= 0) {
		PART_ROW();
		int bar = inner - 7, fill = (int)((int64_t)bar * d->progress / 1000);
		char pct[16];
		screen_str(y, tx, 1, ROLE_NORMAL, "[");
		for (int i = 0; i < bar; i++)
			screen_str(y, tx + 1 + i, 1, i < fill ? ROLE_MARK : ROLE_DIM,
				   i < fill ? (utf8 ? "\xe2\x96\x88" : "#") : (utf8 ? "\xc2\xb7" : "."));
		snprintf(pct, sizeof pct, "] %3d%%", d->progress / 10);
		screen_str(y++, tx + 1 + bar, 6, ROLE_NORMAL, pct);
	}
	if (d->n_buttons || d->field) {
		PART_ROW();
		if (d->field) {
			char t[160];
			snprintf(t, sizeof t, "> %s_", d->text);
			screen_str(y, tx, inner, ROLE_SELECTED, t);
		} else {
			char lab[DLG_BUTTONS][96];
			int total = 0;
			for (int i = 0; i < d->n_buttons; i++) {
				button_label(d, i, lab[i], sizeof lab[i]);
				total += screen_width_of(lab[i], strlen(lab[i])) + (i ? 3 : 0);
			}
			int bx = tx + (inner > total ? (inner - total) / 2 : 0);
			for (int i = 0; i < d->n_buttons; i++) {
				int role = i == d->focus ? ROLE_SELECTED | ROLE_TITLE : ROLE_NORMAL;
				bx += screen_str(y, bx, tx + inner - bx, role, lab[i]) + 3;
			}
		}
		y++;
	}
	if (L.hint) {
		PART_ROW();
		screen_str(y++, tx, inner, ROLE_DIM, d->hint);
	}
#undef PART_ROW
#undef BODY_ROW
	frame_row(y, x, inner, d->role, utf8 ? "\xe2\x94\x94" : "+", h, utf8 ? "\xe2\x94\x98" : "+");
}

int dlg_run(struct console *c, struct dialog *d)
{
	for (;;) {
		console_draw(c);
		dlg_draw(c, d);
		screen_update();
		int k = screen_getkey(-1);
		if (k == SK_EOF || screen_hangup()) {
			c->quit = 1;
			return DLG_CANCEL;
		}
		if (k == SK_RESIZE)
			continue;
		if (console_too_small(c) && k != SK_ESC) {
			/* the dialog is not on screen: no key may press its buttons */
			c->ignored_keys++;
			continue;
		}
		c->ignored_keys = 0;
		if (d->field) {
			if (k == SK_ESC)
				return DLG_CANCEL;
			if (k == SK_ENTER)
				return 0;
			console_edit(d->text, sizeof d->text, k);
			continue;
		}
		enum walk_request r = keys_walk_request(k);
		switch (r) {
		case WREQ_CANCEL:
			return DLG_CANCEL;
		case WREQ_OK:
			if (d->n_buttons)
				return d->focus;
			break;
		case WREQ_NEXT:
			if (d->n_buttons)
				d->focus = (d->focus + 1) % d->n_buttons;
			break;
		case WREQ_PREV:
			if (d->n_buttons)
				d->focus = (d->focus + d->n_buttons - 1) % d->n_buttons;
			break;
		case WREQ_SAME:
			if (d->toggle) {
				d->toggle_on = !d->toggle_on;
				break;
			}
			/* fall through */
		default:
			if (r != WREQ_NONE && d->hot[r]) {
				d->focus = d->hot[r] - 1;
				return d->focus;
			}
			break;
		}
	}
}

void dlg_message(struct console *c, const char *title, int role, const char *text, const char *more)
{
	struct dialog d;
	dlg_init(&d, title, role);
	dlg_line(&d, role, "%s", text);
	if (more)
		dlg_line(&d, ROLE_NORMAL, "%s", more);
	dlg_button(&d, "Close");
	d.hint = "Enter or Esc closes";
	dlg_run(c, &d);
}

int dlg_confirm_typed(struct console *c, struct dialog *d, const char *word)
{
	dlg_line(d, ROLE_WARN, "A large change: type %s and press Enter to confirm.", word);
	d->field = 1;
	d->hint = "Esc cancels: nothing is changed";
	int wrong_at = -1;
	for (;;) {
		if (dlg_run(c, d) == DLG_CANCEL)
			return 0;
		if (strcmp(d->text, word) == 0)
			return 1;
		if (wrong_at < 0)
			wrong_at = d->n_lines < DLG_LINES ? d->n_lines++ : DLG_LINES - 1;
		snprintf(d->line[wrong_at].s, DLG_LINE_MAX, "'%s' is not '%s': nothing was done. Type %s, or Esc.",
			 d->text, word, word);
		d->line[wrong_at].role = ROLE_ANOMALY;
		d->text[0] = '\0';
	}
}
