#include "longrec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void longrec_init(struct longrec *lr)
{
	memset(lr, 0, sizeof *lr);
	lr->fd = -1;
}

void longrec_free(struct longrec *lr)
{
	if (lr->fd >= 0)
		close(lr->fd);
	free(lr->path);
	strbuf_free(&lr->buf);
	lr->fd = -1;
	lr->path = NULL;
}

/* Whether the output needs member f of a record of kind k. */
static int longrec_wants(enum rec_kind k, int f, int json)
{
	if (json)
		return 1;
	if (k == RK_EVENT)
		return f != SF_PAYLOAD;
	if (k == RK_AUDIT)
		return f != SF_REGISTRY_ORPHANS && f != SF_REGISTRY_DEAD;
	return 1;
}

static int longrec_pread(int fd, char *out, size_t n, int64_t off)
{
	while (n > 0) {
		ssize_t got = pread(fd, out, n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		out += got;
		n -= (size_t)got;
		off += got;
	}
	return 0;
}

/* The line `l` with its bytes, or NULL (s->err set) when they cannot be
 * read back (the file went away or shrank: the listing says so). */
const struct scan_line *longrec_load(struct longrec *lr, const struct scan_line *l, int json, perr *e)
{
	if (!lr->path || strcmp(lr->path, l->path) != 0) {
		longrec_free(lr);
		if (!(lr->path = strdup(l->path)) ||
		    (lr->fd = open(l->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0) {
			perr_set(e, PX_IOERR, "cannot read back line %lld of %s: %s", (long long)l->line,
				 l->path, strerror(errno));
			return NULL;
		}
	}
	size_t total = 0;
	for (int f = 0; f < SF__COUNT; f++)
		if (l->fields[f].type != JV_NONE && longrec_wants(l->kind, f, json))
			total += (size_t)l->fields[f].len + 1;
	lr->buf.n = 0;
	if (strbuf_reserve(&lr->buf, total) < 0) {
		perr_set(e, PX_IOERR, "out of memory reading line %lld of %s (%lld bytes)",
			 (long long)l->line, l->path, (long long)l->length);
		return NULL;
	}
	for (int f = 0; f < SF__COUNT; f++) {
		lr->f[f] = l->fields[f];
		if (lr->f[f].type == JV_NONE)
			continue;
		if (!longrec_wants(l->kind, f, json)) {
			lr->f[f].type = JV_NONE;
			continue;
		}
		size_t n = (size_t)l->fields[f].len;
		if (longrec_pread(lr->fd, lr->buf.p + lr->buf.n, n, l->offset + (int64_t)l->fields[f].off) < 0) {
			perr_set(e, PX_IOERR, "cannot read back line %lld of %s: it changed during the listing",
				 (long long)l->line, l->path);
			return NULL;
		}
		lr->f[f].off = lr->buf.n;
		lr->buf.n += n;
		lr->buf.p[lr->buf.n++] = ' ';
	}
	lr->buf.p[lr->buf.n] = '\0';
	lr->l = *l;
	lr->l.bytes = lr->buf.p;
	lr->l.length = (int64_t)lr->buf.n;
	lr->l.fields = lr->f;
	return &lr->l;
}

