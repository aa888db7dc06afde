/* console: the read-only ncurses console (SPEC §7), and its headless
 * triage summary (--batch). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "console.h"

/* --batch: scan with the backend, print the health and the anomaly
 * counts per type on one line; exit as `doctor run` does (0 / 1). */
static int console_batch(struct cli *c, struct backend *b)
{
	struct scan_report r;
	struct scan_opts o = { 0 };
	perr e = { 0 };
	scan_report_init(&r);
	if (b->ops->scan(b, &o, NULL, &r, &e) < 0) {
		scan_report_free(&r);
		return cli_fail(c, &e);
	}
	int rc = 0;
	if (r.n_an == 0) {
		cli_say(c, c->out, TONE_OK, "Persistence is healthy (%s: %s)", b->ops->name, b->location);
	} else {
		size_t per[AN__COUNT] = { 0 };
		for (size_t i = 0; i < r.n_an; i++)
			per[r.an[i].type]++;
		char counts[512] = "";
		size_t k = 0;
		for (int t = 0; t < AN__COUNT; t++)
			if (per[t] && k < sizeof counts)
				k += (size_t)snprintf(counts + k, sizeof counts - k, "%s%s=%zu", k ? " " : "",
						      anomaly_type_name((enum anomaly_type)t), per[t]);
		cli_say(c, c->out, TONE_ERR, "Persistence anomalies detected: %zu (%s) in %s: %s", r.n_an, counts,
			b->ops->name, b->location);
		rc = 1;
	}
	scan_report_free(&r);
	return rc;
}

static int console_cmd(struct cli *c)
{
	if (cli_has(c, "--print-keys-man")) {
		console_print_keys_man(c->out);
		return 0;
	}
	int batch = cli_has(c, "--batch");
	const char *test = getenv("PAPYRA_TEST_SCREEN");
	int test_screen = test && strcmp(test, "1") == 0;
	if (!batch && !test_screen && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return cli_usage_error(c, "stdin and stdout must be a terminal for the interactive console; "
					  "use --batch for a headless triage summary");
	struct backend *b = NULL;
	int rc = cli_open_backend(c, &b);
	if (rc)
		return rc;
	if (batch) {
		rc = console_batch(c, b);
	} else if (c->cfg.backend != BK_JSON) {
		rc = cli_usage_error(c, "the interactive console reads the json backend (--path FILE) only; "
					"use --batch for the %s backend", b->ops->name);
	} else {
		perr e = { 0 };
		fflush(stdout);
		rc = console_run(&c->cfg, b->ops->name, b->location, &e) < 0 ? cli_fail(c, &e) : 0;
	}
	backend_close(b);
	return rc;
}

static const struct cli_opt console_opts[] = {
	{ "--batch", NULL, "no screen: print a one-line triage summary; exit 0 healthy, 1 anomalies" },
	{ "--print-keys-man", NULL, "print the console's key bindings as roff (for the man page)" },
	{ NULL, NULL, NULL },
};

const struct cli_cmd cmd_console[] = {
	{ "console", "Open the read-only incident console (keys: ? in the console).", console_opts, console_cmd },
	{ NULL, NULL, NULL, NULL },
};
