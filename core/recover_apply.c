/* Applying a recovery plan for the file backends with the guarantees of
 * SPEC §4: every target locked and identity-checked before the first byte
 * changes, quarantine copy first, kept lines streamed byte for byte into a
 * temp file, then the live switch of live.h (catch up what the application
 * appended, lease, swap, drain, directory sync). */
#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "kept.h"
#include "salvage.h"
#include "tempname.h"
#include "live.h"
#include "qleftover.h"
#include "rotating_compact.h"

/* Names of a rotating set looked through for a member a rotation moved:
 * far more members than any set keeps. */
#define RECOVER_MAX_SET_NAMES 4096

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
	int64_t planned;              /* bytes of the file the plan covers */
	struct live_tail tail;        /* an action on the unterminated last line */
	size_t tail_action;           /* its index in the plan */
	char *base;                   /* the name it was found under (a rotation may move it) */
	/* while it is rewritten */
	const char *qdest;            /* its quarantine copy, once complete */
	struct live_copy *lc;
	int64_t written;
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
	char **names;                 /* the rotating set's names (NULL: a single file) */
	size_t nnames;
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
		free(ap->t[i].base);
	}
	for (size_t i = 0; i < ap->nnames; i++)
		free(ap->names[i]);
	free(ap->names);
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

/* The base names of the plan's rotating set: P, P.1 ... P.(F-1). */
static int recover_set_names(struct recover_apply *ap)
{
	const struct plan *p = ap->p;
	if (!p->set_path || ap->names)
		return 0;
	int64_t n = p->set_max_files < 1 ? 1 : p->set_max_files;
	if (n > RECOVER_MAX_SET_NAMES)
		n = RECOVER_MAX_SET_NAMES;
	if (!(ap->names = calloc((size_t)n, sizeof *ap->names)))
		return perr_set(ap->e, PX_IOERR, "out of memory");
	const char *base = px_basename(p->set_path);
	for (int64_t i = 0; i < n; i++, ap->nnames++)
		if (!(ap->names[i] = i ? px_asprintf(ap->e, "%s.%lld", base, (long long)i) :
					 px_strdup(base, ap->e)))
			return -1;
	return 0;
}

/* Open the planned file: at its name, or (rotating set) under whichever
 * name of the set now holds the planned inode.  It must be at least as
 * long as planned: the application only appends. */
static int recover_open_planned(struct recover_apply *ap, struct recover_target *t)
{
	const struct plan_file *pf = t->pf;
	const struct file_ident *id = &pf->ident;
	int err = 0;
	t->fd = fsutil_open_data(pf->path, &t->st, &err, ap->e);
	if (t->fd < 0 && err != ENOENT)
		return -1;
	int same = t->fd >= 0 && t->st.st_dev == id->dev && t->st.st_ino == id->ino;
	if (!same && recover_set_names(ap) == 0 && ap->names && (t->dirfd = fsutil_open_dir(t->dir, 0, ap->e)) >= 0) {
		for (size_t k = 0; !same && k < ap->nnames; k++) {
			struct stat st;
			if (fstatat(t->dirfd, ap->names[k], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
			    st.st_dev != id->dev || st.st_ino != id->ino)
				continue;
			char *path = fsutil_join(t->dir, ap->names[k], ap->e);
			if (!path)
				return -1;
			if (t->fd >= 0)
				close(t->fd);
			t->fd = fsutil_open_data(path, &t->st, NULL, ap->e);
			free(path);
			same = t->fd >= 0 && t->st.st_dev == id->dev && t->st.st_ino == id->ino;
			if (same && !(t->base = px_strdup(ap->names[k], ap->e)))
				return -1;
		}
	}
	if (!same)
		return perr_setr(ap->e, PX_IOERR, PR_STALE, "%s changed since the scan (%s); nothing was changed",
				pf->path, t->fd >= 0 ? "it was replaced by another file" :
				"it no longer exists");
	if (!t->base && !(t->base = px_strdup(px_basename(pf->path), ap->e)))
		return -1;
	if ((int64_t)t->st.st_size < t->planned)
		return perr_setr(ap->e, PX_IOERR, PR_STALE, "%s changed since the scan (it shrank: %lld -> %lld "
				"bytes); nothing was changed", pf->path, (long long)t->planned,
				(long long)t->st.st_size);
	return 0;
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
		t->planned = pf->bytes_before;
		if (a->kind == ACT_QUARANTINE_FILE) {
			t->quar = a;
			continue;
		}
		/* The last line, unterminated when scanned: a writer may have been
		 * half-way through it; live.h decides once it knows more. */
		if (a->kind == ACT_APPEND_NEWLINE || a->offset + a->length >= pf->bytes_before) {
			t->tail = (struct live_tail){a->kind == ACT_APPEND_NEWLINE ? LIVE_TAIL_NEWLINE :
						     LIVE_TAIL_DROP, a->offset,
						     a->offset + a->length, 0, 0};
			t->tail_action = i;
			t->append_nl = 1;
			continue;
		}
		if (a->kind == ACT_SALVAGE) {
			if (recover_salvage_ranges(ap, t, a) != 0)
				return -1;
			continue;
		}
		if (!a->gaps) { /* one line, or adjacent lines: one range */
			if (px_grow(&t->drop, &t->capdrop, t->ndrop + 1, sizeof *t->drop, ap->e) != 0)
				return -1;
			t->drop[t->ndrop++] = (struct recover_range){a->offset, a->offset + a->length + 1, NULL};
		} else { /* scattered lines: a range each */
			size_t lines = action_lines(a);
			if (px_grow(&t->drop, &t->capdrop, t->ndrop + lines, sizeof *t->drop, ap->e) != 0)
				return -1;
			int64_t off = a->offset;
			for (size_t k = 0; k < lines; k++) {
				if (k)
					off += (int64_t)a->lens[k - 1] + 1 + a->gaps[2 * k + 1];
				t->drop[t->ndrop++] = (struct recover_range){off, off + a->lens[k] + 1, NULL};
			}
		}
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
	int64_t stream_end = t->tail.kind ? t->tail.start : t->planned;
	for (size_t i = 0; i < t->ndrop; i++)
		if (t->drop[i].start < 0 || t->drop[i].start >= t->drop[i].end ||
		    t->drop[i].end > stream_end)
			return perr_set(ap->e, PX_IOERR, "%s: the plan does not match the file "
					"(line at byte %lld); rescan and plan again", pf->path,
					(long long)t->drop[i].start);
	recover_merge_ranges(t);
	if (t->tail.kind && (t->tail.start < 0 || t->tail.end > t->planned))
		return perr_set(ap->e, PX_IOERR, "%s: the plan does not match the file (last line at "
				"byte %lld); rescan and plan again", pf->path, (long long)t->tail.start);
	if (recover_open_planned(ap, t) != 0 || fsutil_lock(t->fd, pf->path, ap->e) != 0 ||
	    (t->dirfd < 0 && (t->dirfd = fsutil_open_dir(t->dir, 0, ap->e)) < 0))
		return -1;
	ap->total += t->planned * (t->quar ? 2 : 1);
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

/* Stream the kept bytes of t into an open temp file, up to its planned
 * last line when an action is planned on it (live.h settles that one). */
static int recover_stream(struct recover_apply *ap, struct recover_target *t, int out,
			  const char *tmp_shown, int64_t *written)
{
	const char *path = t->pf->path;
	int64_t size = t->tail.kind ? t->tail.start : t->planned, pos = 0;
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
	return 0;
}

/* The file of t is in place: its actions are applied, except a planned
 * drop of the last line while undecided or when a writer completed that
 * line meanwhile (see live.h). */
static void recover_mark_file(struct recover_apply *ap, const struct recover_target *t)
{
	const struct live_tail *tail = &t->lc->tail;
	for (size_t i = 0; i < ap->p->n; i++) {
		const struct action *a = &ap->p->v[i];
		if (tail->kind == LIVE_TAIL_DROP && i == t->tail_action &&
		    (!tail->resolved || tail->completed))
			continue;
		if (!a->skip && strcmp(a->path, t->pf->path) == 0 &&
		    (a->kind == ACT_DROP_LINE || a->kind == ACT_APPEND_NEWLINE ||
		     a->kind == ACT_QUARANTINE_FILE || a->kind == ACT_SALVAGE))
			apply_result_mark(ap->res, i);
	}
}

struct recover_swap_ctx {
	struct recover_apply *ap;
	struct recover_target *t;
};

/* live_names' on_swap: the repaired file is (or may be) in place. */
static void recover_on_swap(void *ctx)
{
	struct recover_swap_ctx *x = ctx;
	struct apply_result *res = x->ap->res;
	recover_mark_file(x->ap, x->t);
	/* out of memory here only shortens the lists; the flags are exact */
	if (x->t->qdest)
		(void)recover_push_str(&res->quarantined, &res->n_quarantined, x->t->qdest, NULL);
	(void)recover_push_str(&res->repaired, &res->n_repaired, x->t->pf->display, NULL);
}

/* After the switch: what the drain settled, counted. */
static void recover_count(struct recover_apply *ap, struct recover_target *t)
{
	struct apply_result *res = ap->res;
	const struct live_copy *lc = t->lc;
	if (lc->tail.kind == LIVE_TAIL_DROP && lc->tail.resolved && !lc->tail.completed)
		apply_result_mark(res, t->tail_action);
	res->bytes_before += lc->done;
	res->bytes_after += t->written + lc->bytes;
	res->lines_dropped += t->dropped_lines +
			      (lc->tail.kind == LIVE_TAIL_DROP && !lc->tail.completed);
	res->lines_caught_up += lc->lines;
	res->caught_up_invalid += lc->invalid;
	res->tails_completed += lc->tail.completed;
	if (lc->no_lease && !res->lease_note[0])
		snprintf(res->lease_note, sizeof res->lease_note, "%s", lc->lease_note);
}

/* Switch the streamed temp into place (live.h) under the name that holds
 * the original: the planned one, or another of its set after a rotation. */
static int recover_switch(struct recover_apply *ap, struct recover_target *t,
			  struct fsutil_replace *rep, const struct stat *tst)
{
	char *one[1] = {t->base};
	struct recover_swap_ctx x = {ap, t};
	struct live_names nm = {
		.dirfd = t->dirfd, .dir = t->dir, .tmp = rep->tmp, .names = one, .n = 1,
		.dev = t->st.st_dev, .ino = t->st.st_ino, .tdev = tst->st_dev, .tino = tst->st_ino,
		.shown = t->pf->path, .on_swap = recover_on_swap, .ctx = &x,
	};
	/* a rotating set: every name of it (found by inode) */
	if (recover_set_names(ap) != 0)
		return -1;
	if (ap->names) {
		nm.names = ap->names;
		nm.n = ap->nnames;
	}
	struct live_switch sw = {live_names_swap, live_names_after, live_names_keep, &nm};
	int rc = live_commit(t->lc, &sw);
	if (t->lc->committed) {
		recover_count(ap, t);
		rep->committed = 1; /* the temp name now holds the original, or nothing */
		if (rc != 0) {
			char msg[PERR_MSG_MAX];
			memcpy(msg, ap->e->msg, sizeof msg);
			perr_set(ap->e, PX_IOERR, "the repair of %s was applied, but %s%s%s%s", t->pf->path,
				 msg, t->qdest ? " (the original is kept as " : "", t->qdest ? t->qdest : "",
				 t->qdest ? ")" : "");
		}
	}
	return rc;
}

/* Rewrite one damaged file through a temp file in its directory. */
static int recover_rewrite(struct recover_apply *ap, struct recover_target *t)
{
	const struct plan_file *pf = t->pf;
	struct fsutil_progress fp = {ap, recover_on_bytes};
	char *qdest = NULL;
	if (t->quar && fsutil_copy_to_dir(t->fd, t->planned, pf->path, ap->qdirfd,
					  ap->p->quarantine_dir, px_basename(pf->path),
					  ap->p->epoch_ms, t->st.st_mode & 0777, ap->buf,
					  FSUTIL_BUF_SIZE, &fp, &qdest, ap->e) != 0)
		return -1;
	t->qdest = qdest;
	struct fsutil_replace rep;
	struct live_copy *lc = malloc(sizeof *lc);
	int rc = lc ? fsutil_replace_begin(&rep, t->dirfd, t->dir, pf->path, t->fd, &t->st, ap->e) :
		      perr_set(ap->e, PX_IOERR, "out of memory");
	int begun = rc == 0;
	struct stat tst;
	if (rc == 0 && fstat(rep.fd, &tst) != 0)
		rc = perr_set(ap->e, PX_IOERR, "cannot stat %s: %s", rep.tmp_shown, strerror(errno));
	if (rc == 0)
		rc = recover_stream(ap, t, rep.fd, rep.tmp_shown, &t->written);
	int committed = 0;
	if (rc == 0) {
		live_init(lc, t->fd, pf->path, rep.fd, rep.tmp_shown, ap->buf, FSUTIL_BUF_SIZE, ap->e);
		lc->done = t->tail.kind ? t->tail.start : t->planned;
		lc->tail = t->tail;
		t->lc = lc;
		rc = recover_switch(ap, t, &rep, &tst);
		committed = lc->committed;
	}
	if (begun)
		fsutil_replace_end(&rep);
	/* before the switch the original is untouched: its copy is redundant;
	 * once the switch may have happened the copy is never removed */
	if (rc != 0 && qdest && !committed)
		unlinkat(ap->qdirfd, px_basename(qdest), 0);
	t->lc = NULL;
	t->qdest = NULL;
	free(lc);
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

/* Drain the kept file of action i into its data file (kept.h). */
static int recover_drain_kept(struct recover_apply *ap, size_t i)
{
	struct apply_result *res = ap->res;
	struct kept_drain d;
	if (!ap->buf && !(ap->buf = px_malloc(FSUTIL_BUF_SIZE, ap->e)))
		return -1;
	int rc = kept_drain(ap->p->v[i].path, ap->buf, FSUTIL_BUF_SIZE, &d, ap->e);
	if (rc == 0) {
		res->kept_lines_drained += d.lines;
		if (d.removed)
			apply_result_mark(res, i);
		else if (!res->kept_note[0])
			snprintf(res->kept_note, sizeof res->kept_note, "%s is kept (%s); run papyra "
				 "persistence recover again once it is closed", d.now, d.note);
	}
	kept_drain_free(&d);
	return rc;
}

/* A failure after other files were changed (the first `nrep` repaired,
 * `nq` preserved): say which (SPEC §4: a partial apply is reported as
 * partial, never as untouched). */
static void recover_note_partial(const struct apply_result *res, size_t nrep, size_t nq, perr *e)
{
	if (!nrep && !nq)
		return;
	char msg[PERR_MSG_MAX];
	size_t n = (size_t)snprintf(msg, sizeof msg, "%s; applied before this error:", e->msg);
	for (size_t i = 0; i < nrep && n < sizeof msg; i++)
		n += (size_t)snprintf(msg + n, sizeof msg - n, "%s repaired %s", i ? "," : "",
				      res->repaired[i]);
	for (size_t i = 0; i < nq && n < sizeof msg; i++)
		n += (size_t)snprintf(msg + n, sizeof msg - n, "%s kept %s", i || nrep ? "," : "",
				      res->quarantined[i]);
	if (n < sizeof msg)
		snprintf(msg + n, sizeof msg - n, "; the rest is unchanged");
	perr_set(e, PX_IOERR, "%s", msg);
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
	/* what a killed run left there, never under a final name (qleftover.h) */
	if (rc == 0 && need_q)
		rc = qleftover_clean(ap.qdirfd, p->quarantine_dir, &res->qtemps_removed,
				     &res->n_qtemps_removed, e);
	if (rc == 0 && ap.nt && !(ap.buf = px_malloc(FSUTIL_BUF_SIZE, e)))
		rc = -1;
	/* An interrupted compaction first: it owns some of the temp files. */
	for (size_t i = 0; rc == 0 && i < p->n; i++) {
		if (p->v[i].skip || p->v[i].kind != ACT_FINISH_COMPACTION)
			continue;
		if (!p->set_path)
			rc = perr_set(e, PX_IOERR, "%s: not a rotating set", p->v[i].path);
		else if ((rc = rotating_compact_finish(p->set_path, e)) == 0)
			apply_result_mark(res, i);
	}
	/* Replaced files a process kept writing (kept.h): their lines go back
	 * into the store before anything else changes it. */
	for (size_t i = 0; rc == 0 && i < p->n; i++)
		if (!p->v[i].skip && p->v[i].kind == ACT_DRAIN_KEPT)
			rc = recover_drain_kept(&ap, i);
	/* Leftover temp files next: one may carry the very name we need. */
	for (size_t i = 0; rc == 0 && i < ap.nt; i++)
		if (ap.t[i].act && ap.t[i].act->kind == ACT_REMOVE_TEMP)
			rc = recover_remove_temp(&ap, &ap.t[i]);
	size_t nrep = 0, nq = 0; /* what was in place before the file being worked on */
	size_t units = 0, done = 0; /* files to put in place, one by one */
	for (size_t i = 0; i < ap.nt; i++)
		units += ap.t[i].pf || (ap.t[i].act && ap.t[i].act->kind == ACT_MOVE_ORPHAN);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; rc == 0 && i < ap.nt; i++) {
			struct recover_target *t = &ap.t[i];
			int orphan = t->act && t->act->kind == ACT_MOVE_ORPHAN;
			if (pass == 0 ? !t->pf : !orphan)
				continue; /* repairs first, then orphans */
			nrep = res->n_repaired;
			nq = res->n_quarantined;
			rc = pass == 0 ? recover_rewrite(&ap, t) : recover_move_orphan(&ap, t);
			if (rc == 0 && ++done < units && prog && prog->on_commit)
				prog->on_commit(prog->ctx, res);
		}
	recover_close_targets(&ap);
	if (rc != 0)
		recover_note_partial(res, nrep, nq, e);
	return rc;
}
