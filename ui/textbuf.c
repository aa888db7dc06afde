#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tb_clear(struct textbuf *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->l[i].s);
	free(t->l);
	t->l = NULL;
	t->n = t->cap = 0;
}

void tb_add(struct textbuf *t, int role, const char *s, size_t n)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		struct tb_line *l = realloc(t->l, nc * sizeof *l);
		if (!l)
			return;
		t->l = l;
		t->cap = nc;
	}
	char *copy = malloc(n + 1);
	if (!copy)
		return;
	memcpy(copy, s, n);
	copy[n] = '\0';
	t->l[t->n++] = (struct tb_line){ copy, n, role, -1 };
}

void tb_addf(struct textbuf *t, int role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	tb_add(t, role, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}
