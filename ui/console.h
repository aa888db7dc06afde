/* `papyra console`: the read-only incident console (SPEC §7).
 *
 * The entry point src/cmd_console.c calls once the configuration is
 * resolved and the backend checked.  It owns the terminal until it
 * returns. */
#ifndef PAPYRA_UI_CONSOLE_H
#define PAPYRA_UI_CONSOLE_H

#include <stdio.h>

#include "common.h"
#include "config.h"

/* Run the console on the single NDJSON file of `cfg`, shown as
 * `location`.  Returns 0 after a normal quit, or -1 with `e` set. */
int console_run(const struct config *cfg, const char *backend_name, const char *location, perr *e);

/* The man page's key section, from the key table. */
void console_print_keys_man(FILE *f);

#endif
