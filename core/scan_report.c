/* Scan reports (scan.h): anomalies in order, exact counts, and past a
 * bound the anomalies in an unlinked temporary file, read back in order. */
#include "scan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "salvage.h"

/* Serialized anomalies are written in blocks of about this size. */
#define SPILL_FLUSH (64u << 10)
#define SPILL_NO_ID UINT32_MAX

struct spill_head {
	uint32_t type, flags;
	int64_t line, offset, length;
	uint32_t plen, dlen, ilen, slen; /* ilen SPILL_NO_ID: no id; slen 0: no salvage */
};

void scan_report_init(struct scan_report *r)
{
	memset(r, 0, sizeof *r);
}

void scan_report_init_bounded(struct scan_report *r, size_t mem_max)
{
	scan_report_init(r);
	r->mem_max = mem_max;
}

void scan_report_free(struct scan_report *r)
{
	for (size_t i = 0; i < r->n_mem; i++) {
		free(r->an[i].path);
		free(r->an[i].detail);
		free(r->an[i].id);
		salvage_free(r->an[i].salvage);
	}
	free(r->an);
	for (size_t i = 0; i < r->n_files; i++) {
		struct scan_file *f = &r->files[i];
		free(f->path);
		for (size_t g = 0; g < f->n_groups; g++) {
			free(f->groups[g].name);
			free(f->groups[g].last_delivered);
			free(f->groups[g].dangling_first);
		}
		free(f->groups);
		free(f->groups_error);
	}
	free(r->files);
	if (r->spill_open)
		close(r->spill_fd);
	free(r->spill_buf);
	size_t keep = r->mem_max;
	scan_report_init(r);
	r->mem_max = keep; /* a report emptied to be refilled stays bounded */
}

static int spill_flush(struct scan_report *r, perr *e)
{
	if (!r->spill_open) {
		FILE *f = tmpfile();
		int fd = f ? dup(fileno(f)) : -1;
		if (f)
			fclose(f);
		if (fd < 0)
			return perr_set_errno(e, PX_IOERR, errno, "cannot create a temporary file for the anomalies: %s",
					      strerror(errno));
		r->spill_fd = fd;
		r->spill_open = 1;
	}
	size_t done = 0;
	while (done < r->spill_n) {
		ssize_t w = pwrite(r->spill_fd, r->spill_buf + done, r->spill_n - done, (off_t)(r->spill_size + (int64_t)done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return perr_set_errno(e, PX_IOERR, errno, "cannot write the anomalies' temporary file: %s",
					      strerror(errno));
		done += (size_t)w;
	}
	r->spill_size += (int64_t)r->spill_n;
	r->spill_n = 0;
	return 0;
}

static int spill_add(struct scan_report *r, const void *p, size_t n, perr *e)
{
	if (px_grow(&r->spill_buf, &r->spill_cap, r->spill_n + n, 1, e) < 0)
		return -1;
	memcpy(r->spill_buf + r->spill_n, p, n);
	r->spill_n += n;
	return 0;
}

static int spill_put(struct scan_report *r, const struct anomaly *a, perr *e)
{
	struct spill_head h = {
		.type = (uint32_t)a->type, .flags = a->flags, .line = a->line, .offset = a->offset,
		.length = a->length, .plen = (uint32_t)strlen(a->path), .dlen = (uint32_t)strlen(a->detail),
		.ilen = a->id ? (uint32_t)strlen(a->id) : SPILL_NO_ID,
		.slen = a->salvage ? (uint32_t)(sizeof *a->salvage + a->salvage->ngaps * sizeof a->salvage->gaps[0]) : 0,
	};
	if (spill_add(r, &h, sizeof h, e) < 0 || spill_add(r, a->path, h.plen, e) < 0 ||
	    spill_add(r, a->detail, h.dlen, e) < 0 || (a->id && spill_add(r, a->id, h.ilen, e) < 0) ||
	    (a->salvage && spill_add(r, a->salvage, h.slen, e) < 0))
		return -1;
	return r->spill_n >= SPILL_FLUSH ? spill_flush(r, e) : 0;
}

int scan_report_put(struct scan_report *r, const struct anomaly *a, perr *e)
{
	if ((unsigned)a->type < AN__COUNT)
		r->by_type[a->type]++;
	if (r->mem_max && r->n_mem >= r->mem_max) {
		int rc = spill_put(r, a, e);
		salvage_free(a->salvage);
		if (rc < 0)
			return -1;
		r->n_an++;
		return 0;
	}
	if (px_grow(&r->an, &r->cap_an, r->n_mem + 1, sizeof *r->an, e) < 0) {
		salvage_free(a->salvage);
		return -1;
	}
	struct anomaly *d = &r->an[r->n_mem];
	*d = *a;
	d->path = px_strdup(a->path, e);
	d->detail = px_strdup(a->detail, e);
	d->id = a->id ? px_strdup(a->id, e) : NULL;
	if (!d->path || !d->detail || (a->id && !d->id)) {
		free(d->path);
		free(d->detail);
		free(d->id);
		salvage_free(a->salvage);
		return -1;
	}
	r->n_mem++;
	r->n_an++;
	return 0;
}

int scan_report_add(struct scan_report *r, enum anomaly_type t, const char *path,
		    int64_t line, int64_t offset, int64_t length, const char *id,
		    unsigned flags, perr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[PERR_MSG_MAX];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	struct anomaly a = { .type = t, .path = (char *)path, .detail = buf, .line = line, .offset = offset,
			     .length = length, .id = (char *)id, .flags = flags };
	return scan_report_put(r, &a, e);
}

int scan_report_truncate(struct scan_report *r, size_t n)
{
	if (r->n_mem != r->n_an || n > r->n_an)
		return -1; /* spilled anomalies are not taken back */
	while (r->n_an > n) {
		struct anomaly *a = &r->an[--r->n_an];
		if ((unsigned)a->type < AN__COUNT)
			r->by_type[a->type]--;
		free(a->path);
		free(a->detail);
		free(a->id);
		salvage_free(a->salvage);
	}
	r->n_mem = r->n_an;
	return 0;
}

struct scan_file *scan_report_add_file(struct scan_report *r, const char *path, perr *e)
{
	if (px_grow(&r->files, &r->cap_files, r->n_files + 1, sizeof *r->files, e) < 0)
		return NULL;
	struct scan_file *f = &r->files[r->n_files];
	memset(f, 0, sizeof *f);
	if (!(f->path = px_strdup(path, e)))
		return NULL;
	r->n_files++;
	return f;
}

struct scan_group *scan_file_add_group(struct scan_file *f, const char *name, perr *e)
{
	struct scan_group *g = realloc(f->groups, (f->n_groups + 1) * sizeof *g);
	if (!g) {
		perr_set(e, PX_IOERR, "out of memory");
		return NULL;
	}
	f->groups = g;
	g = &f->groups[f->n_groups];
	memset(g, 0, sizeof *g);
	g->entries_read = g->lag = -1;
	if (!(g->name = px_strdup(name, e)))
		return NULL;
	f->n_groups++;
	return g;
}

void scan_iter_init(struct scan_iter *it, const struct scan_report *r)
{
	memset(it, 0, sizeof *it);
	it->r = r;
}

/* n bytes of the spilled records at offset off, from the file or from the
 * block not flushed yet. */
static int spill_read(const struct scan_report *r, int64_t off, void *out, size_t n)
{
	if (off >= r->spill_size) {
		size_t at = (size_t)(off - r->spill_size);
		if (at + n > r->spill_n)
			return -1;
		memcpy(out, r->spill_buf + at, n);
		return 0;
	}
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(r->spill_fd, (char *)out + got, n - got, (off_t)(off + (int64_t)got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

const struct anomaly *scan_iter_next(struct scan_iter *it)
{
	const struct scan_report *r = it->r;
	if (it->i < r->n_mem)
		return &r->an[it->i++];
	if (it->i >= r->n_an || it->failed)
		return NULL;
	struct spill_head h;
	if (spill_read(r, it->off, &h, sizeof h) < 0)
		goto fail;
	size_t ilen = h.ilen == SPILL_NO_ID ? 0 : h.ilen;
	/* path, detail, id each NUL-terminated, then the salvage, aligned */
	size_t strs = (size_t)h.plen + 1 + h.dlen + 1 + ilen + 1;
	size_t sv_at = (strs + 15) & ~(size_t)15, need = sv_at + h.slen;
	if (need > it->cap) {
		char *nb = realloc(it->buf, need);
		if (!nb)
			goto fail;
		it->buf = nb;
		it->cap = need;
	}
	int64_t at = it->off + (int64_t)sizeof h;
	char *p = it->buf, *d = p + h.plen + 1, *id = d + h.dlen + 1;
	if (spill_read(r, at, p, h.plen) < 0 || spill_read(r, at + h.plen, d, h.dlen) < 0 ||
	    spill_read(r, at + h.plen + h.dlen, id, ilen) < 0 ||
	    spill_read(r, at + h.plen + h.dlen + (int64_t)ilen, it->buf + sv_at, h.slen) < 0)
		goto fail;
	p[h.plen] = d[h.dlen] = id[ilen] = '\0';
	it->cur = (struct anomaly){
		.type = (enum anomaly_type)h.type, .path = p, .detail = d, .line = h.line, .offset = h.offset,
		.length = h.length, .id = h.ilen == SPILL_NO_ID ? NULL : id, .flags = h.flags,
		.salvage = h.slen ? (struct salvage *)(void *)(it->buf + sv_at) : NULL,
	};
	it->off = at + h.plen + h.dlen + (int64_t)ilen + h.slen;
	it->i++;
	return &it->cur;
fail:
	it->failed = 1;
	return NULL;
}

void scan_iter_free(struct scan_iter *it)
{
	free(it->buf);
	memset(it, 0, sizeof *it);
}
