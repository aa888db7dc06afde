/* Finishing a rotating compaction that was interrupted (see the intent
 * record in rotating_install.c): each new file not yet in place is
 * installed (exchanged with the old member at its name, or renamed to a
 * free one), what reached each old member after it was copied is appended
 * to the file that took its lines, the old members and then the record are
 * removed.  Every step checks inodes, so finishing twice is harmless; a set
 * that no longer matches the record (the writer rotated it since) is left
 * as it is and said so. */
#include "rotating_compact_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "kept.h"

struct rc_fin_target {
	int64_t index;
	uintmax_t dev, ino;
	char name[256];
};

struct rc_fin_old {
	int64_t index, done, growth;
	uintmax_t dev, ino, gdev, gino;
	char away[256];
};

struct rc_fin {
	int dirfd;
	const char *dir, *base;
	struct rc_fin_target *t;
	size_t nt, capt;
	struct rc_fin_old *o;
	size_t no, capo;
	char *buf;
	size_t bufsize;
	perr *e;
};

/* "P" for index 0, else "P.<index>". */
static char *rc_member_name(const char *base, int64_t index, perr *e)
{
	return index ? px_asprintf(e, "%s.%" PRId64, base, index) : px_strdup(base, e);
}

static int rc_parse_intent(struct rc_fin *f, char *text)
{
	int ended = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (ended)
			return -1;
		if (strcmp(line, RC_INTENT_MAGIC) == 0)
			continue;
		if (strcmp(line, "end") == 0) {
			ended = 1;
			continue;
		}
		if (strncmp(line, "target ", 7) == 0) {
			struct rc_fin_target t;
			if (sscanf(line, "target %" SCNd64 " %ju %ju %255s", &t.index, &t.dev, &t.ino, t.name) != 4 ||
			    px_grow(&f->t, &f->capt, f->nt + 1, sizeof *f->t, f->e) != 0)
				return -1;
			f->t[f->nt++] = t;
		} else if (strncmp(line, "old ", 4) == 0) {
			struct rc_fin_old o;
			if (sscanf(line, "old %" SCNd64 " %ju %ju %" SCNd64 " %" SCNd64 " %ju %ju %255s", &o.index,
				   &o.dev, &o.ino, &o.done, &o.growth, &o.gdev, &o.gino, o.away) != 8 ||
			    px_grow(&f->o, &f->capo, f->no + 1, sizeof *f->o, f->e) != 0)
				return -1;
			f->o[f->no++] = o;
		} else {
			return -1;
		}
	}
	return ended ? 0 : -1;
}

/* Install the new file of one target unless it is already in place. */
static int rc_fin_target(struct rc_fin *f, const struct rc_fin_target *t)
{
	char *name = rc_member_name(f->base, t->index, f->e);
	int rc = name ? 0 : -1;
	if (rc == 0 && !rc_is(f->dirfd, name, (dev_t)t->dev, (ino_t)t->ino)) {
		const struct rc_fin_old *old = NULL;
		for (size_t k = 0; k < f->no; k++)
			if (f->o[k].index == t->index)
				old = &f->o[k];
		struct stat st;
		int present = fstatat(f->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
		if (!rc_is(f->dirfd, t->name, (dev_t)t->dev, (ino_t)t->ino))
			rc = perr_set(f->e, PX_IOERR, "the new %s (%s/%s) is missing", name, f->dir, t->name);
		else if (present && old && st.st_dev == (dev_t)old->dev && st.st_ino == (ino_t)old->ino) {
			if (fsutil_exchange(f->dirfd, t->name, name) != 0)
				rc = perr_set(f->e, PX_IOERR, "cannot put %s/%s in place of %s: %s", f->dir,
					      t->name, name, strerror(errno));
		} else if (present) {
			rc = perr_set(f->e, PX_IOERR, "%s/%s is neither the old nor the new file (the set "
				      "rotated since)", f->dir, name);
		} else if (fsutil_rename_noreplace(f->dirfd, t->name, name) != 0) {
			rc = perr_set(f->e, PX_IOERR, "cannot rename %s/%s to %s: %s", f->dir, t->name, name,
				      strerror(errno));
		}
	}
	free(name);
	return rc;
}

/* An old member: what reached it after the copy goes to its growth target,
 * then it is removed; one a process still has open for writing is kept
 * under its kept name instead (kept.h), drained by a later recovery. */
static int rc_fin_old(struct rc_fin *f, const struct rc_fin_old *o)
{
	char *own = rc_member_name(f->base, o->index, f->e);
	if (!own)
		return -1;
	const char *at = rc_is(f->dirfd, o->away, (dev_t)o->dev, (ino_t)o->ino) ? o->away :
			 o->index >= (int64_t)f->nt && rc_is(f->dirfd, own, (dev_t)o->dev, (ino_t)o->ino) ? own :
			 NULL;
	int rc = 0, src = -1, dst = -1;
	if (!at)
		goto out; /* already removed */
	if ((src = openat(f->dirfd, at, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = perr_set(f->e, PX_IOERR, "cannot open %s/%s: %s", f->dir, at, strerror(errno));
		goto out;
	}
	struct stat st;
	if (fstat(src, &st) != 0 || st.st_ino != (ino_t)o->ino) {
		rc = perr_set(f->e, PX_IOERR, "%s/%s changed while being finished", f->dir, at);
		goto out;
	}
	/* a writer still holding it (the drain gave up on it): kept, never
	 * removed while it may write there (kept.h) */
	char note[160];
	int held = fsutil_lease(src, F_RDLCK, at, note, sizeof note) == FSUTIL_LEASE_BUSY;
	int64_t done = o->done;
	if ((int64_t)st.st_size > o->done) {
		char *gname = NULL;
		for (int64_t i = 0; !gname && i <= (int64_t)(f->nt + f->no); i++) {
			char *cand = rc_member_name(f->base, i, f->e);
			if (cand && rc_is(f->dirfd, cand, (dev_t)o->gdev, (ino_t)o->gino))
				gname = cand;
			else
				free(cand);
		}
		if (!gname) {
			rc = perr_set(f->e, PX_IOERR, "the file that takes the lines appended to %s/%s is "
				      "missing", f->dir, at);
			goto out;
		}
		dst = openat(f->dirfd, gname, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
		char *gshown = fsutil_join(f->dir, gname, f->e);
		free(gname);
		struct live_copy lc;
		live_init(&lc, src, at, dst, gshown ? gshown : "?", f->buf, f->bufsize, f->e);
		lc.done = o->done;
		lc.committed = 1;
		lc.no_lease = held; /* whole lines only while it is written */
		rc = dst < 0 ? perr_set(f->e, PX_IOERR, "cannot open %s: %s", gshown, strerror(errno)) :
			       live_catch_up(&lc, !held) < 0 ? -1 : fsutil_fsync(dst, gshown, f->e);
		done = lc.done;
		free(gshown);
		if (rc != 0)
			goto out;
	}
	if (held) {
		char *kept = NULL;
		rc = kept_keep(f->dirfd, f->dir, at, f->base, done, &kept, f->e);
		free(kept);
	} else if (unlinkat(f->dirfd, at, 0) != 0)
		rc = perr_set(f->e, PX_IOERR, "cannot remove %s/%s: %s", f->dir, at, strerror(errno));
out:
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	free(own);
	return rc;
}

int rc_finish(int dirfd, const char *dir, const char *base, char *buf, size_t bufsize, perr *e)
{
	char *name = px_asprintf(e, ".%s" RC_INTENT_SUFFIX, base);
	if (!name)
		return -1;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		free(name);
		return err == ENOENT ? 0 : perr_set(e, PX_IOERR, "cannot open %s/.%s" RC_INTENT_SUFFIX ": %s",
						     dir, base, strerror(err));
	}
	struct rc_fin f = {.dirfd = dirfd, .dir = dir, .base = base, .buf = buf, .bufsize = bufsize, .e = e};
	char *text = malloc(RC_INTENT_MAX + 1);
	ssize_t n = text ? fsutil_pread(fd, text, RC_INTENT_MAX, 0, name, e) : -1;
	close(fd);
	int rc = n < 0 ? -1 : 0, started = 1;
	if (rc == 0) {
		text[n] = '\0';
		started = strstr(text, "\nend\n") != NULL;
		if (started && rc_parse_intent(&f, text) != 0)
			rc = perr_set(e, PX_IOERR, "%s/%s is not a compaction record", dir, name);
	}
	if (rc == 0 && !started) {
		/* cut short while being written: nothing was replaced yet, and its
		 * temp files are removed as leftovers */
		f.nt = f.no = 0;
	}
	for (size_t k = 0; rc == 0 && k < f.nt; k++)
		rc = rc_fin_target(&f, &f.t[k]);
	for (size_t k = 0; rc == 0 && k < f.no; k++)
		rc = rc_fin_old(&f, &f.o[k]);
	if (rc == 0)
		rc = fsutil_fsync_dirfd(dirfd, dir, e);
	if (rc == 0 && unlinkat(dirfd, name, 0) != 0)
		rc = perr_set(e, PX_IOERR, "cannot remove %s/%s: %s", dir, name, strerror(errno));
	if (rc == 0)
		rc = fsutil_fsync_dirfd(dirfd, dir, e);
	else {
		char msg[PERR_MSG_MAX];
		memcpy(msg, e->msg, sizeof msg);
		perr_set(e, PX_IOERR, "an interrupted compaction of %s/%s could not be finished: %s "
			 "(its record %s/%s is kept, to try again)", dir, base, msg, dir, name);
	}
	free(text);
	free(f.t);
	free(f.o);
	free(name);
	return rc;
}
