/* The live switch of live.h: catch-up, leases, swap, drain. */
#define _GNU_SOURCE /* F_SETLEASE, F_SETSIG, F_GETLEASE, renameat2 */
#include "live.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "kept.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* Pause between two lease attempts: a writer's open-write-close. */
#define LIVE_RETRY_US 200

static int64_t live_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void live_pause(long us)
{
	struct timespec ts = {0, us * 1000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void live_init(struct live_copy *c, int src, const char *src_shown, int out, const char *out_shown,
	       char *buf, size_t bufsize, perr *e)
{
	memset(c, 0, sizeof *c);
	c->src = src;
	c->src_shown = src_shown;
	c->out = out;
	c->out_shown = out_shown;
	c->buf = buf;
	c->bufsize = bufsize;
	c->e = e;
}

/* ---- leases --------------------------------------------------------------- */

/* One attempt; FSUTIL_LEASE_UNSUPPORTED fills c->lease_note. */
static int live_try_lease(struct live_copy *c, int fd, int type, const char *shown)
{
	return fsutil_lease(fd, type, shown, c->lease_note, sizeof c->lease_note);
}

static void live_unlease(int fd)
{
	(void)fcntl(fd, F_SETLEASE, F_UNLCK);
}

/* Whether a lease we hold is being broken (someone is opening the file). */
static int live_lease_breaking(int fd, int type)
{
	return fcntl(fd, F_GETLEASE) != type;
}

/* ---- copying what was appended ---------------------------------------------- */

static int64_t live_size(struct live_copy *c)
{
	struct stat st;
	if (fstat(c->src, &st) != 0)
		return perr_set(c->e, PX_IOERR, "cannot stat %s: %s", c->src_shown, strerror(errno));
	return (int64_t)st.st_size;
}

/* Count the lines of bytes written to out that came after the plan. */
static void live_count(struct live_copy *c, const char *p, size_t n)
{
	c->bytes += (int64_t)n;
	while (n > 0) {
		if (!c->in_line) {
			jsonv_init(&c->v, NULL);
			c->in_line = 1;
		}
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		jsonv_feed(&c->v, p, k);
		if (!nl)
			return;
		c->lines++;
		c->invalid += jsonv_finish(&c->v) != 0 || jsonv_top_type(&c->v) != JV_OBJECT;
		c->in_line = 0;
		p += k + 1;
		n -= k + 1;
	}
}

static int live_put(struct live_copy *c, const char *p, size_t n)
{
	if (fsutil_write_all(c->out, p, n, c->out_shown, c->e) != 0)
		return -1;
	live_count(c, p, n);
	return 0;
}

/* Copy src [from, to) to out.  `whole`: only up to the last "\n" (a line
 * longer than the buffer goes in pieces); *stop is where copying ended. */
static int live_copy_range(struct live_copy *c, int64_t from, int64_t to, int whole, int64_t *stop)
{
	while (from < to) {
		size_t want = (size_t)(to - from) < c->bufsize ? (size_t)(to - from) : c->bufsize;
		ssize_t r = fsutil_pread(c->src, c->buf, want, from, c->src_shown, c->e);
		if (r < 0)
			return -1;
		if (r == 0)
			return perr_set(c->e, PX_IOERR, "%s shrank while being copied", c->src_shown);
		size_t n = (size_t)r;
		if (whole) {
			const char *nl = memrchr(c->buf, '\n', n);
			if (nl)
				n = (size_t)(nl - c->buf) + 1;
			else if (n < c->bufsize)
				break; /* a line still being written */
		}
		/* one write per piece: where others may append too, whole lines stay whole */
		if (live_put(c, c->buf, n) != 0)
			return -1;
		from += (int64_t)n;
	}
	*stop = from;
	return 0;
}

/* Offset of the first "\n" in src [from, to), or -1. */
static int64_t live_find_nl(struct live_copy *c, int64_t from, int64_t to)
{
	while (from < to) {
		size_t want = (size_t)(to - from) < c->bufsize ? (size_t)(to - from) : c->bufsize;
		ssize_t r = fsutil_pread(c->src, c->buf, want, from, c->src_shown, c->e);
		if (r <= 0)
			return r < 0 ? -2 : -1;
		const char *nl = memchr(c->buf, '\n', (size_t)r);
		if (nl)
			return from + (nl - c->buf);
		from += r;
	}
	return -1;
}

static int live_range_is_record(int fd, const char *shown, int64_t from, int64_t to, char *buf,
				size_t bufsize, int *yes, perr *e);

/* Settle the planned last line (struct live_tail) once enough is known:
 * its end ("\n") has arrived, or `final`.  Returns 0 (settled or not yet). */
static int live_settle_tail(struct live_copy *c, int64_t size, int final)
{
	struct live_tail *t = &c->tail;
	int64_t stop;
	if (t->kind == LIVE_TAIL_NEWLINE) {
		if (live_copy_range(c, t->start, t->end, 0, &stop) != 0 || live_put(c, "\n", 1) != 0)
			return -1;
		c->done = t->end;
		t->resolved = 1;
		return 0;
	}
	int64_t nl = live_find_nl(c, t->end, size);
	if (nl == -2)
		return -1;
	if (nl < 0 && !final)
		return 0; /* the writer may still be completing it */
	int64_t line_end = nl >= 0 ? nl : size;
	int whole = 0;
	if (line_end > t->end && live_range_is_record(c->src, c->src_shown, t->start, line_end, c->buf,
						      c->bufsize, &whole, c->e) != 0)
		return -1;
	if (whole) { /* the writer completed it: keep it, as every record */
		if (live_copy_range(c, t->start, line_end, 0, &stop) != 0 ||
		    live_put(c, "\n", 1) != 0)
			return -1;
		t->completed = 1;
	} else if (line_end > t->end) { /* the planned fragment goes; what followed stays */
		int64_t from = t->end;
		if (live_copy_range(c, from, line_end, 0, &stop) != 0 ||
		    (nl >= 0 && live_put(c, "\n", 1) != 0))
			return -1;
	}
	c->done = nl >= 0 ? nl + 1 : size;
	t->resolved = 1;
	return 0;
}

int64_t live_catch_up(struct live_copy *c, int final)
{
	int64_t size = live_size(c), before = c->bytes;
	if (size < 0)
		return -1;
	if (size < c->done)
		return perr_set(c->e, PX_IOERR, "%s shrank (%lld -> %lld bytes) while being rewritten",
				c->src_shown, (long long)c->done, (long long)size);
	if (c->tail.kind != LIVE_TAIL_NONE && !c->tail.resolved) {
		if (live_settle_tail(c, size, final) != 0)
			return -1;
		if (!c->tail.resolved)
			return 0;
	}
	if (c->done < size) {
		/* where others may be appending to out as well (no lease), whole lines only */
		int whole = c->committed && c->no_lease && !final;
		if (live_copy_range(c, c->done, size, whole, &c->done) != 0)
			return -1;
	}
	return c->bytes - before;
}

/* ---- the switch ---------------------------------------------------------------- */

/* Step 2: the read lease on src, catching up while writers hold it open. */
int live_lease_src(struct live_copy *c)
{
	int64_t deadline = live_now_ms() + LIVE_LEASE_WAIT_MS;
	for (;;) {
		int r = live_try_lease(c, c->src, F_RDLCK, c->src_shown);
		if (r == FSUTIL_LEASE_GRANTED) {
			c->leased = 1;
			return 0;
		}
		if (r == FSUTIL_LEASE_UNSUPPORTED) {
			c->no_lease = 1;
			return 0;
		}
		if (live_now_ms() >= deadline)
			return perr_set(c->e, PX_IOERR,
					"%s stayed open for writing by another process for %d s (an "
					"application holding its descriptor open?): it cannot be replaced "
					"without losing what that process writes; nothing was changed",
					c->src_shown, LIVE_LEASE_WAIT_MS / 1000);
		if (live_catch_up(c, 0) < 0)
			return -1;
		live_pause(LIVE_RETRY_US);
	}
}

int live_src_waited_on(const struct live_copy *c)
{
	return c->leased && live_lease_breaking(c->src, F_RDLCK);
}

void live_release_src(struct live_copy *c)
{
	if (c->leased)
		live_unlease(c->src);
	c->leased = 0;
}

int live_lease_out(struct live_copy *c)
{
	if (!c->no_lease && !c->out_leased)
		c->out_leased = live_try_lease(c, c->out, F_WRLCK, c->out_shown) == FSUTIL_LEASE_GRANTED;
	return c->out_leased;
}

void live_release_out(struct live_copy *c)
{
	if (c->out_leased)
		live_unlease(c->out);
	c->out_leased = 0;
}

/* Step 4: copy what reached src after the switch, until it is settled. */
int live_drain(struct live_copy *c)
{
	int64_t start = live_now_ms(), quiet_since = start;
	for (;;) {
		int64_t now = live_now_ms();
		if (c->no_lease) {
			int64_t n = live_catch_up(c, 0);
			if (n < 0)
				return -1;
			if (n > 0)
				quiet_since = now;
			if (now - quiet_since >= LIVE_QUIET_MS)
				return live_catch_up(c, 1) < 0 ? -1 : 0;
			live_pause(1000);
			continue;
		}
		int r = live_try_lease(c, c->src, F_RDLCK, c->src_shown);
		if (r == FSUTIL_LEASE_BUSY) {
			if (now - start >= LIVE_LEASE_WAIT_MS)
				return perr_set(c->e, PX_IOERR,
						"%s is still open for writing by another process after "
						"%d s", c->src_shown, LIVE_LEASE_WAIT_MS / 1000);
			live_pause(LIVE_RETRY_US);
			continue;
		}
		if (r == FSUTIL_LEASE_UNSUPPORTED) { /* it worked a moment ago; go on without */
			c->no_lease = 1;
			continue;
		}
		int64_t n = live_catch_up(c, 1);
		int quiet = n == 0;
		for (int64_t t0 = live_now_ms(); quiet && live_now_ms() - t0 < LIVE_GRACE_MS;) {
			live_pause(1000);
			quiet = !live_lease_breaking(c->src, F_RDLCK);
		}
		live_unlease(c->src);
		if (n < 0)
			return -1;
		if (quiet)
			return 0;
	}
}

int live_commit(struct live_copy *c, const struct live_switch *sw)
{
	int rc = 0;
	/* step 1: while writers keep appending in quantity, keep copying */
	for (int round = 0; round < LIVE_MAX_ROUNDS; round++) {
		int64_t n = live_catch_up(c, 0);
		if (n < 0)
			return -1;
		if (n < LIVE_SMALL_DELTA)
			break;
	}
	if (fsutil_fsync(c->out, c->out_shown, c->e) != 0)
		return -1;
	int fl = fcntl(c->out, F_GETFL);
	if (fl < 0 || fcntl(c->out, F_SETFL, fl | O_APPEND) != 0)
		return perr_set(c->e, PX_IOERR, "cannot set %s to append: %s", c->out_shown,
				strerror(errno));
	for (int tries = 0;; tries++) {
		if (live_lease_src(c) != 0)
			return -1;
		/* step 3 */
		rc = live_catch_up(c, !c->no_lease) < 0 ? -1 : 0;
		if (rc == 0)
			rc = fsutil_fsync(c->out, c->out_shown, c->e);
		if (rc == 0)
			live_lease_out(c);
		int maybe = 0, s = rc == 0 ? sw->swap(sw->ctx, c->done, &maybe, c->e) : -1;
		if (maybe)
			c->committed = 1;
		live_release_src(c);
		if (s == 0)
			break;
		struct stat st;
		if (s > 0 && fstat(c->src, &st) == 0 && st.st_nlink == 0) {
			perr_set(c->e, PX_IOERR, "%s was removed while being rewritten; nothing was changed",
				 c->src_shown);
			s = -1;
		}
		if (s < 0 || tries + 1 >= LIVE_MAX_SWAPS) {
			if (s > 0)
				perr_set(c->e, PX_IOERR, "%s kept moving (rotations) while being replaced; "
					 "nothing was changed", c->src_shown);
			rc = -1;
			goto out;
		}
	}
	/* steps 4 and 5 */
	rc = live_drain(c);
	/* what a writer still appends to src is never lost: src keeps it (kept.h) */
	if (rc != 0 && sw->keep)
		sw->keep(sw->ctx, c->done, c->e);
	if (rc == 0)
		rc = fsutil_fsync(c->out, c->out_shown, c->e);
out:
	live_release_out(c);
	if (rc == 0 && c->committed && sw->after)
		rc = sw->after(sw->ctx, c->e);
	return rc;
}

/* ---- planning a live file ---------------------------------------------------------- */

static int live_range_is_record(int fd, const char *shown, int64_t from, int64_t to, char *buf,
				size_t bufsize, int *yes, perr *e)
{
	struct jsonv v;
	jsonv_init(&v, NULL);
	while (from < to) {
		size_t want = (size_t)(to - from) < bufsize ? (size_t)(to - from) : bufsize;
		ssize_t r = fsutil_pread(fd, buf, want, from, shown, e);
		if (r <= 0)
			return r < 0 ? -1 : perr_set(e, PX_IOERR, "%s shrank while being read", shown);
		jsonv_feed(&v, buf, (size_t)r);
		from += r;
	}
	*yes = jsonv_finish(&v) == 0 && jsonv_top_type(&v) == JV_OBJECT;
	return 0;
}

int live_planned_end(int fd, const char *shown, int64_t size, char *buf, size_t bufsize,
		     int64_t *end, perr *e)
{
	int64_t off = size;
	*end = 0;
	while (off > 0) {
		size_t want = off < (int64_t)bufsize ? (size_t)off : bufsize;
		ssize_t r = fsutil_pread(fd, buf, want, off - (int64_t)want, shown, e);
		if (r < 0)
			return -1;
		if ((size_t)r < want)
			return perr_set(e, PX_IOERR, "%s shrank while being read", shown);
		const char *nl = memrchr(buf, '\n', want);
		if (nl) {
			*end = off - (int64_t)want + (nl - buf) + 1;
			break;
		}
		off -= (int64_t)want;
	}
	int whole = 0;
	if (*end < size && live_range_is_record(fd, shown, *end, size, buf, bufsize, &whole, e) != 0)
		return -1;
	if (whole)
		*end = size;
	return 0;
}

/* ---- renames ---------------------------------------------------------------------- */

/* ---- live_names ------------------------------------------------------------------ */

static int live_is(int dirfd, const char *name, dev_t dev, ino_t ino)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == dev &&
	       st.st_ino == ino;
}

/* The change is (or may be) in place: tell the caller. */
static int live_names_done(struct live_names *s, int rc)
{
	if (s->on_swap)
		s->on_swap(s->ctx);
	return rc;
}

const char *live_names_base(const struct live_names *s)
{
	return s->keep_as ? s->keep_as : s->names[0];
}

/* The kept link of the replaced file, made just before the swap: whatever
 * happens next (a kill, a drain that gives up), the file is never only
 * under a temp name (kept.h). */
static void live_names_unkeep(struct live_names *s)
{
	if (s->kept[0] && live_is(s->dirfd, s->kept, s->dev, s->ino))
		(void)unlinkat(s->dirfd, s->kept, 0);
	s->kept[0] = '\0';
}

/* After a failed switch in a rotating set: when the replaced file is
 * still one of the set (*orig: its index) while the repaired copy of it
 * is another (*copy), the set holds its records twice.  The original
 * holds everything the copy does (the copy is its kept lines and the
 * lines appended to it meanwhile), so the copy is taken back out, to the
 * temp name, whose removal the caller's cleanup does.  Returns 1 when
 * undone, 0 when there was nothing to undo, -1 when it could not be
 * (a rotation moved the copy again: it is put back). */
static int live_names_undo(struct live_names *s, size_t *orig, size_t *copy)
{
	for (size_t k = 0; k < s->n; k++) {
		if (*orig == s->n && live_is(s->dirfd, s->names[k], s->dev, s->ino))
			*orig = k;
		else if (*copy == s->n && live_is(s->dirfd, s->names[k], s->tdev, s->tino))
			*copy = k;
	}
	if (*orig == s->n || *copy == s->n)
		return 0;
	if (fsutil_rename_noreplace(s->dirfd, s->names[*copy], s->tmp) != 0)
		return -1;
	if (!live_is(s->dirfd, s->tmp, s->tdev, s->tino)) {
		/* another file came under that name first: back where it was, or
		 * kept (never left under a temp name a later run removes) */
		char *k2 = NULL;
		if (fsutil_rename_noreplace(s->dirfd, s->tmp, s->names[*copy]) != 0 &&
		    kept_keep(s->dirfd, s->dir, s->tmp, live_names_base(s), 0, &k2, NULL) == 0)
			free(k2);
		return -1;
	}
	(void)fsutil_fsync_dirfd(s->dirfd, s->dir, NULL); /* the names are right either way */
	return 1;
}

int live_names_swap(void *ctx, int64_t offset, int *maybe, perr *e)
{
	struct live_names *s = ctx;
	size_t k = 0;
	live_names_unkeep(s); /* from an earlier try */
	while (k < s->n && !live_is(s->dirfd, s->names[k], s->dev, s->ino))
		k++;
	if (k == s->n) /* removed, or a rotation renamed it behind our look-up: look again */
		return 1;
	const char *name = s->names[k];
	s->at = k;
	(void)kept_link(s->dirfd, name, live_names_base(s), offset, s->dev, s->ino, s->kept,
			sizeof s->kept);
	*maybe = 1;
	if (fsutil_exchange(s->dirfd, s->tmp, name) != 0) {
		int err = errno;
		if (err == EINVAL || err == ENOSYS) { /* no exchange here: rename over the name checked */
			if (renameat(s->dirfd, s->tmp, s->dirfd, name) == 0)
				return live_names_done(s, 0);
			err = errno;
		}
		if (live_is(s->dirfd, name, s->tdev, s->tino))
			return live_names_done(s, 0); /* it happened despite the error */
		*maybe = 0;
		live_names_unkeep(s);
		if (err == ENOENT)
			return 1; /* the name went away (a rotation): look again */
		return perr_set(e, PX_IOERR, "cannot put %s/%s in place of %s: %s; nothing was changed",
				s->dir, s->tmp, s->shown, strerror(err));
	}
	if (live_is(s->dirfd, s->tmp, s->dev, s->ino)) {
		s->exchanged = 1;
		return live_names_done(s, 0);
	}
	/* A rotation renamed the file between the look-up and the exchange:
	 * what came out is another member.  Put it back and look again. */
	if (fsutil_exchange(s->dirfd, s->tmp, name) == 0 && live_is(s->dirfd, s->tmp, s->tdev, s->tino)) {
		*maybe = 0;
		live_names_unkeep(s);
		return 1;
	}
	live_names_unkeep(s); /* the replaced file is still in the set */
	/* never under a temp name, which the next recovery would remove as a
	 * leftover: kept whole (offset 0), its records go back into the set */
	char *kept = NULL;
	if (kept_keep(s->dirfd, s->dir, s->tmp, live_names_base(s), 0, &kept, NULL) != 0) {
		perr_set(e, PX_IOERR, "the set changed while %s was being replaced: %s/%s now holds "
			 "another of its files (move it back into the set by hand)", s->shown, s->dir,
			 s->tmp);
		return live_names_done(s, -1);
	}
	size_t orig = s->n, copy = s->n;
	int undone = live_names_undo(s, &orig, &copy);
	if (undone == 1) {
		*maybe = 0; /* the repaired copy is back at tmp: removed as never committed */
		perr_set(e, PX_IOERR, "the set changed while %s was being replaced (rotations): the repair "
			 "was undone, nothing is in the set twice: the original, still damaged, is %s/%s; "
			 "another of its files is now kept as %s/%s (the next papyra persistence recover "
			 "appends its records to the set and repairs the original)", s->shown, s->dir,
			 s->names[orig], s->dir, kept);
	} else if (orig < s->n && copy < s->n)
		perr_set(e, PX_IOERR, "the set changed while %s was being replaced (rotations): its "
			 "records are now in the set twice, repaired as %s/%s and as they were as %s/%s "
			 "(remove %s/%s by hand once the application has rotated past it); another of "
			 "its files is now kept as %s/%s (the next papyra persistence recover appends its "
			 "records to the set)", s->shown, s->dir, s->names[copy], s->dir, s->names[orig],
			 s->dir, s->names[copy], s->dir, kept);
	else
		perr_set(e, PX_IOERR, "the set changed while %s was being replaced: another of its "
			 "files is now kept as %s/%s (the next papyra persistence recover appends its "
			 "records to the set)", s->shown, s->dir, kept);
	free(kept);
	return undone == 1 ? -1 : live_names_done(s, -1);
}

void live_names_keep(void *ctx, int64_t offset, perr *e)
{
	struct live_names *s = ctx;
	int at_tmp = s->exchanged && live_is(s->dirfd, s->tmp, s->dev, s->ino);
	int linked = s->kept[0] && live_is(s->dirfd, s->kept, s->dev, s->ino);
	if (!at_tmp && !linked)
		return;
	const char *base = live_names_base(s);
	char msg[PERR_MSG_MAX], *kept = NULL;
	perr ke = {0};
	memcpy(msg, e->msg, sizeof msg);
	/* the link made at the swap carries the offset of then: renamed to now's */
	if (kept_keep(s->dirfd, s->dir, linked ? s->kept : s->tmp, base, offset, &kept, &ke) != 0) {
		perr_set(e, PX_IOERR, "%s; the replaced file stays as %s/%s (%s): what it holds after "
			 "byte %lld is not in %s; append it by hand", msg, s->dir,
			 linked ? s->kept : s->tmp, ke.msg, (long long)offset, base);
		return;
	}
	s->kept[0] = '\0';
	if (linked && at_tmp)
		(void)unlinkat(s->dirfd, s->tmp, 0); /* the kept name holds it now */
	s->exchanged = 0;
	perr_set(e, PX_IOERR, "%s; it is kept as %s/%s: what it holds after byte %lld goes into %s "
		 "at the next papyra persistence recover", msg, s->dir, kept, (long long)offset, base);
	free(kept);
}

int live_names_after(void *ctx, perr *e)
{
	struct live_names *s = ctx;
	/* everything is drained: the kept link first, so that a kill between
	 * the two leaves a plain leftover temp, never a stale offset */
	live_names_unkeep(s);
	if (s->exchanged && live_is(s->dirfd, s->tmp, s->dev, s->ino) &&
	    unlinkat(s->dirfd, s->tmp, 0) != 0)
		return perr_set(e, PX_IOERR, "cannot remove the replaced file, now %s/%s: %s", s->dir,
				s->tmp, strerror(errno));
	s->exchanged = 0;
	return fsutil_fsync_dirfd(s->dirfd, s->dir, e);
}
