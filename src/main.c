/* papyra: operations console and CLI for Papyra persistence stores. */
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define PAPYRA_VERSION "0.1.0"

static const struct cli_cmd *const groups[] = {
	cmd_persistence, cmd_doctor, cmd_inspect, cmd_metrics, cmd_console,
};

static void print_main_help(FILE *f)
{
	fputs("usage: papyra <command> [options]\n\n"
	      "Operations console and command line for Papyra persistence stores.\n\ncommands:\n", f);
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
		for (const struct cli_cmd *c = groups[g]; c->name; c++)
			fprintf(f, "  %-28s %s\n", c->name, c->summary);
	fputs("\n  papyra <command> --help     options of one command\n"
	      "  papyra --version            print the version\n\n"
	      "Exit codes: 0 ok; 1 anomalies (fail_on_anomaly); 2 anomalies found / remain;\n"
	      "3 recover left anomalies; 64 usage; 69 backend unavailable; 74 I/O error.\n", f);
}

/* Find the command named by argv[1] (and argv[2] for two-word commands).
 * Sets *words to how many argv entries the name used. */
static const struct cli_cmd *find_command(int argc, char **argv, int *words)
{
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
		for (const struct cli_cmd *c = groups[g]; c->name; c++) {
			const char *sp = strchr(c->name, ' ');
			size_t n1 = sp ? (size_t)(sp - c->name) : strlen(c->name);
			if (strlen(argv[1]) != n1 || strncmp(argv[1], c->name, n1) != 0)
				continue;
			if (!sp) {
				*words = 1;
				return c;
			}
			if (argc > 2 && strcmp(argv[2], sp + 1) == 0) {
				*words = 2;
				return c;
			}
		}
	}
	return NULL;
}

static int group_exists(const char *name)
{
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
		const char *n = groups[g][0].name;
		const char *sp = strchr(n, ' ');
		size_t n1 = sp ? (size_t)(sp - n) : strlen(n);
		if (strlen(name) == n1 && strncmp(name, n, n1) == 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* A file-size limit must surface as an I/O error (exit 74) with the
	 * original intact, not as a signal that kills us mid-write. */
	signal(SIGXFSZ, SIG_IGN);
	struct cli c;
	memset(&c, 0, sizeof c);
	c.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	c.out = stdout;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_main_help(argc < 2 ? stderr : stdout);
		return argc < 2 ? PX_USAGE : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("papyra %s\n", PAPYRA_VERSION);
		return 0;
	}
	int words = 0;
	const struct cli_cmd *cmd = find_command(argc, argv, &words);
	if (!cmd) {
		if (group_exists(argv[1]) && (argc < 3 || strcmp(argv[2], "--help") == 0)) {
			fprintf(argc < 3 ? stderr : stdout, "papyra %s: choose a command:\n", argv[1]);
			for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
				for (const struct cli_cmd *k = groups[g]; k->name; k++)
					if (strncmp(k->name, argv[1], strlen(argv[1])) == 0 &&
					    k->name[strlen(argv[1])] == ' ')
						fprintf(argc < 3 ? stderr : stdout, "  papyra %-24s %s\n",
							k->name, k->summary);
			return argc < 3 ? PX_USAGE : 0;
		}
		fprintf(stderr, "papyra: unknown command '%s%s%s'\n", argv[1],
			group_exists(argv[1]) ? " " : "", group_exists(argv[1]) ? argv[2] : "");
		fputs("usage: papyra <command> [options]   (papyra --help lists the commands)\n", stderr);
		return PX_USAGE;
	}
	int help = 0;
	int rc = cli_parse(&c, cmd, argc - 1 - words, argv + 1 + words, &help);
	if (rc)
		return rc;
	if (help) {
		cli_print_help(stdout, cmd);
		return 0;
	}
	perr e = { 0 };
	if (config_resolve(&c.cfg, c.backend_flags, c.config_flag, &e) < 0) {
		config_free(&c.cfg);
		return cli_usage_error(&c, "%s", e.msg);
	}
	rc = cmd->run(&c);
	config_free(&c.cfg);
	if (fflush(stdout) != 0 && rc == 0) {
		fprintf(stderr, "papyra: %swriting the output failed: %s\n",
			c.applied ? "the change was applied, but " : "", strerror(errno));
		rc = PX_IOERR;
	}
	return rc;
}
