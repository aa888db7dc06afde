/* Lines of pre-rendered text with a role each: the detail pane and the
 * help screen. */
#ifndef PAPYRA_UI_TEXTBUF_H
#define PAPYRA_UI_TEXTBUF_H

#include <stddef.h>

struct tb_line {
	char *s;
	size_t n;
	int role;
	int marker; /* column of an error marker on this line, or -1 */
};

struct textbuf {
	struct tb_line *l;
	size_t n, cap;
};

void tb_clear(struct textbuf *t);
/* Append a line (copied); silently drops it when memory is short. */
void tb_add(struct textbuf *t, int role, const char *s, size_t n);
void tb_addf(struct textbuf *t, int role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
