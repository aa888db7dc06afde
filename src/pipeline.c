#include "pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleet.h"
#include "guard.h"
#include "redis_conn.h"
#include "salvage.h"
#include "session.h"
#include "strbuf.h"

int pipeline_parse_format(const char *f, enum report_format *out)
{
	static const struct { const char *name; enum report_format fmt; } fmts[] = {
		{ "text", FMT_TEXT }, { "json", FMT_JSON }, { "junit", FMT_JUNIT }, { "github", FMT_GITHUB },
		{ "sarif", FMT_SARIF }, { "gitlab", FMT_GITLAB },
	};
	if (!f) {
		*out = FMT_TEXT;
		return 0;
	}
	for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++)
		if (strcasecmp(f, fmts[i].name) == 0) {
			*out = fmts[i].fmt;
			return 0;
		}
	return -1;
}

int pipeline_begin(struct pipeline *p, struct cli *c)
{
	memset(p, 0, sizeof *p);
	p->c = c;
	p->txt = stdout;
	p->report = stdout;
	/* the CLI keeps the first anomalies in memory and the rest on disk:
	 * memory bounded whatever the anomaly count (SPEC §8) */
	scan_report_init_bounded(&p->scan, SCAN_REPORT_MEM_MAX);
	scan_report_init_bounded(&p->verify, SCAN_REPORT_MEM_MAX);
	plan_init(&p->plan);
	p->plan.allow_links = cli_has(c, "--force"); /* hard-linked data files (core/fsmeta.h) */
	p->plan.merge = 1; /* adjacent drops as one range: memory bounded by runs (SPEC §8) */
	const char *f = cli_get(c, "--format");
	if (pipeline_parse_format(f, &p->fmt) < 0)
		return cli_usage_error(c, "--format: unknown format '%s' (" PIPELINE_FORMAT_NAMES ")", f);
	p->begun = 1;
	p->member = c->fleet != NULL;
	/* only where the flag exists: PAPYRA_REQUIRE_DATA must not make compact or
	 * recover refuse a missing store */
	for (int i = 0; c->cmd->opts[i].flag; i++)
		if (strcmp(c->cmd->opts[i].flag, "--require-data") == 0)
			p->require_data = cli_has(c, "--require-data") || c->cfg.require_data;
	if (p->member) {
		/* one system of a fleet: its lines go where the fleet's go, its
		 * report into memory until the fleet's is written */
		p->txt = fleet_txt(c->fleet);
		if (p->fmt != FMT_TEXT && !(p->report = open_memstream(&p->mem, &p->mem_len))) {
			p->report = stdout;
			perr e = { PX_IOERR, "", PR_NOMEM };
			snprintf(e.msg, sizeof e.msg, "out of memory");
			return cli_fail(c, &e);
		}
	} else if (p->fmt != FMT_TEXT && !(p->txt = fopen("/dev/null", "w"))) {
		p->txt = stdout;
		perr e = { PX_IOERR, "", PR_IO };
		snprintf(e.msg, sizeof e.msg, "cannot open /dev/null: %s", strerror(errno));
		return cli_fail(c, &e);
	}
	perr e = { 0 };
	const char *j = cli_get(c, "--journal");
	if (j) {
		char *resolved = NULL;
		if (guard_check(&c->cfg, NULL, "--journal", j, &resolved, &e) < 0)
			return cli_fail(c, &e);
		free(resolved);
		p->journal = j;
	}
	const char *out = cli_get(c, "--output");
	if (p->member || !out || strcmp(out, "-") == 0)
		return 0;
	if (guard_check(&c->cfg, j, "--output", out, &p->out_final, &e) < 0)
		return cli_fail(c, &e);
	int fd = guard_open_temp(p->out_final, &p->out_tmp, &e);
	if (fd < 0)
		return cli_fail(c, &e);
	if (!(p->out_file = fdopen(fd, "w"))) {
		close(fd);
		unlink(p->out_tmp);
		perr_set(&e, PX_IOERR, "cannot write the report %s: %s", out, strerror(errno));
		return cli_fail(c, &e);
	}
	if (p->fmt != FMT_TEXT) {
		p->report = p->out_file;
	} else {
		p->txt = p->out_file;
		c->err_copy = p->out_file;
	}
	return 0;
}

int pipeline_open(struct pipeline *p)
{
	return cli_open_backend(p->c, &p->b);
}

int pipeline_check_quarantine(struct pipeline *p, enum recovery_mode m, const char *qdir)
{
	if (m == RM_QUARANTINE && !qdir && backend_config_traits(&p->c->cfg)->quarantine_dir)
		return cli_usage_error(p->c, "quarantine mode requires --quarantine-dir");
	return 0;
}

/* No file or stream of the store exists (and none could not be read). */
static int store_missing(const struct scan_report *r)
{
	if (r->n_files == 0)
		return 0;
	for (size_t i = 0; i < r->n_files; i++)
		if (r->files[i].ident.exists || r->files[i].anomalies)
			return 0;
	return 1;
}

/* "No data at X: nothing to check", naming what was looked for. */
static char *missing_message(struct pipeline *p, const struct scan_report *r, int required)
{
	struct strbuf b = { 0 };
	const char *tail = required ? "the store is required (--require-data)" : "nothing to check";
	const struct backend_traits *t = backend_traits(p->b);
	if (!t->has_files) {
		if (t->fleet && backend_is_glob(p->c->cfg.system_id)) {
			/* a fleet pattern that matched nothing (src/fleet.c) */
			strbuf_printf(&b, "No data at %s (no system id under prefix '%s' matches '%s'): %s",
				      p->b->location, p->c->cfg.prefix, p->c->cfg.system_id, tail);
		} else {
			strbuf_printf(&b, "No data at %s (no stream ", p->b->location);
			for (size_t i = 0; i < r->n_files; i++)
				strbuf_printf(&b, "%s%s", i ? ", " : "", r->files[i].path);
			strbuf_printf(&b, "): %s", tail);
		}
		struct strbuf ids = { 0 };
		int more = 0;
		perr e = { 0 };
		int n = backend_others(p->b, &ids, &more, &e);
		if (n > 0)
			strbuf_printf(&b, "; system ids under prefix '%s': %s%s", p->c->cfg.prefix, ids.p,
				      more ? ", ..." : "");
		else if (n == 0)
			strbuf_printf(&b, "; no system id has streams under prefix '%s'", p->c->cfg.prefix);
		strbuf_free(&ids);
	} else if (t->rotates) {
		strbuf_printf(&b, "No data at %s (no member of the rotating set exists): %s", p->b->location, tail);
	} else {
		strbuf_printf(&b, "No data at %s: %s", p->b->location, tail);
	}
	return strbuf_detach(&b, NULL);
}

static char *checked_message(struct pipeline *p, const struct scan_report *r)
{
	struct strbuf b = { 0 };
	int64_t lines = 0;
	for (size_t i = 0; i < r->n_files; i++)
		lines += r->files[i].lines;
	const struct backend_traits *t = backend_traits(p->b);
	strbuf_printf(&b, "%s store %s (", backend_name(p->b), p->b->location);
	if (t->several) {
		int first = 1;
		for (size_t i = 0; i < r->n_files; i++) {
			/* a missing stream is still one of the store's; a missing file is not listed */
			if (!r->files[i].ident.exists && t->has_files)
				continue;
			strbuf_printf(&b, "%s%s%s", first ? t->unit : ", ", first ? "s " : "", r->files[i].path);
			first = 0;
		}
		strbuf_puts(&b, first ? "no file; " : "; ");
	}
	if (!t->several && r->n_files)
		strbuf_printf(&b, "%lld bytes, ", (long long)r->files[r->n_files - 1].bytes);
	strbuf_printf(&b, "%lld %s)", (long long)lines, t->ids ? t->nouns : lines == 1 ? t->noun : t->nouns);
	return strbuf_detach(&b, NULL);
}

/* Hints for what is probably a mistake; stderr, the run goes on. */
static void scan_hints(struct pipeline *p)
{
	const struct config *cfg = &p->c->cfg;
	if (backend_traits(p->b)->several)
		return;
	char *sib = px_asprintf(NULL, "%s.1", cfg->path);
	struct stat st;
	if (sib && stat(sib, &st) == 0 && S_ISREG(st.st_mode))
		cli_warn(p->c, "hint", "%s exists beside %s, as in a rotating set: this run checked %s alone "
			 "(pass --backend rotating to check the whole set)", sib, cfg->path, cfg->path);
	free(sib);
}

/* After a scan: note a missing store; with --require-data it is an anomaly. */
static int note_missing(struct pipeline *p, struct scan_report *r, int first)
{
	if (!store_missing(r))
		return 0;
	if (first && !p->missing && !(p->missing = missing_message(p, r, 0)))
		return perr_set(NULL, PX_IOERR, "out of memory");
	if (!p->require_data)
		return 0;
	perr e = { 0 };
	char *detail = missing_message(p, r, 1);
	int rc = detail ? scan_report_add(r, AN_MISSING_DATA, p->b->location, 0, -1, -1, NULL, 0, &e, "%s",
					  detail) : perr_set(&e, PX_IOERR, "out of memory");
	free(detail);
	/* attributed to the store's file entry (not for Redis: a URL is no stream) */
	for (size_t i = 0; rc == 0 && i < r->n_files; i++)
		if (strcmp(r->files[i].path, p->b->location) == 0) {
			r->files[i].anomalies++;
			break;
		}
	return rc < 0 ? cli_fail(p->c, &e) : 0;
}

static int pipeline_scanned(struct pipeline *p, int verify);

/* A verification scan that failed after the store was changed: say the
 * change is in place, so the failure does not read as "nothing done". */
static void verify_failed_after_change(perr *e)
{
	char why[PERR_MSG_MAX];
	snprintf(why, sizeof why, "%.900s", e->msg);
	perr_setr(e, e->code, e->reason, "the change was applied, but the verification scan failed: %s", why);
}

/* The scan itself, errors in e (pipeline_scan reports them). */
static int pipeline_scan_into(struct pipeline *p, int verify, perr *e)
{
	struct scan_report *r = verify ? &p->verify : &p->scan;
	struct scan_opts o = { .strict = cli_has(p->c, "--strict"),
			       .sample_size = p->c->cfg.scan_sample_size };
	scan_report_free(r);
	int rc = p->b->ops->scan(p->b, &o, verify ? NULL : p->sink, r, e);
	if (rc < 0 && verify && p->c->applied)
		verify_failed_after_change(e);
	return rc;
}

int pipeline_scan(struct pipeline *p, int verify)
{
	perr e = { 0 };
	if (pipeline_scan_into(p, verify, &e) < 0)
		return cli_fail(p->c, &e);
	return pipeline_scanned(p, verify);
}

/* After a scan that worked: the checked line, hints, a missing store. */
static int pipeline_scanned(struct pipeline *p, int verify)
{
	struct scan_report *r = verify ? &p->verify : &p->scan;
	if (verify) {
		p->verified = 1;
	} else {
		p->scanned = 1;
		free(p->checked);
		p->checked = checked_message(p, r);
		scan_hints(p);
	}
	return note_missing(p, r, !verify);
}

void pipeline_print_checked(struct pipeline *p)
{
	if (p->missing && !p->require_data)
		cli_say(p->c, p->txt, TONE_INFO, "%s", p->missing);
	else if (p->checked && !p->missing)
		cli_say(p->c, p->txt, TONE_INFO, "Checked %s", p->checked);
	pipeline_print_groups(p, &p->scan);
}

static size_t planned_actions(const struct plan *pl)
{
	size_t n = 0;
	for (size_t i = 0; i < pl->n; i++)
		n += !pl->v[i].skip;
	return n;
}

/* Only the actions that reached the store, or all planned ones. */
static void print_actions(struct pipeline *p, int applied_only)
{
	/* a merged run of drops is listed line by line */
	struct plan_lines lines;
	size_t i;
	plan_lines_init(&lines, &p->plan);
	for (const struct action *a; (a = plan_lines_next(&lines, &i));) {
		if (a->skip || (applied_only && !(p->res.applied && i < p->res.n_actions && p->res.applied[i])))
			continue;
		if (a->kind == ACT_SALVAGE && a->salvage)
			cli_say(p->c, p->txt, TONE_INFO, "  %s: %s line %lld (%s: %lld bytes of a torn record "
				"dropped, %lld complete record%s kept)", action_kind_name(a->kind), a->path,
				(long long)a->line, anomaly_type_name(a->reason), (long long)a->length,
				(long long)a->salvage->records, a->salvage->records == 1 ? "" : "s");
		else if (a->line > 0)
			cli_say(p->c, p->txt, TONE_INFO, "  %s: %s line %lld (%s, %lld bytes)",
				action_kind_name(a->kind), a->path, (long long)a->line,
				anomaly_type_name(a->reason), (long long)a->length);
		else if (a->id) {
			struct strbuf tail = { 0 };
			pipeline_pending_suffix(a, &tail);
			cli_say(p->c, p->txt, TONE_INFO, "  %s: %s entry %s (%s%s)%s%s", action_kind_name(a->kind),
				a->path, a->id, anomaly_type_name(a->reason), tail.p ? tail.p : "",
				a->to ? " -> " : "", a->to ? a->to : "");
			strbuf_free(&tail);
		}
		else
			cli_say(p->c, p->txt, TONE_INFO, "  %s: %s%s%s", action_kind_name(a->kind),
				a->path, a->to ? " -> " : "", a->to ? a->to : "");
	}
}

/* The human lines after an apply that stopped: what landed, what the
 * verification scan found. */
static void print_failed_apply(struct pipeline *p)
{
	if (p->res.n_applied) {
		cli_say(p->c, p->txt, TONE_INFO, "Applied before the failure:");
		print_actions(p, 1);
	}
	if (!p->verified)
		return;
	if (p->verify.n_an == 0) {
		cli_say(p->c, p->txt, TONE_INFO, "Verification scan: persistence is healthy");
		return;
	}
	cli_say(p->c, p->txt, TONE_ERR, "Verification scan: %zu persistence anomalies remain", p->verify.n_an);
	pipeline_print_anomalies(p, &p->verify, TONE_ERR);
}

/* The session's verification: the pipeline's own scan (strict, sample
 * size, a missing store noted); its exit code is kept for the caller. */
struct pipeline_rescan {
	struct pipeline *p;
	int rc;      /* exit code of the scan's aftermath (note_missing) */
	perr err;    /* the scan's error */
	int failed;
};

static int pipeline_rescan(void *ctx, struct scan_report *out, perr *e)
{
	struct pipeline_rescan *v = ctx;
	(void)out; /* out is v->p->verify */
	if (pipeline_scan_into(v->p, 1, e) < 0) {
		v->failed = 1;
		v->err = *e;
		return -1;
	}
	v->rc = pipeline_scanned(v->p, 1);
	return 0;
}

int pipeline_recover(struct pipeline *p, enum recovery_mode mode, const char *qdir,
		     const char *journal)
{
	perr e = { 0 };
	p->recovery_mode = recovery_mode_name(mode);
	struct pipeline_rescan v = { .p = p };
	struct session_verify rescan = { &v, pipeline_rescan };
	/* no one decides here: only what the policy lets a batch apply */
	struct recover_session s = {
		.b = p->b, .scan = &p->scan, .plan = &p->plan, .res = &p->res, .verify = &p->verify,
		.rescan = &rescan, .command = p->c->cmd->name, .journal = journal, .batch = 1,
	};
	if (session_recover_plan(&s, mode, qdir, &e) < 0)
		return cli_fail(p->c, &e);
	p->planned = 1;
	p->applying = planned_actions(&p->plan) > 0;
	int rc = 0;
	int failed = session_recover_run(&s, NULL) < 0;
	p->c->applied |= p->res.n_applied > 0;
	if (failed) {
		perr fe = { s.out.err.code, "", s.out.err.reason };
		snprintf(fe.msg, sizeof fe.msg, "%s", s.out.failure);
		rc = cli_fail(p->c, &fe);
	}
	if (v.failed && p->c->applied)
		verify_failed_after_change(&v.err);
	int vrc = v.failed ? cli_fail(p->c, &v.err) : v.rc;
	if (s.out.journal_failed) {
		int jrc = cli_fail(p->c, &s.out.journal_err);
		if (!rc)
			rc = jrc;
	}
	if (rc)
		print_failed_apply(p);
	return rc ? rc : vrc;
}

void pipeline_print_anomalies(struct pipeline *p, const struct scan_report *r, enum cli_tone t)
{
	if (p->quiet_list && r == &p->scan)
		return;
	struct scan_iter it;
	const struct anomaly *a;
	scan_iter_init(&it, r);
	while ((a = scan_iter_next(&it)))
		cli_say(p->c, p->txt, t, "- %s: %s (%s)", anomaly_type_name(a->type), a->path, a->detail);
	scan_iter_free(&it);
}

void pipeline_print_applied(struct pipeline *p)
{
	for (size_t i = 0; i < p->res.n_repaired; i++)
		cli_say(p->c, p->txt, TONE_INFO, "repaired %s", p->res.repaired[i]);
	for (size_t i = 0; i < p->res.n_quarantined; i++)
		cli_say(p->c, p->txt, TONE_INFO, "quarantined %s", p->res.quarantined[i]);
	pipeline_print_live(p->c, p->txt, p->res.lines_caught_up, p->res.lease_note);
	pipeline_print_acks(p);
	for (size_t i = 0; i < p->res.n_qtemps_removed; i++)
		cli_say(p->c, p->txt, TONE_INFO, "removed %s (the temporary copy of a killed run)",
			p->res.qtemps_removed[i]);
	if (p->res.kept_lines_drained > 0)
		cli_say(p->c, p->txt, TONE_INFO, "drained %lld lines a process wrote to a replaced file "
			"after a switch (appended byte for byte)", (long long)p->res.kept_lines_drained);
	if (p->res.kept_note[0])
		cli_say(p->c, p->txt, TONE_INFO, "note: %s", p->res.kept_note);
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
	print_actions(p, 0);
}
