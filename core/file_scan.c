/* Scanning NDJSON files in slices for the file backends (file_scan.h):
 * a list of files in reading order, each after its leftover temporary
 * files; the json backend is a list of one, a rotating set its members. */
#include "file_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "kept.h"
#include "tempname.h"

/* Bytes per scanner call between clock checks: small enough to stop near
 * the deadline, large enough that reading the clock costs nothing. */
#define FILE_SCAN_STEP_BYTES (1u << 20)

int check_regular_or_missing(const char *path, perr *e)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0; /* missing is clean; unreadable becomes PARTIAL_WRITE in the scan */
	if (S_ISREG(st.st_mode))
		return 0;
	const char *what = S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
			   S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
			   S_ISSOCK(st.st_mode) ? "a socket" : "not a regular file";
	return perr_set(e, PX_USAGE, "%s is %s, not an NDJSON file", path, what);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int scan_leftover_temps(const char *path, struct scan_report *r, perr *e)
{
	const char *base = px_basename(path);
	size_t dirlen = (size_t)(base - path);
	char *dir = dirlen ? strndup(path, dirlen) : strdup(".");
	char *stem = tempname_stem(base, e); /* a long name's temps carry its shortened stem */
	char *prefix = stem ? px_asprintf(e, ".%s" TEMPNAME_MARK, stem) : NULL;
	free(stem);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	if (!dir || !prefix) {
		rc = perr_set(e, PX_IOERR, "out of memory");
		goto out;
	}
	DIR *d = opendir(dir);
	if (!d)
		goto out; /* missing directory: nothing left over */
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (px_grow(&names, &cap, n + 1, sizeof *names, e) < 0 ||
		    !(names[n] = px_strdup(de->d_name, e))) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *full = px_asprintf(e, "%.*s%s", (int)dirlen, path, names[i]);
		if (!full) {
			rc = -1;
			break;
		}
		rc = scan_report_add(r, AN_UNEXPECTED_FILE, full, 0, -1, -1, NULL, AF_TEMP_FILE, e,
				     "Leftover temporary file from an interrupted operation");
		free(full);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	free(prefix);
	return rc == 0 ? kept_scan(path, r, e) : rc;
}

struct file_scan {
	struct file_scan_member *m;
	size_t n, next;
	char *fallback;               /* scanned alone when no member exists */
	int any;                      /* a member (or the fallback) was opened */
	struct scan_opts o;
	const struct scan_sink *sink;
	struct scan_report *r;
	perr *e;
	struct ndjson_scanner *cur;   /* the file being scanned */
	size_t an_before;             /* r->n_an when it was opened (metrics) */
	int64_t total, done;          /* bytes of the members as listed; of files finished */
};

static int file_scan_start(struct file_scan *s, const char *path)
{
	s->any = 1;
	s->an_before = s->r->n_an;
	return ndjson_scanner_open(&s->cur, path, path, &s->o, s->sink, s->r, s->e) < 0 ? -1 : 1;
}

/* Open the next file that exists, after reporting its leftover temps.
 * Returns 1 when one is open, 0 when none is left, -1 (e). */
static int file_scan_next(struct file_scan *s)
{
	while (s->next < s->n) {
		const struct file_scan_member *mb = &s->m[s->next++];
		if (mb->temps && scan_leftover_temps(mb->path, s->r, s->e) < 0)
			return -1;
		if (mb->exists)
			return file_scan_start(s, mb->path);
	}
	/* an empty set looks like a missing single file: one clean entry */
	if (!s->any && s->fallback)
		return file_scan_start(s, s->fallback);
	return 0;
}

int file_scan_open(struct file_scan **out, struct file_scan_member *m, size_t n, const char *fallback,
		   const struct scan_opts *o, const struct scan_sink *sink, struct scan_report *r, perr *e)
{
	*out = NULL;
	struct file_scan *s = calloc(1, sizeof *s);
	if (!s || (fallback && !(s->fallback = px_strdup(fallback, e)))) {
		free(s);
		file_scan_members_free(m, n);
		return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	}
	s->m = m;
	s->n = n;
	s->o = *o;
	s->sink = sink;
	s->r = r;
	s->e = e;
	for (size_t i = 0; i < n; i++) {
		struct file_ident id;
		perr ignored = { 0 };
		if (m[i].exists && file_ident_get(m[i].path, &id, &ignored) == 0)
			s->total += id.size;
	}
	if (file_scan_next(s) < 0) {
		file_scan_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

static double file_scan_clock_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int file_scan_step(struct file_scan *s, double deadline_ms)
{
	while (s->cur) {
		int rc = ndjson_scanner_step(s->cur, FILE_SCAN_STEP_BYTES);
		if (rc < 0) {
			metrics_note_scan((int64_t)(s->r->n_an - s->an_before), 0);
			return -1;
		}
		if (rc == 0) {
			/* the bytes count is only final at the end: keep the last figure */
			s->done += ndjson_scanner_done_bytes(s->cur);
			ndjson_scanner_close(s->cur);
			s->cur = NULL;
			metrics_note_scan((int64_t)(s->r->n_an - s->an_before), 1);
			if ((rc = file_scan_next(s)) <= 0)
				return rc;
		}
		if (deadline_ms > 0 && file_scan_clock_ms() >= deadline_ms)
			return 1;
	}
	return 0;
}

void file_scan_progress(const struct file_scan *s, int64_t *done, int64_t *total)
{
	*done = s->done + (s->cur ? ndjson_scanner_done_bytes(s->cur) : 0);
	*total = s->total;
}

void file_scan_members_free(struct file_scan_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].path);
	free(m);
}

void file_scan_close(struct file_scan *s)
{
	if (!s)
		return;
	if (s->cur)
		ndjson_scanner_close(s->cur);
	file_scan_members_free(s->m, s->n);
	free(s->fallback);
	free(s);
}

int file_scan_open_single(struct file_scan **out, const char *path, const struct scan_opts *o,
			  const struct scan_sink *sink, struct scan_report *r, perr *e)
{
	struct file_scan_member *m = calloc(1, sizeof *m);
	if (!m || !(m->path = px_strdup(path, e))) {
		free(m);
		*out = NULL;
		return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	}
	m->exists = m->temps = 1;
	return file_scan_open(out, m, 1, NULL, o, sink, r, e);
}

int file_read_row(const struct backend_rowref *ref, struct backend_row *out, perr *e)
{
	memset(out, 0, sizeof *out);
	if (ref->offset < 0 || ref->length < 0)
		return perr_set(e, PX_USAGE, "%s: no such line", ref->path);
	int fd;
	do
		fd = open(ref->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == ENOENT ? 0 : perr_set_errno(e, PX_IOERR, errno, "cannot open %s: %s", ref->path,
							      strerror(errno));
	char *buf = px_malloc((size_t)ref->length + 1, e);
	size_t got = 0;
	while (buf && got < (size_t)ref->length) {
		ssize_t n = pread(fd, buf + got, (size_t)ref->length - got, (off_t)(ref->offset + (int64_t)got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the file shrank under us: what is there */
		got += (size_t)n;
	}
	close(fd);
	if (!buf)
		return -1;
	buf[got] = '\0';
	out->data = buf;
	out->len = got;
	return 1;
}

int file_position(char *const *paths, size_t n, struct backend_pos *out, perr *e)
{
	out->n = 0;
	if (!(out->v = calloc(n ? n : 1, sizeof *out->v)))
		return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct backend_mark *m = &out->v[out->n];
		if (!(m->unit = px_strdup(paths[i], e)) || file_ident_get(paths[i], &m->ident, e) < 0) {
			free(m->unit);
			backend_pos_free(out);
			return -1;
		}
		m->exists = m->ident.exists;
		out->n++;
	}
	return 0;
}

static int file_growth_add(struct backend_growth *g, size_t *cap, const char *unit,
			   enum backend_growth_state st, int64_t from, int64_t to, perr *e)
{
	if (px_grow(&g->v, cap, g->n + 1, sizeof *g->v, e) < 0)
		return -1;
	struct backend_unit_growth *u = &g->v[g->n];
	if (!(u->unit = px_strdup(unit, e)))
		return -1;
	u->state = st;
	u->from = from;
	u->to = to;
	g->n++;
	g->rescan |= st == GROW_GONE || st == GROW_REPLACED;
	g->grew |= st == GROW_APPENDED || st == GROW_NEW;
	return 0;
}

int file_since(const struct backend_pos *at, char *const *paths, size_t n, struct backend_growth *out,
	       perr *e)
{
	size_t cap = 0;
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < at->n; i++) {
		const struct backend_mark *m = &at->v[i];
		struct file_ident now;
		if (file_ident_get(m->unit, &now, e) < 0)
			goto fail;
		enum backend_growth_state st = GROW_SAME;
		int64_t from = m->ident.size, to = now.size;
		if (!m->exists && now.exists)
			st = GROW_NEW, from = 0;
		else if (m->exists && !now.exists)
			st = GROW_GONE, to = 0;
		else if (!now.exists)
			st = GROW_SAME, from = to = 0;
		else if (now.dev != m->ident.dev || now.ino != m->ident.ino || now.size < m->ident.size)
			st = GROW_REPLACED;
		else if (now.size > m->ident.size)
			st = GROW_APPENDED;
		else if (now.mtime_ns != m->ident.mtime_ns)
			st = GROW_REPLACED; /* rewritten in place at the same size */
		if (file_growth_add(out, &cap, m->unit, st, from, to, e) < 0)
			goto fail;
	}
	/* files of the store that were not there at all (a rotation made P.k) */
	for (size_t k = 0; k < n; k++) {
		int known = 0;
		for (size_t i = 0; i < at->n && !known; i++)
			known = strcmp(at->v[i].unit, paths[k]) == 0;
		struct file_ident now;
		if (known)
			continue;
		if (file_ident_get(paths[k], &now, e) < 0)
			goto fail;
		if (now.exists && file_growth_add(out, &cap, paths[k], GROW_NEW, 0, now.size, e) < 0)
			goto fail;
		/* a new member beside the others means the set turned over */
		out->rescan |= now.exists && at->n > 0;
	}
	return 0;
fail:
	backend_growth_free(out);
	return -1;
}
