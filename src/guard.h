/* Files the CLI writes besides the store — the --output report, the
 * --journal, $GITHUB_STEP_SUMMARY — checked before anything is read
 * (SPEC §6, §8): a path that is, or resolves to, a file of the selected
 * store or the journal is refused (PX_USAGE), and so is anything that is
 * not a regular file (a FIFO or a device would block or swallow the
 * write).  "Resolves to" covers symbolic links (followed, dangling ones
 * too), hard links and other names of the same file (same device and
 * inode), and a store file that does not exist yet but whose directory
 * entry the path names (writing there would create it). */
#ifndef PAPYRA_GUARD_H
#define PAPYRA_GUARD_H

#include "config.h"

/* Check `path` given as `what` ("--output").  `journal` (or NULL) is also
 * protected.  On success *resolved is the path to write (links followed),
 * malloc'd.  Returns 0, or -1 with e set (PX_USAGE, or PX_IOERR when out
 * of memory). */
int guard_check(const struct config *cfg, const char *journal, const char *what, const char *path,
		char **resolved, perr *e);

/* The report is written to "<dir>/.<base>.papyra-tmp-<pid>" then renamed
 * over `final`.  Opens the temp (O_EXCL); returns its fd, or -1 (e set,
 * PX_IOERR).  *tmp receives its path. */
int guard_open_temp(const char *final, char **tmp, perr *e);

/* fsync, rename the temp over `final`, fsync the directory.  0 or -1. */
int guard_commit_temp(int fd, const char *tmp, const char *final, perr *e);

#endif
