/* console: the ncurses console (SPEC §7) on any backend, and the same
 * workflow headless (--batch, in gate.c).  The interactive console takes
 * --recovery-mode, --quarantine-dir and --journal as what its recovery
 * walk offers first. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "console_follow.h"
#include "console_merge.h"
#ifndef PAPYRA_NO_CONSOLE
#include "console.h"
#include "console_systems.h"
#endif
#include "gate.h"
#include "guard.h"
#include "pipeline.h"

#ifdef PAPYRA_NO_CONSOLE
/* papyra-cli (`make cli-only`) is built without ncurses for minimal
 * images: the headless workflow is all it has. */
static int console_cmd(struct cli *c)
{
	if (cli_has(c, "--batch") && c->n_paths > 1)
		return console_merge_batch(c);
	if (cli_has(c, "--batch"))
		return cli_has(c, "--follow") ? console_batch_follow(c) : gate_run(c, GATE_BATCH);
	return cli_usage_error(c, "the interactive console is not in this build (papyra-cli, built without "
				  "ncurses); use --batch, or the full papyra binary");
}
#else
static int console_cmd(struct cli *c)
{
	if (cli_has(c, "--print-keys-man")) {
		console_print_keys_man(c->out);
		return 0;
	}
	int batch = cli_has(c, "--batch");
	if (batch && c->n_paths > 1)
		return console_merge_batch(c);
	if (batch)
		return cli_has(c, "--follow") ? console_batch_follow(c) : gate_run(c, GATE_BATCH);
	const char *test = getenv("PAPYRA_TEST_SCREEN");
	int test_screen = test && strcmp(test, "1") == 0;
	if (!test_screen && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return cli_usage_error(c, "stdin and stdout must be a terminal for the interactive console; "
					  "use --batch for a headless triage summary");
	/* the walk's options are checked before the terminal is taken */
	struct console_opts o = { .mode = RM_REPAIR, .quarantine_dir = cli_get(c, "--quarantine-dir"),
				  .journal = cli_get(c, "--journal"), .follow = cli_has(c, "--follow") };
	if (cli_get(c, "--duration"))
		return cli_usage_error(c, "--duration goes with --batch --follow (the interactive console runs until q)");
	const char *rm = cli_get(c, "--recovery-mode");
	if (rm && (recovery_mode_parse(rm, &o.mode) < 0 || o.mode == RM_IGNORE))
		return cli_usage_error(c, "--recovery-mode: invalid recovery mode '%s' (repair, quarantine)", rm);
	if (o.quarantine_dir && !*o.quarantine_dir)
		return cli_usage_error(c, "--quarantine-dir: empty directory name");
	if (o.journal && !*o.journal)
		return cli_usage_error(c, "--journal: empty file name");
	if (o.journal) {
		/* a FIFO would block after the repair, the store must not be journaled into */
		char *resolved = NULL;
		perr je = { 0 };
		if (guard_check(&c->cfg, NULL, "--journal", o.journal, &resolved, &je) < 0)
			return cli_fail(c, &je);
		free(resolved);
	}
	/* a fleet (--system-id a pattern): the Systems view, on the first system */
	struct console_fleet fl = { 0 };
	perr e = { 0 };
	if (backend_config_traits(&c->cfg)->fleet && backend_is_glob(c->cfg.system_id) &&
	    console_fleet_open(c, &fl, &e) < 0)
		return cli_fail(c, &e);
	struct backend *b = fl.open;
	struct sources s = { .n = 0 };
	int rc = b ? 0 : c->n_paths > 1 ? sources_open(c, &s) : cli_open_backend(c, &b);
	if (rc)
		return rc;
	fflush(stdout);
	o.backend = s.n ? s.b[0] : b;
	o.sources = s.b;
	o.n_sources = (size_t)s.n;
	o.systems = fl.sys;
	o.n_systems = fl.n;
	o.open_system = console_fleet_system;
	o.refresh_system = console_fleet_refresh;
	o.system_ctx = &fl;
	rc = console_run(fl.n ? &fl.cfgs[0] : &c->cfg, &o, &e) < 0 ? cli_fail(c, &e) : 0;
	if (fl.n)
		console_fleet_free(&fl); /* the open system's backend with it */
	else if (s.n)
		sources_close(&s);
	else
		backend_close(b);
	return rc;
}
#endif

static const struct cli_opt console_opts[] = {
	{ "--batch", NULL, "no screen: print the triage summary; exit codes as doctor run" },
	GATE_OPTS,
	{ "--yes", NULL, "with --batch --mode recover: apply the plan (without it the plan is only shown)" },
	{ "--journal", "FILE", "append one JSON line per applied action set to FILE "
			       "(interactive default: $XDG_STATE_HOME/papyra/journal.ndjson)" },
	PIPELINE_OPTS,
	PIPELINE_REQUIRE_DATA_OPT,
	{ "--follow", NULL, "start in tail mode (key L); with --batch: keep watching, one line per new anomaly" },
	{ "--duration", "S", "with --batch --follow: stop after S seconds (else at SIGINT/SIGTERM)" },
	{ "--print-keys-man", NULL, "print the console's key bindings as roff (for the man page)" },
	{ NULL, NULL, NULL },
};

const struct cli_cmd cmd_console[] = {
	{ "console", "Open the incident console: browse, then recover (R) or compact (c) with a preview (keys: ?).", console_opts, console_cmd },
	{ NULL, NULL, NULL, NULL },
};
