#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

static int opt_index(const struct cli *c, const char *flag)
{
	for (int i = 0; c->cmd->opts[i].flag; i++)
		if (strcmp(c->cmd->opts[i].flag, flag) == 0)
			return i;
	return -1;
}

const char *cli_get(const struct cli *c, const char *flag)
{
	int i = opt_index(c, flag);
	return i < 0 ? NULL : c->val[i];
}

int cli_has(const struct cli *c, const char *flag)
{
	return cli_get(c, flag) != NULL;
}

int cli_get_i64(struct cli *c, const char *flag, int64_t min, int64_t dflt, int64_t *out)
{
	const char *v = cli_get(c, flag);
	if (!v) {
		*out = dflt;
		return 0;
	}
	enum numparse_status st = numparse_i64(v, min, INT64_MAX, out);
	if (st != NP_OK) {
		cli_usage_error(c, "%s: '%s' %s (a decimal whole number >= %lld)", flag, v,
				numparse_reason(st), (long long)min);
		return -1;
	}
	return 0;
}

int cli_get_double(struct cli *c, const char *flag, int *present, double *out)
{
	const char *v = cli_get(c, flag);
	*present = v != NULL;
	enum numparse_status st = v ? numparse_double(v, -HUGE_VAL, HUGE_VAL, out) : NP_OK;
	if (st != NP_OK) {
		cli_usage_error(c, "%s: '%s' %s (a decimal number)", flag, v, numparse_reason(st));
		return -1;
	}
	return 0;
}

void cli_say(const struct cli *c, FILE *f, enum cli_tone t, const char *fmt, ...)
{
	static const char *const utf8[] = { "✔ ", "ℹ ", "✖ " };
	static const char *const ascii[] = { "ok: ", "info: ", "error: " };
	fputs((c && !c->utf8) ? ascii[t] : utf8[t], f);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static void print_usage_line(FILE *f, const struct cli_cmd *cmd)
{
	fprintf(f, "usage: papyra %s [options]   (papyra %s --help)\n", cmd->name, cmd->name);
}

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "papyra %s: ", c->cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage_line(stderr, c->cmd);
	return PX_USAGE;
}

int cli_fail(const struct cli *c, const perr *e)
{
	cli_say(c, stderr, TONE_ERR, "%s", e->msg);
	return e->code ? e->code : PX_IOERR;
}

int cli_open_backend(struct cli *c, struct backend **out)
{
	perr e = { 0 };
	if (backend_open(&c->cfg, out, &e) < 0)
		return cli_fail(c, &e);
	return 0;
}

static const char *const backend_help[CK__COUNT] = {
	[CK_BACKEND] = "json | rotating | redis",
	[CK_PATH] = "NDJSON file (selects the json backend unless --backend is given)",
	[CK_MAX_FILES] = "rotating: files in the set (default 5)",
	[CK_MAX_BYTES] = "rotating: bytes per file (default 50000000)",
	[CK_REDIS_URL] = "redis: server URL",
	[CK_PREFIX] = "redis: key prefix (default papyra)",
	[CK_SYSTEM_ID] = "redis: system id (default local)",
	[CK_SCAN_SAMPLE_SIZE] = "redis: scan only the newest N entries per stream",
	[CK_MAX_READ] = "redis: read at most N entries per stream in listings",
	[CK_QUARANTINE_PREFIX] = "redis: quarantine stream prefix",
	[CK_MAX_RECORDS] = "retention: keep the newest N records",
	[CK_MAX_AGE_SECONDS] = "retention: drop records older than S seconds",
	[CK_MAX_TOTAL_BYTES] = "retention: keep the newest records that fit in N bytes",
	[CK_REDIS_TIMEOUT] = "redis: give up on a command or on connecting after S seconds (default 30)",
};

void cli_print_help(FILE *f, const struct cli_cmd *cmd)
{
	fprintf(f, "usage: papyra %s [options]\n\n%s\n\noptions:\n", cmd->name, cmd->summary);
	for (int i = 0; cmd->opts[i].flag; i++) {
		char left[64];
		snprintf(left, sizeof left, "%s%s%s", cmd->opts[i].flag, cmd->opts[i].metavar ? " " : "",
			 cmd->opts[i].metavar ? cmd->opts[i].metavar : "");
		fprintf(f, "  %-28s %s\n", left, cmd->opts[i].help);
	}
	fputs("\nbackend options (also from PAPYRA_* environment variables or a config file):\n", f);
	for (int k = 0; k < CK__COUNT; k++) {
		char left[64];
		snprintf(left, sizeof left, "%s VALUE", config_key_flag((enum config_key)k));
		fprintf(f, "  %-28s %s\n", left, backend_help[k]);
	}
	fprintf(f, "  %-28s %s\n", "--config FILE", "JSON config file (default $PAPYRA_CONFIG, ./papyra.json)");
	fprintf(f, "  %-28s %s\n", "--help", "show this help");
}

int cli_parse(struct cli *c, const struct cli_cmd *cmd, int argc, char **argv, int *help)
{
	c->cmd = cmd;
	*help = 0;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			*help = 1;
			return 0;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
			return cli_usage_error(c, "unexpected argument '%s'", arg);
		char name[64];
		const char *eq = strchr(arg, '=');
		size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
		if (nlen >= sizeof name)
			return cli_usage_error(c, "unknown option '%.40s...'", arg);
		memcpy(name, arg, nlen);
		name[nlen] = '\0';
		const char *inline_val = eq ? eq + 1 : NULL;

		int oi = opt_index(c, name);
		int bk = oi < 0 ? config_key_from_flag(name) : -1;
		int is_config = oi < 0 && bk < 0 && strcmp(name, "--config") == 0;
		if (oi < 0 && bk < 0 && !is_config)
			return cli_usage_error(c, "unknown option '%s'", name);
		int boolean = oi >= 0 && !cmd->opts[oi].metavar;
		const char *val;
		if (boolean) {
			if (inline_val)
				return cli_usage_error(c, "option '%s' takes no value", name);
			val = "1";
		} else if (inline_val) {
			val = inline_val;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return cli_usage_error(c, "option '%s' needs a value", name);
		}
		if (oi >= 0)
			c->val[oi] = val;
		else if (bk >= 0)
			c->backend_flags[bk] = val;
		else
			c->config_flag = val;
	}
	return 0;
}
