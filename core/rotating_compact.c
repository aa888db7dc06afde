/* Rotating-set compaction (SPEC §5), in scanner passes over the members in
 * reading order, like compact.c for one file: memory stays bounded by the
 * number of files, never by the number of lines.
 *
 *   count   every line fed to the retention view (retention.h), which
 *           counts what its rules need; the line count and the last line
 *   plan    each line decided by the view, chunked greedily by max_bytes:
 *           how many files, which member feeds which file, whether
 *           anything changes at all
 *   write   the same decisions and chunks again, into one temp per file
 *
 * The decisions of `plan` and `write` are the same function of the same
 * bytes (each pass checks the members are still the files locked), so the
 * chunk count found by `plan` names the targets while `write` runs. */
#include "rotating_compact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* renameat */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rotating_set.h"
#include "fsmeta.h"
#include "fsutil.h"
#include "rotating_compact_int.h"

/* Attempts when the writer rotated the set before anything was changed:
 * a rotation comes once per max_bytes of records, so two in a row are rare. */
#define RC_MAX_ATTEMPTS 8

/* Bytes a line occupies in its member ("\n" included when present). */
static int64_t rc_in_bytes(const struct scan_line *l)
{
	return l->length + ((l->flags & SL_TRUNCATED) ? 0 : 1);
}

/* Output bytes of a kept line: always "\n"-terminated except the very
 * last line of the set, which stays as it is. */
static int64_t rc_out_len(const struct rc *c, const struct scan_line *l)
{
	int last = c->cur == c->last_member && l->offset == c->last_offset;
	return l->length + (((l->flags & SL_TRUNCATED) && last) ? 0 : 1);
}

static int rc_write(struct rc *c, const char *p, size_t n)
{
	if (fsutil_write_all(c->outfd, p, n, c->out->tmp_shown, c->e) != 0)
		return -1;
	fsutil_start_writeback(c->outfd, c->out->written, (int64_t)n);
	c->out->written += (int64_t)n;
	return 0;
}

static int rc_flush(struct rc *c)
{
	int rc = c->nbuf ? rc_write(c, c->buf, c->nbuf) : 0;
	c->nbuf = 0;
	return rc;
}

/* Create the temp file of target `t`: ".<name>.papyra-tmp-<pid>" beside
 * it, with the metadata of the newest member (core/fsmeta.h). */
static int rc_open_out(struct rc *c, struct rc_target *t)
{
	const struct stat *st = &c->m[c->nm - 1].st;
	if (!(t->tmp = fsutil_temp_name(px_basename(t->path), c->e)) ||
	    !(t->tmp_shown = fsutil_join(c->dir, t->tmp, c->e)))
		return -1;
	c->outfd = fsutil_create_at(c->dirfd, t->tmp, st->st_mode & 07777, t->tmp_shown, c->e);
	if (c->outfd < 0)
		return -1;
	t->created = 1;
	c->out = t;
	/* owner, mode and xattrs (ACLs) of the newest member */
	return fsmeta_copy(c->m[c->nm - 1].fd, st, c->outfd, t->tmp_shown, 0, c->e);
}

/* Flush, fsync and close the temp being written (one that receives
 * appended lines stays open for that). */
static int rc_finish_out(struct rc *c)
{
	if (!c->out)
		return 0;
	int rc = rc_flush(c);
	struct stat st;
	if (rc == 0)
		rc = fsutil_fsync(c->outfd, c->out->tmp_shown, c->e);
	if (rc == 0 && fstat(c->outfd, &st) != 0)
		rc = perr_set(c->e, PX_IOERR, "cannot stat %s: %s", c->out->tmp_shown, strerror(errno));
	if (rc == 0) {
		c->out->dev = st.st_dev;
		c->out->ino = st.st_ino;
	}
	if (c->out->growth_in)
		c->out->fd = c->outfd;
	else if (close(c->outfd) != 0 && rc == 0)
		rc = perr_set(c->e, PX_IOERR, "cannot close %s: %s", c->out->tmp_shown, strerror(errno));
	c->outfd = -1;
	c->out = NULL;
	return rc;
}

/* Append a kept line to the temp of its chunk, byte for byte. */
static int rc_emit(struct rc *c, const struct scan_line *l, int64_t len)
{
	if (c->ord >= c->nt)
		return perr_setr(c->e, PX_IOERR, PR_STALE, "the set changed during compaction; nothing was changed");
	struct rc_target *t = &c->t[c->nt - 1 - c->ord];
	if (c->out != t && (rc_finish_out(c) != 0 || rc_open_out(c, t) != 0))
		return -1;
	if (l->bytes && (size_t)len <= FSUTIL_BUF_SIZE) {
		if (c->nbuf + (size_t)len > FSUTIL_BUF_SIZE && rc_flush(c) != 0)
			return -1;
		memcpy(c->buf + c->nbuf, l->bytes, (size_t)l->length);
		if (len > l->length)
			c->buf[c->nbuf + (size_t)l->length] = '\n';
		c->nbuf += (size_t)len;
		return 0;
	}
	/* longer than the scanner's buffer: copy it from the locked member */
	const struct rc_member *m = &c->m[c->cur];
	if (rc_flush(c) != 0)
		return -1;
	for (int64_t off = l->offset, end = l->offset + l->length; off < end;) {
		size_t want = (size_t)(end - off) < FSUTIL_BUF_SIZE ? (size_t)(end - off) : FSUTIL_BUF_SIZE;
		ssize_t r = fsutil_pread(m->fd, c->buf, want, off, m->path, c->e);
		if (r <= 0)
			return r < 0 ? -1 : perr_set(c->e, PX_IOERR, "%s shrank during compaction", m->path);
		if (rc_write(c, c->buf, (size_t)r) != 0)
			return -1;
		off += r;
	}
	return len > l->length ? rc_write(c, "\n", 1) : 0;
}

static int rc_note_run(struct rc *c)
{
	const struct rc_run *last = c->nruns ? &c->runs[c->nruns - 1] : NULL;
	if (last && last->member == c->cur && last->ord == c->ord)
		return 0;
	if (px_grow(&c->runs, &c->capruns, c->nruns + 1, sizeof *c->runs, c->e) != 0)
		return -1;
	c->runs[c->nruns++] = (struct rc_run){c->cur, c->ord};
	return 0;
}

static void rc_on_line(void *ctx, const struct scan_line *l)
{
	struct rc *c = ctx;
	if (c->failed)
		return;
	if (c->pass == RC_COUNT) {
		c->lines++;
		c->last_member = c->cur;
		c->last_offset = l->offset;
		c->failed = retview_add(&c->rv, l, c->e) != 0;
		return;
	}
	if (!retview_compact_keeps(&c->rv, l))
		return;
	int64_t len = rc_out_len(c, l);
	/* Greedy, like the writer's rotation: a chunk takes lines while they
	 * fit (at least one); once only P is left it takes the rest. */
	if (c->chunk_lines && c->chunk_bytes + len > c->max_bytes && c->ord < c->max_files - 1) {
		c->ord++;
		c->chunk_bytes = c->chunk_lines = 0;
	}
	c->chunk_bytes += len;
	c->chunk_lines++;
	if (c->pass == RC_WRITE) {
		c->failed = rc_emit(c, l, len) != 0;
		return;
	}
	c->kept_lines++;
	c->kept_records += (l->flags & SL_VALID) != 0;
	c->out_bytes += len;
	c->added_newline |= len > rc_in_bytes(l);
	c->failed = rc_note_run(c) != 0;
}

/* One scanner pass over every member; each must still be the file locked. */
static int rc_pass(struct rc *c, enum rc_pass pass)
{
	struct scan_opts opts = {0};
	struct scan_sink sink = {c, rc_on_line};
	c->pass = pass;
	c->ord = c->chunk_bytes = c->chunk_lines = 0;
	if (pass != RC_COUNT)
		retview_rewind(&c->rv);
	for (size_t i = 0; i < c->nm; i++) {
		const struct rc_member *m = &c->m[i];
		struct scan_report rep;
		struct ndjson_scanner *s = NULL;
		scan_report_init(&rep);
		c->cur = i;
		if (m->limit == 0)
			continue; /* nothing complete yet: all of it is caught up later */
		opts.fd = m->fd;
		opts.limit = m->limit;
		int rc = ndjson_scanner_open(&s, m->path, m->path, &opts, &sink, &rep, c->e);
		while (rc == 0 && (rc = ndjson_scanner_step(s, SIZE_MAX)) == 1)
			rc = 0;
		ndjson_scanner_close(s);
		for (size_t k = 0; rc == 0 && k < rep.n_an; k++)
			if (rep.an[k].type == AN_PARTIAL_WRITE)
				rc = perr_set(c->e, PX_IOERR, "%s could not be read fully; nothing was changed",
					      m->path);
		if (rc == 0 && (rep.n_files != 1 || rep.files[0].ident.dev != m->id.dev ||
				rep.files[0].ident.ino != m->id.ino || rep.files[0].bytes != m->limit))
			rc = perr_setr(c->e, PX_IOERR, PR_STALE, "%s changed during compaction; nothing was changed",
				      m->path);
		scan_report_free(&rep);
		if (rc != 0 || c->failed)
			return -1;
	}
	if (pass == RC_COUNT)
		retview_finish(&c->rv);
	return 0;
}

/* Nothing dropped, nothing re-terminated, and every member is exactly one
 * chunk at its own index: the new layout is the old one. */
static int rc_unchanged(const struct rc *c)
{
	if (c->kept_lines != c->lines || c->added_newline)
		return 0;
	if (c->kept_lines == 0)
		return c->nm == 1 && c->m[0].index == 0; /* only an empty P */
	if ((size_t)c->nruns != c->nm)
		return 0;
	for (size_t i = 0; i < c->nruns; i++)
		if (c->runs[i].member != i || c->nt - 1 - c->runs[i].ord != c->m[i].index ||
		    (i && c->runs[i].ord == c->runs[i - 1].ord))
			return 0;
	return 1;
}

/* Open and lock every existing member, in reading order. */
static int rc_open_members(struct rc *c, const struct rotating_set *s)
{
	if (!(c->m = calloc(s->n ? s->n : 1, sizeof *c->m)))
		return perr_set(c->e, PX_IOERR, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		if (!s->m[i].exists)
			continue;
		struct rc_member *m = &c->m[c->nm];
		int err = 0;
		m->index = s->m[i].index;
		m->path = s->m[i].path;
		m->fd = fsutil_open_data(m->path, &m->st, &err, c->e);
		if (m->fd < 0) {
			if (err == ENOENT) /* gone since the listing: skipped like any missing member */
				continue;
			return -1;
		}
		c->nm++;
		if (fsutil_lock(m->fd, m->path, c->e) != 0 || fsutil_ident_fd(m->fd, &m->id, m->path, c->e) != 0)
			return -1;
		/* Only P is being appended to: a rotated member's unterminated last
		 * line is old damage, compacted (and terminated) like any line. */
		m->limit = m->id.size;
		if (m->index == 0 && live_planned_end(m->fd, m->path, m->id.size, c->buf, FSUTIL_BUF_SIZE,
						      &m->limit, c->e) != 0)
			return -1;
	}
	return 0;
}

/* The targets P ... P.(nt-1), each linked to the member now at its index,
 * and which of them must wait for lower indexes (see rc_install_all). */
static int rc_make_targets(struct rc *c, const char *path)
{
	if (!(c->t = calloc((size_t)c->nt, sizeof *c->t)))
		return perr_set(c->e, PX_IOERR, "out of memory");
	for (int64_t i = 0; i < c->nt; i++)
		c->t[i].fd = -1;
	for (int64_t i = 0; i < c->nt; i++) {
		c->t[i].path = i ? px_asprintf(c->e, "%s.%lld", path, (long long)i) : px_strdup(path, c->e);
		if (!c->t[i].path)
			return -1;
	}
	for (size_t k = 0; k < c->nm; k++)
		if (c->m[k].index < c->nt)
			c->t[c->m[k].index].old = &c->m[k];
	for (size_t r = 0; r < c->nruns; r++) {
		int64_t from = c->m[c->runs[r].member].index, to = c->nt - 1 - c->runs[r].ord;
		if (to < from && from < c->nt)
			c->t[from].moves_newer = 1;
		c->m[c->runs[r].member].growth = to; /* the last run of a member wins */
	}
	/* what is appended to a member goes after its last kept line (the
	 * newest file when none is kept) */
	for (size_t k = 0; k < c->nm; k++)
		c->t[c->m[k].growth].growth_in = 1;
	return 0;
}

int rc_still_same(const struct rc *c, const struct rc_member *m)
{
	struct stat now;
	if (fstatat(c->dirfd, px_basename(m->path), &now, AT_SYMLINK_NOFOLLOW) != 0 ||
	    now.st_dev != m->st.st_dev || now.st_ino != m->st.st_ino)
		return perr_set(c->e, PX_IOERR, "%s was replaced during compaction (a rotation?); "
				"nothing was changed", m->path);
	return 0;
}

/* Write every target's temp (rc_commit checks nothing moved, under leases). */
static int rc_write_all(struct rc *c)
{
	int rc = rc_pass(c, RC_WRITE);
	if (rc == 0)
		rc = rc_finish_out(c);
	/* a target with no lines (everything dropped: P stays, empty) */
	for (int64_t i = 0; rc == 0 && i < c->nt; i++)
		if (!c->t[i].created && (rc = rc_open_out(c, &c->t[i])) == 0)
			rc = rc_finish_out(c);
	return rc;
}

static void rc_cleanup(struct rc *c)
{
	if (c->outfd >= 0)
		close(c->outfd);
	for (int64_t i = 0; c->t && i < c->nt; i++) {
		if (c->t[i].fd >= 0)
			close(c->t[i].fd);
		if (c->t[i].created && !c->t[i].installed && !c->applied)
			unlinkat(c->dirfd, c->t[i].tmp, 0);
		free(c->t[i].path);
		free(c->t[i].tmp);
		free(c->t[i].tmp_shown);
	}
	for (size_t k = 0; k < c->nm; k++) {
		close(c->m[k].fd);
		free(c->m[k].lc);
	}
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->t);
	free(c->m);
	free(c->runs);
	free(c->buf);
	free(c->dir);
	retview_free(&c->rv);
}

int rotating_compact_finish(const char *path, perr *e)
{
	char *intent = rotating_compact_intent(path, e);
	struct stat st;
	int none = intent && lstat(intent, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
	free(intent);
	if (none)
		return 0;
	char *dir = fsutil_dirname(path, e), *buf = px_malloc(FSUTIL_BUF_SIZE, e);
	int dirfd = dir && buf ? fsutil_open_dir(dir, 0, e) : -1;
	int rc = dirfd < 0 ? -1 : rc_finish(dirfd, dir, px_basename(path), buf, FSUTIL_BUF_SIZE, e);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	free(buf);
	return rc;
}

/* One attempt: 0 done, 1 the set rotated before anything changed, -1. */
static int rc_attempt(const char *path, int64_t max_files, int64_t max_bytes,
		      const struct retention *ret, double now, struct compact_result *res, perr *e)
{
	struct rotating_set set;
	if (rotating_set_list(path, max_files, &set, e) != 0)
		return -1;
	struct rc c = {
		.max_bytes = max_bytes, .max_files = max_files, .dirfd = -1, .outfd = -1, .e = e,
		.base = px_basename(path),
	};
	retview_init(&c.rv, ret, now, 0);
	int rc = 0;
	if (!(c.buf = px_malloc(FSUTIL_BUF_SIZE, e)) || !(c.dir = fsutil_dirname(path, e)) ||
	    (c.dirfd = fsutil_open_dir(c.dir, 0, e)) < 0)
		rc = -1;
	if (rc == 0)
		rc = rc_open_members(&c, &set);
	if (rc == 0 && c.nm == 0)
		goto out; /* an empty set has nothing to compact */
	if (rc == 0)
		rc = rc_pass(&c, RC_COUNT);
	for (size_t k = 0; k < c.nm; k++)
		res->before_bytes += c.m[k].limit;
	res->before_records = res->after_records = retview_records(&c.rv);
	res->after_bytes = res->before_bytes;
	if (rc == 0)
		rc = rc_pass(&c, RC_PLAN);
	/* no kept line at all still leaves P, empty */
	c.nt = c.kept_lines ? c.ord + 1 : 1;
	if (rc != 0 || rc_unchanged(&c))
		goto out;
	rc = rc_make_targets(&c, path);
	if (rc == 0)
		rc = rc_write_all(&c);
	if (rc == 0)
		rc = rc_commit(&c);
	res->applied = c.applied;
	res->lines_caught_up = c.caught_up;
	memcpy(res->lease_note, c.lease_note, sizeof res->lease_note);
	if (rc == 0 || c.applied) {
		res->after_records = c.kept_records + c.caught_up_records;
		res->after_bytes = c.out_bytes + c.caught_up_bytes;
	}
out:
	rc_cleanup(&c);
	rotating_set_free(&set);
	return rc;
}

int rotating_compact(const char *path, int64_t max_files, int64_t max_bytes,
		     const struct retention *ret, double now, struct compact_result *res, perr *e)
{
	memset(res, 0, sizeof *res);
	res->backend = "rotating";
	res->bytes_known = 1;
	if (max_files < 1 || max_bytes < 1)
		return perr_set(e, PX_USAGE, "--max-files and --max-bytes must be at least 1");
	/* a compaction that was interrupted is finished first */
	int rc = rotating_compact_finish(path, e);
	if (rc != 0)
		return rc;
	for (int attempt = 0; attempt < RC_MAX_ATTEMPTS; attempt++) {
		memset(res, 0, sizeof *res);
		res->backend = "rotating";
		res->bytes_known = 1;
		rc = rc_attempt(path, max_files, max_bytes, ret, now, res, e);
		if (rc != 1)
			return rc;
	}
	return perr_set(e, PX_IOERR, "%s: the set kept rotating during compaction (%d attempts); "
			"nothing was changed", path, RC_MAX_ATTEMPTS);
}
