/* Opening the store for the console and indexing it in slices (model.h).
 *
 * The index comes from the backend's own incremental scan (backend.h,
 * scan_open / scan_step): the very scan `persistence scan` runs, in the
 * same order, stopped at a deadline so keys are answered between slices.
 * Nothing here knows which backend it is. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"

int model_open(struct model *m, struct backend *b, perr *e)
{
	memset(m, 0, sizeof *m);
	scan_report_init(&m->rep);
	intern_init(&m->types, INTERN_ID_MAX);
	intern_init(&m->addrs, INTERN_ID_MAX);
	m->b = b;
	m->t = backend_traits(b);
	m->scanning = 1;
	if (m->t->has_files && !(m->path = px_strdup(b->cfg->path, e)))
		goto fail;
	struct scan_opts o = { .sample_size = b->cfg->scan_sample_size };
	if (backend_scan_open(b, &o, model_sink(m), &m->rep, &m->scan, &m->err) < 0) {
		*e = m->err;
		goto fail;
	}
	return 0;
fail:
	model_close(m);
	/* an empty index that says why, rather than one that looks healthy */
	m->t = backend_traits(b);
	m->b = b;
	m->failed = 1;
	m->err = *e;
	return -1;
}

static void stop_scan(struct model *m)
{
	backend_scan_close(m->scan);
	m->scan = NULL;
	m->scanning = 0;
}

void model_follow_start(struct model *m)
{
	perr e = { 0 };
	follow_close(m->fol);
	m->fol = NULL;
	m->follow_err[0] = '\0';
	if (m->failed || m->oom || follow_open(&m->fol, m->b, &m->rep, model_sink(m), model_drop_last, m, &e) < 0)
		snprintf(m->follow_err, sizeof m->follow_err, "%s", m->failed || m->oom ? "the index is incomplete" : e.msg);
}

void model_close(struct model *m)
{
	stop_scan(m);
	follow_close(m->fol);
	scan_report_free(&m->rep);
	model_index_free(m);
	model_cache_free(m);
	free(m->path);
	merge_free(m);
	memset(m, 0, sizeof *m);
}

int model_step(struct model *m, int budget_ms)
{
	if (!m->scanning)
		return 0;
	int rc = m->scan ? backend_scan_step(m->scan, backend_clock_ms() + budget_ms) : 0;
	if (rc == 1)
		return 1;
	if (rc < 0)
		m->failed = 1;
	stop_scan(m);
	if (m->mg)
		return merge_next(m); /* the next store, or the order: no following */
	model_follow_start(m);
	return 0;
}

int model_scanning(const struct model *m)
{
	return m->scanning;
}

int model_progress(const struct model *m)
{
	int64_t done = 0, total = 0;
	if (!m->scanning || !m->scan)
		return 1000;
	backend_scan_progress(m->scan, &done, &total);
	int p = total <= 0 || done >= total ? 1000 : (int)(1000.0 * (double)done / (double)total);
	return m->mg ? merge_progress(m, p) : p;
}
