#include "model.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonfmt.h"
#include "schema.h"

/* Bytes per scanner call between clock checks: small enough to stop near
 * the time budget, large enough that the clock costs nothing. */
#define STEP_BYTES (1u << 20)
/* First index allocation, in lines; doubled as needed. */
#define INDEX_START_LINES 65536

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int grow(struct model *m)
{
	size_t nc = m->cap ? m->cap * 2 : INDEX_START_LINES;
	uint32_t *len = realloc(m->len, nc * sizeof *len);
	if (len)
		m->len = len;
	float *ts = len ? realloc(m->ts, nc * sizeof *ts) : NULL;
	if (ts)
		m->ts = ts;
	uint8_t *meta = ts ? realloc(m->meta, nc) : NULL;
	if (meta)
		m->meta = meta;
	uint8_t *tid = meta ? realloc(m->type_id, nc) : NULL;
	if (tid)
		m->type_id = tid;
	uint16_t *aid = tid ? realloc(m->addr_id, nc * sizeof *aid) : NULL;
	if (aid)
		m->addr_id = aid;
	uint64_t *ck = aid ? realloc(m->ck_off, (nc / MODEL_CK_LINES + 1) * sizeof *ck) : NULL;
	if (ck)
		m->ck_off = ck;
	if (!ck)
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

static void on_line(void *ctx, const struct scan_line *l)
{
	struct model *m = ctx;
	if (m->oom)
		return;
	if (m->n == m->cap && grow(m) < 0) {
		m->oom = 1;
		return;
	}
	size_t i = m->n++;
	if (i % MODEL_CK_LINES == 0)
		m->ck_off[i / MODEL_CK_LINES] = (uint64_t)l->offset;
	m->len[i] = l->length > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)l->length;
	unsigned meta = (unsigned)l->kind & MF_KIND_MASK;
	m->type_id[i] = 0;
	m->addr_id[i] = 0;
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
			m->type_id[i] = (uint8_t)intern_span(&m->types, l->bytes, &f[SF_EVENT_TYPE], TM_STR);
			m->addr_id[i] = (uint16_t)intern_span(&m->addrs, l->bytes, &f[SF_ACTOR_ADDRESS], TM_ADDR);
		} else if (l->kind == RK_DEAD_LETTER) {
			m->type_id[i] = (uint8_t)intern_span(&m->types, l->bytes, &f[SF_MESSAGE_TYPE], TM_STR);
			m->addr_id[i] = (uint16_t)intern_span(&m->addrs, l->bytes, &f[SF_TARGET], TM_ADDR);
		}
	}
	if ((meta & MF_VALID) && (meta & MF_TS_ANY) && l->kind != RK_UNKNOWN) {
		m->records[l->kind]++;
		m->listed++;
	}
	m->meta[i] = (uint8_t)meta;
}

static const struct scan_sink *model_sink(struct model *m)
{
	m->sink.ctx = m;
	m->sink.on_line = on_line;
	return &m->sink;
}

int model_open(struct model *m, const char *path, const char *display, perr *e)
{
	memset(m, 0, sizeof *m);
	m->fd = -1;
	scan_report_init(&m->rep);
	intern_init(&m->types, MODEL_TYPE_MAX);
	intern_init(&m->addrs, MODEL_ADDR_MAX);
	if (!(m->path = px_strdup(path, e)) || !(m->display = px_strdup(display, e)))
		goto fail;
	struct scan_opts o = { 0 };
	if (ndjson_scanner_open(&m->scanner, path, display, &o, model_sink(m), &m->rep, &m->err) < 0) {
		*e = m->err;
		goto fail;
	}
	/* our own descriptor for reading rows; the scanner reports read errors */
	m->fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m->fd >= 0) {
		off_t end = lseek(m->fd, 0, SEEK_END);
		m->size = end < 0 ? 0 : (int64_t)end;
	}
	return 0;
fail:
	model_close(m);
	return -1;
}

void model_close(struct model *m)
{
	if (m->scanner)
		ndjson_scanner_close(m->scanner);
	if (m->fd >= 0)
		close(m->fd);
	scan_report_free(&m->rep);
	intern_free(&m->types);
	intern_free(&m->addrs);
	free(m->len);
	free(m->ts);
	free(m->meta);
	free(m->type_id);
	free(m->addr_id);
	free(m->ck_off);
	free(m->path);
	free(m->display);
	memset(m, 0, sizeof *m);
	m->fd = -1;
}

int model_step(struct model *m, int budget_ms)
{
	if (!m->scanner)
		return 0;
	double until = now_ms() + budget_ms;
	int rc;
	do
		rc = ndjson_scanner_step(m->scanner, STEP_BYTES);
	while (rc == 1 && now_ms() < until);
	if (rc == 1)
		return 1;
	if (rc < 0)
		m->failed = 1;
	/* the bytes count is only final at the end: keep the last figure */
	ndjson_scanner_close(m->scanner);
	m->scanner = NULL;
	return 0;
}

int model_scanning(const struct model *m)
{
	return m->scanner != NULL;
}

int64_t model_done_bytes(const struct model *m)
{
	return m->scanner ? ndjson_scanner_done_bytes(m->scanner) : m->size;
}

int64_t model_offset(const struct model *m, size_t line)
{
	size_t k = line / MODEL_CK_LINES;
	uint64_t off = m->ck_off[k];
	for (size_t j = k * MODEL_CK_LINES; j < line; j++)
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
	if (id >= t->max_id)
		return "?";
	if (!t->shown[id]) {
		char buf[INTERN_KEY_MAX * 2];
		const char *k = t->key[id];
		if (addr)
			jf_address(k, strlen(k), buf, sizeof buf);
		else
			jf_string(k, strlen(k), buf, sizeof buf);
		t->shown[id] = strdup(buf);
	}
	return t->shown[id] ? t->shown[id] : "?";
}

const char *model_type_name(struct model *m, unsigned id)
{
	return shown(&m->types, id, 0);
}

const char *model_addr_name(struct model *m, unsigned id)
{
	return shown(&m->addrs, id, 1);
}

long model_read(const struct model *m, size_t i, char *buf, size_t cap)
{
	if (m->fd < 0 || i >= m->n)
		return -1;
	size_t want = m->len[i] < cap ? m->len[i] : cap;
	size_t got = 0;
	int64_t off = model_offset(m, i);
	while (got < want) {
		ssize_t r = pread(m->fd, buf + got, want - got, (off_t)(off + (int64_t)got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* the file shrank under us: show what is there */
		got += (size_t)r;
	}
	return (long)got;
}

void sel_init(struct sel *s, int (*pred)(const struct model *, size_t, const void *), const void *arg)
{
	memset(s, 0, sizeof *s);
	s->pred = pred;
	s->arg = arg;
	s->hint_row = -1;
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

void sel_update(struct sel *s, const struct model *m)
{
	if (!s->pred) {
		s->count = (int64_t)m->n;
		s->upto = m->n;
		return;
	}
	for (size_t i = s->upto; i < m->n; i++) {
		if (!s->pred(m, i, s->arg))
			continue;
		if (s->count % SEL_STEP == 0) {
			if (s->n_ck == s->cap_ck) {
				size_t nc = s->cap_ck ? s->cap_ck * 2 : 1024;
				uint32_t *ck = realloc(s->ck, nc * sizeof *ck);
				if (!ck)
					return; /* try again on the next update */
				s->ck = ck;
				s->cap_ck = nc;
			}
			s->ck[s->n_ck++] = (uint32_t)i;
		}
		s->count++;
		s->upto = i + 1;
	}
	s->upto = m->n;
}

int64_t sel_count(const struct sel *s, const struct model *m)
{
	return s->pred ? s->count : (int64_t)m->n;
}

size_t sel_line(struct sel *s, const struct model *m, int64_t row)
{
	if (!s->pred)
		return (size_t)row;
	int64_t k = row / SEL_STEP, r = k * SEL_STEP;
	size_t line = s->ck[k];
	if (s->hint_row >= r && s->hint_row <= row) {
		r = s->hint_row;
		line = s->hint_line;
	}
	while (r < row) {
		line++;
		if (s->pred(m, line, s->arg))
			r++;
	}
	s->hint_row = row;
	s->hint_line = line;
	return line;
}

int64_t sel_row_at(struct sel *s, const struct model *m, size_t line)
{
	if (!s->pred)
		return (int64_t)(line < m->n ? line : m->n);
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
	int64_t r = (int64_t)lo * SEL_STEP;
	for (size_t l = s->ck[lo] + 1; l < s->upto; l++) {
		if (!s->pred(m, l, s->arg))
			continue;
		r++;
		if (l >= line)
			return r;
	}
	return s->count;
}
