/* The interactive console over a fleet (--system-id a pattern, issue 10
 * item 4): every matching system scanned for the Systems view (again on r), and
 * each system's backend and configuration opened when the console asks
 * (ui/view_systems.c). */
#ifndef PAPYRA_CONSOLE_SYSTEMS_H
#define PAPYRA_CONSOLE_SYSTEMS_H

#include "cli.h"
#include "console.h"

struct console_fleet {
	struct config *cfgs;          /* per system: c->cfg with its id (and default quarantine prefix) */
	struct console_system *sys;
	char **qown;                  /* per system: its quarantine prefix when made here, else NULL */
	size_t n;
	struct backend *open;         /* the open system's backend */
	size_t open_i;
};

/* List the systems c->cfg's pattern matches (not scanned yet: the
 * console scans them, showing its progress); open the first.
 * Returns 0 (f->n 0: none matches, run as a plain id), or -1 (e). */
int console_fleet_open(const struct cli *c, struct console_fleet *f, perr *e);
/* console_opts.open_system: open system i, close the one open before. */
int console_fleet_system(void *ctx, size_t i, struct backend **b, const struct config **cfg, perr *e);
/* console_opts.refresh_system: system i scanned again, in slices. */
int console_fleet_refresh(void *ctx, size_t i, console_stop_fn stop, void *stop_ctx);
void console_fleet_free(struct console_fleet *f);

#endif
