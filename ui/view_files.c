/* Files: each scanned file with its size, lines, records and anomalies
 * (one for the single-file backend; every member of a rotating set,
 * oldest first, then the files beside it that are not members: orphans
 * and leftover temporary files; the three streams for Redis, with their
 * entries and the bytes of their `data`, and each stream's consumer groups
 * after its key: name, pending, lag, pending ids whose entry is gone).
 * Enter opens Raw at the file's first line. */
#include <stdio.h>
#include <sys/stat.h>

#include "app.h"
#include "screen.h"

/* "  [groups: G 8 pending, lag 1, 2 gone; H 0 pending]" after a stream
 * that has consumer groups, else nothing. */
static void groups_tail(const struct scan_file *f, char *buf, size_t n)
{
	size_t at = 0;
	buf[0] = '\0';
	if (f->groups_error)
		snprintf(buf, n, "  [groups not read]");
	for (size_t k = 0; k < f->n_groups && at < n; k++) {
		const struct scan_group *g = &f->groups[k];
		char lag[32] = "", gone[32] = "";
		if (g->lag >= 0)
			snprintf(lag, sizeof lag, ", lag %lld", (long long)g->lag);
		if (g->dangling)
			snprintf(gone, sizeof gone, ", %lld gone", (long long)g->dangling);
		int w = snprintf(buf + at, n - at, "%s%s %lld pending%s%s%s", k ? "; " : "  [groups: ", g->name,
				 (long long)g->pending, lag, gone, k + 1 == f->n_groups ? "]" : "");
		at += w > 0 ? (size_t)w : 0;
	}
}

/* Report entries, then (rotating) the anomalies that are files of their own. */
static int is_extra(const struct console *c, const struct anomaly *a)
{
	return c->m.t->rotates && a->line <= 0 &&
	       (a->type == AN_ORPHANED_ROTATED_FILE || (a->type == AN_UNEXPECTED_FILE && (a->flags & AF_TEMP_FILE)));
}

static int64_t files_rows(struct console *c, struct view *v)
{
	(void)v;
	int64_t n = (int64_t)c->m.rep.n_files;
	for (size_t i = 0; c->m.t->rotates && i < c->m.rep.n_an; i++)
		n += is_extra(c, &c->m.rep.an[i]);
	return n;
}

/* The k-th extra file (0-based) among the anomalies. */
static const struct anomaly *extra_at(const struct console *c, int64_t k)
{
	for (size_t i = 0; i < c->m.rep.n_an; i++)
		if (is_extra(c, &c->m.rep.an[i]) && k-- == 0)
			return &c->m.rep.an[i];
	return NULL;
}

static void files_head(struct console *c, struct view *v, int y, int w)
{
	(void)v;
	console_cell(y, 0, w, ROLE_TITLE, c->m.t->ids ?
		     "        BYTES    ENTRIES     EVENTS     AUDITS  DEAD LTRS  ANOMALIES  STREAM" :
		     "        BYTES      LINES     EVENTS     AUDITS  DEAD LTRS  ANOMALIES  FILE");
}

static void extra_row(const struct anomaly *a, int y, int w, int selected)
{
	char buf[1200], size[24] = "?";
	struct stat st;
	if (lstat(a->path, &st) == 0)
		snprintf(size, sizeof size, "%lld", (long long)st.st_size);
	snprintf(buf, sizeof buf, "%13s %10s %10s %10s %10s %10d  %s  (%s)", size, "-", "-", "-", "-", 1, a->path,
		 a->type == AN_ORPHANED_ROTATED_FILE ? "orphan" : "leftover temp");
	console_cell(y, 0, w, ROLE_ANOMALY | (selected ? ROLE_SELECTED : 0), buf);
}

static void files_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)v;
	if ((size_t)row >= c->m.rep.n_files) {
		const struct anomaly *a = extra_at(c, row - (int64_t)c->m.rep.n_files);
		if (a)
			extra_row(a, y, w, selected);
		return;
	}
	const struct scan_file *f = &c->m.rep.files[row];
	char buf[1200], groups[600], tag[16];
	groups_tail(f, groups, sizeof groups);
	const char *state = f->ident.exists ? "" : c->m.t->ids ? "  (no such key: clean)" : "  (missing: clean)";
	/* while indexing, the single file's entry is only final at the end: show live counts */
	int64_t lines = model_scanning(&c->m) && !c->m.t->several ? (int64_t)c->m.n : f->lines;
	snprintf(buf, sizeof buf, "%13lld %10lld %10lld %10lld %10lld %10lld  %s%s%s%s", (long long)f->bytes,
		 (long long)lines, (long long)f->records[RK_EVENT], (long long)f->records[RK_AUDIT],
		 (long long)f->records[RK_DEAD_LETTER], (long long)f->anomalies, merge_file_tag(c, (size_t)row, tag, sizeof tag), f->path, state, groups);
	console_cell(y, 0, w, (f->anomalies ? ROLE_ANOMALY : ROLE_NORMAL) | (selected ? ROLE_SELECTED : 0), buf);
}

static void files_enter(struct console *c, struct view *v, int64_t row)
{
	(void)v;
	const struct model_seg *s = (size_t)row < c->m.rep.n_files ? model_seg_of_file(&c->m, (size_t)row) : NULL;
	if (c->m.t->several && !s) {
		console_status(c, ROLE_WARN, "%s", " Nothing to show in Raw: no line of this one was indexed");
		return;
	}
	c->cur = V_RAW;
	if (c->m.t->several)
		console_goto(c, &c->views[V_RAW], (int64_t)s->first);
}

const struct view_ops view_files_ops = {
	.name = "Files",
	.empty = "No files.",
	.rows = files_rows,
	.draw_head = files_head,
	.draw_row = files_row,
	.enter = files_enter,
};
