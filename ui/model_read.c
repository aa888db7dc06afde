/* Reading rows back (model.h): a file's line with pread from the file of
 * its segment, a Redis entry through the backend, kept in a small
 * least-recently-used cache so redrawing a screen, moving the cursor or
 * opening the detail costs no round trip for rows just seen.
 *
 * A row that is not cached is read with a page of its neighbours in one
 * round trip (backend_ops.read_rows: XRANGE or XREVRANGE of the ids the
 * index has), so a search or a text filter over millions of entries costs
 * a round trip per page, not per row (issue 10 item 7).  A page after a
 * jump holds a screen's worth; one that carries on where the last one
 * ended (forward, or backward for a search with N) is twice as long, up
 * to PAGE_ROWS rows or PAGE_BYTES by the index's lengths.  Entries are
 * put on lines by their ids: one deleted since the index is a gap (its
 * row is "no longer" there), never a shift. */
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

/* A page after a jump: a tall screen of rows. */
#define PAGE_FIRST 128
/* Rows of a page at most, and their bytes by the index (like a scan page,
 * REDIS_SCAN_PAGE; two pages are kept). */
#define PAGE_ROWS 1024
#define PAGE_BYTES (4u << 20)
#define PAGES 2

struct rowslot {
	size_t line;
	char *data;     /* NULL in a page: the entry is gone */
	size_t len;
	int fields;     /* data holds the entry's fields, not a `data` value */
	uint64_t used;  /* tick of the last use */
	uint64_t ms, seq; /* the entry id it was read for: a line that moved is not it */
};

/* Rows [lo, hi) of one segment, read at once. */
struct rowpage {
	size_t lo, hi;
	struct rowslot *row; /* hi - lo */
	uint64_t used;
};

struct rowcache {
	struct rowslot slot[ROWCACHE_SLOTS];
	size_t n, bytes;
	uint64_t tick;
	struct rowpage page[PAGES];
};

static void page_free(struct rowpage *p)
{
	for (size_t k = 0; p->row && k < p->hi - p->lo; k++)
		free(p->row[k].data);
	free(p->row);
	memset(p, 0, sizeof *p);
}

void model_cache_free(struct model *m)
{
	struct rowcache *c = m->cache;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->slot[i].data);
	for (int k = 0; k < PAGES; k++)
		page_free(&c->page[k]);
	free(c);
	m->cache = NULL;
}

/* Slot s still holds line i (the index moves lines when a stream that is
 * not the last one grows). */
static int slot_is(const struct model *m, const struct rowslot *s, size_t i)
{
	return s->line == i && (!m->id_ms || (m->id_ms[i] == s->ms && m->id_seq[i] == s->seq));
}

static void slot_id(const struct model *m, struct rowslot *s, size_t i)
{
	s->line = i;
	s->ms = m->id_ms ? m->id_ms[i] : 0;
	s->seq = m->id_seq ? m->id_seq[i] : 0;
}

static struct rowslot *cache_find(const struct model *m, struct rowcache *c, size_t line)
{
	for (size_t i = 0; i < c->n; i++)
		if (slot_is(m, &c->slot[i], line)) {
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
static struct rowslot *cache_put(const struct model *m, struct rowcache *c, size_t line, char *data, size_t len,
				  int fields)
{
	while (c->n && (c->n == ROWCACHE_SLOTS || c->bytes + len > ROWCACHE_BYTES))
		cache_evict_lru(c);
	struct rowslot *s = &c->slot[c->n++];
	*s = (struct rowslot){ .data = data, .len = len, .fields = fields, .used = ++c->tick };
	slot_id(m, s, line);
	c->bytes += len;
	return s;
}

/* Line i in a page: its slot (data NULL: gone), or NULL when no page has it. */
static struct rowslot *page_find(const struct model *m, struct rowcache *c, size_t i)
{
	for (int k = 0; k < PAGES; k++) {
		struct rowpage *p = &c->page[k];
		if (p->row && i >= p->lo && i < p->hi) {
			struct rowslot *s = &p->row[i - p->lo];
			if (!slot_is(m, s, i)) {
				page_free(p); /* lines moved under it */
				return NULL;
			}
			p->used = ++c->tick;
			return s;
		}
	}
	return NULL;
}

static void gone_msg(struct model *m, size_t i, const struct model_seg *seg)
{
	char id[MODEL_ID_MAX];
	model_entry_id(m, i, id, sizeof id);
	snprintf(m->read_err, sizeof m->read_err, "entry %s is no longer in %s", id, seg->path);
}

/* The rows a page for line i of `seg` takes, [*lo, *hi), and the way it
 * is read: on from the page used last when i carries on from it (twice
 * its length), else a screen's worth from i.  Returns the direction. */
static int page_span(const struct model *m, const struct rowcache *c, const struct model_seg *seg, size_t i,
		     size_t *lo, size_t *hi)
{
	const struct rowpage *last = NULL;
	for (int k = 0; k < PAGES; k++)
		if (c->page[k].row && (!last || c->page[k].used > last->used))
			last = &c->page[k];
	size_t want = PAGE_FIRST, first = seg->first, end = seg->first + seg->n;
	int dir = 1;
	if (last && last->lo >= first && last->hi <= end) {
		size_t w = last->hi - last->lo;
		if (i >= last->hi && i - last->hi < w)
			want = 2 * w;
		else if (i < last->lo && last->lo - i <= w)
			want = 2 * w, dir = -1;
	}
	if (want > PAGE_ROWS)
		want = PAGE_ROWS;
	size_t a = i, b = i + 1, bytes = m->len[i];
	while (b - a < want) {
		size_t next = dir > 0 ? b : a - 1;
		if ((dir > 0 ? b >= end : a <= first) || bytes + m->len[next] > PAGE_BYTES)
			break;
		bytes += m->len[next];
		if (dir > 0)
			b++;
		else
			a--;
	}
	*lo = a;
	*hi = b;
	return dir;
}

/* Read the page of line i (backend_ops.read_rows) into the page used
 * least lately.  Returns line i's slot (data NULL: gone), or NULL on
 * failure (m->read_err). */
static struct rowslot *page_read(struct model *m, struct rowcache *c, const struct model_seg *seg, size_t i)
{
	size_t lo, hi;
	int dir = page_span(m, c, seg, i, &lo, &hi);
	char from[MODEL_ID_MAX], to[MODEL_ID_MAX];
	model_entry_id(m, i, from, sizeof from);
	model_entry_id(m, dir > 0 ? hi - 1 : lo, to, sizeof to);
	struct backend_rowref ref = { .path = seg->path, .offset = -1, .length = -1, .id = from };
	struct backend_rows rows;
	perr e = { 0 };
	if (m->b->ops->read_rows(m->b, &ref, to, dir, hi - lo, PAGE_BYTES, &rows, &e) < 0) {
		snprintf(m->read_err, sizeof m->read_err, "%s", e.msg);
		return NULL;
	}
	struct rowpage *p = &c->page[0];
	for (int k = 1; k < PAGES; k++)
		if (!c->page[k].row || (p->row && c->page[k].used < p->used))
			p = &c->page[k];
	page_free(p);
	if (!(p->row = calloc(hi - lo, sizeof *p->row))) {
		backend_rows_free(&rows);
		snprintf(m->read_err, sizeof m->read_err, "out of memory");
		return NULL;
	}
	p->lo = lo;
	p->hi = hi;
	for (size_t k = lo; k < hi; k++)
		slot_id(m, &p->row[k - lo], k);
	/* each entry on the line of its id; lines without one are gone */
	int64_t reached = -1;
	for (size_t r = 0; r < rows.n; r++) {
		int64_t at = model_entry_line(m, lo, hi, rows.v[r].id);
		if (at < 0 || p->row[at - lo].data)
			continue; /* not an entry the index has */
		struct rowslot *s = &p->row[at - lo];
		s->data = rows.v[r].row.data;
		s->len = rows.v[r].row.len;
		s->fields = rows.v[r].row.fields;
		rows.v[r].row.data = NULL;
		reached = at;
	}
	int more = rows.more;
	backend_rows_free(&rows);
	if (more) {
		/* cut short: past the last entry read nothing is known */
		size_t keep_lo = dir > 0 ? lo : reached >= 0 ? (size_t)reached : i;
		size_t keep_hi = dir > 0 ? (reached >= 0 ? (size_t)reached + 1 : i + 1) : hi;
		for (size_t k = lo; k < hi; k++)
			if (k < keep_lo || k >= keep_hi)
				free(p->row[k - lo].data);
		memmove(p->row, p->row + (keep_lo - lo), (keep_hi - keep_lo) * sizeof *p->row);
		p->lo = keep_lo;
		p->hi = keep_hi;
	}
	p->used = ++c->tick;
	return &p->row[i - p->lo];
}

static struct rowslot *entry_row(struct model *m, size_t i, int keep)
{
	if (!m->cache && !(m->cache = calloc(1, sizeof *m->cache))) {
		snprintf(m->read_err, sizeof m->read_err, "out of memory");
		return NULL;
	}
	const struct model_seg *seg = model_seg_of(m, i);
	struct rowslot *s = page_find(m, m->cache, i);
	if (!s)
		s = cache_find(m, m->cache, i);
	if (s && s->data)
		return s;
	if (!s && m->b->ops->read_rows && m->id_ms) {
		if (!(s = page_read(m, m->cache, seg, i)))
			return NULL;
		if (s->data && !keep)
			return s;
		if (s->data) {
			/* the row asked for is kept beyond its page, as one read alone */
			char *copy = malloc(s->len ? s->len : 1);
			if (copy) {
				memcpy(copy, s->data, s->len);
				cache_put(m, m->cache, i, copy, s->len, s->fields);
			}
			return s;
		}
	}
	if (s) {
		gone_msg(m, i, seg);
		return NULL;
	}
	char id[MODEL_ID_MAX];
	struct backend_row row;
	perr e = { 0 };
	model_entry_id(m, i, id, sizeof id);
	struct backend_rowref ref = { .path = seg->path, .offset = -1, .length = -1, .id = id };
	int rc = m->b->ops->read_row(m->b, &ref, &row, &e);
	if (rc == 0)
		gone_msg(m, i, seg);
	else if (rc < 0)
		snprintf(m->read_err, sizeof m->read_err, "%s", e.msg);
	return rc == 1 ? cache_put(m, m->cache, i, row.data, row.len, row.fields) : NULL;
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

static long read_entry(struct model *m, size_t i, char *buf, size_t cap, int *fields, int keep)
{
	if (fields)
		*fields = 0;
	m->read_err[0] = '\0';
	if (i >= m->n)
		return -1;
	/* a file the index opened: pread it; anything else through the backend */
	if (m->t->has_files)
		return file_row(m, i, buf, cap);
	const struct rowslot *s = entry_row(m, i, keep);
	if (!s)
		return -1;
	size_t n = s->len < cap ? s->len : cap;
	memcpy(buf, s->data, n);
	if (fields)
		*fields = s->fields;
	return (long)n;
}

long model_read_entry(struct model *m, size_t i, char *buf, size_t cap, int *fields)
{
	return read_entry(m, i, buf, cap, fields, 1);
}

long model_read(struct model *m, size_t i, char *buf, size_t cap)
{
	return model_read_entry(m, i, buf, cap, NULL);
}

long model_read_pass(struct model *m, size_t i, char *buf, size_t cap)
{
	return read_entry(m, i, buf, cap, NULL, 0);
}
