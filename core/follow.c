/* Following a live store (follow.h). */
#include "follow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "schema.h"

struct follow {
	struct backend *b;
	const struct backend_traits *t;
	struct scan_report *r;
	const struct scan_sink *sink;
	void (*drop)(void *ctx);
	void *drop_ctx;
	struct backend_pos pos;  /* what the report covers */
	int active;              /* files: the active file is followed in place */
	size_t fi;               /* its entry in r->files */
	int64_t end;             /* scanned up to here (a line start) */
	int64_t next_line;       /* number of the line at `end` */
	int64_t tail_line;       /* > 0: the last scanned line is an unterminated tail (TRUNCATED_LINE) */
	size_t tail_an;          /* r->n_an before its anomalies */
	int64_t pending;         /* bytes after `end` not scanned yet: a line being written */
	double pending_since;    /* when `pending` last changed */
	int more;                /* a slice of a large append remains */
	int whole;               /* the last slice held no whole line: the next one is not cut */
	double next_ms;          /* the next poll */
	int entries;             /* Redis: appended entries are scanned here (backend scan_since) */
	int ino;                 /* inotify descriptor, or -1 */
};

/* The mark of unit `unit` in the position, or NULL. */
static struct backend_mark *mark_of(struct follow *f, const char *unit)
{
	for (size_t i = 0; i < f->pos.n; i++)
		if (strcmp(f->pos.v[i].unit, unit) == 0)
			return &f->pos.v[i];
	return NULL;
}

static const struct scan_file *report_file(const struct scan_report *r, const char *path)
{
	for (size_t i = 0; i < r->n_files; i++)
		if (strcmp(r->files[i].path, path) == 0)
			return &r->files[i];
	return NULL;
}

/* Files: the marks say what the scan read, not what is there now, so an
 * append between the scan and the position is not lost. */
static void marks_from_report(struct follow *f)
{
	for (size_t i = 0; i < f->pos.n; i++) {
		struct backend_mark *m = &f->pos.v[i];
		const struct scan_file *sf = report_file(f->r, m->unit);
		if (!sf || !sf->ident.exists) {
			m->exists = 0; /* not scanned: it shows up as new */
			memset(&m->ident, 0, sizeof m->ident);
			continue;
		}
		if (m->ident.dev != sf->ident.dev || m->ident.ino != sf->ident.ino)
			m->ident = sf->ident; /* another file since: REPLACED */
		m->ident.size = sf->bytes;
	}
}

/* The last line of the active file, when it was scanned unterminated. */
static void find_tail(struct follow *f)
{
	const struct scan_report *r = f->r;
	const struct scan_file *sf = &r->files[f->fi];
	f->tail_line = 0;
	if (r->n_mem != r->n_an)
		return;
	size_t k = r->n_an;
	while (k > 0 && strcmp(r->an[k - 1].path, sf->path) == 0 && r->an[k - 1].line == sf->lines &&
	       sf->lines > 0) {
		k--;
		if (r->an[k].type == AN_TRUNCATED_LINE)
			f->tail_line = sf->lines;
	}
	f->tail_an = k;
}

int follow_open(struct follow **out, struct backend *b, struct scan_report *r,
		const struct scan_sink *sink, void (*drop)(void *ctx), void *drop_ctx, perr *e)
{
	*out = NULL;
	if (!b->ops->position || !b->ops->since)
		return perr_set(e, PX_USAGE, "this store cannot be followed");
	struct follow *f = calloc(1, sizeof *f);
	if (!f)
		return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	f->b = b;
	f->t = backend_traits(b);
	f->r = r;
	f->sink = sink;
	f->drop = drop;
	f->drop_ctx = drop_ctx;
	f->ino = -1;
	if (b->ops->position(b, &f->pos, e) < 0) {
		free(f);
		return -1;
	}
	if (!f->t->has_files && b->ops->scan_since && b->cfg->scan_sample_size <= 0) {
		/* the marks say what the scan read: entries added since are new */
		int oom = 0;
		f->entries = 1;
		for (size_t i = 0; i < f->pos.n; i++)
			f->entries &= report_file(r, f->pos.v[i].unit) != NULL; /* else: re-index on growth */
		for (size_t i = 0; f->entries && i < f->pos.n; i++) {
			struct backend_mark *m = &f->pos.v[i];
			const struct scan_file *sf = report_file(r, m->unit);
			free(m->last_id);
			m->last_id = NULL;
			m->exists = sf->ident.exists;
			m->entries = sf->lines;
			if (sf->last_id[0] && !(m->last_id = strdup(sf->last_id)))
				oom = 1;
		}
		if (oom) {
			backend_pos_free(&f->pos);
			free(f);
			return perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
		}
	}
	if (f->t->has_files) {
		marks_from_report(f);
		const char *active = b->cfg->path;
		if (r->n_files && active && strcmp(r->files[r->n_files - 1].path, active) == 0 &&
		    r->files[r->n_files - 1].ident.exists) {
			f->active = 1;
			f->fi = r->n_files - 1;
			f->end = r->files[f->fi].bytes;
			f->next_line = r->files[f->fi].lines + 1;
			find_tail(f);
		}
#ifdef __linux__
		/* the directory: appends, and the renames and creations of a rotation */
		/* PAPYRA_FOLLOW_POLL=1: the stat poll alone, as where inotify is missing (tests) */
		const char *poll_only = getenv("PAPYRA_FOLLOW_POLL");
		char *dir = active && !(poll_only && strcmp(poll_only, "1") == 0) ? strdup(active) : NULL;
		if (dir) {
			char *slash = strrchr(dir, '/');
			if (slash)
				slash[slash == dir] = '\0';
			f->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
			if (f->ino >= 0 && inotify_add_watch(f->ino, slash ? dir : ".",
							     IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
							     IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB) < 0) {
				close(f->ino);
				f->ino = -1;
			}
			free(dir);
		}
#endif
	}
	*out = f;
	return 0;
}

void follow_close(struct follow *f)
{
	if (!f)
		return;
	if (f->ino >= 0)
		close(f->ino);
	backend_pos_free(&f->pos);
	free(f);
}

int follow_fd(const struct follow *f)
{
	return f ? f->ino : -1;
}

void follow_drain(struct follow *f)
{
	char buf[4096];
	while (f && f->ino >= 0 && read(f->ino, buf, sizeof buf) > 0)
		;
	if (f)
		f->next_ms = 0; /* something happened: look at the next chance */
}

int follow_due_ms(const struct follow *f, double now_ms)
{
	if (f->more || now_ms >= f->next_ms)
		return 0;
	double due = f->next_ms - now_ms;
	if (f->pending && f->pending_since + FOLLOW_WRITTEN_MS - now_ms < due)
		due = f->pending_since + FOLLOW_WRITTEN_MS - now_ms;
	return due < 0 ? 0 : (int)due + 1;
}

int64_t follow_pending(const struct follow *f)
{
	return f ? f->pending : 0;
}

/* The kind of the record a complete tail line holds (it was counted). */
static enum rec_kind tail_kind(const struct scan_file *sf, const struct anomaly *a)
{
	enum rec_kind k = RK_UNKNOWN;
	if (!(a->flags & AF_TAIL_COMPLETE) || a->length <= 0 || a->length > (1 << 24))
		return k;
	char *buf = malloc((size_t)a->length);
	int fd = open(sf->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (buf && fd >= 0 && pread(fd, buf, (size_t)a->length, (off_t)a->offset) == (ssize_t)a->length) {
		struct jsonv v;
		struct jsonv_field fields[SF__COUNT];
		struct jsonv_capture cap;
		struct scan_line sl = { 0 };
		schema_capture_init(fields, &cap);
		if (scan_classify_record(buf, (size_t)a->length, 0, &v, &cap, &sl, NULL, 0) == SV_OBJECT)
			k = sl.kind;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return k;
}

/* The tail scanned as TRUNCATED_LINE goes on: take it back, to scan it
 * again from its first byte.  0, or -1 when it cannot be (a new scan). */
static int take_back_tail(struct follow *f)
{
	struct scan_report *r = f->r;
	struct scan_file *sf = &r->files[f->fi];
	const struct anomaly *a = NULL;
	for (size_t k = f->tail_an; k < r->n_an; k++)
		if (r->an[k].type == AN_TRUNCATED_LINE)
			a = &r->an[k];
	if (!a)
		return -1;
	int64_t off = a->offset;
	enum rec_kind kind = tail_kind(sf, a);
	if (a->flags & AF_TAIL_COMPLETE && sf->records[kind] <= 0)
		return -1;
	if (a->flags & AF_TAIL_COMPLETE)
		sf->records[kind]--;
	sf->anomalies -= (int64_t)(r->n_an - f->tail_an);
	sf->lines--;
	if (scan_report_truncate(r, f->tail_an) < 0)
		return -1;
	if (f->drop)
		f->drop(f->drop_ctx);
	f->end = off;
	f->next_line = f->tail_line;
	f->tail_line = 0;
	return 0;
}

/* Scan what the active file has past `end`: whole lines, and the tail too
 * when `tail`.  Returns 1 when lines came, 0 when none, 2 when the file
 * is not the one followed any more, -1 (e). */
static int scan_more(struct follow *f, int64_t size, int tail, double now_ms, perr *e)
{
	struct scan_file *sf = &f->r->files[f->fi];
	if (f->tail_line && take_back_tail(f) < 0)
		return 2;
	int64_t before = sf->lines;
	struct scan_opts o = { .complete_only = !tail };
	f->more = 0;
	if (size - f->end > FOLLOW_SLICE_BYTES && !tail && !f->whole) {
		o.limit = f->end + FOLLOW_SLICE_BYTES;
		f->more = 1;
	}
	struct scan_more m;
	if (scan_ndjson_continue(f->r, f->fi, f->end, f->next_line, &o, f->sink, &m, e) < 0)
		return -1;
	if (m.changed)
		return 2;
	sf = &f->r->files[f->fi];
	int64_t got = sf->lines - before;
	/* one line longer than a slice: the next scan reads on to the end */
	f->whole = f->more && !got;
	f->next_line += got;
	if (tail && m.pending) {
		/* the tail went to the sink as the last line */
		f->tail_line = f->next_line - 1;
		f->end = m.end;
		f->pending = 0;
		size_t k = f->r->n_an;
		while (k > 0 && strcmp(f->r->an[k - 1].path, sf->path) == 0 && f->r->an[k - 1].line == f->tail_line)
			k--;
		f->tail_an = k;
	} else {
		if (m.pending != f->pending || m.end != f->end)
			f->pending_since = now_ms;
		f->end = m.end;
		f->pending = m.pending;
	}
	struct backend_mark *mk = mark_of(f, sf->path);
	if (mk) {
		mk->exists = 1;
		mk->ident = sf->ident;
		mk->ident.size = sf->bytes; /* what was read: more than that is an append */
	}
	return got > 0;
}

static const char *shown_name(const struct follow *f, const char *unit)
{
	return f->t->has_files ? px_basename(unit) : unit;
}

/* What a growth that is not an append means, for people. */
static void describe(struct follow *f, const struct backend_growth *g, struct follow_result *res)
{
	const struct backend_unit_growth *active = NULL;
	int others = 0, gone = 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct backend_unit_growth *u = &g->v[i];
		if (u->state == GROW_SAME)
			continue;
		if (f->active && strcmp(u->unit, f->r->files[f->fi].path) == 0)
			active = u;
		else if (u->state != GROW_APPENDED)
			others++;
		gone += u->state == GROW_GONE;
	}
	char *b = res->banner;
	size_t cap = sizeof res->banner;
	if (!f->t->has_files) {
		int existed = 0;
		for (size_t i = 0; i < f->pos.n; i++)
			existed += f->pos.v[i].exists;
		int all = gone > 0 && gone == existed;
		const struct backend_unit_growth *u = NULL;
		for (size_t i = 0; i < g->n && !u; i++)
			if (g->v[i].state == GROW_GONE || g->v[i].state == GROW_REPLACED)
				u = &g->v[i];
		if (all)
			snprintf(b, cap, "Every stream is gone (DEL or FLUSHDB): re-indexing");
		else if (u && u->state == GROW_GONE)
			snprintf(b, cap, "Stream %s was deleted: re-indexing", u->unit);
		else if (u)
			snprintf(b, cap, "Entries were deleted at the end of stream %s: re-indexing", u->unit);
		else
			snprintf(b, cap, "A stream appeared: re-indexing");
		return;
	}
	/* the unit to tell of: the active file when it changed, else the first other */
	const struct backend_unit_growth *u = active && active->state != GROW_APPENDED ? active : NULL;
	for (size_t i = 0; i < g->n && !u; i++)
		if (g->v[i].state != GROW_SAME && g->v[i].state != GROW_APPENDED)
			u = &g->v[i];
	if (!u) {
		snprintf(b, cap, "The files of the store changed: re-indexing");
		return;
	}
	const char *name = shown_name(f, u->unit);
	struct file_ident now = { 0 };
	perr ignored = { 0 };
	if (file_ident_get(u->unit, &now, &ignored) < 0)
		now.exists = 0;
	const struct backend_mark *wm = mark_of(f, u->unit);
	const struct file_ident *was = wm ? &wm->ident : &now;
	int same_file = now.exists && now.dev == was->dev && now.ino == was->ino;
	if (f->t->rotates && u == active && others && !same_file)
		snprintf(b, cap, "The set rotated (%s is a new file, the others moved along): re-indexing", name);
	else if (u->state == GROW_GONE)
		snprintf(b, cap, "%s was removed: re-indexing", name);
	else if (same_file && now.size < was->size)
		snprintf(b, cap, "%s was truncated (%lld to %lld bytes): re-indexing", name, (long long)was->size,
			 (long long)now.size);
	else if (u->state == GROW_REPLACED)
		snprintf(b, cap, "%s was replaced by another file: re-indexing", name);
	else
		snprintf(b, cap, "%s appeared: indexing it", name);
}

/* Redis: the entries the streams got, scanned in stream order (at most
 * FOLLOW_SLICE_ENTRIES a check; `more` when some remain).  Returns 1 when
 * entries came, 0, or -1 (e). */
static int scan_entries(struct follow *f, const struct backend_growth *g, perr *e)
{
	struct scan_opts o = { 0 };
	int64_t budget = FOLLOW_SLICE_ENTRIES, got = 0;
	f->more = 0;
	for (size_t i = 0; i < g->n && budget > 0; i++) {
		const struct backend_unit_growth *u = &g->v[i];
		struct backend_mark *m = mark_of(f, u->unit);
		if (!m || (u->state != GROW_APPENDED && u->state != GROW_NEW))
			continue;
		int64_t before = m->entries;
		int rc = f->b->ops->scan_since(f->b, m, budget, &o, f->sink, f->r, e);
		if (rc < 0)
			return -1;
		m->deleted = u->deleted;
		got += m->entries - before;
		budget -= m->entries - before;
		f->more |= rc == 1;
	}
	f->more |= budget <= 0;
	return got > 0;
}

int follow_check(struct follow *f, double now_ms, struct follow_result *res, perr *e)
{
	memset(res, 0, sizeof *res);
	if (!f->more && now_ms < f->next_ms &&
	    !(f->pending && now_ms >= f->pending_since + FOLLOW_WRITTEN_MS))
		return 0;
	f->next_ms = now_ms + (f->ino >= 0 ? FOLLOW_SAFETY_MS : FOLLOW_POLL_MS);
	struct backend_growth g;
	if (f->b->ops->since(f->b, &f->pos, &g, e) < 0)
		return -1;
	int rescan = g.rescan, append = 0;
	int64_t size = 0;
	for (size_t i = 0; i < g.n && !rescan; i++) {
		const struct backend_unit_growth *u = &g.v[i];
		if (u->state == GROW_SAME)
			continue;
		if (f->active && u->state == GROW_APPENDED && strcmp(u->unit, f->r->files[f->fi].path) == 0) {
			append = 1;
			size = u->to;
		} else if (f->entries && (u->state == GROW_APPENDED || u->state == GROW_NEW)) {
			append = 1;
		} else {
			rescan = 1;
		}
	}
	int identity = g.rescan;
	if (rescan) {
		res->what = FW_RESCAN;
		res->identity = identity;
		if (identity || f->t->has_files)
			describe(f, &g, res);
		backend_growth_free(&g);
		return 0;
	}
	if (f->entries) {
		f->more = 0; /* nothing left when nothing grew */
		int rc = append ? scan_entries(f, &g, e) : 0;
		backend_growth_free(&g);
		if (rc < 0)
			return -1;
		res->what = rc ? FW_GREW : FW_SAME;
		return 0;
	}
	backend_growth_free(&g);
	int tail = f->pending && now_ms >= f->pending_since + FOLLOW_WRITTEN_MS;
	if (!append && !tail && !f->more)
		return 0;
	if (!append) {
		struct file_ident id;
		if (file_ident_get(f->r->files[f->fi].path, &id, e) < 0)
			return -1;
		size = id.size;
	}
	int rc = scan_more(f, size, tail && !append, now_ms, e);
	if (rc < 0)
		return -1;
	if (rc == 2) {
		res->what = FW_RESCAN;
		res->identity = 1;
		snprintf(res->banner, sizeof res->banner, "%s changed while it was read: re-indexing",
			 px_basename(f->r->files[f->fi].path));
		return 0;
	}
	res->what = rc ? FW_GREW : FW_SAME;
	return 0;
}
