/* How text is shown cell by cell (screen_glyph.h): what is printed as it
 * is, what is escaped, and how wide each piece is.  No curses here. */
#define _XOPEN_SOURCE_EXTENDED 1
#include "screen_glyph.h"

#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "screen_script.h"


/* Characters that are printable by wcwidth() yet must never reach the
 * terminal raw: they reorder (bidi controls), hide (zero-width) or mark
 * (BOM) text, so a record could imitate another one or shift what follows. */
static int must_escape(int cp)
{
	return (cp >= 0x80 && cp < 0xa0) ||         /* C1 controls */
	       cp == 0xad ||                        /* soft hyphen: invisible or not, by terminal */
	       cp == 0x061c || cp == 0x180e ||      /* Arabic letter mark, Mongolian vowel separator */
	       (cp >= 0x200b && cp <= 0x200f) ||    /* zero-width space/joiners, LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) ||    /* line/paragraph separators, bidi embeddings */
	       (cp >= 0x2060 && cp <= 0x206f) ||    /* word joiner, invisible operators, bidi isolates */
	       cp == 0xfeff ||                      /* BOM, zero-width no-break space */
	       (cp >= 0xfff9 && cp <= 0xfffb) ||    /* interlinear annotation */
	       (cp >= 0xe0000 && cp <= 0xe007f);    /* tag characters */
}

/* The one width function: every glyph kind (printable, wide, combining,
 * escaped byte or code point) gets its width here, and both drawing and
 * every cut (wrapping, previews, dialogs) measure with it. */
void screen_next_glyph(const char *s, size_t n, struct glyph *g)
{
	unsigned char c = (unsigned char)s[0];
	g->esc[0] = '\0';
	g->used = 1;
	g->wc = 0;
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
		int cp = screen_utf8() ? screen_utf8_one(s, n, &used) : -1;
		if (cp < 0) {
			/* invalid UTF-8, or any non-ASCII byte outside a UTF-8 locale */
			snprintf(g->esc, sizeof g->esc, "\\x%02x", c);
		} else {
			g->used = used;
			int w = wcwidth((wchar_t)cp);
			if (w < 0 || w > 2 || must_escape(cp)) {
				snprintf(g->esc, sizeof g->esc, cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)cp);
			} else {
				g->wc = (wchar_t)cp;
				g->width = w;
				return;
			}
		}
	}
	g->width = (int)strlen(g->esc);
}

/* A combining mark with nothing before it in its cell would join the
 * previous cell's character: it is shown escaped instead. */
void screen_first_glyph(const char *s, size_t n, struct glyph *g)
{
	screen_next_glyph(s, n, g);
	if (!g->esc[0] && g->width == 0) {
		snprintf(g->esc, sizeof g->esc, g->wc > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned)g->wc);
		g->width = (int)strlen(g->esc);
	}
}

size_t screen_glyph(const char *s, size_t n, int *width)
{
	struct glyph g;
	screen_next_glyph(s, n, &g);
	*width = g.width;
	return g.used;
}

int screen_width_of(const char *s, size_t n)
{
	int w = 0;
	struct glyph g;
	for (size_t i = 0; i < n; i += g.used) {
		if (i == 0)
			screen_first_glyph(s, n, &g);
		else
			screen_next_glyph(s + i, n - i, &g);
		w += g.width;
	}
	return w;
}

size_t screen_escape(const char *s, size_t n, int cols, char *out, size_t cap, int *width)
{
	size_t o = 0;
	int col = 0;
	struct glyph g;
	if (cap == 0)
		return 0;
	for (size_t i = 0; i < n; i += g.used) {
		if (i == 0)
			screen_first_glyph(s, n, &g);
		else
			screen_next_glyph(s + i, n - i, &g);
		size_t k = g.esc[0] ? strlen(g.esc) : g.used;
		if (col + g.width > cols || o + k >= cap)
			break;
		memcpy(out + o, g.esc[0] ? g.esc : s + i, k);
		o += k;
		col += g.width;
	}
	out[o] = '\0';
	if (width)
		*width = col;
	return o;
}

