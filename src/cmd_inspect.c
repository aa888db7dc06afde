/* inspect events | audits | dead-letters | summary, and persistence inspect
 * (SPEC §6): the options and how a record looks.  Which records, in which
 * order, within bounded memory, is core/listing.c. */
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
#include "listing.h"
#include "metrics.h"
#include "record.h"
#include "strbuf.h"

static void sb_esc(struct strbuf *b, struct rec_str s)
{
	if (strbuf_reserve(b, RECORD_ESCAPE_MAX(s.n)) < 0)
		return;
	b->n += record_escape(b->p + b->n, s.p, s.n);
}

/* How a listing's records look (core/listing.h does which and in which
 * order). */
struct insp {
	struct cli *c;
	int json, summary;
	int json_raw; /* --json-raw: NaN / Infinity as stored, not as strings */
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

/* listing_out.write: the summary's two lines are two lines of output. */
static void insp_write(void *ctx, const char *p, size_t n)
{
	struct insp *s = ctx;
	const char *nl = s->summary ? memchr(p, '\n', n) : NULL;
	size_t first = nl ? (size_t)(nl - p) : n;
	insp_out(s, p, first);
	if (nl)
		insp_out(s, nl + 1, n - first - 1);
}

/* listing_out.emit: one record as the reference prints it, or as JSON. */
static int insp_emit(void *ctx, const struct record *r, struct strbuf *line, perr *e)
{
	struct insp *s = ctx;
	(void)e;
	if (s->summary && !s->json) {
		/* the reference's two lines, from the latest audit */
		static const char *const keys[] = { "Actors: total=", " alive=", " stopping=",
						    " restarting=" };
		static const enum rec_count vals[] = { RC_TOTAL, RC_ALIVE, RC_STOPPING, RC_RESTARTING };
		for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
			strbuf_add(line, keys[i], strlen(keys[i]));
			sb_esc(line, r->count[vals[i]]);
		}
		strbuf_add(line, "\nDead letters: ", 15);
		sb_esc(line, r->count[RC_DEAD_LETTERS]);
		return 0;
	}
	size_t n = 0;
	char *txt = s->json ? record_format_json(r, &n) : record_format_line(r, &n);
	if (txt && s->json && !s->json_raw) {
		char *strict = json_strict_copy(txt, n, &n);
		free(txt);
		txt = strict;
	}
	if (!txt) {
		line->oom = 1;
		return 0;
	}
	/* the formatted line becomes the buffer: no copy of a long record */
	strbuf_free(line);
	*line = (struct strbuf){ .p = txt, .n = n, .cap = n + 1 };
	return 0;
}

/* The options every listing and count shares: retention, --max-read. */
static void insp_opts(struct cli *c, struct listing_opts *o)
{
	o->sample_size = c->cfg.max_read; /* Redis: --max-read caps entries read per stream */
	o->ret = &c->cfg.retention;
	o->now = px_now();
}

static int insp_list(struct cli *c, enum rec_kind kind, int summary, const char *empty)
{
	struct insp s = { .c = c, .summary = summary };
	struct listing_opts o = { .kind = kind };
	insp_opts(c, &o);
	o.limit = summary ? 1 : -1; /* the summary is the newest audit */
	if (cli_has(c, "--limit") && cli_get_i64(c, "--limit", 0, -1, &o.limit) < 0)
		return PX_USAGE;
	if (cli_get_double(c, "--since", &o.has_since, &o.since) < 0 ||
	    cli_get_double(c, "--until", &o.has_until, &o.until) < 0)
		return PX_USAGE;
	o.event_type = cli_get(c, "--event-type");
	o.target = cli_get(c, "--target");
	o.reverse = cli_has(c, "--reverse");
	s.json_raw = cli_has(c, "--json-raw");
	s.json = o.full = cli_has(c, "--json") || s.json_raw;

	struct backend *b = NULL;
	int rc = cli_open_backend(c, &b);
	if (rc)
		return rc;
	struct listing_out out = { &s, insp_emit, insp_write };
	int64_t emitted = 0;
	perr e = { 0 };
	if (listing_run(b, &o, &out, &emitted, &e) < 0)
		rc = cli_fail(c, &e);
	else if (emitted == 0 && !s.json)
		cli_say(c, stdout, TONE_INFO, "%s", empty);
	backend_close(b);
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
	struct listing_opts o = { .kind = RK_EVENT };
	insp_opts(c, &o);
	struct backend *b = NULL;
	int64_t tally[RK__COUNT] = { 0 };
	perr e = { 0 };
	int rc = cli_open_backend(c, &b);
	if (rc || listing_tally(b, &o, tally, &e) < 0) {
		rc = rc ? rc : cli_fail(c, &e);
		if (b)
			backend_close(b);
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
	say_kv_count(c, "events_sampled", tally[RK_EVENT] < limit ? tally[RK_EVENT] : limit, limit);
	say_kv_count(c, "audits_sampled", tally[RK_AUDIT] < limit ? tally[RK_AUDIT] : limit, limit);
	say_kv_count(c, "dead_letters_sampled",
		     tally[RK_DEAD_LETTER] < limit ? tally[RK_DEAD_LETTER] : limit, limit);
	if (cli_has(c, "--show-metrics")) {
		const struct papyra_metrics *m = metrics_get();
		cli_say(c, stdout, TONE_INFO, "metrics:");
		for (int k = 0; k < MK__COUNT; k++)
			cli_say(c, stdout, TONE_INFO, "  %s: %lld", metrics_key_name((enum metrics_key)k),
				(long long)metrics_value(m, (enum metrics_key)k));
	}
	backend_close(b);
	return 0;
}

/* --- the command table ----------------------------------------------------- */

static const struct cli_opt events_opts[] = {
	{ "--limit", "N", "show only the newest N matching events" },
	{ "--since", "TS", "only events at or after Unix time TS" },
	{ "--until", "TS", "only events at or before Unix time TS" },
	{ "--event-type", "T", "only events of type T (e.g. ActorCrashed)" },
	{ "--reverse", NULL, "newest first" },
	{ "--json", NULL, "one JSON object per line" },
	{ "--json-raw", NULL, "as --json, but NaN and Infinity as stored (not strict JSON)" },
	{ NULL, NULL, NULL },
};

static const struct cli_opt audits_opts[] = {
	{ "--limit", "N", "show only the newest N audits" },
	{ "--since", "TS", "only audits at or after Unix time TS" },
	{ "--until", "TS", "only audits at or before Unix time TS" },
	{ "--json", NULL, "one JSON object per line" },
	{ "--json-raw", NULL, "as --json, but NaN and Infinity as stored (not strict JSON)" },
	{ NULL, NULL, NULL },
};

static const struct cli_opt dead_letters_opts[] = {
	{ "--limit", "N", "show only the newest N matching dead letters" },
	{ "--since", "TS", "only dead letters at or after Unix time TS" },
	{ "--until", "TS", "only dead letters at or before Unix time TS" },
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
