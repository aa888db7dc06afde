/* Names that fit NAME_MAX whatever the data file's name (SPEC §4 temp
 * names, quarantine names).
 *
 * The temp file of a data file `base` is ".<stem>.papyra-tmp-<pid>"; the
 * stem is `base` itself when that fits, else the first bytes of `base`,
 * "~" and 16 hex digits of a hash of the whole name (a 247-character data
 * file gets a 255-byte temp name at most).  A shortened stem cannot be
 * turned back into the name, so who needs the data file of a temp (to lock
 * it before removing a leftover) looks for the file in the same directory
 * whose stem matches: tempname_find_data. */
#ifndef PAPYRA_TEMPNAME_H
#define PAPYRA_TEMPNAME_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#define TEMPNAME_MARK ".papyra-tmp-"
/* NAME_MAX (255) minus the leading dot, the mark and a pid of up to 10
 * digits: the longest stem a temp name can carry. */
#define TEMPNAME_STEM_MAX (255 - 1 - (sizeof TEMPNAME_MARK - 1) - 10)
/* NAME_MAX minus ".quarantine." (12), an epoch in ms (up to 20 digits) and
 * a ".N" uniquifier (up to 6): the longest name a quarantine name keeps. */
#define TEMPNAME_QUARANTINE_MAX (255 - 12 - 20 - 6)

/* `name` when it is at most `max` bytes, else its first max - 17 bytes,
 * "~" and 16 hex digits of a hash of all of it (allocated). */
char *tempname_shorten(const char *name, size_t max, perr *e);

/* The stem of the temp name of `base` (allocated). */
char *tempname_stem(const char *base, perr *e);

/* The base name of the data file in `dir` whose temp names carry `stem`
 * (allocated): `stem` itself when it is not a shortened one, else the
 * directory entry whose stem it is (or `stem` when there is none, so the
 * caller finds the data file missing). */
char *tempname_find_data(const char *dir, const char *stem, perr *e);
/* The same for a stem shortened to `max` rather than TEMPNAME_STEM_MAX
 * (the kept files of core/kept.h). */
char *tempname_find_data_max(const char *dir, const char *stem, size_t max, perr *e);

/* Rotating sets: the member index (0 for `base`, i for "<base>.<i>",
 * i < max_files) whose temp stem is `stem`, or -1. */
int64_t tempname_member_index(const char *stem, const char *base, int64_t max_files);
int64_t tempname_member_index_max(const char *stem, const char *base, int64_t max_files, size_t max);

#endif
