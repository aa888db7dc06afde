/* Metadata of rewritten and preserved files (SPEC §4: "rewritten files keep
 * owner, group, mode, xattrs and ACLs; a data file with several hard links
 * is refused unless --force").
 *
 * POSIX ACLs are the extended attributes system.posix_acl_access and
 * system.posix_acl_default, so copying every xattr keeps them. */
#ifndef PAPYRA_FSMETA_H
#define PAPYRA_FSMETA_H

#include <stdint.h>
#include <sys/stat.h>

#include "common.h"

struct scan_report;

/* Give `dst_fd` (a file we just created) the owner, group and mode of
 * `st` and every extended attribute of `src_fd`.  Owner and group need
 * privilege: without it the file stays ours (it still works for us).  An
 * attribute we may not set for lack of privilege (EPERM: security.*,
 * trusted.* as an ordinary user) is left out the same way.  With
 * `best_effort` (quarantine copies, possibly on another filesystem) an
 * attribute the destination cannot store (ENOTSUP) is left out too.  Any
 * other failure is PX_IOERR naming the attribute and `dst_shown`. */
int fsmeta_copy(int src_fd, const struct stat *st, int dst_fd, const char *dst_shown,
		int best_effort, perr *e);

/* A data file with several hard links: rewriting it (temp + rename) gives
 * this name a new inode and leaves the other names on the old content,
 * silently splitting the file.  Refused (PX_USAGE, before anything
 * changes) unless `force`; the message names the link count. */
int fsmeta_check_links(const char *shown, int64_t nlink, int force, perr *e);

/* fsmeta_check_links for every existing file of a scan (compaction, which
 * rewrites all of them). */
int fsmeta_check_report_links(const struct scan_report *r, int force, perr *e);

#endif
