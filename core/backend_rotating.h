/* The rotating NDJSON set (SPEC §2.2), Papyra's RotatingFilePersistence.
 *
 * The set of `P` with max_files F is the active file P and the rotated
 * files P.1 (newest) ... P.(F-1) (oldest); reading order is oldest first,
 * P last.  Any other entry of P's directory whose name starts with P's base
 * name is an orphan.  Every path here is "P's directory prefix as given +
 * name", which is both what the user sees and what is opened. */
#ifndef PAPYRA_BACKEND_ROTATING_H
#define PAPYRA_BACKEND_ROTATING_H

#include "backend.h"

int backend_rotating_open(const struct config *c, struct backend **out, perr *e);

/* One index of the set that has something on disk. */
struct rotating_member {
	int64_t index; /* 0 = P, k = P.k */
	char *path;    /* owned */
	int exists;    /* the member itself is in the directory */
	int has_temps; /* leftover ".<name>.papyra-tmp-*" of this member exist */
};

struct rotating_set {
	struct rotating_member *m; /* reading order: highest index first, P last */
	size_t n, cap;
	char **orphans;            /* paths, sorted by name */
	size_t n_orphans, cap_orphans;
};

/* List the set of `path` from one reading of its directory.  Members that
 * neither exist nor have leftover temps are left out (a missing member is
 * skipped silently); a missing directory is an empty set.  Directories
 * whose names start with the base name are not orphans: they are not files
 * of the set and could never be moved into quarantine as one. */
int rotating_set_list(const char *path, int64_t max_files, struct rotating_set *s, perr *e);
void rotating_set_free(struct rotating_set *s);
/* Report the set's orphans (ORPHANED_ROTATED_FILE, sorted by name): the
 * first anomalies of every scan of the set, CLI and console alike. */
int rotating_report_orphans(const struct rotating_set *s, struct scan_report *r, perr *e);

/* Whether `qdir` is the directory holding the set of `path`: the same
 * inode when both exist, or the same canonical path (symlinks resolved in
 * the part that exists, "." and ".." resolved in the rest), so a directory
 * that does not exist yet is caught too.  Returns 1, 0, or -1 on failure. */
int rotating_is_set_dir(const char *path, const char *qdir, perr *e);

#endif
