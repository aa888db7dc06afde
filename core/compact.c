/* NDJSON compaction (SPEC §5): retention applied in passes over the file
 * with the shared scanner, surviving lines written byte for byte into a
 * temp file that replaces the original atomically.
 *
 * Memory stays bounded whatever the line count: the retention view
 * (retention.h) keeps a few counters, no per-line state.  Pass 1 feeds it
 * every line.  In the usual case (every line a record, timestamps in
 * append order) the survivors are then one tail of the file, whose start
 * is found from those totals and a search for line starts, and copied as
 * bytes.  Otherwise (lines kept under --force, timestamps out of order) a
 * second scanner pass asks the view about each line and writes the
 * survivors. */
#include "compact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "live.h"
#include "retention.h"
#include "scan.h"

struct compact_ctx {
	struct retview rv;     /* what the policy keeps */
	int writing;           /* the pass writes the survivors (else it feeds rv) */
	int64_t kept;          /* records written */
	int last_unterminated; /* the last line has no "\n" */
	/* output */
	const char *path; /* the data file, for messages */
	const char *tmp_shown;
	int src, out;
	char *buf;
	size_t n;
	int64_t written;
	int64_t tail_start; /* >= 0: survivors are the bytes from here to the end */
	int64_t limit;      /* the complete lines when locked: what retention decides on */
	int failed;
	perr *e;
};

/* Bytes a line occupies in the file, with its "\n" when it has one. */
static int64_t compact_line_bytes(const struct scan_line *l)
{
	return l->length + ((l->flags & SL_TRUNCATED) ? 0 : 1);
}

static int compact_write(struct compact_ctx *c, const char *p, size_t n)
{
	if (fsutil_write_all(c->out, p, n, c->tmp_shown, c->e) != 0)
		return -1;
	fsutil_start_writeback(c->out, c->written, (int64_t)n);
	c->written += (int64_t)n;
	return 0;
}

static int compact_flush(struct compact_ctx *c)
{
	int rc = c->n ? compact_write(c, c->buf, c->n) : 0;
	c->n = 0;
	return rc;
}

/* Copy [off, end) of the source to the output; count its "\n" in `*nl`. */
static int compact_copy_range(struct compact_ctx *c, int64_t off, int64_t end, int64_t *nl)
{
	while (off < end) {
		size_t want = (size_t)(end - off) < FSUTIL_BUF_SIZE ? (size_t)(end - off) : FSUTIL_BUF_SIZE;
		ssize_t r = fsutil_pread(c->src, c->buf, want, off, c->path, c->e);
		if (r <= 0)
			return r < 0 ? -1 : perr_set(c->e, PX_IOERR, "%s shrank during compaction", c->path);
		if (nl)
			for (const char *p = c->buf, *q = c->buf + r; (p = memchr(p, '\n', (size_t)(q - p))); p++)
				(*nl)++;
		if (compact_write(c, c->buf, (size_t)r) != 0)
			return -1;
		off += r;
	}
	return 0;
}

/* Append a kept line to the output, byte for byte. */
static int compact_emit(struct compact_ctx *c, const struct scan_line *l)
{
	int64_t total = compact_line_bytes(l);
	if (l->bytes && (size_t)total <= FSUTIL_BUF_SIZE) {
		if (c->n + (size_t)total > FSUTIL_BUF_SIZE && compact_flush(c) != 0)
			return -1;
		memcpy(c->buf + c->n, l->bytes, (size_t)l->length);
		if (total > l->length)
			c->buf[c->n + (size_t)l->length] = '\n';
		c->n += (size_t)total;
		return 0;
	}
	/* A line longer than the scanner's buffer: copy it from the file. */
	if (compact_flush(c) != 0)
		return -1;
	return compact_copy_range(c, l->offset, l->offset + total, NULL);
}

static void compact_on_line(void *ctx, const struct scan_line *l)
{
	struct compact_ctx *c = ctx;
	if (c->failed)
		return;
	if (!c->writing) {
		c->last_unterminated = (l->flags & SL_TRUNCATED) != 0;
		c->failed = retview_add(&c->rv, l, c->e) != 0;
		return;
	}
	if (!retview_compact_keeps(&c->rv, l))
		return;
	c->kept += (l->flags & SL_VALID) != 0;
	c->failed = compact_emit(c, l) != 0;
}

/* One scanner pass over the file; it must still be the file we locked. */
static int compact_pass(struct compact_ctx *c, const struct file_ident *id)
{
	struct scan_report rep;
	struct scan_opts opts = {.limit = c->limit};
	struct scan_sink sink = {c, compact_on_line};
	struct ndjson_scanner *s = NULL;
	scan_report_init(&rep);
	int rc = ndjson_scanner_open(&s, c->path, c->path, &opts, &sink, &rep, c->e);
	while (rc == 0 && (rc = ndjson_scanner_step(s, SIZE_MAX)) == 1)
		rc = 0;
	ndjson_scanner_close(s);
	for (size_t i = 0; rc == 0 && i < rep.n_an; i++)
		if (rep.an[i].type == AN_PARTIAL_WRITE)
			rc = perr_set(c->e, PX_IOERR, "%s could not be read fully; nothing was changed", c->path);
	if (rc == 0 && (rep.n_files != 1 || rep.files[0].ident.dev != id->dev ||
			rep.files[0].ident.ino != id->ino || rep.files[0].bytes != c->limit))
		rc = perr_setr(c->e, PX_IOERR, PR_STALE, "%s changed during compaction; nothing was changed", c->path);
	scan_report_free(&rep);
	if (rc == 0 && c->failed)
		rc = -1;
	return rc;
}

/* Offset just after the k-th "\n" at or after `off` (the file size when
 * there are fewer). */
static int compact_skip_lines(struct compact_ctx *c, int64_t off, int64_t k, int64_t size,
			      int64_t *out)
{
	while (k > 0 && off < size) {
		size_t want = (size_t)(size - off) < FSUTIL_BUF_SIZE ? (size_t)(size - off) : FSUTIL_BUF_SIZE;
		ssize_t r = fsutil_pread(c->src, c->buf, want, off, c->path, c->e);
		if (r <= 0)
			return r < 0 ? -1 : perr_set(c->e, PX_IOERR, "%s shrank during compaction", c->path);
		const char *p = c->buf, *end = c->buf + r;
		while (k > 0 && (p = memchr(p, '\n', (size_t)(end - p)))) {
			p++;
			k--;
		}
		off += k > 0 ? r : p - c->buf;
	}
	*out = off < size ? off : size;
	return 0;
}

/* The survivors are one tail of the file (retview_suffix): find where it
 * starts, reading only up to there. */
static int compact_tail_start(struct compact_ctx *c, const struct retview_suffix *sx,
			      int64_t *start)
{
	int64_t s = sx->from;
	if (sx->skip > 0 && compact_skip_lines(c, s, sx->skip, sx->end, &s) != 0)
		return -1;
	/* the first line that starts at or after min_start */
	if (s < sx->min_start && compact_skip_lines(c, sx->min_start - 1, 1, sx->end, &s) != 0)
		return -1;
	*start = s;
	return 0;
}

/* Write the survivors into a temp file beside the data file and switch it
 * into place with whatever was appended meanwhile (live.h). */
static int compact_rewrite(struct compact_ctx *c, int fd, const struct stat *st,
			   const struct file_ident *id, struct compact_result *res)
{
	char *dir = fsutil_dirname(c->path, c->e);
	int dirfd = dir ? fsutil_open_dir(dir, 0, c->e) : -1;
	struct fsutil_replace rep;
	struct live_copy *lc = NULL;
	int rc = dirfd < 0 ? -1 : fsutil_replace_begin(&rep, dirfd, dir, c->path, fd, st, c->e);
	int begun = rc == 0;
	struct stat tst;
	if (rc == 0 && fstat(rep.fd, &tst) != 0)
		rc = perr_set(c->e, PX_IOERR, "cannot stat %s: %s", rep.tmp_shown, strerror(errno));
	if (rc == 0) {
		c->out = rep.fd;
		c->tmp_shown = rep.tmp_shown;
		if (c->tail_start >= 0) {
			int64_t nl = 0;
			rc = compact_copy_range(c, c->tail_start, c->limit, &nl);
			c->kept = nl + (c->last_unterminated && c->tail_start < c->limit);
		} else {
			c->writing = 1;
			retview_rewind(&c->rv);
			rc = compact_pass(c, id);
			if (rc == 0)
				rc = compact_flush(c);
		}
	}
	if (rc == 0 && !(lc = malloc(sizeof *lc)))
		rc = perr_set(c->e, PX_IOERR, "out of memory");
	if (rc == 0) {
		char *name = (char *)px_basename(c->path);
		live_init(lc, fd, c->path, rep.fd, rep.tmp_shown, c->buf, FSUTIL_BUF_SIZE, c->e);
		lc->done = c->limit;
		struct live_names nm = {
			.dirfd = dirfd, .dir = dir, .tmp = rep.tmp, .names = &name, .n = 1,
			.dev = id->dev, .ino = id->ino, .tdev = tst.st_dev, .tino = tst.st_ino,
			.shown = c->path,
		};
		struct live_switch sw = {live_names_swap, live_names_after, live_names_keep, &nm};
		rc = live_commit(lc, &sw);
		res->applied = lc->committed;
		res->lines_caught_up = lc->lines;
		c->written += lc->bytes;
		c->kept += lc->lines - lc->invalid;
		if (lc->no_lease)
			snprintf(res->lease_note, sizeof res->lease_note, "%s", lc->lease_note);
		if (lc->committed) {
			rep.committed = 1; /* the temp name now holds the original, or nothing */
			if (rc != 0) {
				char msg[PERR_MSG_MAX];
				memcpy(msg, c->e->msg, sizeof msg);
				perr_set(c->e, PX_IOERR, "the compaction of %s was applied, but %s", c->path, msg);
			}
		}
	}
	if (begun)
		fsutil_replace_end(&rep);
	free(lc);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	return rc;
}

int compact_ndjson_file(const char *path, const struct retention *ret, double now,
			struct compact_result *res, perr *e)
{
	memset(res, 0, sizeof *res);
	res->backend = "json";
	res->bytes_known = 1;
	struct stat st;
	int err = 0;
	int fd = fsutil_open_data(path, &st, &err, e);
	if (fd < 0)
		return err == ENOENT ? 0 : -1; /* a missing file has nothing to compact */
	struct file_ident id;
	struct compact_ctx c = {
		.path = path, .src = fd, .out = -1, .tail_start = -1, .e = e,
	};
	retview_init(&c.rv, ret, now, 0);
	int rc = fsutil_lock(fd, path, e);
	if (rc == 0)
		rc = fsutil_ident_fd(fd, &id, path, e);
	if (rc == 0 && !(c.buf = px_malloc(FSUTIL_BUF_SIZE, e)))
		rc = -1;
	if (rc == 0)
		rc = live_planned_end(fd, path, id.size, c.buf, FSUTIL_BUF_SIZE, &c.limit, e);
	if (rc == 0 && c.limit > 0) /* else no complete line yet: nothing to decide on */
		rc = compact_pass(&c, &id); /* pass 1 */
	retview_finish(&c.rv);
	int drops = rc == 0 && retview_drops(&c.rv);
	struct retview_suffix sx;
	res->before_records = res->after_records = retview_records(&c.rv);
	res->before_bytes = res->after_bytes = c.limit;
	/* the tail is located by offsets into the file locked, so the lines
	 * must cover exactly those bytes; anything else goes line by line */
	if (drops && retview_suffix(&c.rv, &sx) && sx.end == c.limit) {
		rc = compact_tail_start(&c, &sx, &c.tail_start);
		drops = c.tail_start > 0;
	}
	if (rc == 0 && drops) {
		rc = compact_rewrite(&c, fd, &st, &id, res);
		if (rc == 0 || res->applied) {
			res->after_records = c.kept;
			res->after_bytes = c.written;
		}
	}
	retview_free(&c.rv);
	free(c.buf);
	close(fd);
	return rc;
}
