/* Leftover temp copies in a quarantine directory (SPEC §4 temporary files).
 *
 * A quarantine copy is written as ".<name>.quarantine.<ms>.papyra-tmp-<pid>"
 * (fsutil_copy_to_dir, holding an flock on it while it writes) and renamed
 * to its final name once complete and synced.  A run killed meanwhile
 * leaves that temp behind, never under a final name.  The next run that
 * uses the directory removes each one whose writer is gone: its name has
 * our temp pattern with ".quarantine." in the data part, the pid in it is
 * not a live process (kill(pid, 0) says ESRCH) and nobody holds its lock.
 * Anything else in the directory is left alone. */
#ifndef PAPYRA_QLEFTOVER_H
#define PAPYRA_QLEFTOVER_H

#include <stddef.h>

#include "common.h"

/* Remove the leftover temp copies in dirfd (shown as `dir`), then sync it.
 * Appends each removed path (dir/name, allocated) to *removed / *n (an
 * exact-size array).  Returns 0 or -1 (e). */
int qleftover_clean(int dirfd, const char *dir, char ***removed, size_t *n, perr *e);

#endif
