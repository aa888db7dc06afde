#include "guard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"

/* Symbolic links followed before giving up (Linux's own MAXSYMLINKS). */
#define GUARD_LINKS_MAX 40

/* A directory entry (the directory's identity and a name, or a prefix
 * for the names of a rotating set) or a file's identity. */
struct guard_entry {
	dev_t dir_dev;
	ino_t dir_ino;
	const char *name;
	int prefix; /* any name starting with `name` (rotating members, orphans) */
	const char *label; /* "a file of the store", "the journal" */
};

struct guard_set {
	struct guard_entry ent[4];
	size_t n_ent;
	struct { dev_t dev; ino_t ino; const char *label; } *file;
	size_t n_file, cap_file;
	char *names[4]; /* owned copies for ent[].name */
};

static char *guard_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static const char *guard_base(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Follow `path` through symbolic links (dangling ones too) to the entry
 * that a write would create or replace.  NULL when out of memory or
 * looping. */
static char *guard_resolve(const char *path)
{
	char *cur = strdup(path);
	for (int hop = 0; cur && hop < GUARD_LINKS_MAX; hop++) {
		struct stat st;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		char target[4096];
		ssize_t n = readlink(cur, target, sizeof target - 1);
		if (n < 0) {
			return cur;
		}
		target[n] = '\0';
		char *next;
		if (target[0] == '/') {
			next = strdup(target);
		} else {
			char *dir = guard_dirname(cur);
			next = dir ? malloc(strlen(dir) + strlen(target) + 2) : NULL;
			if (next)
				sprintf(next, "%s/%s", dir, target);
			free(dir);
		}
		free(cur);
		cur = next;
	}
	free(cur);
	return NULL;
}

static int guard_add_file(struct guard_set *g, const struct stat *st, const char *label)
{
	if (g->n_file == g->cap_file) {
		size_t cap = g->cap_file ? 2 * g->cap_file : 8;
		void *v = realloc(g->file, cap * sizeof *g->file);
		if (!v)
			return -1;
		g->file = v;
		g->cap_file = cap;
	}
	g->file[g->n_file].dev = st->st_dev;
	g->file[g->n_file].ino = st->st_ino;
	g->file[g->n_file].label = label;
	g->n_file++;
	return 0;
}

/* Protect `path` (resolved through links): its directory entry, and the
 * file itself when it exists; with `prefix`, every name of its directory
 * that starts with its base name (a rotating set: members and orphans). */
static int guard_protect(struct guard_set *g, const char *path, int prefix, const char *label)
{
	char *real = guard_resolve(path);
	if (!real)
		return -1;
	char *dir = guard_dirname(real);
	struct stat dst, st;
	int rc = 0;
	if (dir && stat(dir, &dst) == 0 && g->n_ent < sizeof g->ent / sizeof *g->ent) {
		char *name = strdup(guard_base(real));
		if (!name) {
			rc = -1;
		} else {
			g->names[g->n_ent] = name;
			g->ent[g->n_ent++] = (struct guard_entry){ dst.st_dev, dst.st_ino, name, prefix, label };
		}
	}
	if (rc == 0 && stat(real, &st) == 0 && guard_add_file(g, &st, label) < 0)
		rc = -1;
	if (rc == 0 && prefix && dir) {
		DIR *d = opendir(dir);
		struct dirent *de;
		const char *base = guard_base(real);
		size_t blen = strlen(base);
		while (d && rc == 0 && (de = readdir(d))) {
			if (strncmp(de->d_name, base, blen) != 0 || fstatat(dirfd(d), de->d_name, &st, 0) != 0)
				continue;
			rc = guard_add_file(g, &st, label);
		}
		if (d)
			closedir(d);
	}
	free(dir);
	free(real);
	return rc;
}

static void guard_free(struct guard_set *g)
{
	for (size_t i = 0; i < g->n_ent; i++)
		free(g->names[i]);
	free(g->file);
}

static const char *guard_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" :
	       S_ISCHR(m) || S_ISBLK(m) ? "a device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

int guard_check(const struct config *cfg, const char *journal, const char *what, const char *path,
		char **resolved, perr *e)
{
	*resolved = NULL;
	if (!*path)
		return perr_set(e, PX_USAGE, "%s: empty file name", what);
	struct guard_set g;
	memset(&g, 0, sizeof g);
	int rc = 0;
	const struct backend_traits *t = backend_config_traits(cfg);
	if (t->has_files && guard_protect(&g, cfg->path, t->rotates,
					  t->rotates ? "a file of the rotating set" : "the data file") < 0)
		rc = perr_set(e, PX_IOERR, "out of memory");
	if (rc == 0 && journal && guard_protect(&g, journal, 0, "the journal") < 0)
		rc = perr_set(e, PX_IOERR, "out of memory");
	char *real = rc == 0 ? guard_resolve(path) : NULL;
	if (rc == 0 && !real)
		rc = perr_set(e, PX_USAGE, "%s %s: too many levels of symbolic links", what, path);
	struct stat st, dst;
	int exists = rc == 0 && stat(real, &st) == 0;
	if (exists && !S_ISREG(st.st_mode))
		rc = perr_set(e, PX_USAGE, "%s %s is %s: a report or journal must be a regular file", what,
			      path, guard_kind(st.st_mode));
	const char *hit = NULL;
	for (size_t i = 0; exists && rc == 0 && !hit && i < g.n_file; i++)
		if (g.file[i].dev == st.st_dev && g.file[i].ino == st.st_ino)
			hit = g.file[i].label;
	char *dir = rc == 0 ? guard_dirname(real) : NULL;
	if (dir && stat(dir, &dst) == 0) {
		const char *base = guard_base(real);
		for (size_t i = 0; rc == 0 && !hit && i < g.n_ent; i++) {
			const struct guard_entry *en = &g.ent[i];
			if (en->dir_dev == dst.st_dev && en->dir_ino == dst.st_ino &&
			    (en->prefix ? strncmp(base, en->name, strlen(en->name)) == 0 : strcmp(base, en->name) == 0))
				hit = en->label;
		}
	}
	free(dir);
	if (hit)
		rc = perr_set(e, PX_USAGE, "%s %s is %s (or a name of it): refusing to write there; "
			      "nothing was read or written", what, path, hit);
	if (rc == 0)
		*resolved = real;
	else
		free(real);
	guard_free(&g);
	return rc;
}

int guard_open_temp(const char *final, char **tmp, perr *e)
{
	char *dir = guard_dirname(final);
	const char *base = guard_base(final);
	*tmp = dir ? malloc(strlen(dir) + strlen(base) + 48) : NULL;
	if (!*tmp) {
		free(dir);
		return perr_set(e, PX_IOERR, "out of memory");
	}
	sprintf(*tmp, "%s/.%s.papyra-tmp-%ld", dir, base, (long)getpid());
	free(dir);
	int fd;
	do
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		perr_set(e, PX_IOERR, "cannot write the report beside %s: %s", final, strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

int guard_commit_temp(int fd, const char *tmp, const char *final, perr *e)
{
	if (fsync(fd) != 0)
		return perr_set(e, PX_IOERR, "cannot write the report %s: %s", final, strerror(errno));
	if (rename(tmp, final) != 0)
		return perr_set(e, PX_IOERR, "cannot put the report in place at %s: %s", final, strerror(errno));
	char *dir = guard_dirname(final);
	int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd); /* best effort: the report is in place either way */
		close(dfd);
	}
	free(dir);
	return 0;
}
