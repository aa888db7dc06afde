/* Command-line plumbing shared by the command groups: one table per
 * command (name, options, handler), one parser, one way to print.
 *
 * Every command accepts the backend options of SPEC §6 in addition to its
 * own; misuse is reported (exit 64) before anything is read or changed. */
#ifndef PAPYRA_CLI_H
#define PAPYRA_CLI_H

#include <stdio.h>

#include "backend.h"
#include "config.h"

#define CLI_MAX_OPTS 32
/* Stores one console merges (--path given again), tagged a..z. */
#define CLI_MAX_PATHS 26

struct cli_opt {
	const char *flag;    /* "--limit" */
	const char *metavar; /* "N"; NULL for a boolean flag */
	const char *help;
};

struct cli;

struct cli_cmd {
	const char *name;    /* "inspect events" */
	const char *summary; /* one line for --help listings */
	const struct cli_opt *opts; /* terminated by {NULL} */
	int (*run)(struct cli *c); /* returns the exit code */
};

struct cli {
	const struct cli_cmd *cmd;
	const char *val[CLI_MAX_OPTS];        /* per cmd->opts entry; "1" for booleans; NULL if absent */
	const char *backend_flags[CK__COUNT]; /* backend options as given */
	const char *config_flag;              /* --config */
	/* console: every --path given, in order (several: the stores merged) */
	const char *paths[CLI_MAX_PATHS];
	int n_paths;
	struct config cfg;                    /* resolved before run() */
	int utf8;                             /* UTF-8 locale: use ✔ ℹ ✖, else ok: info: error: */
	FILE *out;                            /* stdout */
	/* The first error reported through cli_usage_error / cli_fail (its
	 * exit code in err_code), so a machine report can carry it. */
	char err[PERR_MSG_MAX];
	int err_code;
	/* A copy of every error line goes here too (the text report of
	 * --output), when set; see pipeline.c. */
	FILE *err_copy;
	int applied;                          /* this run changed the store: a later failure is "applied, but" */
	/* While a fleet (--system-id pattern) runs the command once per
	 * system (src/fleet.c): the fleet, whose pipeline owns the output;
	 * NULL for a plain run. */
	struct fleet *fleet;
};

/* Value of the command option `flag` ("--limit"), or NULL when absent. */
const char *cli_get(const struct cli *c, const char *flag);
int cli_has(const struct cli *c, const char *flag);
/* Parse an integer option >= min; on error prints the usage error and
 * returns -1 (the caller returns PX_USAGE).  Absent: *out = dflt. */
int cli_get_i64(struct cli *c, const char *flag, int64_t min, int64_t dflt, int64_t *out);
int cli_get_double(struct cli *c, const char *flag, int *present, double *out);

enum cli_tone { TONE_OK, TONE_INFO, TONE_ERR };
/* One line of the reference's human output: "✔ msg" / "ok: msg" etc.
 * The formatted text is escaped (report_escape_text): control characters,
 * C1 controls, bidi overrides and invalid UTF-8 in a path or a detail can
 * neither break the line nor drive a terminal or a CI log. */
void cli_say(const struct cli *c, FILE *f, enum cli_tone t, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A usage error: "papyra <cmd>: <msg>" and the usage line on stderr; returns PX_USAGE. */
int cli_usage_error(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a core error on stderr and return its exit code. */
int cli_fail(struct cli *c, const perr *e);
/* Remember `msg` as the run's error (the first one wins) without printing. */
void cli_note_error(struct cli *c, int code, const char *msg);
/* cli_say of the bytes p[0..n) as they are (escaped), without formatting:
 * no copy of a long line. */
void cli_say_n(const struct cli *c, FILE *f, enum cli_tone t, const char *p, size_t n);
/* "papyra: warning: ..." / "papyra: hint: ..." on stderr, escaped. */
void cli_warn(const struct cli *c, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse argv (after the command words) into c->val / backend_flags /
 * config_flag.  Returns 0 (with *help set when --help was asked), or
 * PX_USAGE after printing what was wrong: an unknown option (with the
 * nearest known one suggested), a missing value, an option given twice.
 * --format and --output are picked up first, so that even a usage error
 * later on the line can be reported in the asked format. */
int cli_parse(struct cli *c, const struct cli_cmd *cmd, int argc, char **argv, int *help);
void cli_print_help(FILE *f, const struct cli_cmd *cmd);
/* Help text of backend option `k` (enum config_key), for --help and the
 * shell completions. */
const char *cli_backend_help(int k);
/* Its metavar: "FILE", "VALUE", or NULL for a switch (no value). */
const char *cli_backend_metavar(int k);

/* Open the configured backend; on failure reports and returns the exit code
 * (and *out is NULL).  Returns 0 on success. */
int cli_open_backend(struct cli *c, struct backend **out);

/* Command tables of each group (src/cmd_*.c), terminated by {NULL}. */
extern const struct cli_cmd cmd_persistence[];
extern const struct cli_cmd cmd_doctor[];
extern const struct cli_cmd cmd_inspect[];
extern const struct cli_cmd cmd_metrics[];
extern const struct cli_cmd cmd_console[];

#endif
