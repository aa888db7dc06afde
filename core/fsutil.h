/* Safe file mutation for recovery and compaction (SPEC §4, §5).
 *
 * Every helper reports failure through a perr naming the path and the
 * system error (PX_IOERR unless stated otherwise) and never prints.  New
 * files are always created with O_EXCL|O_NOFOLLOW, so nothing is ever
 * overwritten and no symlink is ever followed when creating.  Directories
 * are handled as descriptors (O_DIRECTORY|O_NOFOLLOW) so a name swapped for
 * a symlink after a check is refused rather than followed. */
#ifndef PAPYRA_FSUTIL_H
#define PAPYRA_FSUTIL_H

#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common.h"
#include "scan.h"

/* Copy buffer: large enough that syscall overhead vanishes next to memcpy
 * (the repair target is 500 MB/s), small enough to keep RSS bounded. */
#define FSUTIL_BUF_SIZE (4u << 20)

/* Open an existing data file read-only without following a symlink and
 * without blocking (a FIFO never hangs us); it must be a regular file.
 * Returns the descriptor (and fills `st`), or -1 with `e` set: a missing
 * file is PX_IOERR with errno ENOENT left in `*err_no` when not NULL. */
int fsutil_open_data(const char *path, struct stat *st, int *err_no, perr *e);

/* Exclusive advisory lock on the data file itself, never blocking:
 * busy -> PX_IOERR "<path> is locked by another process". */
int fsutil_lock(int fd, const char *path, perr *e);

/* One attempt at a lease of `type` (F_RDLCK, F_WRLCK) on fd (core/live.h
 * explains what a lease buys).  Breaks are signalled with
 * FSUTIL_LEASE_SIGNAL, SIGURG, whose default action is to ignore it: no
 * handler is installed, F_GETLEASE is polled.  Returns GRANTED, BUSY (a
 * process has it open in a conflicting way) or UNSUPPORTED (`note` says
 * why, naming `shown`). */
#define FSUTIL_LEASE_SIGNAL SIGURG
enum { FSUTIL_LEASE_GRANTED = 0, FSUTIL_LEASE_BUSY = 1, FSUTIL_LEASE_UNSUPPORTED = 2 };
int fsutil_lease(int fd, int type, const char *shown, char *note, size_t notesize);

/* Compare the open file with the identity recorded at scan time (dev,
 * ino, size, mtime).  Different -> PX_IOERR "<path> changed since the scan
 * (<what>); nothing was changed". */
int fsutil_check_ident(int fd, const struct file_ident *want, const char *path, perr *e);

/* The identity of an open file. */
int fsutil_ident_fd(int fd, struct file_ident *id, const char *path, perr *e);

/* Directory part of `path` ("." when there is none), allocated. */
char *fsutil_dirname(const char *path, perr *e);

/* "<dir>/<name>" (just `name` when dir is "."), allocated. */
char *fsutil_join(const char *dir, const char *name, perr *e);

/* Open a directory as a descriptor; a non-directory is refused, and so is
 * a symlink when `nofollow` (the quarantine directory).  A data file's
 * directory may be a symlink: what is acted on there is checked by inode. */
int fsutil_open_dir(const char *dir, int nofollow, perr *e);

/* fsync a directory (so a rename or a new name in it is durable). */
int fsutil_fsync_dirfd(int dirfd, const char *dir, perr *e);

/* Temp file name of SPEC §4 for `base`: ".<base>.papyra-tmp-<pid>",
 * allocated, with a long `base` shortened so that it fits NAME_MAX
 * (core/tempname.h).  The leading dot keeps it out of any rotating set. */
char *fsutil_temp_name(const char *base, perr *e);

/* Whether `base` looks like one of our temp names (of any pid); when it
 * does and `data_base` is not NULL, the data file's base name is stored
 * there (allocated) -- for a long name its shortened stem, which
 * tempname_find_data / tempname_member_index map back. */
int fsutil_is_temp_name(const char *base, char **data_base);

/* Create `name` in `dirfd` for writing: O_EXCL|O_NOFOLLOW, mode `mode`. */
int fsutil_create_at(int dirfd, const char *name, mode_t mode, const char *shown, perr *e);

/* write(2) until done, retrying on EINTR and short writes. */
int fsutil_write_all(int fd, const void *buf, size_t n, const char *path, perr *e);

/* read(2) up to n bytes at `off`, retrying on EINTR; returns bytes read
 * (0 at end of file) or -1. */
ssize_t fsutil_pread(int fd, void *buf, size_t n, int64_t off, const char *path, perr *e);

/* fsync a file descriptor. */
int fsutil_fsync(int fd, const char *path, perr *e);

/* Ask the kernel to start writing [off, off+len) to the device now, without
 * waiting, so the final fsync overlaps with the copy instead of following
 * it.  Advisory: errors are ignored (the fsync reports real ones). */
void fsutil_start_writeback(int fd, int64_t off, int64_t len);

/* Milliseconds since the epoch (quarantine names). */
int64_t fsutil_now_ms(void);

/* Create `dir` and its missing parents (mode 0777 minus umask). */
int fsutil_mkdirs(const char *dir, perr *e);

/* Check a quarantine directory before anything changes.  When missing it
 * is created (with parents) if `create`, else accepted as it is (plans are
 * built before the operator confirms).  A symlink, a non-directory or a
 * directory we cannot write into is PX_IOERR. */
int fsutil_quarantine_dir_check(const char *dir, int create, perr *e);

/* First free "<name>.quarantine.<epoch_ms>" in `dirfd` (then ".1", ".2",
 * ...), skipping the `n_taken` names in `taken`; allocated base name.  A
 * name is only a guess here: creation uses O_EXCL and retries. */
char *fsutil_quarantine_name(int dirfd, const char *name, int64_t epoch_ms,
			     char *const *taken, size_t n_taken, perr *e);

/* Atomic replacement of a data file (SPEC §4): the new content goes to a
 * temp file beside it, which live_commit (live.h) switches into place; the
 * caller sets `committed` once the switch may have happened.  Until then
 * the original is untouched and fsutil_replace_end removes the temp. */
struct fsutil_replace {
	int dirfd;        /* the data file's directory (owned by the caller) */
	const char *dir;  /* as shown */
	const char *path; /* the data file */
	char *tmp;        /* temp base name */
	char *tmp_shown;  /* dir/tmp, for messages */
	int fd;           /* the open temp file, -1 once closed */
	int created;      /* the temp file is ours to remove */
	int committed;
};

/* Create the temp file with the metadata of the open original `src_fd`
 * (owner when allowed, mode, xattrs and ACLs: core/fsmeta.h). */
int fsutil_replace_begin(struct fsutil_replace *r, int dirfd, const char *dir, const char *path,
			 int src_fd, const struct stat *st, perr *e);
/* A begin that failed has already cleaned up after itself. */
void fsutil_replace_end(struct fsutil_replace *r);

/* Progress hook for long copies: bytes just processed. */
struct fsutil_progress {
	void *ctx;
	void (*on_bytes)(void *ctx, int64_t n);
};

/* Copy the first `size` bytes of `src_fd` into directory `dirfd` (shown as
 * `dir`) under a fresh unique name "<name>.quarantine.<epoch_ms>[.k]": the
 * copy is written under a temp name (O_EXCL|O_NOFOLLOW, `mode`), fsynced,
 * renamed to the free name without ever replacing a file, then the
 * directory is fsynced, so a copy under its final name is always complete.
 * Works across filesystems.  On success `*dest` is "<dir>/<name>"
 * (allocated).  On failure nothing is left, under either name. */
int fsutil_copy_to_dir(int src_fd, int64_t size, const char *src_shown, int dirfd,
		       const char *dir, const char *name, int64_t epoch_ms, mode_t mode,
		       char *buf, size_t bufsize, const struct fsutil_progress *prog,
		       char **dest, perr *e);

/* Swap two names in dirfd atomically (renameat2 RENAME_EXCHANGE).  Returns
 * 0, or -1 with errno (EINVAL/ENOSYS when the filesystem cannot). */
int fsutil_exchange(int dirfd, const char *a, const char *b);

/* Rename without replacing (RENAME_NOREPLACE; link + unlink where that is
 * unsupported).  Returns 0, or -1 with errno (EEXIST when taken). */
int fsutil_rename_noreplace(int dirfd, const char *from, const char *to);

#endif
