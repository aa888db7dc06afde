/* The end of every pipeline command: the report in the asked format on
 * every exit path (SPEC §6), put in place atomically when --output names
 * a file, the Markdown step summary for GitHub, and the one summary line. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fleet.h"
#include "guard.h"
#include "pipeline.h"

int pipeline_write_report(FILE *f, enum report_format fmt, const struct run_report *rr)
{
	switch (fmt) {
	case FMT_JSON: return report_write_json(f, rr);
	case FMT_JUNIT: return report_write_junit(f, rr);
	case FMT_SARIF: return report_write_sarif(f, rr);
	case FMT_GITLAB: return report_write_gitlab(f, rr);
	case FMT_GITHUB: case FMT_TEXT: break;
	}
	return report_write_github(f, rr);
}

/* What step_summary appends: one run's summary, or the fleet's. */
struct summary {
	const struct run_report *rr; /* NULL: the fleet's */
	const struct fleet *fleet;
	int exit_code;
};

static int summary_write(FILE *f, const struct summary *s)
{
	return s->rr ? report_write_markdown(f, s->rr) : fleet_write_markdown(s->fleet, f, s->exit_code);
}

/* Append the Markdown summary to $GITHUB_STEP_SUMMARY (github format),
 * once per command: a plain run's, or a fleet's (its systems append none).
 * A summary file that is the store, the journal or not a regular file is
 * left alone, with a warning: it is the runner's, not the operator's. */
static void step_summary(struct pipeline *p, const struct summary *s)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	if (p->fmt != FMT_GITHUB || !path || !*path)
		return;
	char *resolved = NULL;
	perr e = { 0 };
	if (guard_check(&p->c->cfg, p->journal, "GITHUB_STEP_SUMMARY", path, &resolved, &e) < 0) {
		cli_warn(p->c, "warning", "%s; no step summary written", e.msg);
		return;
	}
	int fd = open(resolved, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0666);
	struct stat st;
	FILE *f = NULL;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "a")))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 || summary_write(f, s) < 0 || fclose(f) != 0)
		cli_warn(p->c, "warning", "could not append the step summary to %s: %s", path, strerror(errno));
	free(resolved);
}

static const char *outcome(const struct pipeline *p)
{
	const struct scan_report *last = p->verified ? &p->verify : &p->scan;
	if (p->c->err[0])
		return "error";
	if (!p->scanned)
		return "not scanned";
	if (last->n_an)
		return "anomalies present";
	return p->missing ? "no data" : "healthy";
}

/* The end of one system of a fleet: its report (a fragment, with its
 * system id) kept by the fleet, nothing put in place or summarised. */
static void member_end(struct pipeline *p, struct run_report *rr)
{
	if (p->fmt != FMT_TEXT && p->report) {
		rr->system = p->c->cfg.system_id;
		rr->fragment = 1;
		pipeline_write_report(p->report, p->fmt, rr);
		fclose(p->report);
		p->report = NULL;
	}
	const struct scan_report *last = p->verified ? &p->verify : &p->scan;
	fleet_keep(p->c->fleet, p->mem, p->mem_len, rr->exit_code, outcome(p), p->scanned ? last->n_an : 0);
	p->mem = NULL;
	p->txt = NULL; /* the fleet's */
}

int pipeline_end(struct pipeline *p, int exit_code)
{
	struct cli *c = p->c;
	char *redacted = NULL;
	if (p->begun && p->fleet) {
		if (fleet_write(p->fleet, p->report, p->fmt, exit_code) < 0) {
			cli_say(c, stderr, TONE_ERR, "could not write the report: %s", strerror(errno));
			exit_code = PX_IOERR;
		}
		step_summary(p, &(struct summary){ .fleet = p->fleet, .exit_code = exit_code });
	} else if (p->begun && (p->fmt != FMT_TEXT || p->member)) {
		const char *loc = p->b ? p->b->location : NULL;
		if (!loc)
			loc = redacted = backend_config_location(&c->cfg);
		struct run_report rr = {
			.command = c->cmd->name,
			.backend = p->b ? backend_name(p->b) : backend_config_name(&c->cfg),
			.location = loc, .mode = p->mode, .recovery_mode = p->recovery_mode,
			.scan = p->scanned ? &p->scan : NULL,
			.actions = p->planned && !p->plan_only ? &p->plan : NULL,
			.plan = p->plan_only ? &p->plan : NULL,
			.result = p->applying ? &p->res : NULL,
			.verify = p->verified ? &p->verify : NULL,
			.checked = p->checked, .missing = p->missing,
			.error = c->err[0] ? c->err : NULL, .exit_code = exit_code,
		};
		if (!p->applying && rr.actions) {
			/* nothing was to be applied: no action reached the store */
			static const struct apply_result none;
			rr.result = &none;
		}
		if (p->member)
			member_end(p, &rr);
		else if (pipeline_write_report(p->report, p->fmt, &rr) < 0 || fflush(p->report) != 0) {
			cli_say(c, stderr, TONE_ERR, "could not write the report: %s", strerror(errno));
			exit_code = PX_IOERR;
		}
		if (!p->member)
			step_summary(p, &(struct summary){ .rr = &rr });
	}
	if (!p->member)
		c->err_copy = NULL;
	if (p->out_file) {
		perr e = { 0 };
		int ok = fflush(p->out_file) == 0 && !ferror(p->out_file);
		if (!ok)
			perr_set(&e, PX_IOERR, "could not write the report %s: %s", p->out_final, strerror(errno));
		else if (guard_commit_temp(fileno(p->out_file), p->out_tmp, p->out_final, &e) < 0)
			ok = 0;
		fclose(p->out_file);
		if (p->txt == p->out_file)
			p->txt = stdout;
		p->out_file = NULL;
		if (!ok) {
			unlink(p->out_tmp);
			cli_say(c, stderr, TONE_ERR, "%s", e.msg);
			exit_code = PX_IOERR;
		}
		char *fo = p->fleet ? fleet_outcome(p->fleet, exit_code) : NULL;
		cli_say(c, stdout, exit_code == 0 ? TONE_OK : TONE_ERR, "%s: %s; report %s %s (exit %d)",
			c->cmd->name, fo ? fo : outcome(p), ok ? "written to" : "NOT written to",
			cli_get(c, "--output"), exit_code);
		free(fo);
	}
	if (p->txt && p->txt != stdout)
		fclose(p->txt);
	free(p->mem);
	free(redacted);
	free(p->out_final);
	free(p->out_tmp);
	free(p->missing);
	free(p->checked);
	scan_report_free(&p->scan);
	scan_report_free(&p->verify);
	plan_free(&p->plan);
	apply_result_free(&p->res);
	backend_close(p->b);
	return exit_code;
}

/* Whether command `c` takes --format, i.e. writes reports. */
static int has_reports(const struct cli *c)
{
	for (int i = 0; c->cmd->opts[i].flag; i++)
		if (strcmp(c->cmd->opts[i].flag, "--format") == 0)
			return 1;
	return 0;
}

int pipeline_report_early(struct cli *c, int exit_code)
{
	enum report_format fmt = FMT_TEXT;
	const char *f = cli_get(c, "--format");
	if (!has_reports(c) || !f)
		return exit_code;
	if (pipeline_parse_format(f, &fmt) < 0 || fmt == FMT_TEXT)
		return exit_code;
	struct run_report rr = { .command = c->cmd->name, .error = c->err[0] ? c->err : NULL,
				 .exit_code = exit_code };
	const char *out = cli_get(c, "--output");
	struct stat st;
	if (out && strcmp(out, "-") != 0 && lstat(out, &st) != 0 && errno == ENOENT) {
		char *tmp = NULL;
		perr e = { 0 };
		int fd = guard_open_temp(out, &tmp, &e);
		FILE *o = fd >= 0 ? fdopen(fd, "w") : NULL;
		int ok = o && pipeline_write_report(o, fmt, &rr) == 0 && fflush(o) == 0 && fsync(fd) == 0 &&
			 link(tmp, out) == 0; /* link, not rename: never replaces a file */
		if (o)
			fclose(o);
		else if (fd >= 0)
			close(fd);
		if (tmp)
			unlink(tmp);
		free(tmp);
		if (ok) {
			cli_say(c, stdout, TONE_ERR, "%s: error; report written to %s (exit %d)", c->cmd->name, out,
				exit_code);
			return exit_code;
		}
	} else if (out && strcmp(out, "-") != 0) {
		cli_warn(c, "warning", "the report goes to stdout, not to the existing %s: the configuration "
			 "is not known, so it could be part of the store", out);
	}
	if (pipeline_write_report(stdout, fmt, &rr) < 0)
		return PX_IOERR;
	return exit_code;
}
