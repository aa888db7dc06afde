/* Scanning Redis Streams (SPEC §3, Redis): every entry's `data` is
 * classified exactly as a line of an NDJSON file (scan_classify_record),
 * and reported with its id and its 1-based position in the stream.
 *
 * Streams are read in pages (XRANGE ... COUNT) so memory stays one page
 * whatever the stream length, and up to the entry that was last when the
 * scan of that stream began, so a busy writer cannot keep the scan going
 * forever.  Exclusive ranges ("(id") need Redis 6.2 or later. */
#include "redis_store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "schema.h"

/* Entries per XRANGE page at most: large enough that round trips vanish
 * next to parsing on a local server (bench/redis-bench.sh), small enough
 * that one reply of typical records stays well under a megabyte or two. */
#define REDIS_SCAN_PAGE 1000
/* Bytes one page may hold (its entries' fields), so memory stays one page
 * whatever the entries' size (issue 10 item 7: 400 dead letters of 1 MB
 * were one 414 MB reply): a page asks for this divided by the largest
 * entry seen so far in the stream, its last entry included (read at the
 * head), at least one entry.  Redis cannot bound a reply by bytes, so a
 * stream whose entries jump from small to big can make the one page where
 * they do larger; every later page is sized by the big ones. */
#define REDIS_SCAN_PAGE_BYTES (32 << 20)

struct rscan {
	struct redis_store *st;
	const struct scan_opts *o;
	const struct scan_sink *sink;
	struct scan_report *r;
	size_t stream, file_index;
	const char *key;
	struct jsonv_field f[SF__COUNT];
	struct jsonv_capture cap;
	perr *e;
};

int redis_id_parse(const char *id, uint64_t *ms, uint64_t *seq)
{
	char *end;
	if (!id || *id < '0' || *id > '9')
		return -1;
	*ms = strtoull(id, &end, 10);
	*seq = 0;
	if (*end == '-') {
		const char *s = end + 1;
		if (*s < '0' || *s > '9')
			return -1;
		*seq = strtoull(s, &end, 10);
	}
	return *end ? -1 : 0;
}

uint64_t redis_entry_hash(const redisReply *fields)
{
	/* FNV-1a over each element's length and bytes */
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; fields && i < fields->elements; i++) {
		const redisReply *x = fields->element[i];
		uint64_t n = x->type == REDIS_REPLY_STRING ? (uint64_t)x->len : UINT64_MAX;
		for (int b = 0; b < 8; b++) {
			h ^= (n >> (8 * b)) & 0xff;
			h *= 1099511628211ull;
		}
		for (size_t j = 0; x->type == REDIS_REPLY_STRING && j < x->len; j++) {
			h ^= (unsigned char)x->str[j];
			h *= 1099511628211ull;
		}
	}
	return h;
}

static int mark_cmp(const struct redis_mark *m, size_t stream, uint64_t ms, uint64_t seq)
{
	if (m->stream != stream)
		return m->stream < stream ? -1 : 1;
	if (m->ms != ms)
		return m->ms < ms ? -1 : 1;
	if (m->seq != seq)
		return m->seq < seq ? -1 : 1;
	return 0;
}

const struct redis_mark *redis_mark_find(const struct redis_store *s, size_t stream,
					 uint64_t ms, uint64_t seq)
{
	size_t lo = 0, hi = s->n_marks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = mark_cmp(&s->marks[mid], stream, ms, seq);
		if (c == 0)
			return &s->marks[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int add_mark(struct rscan *s, const char *id, const redisReply *fields)
{
	struct redis_store *st = s->st;
	uint64_t ms, seq;
	if (redis_id_parse(id, &ms, &seq) < 0)
		return 0; /* not an id Redis would hand out: nothing to compare later */
	if (px_grow(&st->marks, &st->cap_marks, st->n_marks + 1, sizeof *st->marks, s->e) < 0)
		return -1;
	/* in (stream, id) order: a stream followed after the whole scan (a
	 * later stream's marks are there already) puts its marks in place */
	size_t at = st->n_marks;
	while (at > 0 && mark_cmp(&st->marks[at - 1], s->stream, ms, seq) > 0)
		at--;
	memmove(&st->marks[at + 1], &st->marks[at], (st->n_marks - at) * sizeof *st->marks);
	st->marks[at] = (struct redis_mark){ s->stream, ms, seq, redis_entry_hash(fields) };
	st->n_marks++;
	return 0;
}

static int entry_anomaly(struct rscan *s, enum anomaly_type t, int64_t pos, const char *id,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int entry_anomaly(struct rscan *s, enum anomaly_type t, int64_t pos, const char *id,
			 const char *fmt, ...)
{
	char buf[PERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	s->r->files[s->file_index].anomalies++;
	return scan_report_add(s->r, t, s->key, pos, -1, -1, id, 0, s->e, "%s", buf);
}

const redisReply *redis_entry_data(const redisReply *fields)
{
	const redisReply *data = NULL;
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		const redisReply *k = fields->element[i];
		if (k->type == REDIS_REPLY_STRING && k->len == 4 && memcmp(k->str, "data", 4) == 0)
			data = fields->element[i + 1];
	}
	return data && data->type == REDIS_REPLY_STRING ? data : NULL;
}

static int scan_entry(struct rscan *s, const redisReply *ent, int64_t pos)
{
	if (ent->type != REDIS_REPLY_ARRAY || ent->elements != 2 ||
	    ent->element[0]->type != REDIS_REPLY_STRING || ent->element[1]->type != REDIS_REPLY_ARRAY)
		return perr_set(s->e, PX_IOERR, "Redis at %s: malformed entry in stream %s",
				s->st->conn.display, s->key);
	const char *id = ent->element[0]->str;
	const redisReply *fields = ent->element[1], *data = redis_entry_data(fields);
	struct scan_file *f = &s->r->files[s->file_index];
	struct scan_line sl = {
		.path = s->key, .file_index = s->file_index, .line = pos, .offset = -1,
		.kind = RK_UNKNOWN, .id = id,
	};
	int rc = 0, bad = 0;
	f->lines++;
	snprintf(f->last_id, sizeof f->last_id, "%s", id); /* where following goes on */
	if (!data) {
		sl.flags = SL_CORRUPT;
		bad = 1;
		rc = entry_anomaly(s, AN_CORRUPTED_LINE, pos, id,
				   "Missing 'data' field or non-string payload (id %s)", id);
	} else {
		char why[256];
		f->bytes += (int64_t)data->len;
		switch (scan_classify_record(data->str, data->len, s->o->strict, s->st->jv, &s->cap, &sl,
					     why, sizeof why)) {
		case SV_INVALID:
			bad = 1;
			rc = entry_anomaly(s, AN_CORRUPTED_LINE, pos, id,
					   "Invalid JSON payload in stream entry (id %s, byte %llu: %s)", id,
					   (unsigned long long)jsonv_error_pos(s->st->jv),
					   jsonv_error_reason(s->st->jv));
			break;
		case SV_NOT_OBJECT:
			bad = 1;
			rc = entry_anomaly(s, AN_CORRUPTED_LINE, pos, id,
					   "JSON payload is not an object/dict (id %s: %s)", id,
					   jsonv_type_name(jsonv_top_type(s->st->jv)));
			break;
		case SV_OBJECT:
			f->records[sl.kind]++;
			if (sl.flags & SL_SCHEMA)
				rc = entry_anomaly(s, AN_SCHEMA_MISMATCH, pos, id,
						   "Schema mismatch in stream entry (id %s): %s", id, why);
			break;
		}
	}
	if (rc == 0 && bad)
		rc = add_mark(s, id, fields);
	if (rc == 0 && s->sink && s->sink->on_line)
		s->sink->on_line(s->sink->ctx, &sl);
	return rc;
}

static redisReply *range(struct rscan *s, const char *cmd, const char *from, const char *to,
			 int64_t count)
{
	char n[24], what[64];
	snprintf(n, sizeof n, "%lld", (long long)count);
	snprintf(what, sizeof what, "%s %.40s", cmd, s->key);
	const char *argv[6] = { cmd, s->key, from, to, "COUNT", n };
	return redis_conn_command(&s->st->conn, REDIS_REPLY_ARRAY, what, 6, argv, NULL, s->e);
}

/* "(" + the id of entry `ent` (an exclusive range start), into buf. */
static void exclusive_after(char *buf, size_t n, const redisReply *ent)
{
	snprintf(buf, n, "(%s", ent->element[0]->str);
}

/* ---- the scan as a sequence of steps ----------------------------------------
 *
 * Each step is one round trip: a stream's head (its type, length and last
 * entry), or one page.  The backend's scan runs the steps back to back;
 * the console runs a few between key presses (redis_scanner_step). */

enum rphase {
	RP_HEAD,    /* next: the head of stream s.stream */
	RP_TAIL,    /* a sample that fits one page: one XREVRANGE from `last` */
	RP_BACK,    /* a larger sample: walking back (ids only) to where it starts */
	RP_FORWARD, /* pages forward from `start` up to `last` */
	RP_DONE,
};

struct redis_scanner {
	struct rscan s;
	struct scan_opts opts;
	enum rphase phase;
	char start[REDIS_ID_MAX + 2]; /* next page's start: "-", an id, or "(id" */
	char last[REDIS_ID_MAX + 1];  /* the stream's last entry when its scan began */
	char first[REDIS_ID_MAX + 2]; /* RP_BACK: the oldest entry of the sample so far */
	int64_t len;                  /* XLEN at the head */
	int64_t want, taken;          /* RP_TAIL / RP_BACK: sample size, ids walked */
	int64_t limit, done, pos;     /* RP_FORWARD: at most `limit` (-1: all), so far, next position */
	int64_t seen, total;          /* progress: entries scanned, entries expected */
	int64_t biggest;              /* bytes of the largest entry seen in this stream */
};

/* Bytes of an entry's fields (names and values). */
static int64_t entry_bytes(const redisReply *ent)
{
	int64_t n = 0;
	const redisReply *fields = ent->type == REDIS_REPLY_ARRAY && ent->elements == 2 ? ent->element[1] : NULL;
	for (size_t i = 0; fields && fields->type == REDIS_REPLY_ARRAY && i < fields->elements; i++)
		if (fields->element[i]->type == REDIS_REPLY_STRING)
			n += (int64_t)fields->element[i]->len;
	return n;
}

static void note_sizes(struct redis_scanner *rs, const redisReply *page)
{
	for (size_t i = 0; i < page->elements; i++) {
		int64_t n = entry_bytes(page->element[i]);
		if (n > rs->biggest)
			rs->biggest = n;
	}
}

/* Entries the next page asks for: REDIS_SCAN_PAGE_BYTES by the biggest
 * entry seen, between 1 and REDIS_SCAN_PAGE. */
static int64_t page_entries(const struct redis_scanner *rs)
{
	int64_t n = rs->biggest > 0 ? REDIS_SCAN_PAGE_BYTES / rs->biggest : REDIS_SCAN_PAGE;
	return n < 1 ? 1 : n > REDIS_SCAN_PAGE ? REDIS_SCAN_PAGE : n;
}

static void next_stream(struct redis_scanner *rs)
{
	rs->biggest = 0;
	rs->s.stream++;
	rs->phase = rs->s.stream < REDIS_N_STREAMS ? RP_HEAD : RP_DONE;
}

static void forward_from(struct redis_scanner *rs, const char *from, int64_t limit, int64_t pos)
{
	snprintf(rs->start, sizeof rs->start, "%s", from);
	rs->limit = limit;
	rs->done = 0;
	rs->pos = pos;
	rs->phase = RP_FORWARD;
}

/* The stream's last entry and length decide what comes next: the whole
 * stream forward, or the newest `sample_size` entries. */
static int head_plan(struct redis_scanner *rs, const redisReply *len, const redisReply *last)
{
	struct rscan *s = &rs->s;
	const redisReply *ent = last->element[0];
	if (ent->type != REDIS_REPLY_ARRAY || ent->elements != 2 ||
	    ent->element[0]->type != REDIS_REPLY_STRING)
		return perr_set(s->e, PX_IOERR, "Redis at %s: malformed entry in stream %s",
				s->st->conn.display, s->key);
	snprintf(rs->last, sizeof rs->last, "%s", ent->element[0]->str);
	rs->biggest = entry_bytes(ent);
	int64_t n = rs->opts.sample_size;
	rs->len = len->integer;
	if (n > 0 && n < rs->len) {
		rs->want = n;
		rs->taken = 0;
		rs->first[0] = '\0';
		snprintf(rs->start, sizeof rs->start, "%s", rs->last);
		rs->phase = n <= page_entries(rs) ? RP_TAIL : RP_BACK;
	} else {
		forward_from(rs, "-", -1, 1);
	}
	return 0;
}

static int step_head(struct redis_scanner *rs)
{
	struct rscan *s = &rs->s;
	struct redis_conn *c = &s->st->conn;
	s->key = s->st->keys[s->stream];
	if (!scan_report_add_file(s->r, s->key, s->e))
		return -1;
	s->file_index = s->r->n_files - 1;
	/* one round trip: the key's type, its length and its last entry */
	const char *type_argv[2] = { "TYPE", s->key }, *len_argv[2] = { "XLEN", s->key };
	const char *last_argv[6] = { "XREVRANGE", s->key, "+", "-", "COUNT", "1" };
	if (redis_conn_append(c, 2, type_argv, NULL, s->e) < 0 ||
	    redis_conn_append(c, 2, len_argv, NULL, s->e) < 0 ||
	    redis_conn_append(c, 6, last_argv, NULL, s->e) < 0)
		return -1;
	redisReply *rep[3] = { NULL, NULL, NULL };
	int rc = 0, planned = 0, stream = 0;
	for (int i = 0; i < 3; i++)
		if (!(rep[i] = redis_conn_reply(c, s->e)))
			rc = -1;
	if (rc == 0)
		rc = redis_reply_check(c, rep[0], REDIS_REPLY_STATUS, "TYPE", s->e);
	struct scan_file *f = &s->r->files[s->file_index];
	if (rc == 0 && strcmp(rep[0]->str, "none") != 0) {
		f->ident.exists = 1;
		if (strcmp(rep[0]->str, "stream") != 0) {
			f->anomalies++;
			rc = scan_report_add(s->r, AN_UNEXPECTED_FILE, s->key, 0, -1, -1, NULL, 0, s->e,
					     "Key holds a Redis %s, not a stream", rep[0]->str);
		} else if ((stream = 1) &&
			   (rc = redis_reply_check(c, rep[1], REDIS_REPLY_INTEGER, "XLEN", s->e)) == 0 &&
			   (rc = redis_reply_check(c, rep[2], REDIS_REPLY_ARRAY, "XREVRANGE", s->e)) == 0 &&
			   rep[2]->elements == 1) {
			rc = head_plan(rs, rep[1], rep[2]);
			planned = rc == 0;
		}
	}
	for (int i = 0; i < 3; i++)
		freeReplyObject(rep[i]);
	/* its readers: consumer groups, what they have pending (redis_groups.c) */
	if (rc == 0 && stream)
		rc = redis_groups_scan(s->st, s->key, f, s->e);
	if (rc == 0 && !planned)
		next_stream(rs); /* missing, not a stream, or empty: nothing to page through */
	return rc;
}

/* The newest `want` entries fit one page: read them backwards at once and
 * report them oldest first. */
static int step_tail(struct redis_scanner *rs)
{
	struct rscan *s = &rs->s;
	redisReply *page = range(s, "XREVRANGE", rs->last, "-", rs->want);
	if (!page)
		return -1;
	size_t n = page->elements;
	int64_t pos = rs->len - (int64_t)n + 1;
	int rc = 0;
	for (size_t i = n; rc == 0 && i > 0; i--)
		rc = scan_entry(s, page->element[i - 1], pos++);
	freeReplyObject(page);
	rs->seen += (int64_t)n;
	next_stream(rs);
	return rc;
}

/* A larger sample is first walked backwards a page at a time (ids only
 * matter) to find where it starts, then read forward in pages, so memory
 * stays one page. */
static int step_back(struct redis_scanner *rs)
{
	struct rscan *s = &rs->s;
	int64_t ask = page_entries(rs);
	if (rs->want - rs->taken < ask)
		ask = rs->want - rs->taken;
	redisReply *page = range(s, "XREVRANGE", rs->start, "-", ask);
	if (!page)
		return -1;
	note_sizes(rs, page);
	size_t n = page->elements;
	if (n) {
		snprintf(rs->first, sizeof rs->first, "%s", page->element[n - 1]->element[0]->str);
		exclusive_after(rs->start, sizeof rs->start, page->element[n - 1]);
	}
	freeReplyObject(page);
	rs->taken += (int64_t)n;
	if (rs->taken < rs->want && (int64_t)n == ask)
		return 0;
	if (!rs->taken)
		next_stream(rs);
	else
		forward_from(rs, rs->first, rs->taken, rs->len - rs->taken + 1);
	return 0;
}

/* One page of entries from `start` up to `last`, at most what `limit`
 * leaves. */
static int step_forward(struct redis_scanner *rs)
{
	struct rscan *s = &rs->s;
	int64_t want = page_entries(rs);
	if (rs->limit >= 0 && rs->limit - rs->done < want)
		want = rs->limit - rs->done;
	if (want <= 0) {
		next_stream(rs);
		return 0;
	}
	redisReply *page = range(s, "XRANGE", rs->start, rs->last, want);
	if (!page)
		return -1;
	note_sizes(rs, page);
	size_t n = page->elements;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = scan_entry(s, page->element[i], rs->pos++);
	if (rc == 0 && n)
		exclusive_after(rs->start, sizeof rs->start, page->element[n - 1]);
	freeReplyObject(page);
	rs->done += (int64_t)n;
	rs->seen += (int64_t)n;
	if (rc == 0 && (int64_t)n < want)
		next_stream(rs);
	return rc;
}

/* Entries the scan expects, for progress: each stream's length (capped by
 * the sample size), one pipelined round trip.  A key that is not a stream
 * answers an error: it counts as empty, and its head reports it. */
static int expected_total(struct redis_scanner *rs)
{
	struct rscan *s = &rs->s;
	struct redis_conn *c = &s->st->conn;
	for (size_t i = 0; i < REDIS_N_STREAMS; i++) {
		const char *argv[2] = { "XLEN", s->st->keys[i] };
		if (redis_conn_append(c, 2, argv, NULL, s->e) < 0)
			return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < REDIS_N_STREAMS; i++) {
		redisReply *r = redis_conn_reply(c, s->e);
		if (!r)
			rc = -1;
		else if (r->type == REDIS_REPLY_INTEGER) {
			int64_t n = r->integer, cap = rs->opts.sample_size;
			rs->total += cap > 0 && cap < n ? cap : n;
		}
		freeReplyObject(r);
	}
	return rc;
}

int redis_store_scanner_open(struct redis_scanner **out, struct redis_store *st,
			     const struct scan_opts *o, const struct scan_sink *sink,
			     struct scan_report *r, perr *e)
{
	*out = NULL;
	struct redis_scanner *rs = calloc(1, sizeof *rs);
	if (!rs)
		return perr_set(e, PX_IOERR, "out of memory");
	rs->opts = *o;
	rs->s = (struct rscan){ .st = st, .o = &rs->opts, .sink = sink, .r = r, .e = e };
	schema_capture_init(rs->s.f, &rs->s.cap);
	/* nobody reads the other members then: the file scanner's shortcut */
	if (!sink && !o->strict)
		rs->s.cap.n = SF_KIND + 1;
	st->n_marks = 0;
	rs->phase = RP_HEAD;
	if (sink && expected_total(rs) < 0) {
		free(rs);
		return -1;
	}
	*out = rs;
	return 0;
}

int redis_scanner_step(struct redis_scanner *rs)
{
	int rc = 0;
	switch (rs->phase) {
	case RP_HEAD: rc = step_head(rs); break;
	case RP_TAIL: rc = step_tail(rs); break;
	case RP_BACK: rc = step_back(rs); break;
	case RP_FORWARD: rc = step_forward(rs); break;
	case RP_DONE: return 0;
	}
	if (rc < 0) {
		rs->phase = RP_DONE;
		return -1;
	}
	return rs->phase == RP_DONE ? 0 : 1;
}

void redis_scanner_progress(const struct redis_scanner *rs, int64_t *done, int64_t *total)
{
	*done = rs->seen;
	*total = rs->total > rs->seen ? rs->total : rs->seen;
}

void redis_scanner_close(struct redis_scanner *rs)
{
	free(rs);
}

/* ---- following: what a stream got after an entry ----------------------- */

int redis_store_scan_since(struct redis_store *st, struct backend_mark *m, int64_t max, const struct scan_opts *o,
			   const struct scan_sink *sink, struct scan_report *r, perr *e)
{
	int stream = redis_store_stream(st, m->unit);
	size_t fi = r->n_files;
	for (size_t i = 0; i < r->n_files; i++)
		if (strcmp(r->files[i].path, m->unit) == 0)
			fi = i;
	if (stream < 0 || fi == r->n_files)
		return perr_set(e, PX_USAGE, "%s is not a stream of this scan", m->unit);
	struct redis_scanner rs = { .opts = *o };
	rs.s = (struct rscan){ .st = st, .o = &rs.opts, .sink = sink, .r = r, .e = e, .stream = (size_t)stream,
			       .file_index = fi, .key = st->keys[stream] };
	schema_capture_init(rs.s.f, &rs.s.cap);
	if (!sink && !o->strict)
		rs.s.cap.n = SF_KIND + 1;
	if (m->last_id)
		snprintf(rs.start, sizeof rs.start, "(%s", m->last_id);
	else
		snprintf(rs.start, sizeof rs.start, "-");
	r->files[fi].ident.exists = 1;
	int64_t done = 0;
	int rc = 0, more = 1;
	while (rc == 0 && more && done < max) {
		int64_t want = page_entries(&rs);
		if (max - done < want)
			want = max - done;
		redisReply *page = range(&rs.s, "XRANGE", rs.start, "+", want);
		if (!page)
			return -1;
		note_sizes(&rs, page);
		size_t n = page->elements;
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = scan_entry(&rs.s, page->element[i], m->entries + 1 + (int64_t)i);
		if (rc == 0 && n) {
			const char *id = page->element[n - 1]->element[0]->str;
			char *last = px_strdup(id, e);
			exclusive_after(rs.start, sizeof rs.start, page->element[n - 1]);
			if (!last)
				rc = -1;
			else {
				free(m->last_id);
				m->last_id = last;
				m->exists = 1;
				m->entries += (int64_t)n;
			}
		}
		freeReplyObject(page);
		done += (int64_t)n;
		more = (int64_t)n == want;
	}
	return rc < 0 ? -1 : more;
}

int redis_store_scan(struct redis_store *st, const struct scan_opts *o,
		     const struct scan_sink *sink, struct scan_report *r, perr *e)
{
	struct redis_scanner *rs;
	size_t before = r->n_an;
	int rc = redis_store_scanner_open(&rs, st, o, sink, r, e);
	if (rc == 0) {
		while ((rc = redis_scanner_step(rs)) == 1)
			;
		redis_scanner_close(rs);
	}
	metrics_note_scan((int64_t)(r->n_an - before), rc == 0);
	return rc < 0 ? -1 : 0;
}
