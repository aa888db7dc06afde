#include "cli.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "report.h"
#include "strbuf.h"

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

/* Print `text` escaped; printable ASCII (nearly every line) goes out as is. */
static void cli_put_escaped(FILE *f, const char *text, size_t n)
{
	size_t i = 0;
	while (i < n && (unsigned char)text[i] >= 0x20 && (unsigned char)text[i] < 0x7f)
		i++;
	if (i == n) {
		fwrite(text, 1, n, f);
		return;
	}
	struct strbuf b = { 0 };
	report_escape_text(&b, text, n);
	if (!b.oom)
		fwrite(b.p, 1, b.n, f);
	strbuf_free(&b);
}

static void cli_vsay(FILE *f, const char *lead, const char *fmt, va_list ap)
{
	char small[1024];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	fputs(lead, f);
	if (n >= 0 && (size_t)n < sizeof small) {
		cli_put_escaped(f, small, (size_t)n);
	} else if (n >= 0) {
		char *big = malloc((size_t)n + 1);
		if (big) {
			vsnprintf(big, (size_t)n + 1, fmt, ap2);
			cli_put_escaped(f, big, (size_t)n);
			free(big);
		} else {
			cli_put_escaped(f, small, sizeof small - 1);
		}
	}
	va_end(ap2);
	fputc('\n', f);
}

static const char *tone_lead(const struct cli *c, enum cli_tone t)
{
	static const char *const utf8[] = { "✔ ", "ℹ ", "✖ " };
	static const char *const ascii[] = { "ok: ", "info: ", "error: " };
	return (c && !c->utf8) ? ascii[t] : utf8[t];
}

void cli_say(const struct cli *c, FILE *f, enum cli_tone t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_vsay(f, tone_lead(c, t), fmt, ap);
	va_end(ap);
}

void cli_say_n(const struct cli *c, FILE *f, enum cli_tone t, const char *p, size_t n)
{
	fputs(tone_lead(c, t), f);
	cli_put_escaped(f, p, n);
	fputc('\n', f);
}

void cli_warn(const struct cli *c, const char *kind, const char *fmt, ...)
{
	char lead[64];
	(void)c;
	snprintf(lead, sizeof lead, "papyra: %s: ", kind);
	va_list ap;
	va_start(ap, fmt);
	cli_vsay(stderr, lead, fmt, ap);
	va_end(ap);
}

static void cli_say_raw(FILE *f, const char *lead, const char *msg)
{
	fputs(lead, f);
	cli_put_escaped(f, msg, strlen(msg));
	fputc('\n', f);
}

void cli_note_error(struct cli *c, int code, const char *msg)
{
	if (c->err[0])
		return;
	snprintf(c->err, sizeof c->err, "%s", msg);
	c->err_code = code;
}

static void print_usage_line(FILE *f, const struct cli_cmd *cmd)
{
	fprintf(f, "usage: papyra %s [options]   (papyra %s --help)\n", cmd->name, cmd->name);
}

int cli_usage_error(struct cli *c, const char *fmt, ...)
{
	char msg[PERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char lead[128];
	snprintf(lead, sizeof lead, "papyra %s: ", c->cmd->name);
	cli_say_raw(stderr, lead, msg);
	if (c->err_copy)
		cli_say_raw(c->err_copy, lead, msg);
	print_usage_line(stderr, c->cmd);
	cli_note_error(c, PX_USAGE, msg);
	return PX_USAGE;
}

int cli_fail(struct cli *c, const perr *e)
{
	cli_say(c, stderr, TONE_ERR, "%s", e->msg);
	if (c->err_copy)
		cli_say(c, c->err_copy, TONE_ERR, "%s", e->msg);
	int code = e->code ? e->code : PX_IOERR;
	cli_note_error(c, code, e->msg);
	return code;
}

int cli_open_backend(struct cli *c, struct backend **out)
{
	perr e = { 0 };
	if (!backend_config_traits(&c->cfg)->has_files && c->cfg.redis_tls_insecure)
		cli_warn(c, "warning", "--redis-tls-insecure: the Redis server's TLS certificate is NOT verified; "
			 "anyone on the network path can pose as the server and read or change the data");
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
	[CK_REDIS_TLS_CA] = "rediss: PEM file of the CAs that sign the server's certificate (default: the system's)",
	[CK_REDIS_TLS_CERT] = "rediss: PEM client certificate, for servers that ask for one",
	[CK_REDIS_TLS_KEY] = "rediss: PEM private key of the client certificate (default: in the cert file)",
	[CK_REDIS_TLS_INSECURE] = "rediss: do not verify the server's certificate (said on stderr every run)",
	[CK_SENTINEL_PASSWORD] = "redis-sentinel: the sentinels' password (the URL's is the master's)",
	[CK_ACK_DELETED] = "redis recovery: XACK deleted entries in the consumer groups they are pending in",
};

const char *cli_backend_metavar(int k)
{
	if (config_key_is_switch((enum config_key)k))
		return NULL;
	return k == CK_REDIS_TLS_CA || k == CK_REDIS_TLS_CERT || k == CK_REDIS_TLS_KEY ? "FILE" : "VALUE";
}

const char *cli_backend_help(int k)
{
	return k >= 0 && k < CK__COUNT ? backend_help[k] : NULL;
}

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
		const char *mv = cli_backend_metavar(k);
		snprintf(left, sizeof left, "%s%s%s", config_key_flag((enum config_key)k), mv ? " " : "",
			 mv ? mv : "");
		fprintf(f, "  %-28s %s\n", left, backend_help[k]);
	}
	fprintf(f, "  %-28s %s\n", "--config FILE", "JSON config file (default $PAPYRA_CONFIG, ./papyra.json)");
	fprintf(f, "  %-28s %s\n", "--help", "show this help");
}

/* Edit distance between two short option names, for "did you mean". */
static size_t cli_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return (size_t)-1;
	size_t prev[64], cur[64];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof *prev);
	}
	return prev[lb];
}

/* The known option nearest to `name`, or NULL when none is close. */
static const char *cli_nearest(const struct cli_cmd *cmd, const char *name)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1;
	size_t n = strlen(name);
	/* a third of the name, at least 2 edits: "--fromat", "--requre-data" */
	size_t limit = n / 3 > 2 ? n / 3 : 2;
	for (int i = 0; cmd->opts[i].flag; i++) {
		size_t d = cli_distance(name, cmd->opts[i].flag);
		if (d < bestd)
			bestd = d, best = cmd->opts[i].flag;
	}
	for (int k = 0; k < CK__COUNT; k++) {
		const char *f = config_key_flag((enum config_key)k);
		size_t d = cli_distance(name, f);
		if (d < bestd)
			bestd = d, best = f;
	}
	static const char *const extra[] = { "--config", "--help" };
	for (size_t i = 0; i < sizeof extra / sizeof *extra; i++) {
		size_t d = cli_distance(name, extra[i]);
		if (d < bestd)
			bestd = d, best = extra[i];
	}
	return bestd <= limit ? best : NULL;
}

/* Split "--name[=value]" into name (in buf) and the inline value. */
static int cli_split(const char *arg, char *name, size_t cap, const char **inline_val)
{
	const char *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
	if (nlen >= cap)
		return -1;
	memcpy(name, arg, nlen);
	name[nlen] = '\0';
	*inline_val = eq ? eq + 1 : NULL;
	return 0;
}

/* Whether option `name` of `cmd` takes a value (backend options and
 * --config do); -1 when it is unknown. */
static int cli_takes_value(const struct cli_cmd *cmd, const char *name, int *oi)
{
	*oi = -1;
	for (int i = 0; cmd->opts[i].flag; i++)
		if (strcmp(cmd->opts[i].flag, name) == 0) {
			*oi = i;
			return cmd->opts[i].metavar != NULL;
		}
	int k = config_key_from_flag(name);
	if (k >= 0)
		return !config_key_is_switch((enum config_key)k);
	if (strcmp(name, "--config") == 0)
		return 1;
	return -1;
}

/* Pick up --format and --output before the real parse, so an error on
 * the line still finds the report's format and destination. */
static void cli_prescan(struct cli *c, const struct cli_cmd *cmd, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		char name[64];
		const char *inline_val;
		int oi;
		if (strncmp(argv[i], "--", 2) != 0 || cli_split(argv[i], name, sizeof name, &inline_val) < 0)
			continue;
		int tv = cli_takes_value(cmd, name, &oi);
		if (tv != 1)
			continue;
		const char *val = inline_val ? inline_val : i + 1 < argc ? argv[++i] : NULL;
		if (oi >= 0 && val && !c->val[oi] &&
		    (strcmp(name, "--format") == 0 || strcmp(name, "--output") == 0))
			c->val[oi] = val;
	}
}

int cli_parse(struct cli *c, const struct cli_cmd *cmd, int argc, char **argv, int *help)
{
	c->cmd = cmd;
	*help = 0;
	unsigned char seen[CLI_MAX_OPTS] = { 0 }, seen_bk[CK__COUNT] = { 0 }, seen_config = 0;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			*help = 1;
			return 0;
		}
	cli_prescan(c, cmd, argc, argv);
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
			return cli_usage_error(c, "unexpected argument '%s'", arg);
		char name[64];
		const char *inline_val;
		if (cli_split(arg, name, sizeof name, &inline_val) < 0)
			return cli_usage_error(c, "unknown option '%.40s...'", arg);

		int oi;
		int tv = cli_takes_value(cmd, name, &oi);
		int bk = oi < 0 ? config_key_from_flag(name) : -1;
		int is_config = oi < 0 && bk < 0 && strcmp(name, "--config") == 0;
		if (tv < 0) {
			const char *near = cli_nearest(cmd, name);
			if (near)
				return cli_usage_error(c, "unknown option '%s' (did you mean '%s'?)", name, near);
			return cli_usage_error(c, "unknown option '%s'", name);
		}
		unsigned char *mark = oi >= 0 ? &seen[oi] : bk >= 0 ? &seen_bk[bk] : &seen_config;
		/* the console merges several stores: --path may come again there, nowhere else */
		int again = bk == CK_PATH && strcmp(cmd->name, "console") == 0;
		if (*mark && !again)
			return cli_usage_error(c, "option '%s' given twice", name);
		*mark = 1;
		const char *val;
		if (!tv) {
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
		else if (bk >= 0 && !c->backend_flags[bk])
			c->backend_flags[bk] = val;
		if (again && c->n_paths == CLI_MAX_PATHS)
			return cli_usage_error(c, "at most %d --path options (stores to merge)", CLI_MAX_PATHS);
		if (again)
			c->paths[c->n_paths++] = val;
		else if (is_config)
			c->config_flag = val;
	}
	return 0;
}
