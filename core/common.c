#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int perr_set(perr *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		e->code = code;
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void *px_malloc(size_t n, perr *e)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		perr_set(e, PX_IOERR, "out of memory (%zu bytes)", n);
	return p;
}

char *px_strdup(const char *s, perr *e)
{
	size_t n = strlen(s) + 1;
	char *p = px_malloc(n, e);
	if (p)
		memcpy(p, s, n);
	return p;
}

char *px_asprintf(perr *e, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = n < 0 ? NULL : px_malloc((size_t)n + 1, e);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

int px_grow(void *v, size_t *cap, size_t need, size_t size, perr *e)
{
	void **pv = v;
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	void *p = realloc(*pv, n * size);
	if (!p)
		return perr_set(e, PX_IOERR, "out of memory");
	*pv = p;
	*cap = n;
	return 0;
}

const char *px_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int px_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

double px_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
