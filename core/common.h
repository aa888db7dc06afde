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

/* Why an operation failed, for callers that react to the kind of failure
 * (the console offers a rescan for STALE) instead of reading the message,
 * which is for people and may be reworded.  One table: the enum and the
 * names (journal and test output). */
#define PERR_REASONS(X) \
	X(NONE, "none")               /* no error */ \
	X(IO, "io")                   /* any other I/O failure */ \
	X(USAGE, "usage")             /* bad command line, config or argument */ \
	X(UNAVAILABLE, "unavailable") /* the backend cannot be reached or refuses us */ \
	X(STALE, "stale")             /* the data changed since the scan (or during the work) */ \
	X(LOCKED, "locked")           /* another process holds the lock */ \
	X(PERMISSION, "permission")   /* EACCES, EPERM, EROFS */ \
	X(NOSPACE, "no-space")        /* ENOSPC, EDQUOT */ \
	X(TIMEOUT, "timeout")         /* a deadline passed */ \
	X(NOMEM, "no-memory")         /* allocation failed */

enum perr_reason {
#define X(id, name) PR_##id,
	PERR_REASONS(X)
#undef X
	PR__COUNT
};
const char *perr_reason_name(enum perr_reason r);

typedef struct perr {
	int code;              /* one of PX_* */
	char msg[PERR_MSG_MAX];
	enum perr_reason reason; /* PR_* */
} perr;

/* Fill `e` (when not NULL) and return -1, so callers can `return perr_set(...)`.
 * The reason follows from the class: PX_USAGE -> USAGE, PX_UNAVAILABLE ->
 * UNAVAILABLE, anything else -> IO. */
int perr_set(perr *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with an explicit reason. */
int perr_setr(perr *e, int code, enum perr_reason why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with the reason an errno value means (EACCES -> PERMISSION,
 * ENOSPC -> NOSPACE, ...; others -> IO).  The message is still the
 * caller's (it usually ends with strerror(err)). */
int perr_set_errno(perr *e, int code, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
enum perr_reason perr_reason_of_errno(int err);

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
