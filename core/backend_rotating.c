/* The rotating set's backend table (backend_rotating.h): the set on disk
 * and its scan are core/rotating_set.c, reading back core/file_scan.c,
 * recovery the file plans of recover.c, compaction rotating_compact.c. */
#include "backend_rotating.h"

#include <stdlib.h>

#include "metrics.h"
#include "rotating_compact.h"

static int rotating_scan_open(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
			      struct scan_report *r, void **impl, perr *e)
{
	return rotating_set_scan_open(b->cfg->path, b->cfg->max_files, o, sink, r, (struct file_scan **)impl, e);
}

static int rotating_scan_step(void *impl, double deadline_ms)
{
	return file_scan_step(impl, deadline_ms);
}

static void rotating_scan_progress(const void *impl, int64_t *done, int64_t *total)
{
	file_scan_progress(impl, done, total);
}

static void rotating_scan_close(void *impl)
{
	file_scan_close(impl);
}

static int rotating_read_row(struct backend *b, const struct backend_rowref *ref, struct backend_row *out,
			     perr *e)
{
	(void)b;
	return file_read_row(ref, out, e);
}

static void rotating_paths_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int rotating_position(struct backend *b, struct backend_pos *out, perr *e)
{
	char **v;
	size_t n;
	if (rotating_set_paths(b->cfg->path, b->cfg->max_files, &v, &n, e) < 0)
		return -1;
	int rc = file_position(v, n, out, e);
	rotating_paths_free(v, n);
	return rc;
}

static int rotating_since(struct backend *b, const struct backend_pos *at, struct backend_growth *out, perr *e)
{
	char **v;
	size_t n;
	if (rotating_set_paths(b->cfg->path, b->cfg->max_files, &v, &n, e) < 0)
		return -1;
	int rc = file_since(at, v, n, out, e);
	rotating_paths_free(v, n);
	return rc;
}

static int rotating_plan(struct backend *b, const struct scan_report *r, enum recovery_mode mode,
			 const char *qdir, struct plan *p, perr *e)
{
	if (mode == RM_QUARANTINE && qdir && *qdir) {
		int same = rotating_is_set_dir(b->cfg->path, qdir, e);
		if (same < 0)
			return -1;
		if (same)
			return perr_set(e, PX_USAGE, "quarantine directory %s is the rotating set's own "
					"directory: what is moved there would be orphans of the set; "
					"choose another directory", qdir);
	}
	/* Report paths are the real paths (P's directory prefix + name), so no
	 * mapping is needed: orphans and temps resolve beside them. */
	if (plan_build_files(p, r, NULL, mode, qdir, e) != 0)
		return -1;
	free(p->set_path);
	p->set_max_files = b->cfg->max_files;
	return (p->set_path = px_strdup(b->cfg->path, e)) ? 0 : -1;
}

static int rotating_apply(struct backend *b, const struct plan *p,
			  const struct apply_progress *prog, struct apply_result *res, perr *e)
{
	(void)b;
	int rc = plan_apply_files(p, prog, res, e);
	metrics_note_recovery(rc == 0);
	return rc;
}

static int rotating_compact_op(struct backend *b, const struct retention *ret,
			       struct compact_result *res, perr *e)
{
	const struct config *c = b->cfg;
	int rc = rotating_compact(c->path, c->max_files, c->max_bytes, ret, px_now(), res, e);
	metrics_note_compaction(rc == 0);
	return rc;
}

static void rotating_close(struct backend *b)
{
	free(b->location);
	free(b);
}

static const struct backend_traits rotating_traits = {
	.noun = "line", .nouns = "lines", .store = "set", .unit = "file",
	.has_files = 1, .several = 1, .rotates = 1, .measures_bytes = 1, .trims_by_bytes = 1, .quarantine_dir = 1,
};

const struct backend_ops backend_rotating_ops = {
	.name = "rotating",
	.class_name = "RotatingFilePersistence",
	.traits = &rotating_traits,
	.scan = backend_scan_whole,
	.scan_open = rotating_scan_open,
	.scan_step = rotating_scan_step,
	.scan_progress = rotating_scan_progress,
	.scan_close = rotating_scan_close,
	.read_row = rotating_read_row,
	.position = rotating_position,
	.since = rotating_since,
	.plan = rotating_plan,
	.apply = rotating_apply,
	.compact = rotating_compact_op,
	.close = rotating_close,
};

int backend_rotating_open(const struct config *c, struct backend **out, perr *e)
{
	*out = NULL;
	if (!c->path || !*c->path || !*px_basename(c->path))
		return perr_set(e, PX_USAGE, "the rotating backend needs --path naming the active file");
	if (c->max_files < 1 || c->max_bytes < 1)
		return perr_set(e, PX_USAGE, "--max-files and --max-bytes must be at least 1");
	if (check_regular_or_missing(c->path, e) < 0)
		return -1;
	struct backend *b = calloc(1, sizeof *b);
	if (!b || !(b->location = px_strdup(c->path, e))) {
		free(b);
		return perr_set(e, PX_IOERR, "out of memory");
	}
	b->ops = &backend_rotating_ops;
	b->cfg = c;
	*out = b;
	return 0;
}
