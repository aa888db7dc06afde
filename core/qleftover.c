/* Removing leftover temp copies from a quarantine directory (qleftover.h). */
#include "qleftover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fsutil.h"
#include "tempname.h"

/* The pid of one of our quarantine temp names, or -1. */
static long qleftover_pid(const char *name)
{
	char *data = NULL;
	if (!fsutil_is_temp_name(name, &data) || !data)
		return -1;
	int ours = strstr(data, ".quarantine.") != NULL;
	free(data);
	const char *mark = NULL;
	for (const char *p = strstr(name, TEMPNAME_MARK); p; p = strstr(p + 1, TEMPNAME_MARK))
		mark = p;
	char *end = NULL;
	long pid = ours && mark ? strtol(mark + strlen(TEMPNAME_MARK), &end, 10) : -1;
	return end && *end == '\0' && pid > 0 ? pid : -1;
}

/* Whether nobody can be writing it: its process is gone and its lock free. */
static int qleftover_abandoned(int dirfd, const char *name, long pid)
{
	if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
		return 0;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int free_lock = flock(fd, LOCK_EX | LOCK_NB) == 0;
	close(fd);
	return free_lock;
}

static int qleftover_push(char ***v, size_t *n, char *s, perr *e)
{
	size_t cap = *n;
	if (!s || px_grow(v, &cap, *n + 1, sizeof **v, e) != 0) {
		free(s);
		return -1;
	}
	(*v)[(*n)++] = s;
	return 0;
}

int qleftover_clean(int dirfd, const char *dir, char ***removed, size_t *n, perr *e)
{
	int dfd = dup(dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return perr_set(e, PX_IOERR, "cannot read quarantine directory %s: %s", dir, strerror(errno));
	}
	rewinddir(d);
	int rc = 0, any = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		long pid = qleftover_pid(de->d_name);
		if (pid < 0 || !qleftover_abandoned(dirfd, de->d_name, pid))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) != 0) {
			if (errno != ENOENT)
				rc = perr_set(e, PX_IOERR, "cannot remove %s/%s: %s", dir, de->d_name,
					      strerror(errno));
			continue;
		}
		any = 1;
		rc = qleftover_push(removed, n, fsutil_join(dir, de->d_name, e), e);
	}
	closedir(d);
	if (rc == 0 && any)
		rc = fsutil_fsync_dirfd(dirfd, dir, e);
	return rc;
}
