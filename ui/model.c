/* The console's line index (model.h): what each scanned line leaves in
 * it, the segments (files or streams) the lines belong to, the anomalies'
 * lines, and the selections the list views are made of.  Opening and
 * scanning are in model_scan.c, reading rows back in model_read.c. */
#include "model.h"

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonfmt.h"
#include "schema.h"

/* First index allocation, in lines; doubled as needed. */
#define INDEX_START_LINES 65536

/* Grow one array of the index to `nc` elements; NULL keeps the old one. */
static int grow_one(void *pp, size_t nc, size_t size)
{
	void **p = pp;
	void *n = realloc(*p, nc * size);
	if (!n)
		return -1;
	*p = n;
	return 0;
}

static int idcol_grow(struct idcol *c, size_t nc)
{
	if (!c->width)
		c->width = 1;
	return grow_one(&c->p, nc, c->width);
}

/* Widen a column so that `id` fits: every id is copied to the wider array. */
static int idcol_fit(struct idcol *c, uint32_t id, size_t cap, size_t n)
{
	unsigned w = id <= UINT8_MAX ? 1 : id <= UINT16_MAX ? 2 : 4;
	if (w <= c->width)
		return 0;
	void *np = malloc(cap * w);
	if (!np)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint32_t v = idcol_get(c, i);
		if (w == 2)
			((uint16_t *)np)[i] = (uint16_t)v;
		else
			((uint32_t *)np)[i] = v;
	}
	free(c->p);
	c->p = np;
	c->width = w;
	return 0;
}

static void idcol_set(struct idcol *c, size_t i, uint32_t v)
{
	if (c->width == 1)
		((uint8_t *)c->p)[i] = (uint8_t)v;
	else if (c->width == 2)
		((uint16_t *)c->p)[i] = (uint16_t)v;
	else
		((uint32_t *)c->p)[i] = v;
}

/* Store id `id` for line i, widening the column when it does not fit. */
static void put_id(struct model *m, struct idcol *c, size_t i, uint32_t id)
{
	if (idcol_fit(c, id, m->cap, m->n) < 0) { /* every line: one may have gone in before others */
		m->ids_lost++;
		id = INTERN_NONE;
	}
	idcol_set(c, i, id);
}

static int grow(struct model *m)
{
	size_t nc = m->cap ? m->cap * 2 : INDEX_START_LINES;
	int redis = m->t->ids;
	if (grow_one(&m->len, nc, sizeof *m->len) < 0 || grow_one(&m->ts, nc, sizeof *m->ts) < 0 ||
	    grow_one(&m->meta, nc, 1) < 0 || idcol_grow(&m->type_id, nc) < 0 ||
	    idcol_grow(&m->addr_id, nc) < 0)
		return -1;
	/* files need offsets, Redis entries their ids: never both */
	if (!redis && grow_one(&m->ck_off, nc / MODEL_CK_LINES + 1, sizeof *m->ck_off) < 0)
		return -1;
	if (redis && (grow_one(&m->id_ms, nc, sizeof *m->id_ms) < 0 ||
		      grow_one(&m->id_seq, nc, sizeof *m->id_seq) < 0))
		return -1;
	m->cap = nc;
	return 0;
}

static unsigned intern_span(struct intern *t, const char *bytes, const struct jsonv_field *f,
			    unsigned types)
{
	if (f->type == JV_NONE || !((1u << f->type) & types))
		return INTERN_NONE;
	return intern_id(t, bytes + f->off, (size_t)f->len);
}

/* The segment line `l` belongs to: the last one, or a new one when the
 * scan moved to another file or stream.  A file is opened for reading
 * back when its first line comes.  Following Redis, a stream before the
 * last one may grow (its segment, or a new one in stream order, takes
 * the line at its end: open_gap).  NULL when out of memory. */
static struct model_seg *seg_for(struct model *m, const struct scan_line *l)
{
	struct model_seg *s = m->n_seg ? &m->seg[m->n_seg - 1] : NULL;
	if (s && s->file_index == l->file_index)
		return s;
	size_t at = m->n_seg;
	while (at > 0 && m->seg[at - 1].file_index >= l->file_index)
		at--;
	if (at < m->n_seg && m->seg[at].file_index == l->file_index)
		return &m->seg[at];
	if (px_grow(&m->seg, &m->cap_seg, m->n_seg + 1, sizeof *m->seg, NULL) < 0)
		return NULL;
	memmove(&m->seg[at + 1], &m->seg[at], (m->n_seg - at) * sizeof *m->seg);
	s = &m->seg[at];
	memset(s, 0, sizeof *s);
	s->first = at < m->n_seg ? s[1].first : m->n;
	m->n_seg++;
	if (!(s->path = strdup(l->path))) {
		memmove(s, s + 1, (m->n_seg - at - 1) * sizeof *m->seg);
		m->n_seg--;
		return NULL;
	}
	const char *colon = strrchr(s->path, ':');
	s->name = m->t->has_files ? px_basename(s->path) : colon ? colon + 1 : s->path;
	s->file_index = l->file_index;
	s->base = l->line;
	s->fd = m->t->has_files ? open(s->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) : -1;
	return s;
}

static void gap_one(void *p, size_t size, size_t at, size_t n)
{
	char *b = p;
	memmove(b + (at + 1) * size, b + at * size, (n - at) * size);
}

/* Make room for a line at index line `at` < m->n (Redis: the end of a
 * stream that is not the last; files never: their growing file is the
 * last segment): the lines after it, the segments after it and the
 * anomalies' lines move one on.  Costs the lines after it. */
static void open_gap(struct model *m, struct model_seg *s, size_t at)
{
	gap_one(m->len, sizeof *m->len, at, m->n);
	gap_one(m->ts, sizeof *m->ts, at, m->n);
	gap_one(m->meta, 1, at, m->n);
	gap_one(m->type_id.p, m->type_id.width, at, m->n);
	gap_one(m->addr_id.p, m->addr_id.width, at, m->n);
	if (m->id_ms) {
		gap_one(m->id_ms, sizeof *m->id_ms, at, m->n);
		gap_one(m->id_seq, sizeof *m->id_seq, at, m->n);
	}
	for (struct model_seg *t = s + 1; t < m->seg + m->n_seg; t++)
		t->first++;
	for (size_t k = 0; k < m->an_mapped; k++)
		if (m->an_line[k] >= (int64_t)at)
			m->an_line[k]++;
	if (!m->moved)
		model_cache_free(m); /* its rows are by index line */
	m->moved = 1;
}

size_t model_moved(const struct model *m, size_t old)
{
	size_t shift = 0;
	for (size_t j = 0; j < m->n_seg; j++) {
		const struct model_seg *s = &m->seg[j];
		size_t was = s->first - shift;
		if (old >= was && old < was + (s->n - s->ins))
			return old + shift;
		shift += s->ins;
	}
	return old + shift;
}

void model_moved_reset(struct model *m)
{
	for (size_t j = 0; j < m->n_seg; j++)
		m->seg[j].ins = 0;
	m->moved = 0;
}

/* Anomalies reported since the last line: the ones about this line get
 * its index, the others (about a file, a key) none. */
static void map_anomalies(struct model *m, const struct scan_line *l, int64_t i)
{
	const struct scan_report *r = &m->rep;
	if (r->n_an > m->cap_an) {
		size_t nc = m->cap_an ? m->cap_an * 2 : 64;
		while (nc < r->n_an)
			nc *= 2;
		if (grow_one(&m->an_line, nc, sizeof *m->an_line) < 0)
			return; /* unmapped anomalies are about no line: still listed */
		m->cap_an = nc;
	}
	for (size_t k = m->an_mapped; k < r->n_an; k++) {
		const struct anomaly *a = &r->an[k];
		m->an_line[k] = i >= 0 && a->line > 0 && a->line == l->line && strcmp(a->path, l->path) == 0 ? i : -1;
	}
	m->an_mapped = r->n_an;
}

/* "ms-seq" into two numbers (0-0 when it is not an id); returns the
 * length of the id as text. */
static int parse_id(const char *id, uint64_t *ms, uint64_t *seq)
{
	*ms = *seq = 0;
	if (id && sscanf(id, "%" SCNu64 "-%" SCNu64, ms, seq) < 1)
		*ms = *seq = 0;
	char buf[MODEL_ID_MAX];
	return snprintf(buf, sizeof buf, "%" PRIu64 "-%" PRIu64, *ms, *seq);
}

static void on_line(void *ctx, const struct scan_line *l)
{
	struct model *m = ctx;
	struct model_seg *s = NULL;
	if (!m->oom && ((m->n == m->cap && grow(m) < 0) || !(s = seg_for(m, l))))
		m->oom = 1;
	size_t i = m->oom ? 0 : s->first + s->n;
	if (!m->oom && i < m->n) {
		if (m->ck_off)
			m->oom = 1; /* files grow at the end only */
		else
			open_gap(m, s, i);
	}
	map_anomalies(m, l, m->oom ? -1 : (int64_t)i);
	if (m->oom)
		return;
	m->n++;
	s->n++;
	s->ins++;
	if (m->ck_off && i % MODEL_CK_LINES == 0)
		m->ck_off[i / MODEL_CK_LINES] = (uint64_t)l->offset;
	if (m->id_ms) {
		int w = (int)strlen(s->name) + 1 + parse_id(l->id, &m->id_ms[i], &m->id_seq[i]);
		m->id_width = w > m->id_width ? w : m->id_width;
	}
	m->len[i] = l->length > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)l->length;
	unsigned meta = (unsigned)l->kind & MF_KIND_MASK;
	uint32_t type = INTERN_NONE, addr = INTERN_NONE;
	m->ts[i] = NAN;
	if (l->flags & SL_VALID)
		meta |= MF_VALID;
	if (l->flags & SL_CORRUPT)
		meta |= MF_CORRUPT;
	if (l->flags & SL_TRUNCATED)
		meta |= MF_TRUNC;
	if (l->flags & SL_SCHEMA)
		meta |= MF_SCHEMA;
	if (l->flags & (SL_TS_NUMBER | SL_TS_OTHER))
		meta |= MF_TS_ANY;
	if ((l->flags & SL_TS_NUMBER) && isfinite(l->ts)) {
		meta |= MF_TS_NUM;
		if (!m->have_base) {
			m->have_base = 1;
			m->ts_base = m->ts_min = m->ts_max = l->ts;
		}
		m->ts[i] = (float)(l->ts - m->ts_base);
		if (l->ts < m->ts_min)
			m->ts_min = l->ts;
		if (l->ts > m->ts_max)
			m->ts_max = l->ts;
	}
	if ((meta & MF_VALID) && l->bytes && l->fields) {
		const struct jsonv_field *f = l->fields;
		if (l->kind == RK_EVENT) {
			type = intern_span(&m->types, l->bytes, &f[SF_EVENT_TYPE], TM_STR);
			addr = intern_span(&m->addrs, l->bytes, &f[SF_ACTOR_ADDRESS], TM_ADDR);
		} else if (l->kind == RK_DEAD_LETTER) {
			type = intern_span(&m->types, l->bytes, &f[SF_MESSAGE_TYPE], TM_STR);
			addr = intern_span(&m->addrs, l->bytes, &f[SF_TARGET], TM_ADDR);
		}
	}
	/* an id the table could not hand out (memory) is said, not hidden */
	if (type == m->types.max_id || addr == m->addrs.max_id)
		m->ids_lost++;
	put_id(m, &m->type_id, i, type);
	put_id(m, &m->addr_id, i, addr);
	/* every record is listed, with or without a timestamp: the counts are
	 * the scan's (console --batch, persistence scan) */
	if ((meta & MF_VALID) && l->kind != RK_UNKNOWN) {
		m->records[l->kind]++;
		m->listed++;
	}
	m->meta[i] = (uint8_t)meta;
}

void model_drop_last(void *ctx)
{
	struct model *m = ctx;
	if (m->n && !m->oom) {
		size_t i = --m->n;
		unsigned meta = m->meta[i];
		enum rec_kind k = (enum rec_kind)(meta & MF_KIND_MASK);
		if ((meta & MF_VALID) && k != RK_UNKNOWN) {
			m->records[k]--;
			m->listed--;
		}
		struct model_seg *s = &m->seg[m->n_seg - 1];
		if (s->n)
			s->n--;
	}
	/* the report took its anomalies back already */
	if (m->an_mapped > m->rep.n_an)
		m->an_mapped = m->rep.n_an;
	m->dropped = 1;
}

const struct scan_sink *model_sink(struct model *m)
{
	m->sink.ctx = m;
	m->sink.on_line = on_line;
	return &m->sink;
}

void model_index_free(struct model *m)
{
	for (size_t i = 0; i < m->n_seg; i++) {
		if (m->seg[i].fd >= 0)
			close(m->seg[i].fd);
		free(m->seg[i].path);
	}
	free(m->seg);
	intern_free(&m->types);
	intern_free(&m->addrs);
	free(m->len);
	free(m->ts);
	free(m->meta);
	free(m->type_id.p);
	free(m->addr_id.p);
	free(m->ck_off);
	free(m->id_ms);
	free(m->id_seq);
	free(m->an_line);
}

const struct model_seg *model_seg_of(const struct model *m, size_t i)
{
	size_t lo = 0, hi = m->n_seg; /* the last segment starting at or before i */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->seg[mid].first <= i)
			lo = mid;
		else
			hi = mid;
	}
	return m->n_seg ? &m->seg[lo] : NULL;
}

const struct model_seg *model_seg_of_file(const struct model *m, size_t file_index)
{
	for (size_t i = 0; i < m->n_seg; i++)
		if (m->seg[i].file_index == file_index)
			return &m->seg[i];
	return NULL;
}

int64_t model_lineno(const struct model *m, size_t i)
{
	const struct model_seg *s = model_seg_of(m, i);
	return s ? s->base + (int64_t)(i - s->first) : (int64_t)i + 1;
}

int64_t model_find_line(const struct model *m, const char *path, int64_t lineno)
{
	for (size_t i = 0; path && i < m->n_seg; i++) {
		const struct model_seg *s = &m->seg[i];
		if (strcmp(s->path, path) == 0 && lineno >= s->base && lineno - s->base < (int64_t)s->n)
			return (int64_t)s->first + (lineno - s->base);
	}
	return -1;
}

int64_t model_entry_line(const struct model *m, size_t lo, size_t hi, const char *id)
{
	uint64_t ms, seq;
	if (!m->id_ms || !id || hi > m->n)
		return -1;
	parse_id(id, &ms, &seq);
	/* a stream's ids only grow */
	size_t end = hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->id_ms[mid] < ms || (m->id_ms[mid] == ms && m->id_seq[mid] < seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < end && m->id_ms[lo] == ms && m->id_seq[lo] == seq ? (int64_t)lo : -1;
}

int64_t model_find_entry(const struct model *m, const char *key, const char *id)
{
	for (size_t i = 0; key && i < m->n_seg; i++) {
		const struct model_seg *s = &m->seg[i];
		if (strcmp(s->path, key) == 0)
			return model_entry_line(m, s->first, s->first + s->n, id);
	}
	return -1;
}

int64_t model_an_line(const struct model *m, size_t k)
{
	return k < m->an_mapped ? m->an_line[k] : -1;
}

void model_entry_id(const struct model *m, size_t i, char *out, size_t cap)
{
	if (!m->id_ms || i >= m->n) {
		snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, "%" PRIu64 "-%" PRIu64, m->id_ms[i], m->id_seq[i]);
}

void model_where(const struct model *m, size_t i, char *out, size_t cap)
{
	const struct model_seg *s = model_seg_of(m, i);
	if (m->t->ids && s) {
		char id[MODEL_ID_MAX];
		model_entry_id(m, i, id, sizeof id);
		snprintf(out, cap, "%s %s", s->name, id);
	} else if (m->t->several && s) {
		snprintf(out, cap, "%s:%lld", s->name, (long long)model_lineno(m, i));
	} else {
		snprintf(out, cap, "%lld", (long long)model_lineno(m, i));
	}
}

int model_where_width(const struct model *m)
{
	if (m->t->ids)
		return m->id_width;
	int w = 0;
	for (size_t k = 0; k < m->n_seg; k++) {
		const struct model_seg *s = &m->seg[k];
		char buf[PATH_SHOWN_MAX];
		if (!s->n)
			continue;
		model_where(m, s->first + s->n - 1, buf, sizeof buf); /* its widest: the last line */
		int n = (int)strlen(buf);
		w = n > w ? n : w;
	}
	return w;
}

int64_t model_offset(const struct model *m, size_t line)
{
	const struct model_seg *s = model_seg_of(m, line);
	if (!m->ck_off || !s)
		return -1;
	size_t k = line / MODEL_CK_LINES, from = k * MODEL_CK_LINES;
	uint64_t off = m->ck_off[k];
	if (from < s->first) {
		/* the checkpoint is in an earlier file: this one starts at 0 */
		from = s->first;
		off = 0;
	}
	for (size_t j = from; j < line; j++)
		off += (uint64_t)m->len[j] + 1;
	return (int64_t)off;
}

double model_ts(const struct model *m, size_t i)
{
	if (!(m->meta[i] & MF_TS_NUM))
		return NAN;
	return m->ts_base + (double)m->ts[i];
}

static const char *shown(struct intern *t, unsigned id, int addr)
{
	if (id == INTERN_NONE)
		return "";
	if (id >= t->n)
		return "?";
	if (!t->shown[id]) {
		const char *k = t->key[id];
		size_t n = t->len[id], cap = 2 * n + 64;
		char *buf = malloc(cap);
		if (!buf)
			return "?";
		if (addr)
			jf_address(k, n, buf, cap);
		else
			jf_string(k, n, buf, cap);
		t->shown[id] = buf;
	}
	return t->shown[id];
}

const char *model_type_name(struct model *m, unsigned id)
{
	return shown(&m->types, id, 0);
}

const char *model_addr_name(struct model *m, unsigned id)
{
	return shown(&m->addrs, id, 1);
}

void sel_init(struct sel *s, int (*pred)(const struct model *, size_t, const void *), const void *arg)
{
	memset(s, 0, sizeof *s);
	s->pred = pred;
	s->arg = arg;
	s->hint_row = -1;
	s->step = SEL_STEP;
}

void sel_set_step(struct sel *s, unsigned step)
{
	if (step && step != s->step) {
		s->step = step;
		sel_reset(s);
	}
}

void sel_free(struct sel *s)
{
	free(s->ck);
	s->ck = NULL;
	s->n_ck = s->cap_ck = 0;
}

void sel_reset(struct sel *s)
{
	s->n_ck = 0;
	s->count = 0;
	s->upto = 0;
	s->hint_row = -1;
}

size_t sel_step(struct sel *s, const struct model *m, size_t max_lines)
{
	if (!s->pred) {
		s->count = (int64_t)m->n;
		s->upto = m->n;
		return 0;
	}
	if (s->gen != m->order_gen) {
		sel_reset(s);
		s->gen = m->order_gen;
	}
	size_t i = s->upto, end = m->n - s->upto > max_lines ? s->upto + max_lines : m->n;
	for (; i < end; i++) {
		if (!s->pred(m, model_at(m, i), s->arg))
			continue;
		if (s->count % s->step == 0) {
			if (s->n_ck == s->cap_ck) {
				size_t nc = s->cap_ck ? s->cap_ck * 2 : 1024;
				uint32_t *ck = realloc(s->ck, nc * sizeof *ck);
				if (!ck)
					break; /* this line again on the next step */
				s->ck = ck;
				s->cap_ck = nc;
			}
			s->ck[s->n_ck++] = (uint32_t)i;
		}
		s->count++;
	}
	size_t looked = i - s->upto;
	s->upto = i;
	return looked;
}

void sel_update(struct sel *s, const struct model *m)
{
	sel_step(s, m, SIZE_MAX);
}

int sel_done(const struct sel *s, const struct model *m)
{
	return !s->pred || (s->gen == m->order_gen && s->upto >= m->n);
}

int64_t sel_count(const struct sel *s, const struct model *m)
{
	return s->pred ? s->count : (int64_t)m->n;
}

size_t sel_line(struct sel *s, const struct model *m, int64_t row)
{
	if (!s->pred)
		return (size_t)row;
	int64_t k = row / s->step, r = k * s->step;
	size_t line = s->ck[k];
	if (s->hint_row >= r && s->hint_row <= row) {
		r = s->hint_row;
		line = s->hint_line;
	}
	while (r < row) {
		line++;
		if (s->pred(m, model_at(m, line), s->arg))
			r++;
	}
	s->hint_row = row;
	s->hint_line = line;
	return model_at(m, line);
}

int64_t sel_row_at(struct sel *s, const struct model *m, size_t line)
{
	if (!s->pred)
		return (int64_t)(line < m->n ? line : m->n);
	line = model_pos(m, line);
	if (s->count == 0 || s->ck[0] >= line)
		return 0;
	size_t lo = 0, hi = s->n_ck; /* last ck < line */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (s->ck[mid] < line)
			lo = mid;
		else
			hi = mid;
	}
	int64_t r = (int64_t)lo * s->step;
	for (size_t l = s->ck[lo] + 1; l < s->upto; l++) {
		if (!s->pred(m, model_at(m, l), s->arg))
			continue;
		r++;
		if (l >= line)
			return r;
	}
	return s->count;
}
