#include "triage.h"

#include <string.h>
#include <time.h>

static void triage_line(void *ctx, const struct scan_line *l)
{
	struct triage *t = ctx;
	t->lines++;
	if (!(l->flags & SL_VALID))
		return;
	t->records[l->kind]++;
	if (l->flags & SL_TS_NUMBER && l->ts == l->ts) {
		if (!t->have_ts || l->ts < t->ts_min)
			t->ts_min = l->ts;
		if (!t->have_ts || l->ts > t->ts_max)
			t->ts_max = l->ts;
		t->have_ts = 1;
	}
}

void triage_sink(struct triage *t, struct scan_sink *sink)
{
	memset(t, 0, sizeof *t);
	sink->ctx = t;
	sink->on_line = triage_line;
}

static void fmt_utc(double ts, char *buf, size_t n)
{
	time_t s = (time_t)ts;
	struct tm tm;
	if (ts < -1e15 || ts > 1e15 || !gmtime_r(&s, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "%.3f", ts);
}

void triage_print(struct pipeline *p, const struct triage *t)
{
	const struct scan_report *r = &p->scan;
	struct cli *c = p->c;
	cli_say(c, p->txt, TONE_INFO, "Triage of %s (%s)", p->b->location, backend_name(p->b));
	if (r->n_an)
		cli_say(c, p->txt, TONE_ERR, "  health: %zu ANOMALIES", r->n_an);
	else if (p->missing)
		cli_say(c, p->txt, TONE_INFO, "  health: NO DATA (nothing to check)");
	else
		cli_say(c, p->txt, TONE_OK, "  health: HEALTHY");
	cli_say(c, p->txt, TONE_INFO, "  records: %lld events, %lld audits, %lld dead letters, %lld other (%lld lines)",
		(long long)t->records[RK_EVENT], (long long)t->records[RK_AUDIT],
		(long long)t->records[RK_DEAD_LETTER], (long long)t->records[RK_UNKNOWN], (long long)t->lines);
	if (t->have_ts) {
		char a[64], b[64];
		fmt_utc(t->ts_min, a, sizeof a);
		fmt_utc(t->ts_max, b, sizeof b);
		cli_say(c, p->txt, TONE_INFO, "  time span: %s .. %s (%.0f s)", a, b, t->ts_max - t->ts_min);
	}
	if (!r->n_an)
		return;
	for (int k = 0; k < AN__COUNT; k++)
		if (r->by_type[k])
			cli_say(c, p->txt, TONE_INFO, "  by type: %s %lld (%s)", anomaly_type_name((enum anomaly_type)k),
				(long long)r->by_type[k], anomaly_type_desc((enum anomaly_type)k));
	for (size_t i = 0; i < r->n_files; i++)
		if (r->files[i].anomalies)
			cli_say(c, p->txt, TONE_INFO, "  by file: %s %lld (%lld bytes, %lld lines)", r->files[i].path,
				(long long)r->files[i].anomalies, (long long)r->files[i].bytes,
				(long long)r->files[i].lines);
	cli_say(c, p->txt, TONE_INFO, "  first anomalies:");
	for (size_t i = 0; i < r->n_mem && i < TRIAGE_FIRST; i++) { /* in memory: the first ones */
		const struct anomaly *a = &r->an[i];
		if (a->line > 0)
			cli_say(c, p->txt, TONE_ERR, "  - %s: %s line %lld (%s)", anomaly_type_name(a->type), a->path,
				(long long)a->line, a->detail);
		else
			cli_say(c, p->txt, TONE_ERR, "  - %s: %s (%s)", anomaly_type_name(a->type), a->path, a->detail);
	}
	if (r->n_an > TRIAGE_FIRST)
		cli_say(c, p->txt, TONE_INFO, "  ... and %zu more (--format json lists them all)", r->n_an - TRIAGE_FIRST);
}

void triage_print_handoff(struct pipeline *p)
{
	static const enum rec_kind kinds[] = { RK_EVENT, RK_AUDIT, RK_DEAD_LETTER };
	struct strbuf note = { 0 };
	if (p->missing)
		return;
	cli_say(p->c, p->txt, TONE_INFO, "  to list the records (one JSON object per line):");
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct strbuf cmd = { 0 };
		strbuf_free(&note); /* the same for each: the last one is said */
		backend_inspect_command(&p->c->cfg, kinds[i], &cmd, &note);
		strbuf_puts(&cmd, " --json");
		cli_say(p->c, p->txt, TONE_INFO, "    %s", cmd.oom ? "(out of memory)" : cmd.p);
		strbuf_free(&cmd);
	}
	if (note.n)
		cli_say(p->c, p->txt, TONE_INFO, "  note: %s", note.oom ? "(out of memory)" : note.p);
	strbuf_free(&note);
}
