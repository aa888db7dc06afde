/* Shell completions generated from the command tables (`papyra
 * --print-completion bash|zsh`), so they list exactly the commands and
 * options the parser accepts.  `make completions` writes them to build/,
 * `make install` installs them. */
#ifndef PAPYRA_COMPLETION_H
#define PAPYRA_COMPLETION_H

#include <stddef.h>
#include <stdio.h>

#include "cli.h"

/* Write the completion script for `shell` ("bash" or "zsh") built from the
 * `n` command tables in `groups`.  Returns 0, or -1 for an unknown shell. */
int completion_print(FILE *f, const char *shell, const struct cli_cmd *const *groups, size_t n);

#endif
