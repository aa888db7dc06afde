/* The rotating NDJSON set on disk (SPEC §2.2).
 *
 * The set of `P` with max_files F is the active file P and the rotated
 * files P.1 (newest) ... P.(F-1) (oldest); reading order is oldest first,
 * P last.  Any other entry of P's directory whose name starts with P's base
 * name is an orphan.  Every path here is "P's directory prefix as given +
 * name", which is both what the user sees and what is opened. */
#ifndef PAPYRA_ROTATING_SET_H
#define PAPYRA_ROTATING_SET_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "file_scan.h"
#include "scan.h"

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

/* The set's scan in slices: its orphans first (reported at once), then
 * each member oldest first after its leftover temporary files; an empty
 * set scans `path` alone, so reports still name what was checked. */
int rotating_set_scan_open(const char *path, int64_t max_files, const struct scan_opts *o,
			   const struct scan_sink *sink, struct scan_report *r, struct file_scan **out, perr *e);

/* The files of the set now (existing members, reading order) and the
 * active path even when missing, for position / since.  *paths is
 * allocated (free each and the array). */
int rotating_set_paths(const char *path, int64_t max_files, char ***paths, size_t *n, perr *e);

/* The intent record a compaction of the set of `path` leaves while it
 * replaces members: ".<P's name>.papyra-compact" in P's directory. */
char *rotating_compact_intent(const char *path, perr *e);

#endif
