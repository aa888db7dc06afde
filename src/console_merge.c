/* console over several stores (console_merge.h). */
#include "console_merge.h"

#include <string.h>
#include <strings.h>

#include "gate.h"

/* Usage checks shared by the merged console and its --batch. */
static int merge_usage(struct cli *c)
{
	if (!backend_config_traits(&c->cfg)->has_files)
		return cli_usage_error(c, "--path given %d times: stores are merged from files (json or rotating sets), "
				       "not from Redis", c->n_paths);
	if (cli_has(c, "--follow"))
		return cli_usage_error(c, "--follow: merged stores are not followed; open one store alone to follow it");
	return 0;
}

static int configure(struct cli *c, struct sources *s)
{
	for (int k = 0; k < c->n_paths; k++) {
		const char *flags[CK__COUNT];
		memcpy(flags, c->backend_flags, sizeof flags);
		flags[CK_PATH] = c->paths[k];
		perr e = { 0 };
		memset(&s->cfg[k], 0, sizeof s->cfg[k]);
		if (config_resolve(&s->cfg[k], flags, c->config_flag, &e) < 0) {
			config_free(&s->cfg[k]);
			return cli_usage_error(c, "--path %s: %s", c->paths[k], e.msg);
		}
		s->n_cfg = k + 1;
	}
	return 0;
}

int sources_open(struct cli *c, struct sources *s)
{
	memset(s, 0, sizeof *s);
	int rc = merge_usage(c);
	if (!rc)
		rc = configure(c, s);
	for (int k = 0; !rc && k < s->n_cfg; k++) {
		perr e = { 0 };
		if (backend_open(&s->cfg[k], &s->b[k], &e) < 0)
			rc = cli_fail(c, &e);
		else
			s->n = k + 1;
	}
	if (rc)
		sources_close(s);
	return rc;
}

void sources_close(struct sources *s)
{
	for (int k = 0; k < s->n; k++)
		backend_close(s->b[k]);
	for (int k = 0; k < s->n_cfg; k++)
		config_free(&s->cfg[k]);
	s->n = s->n_cfg = 0;
}

int console_merge_batch(struct cli *c)
{
	int rc = merge_usage(c);
	if (rc)
		return rc;
	const char *fmt = cli_get(c, "--format");
	if ((fmt && strcasecmp(fmt, "text") != 0) || cli_get(c, "--output"))
		return cli_usage_error(c, "console --batch over %d stores writes text to stdout only "
				       "(no --format or --output): gate each store alone for a machine report", c->n_paths);
	if (cli_has(c, "--yes"))
		return cli_usage_error(c, "--yes: console --batch applies no plan over merged stores; "
				       "recover each store alone");
	struct sources s;
	memset(&s, 0, sizeof s);
	if ((rc = configure(c, &s)) != 0) {
		sources_close(&s);
		return rc;
	}
	struct config keep = c->cfg;
	int worst = 0, codes[CLI_MAX_PATHS];
	for (int k = 0; k < s.n_cfg; k++) {
		fprintf(c->out, "%s== %c: %s ==\n", k ? "\n" : "", 'a' + k, c->paths[k]);
		fflush(c->out);
		c->cfg = s.cfg[k];
		codes[k] = gate_run(c, GATE_BATCH);
		c->cfg = keep;
		worst = codes[k] > worst ? codes[k] : worst;
		fflush(c->out);
	}
	fprintf(c->out, "\nmerged: %d stores, exit codes", s.n_cfg);
	for (int k = 0; k < s.n_cfg; k++)
		fprintf(c->out, " %c=%d", 'a' + k, codes[k]);
	fprintf(c->out, "; the worst: %d\n", worst);
	sources_close(&s);
	return worst;
}
