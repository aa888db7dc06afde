/* Shared basics for core/: errors as data, exit-code classes, small helpers.
 *
 * Core functions return 0 on success and -1 on failure, filling a `perr`
 * with a class (what the caller should exit with) and a message naming the
 * thing that failed.  Core never prints and never exits. */
#ifndef PAPYRA_COMMON_H
#define PAPYRA_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Exit-code classes of SPEC §6 (the sysexits values). */
enum {
	PX_OK = 0,
	PX_USAGE = 64,       /* usage or configuration error */
	PX_UNAVAILABLE = 69, /* backend unavailable */
	PX_IOERR = 74,       /* I/O error, or data changed under us */
};

#define PERR_MSG_MAX 1024

typedef struct perr {
	int code;              /* one of PX_* */
	char msg[PERR_MSG_MAX];
} perr;

/* Fill `e` (when not NULL) and return -1, so callers can `return perr_set(...)`. */
int perr_set(perr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation that reports failure through perr instead of aborting. */
void *px_malloc(size_t n, perr *e);
char *px_strdup(const char *s, perr *e);
char *px_asprintf(perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Grow a dynamic array `*v` of `*cap` elements of `size` so that it holds at
 * least `need`.  Returns 0, or -1 with `e` set. */
int px_grow(void *v, size_t *cap, size_t need, size_t size, perr *e);

/* Value of a hex digit, or -1. */
int px_hexval(int c);

/* Wall-clock time in Unix seconds (retention cut-offs). */
double px_now(void);

/* Last path component, without allocation (points into `path`). */
const char *px_basename(const char *path);

#endif
