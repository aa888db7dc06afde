/* The file backends' scan in slices (SPEC §3): NDJSON files in reading
 * order, each preceded by its leftover temporary files, so one scan serves
 * `ops->scan` (run to the end) and the console (run until a deadline,
 * then back to the keys). */
#ifndef PAPYRA_FILE_SCAN_H
#define PAPYRA_FILE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "common.h"
#include "scan.h"

struct file_scan_member {
	char *path;  /* owned */
	int exists;  /* scanned (a json store's file is always: missing is clean) */
	int temps;   /* report its leftover temporary files first */
};

struct file_scan;

/* Start scanning `m` (n members, taken: freed by file_scan_close or on
 * failure); `fallback`, when not NULL, is scanned alone when no member
 * exists (an empty rotating set reads as a missing file).  `o` is copied;
 * sink, r and e must outlive the scan (e receives any later failure).
 * Returns 0, or -1 (e). */
int file_scan_open(struct file_scan **out, struct file_scan_member *m, size_t n, const char *fallback,
		   const struct scan_opts *o, const struct scan_sink *sink, struct scan_report *r, perr *e);
/* Scan until the monotonic clock passes `deadline_ms` (0: to the end).
 * Returns 1 while more remains, 0 when done, -1 on failure (e). */
int file_scan_step(struct file_scan *s, double deadline_ms);
/* Bytes scanned, and the bytes of the files as listed at open. */
void file_scan_progress(const struct file_scan *s, int64_t *done, int64_t *total);
void file_scan_close(struct file_scan *s);
void file_scan_members_free(struct file_scan_member *m, size_t n);

/* The scan of a single file store: its leftover temps, then the file
 * (a missing file is clean and still gets its report entry). */
int file_scan_open_single(struct file_scan **out, const char *path, const struct scan_opts *o,
			  const struct scan_sink *sink, struct scan_report *r, perr *e);

/* read_row for files: the line's bytes read back with pread (the file is
 * opened for the call, never mapped: a file truncated under us must not
 * kill the process).  Returns 1, 0 when the file is gone, -1. */
int file_read_row(const struct backend_rowref *ref, struct backend_row *out, perr *e);

/* position / since for files: `paths` (n) are the store's files now.  A
 * file that grew on the same inode is APPENDED [size then, size now); one
 * that is new is NEW [0, size); shorter, another inode or gone means the
 * store was rotated, truncated or replaced: rescan. */
int file_position(char *const *paths, size_t n, struct backend_pos *out, perr *e);
int file_since(const struct backend_pos *at, char *const *paths, size_t n, struct backend_growth *out,
	       perr *e);

/* Report leftover temporary files of `path` (".<base>.papyra-tmp-*" in its
 * directory) as UNEXPECTED_FILE, sorted by name. */
int scan_leftover_temps(const char *path, struct scan_report *r, perr *e);

/* Refuse a path that exists but is not a regular file (PX_USAGE). */
int check_regular_or_missing(const char *path, perr *e);

#endif
