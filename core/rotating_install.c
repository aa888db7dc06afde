/* Switching a compacted rotating set into place (rotating_compact_int.h),
 * with the application appending and rotating meanwhile, and finishing a
 * compaction that was interrupted.
 *
 * The intent record ".<P>.papyra-compact" (a leading dot: never part of the
 * set, never an orphan) is written, synced and renamed into place after
 * every new file is complete and synced, and before the first member is
 * replaced.  It names each new file (temp name, inode) in installation
 * order and each old member (inode, bytes already copied, where its later
 * lines go, and the name it is moved to).  From the moment it exists the
 * compaction only goes forward: a killed run is finished by the next one
 * (`persistence compact`, or `persistence recover`, which the scanner's
 * UNEXPECTED_FILE report of the record points to), so the duplicates of a
 * half-installed set never stay. */
#include "rotating_compact_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

/* How long to wait for a busy writer to park (rc_park_writer): Papyra's
 * writer appends every few milliseconds when busy. */
#define RC_PARK_POLL_US 250
#define RC_PARK_POLLS 80
/* Names of the set checked for a member we do not know of: far more than
 * any set keeps. */
#define RC_MAX_NAMES 4096

/* ---- the intent record ---------------------------------------------------- */

/* Where an old member goes once replaced: the temp name of the target that
 * takes its index, or (a member beyond the new layout) its own temp name. */
static const char *rc_away(const struct rc *c, const struct rc_member *m, char **own)
{
	if (m->index < c->nt)
		return c->t[m->index].tmp;
	if (!*own)
		*own = fsutil_temp_name(px_basename(m->path), c->e);
	return *own;
}

static int rc_write_intent(struct rc *c, const int64_t *order)
{
	size_t cap = 4096, n = 0;
	char *text = malloc(cap);
	int rc = text ? 0 : perr_set(c->e, PX_IOERR, "out of memory");
#define RC_PUT(...)                                                                               \
	do {                                                                                      \
		int w_ = snprintf(text + n, cap - n, __VA_ARGS__);                                \
		while (rc == 0 && w_ >= 0 && (size_t)w_ >= cap - n) {                            \
			char *g_ = realloc(text, cap *= 2);                                       \
			if (!g_) {                                                                \
				rc = perr_set(c->e, PX_IOERR, "out of memory");                  \
				break;                                                            \
			}                                                                         \
			text = g_;                                                                \
			w_ = snprintf(text + n, cap - n, __VA_ARGS__);                           \
		}                                                                                 \
		if (rc == 0 && w_ > 0)                                                            \
			n += (size_t)w_;                                                          \
	} while (0)
	RC_PUT(RC_INTENT_MAGIC "\n");
	for (int64_t k = 0; rc == 0 && k < c->nt; k++) {
		const struct rc_target *t = &c->t[order[k]];
		RC_PUT("target %" PRId64 " %ju %ju %s\n", order[k], (uintmax_t)t->dev, (uintmax_t)t->ino,
		       t->tmp);
	}
	for (size_t k = 0; rc == 0 && k < c->nm; k++) {
		const struct rc_member *m = &c->m[k];
		const struct rc_target *g = &c->t[m->growth];
		char *own = NULL;
		const char *away = rc_away(c, m, &own);
		if (!away)
			rc = -1;
		else
			RC_PUT("old %" PRId64 " %ju %ju %" PRId64 " %" PRId64 " %ju %ju %s\n", m->index,
			       (uintmax_t)m->st.st_dev, (uintmax_t)m->st.st_ino, m->lc->done, m->growth,
			       (uintmax_t)g->dev, (uintmax_t)g->ino, away);
		free(own);
	}
	RC_PUT("end\n");
#undef RC_PUT
	/* Written straight under its name: a record without its "end" line was
	 * cut short before anything was replaced, and is simply removed. */
	char *name = rc == 0 ? px_asprintf(c->e, ".%s" RC_INTENT_SUFFIX, c->base) : NULL;
	char *shown = name ? fsutil_join(c->dir, name, c->e) : NULL;
	int fd = shown ? fsutil_create_at(c->dirfd, name, 0600, shown, c->e) : -1;
	if (fd < 0) {
		if (shown && errno == EEXIST)
			perr_set(c->e, PX_IOERR, "%s exists: another compaction is under way or was "
				 "interrupted; nothing was changed", shown);
		rc = -1;
	}
	if (rc == 0)
		rc = fsutil_write_all(fd, text, n, shown, c->e);
	if (rc == 0)
		rc = fsutil_fsync(fd, shown, c->e);
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = perr_set(c->e, PX_IOERR, "cannot close %s: %s", shown, strerror(errno));
	if (rc == 0)
		rc = fsutil_fsync_dirfd(c->dirfd, c->dir, c->e);
	if (rc != 0 && fd >= 0)
		unlinkat(c->dirfd, name, 0);
	free(text);
	free(name);
	free(shown);
	return rc;
}

/* ---- installing ------------------------------------------------------------ */

/* Put one temp in place: exchanged with the old member at its name (and
 * checked to be that member: a rotation may have moved it), or renamed to
 * a free name without replacing anything. */
static int rc_install(struct rc *c, struct rc_target *t)
{
	const char *name = px_basename(t->path);
	if (t->old) {
		if (fsutil_exchange(c->dirfd, t->tmp, name) != 0 &&
		    !rc_is(c->dirfd, name, t->dev, t->ino)) /* (unless it happened all the same) */
			return perr_set(c->e, PX_IOERR, "cannot put %s in place of %s: %s", t->tmp_shown,
					t->path, strerror(errno));
		if (!rc_is(c->dirfd, t->tmp, t->old->st.st_dev, t->old->st.st_ino)) {
			(void)fsutil_exchange(c->dirfd, t->tmp, name); /* put back what a rotation moved */
			return perr_set(c->e, PX_IOERR, "%s was moved by a rotation while being replaced",
					t->path);
		}
	} else if (fsutil_rename_noreplace(c->dirfd, t->tmp, name) != 0 && !rc_is(c->dirfd, name, t->dev, t->ino)) {
		return perr_set(c->e, PX_IOERR, errno == EEXIST ? "%s appeared during compaction" :
				"cannot rename %s: %s", t->path, strerror(errno));
	}
	t->installed = 1;
	c->applied = 1;
	return 0;
}

/* A member beyond the new layout leaves the set (moved to its temp name,
 * removed once its lines are all in place). */
static int rc_retire(struct rc *c, struct rc_member *m)
{
	char *own = NULL;
	const char *away = rc_away(c, m, &own);
	const char *name = px_basename(m->path);
	int rc = away ? 0 : -1;
	if (rc == 0 && fsutil_rename_noreplace(c->dirfd, name, away) != 0)
		rc = perr_set(c->e, PX_IOERR, "cannot move %s out of the set: %s", m->path, strerror(errno));
	if (rc == 0 && !rc_is(c->dirfd, away, m->st.st_dev, m->st.st_ino)) {
		(void)fsutil_rename_noreplace(c->dirfd, away, name);
		rc = perr_set(c->e, PX_IOERR, "%s was moved by a rotation while being removed", m->path);
	}
	if (rc == 0)
		c->applied = 1;
	free(own);
	return rc;
}

/* Installation order.  Replacing member i hides the old file i, so every
 * kept line of old i must already be in an installed target (or in the new
 * i itself).  Kept lines run in reading order through both layouts, so
 * their (old index, new index) pairs never increase; hence if old i feeds a
 * higher target j, old j feeds only targets >= j (its lines come before),
 * and if old i feeds a lower target k, old k feeds only targets <= k.  So:
 * first the targets whose old file feeds no lower target, from the highest
 * index down; then the others from the lowest up.  Members beyond the new
 * layout leave once everything they held is in place.  A reader thus never
 * misses a kept record; it may see one twice until the end.  The writer
 * cannot rotate meanwhile while it waits on the lease of P (rc_park_writer);
 * should it rotate all the same, the checked exchanges stop the install. */
static void rc_order(const struct rc *c, int64_t *order)
{
	int64_t k = 0;
	for (int64_t i = c->nt - 1; i >= 0; i--)
		if (!c->t[i].moves_newer)
			order[k++] = i;
	for (int64_t i = 0; i < c->nt; i++)
		if (c->t[i].moves_newer)
			order[k++] = i;
}

/* Whether every target that takes kept lines of member k is installed. */
static int rc_fed_installed(const struct rc *c, size_t k)
{
	for (size_t r = 0; r < c->nruns; r++)
		if (c->runs[r].member == k && !c->t[c->nt - 1 - c->runs[r].ord].installed)
			return 0;
	return 1;
}

/* Members beyond the new layout leave as soon as what they held is in
 * place: before the new P is installed if possible, since a full P makes
 * the writer rotate, which would shift them back into the set. */
static int rc_install_all(struct rc *c, const int64_t *order)
{
	char *retired = calloc(c->nm ? c->nm : 1, 1);
	if (!retired)
		return perr_set(c->e, PX_IOERR, "out of memory");
	int rc = 0;
	for (int64_t k = 0; rc == 0 && k <= c->nt; k++) {
		for (size_t j = 0; rc == 0 && j < c->nm; j++)
			if (!retired[j] && c->m[j].index >= c->nt && (k == c->nt || rc_fed_installed(c, j))) {
				rc = rc_retire(c, &c->m[j]);
				retired[j] = 1;
			}
		if (rc == 0 && k < c->nt)
			rc = rc_install(c, &c->t[order[k]]);
	}
	free(retired);
	return rc;
}

/* ---- the switch -------------------------------------------------------------- */

static int rc_sync_growth(struct rc *c)
{
	for (int64_t i = 0; i < c->nt; i++) {
		struct rc_target *t = &c->t[i];
		if (t->fd < 0)
			continue;
		int fl = fcntl(t->fd, F_GETFL);
		if (fsutil_fsync(t->fd, t->tmp_shown, c->e) != 0 || fl < 0 ||
		    fcntl(t->fd, F_SETFL, fl | O_APPEND) != 0)
			return -1;
	}
	return 0;
}

/* Everything that was appended to the members so far, into the targets. */
static int64_t rc_catch_up(struct rc *c, int final)
{
	int64_t total = 0;
	for (size_t k = 0; k < c->nm; k++) {
		struct live_copy *lc = c->m[k].lc;
		int64_t n = live_catch_up(lc, final && !lc->no_lease);
		if (n < 0)
			return -1;
		total += n;
	}
	return total;
}

/* Nothing moved since the members were opened: each still at its name, no
 * new name taken.  A rotation of the writer fails this (plan again). */
static int rc_layout_same(const struct rc *c)
{
	perr ignored = {0};
	struct rc probe = *c;
	probe.e = &ignored;
	for (size_t k = 0; k < c->nm; k++)
		if (rc_still_same(&probe, &c->m[k]) != 0)
			return 0;
	for (int64_t i = 0; i < c->nt; i++) {
		struct stat st;
		if (!c->t[i].old && fstatat(c->dirfd, px_basename(c->t[i].path), &st, AT_SYMLINK_NOFOLLOW) == 0)
			return 0;
	}
	/* and no member we do not know of: a rotation between the listing and
	 * the opening would have pushed the oldest one to a new index */
	int64_t top = c->max_files < RC_MAX_NAMES ? c->max_files : RC_MAX_NAMES;
	for (int64_t i = 0; i < top; i++) {
		char name[512];
		struct stat st;
		int known = 0;
		if (snprintf(name, sizeof name, i ? "%s.%" PRId64 : "%s", c->base, i) >= (int)sizeof name)
			return 0;
		if (fstatat(c->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		for (size_t k = 0; k < c->nm && !known; k++)
			known = c->m[k].index == i && c->m[k].st.st_ino == st.st_ino && c->m[k].st.st_dev == st.st_dev;
		if (!known)
			return 0;
	}
	return 1;
}

static void rc_release(struct rc *c)
{
	for (size_t k = 0; k < c->nm; k++)
		if (c->m[k].lc) {
			live_release_src(c->m[k].lc);
			live_release_out(c->m[k].lc);
		}
}

/* The old members, now under their temp names: remove them, then the
 * intent record. */
static int rc_remove_old(struct rc *c)
{
	for (size_t k = 0; k < c->nm; k++) {
		const struct rc_member *m = &c->m[k];
		char *own = NULL;
		const char *away = rc_away(c, m, &own);
		int rc = 0;
		if (!away)
			rc = -1;
		else if (rc_is(c->dirfd, away, m->st.st_dev, m->st.st_ino) && unlinkat(c->dirfd, away, 0) != 0)
			rc = perr_set(c->e, PX_IOERR, "cannot remove %s/%s: %s", c->dir, away, strerror(errno));
		free(own);
		if (rc != 0)
			return -1;
	}
	char *name = px_asprintf(c->e, ".%s" RC_INTENT_SUFFIX, c->base);
	int rc = name && fsutil_fsync_dirfd(c->dirfd, c->dir, c->e) == 0 ? 0 : -1;
	if (rc == 0 && unlinkat(c->dirfd, name, 0) != 0)
		rc = perr_set(c->e, PX_IOERR, "cannot remove %s/%s: %s", c->dir, name, strerror(errno));
	free(name);
	return rc == 0 ? fsutil_fsync_dirfd(c->dirfd, c->dir, c->e) : -1;
}

static void rc_note_partial(struct rc *c)
{
	int64_t done = 0;
	for (int64_t i = 0; i < c->nt; i++)
		done += c->t[i].installed;
	char msg[PERR_MSG_MAX];
	memcpy(msg, c->e->msg, sizeof msg);
	perr_set(c->e, PX_IOERR, "the compaction was applied in part, but %s: it stopped after %" PRId64
		 " of %" PRId64 " files were replaced; every kept record is in the set, some possibly "
		 "twice, until `papyra persistence recover` (or `compact --force`) finishes it",
		 msg, done, c->nt);
}

/* Give a busy writer the moment to park: once it waits in open() on the
 * leased P it has made its rotation decision for this record and, being
 * one process that rotates and appends in turn (Papyra's writer holds a
 * lock across both), cannot rotate until we let it go.  An idle writer
 * costs this wait once; the exchanges are then checked one by one anyway. */
static void rc_park_writer(const struct rc *c)
{
	const struct rc_member *p = c->nm ? &c->m[c->nm - 1] : NULL; /* P is last in reading order */
	if (!p || p->index != 0 || !p->lc || p->lc->no_lease)
		return;
	for (int i = 0; i < RC_PARK_POLLS && !live_src_waited_on(p->lc); i++) {
		struct timespec ts = {0, RC_PARK_POLL_US * 1000};
		nanosleep(&ts, NULL);
	}
}

/* Nothing was replaced after all: the record goes (the temps too, later). */
static void rc_drop_intent(struct rc *c)
{
	char *name = px_asprintf(NULL, ".%s" RC_INTENT_SUFFIX, c->base);
	if (name && unlinkat(c->dirfd, name, 0) == 0)
		(void)fsync(c->dirfd);
	free(name);
}

int rc_commit(struct rc *c)
{
	int64_t *order = calloc((size_t)c->nt, sizeof *order);
	if (!order)
		return perr_set(c->e, PX_IOERR, "out of memory");
	rc_order(c, order);
	int rc = 0;
	for (size_t k = 0; rc == 0 && k < c->nm; k++) {
		struct rc_member *m = &c->m[k];
		struct rc_target *g = &c->t[m->growth];
		if (!(m->lc = malloc(sizeof *m->lc))) {
			rc = perr_set(c->e, PX_IOERR, "out of memory");
			break;
		}
		live_init(m->lc, m->fd, m->path, g->fd, g->tmp_shown, c->buf, FSUTIL_BUF_SIZE, c->e);
		m->lc->done = m->limit;
	}
	/* step 1 of live.h for every member, then their leases (step 2) */
	for (int round = 0; rc == 0 && round < LIVE_MAX_ROUNDS; round++) {
		int64_t n = rc_catch_up(c, 0);
		if (n < 0)
			rc = -1;
		if (n < LIVE_SMALL_DELTA)
			break;
	}
	if (rc == 0)
		rc = rc_sync_growth(c);
	for (size_t k = 0; rc == 0 && k < c->nm; k++) {
		rc = live_lease_src(c->m[k].lc);
		if (c->m[k].lc->no_lease && !c->lease_note[0])
			memcpy(c->lease_note, c->m[k].lc->lease_note, sizeof c->lease_note);
	}
	/* step 3: the last appended bytes; writers of the new files wait too */
	if (rc == 0 && rc_catch_up(c, 1) < 0)
		rc = -1;
	if (rc == 0)
		rc = rc_sync_growth(c);
	for (size_t k = 0; rc == 0 && k < c->nm; k++)
		(void)live_lease_out(c->m[k].lc);
	if (rc == 0)
		rc = rc_write_intent(c, order);
	if (rc == 0)
		rc_park_writer(c);
	/* Checked after the record is synced, just before the first exchange:
	 * a rotation by the writer now would only hit the few exchanges. */
	if (rc == 0 && !rc_layout_same(c)) {
		rc_drop_intent(c);
		rc = 1;
	}
	if (rc == 0 && rc_install_all(c, order) != 0) {
		rc = -1;
		if (c->applied) {
			rc_note_partial(c);
		} else { /* nothing was replaced: the record goes, the temps too */
			rc_drop_intent(c);
		}
	}
	for (size_t k = 0; k < c->nm; k++)
		if (c->m[k].lc)
			live_release_src(c->m[k].lc);
	/* step 4: what reached the old members after the switch */
	for (size_t k = 0; rc == 0 && k < c->nm; k++) {
		c->m[k].lc->committed = 1;
		rc = live_drain(c->m[k].lc);
	}
	if (rc == 0)
		rc = rc_sync_growth(c);
	rc_release(c);
	for (size_t k = 0; k < c->nm; k++)
		if (c->m[k].lc) {
			c->caught_up += c->m[k].lc->lines;
			c->caught_up_records += c->m[k].lc->lines - c->m[k].lc->invalid;
			c->caught_up_bytes += c->m[k].lc->bytes;
		}
	if (rc == 0)
		rc = rc_remove_old(c);
	if (rc != 0 && c->applied && !strstr(c->e->msg, "applied")) {
		char msg[PERR_MSG_MAX];
		memcpy(msg, c->e->msg, sizeof msg);
		perr_set(c->e, PX_IOERR, "the compaction was applied, but %s", msg);
	}
	free(order);
	return rc;
}
