/* Reading rows back (model.h): a file's line with pread from the file of
 * its segment, a Redis entry through the backend (XRANGE id id), kept in
 * a small least-recently-used cache so redrawing a screen, moving the
 * cursor or opening the detail costs no round trip for rows just seen. */
#include "model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* Rows kept: a tall screen of rows plus the detail pane and a chart's
 * samples, so drawing never fetches a row twice in a row. */
#define ROWCACHE_SLOTS 256
/* Bytes kept in all: bounded whatever the records' size (the row just
 * fetched always stays, even when larger). */
#define ROWCACHE_BYTES (8u << 20)

struct rowslot {
	size_t line;
	char *data;
	size_t len;
	int fields;     /* data holds the entry's fields, not a `data` value */
	uint64_t used;  /* tick of the last use */
};

struct rowcache {
	struct rowslot slot[ROWCACHE_SLOTS];
	size_t n, bytes;
	uint64_t tick;
};

void model_cache_free(struct model *m)
{
	struct rowcache *c = m->cache;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->slot[i].data);
	free(c);
	m->cache = NULL;
}

static struct rowslot *cache_find(struct rowcache *c, size_t line)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->slot[i].line == line) {
			c->slot[i].used = ++c->tick;
			return &c->slot[i];
		}
	return NULL;
}

static void cache_evict_lru(struct rowcache *c)
{
	size_t old = 0;
	for (size_t i = 1; i < c->n; i++)
		if (c->slot[i].used < c->slot[old].used)
			old = i;
	c->bytes -= c->slot[old].len;
	free(c->slot[old].data);
	c->slot[old] = c->slot[--c->n];
}

/* Takes `data`; the new row is the most recent one. */
static struct rowslot *cache_put(struct rowcache *c, size_t line, char *data, size_t len, int fields)
{
	while (c->n && (c->n == ROWCACHE_SLOTS || c->bytes + len > ROWCACHE_BYTES))
		cache_evict_lru(c);
	struct rowslot *s = &c->slot[c->n++];
	*s = (struct rowslot){ line, data, len, fields, ++c->tick };
	c->bytes += len;
	return s;
}

static struct rowslot *entry_row(struct model *m, size_t i)
{
	if (!m->cache && !(m->cache = calloc(1, sizeof *m->cache))) {
		snprintf(m->read_err, sizeof m->read_err, "out of memory");
		return NULL;
	}
	struct rowslot *s = cache_find(m->cache, i);
	if (s)
		return s;
	const struct model_seg *seg = model_seg_of(m, i);
	char id[MODEL_ID_MAX];
	struct backend_row row;
	perr e = { 0 };
	model_entry_id(m, i, id, sizeof id);
	struct backend_rowref ref = { .path = seg->path, .offset = -1, .length = -1, .id = id };
	int rc = m->b->ops->read_row(m->b, &ref, &row, &e);
	if (rc == 0)
		snprintf(m->read_err, sizeof m->read_err, "entry %s is no longer in %s", id, seg->path);
	else if (rc < 0)
		snprintf(m->read_err, sizeof m->read_err, "%s", e.msg);
	return rc == 1 ? cache_put(m->cache, i, row.data, row.len, row.fields) : NULL;
}

static long file_row(struct model *m, size_t i, char *buf, size_t cap)
{
	const struct model_seg *s = model_seg_of(m, i);
	if (!s || s->fd < 0) {
		snprintf(m->read_err, sizeof m->read_err, "%s cannot be opened", s ? s->path : "the file");
		return -1;
	}
	size_t want = m->len[i] < cap ? m->len[i] : cap;
	size_t got = 0;
	int64_t off = model_offset(m, i);
	while (got < want) {
		ssize_t r = pread(s->fd, buf + got, want - got, (off_t)(off + (int64_t)got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* the file shrank under us: show what is there */
		got += (size_t)r;
	}
	return (long)got;
}

long model_read_entry(struct model *m, size_t i, char *buf, size_t cap, int *fields)
{
	if (fields)
		*fields = 0;
	m->read_err[0] = '\0';
	if (i >= m->n)
		return -1;
	/* a file the index opened: pread it; anything else through the backend */
	if (m->t->has_files)
		return file_row(m, i, buf, cap);
	const struct rowslot *s = entry_row(m, i);
	if (!s)
		return -1;
	size_t n = s->len < cap ? s->len : cap;
	memcpy(buf, s->data, n);
	if (fields)
		*fields = s->fields;
	return (long)n;
}

long model_read(struct model *m, size_t i, char *buf, size_t cap)
{
	return model_read_entry(m, i, buf, cap, NULL);
}
