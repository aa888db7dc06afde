/* `papyra console` over several stores (--path given again): each source
 * configured as if it were given alone (the same backend and options, its
 * own path), opened for the merged console, or gated one after another by
 * console --batch (exit code: the worst). */
#ifndef PAPYRA_CONSOLE_MERGE_H
#define PAPYRA_CONSOLE_MERGE_H

#include "cli.h"

struct sources {
	struct config cfg[CLI_MAX_PATHS];
	struct backend *b[CLI_MAX_PATHS];
	int n, n_cfg;
};

/* Configure and open every --path of c; returns 0, or the exit code
 * (reported) with nothing left open. */
int sources_open(struct cli *c, struct sources *s);
void sources_close(struct sources *s);
/* console --batch over every source: each one's triage summary under a
 * heading, then a line of the codes; returns the worst exit code. */
int console_merge_batch(struct cli *c);

#endif
