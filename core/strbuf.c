#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int strbuf_reserve(struct strbuf *b, size_t more)
{
	if (b->oom)
		return -1;
	if (b->n + more + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->n + more + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void strbuf_add(struct strbuf *b, const void *s, size_t n)
{
	if (strbuf_reserve(b, n) < 0)
		return;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s));
}

static void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	if (n >= 0 && strbuf_reserve(b, (size_t)n) == 0) {
		vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap2);
		b->n += (size_t)n;
	}
	va_end(ap2);
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

void strbuf_item(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	if (b->n)
		strbuf_puts(b, "; ");
	va_start(ap, fmt);
	strbuf_vprintf(b, fmt, ap);
	va_end(ap);
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return n ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void strbuf_shell_word(struct strbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (n > 0 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == n) {
		strbuf_add(b, s, n);
		return;
	}
	strbuf_add(b, "'", 1);
	for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
		strbuf_add(b, s, (size_t)(q - s));
		strbuf_add(b, "'\\''", 4);
	}
	strbuf_puts(b, s);
	strbuf_add(b, "'", 1);
}

void strbuf_json_string(struct strbuf *b, const char *s)
{
	if (!s) {
		strbuf_add(b, "null", 4);
		return;
	}
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	strbuf_add(b, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			strbuf_add(b, esc, 2);
			i++;
		} else if (c < 0x20) {
			switch (c) {
			case '\n': strbuf_add(b, "\\n", 2); break;
			case '\t': strbuf_add(b, "\\t", 2); break;
			case '\r': strbuf_add(b, "\\r", 2); break;
			default: strbuf_printf(b, "\\u%04x", c); break;
			}
			i++;
		} else {
			size_t len = utf8_seq_len(p + i, n - i);
			if (len)
				strbuf_add(b, p + i, len);
			else
				strbuf_add(b, "\\ufffd", 6);
			i += len ? len : 1;
		}
	}
	strbuf_add(b, "\"", 1);
}

char *strbuf_detach(struct strbuf *b, size_t *len)
{
	if (b->oom || strbuf_reserve(b, 0) < 0) {
		strbuf_free(b);
		return NULL;
	}
	char *p = b->p;
	if (len)
		*len = b->n;
	memset(b, 0, sizeof *b);
	return p;
}

void strbuf_free(struct strbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}
