/* A growable byte buffer with a sticky out-of-memory flag: append freely,
 * check `oom` once at the end.  The content is always NUL-terminated. */
#ifndef PAPYRA_STRBUF_H
#define PAPYRA_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *p;
	size_t n, cap;
	int oom;
};

/* Make room for `more` bytes (plus the NUL); -1 once out of memory. */
int strbuf_reserve(struct strbuf *b, size_t more);
void strbuf_add(struct strbuf *b, const void *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One more item of a "; "-separated list (no separator before the first). */
void strbuf_item(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `s` as a JSON string literal; bytes that are not UTF-8 become \ufffd so
 * the result always parses.  NULL gives `null`. */
void strbuf_json_string(struct strbuf *b, const char *s);
/* `s` as one word of a POSIX shell command line: as is when every byte
 * is a letter, a digit or one of _@%+=:,./- (and it is not empty), else
 * in single quotes, a quote inside written '\'' (so $, `, \, spaces,
 * newlines and any other byte mean nothing to the shell). */
void strbuf_shell_word(struct strbuf *b, const char *s);
/* Hand the buffer over (NULL when out of memory, which frees it). */
char *strbuf_detach(struct strbuf *b, size_t *len);
void strbuf_free(struct strbuf *b);

/* Length of the valid UTF-8 sequence at `s` (1..4, at most `n`), or 0. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
