/* console --batch --follow (console_follow.c). */
#ifndef PAPYRA_CONSOLE_FOLLOW_H
#define PAPYRA_CONSOLE_FOLLOW_H

#include "cli.h"

/* The triage summary, then one line per new anomaly until SIGINT/SIGTERM
 * or --duration; returns the gate's exit code for the store then. */
int console_batch_follow(struct cli *c);

#endif
