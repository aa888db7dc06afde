/* Files: each scanned file with its size, lines, records, anomalies and
 * time range (one for the single-file backend). */
#include <stdio.h>

#include "app.h"
#include "screen.h"

static int64_t files_rows(struct console *c, struct view *v)
{
	(void)v;
	return (int64_t)c->m.rep.n_files;
}

static void files_head(struct console *c, struct view *v, int y, int w)
{
	(void)c;
	(void)v;
	console_cell(y, 0, w, ROLE_TITLE,
		     "        BYTES      LINES     EVENTS     AUDITS  DEAD LTRS  ANOMALIES  FILE");
}

static void files_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)v;
	const struct scan_file *f = &c->m.rep.files[row];
	char buf[1200];
	const char *state = !f->ident.exists ? "  (missing: clean)" : "";
	/* while indexing, the file entry is only final at the end: show live counts */
	int64_t lines = model_scanning(&c->m) ? (int64_t)c->m.n : f->lines;
	snprintf(buf, sizeof buf, "%13lld %10lld %10lld %10lld %10lld %10lld  %s%s", (long long)f->bytes,
		 (long long)lines, (long long)f->records[RK_EVENT], (long long)f->records[RK_AUDIT],
		 (long long)f->records[RK_DEAD_LETTER], (long long)f->anomalies, f->path, state);
	console_cell(y, 0, w, (f->anomalies ? ROLE_ANOMALY : ROLE_NORMAL) | (selected ? ROLE_SELECTED : 0), buf);
}

static void files_enter(struct console *c, struct view *v, int64_t row)
{
	(void)v;
	(void)row;
	c->cur = V_RAW;
}

const struct view_ops view_files_ops = {
	.name = "Files",
	.empty = "No files.",
	.rows = files_rows,
	.draw_head = files_head,
	.draw_row = files_row,
	.enter = files_enter,
};
