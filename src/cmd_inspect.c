/* inspect events | audits | dead-letters | summary, and persistence inspect
 * (SPEC §6).
 *
 * Every listing streams through the backend's scan sink: nothing holds the
 * data, so a 1 GB file lists within the RSS target (SPEC §11).  What needs
 * to know the future costs a bounded buffer or an extra pass, never the
 * whole data: retention is decided with a counting pass (retention.h,
 * retview); --limit N keeps the newest N matches in a bounded ring, or when
 * they do not fit counts the matches first and prints on a second pass;
 * --reverse keeps its output lines, spilling them to a temporary file past
 * a bound. */
#include "cmd_inspect.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "json_strict.h"
#include "metrics.h"
#include "record.h"
#include "retention.h"
#include "longrec.h"
#include "strbuf.h"

/* --reverse keeps its output lines in memory up to this many bytes, then
 * moves them to an unlinked temporary file: newest-first over millions of
 * records stays within the memory target at the cost of some disk. */
#define INSP_STORE_MEM_MAX (8u << 20)
/* Block size for reading that file backwards. */
#define INSP_READ_BLOCK (1u << 20)

static void sb_esc(struct strbuf *b, struct rec_str s)
{
	if (strbuf_reserve(b, RECORD_ESCAPE_MAX(s.n)) < 0)
		return;
	b->n += record_escape(b->p + b->n, s.p, s.n);
}

/* --- output kept for --reverse ------------------------------------------- */

struct store {
	struct strbuf mem; /* newest lines, each ending in "\n" */
	FILE *spill;     /* older lines, same format */
};

static int store_add(struct store *st, const char *p, size_t n, perr *e)
{
	if (st->mem.n > 0 && st->mem.n + n + 1 > INSP_STORE_MEM_MAX) {
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

/* --- the newest N matches, kept in one pass --------------------------------- */

/* `--limit N` keeps the newest N matches.  For a small N they are kept as
 * they stream by (the line bytes and captured spans, decoded only at the
 * end), so the store is read once; past either bound the listing counts
 * the matches in a first pass instead and prints on a second. */
#define INSP_TAIL_MAX_RECORDS 4096
#define INSP_TAIL_MAX_BYTES (8u << 20)

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
	int overflow;          /* went past INSP_TAIL_MAX_BYTES: use two passes */
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
		char *nb = t->bytes <= INSP_TAIL_MAX_BYTES ? realloc(en->buf, need) : NULL;
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

/* --- the listing --------------------------------------------------------- */

enum insp_pass {
	PASS_RETENTION, /* count what the retention policy keeps */
	PASS_TAIL,      /* keep the newest --limit matches */
	PASS_COUNT,     /* count the matches, for --limit */
	PASS_EMIT,      /* print (or keep for --reverse) the matches */
	PASS_TALLY,     /* persistence inspect: records per kind */
};

struct insp {
	struct cli *c;
	enum rec_kind kind;
	int64_t limit;          /* -1: all */
	int has_since;
	double since;
	const char *event_type; /* NULL or "": any (the reference ignores "") */
	const char *target;
	int reverse, json, summary;
	int json_raw;           /* --json-raw: NaN / Infinity as stored, not as strings */

	int use_ret;
	struct retview ret;
	enum insp_pass pass;
	int64_t matches;        /* PASS_COUNT result */
	int64_t idx, emit_from, emitted;
	int64_t tally[RK__COUNT];
	struct tail tail;
	struct longrec longrec;

	struct record rec;
	struct strbuf line;       /* the line being formatted */
	struct store store;     /* --reverse output of PASS_EMIT */
	int failed;
	perr err;
};

static void insp_out(struct insp *s, const char *p, size_t n)
{
	if (s->json) {
		fwrite(p, 1, n, stdout);
		fputc('\n', stdout);
	} else {
		cli_say_n(s->c, stdout, TONE_INFO, p, n);
	}
}

/* `p` holds complete lines, each ending in "\n" (none contains another):
 * print them newest (last) first. */
static void insp_out_reversed(struct insp *s, const char *p, size_t n)
{
	size_t end = n;
	while (end > 0) {
		size_t start = end - 1;
		while (start > 0 && p[start - 1] != '\n')
			start--;
		insp_out(s, p + start, end - 1 - start);
		end = start;
	}
}

static int insp_flush_reverse(struct insp *s, perr *e)
{
	struct store *st = &s->store;
	insp_out_reversed(s, st->mem.p, st->mem.n);
	if (!st->spill)
		return 0;
	if (fflush(st->spill) != 0 || fseeko(st->spill, 0, SEEK_END) != 0)
		return perr_set(e, PX_IOERR, "cannot read back the temporary file for --reverse: %s",
				strerror(errno));
	off_t pos = ftello(st->spill);
	/* w holds file bytes [pos, pos + w.n): at most one partial line, which
	 * completes once the block before it is read */
	struct strbuf w = { 0 };
	int rc = 0;
	while (pos > 0 && rc == 0) {
		size_t blk = pos > (off_t)INSP_READ_BLOCK ? INSP_READ_BLOCK : (size_t)pos;
		pos -= (off_t)blk;
		if (strbuf_reserve(&w, blk) < 0) {
			rc = perr_set(e, PX_IOERR, "out of memory reading back --reverse output");
			break;
		}
		memmove(w.p + blk, w.p, w.n);
		if (fseeko(st->spill, pos, SEEK_SET) != 0 || fread(w.p, 1, blk, st->spill) != blk) {
			rc = perr_set(e, PX_IOERR, "cannot read back the temporary file for --reverse");
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
		insp_out_reversed(s, w.p + first, w.n - first);
		w.n = first;
	}
	strbuf_free(&w);
	return rc;
}

/* Decode `l` and print it (or keep it, for --reverse on the emit pass). */
static void insp_emit(struct insp *s, const struct scan_line *l)
{
	enum rec_status st;
	if (record_decode(&s->rec, l, &st, &s->err) < 0) {
		s->failed = 1;
		return;
	}
	if (st != REC_OK)
		return;
	s->line.n = 0;
	if (s->summary && !s->json) {
		/* the reference's two lines, from the latest audit */
		static const char *const keys[] = { "Actors: total=", " alive=", " stopping=",
						    " restarting=" };
		static const enum rec_count vals[] = { RC_TOTAL, RC_ALIVE, RC_STOPPING, RC_RESTARTING };
		for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
			strbuf_add(&s->line, keys[i], strlen(keys[i]));
			sb_esc(&s->line, s->rec.count[vals[i]]);
		}
		strbuf_add(&s->line, "\nDead letters: ", 15);
		sb_esc(&s->line, s->rec.count[RC_DEAD_LETTERS]);
	} else {
		size_t n = 0;
		char *txt = s->json ? record_format_json(&s->rec, &n) : record_format_line(&s->rec, &n);
		if (txt && s->json && !s->json_raw) {
			char *strict = json_strict_copy(txt, n, &n);
			free(txt);
			txt = strict;
		}
		if (txt) {
			/* the formatted line becomes the buffer: no copy of a long record */
			strbuf_free(&s->line);
			s->line = (struct strbuf){ .p = txt, .n = n, .cap = n + 1 };
		} else {
			s->line.oom = 1;
		}
	}
	if (s->line.oom) {
		s->failed = 1;
		perr_set(&s->err, PX_IOERR, "out of memory formatting line %lld of %s",
			 (long long)s->rec.line, s->rec.path);
		return;
	}
	s->emitted++;
	if (s->reverse && s->pass == PASS_EMIT) {
		if (store_add(&s->store, s->line.p, s->line.n, &s->err) < 0)
			s->failed = 1;
		return;
	}
	const char *nl = s->summary ? memchr(s->line.p, '\n', s->line.n) : NULL;
	size_t first = nl ? (size_t)(nl - s->line.p) : s->line.n;
	insp_out(s, s->line.p, first);
	if (nl)
		insp_out(s, nl + 1, s->line.n - first - 1);
}

static int insp_filters_pass(const struct insp *s)
{
	const struct record *r = &s->rec;
	if (s->event_type && *s->event_type &&
	    (r->type.n != strlen(s->event_type) || memcmp(r->type.p, s->event_type, r->type.n) != 0))
		return 0;
	if (s->target && *s->target && !record_addr_matches(&r->addr, s->target))
		return 0;
	return 1;
}

static void insp_on_line(void *ctx, const struct scan_line *l)
{
	struct insp *s = ctx;
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
	if (l->kind != s->kind || (st != REC_OK && st != REC_SKIP_LONG))
		return;
	if (s->has_since && (!(l->flags & SL_TS_NUMBER) || l->ts < s->since))
		return; /* NaN passes, as `ts < since` is false in the reference too */
	if (st == REC_SKIP_LONG) {
		if (!(l = longrec_load(&s->longrec, l, s->json, &s->err))) {
			s->failed = 1;
			return;
		}
	}
	/* decode only what a filter must look at, or what gets printed */
	if ((s->event_type && *s->event_type) || (s->target && *s->target)) {
		if (record_decode(&s->rec, l, &st, &s->err) < 0) {
			s->failed = 1;
			return;
		}
		if (st != REC_OK || !insp_filters_pass(s))
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
		if (s->idx++ >= s->emit_from && (s->limit < 0 || s->emitted < s->limit))
			insp_emit(s, l);
		return;
	case PASS_RETENTION:
	case PASS_TALLY:
		return;
	}
}

static int insp_pass(struct insp *s, struct backend *b, enum insp_pass pass)
{
	struct scan_opts o = { 0 };
	/* Redis: --max-read caps how many entries per stream a listing reads */
	o.sample_size = s->c->cfg.max_read;
	struct scan_sink sink = { s, insp_on_line };
	struct scan_report rep;
	perr e = { 0 };
	s->pass = pass;
	s->idx = 0;
	if (s->use_ret && pass != PASS_RETENTION)
		retview_rewind(&s->ret);
	scan_report_init(&rep);
	/* anomalies are the scanner's business: a damaged store still lists */
	int rc = b->ops->scan(b, &o, &sink, &rep, &e);
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

/* Open the backend, prepare the retention view and run its pass.  Returns
 * 0, or the exit code after reporting. */
static int insp_open(struct insp *s, struct cli *c, struct backend **b)
{
	s->c = c;
	longrec_init(&s->longrec);
	record_init(&s->rec);
	int rc = cli_open_backend(c, b);
	if (rc)
		return rc;
	s->use_ret = retention_active(&c->cfg.retention);
	if (!s->use_ret)
		return 0;
	retview_init(&s->ret, &c->cfg.retention, px_now(), backend_traits(*b)->retain_per_unit);
	return insp_pass(s, *b, PASS_RETENTION) < 0 ? cli_fail(c, &s->err) : 0;
}

static void insp_close(struct insp *s, struct backend *b)
{
	record_free(&s->rec);
	retview_free(&s->ret);
	tail_free(&s->tail);
	strbuf_free(&s->line);
	store_free(&s->store);
	longrec_free(&s->longrec);
	if (b)
		backend_close(b);
}

/* One pass when the newest `limit` matches fit in memory.  Returns 1 when
 * done, 0 when they did not fit (nothing printed), -1 on failure. */
static int insp_list_tail(struct insp *s, struct backend *b)
{
	s->tail.n = (size_t)s->limit;
	s->tail.e = calloc(s->tail.n, sizeof *s->tail.e);
	if (!s->tail.e)
		return 0;
	if (insp_pass(s, b, PASS_TAIL) < 0)
		return -1;
	if (s->tail.overflow) {
		tail_free(&s->tail);
		return 0;
	}
	for (size_t i = 0; i < s->tail.count && !s->failed; i++)
		insp_emit(s, tail_get(&s->tail, s->reverse ? s->tail.count - 1 - i : i));
	return s->failed ? -1 : 1;
}

static int insp_list(struct cli *c, enum rec_kind kind, int summary, const char *empty)
{
	struct insp s;
	memset(&s, 0, sizeof s);
	s.kind = kind;
	s.summary = summary;
	s.limit = summary ? 1 : -1; /* the summary is the newest audit */
	if (cli_has(c, "--limit") && cli_get_i64(c, "--limit", 0, -1, &s.limit) < 0)
		return PX_USAGE;
	if (cli_get_double(c, "--since", &s.has_since, &s.since) < 0)
		return PX_USAGE;
	s.event_type = cli_get(c, "--event-type");
	s.target = cli_get(c, "--target");
	s.reverse = cli_has(c, "--reverse");
	s.json_raw = cli_has(c, "--json-raw");
	s.json = cli_has(c, "--json") || s.json_raw;

	struct backend *b = NULL;
	int rc = insp_open(&s, c, &b), done = s.limit == 0;
	if (rc) {
		insp_close(&s, b);
		return rc;
	}
	if (!done && s.limit > 0 && s.limit <= INSP_TAIL_MAX_RECORDS &&
	    (done = insp_list_tail(&s, b)) < 0)
		goto fail;
	if (!done) {
		if (s.limit > 0) {
			if (insp_pass(&s, b, PASS_COUNT) < 0)
				goto fail;
			s.emit_from = s.matches > s.limit ? s.matches - s.limit : 0;
		}
		if (insp_pass(&s, b, PASS_EMIT) < 0 || (s.reverse && insp_flush_reverse(&s, &s.err) < 0))
			goto fail;
	}
	if (s.emitted == 0 && !s.json)
		cli_say(c, stdout, TONE_INFO, "%s", empty);
	goto done;
fail:
	rc = cli_fail(c, &s.err);
done:
	insp_close(&s, b);
	return rc;
}

static int events_run(struct cli *c)
{
	return insp_list(c, RK_EVENT, 0, "No events recorded.");
}

static int audits_run(struct cli *c)
{
	return insp_list(c, RK_AUDIT, 0, "No audit reports recorded.");
}

static int dead_letters_run(struct cli *c)
{
	return insp_list(c, RK_DEAD_LETTER, 0, "No dead letters recorded.");
}

static int summary_run(struct cli *c)
{
	return insp_list(c, RK_AUDIT, 1, "No audit data available.");
}

/* --- persistence inspect -------------------------------------------------- */

/* Python's repr() of a float, as the reference prints max_age_seconds:
 * the shortest digits that read back the same, laid out as Python does
 * ("3600.0", "0.5", "1e+16", "5e-05"). */
static void py_float_repr(char *out, size_t outlen, double v)
{
	if (isnan(v) || isinf(v)) {
		snprintf(out, outlen, "%s", isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
		return;
	}
	char e[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	/* e is [-]d[.ddd]e(+|-)XX: take the digits and the exponent */
	const char *p = e + (e[0] == '-');
	char digits[24];
	int nd = 0;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	int decpt = atoi(p + 1) + 1; /* value = 0.DIGITS x 10^decpt */

	char buf[64];
	int o = 0;
	if (e[0] == '-')
		buf[o++] = '-';
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0) {
			buf[o++] = '0';
			buf[o++] = '.';
			for (int i = 0; i < -decpt; i++)
				buf[o++] = '0';
			for (int i = 0; i < nd; i++)
				buf[o++] = digits[i];
		} else {
			for (int i = 0; i < decpt; i++)
				buf[o++] = i < nd ? digits[i] : '0';
			buf[o++] = '.';
			if (decpt >= nd)
				buf[o++] = '0';
			for (int i = decpt; i < nd; i++)
				buf[o++] = digits[i];
		}
		buf[o] = '\0';
	} else {
		buf[o++] = digits[0];
		if (nd > 1) {
			buf[o++] = '.';
			for (int i = 1; i < nd; i++)
				buf[o++] = digits[i];
		}
		snprintf(buf + o, sizeof buf - (size_t)o, "e%c%02d", decpt - 1 < 0 ? '-' : '+',
			 abs(decpt - 1));
	}
	snprintf(out, outlen, "%s", buf);
}

static void say_kv_count(struct cli *c, const char *key, int64_t n, int64_t limit)
{
	cli_say(c, stdout, TONE_INFO, "%s: %lld%s", key, (long long)n, n == limit ? " (capped)" : "");
}

int cmd_persistence_inspect(struct cli *c)
{
	int64_t limit;
	if (cli_get_i64(c, "--limit", 0, 1000, &limit) < 0)
		return PX_USAGE;
	struct insp s;
	memset(&s, 0, sizeof s);
	struct backend *b = NULL;
	int rc = insp_open(&s, c, &b);
	if (rc || insp_pass(&s, b, PASS_TALLY) < 0) {
		rc = rc ? rc : cli_fail(c, &s.err);
		insp_close(&s, b);
		return rc;
	}

	/* the reference's layout, line for line (papyra/cli/persistence/app.py) */
	const struct retention *r = &c->cfg.retention;
	char recs[32] = "None", age[64] = "None", bytes[32] = "None";
	if (r->max_records >= 0)
		snprintf(recs, sizeof recs, "%lld", (long long)r->max_records);
	if (r->max_age_seconds >= 0)
		py_float_repr(age, sizeof age, r->max_age_seconds);
	if (r->max_total_bytes >= 0)
		snprintf(bytes, sizeof bytes, "%lld", (long long)r->max_total_bytes);
	cli_say(c, stdout, TONE_INFO, "Persistence Inspect");
	cli_say(c, stdout, TONE_INFO, "------------------");
	cli_say(c, stdout, TONE_INFO, "backend: %s", b->ops->class_name);
	cli_say(c, stdout, TONE_INFO, "retention: max_records=%s max_age_seconds=%s max_total_bytes=%s",
		recs, age, bytes);
	/* the reference lists the newest `limit` of each kind and counts them */
	say_kv_count(c, "events_sampled", s.tally[RK_EVENT] < limit ? s.tally[RK_EVENT] : limit, limit);
	say_kv_count(c, "audits_sampled", s.tally[RK_AUDIT] < limit ? s.tally[RK_AUDIT] : limit, limit);
	say_kv_count(c, "dead_letters_sampled",
		     s.tally[RK_DEAD_LETTER] < limit ? s.tally[RK_DEAD_LETTER] : limit, limit);
	if (cli_has(c, "--show-metrics")) {
		const struct papyra_metrics *m = metrics_get();
		cli_say(c, stdout, TONE_INFO, "metrics:");
		for (int k = 0; k < MK__COUNT; k++)
			cli_say(c, stdout, TONE_INFO, "  %s: %lld", metrics_key_name((enum metrics_key)k),
				(long long)metrics_value(m, (enum metrics_key)k));
	}
	insp_close(&s, b);
	return 0;
}

/* --- the command table ----------------------------------------------------- */

static const struct cli_opt events_opts[] = {
	{ "--limit", "N", "show only the newest N matching events" },
	{ "--since", "TS", "only events at or after Unix time TS" },
	{ "--event-type", "T", "only events of type T (e.g. ActorCrashed)" },
	{ "--reverse", NULL, "newest first" },
	{ "--json", NULL, "one JSON object per line" },
	{ "--json-raw", NULL, "as --json, but NaN and Infinity as stored (not strict JSON)" },
	{ NULL, NULL, NULL },
};

static const struct cli_opt audits_opts[] = {
	{ "--limit", "N", "show only the newest N audits" },
	{ "--since", "TS", "only audits at or after Unix time TS" },
	{ "--json", NULL, "one JSON object per line" },
	{ "--json-raw", NULL, "as --json, but NaN and Infinity as stored (not strict JSON)" },
	{ NULL, NULL, NULL },
};

static const struct cli_opt dead_letters_opts[] = {
	{ "--limit", "N", "show only the newest N matching dead letters" },
	{ "--since", "TS", "only dead letters at or after Unix time TS" },
	{ "--target", "ADDR", "only dead letters for ADDR (local:4 matches either stored form)" },
	{ "--reverse", NULL, "newest first" },
	{ "--json", NULL, "one JSON object per line" },
	{ "--json-raw", NULL, "as --json, but NaN and Infinity as stored (not strict JSON)" },
	{ NULL, NULL, NULL },
};

static const struct cli_opt summary_opts[] = {
	{ "--json", NULL, "the latest audit as one JSON object" },
	{ "--json-raw", NULL, "as --json, but NaN and Infinity as stored (not strict JSON)" },
	{ NULL, NULL, NULL },
};

const struct cli_cmd cmd_inspect[] = {
	{ "inspect events", "List actor lifecycle events: [ts] EventType address.", events_opts,
	  events_run },
	{ "inspect audits", "List audit reports: [ts] total= alive= stopping= restarting= dead_letters=.",
	  audits_opts, audits_run },
	{ "inspect dead-letters", "List dead letters: [ts] target= type= payload=.", dead_letters_opts,
	  dead_letters_run },
	{ "inspect summary", "Actor counts and dead letters from the most recent audit.", summary_opts,
	  summary_run },
	{ NULL, NULL, NULL, NULL },
};
