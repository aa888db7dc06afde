/* NDJSON compaction (SPEC §5): retention applied in passes over the file
 * with the shared scanner, surviving lines written byte for byte into a
 * temp file that replaces the original atomically.
 *
 * Memory stays bounded whatever the line count: no per-line state is kept.
 * Pass 1 counts the records that survive the age rule (and their bytes).
 * In the usual case (every line a record, timestamps in append order) the
 * survivors are then one tail of the file, found from those totals and
 * copied as bytes.  Otherwise (lines kept under --force, timestamps out of
 * order) pass 2, only when both a count and a size limit apply, measures
 * the bytes of the records the count rule keeps, and a last scanner pass
 * decides each line from the totals and writes the survivors. */
#include "compact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "scan.h"

struct compact_ctx {
	/* policy */
	int use_age, use_count, use_size;
	double cutoff;
	int64_t max_records, max_bytes;
	/* totals from earlier passes */
	int64_t age_kept;    /* records surviving the age rule */
	int64_t count_bytes; /* line bytes of the records surviving age and count */
	/* per-pass state */
	int writing;
	int64_t records, age_idx, prefix, kept, age_bytes, window_bytes;
	int64_t nonrecords;      /* lines that are not valid records */
	int64_t first_age_kept;  /* offset of the first record the age rule keeps, or -1 */
	int age_unordered;       /* an age-dropped record follows a kept one */
	int last_unterminated;   /* the last line has no "\n" */
	/* output */
	const char *path; /* the data file, for messages */
	const char *tmp_shown;
	int src, out;
	char *buf;
	size_t n;
	int64_t written;
	int64_t tail_start; /* >= 0: survivors are the bytes from here to the end */
	int failed;
	perr *e;
};

/* Bytes a line occupies in the file, with its "\n" when it has one. */
static int64_t compact_line_bytes(const struct scan_line *l)
{
	return l->length + ((l->flags & SL_TRUNCATED) ? 0 : 1);
}

static int compact_age_drops(const struct compact_ctx *c, const struct scan_line *l)
{
	return c->use_age && (l->flags & SL_TS_NUMBER) && l->ts < c->cutoff;
}

/* Whether record `l` survives: age first, then count, then size.  Updates
 * the running indexes, so it must be called once per record, in order. */
static int compact_keep_record(struct compact_ctx *c, const struct scan_line *l)
{
	if (compact_age_drops(c, l))
		return 0;
	int64_t idx = c->age_idx++;
	if (c->use_count && idx < c->age_kept - c->max_records)
		return 0;
	/* The kept suffix is the longest whose bytes fit: record k is in it iff
	 * everything from k to the end fits. */
	int fits = c->count_bytes - c->prefix <= c->max_bytes;
	c->prefix += compact_line_bytes(l);
	return !c->use_size || fits;
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
	c->last_unterminated = (l->flags & SL_TRUNCATED) != 0;
	/* Lines that are not records (only here under --force) are kept. */
	int keep = 1;
	if (!(l->flags & SL_VALID)) {
		c->nonrecords++;
	} else if (c->writing) {
		c->records++;
		keep = compact_keep_record(c, l);
		c->kept += keep;
	} else if (compact_age_drops(c, l)) {
		c->records++;
		c->age_unordered |= c->first_age_kept >= 0;
	} else {
		/* counting passes: age survivors, their bytes, and the bytes of
		 * the newest max_records of them */
		c->records++;
		if (c->first_age_kept < 0)
			c->first_age_kept = l->offset;
		int64_t idx = c->age_idx++;
		c->age_bytes += compact_line_bytes(l);
		if (c->use_count && idx >= c->age_kept - c->max_records)
			c->window_bytes += compact_line_bytes(l);
	}
	if (c->writing && keep && compact_emit(c, l) != 0)
		c->failed = 1;
}

static void compact_reset_pass(struct compact_ctx *c)
{
	c->records = c->age_idx = c->prefix = c->kept = 0;
	c->age_bytes = c->window_bytes = c->nonrecords = 0;
	c->first_age_kept = -1;
	c->age_unordered = c->last_unterminated = 0;
}

/* One scanner pass over the file; it must still be the file we locked. */
static int compact_pass(struct compact_ctx *c, const struct file_ident *id)
{
	struct scan_report rep;
	struct scan_opts opts = {0};
	struct scan_sink sink = {c, compact_on_line};
	struct ndjson_scanner *s = NULL;
	scan_report_init(&rep);
	compact_reset_pass(c);
	int rc = ndjson_scanner_open(&s, c->path, c->path, &opts, &sink, &rep, c->e);
	while (rc == 0 && (rc = ndjson_scanner_step(s, SIZE_MAX)) == 1)
		rc = 0;
	ndjson_scanner_close(s);
	for (size_t i = 0; rc == 0 && i < rep.n_an; i++)
		if (rep.an[i].type == AN_PARTIAL_WRITE)
			rc = perr_set(c->e, PX_IOERR, "%s could not be read fully; nothing was changed", c->path);
	if (rc == 0 && (rep.n_files != 1 || !file_ident_same(&rep.files[0].ident, id) ||
			rep.files[0].bytes != id->size))
		rc = perr_set(c->e, PX_IOERR, "%s changed during compaction; nothing was changed", c->path);
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

/* Every line a record and the age rule dropping a prefix: the survivors
 * are the tail of the file from the returned offset. */
static int compact_tail_start(struct compact_ctx *c, int64_t size, int64_t *start)
{
	int64_t s = c->first_age_kept >= 0 ? c->first_age_kept : size;
	if (c->use_count && c->age_kept > c->max_records &&
	    compact_skip_lines(c, s, c->age_kept - c->max_records, size, &s) != 0)
		return -1;
	if (c->use_size && size - s > c->max_bytes) {
		/* the first line that starts at or after size - max_bytes */
		if (compact_skip_lines(c, size - c->max_bytes - 1, 1, size, &s) != 0)
			return -1;
	}
	*start = s;
	return 0;
}

/* Write the survivors into a temp file beside the data file and put it in
 * place. */
static int compact_rewrite(struct compact_ctx *c, int fd, const struct stat *st,
			   const struct file_ident *id)
{
	char *dir = fsutil_dirname(c->path, c->e);
	int dirfd = dir ? fsutil_open_dir(dir, 0, c->e) : -1;
	struct fsutil_replace rep;
	int rc = dirfd < 0 ? -1 : fsutil_replace_begin(&rep, dirfd, dir, c->path, st, c->e);
	if (rc == 0) {
		c->out = rep.fd;
		c->tmp_shown = rep.tmp_shown;
		if (c->tail_start >= 0) {
			int64_t nl = 0;
			rc = compact_copy_range(c, c->tail_start, id->size, &nl);
			c->kept = nl + (c->last_unterminated && c->tail_start < id->size);
		} else {
			c->writing = 1;
			rc = compact_pass(c, id);
			if (rc == 0)
				rc = compact_flush(c);
		}
		if (rc == 0)
			rc = fsutil_replace_commit(&rep, fd, st, id, c->e);
	}
	if (dirfd >= 0) {
		fsutil_replace_end(&rep);
		close(dirfd);
	}
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
		.use_age = ret->max_age_seconds >= 0, .use_count = ret->max_records >= 0,
		.use_size = ret->max_total_bytes >= 0, .cutoff = now - ret->max_age_seconds,
		.max_records = ret->max_records, .max_bytes = ret->max_total_bytes,
		.path = path, .src = fd, .out = -1, .tail_start = -1, .e = e,
	};
	int rc = fsutil_lock(fd, path, e);
	if (rc == 0)
		rc = fsutil_ident_fd(fd, &id, path, e);
	if (rc == 0 && !(c.buf = px_malloc(FSUTIL_BUF_SIZE, e)))
		rc = -1;
	if (rc == 0)
		rc = compact_pass(&c, &id); /* pass 1 */
	int64_t records = c.records;
	c.age_kept = c.age_idx;
	c.count_bytes = c.age_bytes;
	int64_t count_kept = c.use_count && c.age_kept > c.max_records ? c.max_records : c.age_kept;
	int drops = c.age_kept < records || count_kept < c.age_kept ||
		    (c.use_size && c.age_bytes > c.max_bytes);
	res->before_records = res->after_records = records;
	res->before_bytes = res->after_bytes = (int64_t)st.st_size;
	if (rc == 0 && drops && c.nonrecords == 0 && !c.age_unordered) {
		rc = compact_tail_start(&c, id.size, &c.tail_start);
		drops = c.tail_start > 0;
	} else if (rc == 0 && drops && count_kept < c.age_kept) {
		if (c.use_size)
			rc = compact_pass(&c, &id); /* pass 2: bytes of the newest max_records */
		c.count_bytes = c.window_bytes;
	}
	if (rc == 0 && drops) {
		rc = compact_rewrite(&c, fd, &st, &id);
		if (rc == 0) {
			res->after_records = c.kept;
			res->after_bytes = c.written;
		}
	}
	free(c.buf);
	close(fd);
	return rc;
}
