/* The inspect group (inspect events | audits | dead-letters | summary, in
 * cmd_inspect[]) and `persistence inspect`, which the persistence group's
 * table points at.  Both read through the backend's scan sink, so they
 * work on damaged data and hold no copy of it (SPEC §6, §11). */
#ifndef PAPYRA_CMD_INSPECT_H
#define PAPYRA_CMD_INSPECT_H

#include "cli.h"

/* `persistence inspect [--limit N] [--show-metrics]`: backend class,
 * retention policy, per-kind record counts capped at N (default 1000), and
 * optionally this process's metrics.  Returns the exit code. */
int cmd_persistence_inspect(struct cli *c);

#endif
