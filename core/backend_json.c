/* The single-file backend's table (backend_json.h): the scan, reading
 * back and following are core/file_scan.c's, the plan recover.c's,
 * compaction compact.c's. */
#include "backend_json.h"

#include <stdlib.h>

#include "compact.h"
#include "metrics.h"

static int json_scan_open(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
			  struct scan_report *r, void **impl, perr *e)
{
	return file_scan_open_single((struct file_scan **)impl, b->cfg->path, o, sink, r, e);
}

static int json_scan_step(void *impl, double deadline_ms)
{
	return file_scan_step(impl, deadline_ms);
}

static void json_scan_progress(const void *impl, int64_t *done, int64_t *total)
{
	file_scan_progress(impl, done, total);
}

static void json_scan_close(void *impl)
{
	file_scan_close(impl);
}

static int json_read_row(struct backend *b, const struct backend_rowref *ref, struct backend_row *out, perr *e)
{
	(void)b;
	return file_read_row(ref, out, e);
}

static int json_position(struct backend *b, struct backend_pos *out, perr *e)
{
	char *const paths[1] = { b->cfg->path };
	return file_position(paths, 1, out, e);
}

static int json_since(struct backend *b, const struct backend_pos *at, struct backend_growth *out, perr *e)
{
	char *const paths[1] = { b->cfg->path };
	return file_since(at, paths, 1, out, e);
}

static int json_plan(struct backend *b, const struct scan_report *r, enum recovery_mode mode,
		     const char *qdir, struct plan *p, perr *e)
{
	(void)b;
	return plan_build_files(p, r, NULL, mode, qdir, e);
}

static int json_apply(struct backend *b, const struct plan *p, const struct apply_progress *prog,
		      struct apply_result *res, perr *e)
{
	(void)b;
	int rc = plan_apply_files(p, prog, res, e);
	metrics_note_recovery(rc == 0);
	return rc;
}

static int json_compact(struct backend *b, const struct retention *ret, struct compact_result *res,
			perr *e)
{
	int rc = compact_ndjson_file(b->cfg->path, ret, px_now(), res, e);
	metrics_note_compaction(rc == 0);
	return rc;
}

static void json_close(struct backend *b)
{
	free(b->location);
	free(b);
}

static const struct backend_traits json_traits = {
	.noun = "line", .nouns = "lines", .store = "file", .unit = "file",
	.has_files = 1, .measures_bytes = 1, .trims_by_bytes = 1, .quarantine_dir = 1,
};

const struct backend_ops backend_json_ops = {
	.name = "json",
	.class_name = "JsonFilePersistence",
	.traits = &json_traits,
	.scan = backend_scan_whole,
	.scan_open = json_scan_open,
	.scan_step = json_scan_step,
	.scan_progress = json_scan_progress,
	.scan_close = json_scan_close,
	.read_row = json_read_row,
	.position = json_position,
	.since = json_since,
	.plan = json_plan,
	.apply = json_apply,
	.compact = json_compact,
	.close = json_close,
};

int backend_json_open(const struct config *c, struct backend **out, perr *e)
{
	if (check_regular_or_missing(c->path, e) < 0)
		return -1;
	struct backend *b = calloc(1, sizeof *b);
	if (!b || !(b->location = px_strdup(c->path, e))) {
		free(b);
		return perr_set(e, PX_IOERR, "out of memory");
	}
	b->ops = &backend_json_ops;
	b->cfg = c;
	*out = b;
	return 0;
}
