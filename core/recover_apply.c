/* Applying a recovery plan for the file backends with the guarantees of
 * SPEC §4: every target locked and identity-checked before the first byte
 * changes, quarantine copy first, kept lines streamed byte for byte into a
 * temp file, fsync, rename, fsync the directory. */
#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "salvage.h"
#include "tempname.h"

struct recover_range {
	int64_t start, end;
	const char *repl; /* written in place of the dropped bytes (salvage: "}\n"), or NULL */
};

/* One file opened, locked and checked during preparation. */
struct recover_target {
	const struct plan_file *pf;   /* NULL for orphans and temp files */
	const struct action *act;     /* the orphan / temp action, else NULL */
	const struct action *quar;    /* QUARANTINE_FILE for pf, when applied */
	int fd, dirfd;
	struct stat st;
	char *dir;
	struct recover_range *drop;
	size_t ndrop, capdrop;
	int append_nl;
	int64_t dropped_lines;
};

struct recover_apply {
	const struct plan *p;
	const struct apply_progress *prog;
	struct apply_result *res;
	struct recover_target *t;
	size_t nt, capt;
	int qdirfd;
	char *buf;
	int64_t done, total;
	perr *e;
};

static void recover_on_bytes(void *ctx, int64_t n)
{
	struct recover_apply *ap = ctx;
	ap->done += n;
	if (ap->prog && ap->prog->on_progress)
		ap->prog->on_progress(ap->prog->ctx, ap->done, ap->total);
}

static int recover_range_cmp(const void *a, const void *b)
{
	const struct recover_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int recover_push_str(char ***v, size_t *n, const char *s, perr *e)
{
	size_t cap = *n; /* exact-size arrays: apply_result has no capacity field */
	char *d = px_strdup(s, e);
	if (!d || px_grow(v, &cap, *n + 1, sizeof **v, e) != 0) {
		free(d);
		return -1;
	}
	(*v)[(*n)++] = d;
	return 0;
}

static void recover_close_targets(struct recover_apply *ap)
{
	for (size_t i = 0; i < ap->nt; i++) {
		if (ap->t[i].fd >= 0)
			close(ap->t[i].fd);
		if (ap->t[i].dirfd >= 0)
			close(ap->t[i].dirfd);
		free(ap->t[i].dir);
		free(ap->t[i].drop);
	}
	free(ap->t);
	if (ap->qdirfd >= 0)
		close(ap->qdirfd);
	free(ap->buf);
}

static struct recover_target *recover_new_target(struct recover_apply *ap, const char *path)
{
	if (px_grow(&ap->t, &ap->capt, ap->nt + 1, sizeof *ap->t, ap->e) != 0)
		return NULL;
	struct recover_target *t = &ap->t[ap->nt++];
	memset(t, 0, sizeof *t);
	t->fd = t->dirfd = -1;
	t->dir = fsutil_dirname(path, ap->e);
	return t->dir ? t : NULL;
}

/* Whether one of our own targets already holds the lock on this inode:
 * flock conflicts between two descriptors even within one process. */
static int recover_already_locked(const struct recover_apply *ap, const struct stat *st)
{
	for (size_t i = 0; i + 1 < ap->nt; i++)
		if (ap->t[i].fd >= 0 && ap->t[i].st.st_dev == st->st_dev &&
		    ap->t[i].st.st_ino == st->st_ino)
			return 1;
	return 0;
}

/* A salvage drops the damaged prefix (no newline: the kept records end
 * the line) and turns the gap between two kept records into a newline,
 * written as "}\n" over [the record's '}', the next record) so that no
 * range is empty. */
static int recover_salvage_ranges(struct recover_apply *ap, struct recover_target *t,
				  const struct action *a)
{
	const struct salvage *sv = a->salvage;
	size_t need = t->ndrop + 1 + (sv ? sv->ngaps : 0);
	if (!sv)
		return perr_set(ap->e, PX_IOERR, "%s: salvage of line %lld has no records", a->path,
				(long long)a->line);
	if (px_grow(&t->drop, &t->capdrop, need, sizeof *t->drop, ap->e) != 0)
		return -1;
	if (sv->keep > 0)
		t->drop[t->ndrop++] = (struct recover_range){a->offset, a->offset + sv->keep, NULL};
	for (size_t g = 0; g < sv->ngaps; g++)
		t->drop[t->ndrop++] = (struct recover_range){a->offset + sv->gaps[g].start - 1,
							     a->offset + sv->gaps[g].end, "}\n"};
	return 0;
}

/* Merge touching plain drop ranges (sorted) into one: a run of damaged
 * lines is then skipped in one step however many there are.  Ranges with
 * a replacement stay as they are.  Only the copy loop sees the merged
 * ranges: the plan, reports and journal keep every line. */
static void recover_merge_ranges(struct recover_target *t)
{
	size_t w = 0;
	for (size_t i = 0; i < t->ndrop; i++) {
		struct recover_range *last = w ? &t->drop[w - 1] : NULL;
		if (last && !last->repl && !t->drop[i].repl && last->end == t->drop[i].start)
			last->end = t->drop[i].end;
		else
			t->drop[w++] = t->drop[i];
	}
	t->ndrop = w;
}

/* Open, lock and check a damaged file; collect its drop ranges. */
static int recover_prepare_file(struct recover_apply *ap, const struct plan_file *pf)
{
	const struct plan *p = ap->p;
	struct recover_target *t = NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		if (a->skip || strcmp(a->path, pf->path) != 0)
			continue;
		if (a->kind != ACT_DROP_LINE && a->kind != ACT_APPEND_NEWLINE &&
		    a->kind != ACT_QUARANTINE_FILE && a->kind != ACT_SALVAGE)
			continue;
		if (!t && !(t = recover_new_target(ap, pf->path)))
			return -1;
		t->pf = pf;
		if (a->kind == ACT_QUARANTINE_FILE) {
			t->quar = a;
			continue;
		}
		if (a->kind == ACT_APPEND_NEWLINE) {
			t->append_nl = 1;
			continue;
		}
		if (a->kind == ACT_SALVAGE) {
			if (recover_salvage_ranges(ap, t, a) != 0)
				return -1;
			continue;
		}
		if (px_grow(&t->drop, &t->capdrop, t->ndrop + 1, sizeof *t->drop, ap->e) != 0)
			return -1;
		int64_t end = a->offset + a->length + 1;
		t->drop[t->ndrop++] = (struct recover_range){a->offset,
			end > pf->ident.size ? pf->ident.size : end, NULL};
		t->dropped_lines += (int64_t)action_lines(a);
	}
	/* Preserving the original only makes sense when the file is rewritten. */
	if (!t)
		return 0;
	if (!t->ndrop && !t->append_nl) {
		free(t->dir);
		free(t->drop);
		ap->nt--;
		return 0;
	}
	if (t->ndrop)
		qsort(t->drop, t->ndrop, sizeof *t->drop, recover_range_cmp);
	for (size_t i = 0; i < t->ndrop; i++)
		if (t->drop[i].start < 0 || t->drop[i].start >= t->drop[i].end)
			return perr_set(ap->e, PX_IOERR, "%s: the plan does not match the file "
					"(line at byte %lld); rescan and plan again", pf->path,
					(long long)t->drop[i].start);
	recover_merge_ranges(t);
	int err = 0;
	if ((t->fd = fsutil_open_data(pf->path, &t->st, &err, ap->e)) < 0)
		return err == ENOENT ? perr_setr(ap->e, PX_IOERR, PR_STALE, "%s changed since the scan (it no "
						"longer exists); nothing was changed", pf->path) : -1;
	if (fsutil_lock(t->fd, pf->path, ap->e) != 0 ||
	    fsutil_check_ident(t->fd, &pf->ident, pf->path, ap->e) != 0 ||
	    (t->dirfd = fsutil_open_dir(t->dir, 0, ap->e)) < 0)
		return -1;
	ap->total += pf->ident.size * (t->quar ? 2 : 1);
	return 0;
}

/* Open and lock an orphan to move, or check a leftover temp file and lock
 * the data file it belongs to (so we never remove a live operation's temp). */
static int recover_prepare_other(struct recover_apply *ap, const struct action *a)
{
	struct recover_target *t = recover_new_target(ap, a->path);
	if (!t)
		return -1;
	t->act = a;
	if (a->kind == ACT_MOVE_ORPHAN) {
		if ((t->fd = fsutil_open_data(a->path, &t->st, NULL, ap->e)) < 0 ||
		    fsutil_lock(t->fd, a->path, ap->e) != 0 ||
		    (t->dirfd = fsutil_open_dir(t->dir, 0, ap->e)) < 0)
			return -1;
		ap->total += (int64_t)t->st.st_size;
		return 0;
	}
	char *data_base = NULL;
	if (!fsutil_is_temp_name(px_basename(a->path), &data_base))
		return perr_set(ap->e, PX_IOERR, "refusing to remove %s: not a papyra temporary file",
				a->path);
	struct stat st;
	int missing = lstat(a->path, &st) != 0;
	if (missing || !S_ISREG(st.st_mode)) {
		int gone = missing && errno == ENOENT;
		free(data_base);
		if (gone) { /* already gone: nothing to do */
			t->act = NULL;
			return 0;
		}
		return perr_set(ap->e, PX_IOERR, "refusing to remove %s: not a regular file", a->path);
	}
	char *data_name = tempname_find_data(t->dir, data_base, ap->e); /* a long name's stem */
	char *data = data_name ? fsutil_join(t->dir, data_name, ap->e) : NULL;
	free(data_name);
	free(data_base);
	if (!data)
		return -1;
	int err = 0;
	t->fd = fsutil_open_data(data, &t->st, &err, ap->e);
	int rc = 0;
	if (t->fd < 0 && err != ENOENT)
		rc = -1;
	else if (t->fd >= 0 && recover_already_locked(ap, &t->st)) {
		close(t->fd);
		t->fd = -1;
	} else if (t->fd >= 0)
		rc = fsutil_lock(t->fd, data, ap->e);
	free(data);
	if (rc == 0)
		rc = (t->dirfd = fsutil_open_dir(t->dir, 0, ap->e)) < 0 ? -1 : 0;
	return rc;
}

/* Stream the kept bytes of t into an open temp file. */
static int recover_stream(struct recover_apply *ap, struct recover_target *t, int out,
			  const char *tmp_shown, int64_t *written)
{
	const char *path = t->pf->path;
	int64_t size = t->pf->ident.size, pos = 0;
	size_t ri = 0;
	*written = 0;
	while (pos < size) {
		size_t want = (size_t)(size - pos) < FSUTIL_BUF_SIZE ? (size_t)(size - pos) : FSUTIL_BUF_SIZE;
		ssize_t r = fsutil_pread(t->fd, ap->buf, want, pos, path, ap->e);
		if (r < 0)
			return -1;
		if (r == 0)
			return perr_set(ap->e, PX_IOERR, "%s shrank while being repaired; it was left as it was", path);
		int64_t end = pos + r, cur = pos;
		size_t kept = 0;
		while (cur < end) {
			while (ri < t->ndrop && t->drop[ri].end <= cur)
				ri++;
			if (ri < t->ndrop && t->drop[ri].start <= cur) {
				if (t->drop[ri].repl && t->drop[ri].start == cur) {
					/* flush what is kept so far, then the replacement */
					size_t rl = strlen(t->drop[ri].repl);
					if (fsutil_write_all(out, ap->buf, kept, tmp_shown, ap->e) != 0 ||
					    fsutil_write_all(out, t->drop[ri].repl, rl, tmp_shown, ap->e) != 0)
						return -1;
					*written += (int64_t)(kept + rl);
					kept = 0;
				}
				cur = t->drop[ri].end < end ? t->drop[ri].end : end;
				continue;
			}
			int64_t next = ri < t->ndrop && t->drop[ri].start < end ? t->drop[ri].start : end;
			size_t n = (size_t)(next - cur), from = (size_t)(cur - pos);
			if (from != kept)
				memmove(ap->buf + kept, ap->buf + from, n);
			kept += n;
			cur = next;
		}
		if (fsutil_write_all(out, ap->buf, kept, tmp_shown, ap->e) != 0)
			return -1;
		fsutil_start_writeback(out, *written, (int64_t)kept);
		*written += (int64_t)kept;
		pos = end;
		recover_on_bytes(ap, r);
	}
	if (t->append_nl) {
		if (fsutil_write_all(out, "\n", 1, tmp_shown, ap->e) != 0)
			return -1;
		*written += 1;
	}
	return 0;
}

/* The file of t is in place: its actions are applied. */
static void recover_mark_file(struct recover_apply *ap, const struct recover_target *t)
{
	for (size_t i = 0; i < ap->p->n; i++) {
		const struct action *a = &ap->p->v[i];
		if (!a->skip && strcmp(a->path, t->pf->path) == 0 &&
		    (a->kind == ACT_DROP_LINE || a->kind == ACT_APPEND_NEWLINE ||
		     a->kind == ACT_QUARANTINE_FILE || a->kind == ACT_SALVAGE))
			apply_result_mark(ap->res, i);
	}
}

/* Rewrite one damaged file through a temp file in its directory. */
static int recover_rewrite(struct recover_apply *ap, struct recover_target *t)
{
	const struct plan_file *pf = t->pf;
	const char *base = px_basename(pf->path);
	struct fsutil_progress fp = {ap, recover_on_bytes};
	char *qdest = NULL;
	if (t->quar && fsutil_copy_to_dir(t->fd, pf->ident.size, pf->path, ap->qdirfd,
					  ap->p->quarantine_dir, base, ap->p->epoch_ms,
					  t->st.st_mode & 0777, ap->buf, FSUTIL_BUF_SIZE, &fp,
					  &qdest, ap->e) != 0)
		return -1;
	struct fsutil_replace rep;
	int64_t written = 0;
	int rc = fsutil_replace_begin(&rep, t->dirfd, t->dir, pf->path, &t->st, ap->e);
	if (rc == 0)
		rc = recover_stream(ap, t, rep.fd, rep.tmp_shown, &written);
	if (rc == 0)
		rc = fsutil_replace_commit(&rep, t->fd, &t->st, &pf->ident, ap->e);
	fsutil_replace_end(&rep);
	if (rc != 0 && qdest) /* the original is still in place: drop its copy */
		unlinkat(ap->qdirfd, px_basename(qdest), 0);
	if (rc == 0 && qdest)
		rc = recover_push_str(&ap->res->quarantined, &ap->res->n_quarantined, qdest, ap->e);
	if (rc == 0)
		rc = recover_push_str(&ap->res->repaired, &ap->res->n_repaired, pf->display, ap->e);
	if (rc == 0) {
		ap->res->bytes_before += pf->ident.size;
		ap->res->bytes_after += written;
		ap->res->lines_dropped += t->dropped_lines;
		recover_mark_file(ap, t);
	}
	free(qdest);
	return rc;
}

/* Copy an orphan into quarantine, then remove it from the set. */
static int recover_move_orphan(struct recover_apply *ap, struct recover_target *t)
{
	const char *path = t->act->path;
	struct fsutil_progress fp = {ap, recover_on_bytes};
	char *dest = NULL;
	if (fsutil_copy_to_dir(t->fd, (int64_t)t->st.st_size, path, ap->qdirfd, ap->p->quarantine_dir,
			       px_basename(path), ap->p->epoch_ms, t->st.st_mode & 0777, ap->buf,
			       FSUTIL_BUF_SIZE, &fp, &dest, ap->e) != 0)
		return -1;
	struct stat now;
	int rc = 0;
	if (fstatat(t->dirfd, px_basename(path), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
	    now.st_ino != t->st.st_ino || now.st_dev != t->st.st_dev)
		rc = perr_set(ap->e, PX_IOERR, "%s was replaced while being quarantined; left in place",
			      path);
	else if (unlinkat(t->dirfd, px_basename(path), 0) != 0)
		rc = perr_set(ap->e, PX_IOERR, "cannot remove %s after copying it to %s: %s", path,
			      dest, strerror(errno));
	if (rc != 0)
		unlinkat(ap->qdirfd, px_basename(dest), 0);
	else
		rc = fsutil_fsync_dirfd(t->dirfd, t->dir, ap->e);
	if (rc == 0)
		rc = recover_push_str(&ap->res->quarantined, &ap->res->n_quarantined, dest, ap->e);
	if (rc == 0)
		apply_result_mark(ap->res, (size_t)(t->act - ap->p->v));
	free(dest);
	return rc;
}

static int recover_remove_temp(struct recover_apply *ap, struct recover_target *t)
{
	const char *path = t->act->path;
	if (unlinkat(t->dirfd, px_basename(path), 0) != 0 && errno != ENOENT)
		return perr_set(ap->e, PX_IOERR, "cannot remove %s: %s", path, strerror(errno));
	apply_result_mark(ap->res, (size_t)(t->act - ap->p->v));
	return fsutil_fsync_dirfd(t->dirfd, t->dir, ap->e);
}

int plan_apply_files(const struct plan *p, const struct apply_progress *prog,
		     struct apply_result *res, perr *e)
{
	memset(res, 0, sizeof *res);
	if (apply_result_track(res, p->n, e) != 0)
		return -1;
	if (p->mode == RM_IGNORE)
		return 0;
	struct recover_apply ap = {.p = p, .prog = prog, .res = res, .qdirfd = -1, .e = e};
	int rc = 0;
	/* Preparation: every file opened, locked and checked before the first
	 * byte changes anywhere. */
	for (size_t i = 0; rc == 0 && i < p->nfiles; i++)
		rc = recover_prepare_file(&ap, &p->files[i]);
	for (size_t i = 0; rc == 0 && i < p->n; i++)
		if (!p->v[i].skip && (p->v[i].kind == ACT_MOVE_ORPHAN || p->v[i].kind == ACT_REMOVE_TEMP))
			rc = recover_prepare_other(&ap, &p->v[i]);
	int need_q = 0;
	for (size_t i = 0; i < ap.nt; i++)
		need_q |= ap.t[i].quar != NULL || (ap.t[i].act && ap.t[i].act->kind == ACT_MOVE_ORPHAN);
	if (rc == 0 && need_q && (fsutil_quarantine_dir_check(p->quarantine_dir, 1, e) != 0 ||
				  (ap.qdirfd = fsutil_open_dir(p->quarantine_dir, 1, e)) < 0))
		rc = -1;
	if (rc == 0 && ap.nt && !(ap.buf = px_malloc(FSUTIL_BUF_SIZE, e)))
		rc = -1;
	/* Leftover temp files first: one may carry the very name we need. */
	for (size_t i = 0; rc == 0 && i < ap.nt; i++)
		if (ap.t[i].act && ap.t[i].act->kind == ACT_REMOVE_TEMP)
			rc = recover_remove_temp(&ap, &ap.t[i]);
	for (size_t i = 0; rc == 0 && i < ap.nt; i++)
		if (ap.t[i].pf)
			rc = recover_rewrite(&ap, &ap.t[i]);
	for (size_t i = 0; rc == 0 && i < ap.nt; i++)
		if (ap.t[i].act && ap.t[i].act->kind == ACT_MOVE_ORPHAN)
			rc = recover_move_orphan(&ap, &ap.t[i]);
	recover_close_targets(&ap);
	return rc;
}
