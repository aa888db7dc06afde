/* papyra: operations console and CLI for Papyra persistence stores. */
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"
#include "fleet.h"
#include "completion.h"
#include "pipeline.h"
#include "version.h"

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
	fputs("\n  papyra <command> --help     options of one command (also: papyra help <command>)\n"
	      "  papyra --version            print the version (also: papyra version)\n\n"
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

static void print_group(FILE *f, const char *group)
{
	fprintf(f, "papyra %s: choose a command:\n", group);
	for (size_t g = 0; g < sizeof groups / sizeof *groups; g++)
		for (const struct cli_cmd *k = groups[g]; k->name; k++)
			if (strncmp(k->name, group, strlen(group)) == 0 && k->name[strlen(group)] == ' ')
				fprintf(f, "  papyra %-24s %s\n", k->name, k->summary);
}

/* `papyra help [command words]`. */
static int help_command(int argc, char **argv)
{
	if (argc < 3) {
		print_main_help(stdout);
		return 0;
	}
	int words = 0;
	const struct cli_cmd *cmd = find_command(argc - 1, argv + 1, &words);
	if (cmd && words == argc - 2) {
		cli_print_help(stdout, cmd);
		return 0;
	}
	if (!cmd && argc == 3 && group_exists(argv[2])) {
		print_group(stdout, argv[2]);
		return 0;
	}
	fprintf(stderr, "papyra help: unknown command '%s%s%s'\n", argv[2], argc > 3 ? " " : "",
		argc > 3 ? argv[3] : "");
	fputs("usage: papyra help [command]   (papyra --help lists the commands)\n", stderr);
	return PX_USAGE;
}

/* The config file that will be read must be a regular file: opening a
 * FIFO would block (SPEC §8).  A missing one is config_resolve's to say. */
static int check_config_file(struct cli *c)
{
	const char *f = c->config_flag;
	if (!f)
		f = getenv("PAPYRA_CONFIG");
	if (!f || !*f)
		f = "papyra.json";
	struct stat st;
	if (stat(f, &st) == 0 && !S_ISREG(st.st_mode))
		return cli_usage_error(c, "config file %s is not a regular file (%s)", f,
				       S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
				       "a device or socket");
	return 0;
}

/* What the configuration silently overrode or ignores, said on stderr. */
static void config_hints(struct cli *c)
{
	const char *settings = getenv("PAPYRA_SETTINGS_MODULE");
	if (settings && *settings)
		cli_warn(c, "warning", "PAPYRA_SETTINGS_MODULE=%s is set, but papyra does not read Python "
			 "settings modules: configure it with --backend, --path, --redis-url, --prefix, "
			 "--system-id, ... or PAPYRA_BACKEND, PAPYRA_PATH, PAPYRA_REDIS_URL, PAPYRA_PREFIX, "
			 "PAPYRA_SYSTEM_ID, ... or a papyra.json config file (papyra --help)", settings);
	if (!c->backend_flags[CK_PATH] || c->backend_flags[CK_BACKEND])
		return;
	/* --path alone selects the json backend, as in Papyra; say what that overrode */
	const char *env = getenv("PAPYRA_BACKEND");
	if (env && *env && strcasecmp(env, "json") != 0)
		cli_warn(c, "warning", "--path selects the single-file json backend, so PAPYRA_BACKEND=%s "
			 "was ignored: pass --backend %s to use it", env, env);
	else if (c->cfg.ignored_file_backend && strcasecmp(c->cfg.ignored_file_backend, "json") != 0)
		cli_warn(c, "warning", "--path selects the single-file json backend, so backend '%s' of "
			 "config file %s was ignored: pass --backend %s to use it", c->cfg.ignored_file_backend,
			 c->cfg.config_file ? c->cfg.config_file : "?", c->cfg.ignored_file_backend);
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
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("papyra %s\n", PAPYRA_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0)
		return help_command(argc, argv);
	/* hidden: `make completions` builds the shell completions from the tables */
	if (strcmp(argv[1], "--print-completion") == 0) {
		if (completion_print(stdout, argc > 2 ? argv[2] : NULL, groups, sizeof groups / sizeof *groups) == 0)
			return 0;
		fputs("usage: papyra --print-completion bash|zsh\n", stderr);
		return PX_USAGE;
	}
	int words = 0;
	const struct cli_cmd *cmd = find_command(argc, argv, &words);
	if (!cmd) {
		if (group_exists(argv[1]) && (argc < 3 || strcmp(argv[2], "--help") == 0)) {
			print_group(argc < 3 ? stderr : stdout, argv[1]);
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
		return pipeline_report_early(&c, rc);
	if (help) {
		cli_print_help(stdout, cmd);
		return 0;
	}
	if ((rc = check_config_file(&c)) != 0)
		return pipeline_report_early(&c, rc);
	perr e = { 0 };
	if (config_resolve(&c.cfg, c.backend_flags, c.config_flag, &e) < 0) {
		config_free(&c.cfg);
		rc = cli_usage_error(&c, "%s", e.msg);
		return pipeline_report_early(&c, rc);
	}
	config_hints(&c);
	rc = fleet_run(&c, cmd->run);
	config_free(&c.cfg);
	if (fflush(stdout) != 0 && rc == 0) {
		fprintf(stderr, "papyra: %swriting the output failed: %s\n",
			c.applied ? "the change was applied, but " : "", strerror(errno));
		rc = PX_IOERR;
	}
	return rc;
}
