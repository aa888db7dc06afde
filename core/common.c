#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *perr_reason_name(enum perr_reason r)
{
	static const char *const names[] = {
#define X(id, name) name,
		PERR_REASONS(X)
#undef X
	};
	return (unsigned)r < PR__COUNT ? names[r] : "?";
}

static enum perr_reason perr_reason_of_code(int code)
{
	return code == PX_USAGE ? PR_USAGE : code == PX_UNAVAILABLE ? PR_UNAVAILABLE : PR_IO;
}

enum perr_reason perr_reason_of_errno(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
	case EROFS:
		return PR_PERMISSION;
	case ENOSPC:
	case EDQUOT:
		return PR_NOSPACE;
	case ETIMEDOUT:
		return PR_TIMEOUT;
	case ENOMEM:
		return PR_NOMEM;
	case EWOULDBLOCK:
		return PR_LOCKED;
	default:
		return PR_IO;
	}
}

static void perr_vset(perr *e, int code, enum perr_reason why, const char *fmt, va_list ap)
{
	e->code = code;
	e->reason = why;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

int perr_set(perr *e, int code, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		perr_vset(e, code, perr_reason_of_code(code), fmt, ap);
		va_end(ap);
	}
	return -1;
}

int perr_setr(perr *e, int code, enum perr_reason why, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		perr_vset(e, code, why, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int perr_set_errno(perr *e, int code, int err, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		perr_vset(e, code, perr_reason_of_errno(err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

void *px_malloc(size_t n, perr *e)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory (%zu bytes)", n);
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
		return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
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
