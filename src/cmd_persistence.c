/* persistence scan | recover | startup-check | compact | inspect (SPEC §6). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_inspect.h"
#include "fsmeta.h"
#include "gate.h"
#include "pipeline.h"

static int scan_run(struct cli *c)
{
	struct pipeline p;
	int rc = pipeline_begin(&p, c);
	if (rc == 0)
		rc = pipeline_open(&p);
	if (rc == 0)
		rc = pipeline_scan(&p, 0);
	if (rc)
		return pipeline_end(&p, rc);
	pipeline_print_checked(&p);
	if (p.scan.n_an == 0) {
		cli_say(c, p.txt, TONE_OK, "Persistence is healthy.");
		return pipeline_end(&p, 0);
	}
	cli_say(c, p.txt, TONE_ERR, "Found %zu persistence anomalies:", p.scan.n_an);
	pipeline_print_anomalies(&p, &p.scan, TONE_ERR);
	return pipeline_end(&p, 2);
}

static int recover_run(struct cli *c)
{
	struct pipeline p;
	int rc = pipeline_begin(&p, c);
	if (rc)
		return pipeline_end(&p, rc);
	enum recovery_mode m = RM_REPAIR;
	const char *ms = cli_get(c, "--mode");
	if (ms && recovery_mode_parse(ms, &m) < 0)
		return pipeline_end(&p, cli_usage_error(c, "--mode: invalid recovery mode '%s' "
							   "(repair, quarantine, ignore)", ms));
	const char *qdir = cli_get(c, "--quarantine-dir");
	p.mode = recovery_mode_name(m);
	p.recovery_mode = p.mode;
	if (pipeline_check_quarantine(&p, m, qdir))
		return pipeline_end(&p, PX_USAGE);
	rc = pipeline_open(&p);
	if (rc == 0)
		rc = pipeline_scan(&p, 0);
	if (rc == 0)
		pipeline_print_checked(&p);
	if (rc == 0)
		rc = pipeline_recover(&p, m, qdir, p.journal);
	if (rc)
		return pipeline_end(&p, rc);
	cli_say(c, p.txt, TONE_INFO, "Recovery completed");
	pipeline_print_applied(&p);
	if (p.verify.n_an == 0) {
		cli_say(c, p.txt, TONE_OK, "Verification scan: persistence is healthy");
		return pipeline_end(&p, 0);
	}
	cli_say(c, p.txt, TONE_ERR, "Recovery attempted but anomalies still exist");
	pipeline_print_anomalies(&p, &p.verify, TONE_ERR);
	return pipeline_end(&p, 3);
}

static int startup_run(struct cli *c)
{
	return gate_run(c, GATE_SCAN_ONLY);
}

static int compact_run(struct cli *c)
{
	struct pipeline p;
	struct retention ret = c->cfg.retention;
	ret.approx_trim = cli_has(c, "--approx-trim");
	int rc = pipeline_begin(&p, c);
	if (rc == 0 && ret.approx_trim && !backend_config_traits(&c->cfg)->retain_per_unit)
		rc = cli_usage_error(c, "--approx-trim: only the redis backend trims approximately "
				     "(files are rewritten exactly)");
	if (rc == 0)
		rc = pipeline_open(&p);
	if (rc == 0)
		rc = pipeline_scan(&p, 0);
	if (rc)
		return pipeline_end(&p, rc);
	if (p.scan.n_an && !cli_has(c, "--force")) {
		cli_say(c, p.txt, TONE_ERR,
			"Compaction refused: %zu persistence anomalies present (run recovery first, or --force)",
			p.scan.n_an);
		pipeline_print_anomalies(&p, &p.scan, TONE_ERR);
		return pipeline_end(&p, 2);
	}
	struct compact_result res;
	perr e = { 0 };
	memset(&res, 0, sizeof res);
	int crc = fsmeta_check_report_links(&p.scan, cli_has(c, "--force"), &e);
	if (crc == 0) {
		crc = p.b->ops->compact(p.b, &ret, &res, &e);
		c->applied |= res.applied;
	}
	if (crc < 0)
		return pipeline_end(&p, cli_fail(c, &e));
	rc = pipeline_scan(&p, 1);
	if (rc)
		return pipeline_end(&p, rc);
	cli_say(c, p.txt, TONE_INFO, "Compaction completed");
	cli_say(c, p.txt, TONE_INFO, "  backend: %s", res.backend ? res.backend : backend_name(p.b));
	cli_say(c, p.txt, TONE_INFO, "  before_records: %lld", (long long)res.before_records);
	cli_say(c, p.txt, TONE_INFO, "  after_records: %lld", (long long)res.after_records);
	if (res.bytes_known) {
		cli_say(c, p.txt, TONE_INFO, "  before_bytes: %lld", (long long)res.before_bytes);
		cli_say(c, p.txt, TONE_INFO, "  after_bytes: %lld", (long long)res.after_bytes);
	} else {
		cli_say(c, p.txt, TONE_INFO, "  before_bytes: None");
		cli_say(c, p.txt, TONE_INFO, "  after_bytes: None");
	}
	if (res.note)
		cli_say(c, p.txt, TONE_INFO, "%s", res.note);
	pipeline_print_live(c, p.txt, res.lines_caught_up, res.lease_note);
	if (p.verify.n_an) {
		cli_say(c, p.txt, TONE_ERR, "Anomalies are still present after compaction (--force)");
		pipeline_print_anomalies(&p, &p.verify, TONE_ERR);
		return pipeline_end(&p, 2);
	}
	return pipeline_end(&p, 0);
}

static const struct cli_opt scan_opts[] = { PIPELINE_OPTS, PIPELINE_REQUIRE_DATA_OPT, { NULL, NULL, NULL } };

static const struct cli_opt recover_opts[] = {
	{ "--mode", "MODE", "repair (default) | quarantine | ignore" },
	{ "--quarantine-dir", "DIR", "where quarantine mode preserves originals (required for files)" },
	{ "--journal", "FILE", "append one JSON line per applied action set to FILE" },
	{ "--force", NULL, "rewrite a data file even if it has several hard links (the other names keep the old content)" },
	PIPELINE_OPTS,
	{ NULL, NULL, NULL },
};

static const struct cli_opt startup_opts[] = {
	GATE_OPTS_SCAN_ONLY,
	{ "--journal", "FILE", "append one JSON line per applied action set to FILE" },
	PIPELINE_OPTS,
	PIPELINE_REQUIRE_DATA_OPT,
	{ NULL, NULL, NULL },
};

static const struct cli_opt compact_opts[] = {
	{ "--force", NULL, "compact even though the scanner reports anomalies (they are kept as they are) "
			   "or a data file has several hard links" },
	{ "--approx-trim", NULL, "redis: XTRIM ~ with LIMIT 10000, repeated (whole macro nodes: a few more "
				 "records than asked may stay; no long server stall)" },
	{ NULL, NULL, NULL },
};

static const struct cli_opt pinspect_opts[] = {
	{ "--limit", "N", "sample at most N records per kind (default 1000)" },
	{ "--show-metrics", NULL, "also print this process's persistence metrics" },
	{ NULL, NULL, NULL },
};

const struct cli_cmd cmd_persistence[] = {
	{ "persistence scan", "Scan persistence for anomalies (read-only). Exit 0 clean, 2 anomalies.",
	  scan_opts, scan_run },
	{ "persistence recover", "Repair or quarantine damaged data, then verify. Exit 0 clean, 3 anomalies remain.",
	  recover_opts, recover_run },
	{ "persistence startup-check", "The application's startup gate. Exit 0 ok, 1 anomalies, 2 recovery left anomalies.",
	  startup_opts, startup_run },
	{ "persistence compact", "Apply the retention policy physically. Refuses while anomalies exist (exit 2).",
	  compact_opts, compact_run },
	{ "persistence inspect", "Backend, retention and sampled record counts.", pinspect_opts,
	  cmd_persistence_inspect },
	{ NULL, NULL, NULL, NULL },
};
