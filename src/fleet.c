/* A fleet (fleet.h): the one loop over the systems a --system-id pattern
 * matches. */
#include "fleet.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

struct fleet {
	char *glob;
	char **ids;
	size_t n, ran, cur;
	char **docs;
	size_t *lens, *anomalies;
	int *codes, *kept;
	const char **outcomes;
	char *location;
	struct pipeline top; /* owns the output: format, --output, text lines */
};

/* The commands a fleet runs: those that check or change a whole store
 * and report on it. */
static int fleet_command(const struct cli *c)
{
	static const char *const names[] = {
		"persistence scan", "persistence recover", "persistence startup-check",
		"persistence compact", "doctor run", "console",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(c->cmd->name, names[i]) == 0)
			return strcmp(names[i], "console") != 0 || cli_has(c, "--batch");
	return 0;
}

FILE *fleet_txt(const struct fleet *f)
{
	return f->top.txt;
}

void fleet_keep(struct fleet *f, char *doc, size_t len, int exit_code, const char *outcome, size_t anomalies)
{
	size_t i = f->cur;
	free(f->docs[i]);
	f->docs[i] = doc;
	f->lens[i] = doc ? len : 0;
	f->codes[i] = exit_code;
	f->outcomes[i] = outcome;
	f->anomalies[i] = anomalies;
	f->kept[i] = 1;
}

static void report_of(const struct fleet *f, struct fleet_report *r, const struct cli *c, int exit_code)
{
	*r = (struct fleet_report){
		.command = c->cmd->name, .backend = backend_config_name(&c->cfg),
		.location = f->location ? f->location : "", .glob = f->glob, .n = f->ran, .ids = f->ids,
		.docs = f->docs, .lens = f->lens, .codes = f->codes, .outcomes = f->outcomes,
		.anomalies = f->anomalies, .exit_code = exit_code,
	};
}

int fleet_write(struct fleet *f, FILE *out, enum report_format fmt, int exit_code)
{
	struct fleet_report r;
	report_of(f, &r, f->top.c, exit_code);
	switch (fmt) {
	case FMT_TEXT: return 0;
	case FMT_JSON: return report_write_fleet_json(out, &r);
	case FMT_JUNIT: return report_write_fleet_junit(out, &r);
	case FMT_GITHUB: return report_write_fleet_github(out, &r);
	case FMT_SARIF: return report_write_fleet_sarif(out, &r);
	case FMT_GITLAB: return report_write_fleet_gitlab(out, &r);
	}
	return 0;
}

int fleet_write_markdown(const struct fleet *f, FILE *out, int exit_code)
{
	struct fleet_report r;
	report_of(f, &r, f->top.c, exit_code);
	return report_write_fleet_markdown(out, &r);
}

char *fleet_outcome(const struct fleet *f, int exit_code)
{
	struct fleet_report r;
	struct strbuf b = { 0 };
	report_of(f, &r, f->top.c, exit_code);
	report_fleet_summary(&b, &r);
	return strbuf_detach(&b, NULL);
}

/* A system whose run ended before its pipeline kept a report (an error
 * before its format was known): a report of the error alone, so the
 * fleet's document still has one entry per system. */
static void keep_failed(struct fleet *f, struct cli *c, int exit_code)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *m = f->top.fmt != FMT_TEXT ? open_memstream(&doc, &len) : NULL;
	if (m) {
		struct run_report rr = { .command = c->cmd->name, .system = f->ids[f->cur], .fragment = 1,
					 .error = c->err[0] ? c->err : "the run failed", .exit_code = exit_code };
		pipeline_write_report(m, f->top.fmt, &rr);
		fclose(m);
	}
	fleet_keep(f, doc, len, exit_code, "error", 0);
}

/* *dst = a, or with `b`: "a:b:quarantine" (a system's default
 * quarantine prefix). */
static int set_id(char **dst, const char *a, const char *b)
{
	char *s = b ? px_asprintf(NULL, "%s:%s:quarantine", a, b) : strdup(a);
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static void fleet_free(struct fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->ids[i]);
		free(f->docs ? f->docs[i] : NULL);
	}
	free(f->ids);
	free(f->docs);
	free(f->lens);
	free(f->anomalies);
	free(f->codes);
	free(f->kept);
	free(f->outcomes);
	free(f->location);
	free(f->glob);
}

/* Run every system; returns the worst exit code. */
static int run_systems(struct fleet *f, struct cli *c, int (*run)(struct cli *), int qdefault)
{
	int worst = 0, applied = c->applied;
	for (size_t i = 0; i < f->n; i++) {
		if (set_id(&c->cfg.system_id, f->ids[i], NULL) < 0 ||
		    (qdefault && set_id(&c->cfg.quarantine_prefix, c->cfg.prefix, f->ids[i]) < 0))
			return perr_set(NULL, PX_IOERR, "out of memory"), PX_IOERR;
		c->err[0] = '\0';
		c->err_code = 0;
		c->applied = 0;
		c->fleet = f;
		f->cur = i;
		f->ran = i + 1;
		cli_say(c, f->top.txt, TONE_INFO, "System %s (%zu of %zu)", f->ids[i], i + 1, f->n);
		int rc = run(c);
		c->fleet = NULL;
		applied |= c->applied;
		if (!f->kept[i])
			keep_failed(f, c, rc);
		if (rc > worst)
			worst = rc;
		if (rc == PX_USAGE)
			break; /* a usage error is the same for every system */
	}
	c->applied = applied;
	return worst;
}

int fleet_run(struct cli *c, int (*run)(struct cli *))
{
	if (!backend_is_glob(c->cfg.system_id) || !backend_config_traits(&c->cfg)->fleet)
		return run(c);
	if (strcmp(c->cmd->name, "console") == 0 && !cli_has(c, "--batch"))
		return run(c); /* the interactive console shows the fleet in its Systems view */
	if (!fleet_command(c))
		return pipeline_report_early(c, cli_usage_error(c, "--system-id '%s' is a pattern: only persistence "
							"scan, recover, startup-check, compact, doctor run and console --batch "
							"cover a fleet of systems (the interactive console shows them)", c->cfg.system_id));
	struct fleet f;
	memset(&f, 0, sizeof f);
	struct backend *b;
	perr e = { 0 };
	/* a server that cannot be used: the plain run says so, in every format */
	if (backend_open(&c->cfg, &b, &e) < 0)
		return run(c);
	int rc = backend_systems(b, c->cfg.system_id, &f.ids, &f.n, &e);
	backend_close(b);
	if (rc < 0)
		return pipeline_report_early(c, cli_fail(c, &e));
	if (f.n == 0) {
		fleet_free(&f);
		return run(c); /* nothing matches: "No data at ..." names the ids there are */
	}
	char *qd = px_asprintf(NULL, "%s:%s:quarantine", c->cfg.prefix, c->cfg.system_id);
	int qdefault = qd && strcmp(qd, c->cfg.quarantine_prefix) == 0;
	free(qd);
	f.glob = strdup(c->cfg.system_id);
	f.location = backend_config_location(&c->cfg);
	f.docs = calloc(f.n, sizeof *f.docs);
	f.lens = calloc(f.n, sizeof *f.lens);
	f.anomalies = calloc(f.n, sizeof *f.anomalies);
	f.codes = calloc(f.n, sizeof *f.codes);
	f.kept = calloc(f.n, sizeof *f.kept);
	f.outcomes = calloc(f.n, sizeof *f.outcomes);
	if (!f.glob || !f.location || !f.docs || !f.lens || !f.anomalies || !f.codes || !f.kept || !f.outcomes) {
		fleet_free(&f);
		perr_set(&e, PX_IOERR, "out of memory");
		return pipeline_report_early(c, cli_fail(c, &e));
	}
	rc = pipeline_begin(&f.top, c);
	if (rc == 0) {
		/* from here the fleet's report; before, an error is a plain run's */
		f.top.fleet = &f;
		rc = run_systems(&f, c, run, qdefault);
		if (set_id(&c->cfg.system_id, f.glob, NULL) == 0 && qdefault)
			set_id(&c->cfg.quarantine_prefix, c->cfg.prefix, f.glob);
		char *sum = fleet_outcome(&f, rc);
		cli_say(c, f.top.txt, rc ? TONE_ERR : TONE_OK, "Fleet: %s", sum ? sum : "?");
		free(sum);
		c->err[0] = '\0';
	}
	rc = pipeline_end(&f.top, rc);
	fleet_free(&f);
	return rc;
}
