/* Finding the complete records at the end of a corrupted line (salvage.h). */
#include "salvage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonv.h"

/* Read size for lines that are not in memory. */
#define SALVAGE_CHUNK (1u << 20)

struct salvage_finder {
	/* the line: in memory, or read through a one-chunk window */
	const char *mem;
	int fd;
	int64_t line_off, len;
	char *buf;
	int64_t buf_pos; /* line offset of buf[0] */
	size_t buf_len;
	perr *e;

	int64_t work, budget;
	struct jsonv v;
	struct jsonv_field kind;
	struct jsonv_capture cap;
	int64_t nrec;
	struct salvage_gap gaps[SALVAGE_MAX_RECORDS];
};

/* Bytes of the line from `pos` on: *p and the count (0 at the end of the
 * line), or -1 on a read error. */
static int64_t sf_get(struct salvage_finder *f, int64_t pos, const char **p)
{
	if (pos >= f->len)
		return 0;
	if (f->mem) {
		*p = f->mem + pos;
		return f->len - pos;
	}
	if (pos < f->buf_pos || pos >= f->buf_pos + (int64_t)f->buf_len) {
		size_t want = f->len - pos < SALVAGE_CHUNK ? (size_t)(f->len - pos) : SALVAGE_CHUNK;
		ssize_t r;
		do
			r = pread(f->fd, f->buf, want, f->line_off + pos);
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return perr_set(f->e, PX_IOERR, "cannot read the line at byte %lld again: %s",
					(long long)(f->line_off + pos), r < 0 ? strerror(errno) : "file shrank");
		f->buf_pos = pos;
		f->buf_len = (size_t)r;
	}
	*p = f->buf + (pos - f->buf_pos);
	return f->buf_pos + (int64_t)f->buf_len - pos;
}

static int sf_byte(struct salvage_finder *f, int64_t pos)
{
	const char *p;
	int64_t n = sf_get(f, pos, &p);
	return n > 0 ? (unsigned char)*p : n < 0 ? -2 : -1;
}

static int sf_is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int sf_is_record(const struct salvage_finder *f)
{
	return jsonv_top_type(&f->v) == JV_OBJECT && f->kind.type == JV_STRING;
}

/* Whether line[start..len) is a whitespace-separated sequence of records.
 * 1 yes (f->nrec, f->gaps filled), 0 no, -1 read error, -2 over budget or
 * more than SALVAGE_MAX_RECORDS records (a later candidate would then be
 * one of them, and taking it would drop the ones before). */
static int sf_sequence(struct salvage_finder *f, int64_t start)
{
	f->nrec = 0;
	for (int64_t obj = start;;) {
		jsonv_init(&f->v, &f->cap);
		int64_t pos = obj;
		int failed = 0;
		for (;;) {
			const char *p;
			int64_t n = sf_get(f, pos, &p);
			if (n < 0)
				return -1;
			if (n == 0)
				break;
			failed = jsonv_feed(&f->v, p, (size_t)n) < 0;
			/* count what the validator consumed, not what it was offered */
			f->work += failed ? (int64_t)jsonv_error_pos(&f->v) - (pos - obj) + 1 : n;
			if (f->work > f->budget)
				return -2;
			if (failed)
				break;
			pos += n;
		}
		if (!failed)
			return jsonv_finish(&f->v) == 0 && sf_is_record(f) ? (f->nrec++, 1) : 0;
		if (!jsonv_error_is_trailing(&f->v) || !sf_is_record(f))
			return 0;
		int64_t next = obj + (int64_t)jsonv_error_pos(&f->v);
		int c = sf_byte(f, next);
		if (c == -2)
			return -1;
		if (c != '{')
			return 0;
		if (f->nrec + 1 >= SALVAGE_MAX_RECORDS)
			return -2;
		/* the gap is the whitespace between this record's '}' and next */
		int64_t gap = next;
		while (gap > obj && (c = sf_byte(f, gap - 1)) >= 0 && sf_is_ws(c))
			gap--;
		if (c == -2)
			return -1;
		f->work += next - gap;
		f->gaps[f->nrec++] = (struct salvage_gap){gap, next};
		obj = next;
	}
}

/* Next '{' at or after pos, or -1 (none), or -2 (read error). */
static int64_t sf_next_brace(struct salvage_finder *f, int64_t pos)
{
	for (;;) {
		const char *p;
		int64_t n = sf_get(f, pos, &p);
		if (n <= 0)
			return n < 0 ? -2 : -1;
		const char *b = memchr(p, '{', (size_t)n);
		f->work += b ? b - p : n;
		if (b)
			return pos + (b - p);
		pos += n;
	}
}

static int sf_found(struct salvage_finder *f, int64_t keep, struct salvage **out)
{
	size_t ngaps = (size_t)(f->nrec - 1);
	struct salvage *s = px_malloc(sizeof *s + ngaps * sizeof s->gaps[0], f->e);
	if (!s)
		return -1;
	s->keep = keep;
	s->records = f->nrec;
	s->ngaps = ngaps;
	memcpy(s->gaps, f->gaps, ngaps * sizeof s->gaps[0]);
	*out = s;
	return 1;
}

static int sf_search(struct salvage_finder *f, struct salvage **out)
{
	/* The whole line as records (a lost newline): keep everything. */
	int64_t first = 0;
	int c;
	while ((c = sf_byte(f, first)) >= 0 && sf_is_ws(c))
		first++;
	if (c == -2)
		return -1;
	int rc = 0;
	if (c == '{') {
		rc = sf_sequence(f, first);
		if (rc == 1 && f->nrec >= 2)
			return sf_found(f, 0, out);
		if (rc < 0)
			return rc == -1 ? -1 : 0;
	}
	for (int64_t cand = first + 1;; cand++) {
		if ((cand = sf_next_brace(f, cand)) < 0)
			return cand == -2 ? -1 : 0;
		rc = sf_sequence(f, cand);
		if (rc == 1)
			return sf_found(f, cand, out);
		if (rc < 0)
			return rc == -1 ? -1 : 0; /* over a bound: no salvage */
	}
}

int salvage_find(const char *line, int fd, int64_t line_off, int64_t len,
		 struct salvage **out, perr *e)
{
	*out = NULL;
	if (len < 2)
		return 0;
	if (line) {
		/* Most damage (a record cut short, garbage) has no second '{': a
		 * kept record after the first byte, or a second one after a
		 * record at the start, needs one.  Answer those without work. */
		size_t first = 0;
		while (first < (size_t)len && sf_is_ws((unsigned char)line[first]))
			first++;
		if (first + 1 >= (size_t)len || !memchr(line + first + 1, '{', (size_t)len - first - 1))
			return 0;
	}
	/* not calloc: the validator's 8 KiB stack needs no zeroing */
	struct salvage_finder *f = malloc(sizeof *f);
	if (!f)
		return perr_set(e, PX_IOERR, "out of memory");
	f->buf = NULL;
	f->buf_pos = 0;
	f->buf_len = 0;
	f->work = 0;
	f->nrec = 0;
	f->mem = line;
	f->fd = fd;
	f->line_off = line_off;
	f->len = len;
	f->e = e;
	f->budget = SALVAGE_WORK_FACTOR * len + SALVAGE_WORK_SLACK;
	f->kind.name = "kind";
	f->cap.fields = &f->kind;
	f->cap.n = 1;
	int rc;
	if (!line && !(f->buf = malloc(SALVAGE_CHUNK)))
		rc = perr_set(e, PX_IOERR, "out of memory");
	else
		rc = sf_search(f, out);
	free(f->buf);
	free(f);
	return rc;
}

struct salvage *salvage_dup(const struct salvage *s, perr *e)
{
	size_t n = sizeof *s + s->ngaps * sizeof s->gaps[0];
	struct salvage *d = px_malloc(n, e);
	if (d)
		memcpy(d, s, n);
	return d;
}

void salvage_free(struct salvage *s)
{
	free(s);
}

int64_t salvage_bytes_delta(const struct salvage *s)
{
	int64_t d = -s->keep;
	for (size_t i = 0; i < s->ngaps; i++)
		d -= s->gaps[i].end - s->gaps[i].start - 1;
	return d;
}

void salvage_describe(const struct salvage *s, char *buf, size_t n)
{
	if (s->keep == 0)
		snprintf(buf, n, "; %lld complete records on one line: recovery splits them",
			 (long long)s->records);
	else
		snprintf(buf, n, "; a torn record followed by %lld complete record%s: recovery salvages %s",
			 (long long)s->records, s->records == 1 ? "" : "s",
			 s->records == 1 ? "it" : "them");
}
