/* The NDJSON file scanner (SPEC §3): reads in fixed chunks, splits lines at
 * "\n" only, validates each with jsonv, and reports anomalies in line order.
 * Memory is the read buffer plus the report, whatever the file size. */
#include "scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "salvage.h"
#include "schema.h"

/* Read size: large enough that read() overhead vanishes next to the
 * validator, small enough to keep the scanner's RSS a few MiB. */
#define SCAN_CHUNK (1u << 20)
/* A line longer than the buffer is validated in pieces; its bytes are not
 * kept, so listings see it without bytes (scan_line.bytes == NULL). */
#define SCAN_BUF (2u * SCAN_CHUNK)
/* Captured spans longer than this are not re-read for a long line. */
#define SCAN_SPAN_REREAD 256


int file_ident_get(const char *path, struct file_ident *id, perr *e)
{
	struct stat st;
	memset(id, 0, sizeof *id);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return perr_set(e, PX_IOERR, "%s: %s", path, strerror(errno));
	}
	id->exists = 1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = (int64_t)st.st_size;
	id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	id->nlink = (int64_t)st.st_nlink;
	return 0;
}

int file_ident_same(const struct file_ident *a, const struct file_ident *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime_ns == b->mtime_ns;
}

struct ndjson_scanner {
	int fd;
	char *display;
	struct scan_opts opts;
	const struct scan_sink *sink;
	struct scan_report *r;
	size_t file_index;
	perr *e;

	char *buf;
	size_t len;      /* bytes in buf */
	size_t start;    /* start of the current line in buf */
	int64_t buf_off; /* file offset of buf[0] */
	int eof, done;

	int64_t line;      /* number of the current line */
	int64_t line_off;  /* file offset of the current line */
	int in_long;       /* current line exceeded the buffer: fed in pieces */
	int long_last_cr;  /* last byte fed of a long line was "\r" */

	struct jsonv v;
	struct jsonv_field fields[SF__COUNT];
	struct jsonv_capture cap;
};

static struct scan_file *cur_file(struct ndjson_scanner *s)
{
	return &s->r->files[s->file_index];
}

/* Reads a captured span of a long line back from the file (it is gone from
 * the buffer).  Only short spans: kind and timestamp. */
static const char *reread_span(struct ndjson_scanner *s, const struct jsonv_field *f,
			       char *out, size_t outlen)
{
	if (f->len == 0 || f->len >= outlen)
		return NULL;
	ssize_t n = pread(s->fd, out, (size_t)f->len, s->line_off + (int64_t)f->off);
	if (n != (ssize_t)f->len)
		return NULL;
	return out;
}

static double span_double(const char *p, size_t n, int *ok)
{
	char tmp[64];
	*ok = 0;
	if (!p || n == 0 || n >= sizeof tmp)
		return 0;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	char *end;
	double d = strtod(tmp, &end); /* accepts NaN / Infinity spellings too */
	if (end != tmp + n)
		return 0;
	*ok = 1;
	return d;
}

/* The part of classifying a valid object that the file scanner and the
 * Redis backend share: kind, timestamp and the strict check.  `kline` is
 * where schema_kind finds the kind span described by `kfields` (NULL when
 * it could not be read), `ts` the timestamp span's bytes (or NULL).  Sets
 * SL_VALID, SL_TS_*, kind and ts in `sl` (whose `fields` are set); returns
 * -1 with SL_SCHEMA set and the reason in `why` when strict and the record
 * does not match SPEC §2.1, else 0. */
static int object_classify(struct scan_line *sl, const char *kline,
			   const struct jsonv_field *kfields, const char *ts, int strict,
			   char *why, size_t whylen)
{
	const struct jsonv_field *f = sl->fields, *tf = &f[SF_TIMESTAMP];
	sl->flags |= SL_VALID;
	sl->kind = schema_kind(kline, kfields);
	if (tf->type == JV_NUMBER) {
		int ok;
		sl->ts = span_double(ts, (size_t)tf->len, &ok);
		if (ok)
			sl->flags |= SL_TS_NUMBER;
	} else if (tf->type != JV_NONE) {
		sl->flags |= SL_TS_OTHER;
	}
	if (strict && schema_check(sl->kind, f[SF_KIND].type != JV_NONE, f, why, whylen) < 0) {
		sl->flags |= SL_SCHEMA;
		return -1;
	}
	return 0;
}

enum scan_verdict scan_classify_record(const char *bytes, size_t n, int strict, struct jsonv *v,
				       struct jsonv_capture *cap, struct scan_line *out,
				       char *why, size_t whylen)
{
	out->bytes = bytes;
	out->length = (int64_t)n;
	out->kind = RK_UNKNOWN;
	out->fields = NULL;
	if (why && whylen)
		why[0] = '\0';
	if (jsonv_check(v, bytes, n, cap) < 0) {
		out->flags |= SL_CORRUPT;
		return SV_INVALID;
	}
	if (jsonv_top_type(v) != JV_OBJECT) {
		out->flags |= SL_CORRUPT;
		return SV_NOT_OBJECT;
	}
	out->fields = cap->fields;
	const struct jsonv_field *tf = &cap->fields[SF_TIMESTAMP];
	object_classify(out, bytes, cap->fields, tf->type == JV_NUMBER ? bytes + tf->off : NULL,
			strict, why, whylen);
	return SV_OBJECT;
}

static int add_anomaly(struct ndjson_scanner *s, enum anomaly_type t, int64_t length,
		       unsigned flags, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int add_anomaly(struct ndjson_scanner *s, enum anomaly_type t, int64_t length,
		       unsigned flags, const char *fmt, ...)
{
	char buf[PERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	cur_file(s)->anomalies++;
	return scan_report_add(s->r, t, s->display, s->line, s->line_off, length, NULL, flags,
			       s->e, "%s", buf);
}

/* Classify the line whose validation just finished.  `bytes` is the whole
 * line when it was in memory, else NULL. */
static int finish_line(struct ndjson_scanner *s, const char *bytes, int64_t length,
		       int truncated)
{
	struct scan_file *f = cur_file(s);
	int valid = jsonv_finish(&s->v) == 0;
	struct scan_line sl = {
		.path = s->display, .file_index = s->file_index, .line = s->line,
		.offset = s->line_off, .length = length, .kind = RK_UNKNOWN, .bytes = bytes,
	};
	if (length > 0 && (bytes ? bytes[length - 1] == '\r' : s->long_last_cr))
		sl.flags |= SL_CRLF;
	f->lines++;

	if (truncated) {
		int complete = valid && jsonv_top_type(&s->v) == JV_OBJECT;
		sl.flags |= SL_TRUNCATED;
		if (add_anomaly(s, AN_TRUNCATED_LINE, length, complete ? AF_TAIL_COMPLETE : 0,
				complete ? "Line %lld missing newline (the record is complete; repair keeps it)"
					 : "Line %lld missing newline", (long long)s->line) < 0)
			return -1;
		if (!complete)
			valid = 0;
	}
	if (valid && jsonv_top_type(&s->v) != JV_OBJECT) {
		sl.flags |= SL_CORRUPT;
		if (add_anomaly(s, AN_CORRUPTED_LINE, length, 0,
				"Invalid JSON at line %lld (byte 0: valid JSON but not an object: %s)",
				(long long)s->line, jsonv_type_name(jsonv_top_type(&s->v))) < 0)
			return -1;
		valid = 0;
	} else if (!valid && !truncated) {
		sl.flags |= SL_CORRUPT;
		/* glued records after a torn one (SPEC §8): say so, keep the plan */
		struct salvage *sv = NULL;
		char note[128] = "";
		if (salvage_find(bytes, s->fd, s->line_off, length, &sv, s->e) < 0)
			return -1;
		if (sv)
			salvage_describe(sv, note, sizeof note);
		char detail[PERR_MSG_MAX];
		snprintf(detail, sizeof detail, "Invalid JSON at line %lld (byte %llu: %s)%s", (long long)s->line,
			 (unsigned long long)jsonv_error_pos(&s->v), jsonv_error_reason(&s->v), note);
		struct anomaly an = { .type = AN_CORRUPTED_LINE, .path = (char *)s->display, .detail = detail,
				      .line = s->line, .offset = s->line_off, .length = length,
				      .flags = sv ? AF_SALVAGE : 0, .salvage = sv };
		cur_file(s)->anomalies++;
		if (scan_report_put(s->r, &an, s->e) < 0)
			return -1;
	}

	if (valid) {
		char kbuf[SCAN_SPAN_REREAD], tbuf[SCAN_SPAN_REREAD], why[256];
		const struct jsonv_field *kf = &s->fields[SF_KIND], *tf = &s->fields[SF_TIMESTAMP];
		const char *kline = bytes, *ts = bytes ? bytes + tf->off : NULL;
		struct jsonv_field tmp[SF__COUNT];
		const struct jsonv_field *kfields = s->fields;
		if (!bytes && kf->type == JV_STRING) {
			/* schema_kind reads at f->off: hand it a view shifted to match */
			kline = reread_span(s, kf, kbuf, sizeof kbuf);
			memcpy(tmp, s->fields, sizeof tmp);
			tmp[SF_KIND].off = 0;
			kfields = tmp;
		}
		if (!bytes && tf->type == JV_NUMBER)
			ts = reread_span(s, tf, tbuf, sizeof tbuf);
		sl.fields = s->fields;
		if (object_classify(&sl, kline, kfields, ts, s->opts.strict, why, sizeof why) < 0 &&
		    add_anomaly(s, AN_SCHEMA_MISMATCH, length, 0, "Schema mismatch at line %lld: %s",
				(long long)s->line, why) < 0)
			return -1;
		f->records[sl.kind]++;
	}
	if (s->sink && s->sink->on_line)
		s->sink->on_line(s->sink->ctx, &sl);
	return 0;
}

/* Read more bytes into the buffer, keeping the current partial line.
 * Returns the number of bytes read, or -1. */
static ssize_t fill(struct ndjson_scanner *s)
{
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->len - s->start);
		s->buf_off += (int64_t)s->start;
		s->len -= s->start;
		s->start = 0;
	}
	size_t room = SCAN_BUF - s->len;
	if (room > SCAN_CHUNK)
		room = SCAN_CHUNK;
	if (s->opts.limit > 0 && (int64_t)room > s->opts.limit - s->buf_off - (int64_t)s->len)
		room = (size_t)(s->opts.limit - s->buf_off - (int64_t)s->len);
	ssize_t n = 0;
	do
		n = room ? read(s->fd, s->buf + s->len, room) : 0;
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0)
		s->eof = 1;
	s->len += (size_t)n;
	return n;
}

/* `err`: the errno that stopped the read, or 0 for "not a regular file".
 * The type stays PARTIAL_WRITE (a contract); the cause is in the detail. */
static int partial_write(struct ndjson_scanner *s, int err)
{
	cur_file(s)->anomalies++;
	s->done = 1;
	return scan_report_add(s->r, AN_PARTIAL_WRITE, s->display, 0, -1, -1, NULL, 0, s->e,
			       "File could not be read fully: %s",
			       err ? strerror(err) : "not a regular file");
}

/* Process the complete lines in the buffer. */
static int process(struct ndjson_scanner *s)
{
	for (;;) {
		const char *p = s->buf + s->start;
		size_t avail = s->len - s->start;
		const char *nl = memchr(p, '\n', avail);
		if (!nl)
			break;
		size_t n = (size_t)(nl - p);
		if (s->in_long) {
			jsonv_feed(&s->v, p, n);
			if (n)
				s->long_last_cr = p[n - 1] == '\r';
			int64_t length = s->buf_off + (int64_t)s->start + (int64_t)n - s->line_off;
			if (finish_line(s, NULL, length, 0) < 0)
				return -1;
			s->in_long = 0;
		} else {
			jsonv_init(&s->v, &s->cap);
			jsonv_feed(&s->v, p, n);
			if (finish_line(s, p, (int64_t)n, 0) < 0)
				return -1;
		}
		s->start += n + 1;
		s->line++;
		s->line_off = s->buf_off + (int64_t)s->start;
	}
	return 0;
}

int ndjson_scanner_step(struct ndjson_scanner *s, size_t budget)
{
	size_t used = 0;
	while (!s->done && used < budget) {
		if (s->eof) {
			/* an unterminated last line (or the end of a long one) */
			if ((s->in_long || s->len > s->start) && !s->opts.complete_only) {
				const char *p = s->buf + s->start;
				size_t n = s->len - s->start;
				int64_t length = s->buf_off + (int64_t)s->len - s->line_off;
				if (!s->in_long)
					jsonv_init(&s->v, &s->cap);
				jsonv_feed(&s->v, p, n);
				if (n)
					s->long_last_cr = p[n - 1] == '\r';
				if (finish_line(s, s->in_long ? NULL : p, length, 1) < 0)
					return -1;
			}
			s->done = 1;
			break;
		}
		if (s->len - s->start == SCAN_BUF) {
			/* the line fills the whole buffer: validate what we have, drop it */
			if (!s->in_long) {
				jsonv_init(&s->v, &s->cap);
				s->in_long = 1;
			}
			jsonv_feed(&s->v, s->buf + s->start, s->len - s->start);
			s->long_last_cr = s->buf[s->len - 1] == '\r';
			s->start = s->len;
		}
		ssize_t got = fill(s);
		if (got < 0)
			return partial_write(s, errno) < 0 ? -1 : 0;
		if (process(s) < 0)
			return -1;
		used += (size_t)got + 1;
	}
	cur_file(s)->bytes = s->buf_off + (int64_t)s->len;
	return s->done ? 0 : 1;
}

int64_t ndjson_scanner_done_bytes(const struct ndjson_scanner *s)
{
	return s->buf_off + (int64_t)s->start;
}

int ndjson_scanner_open(struct ndjson_scanner **out, const char *path, const char *display,
			const struct scan_opts *o, const struct scan_sink *sink,
			struct scan_report *r, perr *e)
{
	*out = NULL;
	struct ndjson_scanner *s = calloc(1, sizeof *s);
	if (!s)
		return perr_set(e, PX_IOERR, "out of memory");
	s->fd = -1;
	s->opts = *o;
	s->sink = sink;
	s->r = r;
	s->e = e;
	s->line = 1;
	schema_capture_init(s->fields, &s->cap);
	/* Without a sink or the strict check nobody reads the other members:
	 * capturing only "kind" (the first field) keeps the scan at full speed. */
	if (!sink && !o->strict)
		s->cap.n = SF_KIND + 1;
	if (!(s->display = px_strdup(display, e)) || !scan_report_add_file(r, display, e))
		goto fail;
	s->file_index = r->n_files - 1;
	if (o->fd > 0) {
		cur_file(s)->ident.exists = 1;
	} else if (file_ident_get(path, &cur_file(s)->ident, e) < 0) {
		int err = errno;
		if (partial_write(s, err) < 0)
			goto fail;
		*out = s;
		return 0;
	}
	if (!cur_file(s)->ident.exists) {
		s->done = 1; /* a missing file is clean */
		*out = s;
		return 0;
	}
	if (!(s->buf = malloc(SCAN_BUF))) {
		perr_set(e, PX_IOERR, "out of memory");
		goto fail;
	}
	/* O_NONBLOCK: a FIFO slipped in must not hang us; regular files ignore it */
	if (o->fd > 0) {
		s->fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 3);
		if (s->fd >= 0 && lseek(s->fd, 0, SEEK_SET) != 0) {
			close(s->fd);
			s->fd = -1;
		}
	} else
		s->fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int err = 0;
	if (s->fd < 0 || fstat(s->fd, &st) < 0)
		err = errno;
	if (err || !S_ISREG(st.st_mode)) {
		if (partial_write(s, err) < 0)
			goto fail;
	} else {
		/* the identity of the file read, not of whatever the name held a
		 * moment before (a rotation may rename it in between) */
		struct file_ident *id = &cur_file(s)->ident;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->size = (int64_t)st.st_size;
		id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	}
	*out = s;
	return 0;
fail:
	ndjson_scanner_close(s);
	return -1;
}

void ndjson_scanner_close(struct ndjson_scanner *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	free(s->display);
	free(s);
}

int scan_ndjson_file(const char *path, const char *display, const struct scan_opts *o,
		     const struct scan_sink *sink, struct scan_report *r, perr *e)
{
	struct ndjson_scanner *s;
	size_t before = r->n_an;
	if (ndjson_scanner_open(&s, path, display, o, sink, r, e) < 0)
		return -1;
	int rc;
	while ((rc = ndjson_scanner_step(s, SIZE_MAX)) == 1)
		;
	ndjson_scanner_close(s);
	metrics_note_scan((int64_t)(r->n_an - before), rc == 0);
	return rc < 0 ? -1 : 0;
}

int scan_ndjson_continue(struct scan_report *r, size_t file_index, int64_t from, int64_t line,
			 const struct scan_opts *o, const struct scan_sink *sink,
			 struct scan_more *more, perr *e)
{
	memset(more, 0, sizeof *more);
	more->end = from;
	struct scan_file *f = &r->files[file_index];
	struct stat st;
	int fd = open(f->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != f->ident.dev ||
	    st.st_ino != f->ident.ino || (int64_t)st.st_size < from || lseek(fd, (off_t)from, SEEK_SET) != from) {
		if (fd >= 0)
			close(fd);
		more->changed = 1; /* gone, another file, truncated: only a new scan says what is there */
		return 0;
	}
	struct ndjson_scanner *s = calloc(1, sizeof *s);
	if (!s || !(s->display = px_strdup(f->path, e)) || !(s->buf = malloc(SCAN_BUF))) {
		close(fd);
		ndjson_scanner_close(s);
		return perr_set(e, PX_IOERR, "out of memory");
	}
	s->fd = fd;
	s->opts = *o;
	s->opts.fd = 0;
	s->sink = sink;
	s->r = r;
	s->e = e;
	s->file_index = file_index;
	s->line = line;
	s->buf_off = s->line_off = from;
	schema_capture_init(s->fields, &s->cap);
	int rc;
	while ((rc = ndjson_scanner_step(s, SIZE_MAX)) == 1)
		;
	more->end = s->line_off;
	more->pending = s->buf_off + (int64_t)s->len - s->line_off;
	f = &r->files[file_index];
	if (fstat(fd, &st) == 0) {
		f->ident.size = (int64_t)st.st_size;
		f->ident.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	}
	ndjson_scanner_close(s);
	return rc < 0 ? -1 : 0;
}
