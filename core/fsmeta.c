/* Owner, mode and extended attributes of rewritten files (fsmeta.h). */
#include "fsmeta.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kept.h"
#include "scan.h"

/* The kernel's own bounds (XATTR_LIST_MAX, XATTR_SIZE_MAX): nothing larger
 * can exist, so these buffers always suffice. */
#define FSMETA_LIST_MAX 65536
#define FSMETA_VALUE_MAX 65536

static int fsmeta_unsupported(int err)
{
	return err == ENOTSUP || err == EOPNOTSUPP;
}

static int fsmeta_xattrs(int src_fd, int dst_fd, const char *dst_shown, int best_effort, perr *e)
{
	char *names = malloc(FSMETA_LIST_MAX), *val = malloc(FSMETA_VALUE_MAX);
	int rc = 0;
	if (!names || !val) {
		rc = perr_set(e, PX_IOERR, "out of memory");
		goto out;
	}
	ssize_t n = flistxattr(src_fd, names, FSMETA_LIST_MAX);
	if (n < 0) {
		/* a filesystem without xattrs has none to keep */
		if (!fsmeta_unsupported(errno))
			rc = perr_set(e, PX_IOERR, "cannot list the extended attributes to keep on %s: %s",
				      dst_shown, strerror(errno));
		goto out;
	}
	for (ssize_t off = 0; rc == 0 && off < n; off += (ssize_t)strlen(names + off) + 1) {
		const char *name = names + off;
		ssize_t vn = fgetxattr(src_fd, name, val, FSMETA_VALUE_MAX);
		if (vn < 0) {
			if (errno == ENODATA) /* removed meanwhile */
				continue;
			rc = perr_set(e, PX_IOERR, "cannot read extended attribute %s to keep on %s: %s",
				      name, dst_shown, strerror(errno));
			break;
		}
		if (fsetxattr(dst_fd, name, val, (size_t)vn, 0) == 0)
			continue;
		if (errno == EPERM || (best_effort && fsmeta_unsupported(errno)))
			continue; /* privilege (or a filesystem) we do not have: see fsmeta.h */
		rc = perr_set(e, PX_IOERR, "cannot keep extended attribute %s on %s: %s", name,
			      dst_shown, strerror(errno));
	}
out:
	free(names);
	free(val);
	return rc;
}

int fsmeta_copy(int src_fd, const struct stat *st, int dst_fd, const char *dst_shown,
		int best_effort, perr *e)
{
	/* chown first: it clears set-id bits, which fchmod then restores */
	if (fchown(dst_fd, st->st_uid, st->st_gid) != 0) {
		/* best effort: without the right, the file stays ours */
	}
	if (fchmod(dst_fd, st->st_mode & 07777) != 0 && errno != EPERM)
		return perr_set(e, PX_IOERR, "cannot set the mode of %s: %s", dst_shown, strerror(errno));
	/* last: an ACL refines the mode's group bits, so it must win */
	return fsmeta_xattrs(src_fd, dst_fd, dst_shown, best_effort, e);
}

int fsmeta_check_links(const char *shown, int64_t nlink, int force, perr *e)
{
	if (nlink <= 1 || force)
		return 0;
	return perr_set(e, PX_USAGE, "%s has %lld hard links: rewriting it would give this name a new "
			"file and leave the other %lld name%s on the old content; refused (--force to "
			"rewrite it anyway)", shown, (long long)nlink, (long long)(nlink - 1),
			nlink == 2 ? "" : "s");
}

int fsmeta_check_report_links(const struct scan_report *r, int force, perr *e)
{
	for (size_t i = 0; i < r->n_files; i++)
		if (r->files[i].ident.exists &&
		    fsmeta_check_links(r->files[i].path, r->files[i].ident.nlink -
				       kept_links_to(r->files[i].path, &r->files[i].ident), force, e) != 0)
			return -1;
	return 0;
}
