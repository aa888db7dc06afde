/* The listing engine (listing.h): which records, in which order, through
 * the caller's emit and write. */
#include "listing.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "longrec.h"
#include "retention.h"

/* --- output kept for reverse ------------------------------------------------- */

struct store {
	struct strbuf mem; /* newest lines, each ending in "\n" */
	FILE *spill;     /* older lines, same format */
};

static int store_add(struct store *st, const char *p, size_t n, perr *e)
{
	if (st->mem.n > 0 && st->mem.n + n + 1 > LISTING_STORE_MEM_MAX) {
		if (!st->spill && !(st->spill = tmpfile()))
			return perr_set(e, PX_IOERR, "cannot create a temporary file for --reverse: %s",
					strerror(errno));
		if (fwrite(st->mem.p, 1, st->mem.n, st->spill) != st->mem.n)
			return perr_set(e, PX_IOERR, "cannot write the temporary file for --reverse: %s",
					strerror(errno));
		st->mem.n = 0;
	}
	strbuf_add(&st->mem, p, n);
	strbuf_add(&st->mem, "\n", 1);
	if (st->mem.oom)
		return perr_set(e, PX_IOERR, "out of memory keeping output for --reverse");
	return 0;
}

static void store_free(struct store *st)
{
	strbuf_free(&st->mem);
	if (st->spill)
		fclose(st->spill);
	memset(st, 0, sizeof *st);
}

/* --- the newest N matches, kept in one pass ---------------------------------- */

struct tail_ent {
	struct scan_line l; /* bytes, fields and path point into this entry */
	struct jsonv_field f[SF__COUNT];
	char *buf;          /* line bytes, NUL, display path */
	size_t cap;
};

struct tail {
	struct tail_ent *e;
	size_t n, next, count; /* ring of n entries */
	size_t bytes;          /* sum of the entries' buffers */
	int overflow;          /* went past LISTING_TAIL_MAX_BYTES: use two passes */
};

static void tail_free(struct tail *t)
{
	for (size_t i = 0; i < t->n && t->e; i++)
		free(t->e[i].buf);
	free(t->e);
	memset(t, 0, sizeof *t);
}

static void tail_push(struct tail *t, const struct scan_line *l)
{
	struct tail_ent *en = &t->e[t->next];
	size_t plen = strlen(l->path), need = (size_t)l->length + plen + 2;
	if (need > en->cap) {
		t->bytes += need - en->cap;
		char *nb = t->bytes <= LISTING_TAIL_MAX_BYTES ? realloc(en->buf, need) : NULL;
		if (!nb) {
			t->overflow = 1;
			return;
		}
		en->buf = nb;
		en->cap = need;
	}
	memcpy(en->buf, l->bytes, (size_t)l->length);
	en->buf[l->length] = '\0';
	memcpy(en->buf + l->length + 1, l->path, plen + 1);
	memcpy(en->f, l->fields, sizeof en->f);
	en->l = *l;
	en->l.bytes = en->buf;
	en->l.path = en->buf + l->length + 1;
	en->l.fields = en->f;
	t->next = (t->next + 1) % t->n;
	if (t->count < t->n)
		t->count++;
}

/* The i-th kept line, oldest first. */
static const struct scan_line *tail_get(const struct tail *t, size_t i)
{
	size_t first = t->count < t->n ? 0 : t->next;
	return &t->e[(first + i) % t->n].l;
}

/* --- the passes ------------------------------------------------------------- */

enum listing_pass {
	PASS_RETENTION, /* count what the retention policy keeps */
	PASS_TAIL,      /* keep the newest `limit` matches */
	PASS_COUNT,     /* count the matches, for `limit` */
	PASS_EMIT,      /* emit (or keep for reverse) the matches */
	PASS_TALLY,     /* records per kind */
};

struct listing {
	const struct listing_opts *o;
	const struct listing_out *out;
	int use_ret;
	struct retview ret;
	enum listing_pass pass;
	int64_t matches;        /* PASS_COUNT result */
	int64_t idx, emit_from, emitted;
	int64_t tally[RK__COUNT];
	struct tail tail;
	struct longrec longrec;
	struct record rec;
	struct strbuf line;     /* the line being formatted */
	struct store store;     /* reverse: output of PASS_EMIT */
	int failed;
	perr err;
};

static void listing_write(struct listing *s, const char *p, size_t n)
{
	s->out->write(s->out->ctx, p, n);
}

/* `p` holds complete lines, each ending in "\n" (none contains another):
 * print them newest (last) first. */
static void listing_out_reversed(struct listing *s, const char *p, size_t n)
{
	size_t end = n;
	while (end > 0) {
		size_t start = end - 1;
		while (start > 0 && p[start - 1] != '\n')
			start--;
		listing_write(s, p + start, end - 1 - start);
		end = start;
	}
}

static int listing_flush_reverse(struct listing *s, perr *e)
{
	struct store *st = &s->store;
	listing_out_reversed(s, st->mem.p, st->mem.n);
	if (!st->spill)
		return 0;
	if (fflush(st->spill) != 0 || fseeko(st->spill, 0, SEEK_END) != 0)
		return perr_set(e, PX_IOERR, "cannot read back the temporary file for the reversed listing: %s",
				strerror(errno));
	off_t pos = ftello(st->spill);
	/* w holds file bytes [pos, pos + w.n): at most one partial line, which
	 * completes once the block before it is read */
	struct strbuf w = { 0 };
	int rc = 0;
	while (pos > 0 && rc == 0) {
		size_t blk = pos > (off_t)LISTING_READ_BLOCK ? LISTING_READ_BLOCK : (size_t)pos;
		pos -= (off_t)blk;
		if (strbuf_reserve(&w, blk) < 0) {
			rc = perr_set(e, PX_IOERR, "out of memory reading back the reversed listing output");
			break;
		}
		memmove(w.p + blk, w.p, w.n);
		if (fseeko(st->spill, pos, SEEK_SET) != 0 || fread(w.p, 1, blk, st->spill) != blk) {
			rc = perr_set(e, PX_IOERR, "cannot read back the temporary file for the reversed listing");
			break;
		}
		w.n += blk;
		size_t first = 0;
		if (pos > 0) {
			const char *nl = memchr(w.p, '\n', w.n);
			if (!nl)
				continue;
			first = (size_t)(nl - w.p) + 1;
		}
		listing_out_reversed(s, w.p + first, w.n - first);
		w.n = first;
	}
	strbuf_free(&w);
	return rc;
}

/* Decode `l` and emit it (or keep it, for reverse on the emit pass). */
static void listing_emit(struct listing *s, const struct scan_line *l)
{
	enum rec_status st;
	if (record_decode(&s->rec, l, &st, &s->err) < 0) {
		s->failed = 1;
		return;
	}
	if (st != REC_OK)
		return;
	s->line.n = 0;
	s->line.oom = 0;
	if (s->out->emit(s->out->ctx, &s->rec, &s->line, &s->err) < 0) {
		s->failed = 1;
		return;
	}
	if (s->line.oom) {
		s->failed = 1;
		perr_setr(&s->err, PX_IOERR, PR_NOMEM, "out of memory formatting line %lld of %s",
			  (long long)s->rec.line, s->rec.path);
		return;
	}
	s->emitted++;
	if (s->o->reverse && s->pass == PASS_EMIT) {
		if (store_add(&s->store, s->line.p, s->line.n, &s->err) < 0)
			s->failed = 1;
		return;
	}
	listing_write(s, s->line.p, s->line.n);
}

static int listing_filters_pass(const struct listing *s)
{
	const struct record *r = &s->rec;
	const char *et = s->o->event_type, *tg = s->o->target;
	if (et && *et && (r->type.n != strlen(et) || memcmp(r->type.p, et, r->type.n) != 0))
		return 0;
	if (tg && *tg && !record_addr_matches(&r->addr, tg))
		return 0;
	return 1;
}

static void listing_on_line(void *ctx, const struct scan_line *l)
{
	struct listing *s = ctx;
	const struct listing_opts *o = s->o;
	if (s->failed)
		return;
	if (s->pass == PASS_RETENTION) {
		if (retview_add(&s->ret, l, &s->err) < 0)
			s->failed = 1;
		return;
	}
	/* retention first (it is the stored view), then the filters */
	if (s->use_ret && !retview_keeps(&s->ret, l))
		return;
	enum rec_status st = record_classify(l);
	if (s->pass == PASS_TALLY) {
		/* counting needs no bytes: a very long record still counts */
		if (st == REC_OK || st == REC_SKIP_LONG)
			s->tally[l->kind]++;
		return;
	}
	if (l->kind != o->kind || (st != REC_OK && st != REC_SKIP_LONG))
		return;
	if (o->has_since && (!(l->flags & SL_TS_NUMBER) || l->ts < o->since))
		return; /* NaN passes, as `ts < since` is false in the reference too */
	if (o->has_until && (!(l->flags & SL_TS_NUMBER) || l->ts > o->until))
		return;
	if (st == REC_SKIP_LONG) {
		if (!(l = longrec_load(&s->longrec, l, o->full, &s->err))) {
			s->failed = 1;
			return;
		}
	}
	/* decode only what a filter must look at, or what gets emitted */
	if ((o->event_type && *o->event_type) || (o->target && *o->target)) {
		if (record_decode(&s->rec, l, &st, &s->err) < 0) {
			s->failed = 1;
			return;
		}
		if (st != REC_OK || !listing_filters_pass(s))
			return;
	}
	switch (s->pass) {
	case PASS_COUNT:
		s->matches++;
		return;
	case PASS_TAIL:
		if (!s->tail.overflow)
			tail_push(&s->tail, l);
		return;
	case PASS_EMIT:
		/* records appended since the count pass do not push the limit */
		if (s->idx++ >= s->emit_from && (o->limit < 0 || s->emitted < o->limit))
			listing_emit(s, l);
		return;
	case PASS_RETENTION:
	case PASS_TALLY:
		return;
	}
}

static int listing_pass(struct listing *s, struct backend *b, enum listing_pass pass)
{
	struct scan_opts so = { 0 };
	so.sample_size = s->o->sample_size;
	struct scan_sink sink = { s, listing_on_line };
	struct scan_report rep;
	perr e = { 0 };
	s->pass = pass;
	s->idx = 0;
	if (s->use_ret && pass != PASS_RETENTION)
		retview_rewind(&s->ret);
	scan_report_init(&rep);
	/* anomalies are the scanner's business: a damaged store still lists */
	int rc = b->ops->scan(b, &so, &sink, &rep, &e);
	scan_report_free(&rep);
	if (rc < 0) {
		s->err = e;
		return -1;
	}
	if (s->failed)
		return -1;
	if (pass == PASS_RETENTION)
		retview_finish(&s->ret);
	return 0;
}

/* Prepare the retention view and run its pass. */
static int listing_open(struct listing *s, struct backend *b, const struct listing_opts *o,
			const struct listing_out *out)
{
	memset(s, 0, sizeof *s);
	s->o = o;
	s->out = out;
	longrec_init(&s->longrec);
	record_init(&s->rec);
	s->use_ret = o->ret && retention_active(o->ret);
	if (!s->use_ret)
		return 0;
	retview_init(&s->ret, o->ret, o->now, backend_traits(b)->retain_per_unit);
	return listing_pass(s, b, PASS_RETENTION);
}

static void listing_close(struct listing *s)
{
	record_free(&s->rec);
	if (s->use_ret)
		retview_free(&s->ret);
	tail_free(&s->tail);
	strbuf_free(&s->line);
	store_free(&s->store);
	longrec_free(&s->longrec);
}

/* One pass when the newest `limit` matches fit in memory.  Returns 1 when
 * done, 0 when they did not fit (nothing emitted), -1 on failure. */
static int listing_tail(struct listing *s, struct backend *b)
{
	s->tail.n = (size_t)s->o->limit;
	s->tail.e = calloc(s->tail.n, sizeof *s->tail.e);
	if (!s->tail.e)
		return 0;
	if (listing_pass(s, b, PASS_TAIL) < 0)
		return -1;
	if (s->tail.overflow) {
		tail_free(&s->tail);
		return 0;
	}
	for (size_t i = 0; i < s->tail.count && !s->failed; i++)
		listing_emit(s, tail_get(&s->tail, s->o->reverse ? s->tail.count - 1 - i : i));
	return s->failed ? -1 : 1;
}

int listing_run(struct backend *b, const struct listing_opts *o, const struct listing_out *out,
		int64_t *emitted, perr *e)
{
	struct listing s;
	int rc = listing_open(&s, b, o, out), done = o->limit == 0;
	if (rc == 0 && !done && o->limit > 0 && o->limit <= LISTING_TAIL_MAX_RECORDS)
		rc = (done = listing_tail(&s, b)) < 0 ? -1 : 0;
	if (rc == 0 && !done) {
		if (o->limit > 0) {
			rc = listing_pass(&s, b, PASS_COUNT);
			s.emit_from = s.matches > o->limit ? s.matches - o->limit : 0;
		}
		if (rc == 0)
			rc = listing_pass(&s, b, PASS_EMIT);
		if (rc == 0 && o->reverse)
			rc = listing_flush_reverse(&s, &s.err);
	}
	*emitted = s.emitted;
	if (rc < 0 && e)
		*e = s.err;
	listing_close(&s);
	return rc < 0 ? -1 : 0;
}

int listing_tally(struct backend *b, const struct listing_opts *o, int64_t tally[RK__COUNT], perr *e)
{
	struct listing s;
	static const struct listing_out none = { 0 };
	int rc = listing_open(&s, b, o, &none);
	if (rc == 0)
		rc = listing_pass(&s, b, PASS_TALLY);
	memcpy(tally, s.tally, sizeof s.tally);
	if (rc < 0 && e)
		*e = s.err;
	listing_close(&s);
	return rc < 0 ? -1 : 0;
}
