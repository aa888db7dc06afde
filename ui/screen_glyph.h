/* Inside ui/: one piece of text as the screen shows it (screen_glyph.c),
 * for screen.c's drawing and every width or cut the console measures. */
#ifndef PAPYRA_UI_SCREEN_GLYPH_H
#define PAPYRA_UI_SCREEN_GLYPH_H

#include <stddef.h>
#include <wchar.h>

/* How one piece of text is shown: either a printable character (wc, its
 * width) or an escape sequence in `esc`. */
struct glyph {
	size_t used;
	wchar_t wc;
	int width;
	char esc[12];
};

/* The one width function: the glyph at s (n bytes left). */
void screen_next_glyph(const char *s, size_t n, struct glyph *g);
/* The same for the first glyph of a text: a combining mark is escaped. */
void screen_first_glyph(const char *s, size_t n, struct glyph *g);

#endif
