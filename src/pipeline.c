#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int pipeline_begin(struct pipeline *p, struct cli *c)
{
	memset(p, 0, sizeof *p);
	p->c = c;
	p->txt = stdout;
	scan_report_init(&p->scan);
	scan_report_init(&p->verify);
	plan_init(&p->plan);
	const char *f = cli_get(c, "--format");
	if (!f || strcmp(f, "text") == 0)
		p->fmt = FMT_TEXT;
	else if (strcmp(f, "json") == 0)
		p->fmt = FMT_JSON;
	else if (strcmp(f, "junit") == 0)
		p->fmt = FMT_JUNIT;
	else if (strcmp(f, "github") == 0)
		p->fmt = FMT_GITHUB;
	else
		return cli_usage_error(c, "--format: unknown format '%s' (text, json, junit, github)", f);
	const char *out = cli_get(c, "--output");
	FILE *o = NULL;
	if (out && !(o = fopen(out, "w"))) {
		cli_say(c, stderr, TONE_ERR, "cannot write report %s: %s", out, strerror(errno));
		return PX_IOERR;
	}
	if (p->fmt != FMT_TEXT) {
		p->report = o ? o : stdout;
		p->txt = fopen("/dev/null", "w");
		if (!p->txt) {
			if (o)
				fclose(o);
			cli_say(c, stderr, TONE_ERR, "cannot open /dev/null: %s", strerror(errno));
			return PX_IOERR;
		}
	} else if (o) {
		p->txt = o;
	}
	int rc = cli_open_backend(c, &p->b);
	return rc;
}

int pipeline_check_quarantine(struct pipeline *p, enum recovery_mode m, const char *qdir)
{
	if (m == RM_QUARANTINE && !qdir && p->c->cfg.backend != BK_REDIS)
		return cli_usage_error(p->c, "quarantine mode requires --quarantine-dir");
	return 0;
}

int pipeline_scan(struct pipeline *p, int verify)
{
	struct scan_report *r = verify ? &p->verify : &p->scan;
	struct scan_opts o = { .strict = cli_has(p->c, "--strict"),
			       .sample_size = p->c->cfg.scan_sample_size };
	perr e = { 0 };
	scan_report_free(r);
	if (p->b->ops->scan(p->b, &o, verify ? NULL : p->sink, r, &e) < 0) {
		if (verify && p->c->applied) {
			perr a = e;
			perr_set(&a, e.code, "the change was applied, but the verification scan failed: %s", e.msg);
			return cli_fail(p->c, &a);
		}
		return cli_fail(p->c, &e);
	}
	if (verify)
		p->verified = 1;
	else
		p->scanned = 1;
	return 0;
}

static int64_t records_of(const struct scan_report *r)
{
	int64_t n = 0;
	for (size_t i = 0; i < r->n_files; i++)
		for (int k = 0; k < RK__COUNT; k++)
			n += r->files[i].records[k];
	return n;
}

static size_t applied_actions(const struct plan *pl)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->n; i++)
		n += !pl->v[i].skip;
	return n;
}

int pipeline_recover(struct pipeline *p, enum recovery_mode mode, const char *qdir,
		     const char *journal)
{
	perr e = { 0 };
	p->recovery_mode = recovery_mode_name(mode);
	if (p->b->ops->plan(p->b, &p->scan, mode, qdir, &p->plan, &e) < 0)
		return cli_fail(p->c, &e);
	p->planned = 1;
	if (applied_actions(&p->plan) > 0) {
		int arc = p->b->ops->apply(p->b, &p->plan, NULL, &p->res, &e);
		p->c->applied |= p->res.n_applied > 0;
		if (arc < 0) {
			/* a partial apply is journaled as such (SPEC §4) */
			perr je = { 0 };
			if (journal && p->res.n_applied > 0) {
				struct journal_entry j = {
					.command = p->c->cmd->name, .backend = p->b->ops->name,
					.location = p->b->location, .mode = recovery_mode_name(mode),
					.plan = &p->plan, .result = &p->res,
					.records_before = records_of(&p->scan), .records_after = -1,
					.bytes_before = p->res.bytes_before, .bytes_after = p->res.bytes_after,
				};
				(void)journal_append(journal, &j, &je);
			}
			return cli_fail(p->c, &e);
		}
	}
	int rc = pipeline_scan(p, 1);
	if (rc)
		return rc;
	if (journal && applied_actions(&p->plan) > 0) {
		struct journal_entry j = {
			.command = p->c->cmd->name, .backend = p->b->ops->name,
			.location = p->b->location, .mode = recovery_mode_name(mode),
			.plan = &p->plan, .result = &p->res,
			.records_before = records_of(&p->scan), .records_after = records_of(&p->verify),
			.bytes_before = p->res.bytes_before, .bytes_after = p->res.bytes_after,
		};
		if (journal_append(journal, &j, &e) < 0)
			return cli_fail(p->c, &e);
	}
	return 0;
}

void pipeline_print_anomalies(struct pipeline *p, const struct scan_report *r, enum cli_tone t)
{
	if (p->quiet_list && r == &p->scan)
		return;
	for (size_t i = 0; i < r->n_an; i++)
		cli_say(p->c, p->txt, t, "- %s: %s (%s)", anomaly_type_name(r->an[i].type),
			r->an[i].path, r->an[i].detail);
}

void pipeline_print_applied(struct pipeline *p)
{
	for (size_t i = 0; i < p->res.n_repaired; i++)
		cli_say(p->c, p->txt, TONE_INFO, "repaired %s", p->res.repaired[i]);
	for (size_t i = 0; i < p->res.n_quarantined; i++)
		cli_say(p->c, p->txt, TONE_INFO, "quarantined %s", p->res.quarantined[i]);
	pipeline_print_live(p->c, p->txt, p->res.lines_caught_up, p->res.lease_note);
	pipeline_print_plan(p);
}

void pipeline_print_live(const struct cli *c, FILE *f, int64_t caught_up, const char *lease_note)
{
	if (caught_up > 0)
		cli_say(c, f, TONE_INFO, "caught up %lld lines appended meanwhile (kept byte for byte)",
			(long long)caught_up);
	if (lease_note && *lease_note)
		cli_say(c, f, TONE_INFO, "note: %s: lines appended at the switch were caught up until "
			"the file stayed quiet", lease_note);
}

void pipeline_print_plan(struct pipeline *p)
{
	for (size_t i = 0; i < p->plan.n; i++) {
		const struct action *a = &p->plan.v[i];
		if (a->skip)
			continue;
		if (a->line > 0)
			cli_say(p->c, p->txt, TONE_INFO, "  %s: %s line %lld (%s, %lld bytes)",
				action_kind_name(a->kind), a->path, (long long)a->line,
				anomaly_type_name(a->reason), (long long)a->length);
		else if (a->id)
			cli_say(p->c, p->txt, TONE_INFO, "  %s: %s entry %s (%s)%s%s", action_kind_name(a->kind),
				a->path, a->id, anomaly_type_name(a->reason), a->to ? " -> " : "",
				a->to ? a->to : "");
		else
			cli_say(p->c, p->txt, TONE_INFO, "  %s: %s%s%s", action_kind_name(a->kind),
				a->path, a->to ? " -> " : "", a->to ? a->to : "");
	}
}

int pipeline_end(struct pipeline *p, int exit_code)
{
	struct cli *c = p->c;
	if (p->fmt != FMT_TEXT && p->b) {
		struct run_report rr = {
			.command = c->cmd->name, .backend = p->b->ops->name, .location = p->b->location,
			.mode = p->mode, .recovery_mode = p->planned ? p->recovery_mode : NULL,
			.scan = p->scanned ? &p->scan : NULL, .actions = p->planned && !p->plan_only ? &p->plan : NULL,
			.plan = p->plan_only ? &p->plan : NULL,
			.verify = p->verified ? &p->verify : NULL, .exit_code = exit_code,
		};
		int wrc = p->fmt == FMT_JSON ? report_write_json(p->report, &rr) :
			  p->fmt == FMT_JUNIT ? report_write_junit(p->report, &rr) :
						report_write_github(p->report, &rr);
		if (wrc < 0 || fflush(p->report) != 0) {
			cli_say(c, stderr, TONE_ERR, "could not write the report: %s", strerror(errno));
			exit_code = PX_IOERR;
		}
	}
	const char *out = cli_get(c, "--output");
	FILE *file = p->fmt != FMT_TEXT ? p->report : p->txt;
	if (out && file && file != stdout) {
		if (fclose(file) != 0) {
			cli_say(c, stderr, TONE_ERR, "could not write %s: %s", out, strerror(errno));
			exit_code = PX_IOERR;
		}
		if (p->fmt != FMT_TEXT)
			p->report = NULL;
		else
			p->txt = stdout;
		const struct scan_report *last = p->verified ? &p->verify : &p->scan;
		cli_say(c, stdout, exit_code == 0 ? TONE_OK : TONE_ERR, "%s: %s; report written to %s (exit %d)",
			c->cmd->name, !p->scanned ? "not scanned" : last->n_an ? "anomalies present" : "healthy",
			out, exit_code);
	}
	if (p->txt && p->txt != stdout)
		fclose(p->txt);
	scan_report_free(&p->scan);
	scan_report_free(&p->verify);
	plan_free(&p->plan);
	apply_result_free(&p->res);
	backend_close(p->b);
	return exit_code;
}
