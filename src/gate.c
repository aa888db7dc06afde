#include "gate.h"

#include <string.h>
#include <strings.h>

#include "pipeline.h"
#include "triage.h"

enum gate_mode { GM_FAIL, GM_IGNORE, GM_RECOVER };

int gate_run(struct cli *c, unsigned flags)
{
	int allow_scan_only = flags & GATE_SCAN_ONLY, batch = flags & GATE_BATCH;
	struct pipeline p;
	int rc = pipeline_begin(&p, c);
	if (rc)
		return pipeline_end(&p, rc);
	const char *ms = cli_get(c, "--mode");
	enum gate_mode gm = GM_FAIL;
	if (!ms || strcasecmp(ms, "fail_on_anomaly") == 0)
		gm = GM_FAIL;
	else if (strcasecmp(ms, "ignore") == 0 || (allow_scan_only && strcasecmp(ms, "scan_only") == 0))
		gm = GM_IGNORE;
	else if (strcasecmp(ms, "recover") == 0)
		gm = GM_RECOVER;
	else
		return pipeline_end(&p, cli_usage_error(c, "--mode: invalid mode '%s' (%s)", ms,
						       allow_scan_only ? "ignore, scan_only, fail_on_anomaly, recover"
								       : "ignore, fail_on_anomaly, recover"));
	p.mode = gm == GM_FAIL ? "fail_on_anomaly" : gm == GM_IGNORE ? "ignore" : "recover";
	enum recovery_mode rm = RM_REPAIR;
	const char *rs = cli_get(c, "--recovery-mode");
	if (rs && (recovery_mode_parse(rs, &rm) < 0 || rm == RM_IGNORE))
		return pipeline_end(&p, cli_usage_error(c, "--recovery-mode: invalid recovery mode '%s' "
							   "(repair, quarantine)", rs));
	/* the mode recovery would use, said even when nothing needed it */
	p.recovery_mode = recovery_mode_name(rm);
	const char *qdir = cli_get(c, "--quarantine-dir");
	if (gm == GM_RECOVER && pipeline_check_quarantine(&p, rm, qdir))
		return pipeline_end(&p, PX_USAGE);

	struct triage t;
	struct scan_sink sink;
	if (batch) {
		triage_sink(&t, &sink);
		p.sink = &sink;
	}
	rc = pipeline_open(&p);
	if (rc == 0)
		rc = pipeline_scan(&p, 0);
	if (rc)
		return pipeline_end(&p, rc);
	if (batch) {
		triage_print(&p, &t);
		triage_print_handoff(&p);
		p.sink = NULL;
		p.quiet_list = 1; /* the triage listed them */
		if (p.missing && !p.require_data)
			cli_say(c, p.txt, TONE_INFO, "%s", p.missing);
		pipeline_print_groups(&p, &p.scan);
	} else {
		pipeline_print_checked(&p);
	}
	if (p.scan.n_an == 0) {
		/* the reference's tones: info for these two, error for the rest */
		cli_say(c, p.txt, TONE_INFO, "Persistence is healthy");
		return pipeline_end(&p, 0);
	}
	switch (gm) {
	case GM_FAIL:
		cli_say(c, p.txt, TONE_ERR, "Persistence anomalies detected");
		pipeline_print_anomalies(&p, &p.scan, TONE_ERR);
		return pipeline_end(&p, 1);
	case GM_IGNORE:
		cli_say(c, p.txt, TONE_ERR, "Persistence anomalies detected (ignored)");
		pipeline_print_anomalies(&p, &p.scan, TONE_ERR);
		return pipeline_end(&p, 0);
	case GM_RECOVER:
		break;
	}
	cli_say(c, p.txt, TONE_INFO, "Persistence anomalies detected");
	pipeline_print_anomalies(&p, &p.scan, TONE_INFO);
	if (batch && !cli_has(c, "--yes")) {
		perr e = { 0 };
		if (p.b->ops->plan(p.b, &p.scan, rm, qdir, &p.plan, &e) < 0)
			return pipeline_end(&p, cli_fail(c, &e));
		p.planned = 1;
		p.plan_only = 1;
		cli_say(c, p.txt, TONE_INFO, "Plan (%s), not applied: add --yes to apply it", recovery_mode_name(rm));
		pipeline_print_plan(&p);
		return pipeline_end(&p, 1);
	}
	rc = pipeline_recover(&p, rm, qdir, p.journal);
	if (rc)
		return pipeline_end(&p, rc);
	cli_say(c, p.txt, TONE_INFO, "Recovery completed");
	pipeline_print_applied(&p);
	if (p.verify.n_an == 0) {
		cli_say(c, p.txt, TONE_INFO, "Recovery successful");
		return pipeline_end(&p, 0);
	}
	cli_say(c, p.txt, TONE_ERR, "Recovery attempted but anomalies still exist");
	pipeline_print_anomalies(&p, &p.verify, TONE_ERR);
	return pipeline_end(&p, 2);
}
