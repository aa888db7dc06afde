/* doctor run: the pre-deployment gate (SPEC §6). */
#include "cli.h"
#include "gate.h"
#include "pipeline.h"

static int doctor_run(struct cli *c)
{
	return gate_run(c, 0);
}

static const struct cli_opt doctor_opts[] = {
	GATE_OPTS,
	{ "--journal", "FILE", "append one JSON line per applied action set to FILE" },
	PIPELINE_OPTS,
	PIPELINE_REQUIRE_DATA_OPT,
	{ NULL, NULL, NULL },
};

const struct cli_cmd cmd_doctor[] = {
	{ "doctor run", "Check persistence health; optionally recover. Exit 0 healthy, 1 anomalies, 2 recovery left anomalies.",
	  doctor_opts, doctor_run },
	{ NULL, NULL, NULL, NULL },
};
