/* `papyra console`: the incident console (SPEC §7).
 *
 * The entry point src/cmd_console.c calls once the configuration is
 * resolved and the backend checked.  It owns the terminal until it
 * returns.  Browsing never changes the store; only the recovery (R) and
 * compaction (c) walks do, each after a preview and a confirmation. */
#ifndef PAPYRA_UI_CONSOLE_H
#define PAPYRA_UI_CONSOLE_H

#include <stdio.h>

#include "backend.h"
#include "common.h"
#include "config.h"

/* One system of a fleet (--system-id a pattern: issue 10), as the last
 * whole scan of it found it (when the console started, or at an r in the
 * Systems view). */
struct console_system {
	char *id;
	int64_t streams, entries, anomalies, pending; /* streams there; pending in consumer groups */
	char *error;                                  /* it could not be scanned: why; else NULL */
	int scanned;                                  /* 0: never scanned yet (no figures) */
};

/* console_opts.refresh_system's look between two slices of a scan: done
 * and total say how far it is (entries, bytes; total 0: unknown).
 * Nonzero stops the scan. */
typedef int (*console_stop_fn)(void *ctx, int64_t done, int64_t total);

/* What the command line gives the console beyond the configuration. */
struct console_opts {
	struct backend *backend;    /* borrowed: scan, plan, apply and compact go through it */
	const char *quarantine_dir; /* --quarantine-dir: offered first; NULL offers <data dir>/quarantine
				       (Redis quarantines into streams: no directory) */
	enum recovery_mode mode;    /* --recovery-mode: the mode focused first (repair or quarantine) */
	const char *journal;        /* --journal; NULL: $XDG_STATE_HOME/papyra/journal.ndjson */
	int follow;                 /* --follow: start in tail mode */
	/* several stores merged by time (--path given again; ui/merge.h):
	 * sources[0] is `backend`; NULL and 0 for one store */
	struct backend *const *sources;
	size_t n_sources;
	/* A fleet: the Systems view lists these (the console starts there, on
	 * the first one's store); Enter opens system i: open_system gives its
	 * backend and configuration (both live until the next call or the
	 * caller's end; the previous system's backend is the caller's to
	 * close then).  n_systems 0: one store. */
	const struct console_system *systems;
	size_t n_systems;
	int (*open_system)(void *ctx, size_t i, struct backend **b, const struct config **cfg, perr *e);
	/* The Systems view (when the console opens, and at r): scan system i
	 * again, systems[i] updated in place (one that cannot be scanned gets
	 * its error).  `stop` (may be NULL) is asked between slices of the
	 * scan; when it says stop, systems[i] is left as it was and 1 is
	 * returned; else 0. */
	int (*refresh_system)(void *ctx, size_t i, console_stop_fn stop, void *stop_ctx);
	void *system_ctx;
};

/* Run the console on the store of o->backend (the single NDJSON file, the
 * rotating set or the Redis streams `cfg` selects).  Returns 0 after a
 * normal quit, or -1 with `e` set (a Redis server that goes away while
 * the index is built: PX_UNAVAILABLE). */
int console_run(const struct config *cfg, const struct console_opts *o, perr *e);

/* The man page's key section, from the key table. */
void console_print_keys_man(FILE *f);

#endif
