/* The compaction walk (c): the retention in force, what it would drop
 * (counted over the index the views already have, by the rules of
 * core/compact.c over the file or the whole set in reading order, or, for
 * Redis, stream by stream as core/redis_apply.c trims), a confirmation,
 * then the backend's compaction, the verification scan and the journal.
 * Refused while the scanner reports anomalies (compaction must never be a
 * silent repair, and the console has no --force) and when no retention is
 * configured. */
#include <stdio.h>
#include <string.h>

#include "retention.h"
#include "screen.h"
#include "walk.h"

/* Above this many records dropped, "compact" must be typed to confirm. */
#define LARGE_RECORDS 100
/* Streams of a Redis backend (events, audits, dead letters). */
#define CDRY_STREAMS 3

/* The dry count: what compaction would do to the indexed store. */
struct cdry {
	int64_t records, bytes;       /* now */
	int64_t go_records, go_bytes; /* dropped */
	int64_t first_go, last_go;    /* index lines (0-based) of the first and last dropped record, or -1 */
	int64_t nonrecords;           /* lines that are not records: compaction keeps them */
	int64_t stream_go[CDRY_STREAMS]; /* Redis: entries trimmed per segment */
};

static int64_t line_bytes(const struct model *m, size_t i)
{
	return (int64_t)m->len[i] + ((m->meta[i] & MF_TRUNC) ? 0 : 1);
}

/* Index line `i` in the shape the scanner hands to retention, so the
 * preview decides with the very rule compaction uses (core/retention.h). */
static struct scan_line index_line(const struct model *m, size_t i)
{
	struct scan_line l = { .line = (int64_t)i + 1, .length = (int64_t)m->len[i] };
	if (m->meta[i] & MF_VALID)
		l.flags |= SL_VALID;
	if (m->meta[i] & MF_TRUNC)
		l.flags |= SL_TRUNCATED;
	if (m->meta[i] & MF_TS_NUM) {
		l.flags |= SL_TS_NUMBER;
		l.ts = model_ts(m, i);
	}
	return l;
}

/* Two passes over the index through retview, as compaction makes over the
 * file or the whole set in reading order. */
static void dry_count(const struct model *m, const struct retention *r, double now, struct cdry *d)
{
	struct retview v;
	perr e = { 0 };
	memset(d, 0, sizeof *d);
	d->first_go = d->last_go = -1;
	retview_init(&v, r, now, 0);
	for (size_t i = 0; i < m->n; i++) {
		struct scan_line l = index_line(m, i);
		if (retview_add(&v, &l, &e) < 0)
			break;
	}
	retview_finish(&v);
	retview_rewind(&v);
	for (size_t i = 0; i < m->n; i++) {
		struct scan_line l = index_line(m, i);
		int keep = retview_keeps(&v, &l);
		if (!(l.flags & SL_VALID)) {
			d->nonrecords++;
			continue;
		}
		d->records++;
		d->bytes += line_bytes(m, i);
		if (keep)
			continue;
		d->go_records++;
		d->go_bytes += line_bytes(m, i);
		d->first_go = d->first_go >= 0 ? d->first_go : (int64_t)i;
		d->last_go = (int64_t)i;
	}
	retview_free(&v);
}

/* Redis trims each stream alone (core/redis_apply.c): XTRIM MINID drops
 * the entries whose id (the time Redis appended them, in ms) is older
 * than the cut-off, then XTRIM MAXLEN keeps the newest max_records; what
 * goes is always the start of the stream.  Bytes are the entries' data. */
static void dry_count_redis(const struct model *m, const struct retention *r, double now, struct cdry *d)
{
	double cutoff = now * 1000.0 - r->max_age_seconds * 1000.0;
	int use_age = r->max_age_seconds >= 0 && cutoff > 0;
	memset(d, 0, sizeof *d);
	d->first_go = d->last_go = -1;
	for (size_t k = 0; k < m->n_seg && k < CDRY_STREAMS; k++) {
		const struct model_seg *s = &m->seg[k];
		int64_t aged = 0, go;
		while (use_age && aged < (int64_t)s->n && (double)m->id_ms[s->first + (size_t)aged] < cutoff)
			aged++;
		go = aged;
		if (r->max_records >= 0 && (int64_t)s->n - aged > r->max_records)
			go = (int64_t)s->n - r->max_records;
		d->stream_go[k] = go;
		for (size_t i = s->first; i < s->first + s->n; i++) {
			d->records++;
			d->bytes += m->len[i];
			if ((int64_t)(i - s->first) < go) {
				d->go_records++;
				d->go_bytes += m->len[i];
			}
		}
	}
}

static void retention_str(const struct retention *r, char *out, size_t cap)
{
	int k = 0;
	out[0] = '\0';
	if (r->max_records >= 0)
		k += snprintf(out + k, cap - (size_t)k, "max_records=%lld ", (long long)r->max_records);
	if (r->max_age_seconds >= 0 && k >= 0 && (size_t)k < cap)
		k += snprintf(out + k, cap - (size_t)k, "max_age_seconds=%g ", r->max_age_seconds);
	if (r->max_total_bytes >= 0 && k >= 0 && (size_t)k < cap)
		snprintf(out + k, cap - (size_t)k, "max_total_bytes=%lld", (long long)r->max_total_bytes);
}

static int refused(struct console *c)
{
	if (model_scanning(&c->m)) {
		console_status(c, ROLE_WARN, "%s", " Still indexing: compaction counts over the finished index, press c again then");
		return 1;
	}
	if (c->m.failed) {
		console_status(c, ROLE_ANOMALY, " The scan failed (%s): nothing to compact from", c->m.err.msg);
		return 1;
	}
	if (!retention_active(&c->cfg->retention)) {
		dlg_message(c, "Compaction refused: no retention", ROLE_WARN,
			    "No retention is configured, so compaction would drop nothing.",
			    "Give --max-records N, --max-age-seconds S or --max-total-bytes B (or set them in "
			    "papyra.json), then press c again.");
		console_status(c, ROLE_WARN, "%s", " Compaction refused: no retention is configured");
		return 1;
	}
	if (c->m.rep.n_an) {
		char msg[160];
		snprintf(msg, sizeof msg, "The scanner reports %zu anomal%s: compaction must never be a silent repair.",
			 c->m.rep.n_an, c->m.rep.n_an == 1 ? "y" : "ies");
		dlg_message(c, "Compaction refused: anomalies", ROLE_ANOMALY, msg,
			    "Recover first (R), then compact. The console has no --force.");
		console_status(c, ROLE_ANOMALY, "%s", " Compaction refused while anomalies exist: recover first (R)");
		return 1;
	}
	return !walk_journal_ready(c, "Compaction");
}

/* Redis: what goes, stream by stream. */
static void preview_streams(struct console *c, const struct cdry *d)
{
	const struct model *m = &c->m;
	for (size_t k = 0; k < m->n_seg && k < CDRY_STREAMS; k++) {
		const struct model_seg *s = &m->seg[k];
		char a[MODEL_ID_MAX], b[MODEL_ID_MAX];
		if (!d->stream_go[k]) {
			walk_say(c, ROLE_OK, "   %s: all %zu entries stay", s->path, s->n);
			continue;
		}
		model_entry_id(m, s->first, a, sizeof a);
		model_entry_id(m, s->first + (size_t)d->stream_go[k] - 1, b, sizeof b);
		walk_say(c, ROLE_ANOMALY, "   %s: %lld of %zu entries go, ids %s to %s", s->path,
			 (long long)d->stream_go[k], s->n, a, b);
	}
}

static void preview(struct console *c, const struct cdry *d)
{
	struct textbuf *t = walk_begin(c);
	char ret[160];
	int redis = c->m.t->ids;
	retention_str(&c->cfg->retention, ret, sizeof ret);
	walk_say(c, ROLE_TITLE, " Compaction plan: %s. Nothing has changed yet.", c->location);
	tb_add(t, ROLE_NORMAL, "", 0);
	walk_say(c, ROLE_NORMAL, " Retention in force: %s", ret);
	if (redis)
		walk_say(c, ROLE_DIM, "%s", "   Each stream is trimmed alone: first by age (XTRIM MINID: the entry id is the "
			 "time Redis appended it), then by count (XTRIM MAXLEN: the newest max_records of the stream). "
			 "Redis cannot trim by size: max_total_bytes is not applied.");
	else
		walk_say(c, ROLE_DIM, "   Age first (max_age_seconds), then count (the newest max_records), then size (the "
			 "newest records whose lines fit in max_total_bytes); newest means last in the %s.",
			 c->m.t->rotates ? "set, oldest file first" : "file");
	if (redis && c->cfg->scan_sample_size > 0)
		walk_say(c, ROLE_WARN, " Counted over the newest %lld entries of each stream only (--scan-sample-size).",
			 (long long)c->cfg->scan_sample_size);
	tb_add(t, ROLE_NORMAL, "", 0);
	const char *unit = redis ? "entries" : "records", *of = redis ? " of data" : "";
	walk_say(c, ROLE_NORMAL, " Now:        %6lld %s, %lld bytes%s", (long long)d->records, unit, (long long)d->bytes, of);
	if (d->go_records && redis) {
		walk_say(c, ROLE_ANOMALY, " Would go:   %6lld %s, %lld bytes%s: the oldest of each stream", (long long)d->go_records,
			 unit, (long long)d->go_bytes, of);
	} else if (d->go_records) {
		char from[PATH_SHOWN_MAX], to[PATH_SHOWN_MAX];
		model_where(&c->m, (size_t)d->first_go, from, sizeof from);
		model_where(&c->m, (size_t)d->last_go, to, sizeof to);
		walk_say(c, ROLE_ANOMALY, " Would go:   %6lld records, %lld bytes: the oldest, lines %s to %s",
			 (long long)d->go_records, (long long)d->go_bytes, from, to);
	} else {
		walk_say(c, ROLE_OK, " Would go:        nothing: every %s is within the retention", redis ? "entry" : "record");
	}
	walk_say(c, ROLE_OK, " Would stay: %6lld %s, %lld bytes%s, %s", (long long)(d->records - d->go_records), unit,
		 (long long)(d->bytes - d->go_bytes), of, redis ? "untouched" : "every line byte for byte");
	if (redis)
		preview_streams(c, d);
	if (d->nonrecords)
		walk_say(c, ROLE_WARN, " Lines that are not records: %lld, kept as they are", (long long)d->nonrecords);
	if (!d->go_records)
		return;
	tb_add(t, ROLE_NORMAL, "", 0);
	if (redis)
		walk_say(c, ROLE_DIM, "%s", " The streams are trimmed in place (XTRIM). No copy of what is dropped is kept.");
	else if (c->m.t->rotates)
		walk_say(c, ROLE_DIM, " The set of %s is rewritten, chunked by max_bytes (%lld) oldest file first, each file "
			 "written beside it and renamed at the end. No copy of what is dropped is kept.", c->location,
			 (long long)c->cfg->max_bytes);
	else
		walk_say(c, ROLE_DIM, " %s is rewritten through a temporary file beside it, renamed over it at the end. "
			 "No copy of what is dropped is kept.", c->location);
}

static int confirm(struct console *c, const struct cdry *d)
{
	struct dialog dl;
	char sz[32];
	walk_size(sz, sizeof sz, d->go_bytes);
	dlg_init(&dl, "Confirm", ROLE_WARN);
	if (c->m.t->ids) {
		dlg_line(&dl, ROLE_WARN, "Compact %s: trim %lld entr%s (%s of data)?", c->location, (long long)d->go_records,
			 d->go_records == 1 ? "y" : "ies", sz);
		dlg_line(&dl, ROLE_NORMAL, "The newest %lld entr%s stay, untouched; no copy of the rest is kept.",
			 (long long)(d->records - d->go_records), d->records - d->go_records == 1 ? "y" : "ies");
	} else {
		dlg_line(&dl, ROLE_WARN, "Compact %s: drop %lld record%s (%s)?", c->location, (long long)d->go_records,
			 d->go_records == 1 ? "" : "s", sz);
		dlg_line(&dl, ROLE_NORMAL, "The newest %lld record%s stay, byte for byte; no copy of the rest is kept.",
			 (long long)(d->records - d->go_records), d->records - d->go_records == 1 ? "" : "s");
	}
	if (d->go_records <= LARGE_RECORDS) {
		dlg_button(&dl, "Cancel");
		dlg_button(&dl, "Compact");
		dl.focus = 0;
		dl.hint = "Tab/arrows choose  Enter press the focused button  Esc cancel";
		return dlg_run(c, &dl) == 1;
	}
	return dlg_confirm_typed(c, &dl, "compact");
}

/* The result screen: what the session did (compaction, verification,
 * journal), shown. */
static void result(struct console *c, const struct compact_session *cs, const struct scan_report *ver)
{
	const struct compact_result *res = &cs->res;
	const struct session_outcome *o = &cs->out;
	struct textbuf *t = walk_begin(c);
	walk_say(c, ROLE_TITLE, " Compaction done: %s", c->location);
	tb_add(t, ROLE_NORMAL, "", 0);
	if (res->bytes_known) {
		walk_say(c, ROLE_NORMAL, " Before:  %6lld records, %lld bytes", (long long)res->before_records,
			 (long long)res->before_bytes);
		walk_say(c, ROLE_NORMAL, " After:   %6lld records, %lld bytes", (long long)res->after_records,
			 (long long)res->after_bytes);
		walk_say(c, ROLE_NORMAL, " Dropped: %6lld records, %lld bytes (no copy is kept)",
			 (long long)(res->before_records - res->after_records),
			 (long long)(res->before_bytes - res->after_bytes));
	} else {
		walk_say(c, ROLE_NORMAL, " Before:  %6lld entries", (long long)res->before_records);
		walk_say(c, ROLE_NORMAL, " After:   %6lld entries", (long long)res->after_records);
		walk_say(c, ROLE_NORMAL, " Trimmed: %6lld entries (no copy is kept; Redis does not measure bytes)",
			 (long long)(res->before_records - res->after_records));
	}
	if (res->note)
		walk_say(c, ROLE_WARN, " Note: %s", res->note);
	tb_add(t, ROLE_NORMAL, "", 0);
	if (!o->verified) {
		walk_say(c, ROLE_ANOMALY, " Verification scan FAILED: %s", o->verify_err.msg);
	} else if (!ver->n_an) {
		walk_say(c, ROLE_OK, "%s", " Verification scan: no anomalies. The store is healthy.");
	} else {
		walk_say(c, ROLE_ANOMALY, " Verification scan: %zu anomal%s:", ver->n_an, ver->n_an == 1 ? "y" : "ies");
		walk_list_anomalies(c, ver, ROLE_ANOMALY);
	}
	walk_journal_outcome(c, o);
	console_status(c, o->verified && !ver->n_an ? ROLE_OK : ROLE_WARN, "%s",
		       " Compaction applied and verified. Esc returns to the views");
}

unsigned walk_compact(struct console *c)
{
	if (merge_refuse(c, "Compaction (c)"))
		return 0;
	if (refused(c))
		return 0;
	struct cdry d;
	if (c->m.t->ids)
		dry_count_redis(&c->m, &c->cfg->retention, px_now(), &d);
	else
		dry_count(&c->m, &c->cfg->retention, px_now(), &d);
	preview(c, &d);
	if (!d.go_records) {
		console_status(c, ROLE_OK, "%s", " Nothing to compact: every record is within the retention (Esc returns)");
		return 0;
	}
	const char *hint = " Enter confirm...  j/k scroll  Esc cancel (nothing changes)";
	for (;;) {
		if (walk_wait(c, hint, 1u << WREQ_OK | 1u << WREQ_CANCEL) == WREQ_CANCEL) {
			walk_leave(c, ROLE_NORMAL, " Compaction cancelled: nothing was changed");
			return 0;
		}
		if (confirm(c, &d))
			break;
		if (c->quit) {
			walk_leave(c, ROLE_NORMAL, " Compaction cancelled: nothing was changed");
			return 0;
		}
		console_status(c, ROLE_NORMAL, "%s", " Not confirmed: nothing was changed (Esc leaves the plan)");
	}
	struct dialog dl;
	dlg_init(&dl, "Working", ROLE_WARN);
	dlg_line(&dl, ROLE_NORMAL, "Compacting %s...", c->location);
	console_draw(c);
	dlg_draw(c, &dl);
	screen_update();
	/* The files must still be the ones the views (and the count) were made
	 * from: compaction itself only checks they do not change while it runs
	 * (Redis has no identity to compare: its trim works on ids).  A
	 * hard-linked file is refused; the CLI's --force overrides. */
	struct scan_report ver;
	scan_report_init(&ver);
	struct compact_session cs = {
		.b = c->b, .scan = &c->m.rep, .ret = &c->cfg->retention, .verify = &ver,
		.command = "console", .journal = c->journal, .check_unchanged = 1,
	};
	unsigned react = 0;
	if (session_compact_run(&cs) < 0) {
		const perr *e = &cs.out.err;
		if (walk_changed(e)) {
			react = walk_offer_rescan(c, "preview", e);
		} else {
			dlg_message(c, "Compaction failed", ROLE_ANOMALY, e->msg, !c->m.t->several ?
				    "The file was left as it was." : "The message says what was left as it was.");
			walk_leave(c, ROLE_ANOMALY, " Compaction failed: nothing was changed");
		}
	} else {
		result(c, &cs, &ver);
		react = WALK_RELOAD_PANE;
	}
	scan_report_free(&ver);
	return react;
}
