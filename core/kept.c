/* Kept replaced files: naming, reporting, draining (kept.h). */
#define _GNU_SOURCE /* F_SETLEASE, memrchr */
#include "kept.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "tempname.h"

/* Names tried when the kept name is taken (two keeps in one millisecond). */
#define KEPT_MAX_NAME_TRIES 1000

char *kept_name(const char *base, int64_t epoch_ms, int64_t offset, perr *e)
{
	char *stem = tempname_shorten(base, KEPT_STEM_MAX, e); /* within NAME_MAX */
	char *name = stem ? px_asprintf(e, ".%s" KEPT_MARK "%lld-%lld", stem, (long long)epoch_ms,
					(long long)offset) : NULL;
	free(stem);
	return name;
}

/* Digits from *p up to `stop` (a char or '\0'): the value, or -1. */
static int64_t kept_number(const char **p, char stop)
{
	int64_t v = 0;
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (*s != stop)
		return -1;
	*p = s + (stop != '\0');
	return v;
}

int kept_parse(const char *name, char **stem, int64_t *epoch_ms, int64_t *offset)
{
	if (name[0] != '.')
		return 0;
	const char *mark = NULL;
	for (const char *p = strstr(name, KEPT_MARK); p; p = strstr(p + 1, KEPT_MARK))
		mark = p;
	if (!mark || mark == name + 1)
		return 0;
	const char *p = mark + strlen(KEPT_MARK);
	int64_t ms = kept_number(&p, '-'), off = ms < 0 ? -1 : kept_number(&p, '\0');
	if (off < 0)
		return 0;
	if (stem && !(*stem = strndup(name + 1, (size_t)(mark - name - 1))))
		return 0;
	*epoch_ms = ms;
	*offset = off;
	return 1;
}

int kept_is_of(const char *name, const char *base)
{
	char *stem = NULL, *want = tempname_shorten(base, KEPT_STEM_MAX, NULL);
	int64_t ms, off;
	int yes = want && kept_parse(name, &stem, &ms, &off) && strcmp(stem, want) == 0;
	free(stem);
	free(want);
	return yes;
}

int kept_keep(int dirfd, const char *dir, const char *tmp, const char *base, int64_t offset,
	      char **kept, perr *e)
{
	*kept = NULL;
	int64_t ms = fsutil_now_ms();
	for (int tries = 0; tries < KEPT_MAX_NAME_TRIES; tries++) {
		char *name = kept_name(base, ms + tries, offset, e);
		if (!name)
			return -1;
		if (fsutil_rename_noreplace(dirfd, tmp, name) == 0) {
			*kept = name;
			return fsutil_fsync_dirfd(dirfd, dir, e);
		}
		int err = errno;
		free(name);
		if (err != EEXIST)
			return perr_set(e, PX_IOERR, "cannot rename %s/%s to a kept name: %s", dir, tmp,
					strerror(err));
	}
	return perr_set(e, PX_IOERR, "no free kept name for %s in %s", base, dir);
}

/* Whether the kept file `name` (st) has another link that is not a temp
 * name: it is then a data file itself, a switch having stopped short. */
static int kept_is_live_link(int dirfd, const char *name, const struct stat *st)
{
	if (st->st_nlink < 2)
		return 0;
	int dfd = dup(dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 1; /* cannot tell: never drain what may be live data into itself */
	}
	rewinddir(d);
	int live = 0;
	struct dirent *de;
	while (!live && (de = readdir(d))) {
		struct stat o;
		if (strcmp(de->d_name, name) != 0 && fstatat(dirfd, de->d_name, &o, AT_SYMLINK_NOFOLLOW) == 0 &&
		    o.st_ino == st->st_ino && o.st_dev == st->st_dev && !fsutil_is_temp_name(de->d_name, NULL))
			live = 1;
	}
	closedir(d);
	return live;
}

int kept_link(int dirfd, const char *name, const char *base, int64_t offset, dev_t dev, ino_t ino,
	      char *out, size_t outsize)
{
	out[0] = '\0';
	int64_t ms = fsutil_now_ms();
	char *kept = NULL;
	for (int tries = 0; !kept && tries < KEPT_MAX_NAME_TRIES; tries++) {
		kept = kept_name(base, ms + tries, offset, NULL);
		if (!kept || strlen(kept) >= outsize)
			break;
		if (linkat(dirfd, name, dirfd, kept, 0) == 0)
			break;
		int err = errno;
		free(kept);
		kept = NULL;
		if (err != EEXIST) /* no hard links here: the keep falls back to a rename */
			return -1;
	}
	if (!kept || strlen(kept) >= outsize) {
		free(kept);
		return -1;
	}
	struct stat st;
	if (fstatat(dirfd, kept, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != dev || st.st_ino != ino) {
		(void)unlinkat(dirfd, kept, 0); /* a rotation got in between: not the file */
		free(kept);
		return -1;
	}
	memcpy(out, kept, strlen(kept) + 1);
	free(kept);
	return 0;
}

int64_t kept_links_to(const char *path, const struct file_ident *id)
{
	if (!id->exists || id->nlink < 2)
		return 0;
	char *dir = fsutil_dirname(path, NULL);
	int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	free(dir);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	int64_t n = 0, ms, off;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		n += kept_parse(de->d_name, NULL, &ms, &off) &&
		     fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     st.st_dev == id->dev && st.st_ino == id->ino;
	}
	closedir(d);
	return n;
}

/* Bytes and lines of fd after `from` (an unterminated tail counts). */
static int kept_count(int fd, int64_t from, int64_t size, int64_t *lines, perr *e)
{
	char buf[64 * 1024];
	int last = '\n';
	*lines = 0;
	while (from < size) {
		ssize_t r = fsutil_pread(fd, buf, sizeof buf, from, "kept file", e);
		if (r <= 0)
			return r < 0 ? -1 : 0;
		for (ssize_t i = 0; i < r; i++)
			*lines += buf[i] == '\n';
		last = buf[r - 1];
		from += r;
	}
	*lines += last != '\n';
	return 0;
}

static int kept_report_one(const char *path, const char *base, struct scan_report *r, perr *e)
{
	int64_t ms, off, lines = 0;
	if (!kept_parse(px_basename(path), NULL, &ms, &off))
		return 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return err == ENOENT ? 0 : scan_report_add(r, AN_UNEXPECTED_FILE, path, 0, -1, -1, NULL,
							   AF_KEPT_FILE, e, "Replaced file a process kept "
							   "writing after a recovery (unreadable: %s)",
							   strerror(err));
	}
	if (st.st_nlink > 1) {
		char *dir = fsutil_dirname(path, NULL);
		int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
		int live = dfd >= 0 && kept_is_live_link(dfd, px_basename(path), &st);
		if (dfd >= 0)
			close(dfd);
		free(dir);
		if (live) {
			close(fd);
			return scan_report_add(r, AN_UNEXPECTED_FILE, path, 0, -1, -1, NULL, AF_KEPT_FILE, e,
					       "Link to a data file left by a switch that was cut short "
					       "(nothing to drain); papyra persistence recover removes it");
		}
	}
	int64_t size = (int64_t)st.st_size, after = size > off ? size - off : 0;
	int rc = kept_count(fd, off, size, &lines, e);
	close(fd);
	if (rc != 0)
		return -1;
	return scan_report_add(r, AN_UNEXPECTED_FILE, path, 0, -1, -1, NULL, AF_KEPT_FILE, e,
			       "Replaced file a process kept writing after a recovery: %lld bytes "
			       "(%lld lines) after byte %lld are not in %s yet; papyra persistence "
			       "recover appends them", (long long)after, (long long)lines,
			       (long long)off, base);
}

static int kept_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kept_scan(const char *path, struct scan_report *r, perr *e)
{
	const char *base = px_basename(path);
	char *dir = fsutil_dirname(path, e);
	if (!dir)
		return -1;
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *de;
	while (d && rc == 0 && (de = readdir(d))) {
		if (!kept_is_of(de->d_name, base))
			continue;
		char *dup = px_strdup(de->d_name, e);
		if (!dup || px_grow(&names, &cap, n + 1, sizeof *names, e) != 0) {
			free(dup);
			rc = -1;
			break;
		}
		names[n++] = dup;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof *names, kept_cmp);
	for (size_t i = 0; i < n; i++) {
		char *full = rc == 0 ? px_asprintf(e, "%.*s%s", (int)(base - path), path, names[i]) : NULL;
		if (rc == 0 && (!full || kept_report_one(full, base, r, e) != 0))
			rc = -1;
		free(full);
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc;
}

/* Append kfd [*from, size) to dfd in runs of whole lines; `final` (nobody
 * writes kfd): the rest too, with a "\n" ending an unterminated tail. */
static int kept_copy(int kfd, const char *kshown, int dfd, const char *dshown, int64_t *from,
		     int64_t size, int final, char *buf, size_t bufsize, struct kept_drain *out,
		     perr *e)
{
	while (*from < size) {
		size_t want = (size_t)(size - *from) < bufsize - 1 ? (size_t)(size - *from) : bufsize - 1;
		ssize_t r = fsutil_pread(kfd, buf, want, *from, kshown, e);
		if (r < 0)
			return -1;
		if (r == 0)
			return perr_set(e, PX_IOERR, "%s shrank while being drained", kshown);
		size_t n = (size_t)r, put = n;
		const char *nl = memrchr(buf, '\n', n);
		if (nl)
			n = put = (size_t)(nl - buf) + 1;
		else if (*from + r == size && final)
			buf[put++] = '\n'; /* the last line, unterminated: one write with its end */
		else if (n < bufsize - 1)
			break; /* a line still being written */
		if (fsutil_write_all(dfd, buf, put, dshown, e) != 0)
			return -1;
		for (size_t i = 0; i < put; i++)
			out->lines += buf[i] == '\n';
		out->bytes += (int64_t)n;
		*from += (int64_t)n;
	}
	return 0;
}

/* The drain of an open, locked kept file kfd at `name` in dirfd. */
static int kept_drain_fd(int kfd, int dirfd, const char *dir, const char *name, const char *kshown,
			 char *buf, size_t bufsize, struct kept_drain *out, perr *e)
{
	char *stem = NULL;
	int64_t ms, off;
	if (!kept_parse(name, &stem, &ms, &off))
		return perr_set(e, PX_IOERR, "%s: not a kept file", kshown);
	char *base = tempname_find_data_max(dir, stem, KEPT_STEM_MAX, e);
	char *data = base ? fsutil_join(dir, base, e) : NULL;
	free(stem);
	struct stat kst;
	int rc = data ? 0 : -1, dfd = -1;
	if (rc == 0 && fstat(kfd, &kst) != 0)
		rc = perr_set(e, PX_IOERR, "cannot stat %s: %s", kshown, strerror(errno));
	/* as a writer opens it: created when the application has not yet */
	if (rc == 0 && (dfd = open(data, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
				   kst.st_mode & 0777)) < 0)
		rc = perr_set(e, PX_IOERR, "cannot open %s to append to it: %s", data, strerror(errno));
	int lease = FSUTIL_LEASE_BUSY;
	if (rc == 0)
		lease = fsutil_lease(kfd, F_RDLCK, kshown, out->note, sizeof out->note);
	int final = lease == FSUTIL_LEASE_GRANTED;
	int64_t from = off, size = rc == 0 ? (int64_t)kst.st_size : 0;
	if (rc == 0 && final && fstat(kfd, &kst) == 0) /* settled now: nobody writes it */
		size = (int64_t)kst.st_size;
	if (rc == 0 && from > size)
		rc = perr_set(e, PX_IOERR, "%s: its drained offset %lld lies past its end (%lld bytes)",
			      kshown, (long long)from, (long long)size);
	if (rc == 0)
		rc = kept_copy(kfd, kshown, dfd, data, &from, size, final, buf, bufsize, out, e);
	if (rc == 0 && out->bytes)
		rc = fsutil_fsync(dfd, data, e);
	if (rc == 0 && final) {
		if (unlinkat(dirfd, name, 0) != 0)
			rc = perr_set(e, PX_IOERR, "cannot remove the drained %s: %s", kshown, strerror(errno));
		else
			out->removed = 1;
	} else if (rc == 0) {
		if (lease == FSUTIL_LEASE_BUSY)
			snprintf(out->note, sizeof out->note, "a process still has it open for writing");
		char *now = from == off ? px_strdup(name, e) : kept_name(base, ms, from, e);
		if (!now || (from != off && renameat(dirfd, name, dirfd, now) != 0))
			rc = now ? perr_set(e, PX_IOERR, "cannot rename %s: %s", kshown, strerror(errno)) : -1;
		if (rc == 0 && !(out->now = fsutil_join(dir, now, e)))
			rc = -1;
		free(now);
	}
	if (rc == 0 && (out->removed || from != off))
		rc = fsutil_fsync_dirfd(dirfd, dir, e);
	if (lease == FSUTIL_LEASE_GRANTED)
		(void)fcntl(kfd, F_SETLEASE, F_UNLCK);
	if (dfd >= 0 && close(dfd) != 0 && rc == 0)
		rc = perr_set(e, PX_IOERR, "cannot close %s: %s", data, strerror(errno));
	free(base);
	free(data);
	return rc;
}

int kept_drain(const char *path, char *buf, size_t bufsize, struct kept_drain *out, perr *e)
{
	memset(out, 0, sizeof *out);
	char *dir = fsutil_dirname(path, e);
	if (!dir)
		return -1;
	const char *name = px_basename(path);
	int dirfd = fsutil_open_dir(dir, 0, e), kfd = -1, rc = dirfd < 0 ? -1 : 0;
	if (rc == 0 && (kfd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			out->removed = 1; /* drained by another run meanwhile */
		else
			rc = perr_set(e, PX_IOERR, "cannot open %s: %s", path, strerror(errno));
	}
	struct stat a, b;
	int same = rc == 0 && kfd >= 0 && fstat(kfd, &a) == 0 &&
		   fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
		   a.st_dev == b.st_dev;
	if (rc == 0 && kfd >= 0 && !same)
		out->removed = 1; /* drained and renamed by another run meanwhile */
	else if (same && !S_ISREG(a.st_mode))
		rc = perr_set(e, PX_IOERR, "%s is not a regular file", path);
	else if (same && kept_is_live_link(dirfd, name, &a)) {
		/* nothing to drain: the data itself (whose lock this run may hold) */
		if (unlinkat(dirfd, name, 0) != 0)
			rc = perr_set(e, PX_IOERR, "cannot remove %s: %s", path, strerror(errno));
		else if ((rc = fsutil_fsync_dirfd(dirfd, dir, e)) == 0)
			out->removed = 1;
	} else if (same && fsutil_lock(kfd, path, e) != 0)
		rc = -1;
	else if (same) {
		/* another run may have drained and renamed it before our lock */
		if (fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) != 0 || a.st_ino != b.st_ino)
			out->removed = 1;
		else
			rc = kept_drain_fd(kfd, dirfd, dir, name, path, buf, bufsize, out, e);
	}
	if (kfd >= 0)
		close(kfd);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	return rc;
}

void kept_drain_free(struct kept_drain *d)
{
	free(d->now);
	d->now = NULL;
}
