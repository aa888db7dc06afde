/* sync_file_range(2) is Linux-only and declared only under _GNU_SOURCE. */
#define _GNU_SOURCE
#include "fsutil.h"


#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fsmeta.h"
#include "tempname.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* Suffixes tried after "<name>.quarantine.<ms>" is taken; more collisions
 * than this within one millisecond means something else is wrong. */
#define FSUTIL_MAX_NAME_TRIES 10000

#define FSUTIL_TEMP_MARK ".papyra-tmp-"

int fsutil_open_data(const char *path, struct stat *st, int *err_no, perr *e)
{
	int fd;
	do
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (err_no)
		*err_no = fd < 0 ? errno : 0;
	if (fd < 0) {
		if (errno == ELOOP)
			return perr_set(e, PX_IOERR,
					"%s is a symbolic link; refusing to rewrite through it "
					"(give the path of the file itself)", path);
		return perr_set_errno(e, PX_IOERR, errno, "cannot open %s: %s", path, strerror(errno));
	}
	if (fstat(fd, st) != 0) {
		int err = errno;
		close(fd);
		return perr_set(e, PX_IOERR, "cannot stat %s: %s", path, strerror(err));
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return perr_set(e, PX_IOERR, "%s is not a regular file", path);
	}
	/* O_NONBLOCK only guarded the open against FIFOs; drop it for reads. */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int fsutil_lock(int fd, const char *path, perr *e)
{
	int rc;
	do
		rc = flock(fd, LOCK_EX | LOCK_NB);
	while (rc != 0 && errno == EINTR);
	if (rc == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return perr_setr(e, PX_IOERR, PR_LOCKED, "%s is locked by another process "
				"(another recovery or compaction is running); nothing was changed", path);
	return perr_set(e, PX_IOERR, "cannot lock %s: %s", path, strerror(errno));
}

int fsutil_lease(int fd, int type, const char *shown, char *note, size_t notesize)
{
	if (fcntl(fd, F_SETSIG, FSUTIL_LEASE_SIGNAL) != 0 || fcntl(fd, F_SETLEASE, type) != 0) {
		int err = errno;
		if (err == EAGAIN || err == EBUSY)
			return FSUTIL_LEASE_BUSY;
		snprintf(note, notesize, "no lease on %s (%s)", shown,
			 err == EACCES || err == EPERM ? "not its owner" : strerror(err));
		return FSUTIL_LEASE_UNSUPPORTED;
	}
	return FSUTIL_LEASE_GRANTED;
}

static int64_t fsutil_mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int fsutil_ident_fd(int fd, struct file_ident *id, const char *path, perr *e)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return perr_set(e, PX_IOERR, "cannot stat %s: %s", path, strerror(errno));
	id->exists = 1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = (int64_t)st.st_size;
	id->mtime_ns = fsutil_mtime_ns(&st);
	return 0;
}

int fsutil_check_ident(int fd, const struct file_ident *want, const char *path, perr *e)
{
	struct file_ident now;
	if (fsutil_ident_fd(fd, &now, path, e) != 0)
		return -1;
	const char *what = NULL;
	char buf[96];
	if (!want->exists)
		what = "it did not exist then";
	else if (now.dev != want->dev || now.ino != want->ino)
		what = "it was replaced by another file";
	else if (now.size != want->size) {
		snprintf(buf, sizeof buf, "size %lld -> %lld bytes", (long long)want->size,
			 (long long)now.size);
		what = buf;
	} else if (now.mtime_ns != want->mtime_ns)
		what = "it was modified";
	if (!what)
		return 0;
	return perr_setr(e, PX_IOERR, PR_STALE, "%s changed since the scan (%s); nothing was changed",
			path, what);
}

char *fsutil_dirname(const char *path, perr *e)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	if (n == 0)
		return px_strdup(".", e);
	while (n > 1 && path[n - 1] == '/')
		n--;
	char *d = px_malloc(n + 1, e);
	if (d) {
		memcpy(d, path, n);
		d[n] = '\0';
	}
	return d;
}

char *fsutil_join(const char *dir, const char *name, perr *e)
{
	if (strcmp(dir, ".") == 0)
		return px_strdup(name, e);
	size_t n = strlen(dir);
	return px_asprintf(e, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

/* `dir` without trailing slashes: a trailing slash would make the kernel
 * follow a symlink despite O_NOFOLLOW. */
static char *fsutil_strip_slashes(const char *dir, perr *e)
{
	char *d = px_strdup(dir, e);
	if (!d)
		return NULL;
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

int fsutil_open_dir(const char *dir, int nofollow, perr *e)
{
	char *d = fsutil_strip_slashes(dir, e);
	if (!d)
		return -1;
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	int err = errno;
	free(d);
	if (fd >= 0)
		return fd;
	if (err == ELOOP)
		return perr_set(e, PX_USAGE, "%s is a symbolic link, not a directory", dir);
	if (err == ENOTDIR)
		return perr_set(e, PX_USAGE, "%s is not a directory", dir);
	return perr_set(e, PX_IOERR, "cannot open directory %s: %s", dir, strerror(err));
}

int fsutil_fsync_dirfd(int dirfd, const char *dir, perr *e)
{
	/* Some filesystems cannot sync a directory; the data itself is synced. */
	if (fsync(dirfd) != 0 && errno != EINVAL && errno != EROFS)
		return perr_set(e, PX_IOERR, "cannot sync directory %s: %s", dir, strerror(errno));
	return 0;
}

char *fsutil_temp_name(const char *base, perr *e)
{
	/* within NAME_MAX whatever the length of base (core/tempname.h) */
	char *stem = tempname_stem(base, e);
	char *name = stem ? px_asprintf(e, ".%s" FSUTIL_TEMP_MARK "%ld", stem, (long)getpid()) : NULL;
	free(stem);
	return name;
}

int fsutil_is_temp_name(const char *base, char **data_base)
{
	if (base[0] != '.')
		return 0;
	const char *mark = NULL;
	for (const char *p = strstr(base, FSUTIL_TEMP_MARK); p; p = strstr(p + 1, FSUTIL_TEMP_MARK))
		mark = p;
	if (!mark || mark == base + 1)
		return 0;
	const char *digits = mark + strlen(FSUTIL_TEMP_MARK);
	if (!*digits)
		return 0;
	for (const char *p = digits; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	if (data_base) {
		size_t n = (size_t)(mark - base - 1);
		*data_base = malloc(n + 1);
		if (!*data_base)
			return 0;
		memcpy(*data_base, base + 1, n);
		(*data_base)[n] = '\0';
	}
	return 1;
}

int fsutil_create_at(int dirfd, const char *name, mode_t mode, const char *shown, perr *e)
{
	int fd;
	do
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		int err = errno;
		perr_set_errno(e, PX_IOERR, err, "cannot create %s: %s", shown, strerror(err));
		errno = err; /* callers retry another name on EEXIST */
	}
	return fd;
}

int fsutil_write_all(int fd, const void *buf, size_t n, const char *path, perr *e)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return perr_set_errno(e, PX_IOERR, errno, "cannot write %s: %s", path, strerror(errno));
		}
		if (w == 0)
			return perr_set(e, PX_IOERR, "cannot write %s: no progress", path);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t fsutil_pread(int fd, void *buf, size_t n, int64_t off, const char *path, perr *e)
{
	ssize_t r;
	do
		r = pread(fd, buf, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		perr_set(e, PX_IOERR, "cannot read %s: %s", path, strerror(errno));
	return r;
}

int fsutil_fsync(int fd, const char *path, perr *e)
{
	int rc;
	do
		rc = fsync(fd);
	while (rc != 0 && errno == EINTR);
	if (rc != 0)
		return perr_set_errno(e, PX_IOERR, errno, "cannot sync %s: %s", path, strerror(errno));
	return 0;
}

void fsutil_start_writeback(int fd, int64_t off, int64_t len)
{
#ifdef SYNC_FILE_RANGE_WRITE
	(void)sync_file_range(fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
	(void)off;
	(void)len;
#endif
}

int64_t fsutil_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fsutil_mkdirs(const char *dir, perr *e)
{
	char *d = fsutil_strip_slashes(dir, e);
	if (!d)
		return -1;
	int rc = 0;
	for (char *p = d + (*d != '\0');; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(d, 0777) != 0 && errno != EEXIST) {
			rc = perr_set_errno(e, PX_IOERR, errno, "cannot create directory %s: %s", d, strerror(errno));
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(d);
	return rc;
}

int fsutil_quarantine_dir_check(const char *dir, int create, perr *e)
{
	if (!dir || !*dir)
		return perr_set(e, PX_USAGE, "quarantine mode needs a quarantine directory");
	char *d = fsutil_strip_slashes(dir, e);
	if (!d)
		return -1;
	struct stat st;
	int rc = lstat(d, &st);
	if (rc != 0 && errno == ENOENT && !create) {
		free(d);
		return 0; /* created when the plan is applied, not before */
	}
	if (rc != 0 && errno == ENOENT) {
		if (fsutil_mkdirs(d, e) != 0) {
			free(d);
			return -1;
		}
		rc = lstat(d, &st);
	}
	if (rc != 0) {
		rc = perr_set(e, PX_IOERR, "cannot use quarantine directory %s: %s", dir, strerror(errno));
	} else if (S_ISLNK(st.st_mode)) {
		rc = perr_set(e, PX_IOERR, "quarantine directory %s is a symbolic link; "
			      "give the directory itself", dir);
	} else if (!S_ISDIR(st.st_mode)) {
		rc = perr_set(e, PX_IOERR, "quarantine directory %s exists and is not a directory", dir);
	} else if (faccessat(AT_FDCWD, d, W_OK | X_OK, AT_EACCESS) != 0) {
		rc = perr_set_errno(e, PX_IOERR, errno, "quarantine directory %s is not writable: %s", dir,
			      strerror(errno));
	}
	free(d);
	return rc;
}

static int fsutil_name_taken(int dirfd, const char *cand, char *const *taken, size_t n_taken)
{
	for (size_t i = 0; i < n_taken; i++)
		if (taken[i] && strcmp(px_basename(taken[i]), cand) == 0)
			return 1;
	if (dirfd < 0)
		return 0; /* the directory does not exist yet: nothing in it */
	struct stat st;
	return fstatat(dirfd, cand, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

char *fsutil_quarantine_name(int dirfd, const char *name, int64_t epoch_ms,
			     char *const *taken, size_t n_taken, perr *e)
{
	char *shortname = tempname_shorten(name, TEMPNAME_QUARANTINE_MAX, e); /* NAME_MAX */
	char *base = shortname ? px_asprintf(e, "%s.quarantine.%lld", shortname, (long long)epoch_ms) : NULL;
	free(shortname);
	if (!base || !fsutil_name_taken(dirfd, base, taken, n_taken))
		return base;
	for (int i = 1; i <= FSUTIL_MAX_NAME_TRIES; i++) {
		char *cand = px_asprintf(e, "%s.%d", base, i);
		if (!cand || !fsutil_name_taken(dirfd, cand, taken, n_taken)) {
			free(base);
			return cand;
		}
		free(cand);
	}
	perr_set(e, PX_IOERR, "no free quarantine name for %s after %d tries", base,
		 FSUTIL_MAX_NAME_TRIES);
	free(base);
	return NULL;
}

/* Copy `size` bytes of src_fd into fd; the source must not shrink. */
static int fsutil_copy_bytes(int src_fd, int64_t size, const char *src_shown, int fd,
			     const char *dst_shown, char *buf, size_t bufsize,
			     const struct fsutil_progress *prog, perr *e)
{
	int64_t off = 0;
	while (off < size) {
		size_t want = (size_t)(size - off) < bufsize ? (size_t)(size - off) : bufsize;
		ssize_t r = fsutil_pread(src_fd, buf, want, off, src_shown, e);
		if (r < 0)
			return -1;
		if (r == 0)
			return perr_set(e, PX_IOERR, "%s shrank while being copied", src_shown);
		if (fsutil_write_all(fd, buf, (size_t)r, dst_shown, e) != 0)
			return -1;
		fsutil_start_writeback(fd, off, r);
		off += r;
		if (prog && prog->on_bytes)
			prog->on_bytes(prog->ctx, r);
	}
	return 0;
}

/* Give the complete copy `tmp` its final name: the first free
 * "<name>.quarantine.<ms>[.k]", never replacing anything. */
static int fsutil_name_copy(int dirfd, const char *dir, const char *tmp, const char *name,
			    int64_t epoch_ms, char **dest, perr *e)
{
	for (int tries = 0; tries < FSUTIL_MAX_NAME_TRIES; tries++) {
		char *cand = fsutil_quarantine_name(dirfd, name, epoch_ms, NULL, 0, e);
		if (!cand)
			return -1;
		if (fsutil_rename_noreplace(dirfd, tmp, cand) == 0) {
			*dest = fsutil_join(dir, cand, e);
			free(cand);
			return *dest ? 0 : -1;
		}
		int err = errno;
		free(cand);
		if (err != EEXIST) /* else taken between the check and the rename */
			return perr_set(e, PX_IOERR, "cannot name the copy in %s: %s", dir, strerror(err));
	}
	return perr_set(e, PX_IOERR, "no free quarantine name for %s in %s", name, dir);
}

int fsutil_copy_to_dir(int src_fd, int64_t size, const char *src_shown, int dirfd,
		       const char *dir, const char *name, int64_t epoch_ms, mode_t mode,
		       char *buf, size_t bufsize, const struct fsutil_progress *prog,
		       char **dest, perr *e)
{
	*dest = NULL;
	/* Written under a temp name and renamed once complete and synced: a copy
	 * under its final name is always whole. */
	char *qname = px_asprintf(e, "%s.quarantine.%lld", name, (long long)epoch_ms);
	char *tmp = qname ? fsutil_temp_name(qname, e) : NULL;
	char *shown = tmp ? fsutil_join(dir, tmp, e) : NULL;
	free(qname);
	int fd = shown ? fsutil_create_at(dirfd, tmp, mode, shown, e) : -1;
	/* held while it is written: a later run removes the temp only when
	 * its lock is free and its pid gone (core/qleftover.h) */
	if (fd >= 0)
		(void)flock(fd, LOCK_EX);
	struct stat sst;
	int rc = fd < 0 ? -1 : fstat(src_fd, &sst) != 0 ? perr_set(e, PX_IOERR, "%s: %s", src_shown, strerror(errno))
						     : fsmeta_copy(src_fd, &sst, fd, shown, 1, e);
	if (rc == 0)
		rc = fsutil_copy_bytes(src_fd, size, src_shown, fd, shown, buf, bufsize, prog, e);
	if (rc == 0)
		rc = fsutil_fsync(fd, shown, e);
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = perr_set(e, PX_IOERR, "cannot close %s: %s", shown, strerror(errno));
	if (rc == 0)
		rc = fsutil_name_copy(dirfd, dir, tmp, name, epoch_ms, dest, e);
	if (rc == 0 && fsutil_fsync_dirfd(dirfd, dir, e) != 0) {
		/* not durable: the original must stay in place, so no copy is left named */
		unlinkat(dirfd, px_basename(*dest), 0);
		free(*dest);
		*dest = NULL;
		rc = -1;
	}
	if (rc != 0 && fd >= 0)
		unlinkat(dirfd, tmp, 0);
	free(tmp);
	free(shown);
	return rc;
}

int fsutil_replace_begin(struct fsutil_replace *r, int dirfd, const char *dir, const char *path,
			 int src_fd, const struct stat *st, perr *e)
{
	memset(r, 0, sizeof *r);
	r->dirfd = dirfd;
	r->dir = dir;
	r->path = path;
	r->fd = -1;
	r->tmp = fsutil_temp_name(px_basename(path), e);
	r->tmp_shown = r->tmp ? fsutil_join(dir, r->tmp, e) : NULL;
	if (r->tmp_shown)
		r->fd = fsutil_create_at(dirfd, r->tmp, st->st_mode & 07777, r->tmp_shown, e);
	/* an existing file of that name is not ours to remove: created stays 0 */
	r->created = r->fd >= 0;
	/* Keep the owner, mode and xattrs (ACLs) the operator gave the file:
	 * from the open original, which a rotation may have renamed since. */
	if (r->fd >= 0 && fsmeta_copy(src_fd, st, r->fd, r->tmp_shown, 0, e) == 0)
		return 0;
	fsutil_replace_end(r); /* a failed begin leaves nothing to end */
	return -1;
}

void fsutil_replace_end(struct fsutil_replace *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->created && !r->committed)
		unlinkat(r->dirfd, r->tmp, 0);
	free(r->tmp);
	free(r->tmp_shown);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

int fsutil_exchange(int dirfd, const char *a, const char *b)
{
	return (int)syscall(SYS_renameat2, dirfd, a, dirfd, b, RENAME_EXCHANGE);
}

int fsutil_rename_noreplace(int dirfd, const char *from, const char *to)
{
	if (syscall(SYS_renameat2, dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* no renameat2 flags here: a hard link never replaces either */
	if (linkat(dirfd, from, dirfd, to, 0) != 0)
		return -1;
	return unlinkat(dirfd, from, 0);
}
