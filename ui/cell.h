/* Leaf helpers every view and walk draws with: cells of a row, the
 * damaged-line glyph, sizes for people, a case-insensitive search.  They
 * know the screen (screen.h) and nothing of the console above it. */
#ifndef PAPYRA_UI_CELL_H
#define PAPYRA_UI_CELL_H

#include <stddef.h>
#include <stdint.h>

/* Glyph for a damaged line ("✖", or "!" without UTF-8). */
const char *console_glyph(void);
/* Draw a text cell: clipped, padded to `w` with the row's role. */
void console_cell(int y, int x, int w, int role, const char *s);
/* The same for n bytes (decoded values may hold NUL bytes). */
void console_cell_n(int y, int x, int w, int role, const char *s, size_t n);
/* Draw one cell of a row and return the x of the next (one blank between). */
int rec_cell(int y, int x, int w, int role, const char *s);
/* Case-insensitive search of a lowercase needle in bytes. */
int bytes_contain(const char *p, size_t n, const char *needle);
/* "245 bytes", "4.1 KiB", "12.0 MiB" */
void walk_size(char *out, size_t cap, int64_t bytes);

#endif
