/* Replaced files a process kept writing after a switch (SPEC §4, the
 * store is live: no appended line is ever lost).
 *
 * After the switch of live.h the drain copies what writers still append
 * to the replaced inode (live_names_swap links it under its kept name
 * just before the swap, so a kill from then on cannot leave it under a
 * temp name only).  A writer that keeps its descriptor open for
 * longer than the drain waits (an application holding it) goes on writing
 * there after we stop.  That file is then never removed and never left
 * under a temp name (leftover temps are removed by the next recovery):
 * it is renamed to
 *
 *     .<stem>.papyra-kept-<epoch_ms>-<offset>
 *
 * in the data file's directory, where <stem> is the base name of the data
 * file whose records it holds (P for a rotating set: the active file,
 * shortened as in tempname.h when long) and <offset> the first byte not
 * yet copied into it.  No cleanup removes such a name.  The scanner
 * reports it (UNEXPECTED_FILE, AF_KEPT_FILE, with the bytes and lines
 * after the offset), so no gate calls the store healthy while one exists,
 * and recovery drains it (action drain_kept): appends the lines after the
 * offset to the data file with O_APPEND, one write per run of whole lines
 * (as a writer does), syncs the data file, and then
 *   - removes it when a read lease shows no process has it open for
 *     writing (nobody can open it anew: no writer knows the name);
 *   - else renames it to the new offset and keeps it (reported again).
 * A kept name that is one more link to a live data file (a switch cut
 * short before the swap: live_names_swap links first) is just removed.
 * A crash between the sync of the data file and the rename can only copy
 * those lines a second time, never lose them.  Drained lines land after
 * what the application wrote since: order across the switch is not kept. */
#ifndef PAPYRA_KEPT_H
#define PAPYRA_KEPT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "scan.h"

#define KEPT_MARK ".papyra-kept-"
/* NAME_MAX minus the dot, the mark and two 20-digit numbers with a '-'. */
#define KEPT_STEM_MAX (255 - 1 - (sizeof KEPT_MARK - 1) - 20 - 1 - 20)

/* The kept name for data file `base` (allocated). */
char *kept_name(const char *base, int64_t epoch_ms, int64_t offset, perr *e);

/* Whether `name` (a base name) is a kept name; fills *stem (allocated,
 * may be NULL to skip), *epoch_ms and *offset. */
int kept_parse(const char *name, char **stem, int64_t *epoch_ms, int64_t *offset);

/* Whether `name` is a kept name of data file `base`. */
int kept_is_of(const char *name, const char *base);

/* Rename the replaced file `tmp` in dirfd to the kept name of `base` with
 * `offset`, never replacing anything, and sync the directory.  *kept gets
 * the new base name (allocated).  Returns 0 or -1 (e). */
int kept_keep(int dirfd, const char *dir, const char *tmp, const char *base, int64_t offset,
	      char **kept, perr *e);

/* Link `name` in dirfd under the kept name of `base` with `offset`, if it
 * is still the file dev/ino; the kept base name goes to out (outsize
 * bytes).  No directory sync (the swap's follows).  Returns 0, or -1 with
 * nothing left behind (a filesystem without hard links). */
int kept_link(int dirfd, const char *name, const char *base, int64_t offset, dev_t dev, ino_t ino,
	      char *out, size_t outsize);

/* How many kept names in the directory of `path` are links to the file
 * `id` (0 unless it has several links). */
int64_t kept_links_to(const char *path, const struct file_ident *id);

/* Report every kept file of data file `path` (same directory) into r:
 * UNEXPECTED_FILE with AF_KEPT_FILE, its path, and in the detail how many
 * bytes and lines follow the drained offset. */
int kept_scan(const char *path, struct scan_report *r, perr *e);

/* What kept_drain did. */
struct kept_drain {
	int64_t bytes, lines;   /* appended to the data file */
	int removed;            /* the kept file is gone (or was already) */
	char *now;              /* when kept: its path now (allocated) */
	char note[256];         /* when kept: why */
};

/* Drain the kept file `path` into its data file and remove it when no
 * process holds it open for writing (see above); `buf` of `bufsize`
 * bytes is the copy buffer.  A kept file already gone is not an error.
 * Returns 0 or -1 (e; PX_IOERR). */
int kept_drain(const char *path, char *buf, size_t bufsize, struct kept_drain *out, perr *e);
void kept_drain_free(struct kept_drain *d);

#endif
