/* metrics persistence | reset (SPEC §6).
 *
 * The reference prints counters its CLI never feeds, so they are always
 * zero (SPEC §10).  Ours are this process's own (core/metrics.h): `metrics
 * persistence` first scans the configured backend, then prints what that
 * work counted (scans, anomalies_detected, scan_errors), in the reference's
 * layout: a "Persistence Metrics" table, or with --json the same keys as
 * one JSON object indented by two spaces (Python's json.dumps(indent=2)). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "metrics.h"

/* Box-drawing pieces of the reference's table (rich's HEAVY_HEAD box), and
 * the plain ASCII box rich falls back to when the terminal is not UTF-8.
 * Per row: left edge, line, column divider, right edge. */
struct mx_box {
	const char *top[4], *head[4], *rule[4], *row[4], *bottom[4];
};

static const struct mx_box mx_heavy_head = {
	{ "┏", "━", "┳", "┓" }, { "┃", " ", "┃", "┃" }, { "┡", "━", "╇", "┩" },
	{ "│", " ", "│", "│" }, { "└", "─", "┴", "┘" },
};

static const struct mx_box mx_ascii = {
	{ "+", "-", "-", "+" }, { "|", " ", "|", "|" }, { "|", "-", "+", "|" },
	{ "|", " ", "|", "|" }, { "+", "-", "-", "+" },
};

/* Longest number a counter can print, and a little more. */
#define MX_VALUE_MAX 24

static void mx_repeat(FILE *f, const char *s, size_t n)
{
	while (n--)
		fputs(s, f);
}

static void mx_rule(FILE *f, const char *const p[4], size_t w1, size_t w2)
{
	fputs(p[0], f);
	mx_repeat(f, p[1], w1 + 2);
	fputs(p[2], f);
	mx_repeat(f, p[1], w2 + 2);
	fputs(p[3], f);
	fputc('\n', f);
}

static void mx_cells(FILE *f, const char *const p[4], const char *a, size_t w1, const char *b,
		     size_t w2)
{
	fprintf(f, "%s %-*s %s %-*s %s\n", p[0], (int)w1, a, p[2], (int)w2, b, p[3]);
}

static void mx_table(const struct cli *c, FILE *f, const struct papyra_metrics *m)
{
	const struct mx_box *box = c->utf8 ? &mx_heavy_head : &mx_ascii;
	char vals[MK__COUNT][MX_VALUE_MAX];
	size_t w1 = strlen("Key"), w2 = strlen("Value");
	for (int k = 0; k < MK__COUNT; k++) {
		size_t n = strlen(metrics_key_name((enum metrics_key)k));
		w1 = n > w1 ? n : w1;
		snprintf(vals[k], sizeof vals[k], "%lld",
			 (long long)metrics_value(m, (enum metrics_key)k));
		n = strlen(vals[k]);
		w2 = n > w2 ? n : w2;
	}
	/* the title is centred over the table, as rich does */
	static const char title[] = "Persistence Metrics";
	size_t width = w1 + w2 + 7, tn = strlen(title);
	fprintf(f, "%*s%s\n", (int)(width > tn ? (width - tn) / 2 : 0), "", title);
	mx_rule(f, box->top, w1, w2);
	mx_cells(f, box->head, "Key", w1, "Value", w2);
	mx_rule(f, box->rule, w1, w2);
	for (int k = 0; k < MK__COUNT; k++)
		mx_cells(f, box->row, metrics_key_name((enum metrics_key)k), w1, vals[k], w2);
	mx_rule(f, box->bottom, w1, w2);
}

static void mx_json(FILE *f, const struct papyra_metrics *m)
{
	fputs("{\n", f);
	for (int k = 0; k < MK__COUNT; k++)
		fprintf(f, "  \"%s\": %lld%s\n", metrics_key_name((enum metrics_key)k),
			(long long)metrics_value(m, (enum metrics_key)k), k + 1 < MK__COUNT ? "," : "");
	fputs("}\n", f);
}

static int persistence_run(struct cli *c)
{
	struct backend *b = NULL;
	int rc = cli_open_backend(c, &b);
	if (rc)
		return rc;
	struct scan_opts o = { 0 };
	o.sample_size = c->cfg.scan_sample_size;
	struct scan_report rep;
	perr e = { 0 };
	scan_report_init(&rep);
	/* the scan is the work being measured; its findings are `persistence
	 * scan`'s to report, here they only count */
	int failed = b->ops->scan(b, &o, NULL, &rep, &e) < 0;
	scan_report_free(&rep);
	backend_close(b);

	const struct papyra_metrics *m = metrics_get();
	if (cli_has(c, "--json"))
		mx_json(stdout, m);
	else
		mx_table(c, stdout, m);
	return failed ? cli_fail(c, &e) : 0;
}

static int reset_run(struct cli *c)
{
	metrics_reset();
	/* --json: the counters as they now stand, for a pipeline to confirm */
	if (cli_has(c, "--json"))
		mx_json(stdout, metrics_get());
	else
		cli_say(c, stdout, TONE_INFO, "Metrics reset");
	return 0;
}

static const struct cli_opt persistence_opts[] = {
	{ "--json", NULL, "print the counters as one JSON object" },
	{ NULL, NULL, NULL },
};

static const struct cli_opt reset_opts[] = {
	{ "--json", NULL, "print the counters after the reset as one JSON object" },
	{ NULL, NULL, NULL },
};

const struct cli_cmd cmd_metrics[] = {
	{ "metrics persistence",
	  "Scan the backend and print this process's persistence counters (scans, anomalies, errors).",
	  persistence_opts, persistence_run },
	{ "metrics reset",
	  "Reset the persistence counters (they are per process, so a new run starts at zero anyway).",
	  reset_opts, reset_run },
	{ NULL, NULL, NULL, NULL },
};
