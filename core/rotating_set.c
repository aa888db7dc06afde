/* The rotating set on disk (rotating_set.h): which files are members,
 * which are orphans, and whether a directory is the set's own. */
#include "rotating_set.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "kept.h"
#include "tempname.h"

/* ---- the set on disk ------------------------------------------------------- */

/* Index of `name` in the set whose base name is `base`: 0 for P itself,
 * k for "P.k" with 1 <= k <= max_files - 1 spelled without leading zeros
 * (the writer's spelling: "P.01" is another file), else -1. */
static int64_t rotating_index(const char *name, const char *base, size_t blen, int64_t max_files)
{
	if (strncmp(name, base, blen) != 0)
		return -1;
	const char *s = name + blen;
	if (!*s)
		return 0;
	if (s[0] != '.' || s[1] < '1' || s[1] > '9')
		return -1;
	int64_t top = max_files - 1, k = 0;
	for (s++; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		int d = *s - '0';
		if (top < d || k > (top - d) / 10) /* k * 10 + d > top, without overflow */
			return -1;
		k = k * 10 + d;
	}
	return k;
}

/* What one directory entry says about an index, before merging. */
struct rotating_seen {
	int64_t index;
	int temp; /* a leftover temp of the member rather than the member */
};

static int rotating_seen_cmp(const void *a, const void *b)
{
	const struct rotating_seen *x = a, *y = b;
	return x->index > y->index ? -1 : x->index < y->index; /* oldest (highest) first */
}

static int rotating_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int rotating_is_dir_entry(DIR *d, const struct dirent *de)
{
#ifdef DT_DIR
	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
#endif
	struct stat st;
	return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Read the directory once: member indexes seen (files and temps) and
 * orphan names. */
static int rotating_read_dir(const char *dir, const char *base, int64_t max_files,
			     struct rotating_seen **seen, size_t *nseen, struct rotating_set *s,
			     perr *e)
{
	size_t blen = strlen(base), capseen = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : perr_set(e, PX_IOERR, "cannot read directory %s: %s",
						      dir, strerror(errno));
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		const char *name = de->d_name;
		char *data_base = NULL;
		struct rotating_seen one = {-1, 0};
		if (fsutil_is_temp_name(name, &data_base) && data_base) {
			int64_t idx = rotating_index(data_base, base, blen, max_files);
			if (idx < 0) /* a long member name: its temps carry a shortened stem */
				idx = tempname_member_index(data_base, base, max_files);
			one = (struct rotating_seen){idx, 1};
			free(data_base);
		}
		int64_t kms, koff;
		if (one.index < 0 && kept_parse(name, &data_base, &kms, &koff)) { /* kept.h */
			int64_t idx = rotating_index(data_base, base, blen, max_files);
			if (idx < 0)
				idx = tempname_member_index_max(data_base, base, max_files, KEPT_STEM_MAX);
			one = (struct rotating_seen){idx, 1};
			free(data_base);
		}
		if (one.index < 0 && strncmp(name, base, blen) == 0)
			one = (struct rotating_seen){rotating_index(name, base, blen, max_files), 0};
		if (one.index >= 0) {
			if ((rc = px_grow(seen, &capseen, *nseen + 1, sizeof **seen, e)) == 0)
				(*seen)[(*nseen)++] = one;
			continue;
		}
		if (strncmp(name, base, blen) != 0 || rotating_is_dir_entry(d, de))
			continue;
		char *dup = px_strdup(name, e);
		if (!dup || px_grow(&s->orphans, &s->cap_orphans, s->n_orphans + 1,
				    sizeof *s->orphans, e) != 0) {
			free(dup);
			rc = -1;
			break;
		}
		s->orphans[s->n_orphans++] = dup;
	}
	closedir(d);
	return rc;
}

int rotating_set_list(const char *path, int64_t max_files, struct rotating_set *s, perr *e)
{
	memset(s, 0, sizeof *s);
	const char *base = px_basename(path);
	int dirlen = (int)(base - path);
	if (!*base)
		return perr_set(e, PX_USAGE, "%s: the rotating path must name a file", path);
	if (max_files < 1)
		return perr_set(e, PX_USAGE, "max_files must be at least 1");
	char *dir = dirlen ? px_asprintf(e, "%.*s", dirlen, path) : px_strdup(".", e);
	struct rotating_seen *seen = NULL;
	size_t nseen = 0;
	int rc = dir ? rotating_read_dir(dir, base, max_files, &seen, &nseen, s, e) : -1;
	free(dir);
	if (rc == 0 && nseen)
		qsort(seen, nseen, sizeof *seen, rotating_seen_cmp);
	for (size_t i = 0; rc == 0 && i < nseen; i++) {
		struct rotating_member *m = s->n ? &s->m[s->n - 1] : NULL;
		if (!m || m->index != seen[i].index) {
			if (px_grow(&s->m, &s->cap, s->n + 1, sizeof *s->m, e) != 0) {
				rc = -1;
				break;
			}
			m = &s->m[s->n];
			memset(m, 0, sizeof *m);
			m->index = seen[i].index;
			m->path = m->index ? px_asprintf(e, "%s.%lld", path, (long long)m->index) :
					     px_strdup(path, e);
			if (!m->path) {
				rc = -1;
				break;
			}
			s->n++;
		}
		if (seen[i].temp)
			m->has_temps = 1;
		else
			m->exists = 1;
	}
	free(seen);
	if (rc == 0 && s->n_orphans)
		qsort(s->orphans, s->n_orphans, sizeof *s->orphans, rotating_name_cmp);
	for (size_t i = 0; rc == 0 && i < s->n_orphans; i++) {
		char *full = px_asprintf(e, "%.*s%s", dirlen, path, s->orphans[i]);
		if (!full)
			rc = -1;
		else {
			free(s->orphans[i]);
			s->orphans[i] = full;
		}
	}
	if (rc != 0)
		rotating_set_free(s);
	return rc;
}

void rotating_set_free(struct rotating_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->m[i].path);
	for (size_t i = 0; i < s->n_orphans; i++)
		free(s->orphans[i]);
	free(s->m);
	free(s->orphans);
	memset(s, 0, sizeof *s);
}

/* ---- the quarantine directory must not be the set's own ------------------- */

/* Components peeled off a path that does not exist, deepest last. */
struct rotating_parts {
	char **v;
	size_t n, cap;
};

static void rotating_parts_free(struct rotating_parts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
}

/* `s` without trailing slashes ("/" stays "/"). */
static char *rotating_strip(const char *s, perr *e)
{
	char *d = px_strdup(s, e);
	size_t n = d ? strlen(d) : 0;
	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	return d;
}

/* Canonical absolute form of `dir`: realpath of its longest existing
 * prefix, then the missing components applied by name ("." skipped, ".."
 * one level up), which is what creating them would produce.  NULL with e
 * set when not even an ancestor can be resolved. */
static char *rotating_canon(const char *dir, perr *e)
{
	struct rotating_parts parts = {0};
	char *cur = rotating_strip(dir, e), *res = NULL;
	int err = 0;
	while (cur && !(res = realpath(cur, NULL))) {
		err = errno;
		if (err != ENOENT && err != ENOTDIR)
			break;
		char *parent = fsutil_dirname(cur, e);
		char *part = px_strdup(px_basename(cur), e);
		int stuck = !parent || !part || strcmp(parent, cur) == 0 ||
			    px_grow(&parts.v, &parts.cap, parts.n + 1, sizeof *parts.v, e) != 0;
		free(cur);
		cur = stuck ? NULL : parent;
		if (stuck) {
			free(parent);
			free(part);
			break;
		}
		parts.v[parts.n++] = part;
	}
	free(cur);
	if (!res) {
		rotating_parts_free(&parts);
		perr_set(e, PX_IOERR, "cannot resolve %s: %s", dir, strerror(err ? err : ENOMEM));
		return NULL;
	}
	for (size_t i = parts.n; res && i-- > 0;) {
		const char *p = parts.v[i];
		char *next = NULL;
		if (strcmp(p, ".") == 0 || !*p)
			continue;
		if (strcmp(p, "..") == 0)
			next = fsutil_dirname(res, e);
		else
			next = px_asprintf(e, "%s%s%s", res, strcmp(res, "/") == 0 ? "" : "/", p);
		free(res);
		res = next;
	}
	rotating_parts_free(&parts);
	return res;
}

int rotating_is_set_dir(const char *path, const char *qdir, perr *e)
{
	char *sdir = fsutil_dirname(path, e);
	if (!sdir)
		return -1;
	struct stat a, b;
	if (stat(sdir, &a) == 0 && stat(qdir, &b) == 0) {
		free(sdir);
		return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	}
	char *cs = rotating_canon(sdir, e), *cq = cs ? rotating_canon(qdir, e) : NULL;
	int same = cs && cq ? strcmp(cs, cq) == 0 : -1;
	free(sdir);
	free(cs);
	free(cq);
	return same;
}

int rotating_report_orphans(const struct rotating_set *s, struct scan_report *r, perr *e)
{
	for (size_t i = 0; i < s->n_orphans; i++)
		if (scan_report_add(r, AN_ORPHANED_ROTATED_FILE, s->orphans[i], 0, -1, -1, NULL, 0, e,
				    "Unexpected file in rotation set") < 0)
			return -1;
	return 0;
}


int rotating_set_scan_open(const char *path, int64_t max_files, const struct scan_opts *o,
			   const struct scan_sink *sink, struct scan_report *r, struct file_scan **out, perr *e)
{
	struct rotating_set s;
	*out = NULL;
	if (rotating_set_list(path, max_files, &s, e) != 0)
		return -1;
	struct file_scan_member *m = calloc(s.n ? s.n : 1, sizeof *m);
	int rc = m ? rotating_report_orphans(&s, r, e) : perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	/* an interrupted compaction: some records may be there twice until
	 * it is finished (rotating_install.c) */
	char *intent = rc == 0 ? rotating_compact_intent(path, e) : NULL;
	struct stat ist;
	if (rc == 0 && !intent)
		rc = -1;
	else if (intent && lstat(intent, &ist) == 0)
		rc = scan_report_add(r, AN_UNEXPECTED_FILE, intent, 0, -1, -1, NULL, AF_COMPACT_INTENT, e,
				     "Interrupted compaction: some records may be in the set twice; "
				     "papyra persistence recover finishes it");
	free(intent);
	for (size_t i = 0; rc == 0 && i < s.n; i++) {
		/* the member's path moves to the scan */
		m[i] = (struct file_scan_member){ s.m[i].path, s.m[i].exists, s.m[i].has_temps };
		s.m[i].path = NULL;
	}
	size_t n = s.n;
	rotating_set_free(&s);
	if (rc != 0) {
		if (m)
			file_scan_members_free(m, n);
		return -1;
	}
	return file_scan_open(out, m, n, path, o, sink, r, e);
}

int rotating_set_paths(const char *path, int64_t max_files, char ***paths, size_t *n, perr *e)
{
	struct rotating_set s;
	*paths = NULL;
	*n = 0;
	if (rotating_set_list(path, max_files, &s, e) != 0)
		return -1;
	char **v = calloc(s.n + 1, sizeof *v);
	int rc = v ? 0 : perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory"), active = 0;
	for (size_t i = 0; rc == 0 && i < s.n; i++) {
		if (!s.m[i].exists)
			continue;
		active |= s.m[i].index == 0;
		v[(*n)++] = s.m[i].path;
		s.m[i].path = NULL;
	}
	if (rc == 0 && !active && !(v[(*n)++] = px_strdup(path, e)))
		rc = -1;
	rotating_set_free(&s);
	if (rc != 0) {
		for (size_t i = 0; v && i < *n; i++)
			free(v[i]);
		free(v);
		*n = 0;
		return -1;
	}
	*paths = v;
	return 0;
}

char *rotating_compact_intent(const char *path, perr *e)
{
	const char *base = px_basename(path);
	return px_asprintf(e, "%.*s.%s.papyra-compact", (int)(base - path), path, base);
}
