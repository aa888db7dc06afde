/* Marks and the hand-off (m, u, U, w), as lnav's bookmarks: the operator
 * marks the rows of an incident, jumps between them, and writes them (or,
 * with no mark, the rows the current view shows under the filter) to a
 * new NDJSON file, each line exactly as stored followed by "\n", to
 * attach to a ticket.  The file is created O_EXCL (never overwriting
 * anything), fsynced with its directory, and never inside the store: a
 * file beside the data file whose name starts with the store's would be
 * taken for a rotated member or an orphan.  Marks are per storage line
 * and last until the index is rebuilt (after a recovery or compaction). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "fsutil.h"
#include "screen.h"
#include "walk.h"

/* Longest file name typed for w. */
#define WRITE_PATH_MAX 1024

int marks_has(const struct console *c, size_t line)
{
	return line < c->marks_n && c->marks[line];
}

const char *marks_glyph(void)
{
	return screen_utf8() ? "\xc2\xbb" : ">";
}

void marks_clear(struct console *c)
{
	free(c->marks);
	c->marks = NULL;
	c->marks_n = 0;
	c->n_marked = 0;
}

static int64_t current_line(struct console *c, struct view **vp)
{
	struct view *v = &c->views[c->cur];
	*vp = v;
	if (c->cur >= V__LISTS || !v->ops->line_of || v->ops->rows(c, v) == 0)
		return -1;
	return v->ops->line_of(c, v, v->cur);
}

/* The marks array covers line l. */
static int marks_room(struct console *c, size_t l)
{
	if (l < c->marks_n)
		return 0;
	size_t nn = c->m.n > l ? c->m.n : l + 1;
	uint8_t *nm = realloc(c->marks, nn);
	if (!nm)
		return -1;
	memset(nm + c->marks_n, 0, nn - c->marks_n);
	c->marks = nm;
	c->marks_n = nn;
	return 0;
}

int marks_set(struct console *c, size_t l)
{
	if (marks_room(c, l) < 0)
		return -1;
	if (!c->marks[l])
		c->n_marked++;
	c->marks[l] = 1;
	return 0;
}

void marks_toggle(struct console *c)
{
	struct view *v;
	int64_t l = current_line(c, &v);
	if (l < 0 || c->cur == V_ANOMALIES) {
		console_status(c, ROLE_WARN, "%s", " m marks a row of Events, Audits, Dead letters or Raw");
		return;
	}
	if (marks_room(c, (size_t)l) < 0) {
		console_status(c, ROLE_ANOMALY, "%s", " Out of memory: the row is not marked");
		return;
	}
	c->marks[l] = !c->marks[l];
	c->n_marked += c->marks[l] ? 1 : -1;
	char where[PATH_SHOWN_MAX];
	model_where(&c->m, (size_t)l, where, sizeof where);
	console_status(c, ROLE_NORMAL, " %s line %s: %lld marked (u/U jump, w writes them)",
		       c->marks[l] ? "Marked" : "Unmarked", where, (long long)c->n_marked);
	console_goto(c, v, v->cur + 1);
}

void marks_jump(struct console *c, int dir)
{
	struct view *v;
	if (current_line(c, &v) < 0 || !c->n_marked) {
		console_status(c, ROLE_WARN, "%s", c->n_marked ? " No marks in this view" : " No marks: m marks a row");
		return;
	}
	int64_t n = v->ops->rows(c, v);
	for (int64_t k = 1; k <= n; k++) {
		int64_t r = v->cur + dir * k;
		if (r < 0 || r >= n)
			break;
		int64_t l = v->ops->line_of(c, v, r);
		if (l >= 0 && marks_has(c, (size_t)l)) {
			console_goto(c, v, r);
			console_status(c, ROLE_NORMAL, " Mark: row %lld of %lld", (long long)r + 1, (long long)n);
			return;
		}
	}
	console_status(c, ROLE_WARN, " No mark %s this row in this view", dir > 0 ? "below" : "above");
}

/* Would `path` become part of the store?  Its directory is the data
 * file's and its name starts with the data file's (a member, an orphan,
 * a temporary file of the set).  Redis stores no file. */
static int inside_one(const char *store, const char *path, char *why, size_t cap)
{
	perr e = { 0 };
	char *sdir = fsutil_dirname(store, &e), *tdir = fsutil_dirname(path, &e);
	char rs[PATH_MAX], rt[PATH_MAX];
	int inside = sdir && tdir && realpath(sdir, rs) && realpath(tdir, rt) && strcmp(rs, rt) == 0 &&
		     strncmp(px_basename(path), px_basename(store), strlen(px_basename(store))) == 0;
	if (inside)
		snprintf(why, cap, "%s would be read as part of the store (its name starts with %s, beside it)",
			 path, px_basename(store));
	free(sdir);
	free(tdir);
	return inside;
}

/* Beside the store's file (every store's, when several are merged). */
static int inside_store(struct console *c, const char *path, char *why, size_t cap)
{
	if (!c->m.t->has_files)
		return 0;
	for (size_t k = 0; k < c->opt->n_sources; k++)
		if (inside_one(c->opt->sources[k]->cfg->path, path, why, cap))
			return 1;
	return c->cfg->path && inside_one(c->cfg->path, path, why, cap);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The lines to write: every marked line, else the current view's rows. */
struct wsel {
	struct view *v;
	int marked;
	int64_t n;
};

static int64_t wsel_line(struct console *c, const struct wsel *s, int64_t k, size_t *scan)
{
	if (!s->marked)
		return s->v->ops->line_of(c, s->v, k);
	/* *scan walks the record views' order (merged stores: by time) */
	for (; *scan < c->m.n; (*scan)++) {
		size_t l = model_at(&c->m, *scan);
		if (l < c->marks_n && c->marks[l]) {
			(*scan)++;
			return (int64_t)l;
		}
	}
	return -1;
}

void marks_write(struct console *c)
{
	struct wsel s = { NULL, c->n_marked > 0, c->n_marked };
	if (current_line(c, &s.v) < 0 && !s.marked) {
		console_status(c, ROLE_WARN, "%s", " w writes the marked rows, or the rows of Events, Audits, Dead "
			       "letters or Raw as filtered");
		return;
	}
	if (!s.marked) {
		if (c->cur == V_ANOMALIES || !s.v->ops->line_of) {
			console_status(c, ROLE_WARN, "%s", " w: nothing to write from this view (mark rows with m)");
			return;
		}
		if (!sel_done(&s.v->sel, &c->m)) {
			/* never part of the filtered rows written as if they were all */
			console_status(c, ROLE_WARN, " w: the filter is still being applied (%d%% of lines looked at): "
				       "nothing written; press w again once it is done", console_filter_progress(c) / 10);
			return;
		}
		s.n = s.v->ops->rows(c, s.v);
	}
	char path[WRITE_PATH_MAX] = "", label[160];
	snprintf(label, sizeof label, "write %lld %s%s to a new NDJSON file: ", (long long)s.n,
		 s.marked ? "marked line" : c->filt.active && c->cur != V_RAW ? "filtered row" : "row",
		 s.n == 1 ? "" : "s");
	if (!console_prompt(c, PH_WRITE, label, path, sizeof path) || !path[0])
		return;
	char why[PATH_MAX + 200];
	if (inside_store(c, path, why, sizeof why)) {
		console_status(c, ROLE_ANOMALY, " Not written: %s", why);
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		console_status(c, ROLE_ANOMALY, " Not written: %s: %s%s", path, strerror(errno),
			       errno == EEXIST ? " (w never overwrites: choose a new name)" : "");
		return;
	}
	size_t scan = 0;
	int64_t done = 0, bytes = 0;
	const char *err = NULL;
	for (int64_t k = 0; k < s.n && !err; k++) {
		int64_t l = wsel_line(c, &s, k, &scan);
		if (l < 0)
			break;
		size_t want = c->m.len[l];
		long got = console_read(c, (size_t)l, want ? want : 1);
		if (got < 0 || (size_t)got != want)
			err = "a line could not be read back whole (the store changed?)";
		else if (write_all(fd, c->rowbuf, want) < 0 || write_all(fd, "\n", 1) < 0)
			err = strerror(errno);
		done++;
		bytes += (int64_t)want + 1;
	}
	perr e = { 0 };
	if (!err && fsync(fd) != 0)
		err = strerror(errno);
	if (close(fd) != 0 && !err)
		err = strerror(errno);
	char *dir = err ? NULL : fsutil_dirname(path, &e);
	int dfd = dir ? fsutil_open_dir(dir, 0, &e) : -1;
	if (!err && (dfd < 0 || fsutil_fsync_dirfd(dfd, dir, &e) < 0))
		err = e.msg[0] ? e.msg : "cannot sync the directory";
	if (dfd >= 0)
		close(dfd);
	free(dir);
	if (err) {
		unlink(path);
		console_status(c, ROLE_ANOMALY, " Not written (%s): %s; nothing left behind", path, err);
		return;
	}
	char sz[32];
	walk_size(sz, sizeof sz, bytes);
	console_status(c, ROLE_OK, " Wrote %lld line%s (%s) to %s, each as stored%s", (long long)done,
		       done == 1 ? "" : "s", sz, path, s.marked ? "" : " (W: the same from the command line)");
}
