/* The interactive console over a fleet (console_systems.h). */
#ifndef PAPYRA_NO_CONSOLE
#include "console_systems.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A configuration for system `id`: c's, its id (and its quarantine
 * prefix when that was the default) replaced; the other strings borrowed. */
static int config_for(const struct config *base, const char *id, struct config *out, char **qown, perr *e)
{
	*out = *base;
	char *qd = px_asprintf(e, "%s:%s:quarantine", base->prefix, base->system_id);
	if (!qd)
		return -1;
	int qdefault = base->quarantine_prefix && strcmp(qd, base->quarantine_prefix) == 0;
	free(qd);
	out->system_id = px_strdup(id, e);
	*qown = qdefault ? px_asprintf(e, "%s:%s:quarantine", base->prefix, id) : NULL;
	out->quarantine_prefix = qdefault ? *qown : base->quarantine_prefix;
	return out->system_id && out->quarantine_prefix ? 0 : -1;
}

/* Milliseconds of scanning between two looks of the caller's stop. */
#define SUMMARY_SLICE_MS 100

/* One whole scan of a system, in slices, `stop` asked between them: what
 * the Systems view shows of it.  Returns 1, s as it was, when stopped. */
static int summarize(struct console_system *s, const struct config *cfg, console_stop_fn stop, void *stop_ctx)
{
	struct backend *b = NULL;
	struct backend_scan *sc = NULL;
	perr e = { 0 };
	struct scan_report r;
	scan_report_init(&r);
	struct scan_opts o = { .sample_size = cfg->scan_sample_size };
	int rc = -1;
	if (backend_open(cfg, &b, &e) == 0 && backend_scan_open(b, &o, NULL, &r, &sc, &e) == 0) {
		while ((rc = backend_scan_step(sc, backend_clock_ms() + SUMMARY_SLICE_MS)) == 1) {
			int64_t done = 0, total = 0;
			backend_scan_progress(sc, &done, &total);
			if (stop && stop(stop_ctx, done, total))
				break;
		}
	}
	if (rc != 1) {
		free(s->error);
		s->error = rc < 0 ? strdup(e.msg) : NULL;
		s->streams = s->entries = s->anomalies = s->pending = 0;
		s->scanned = 1;
		for (size_t i = 0; rc == 0 && i < r.n_files; i++) {
			const struct scan_file *f = &r.files[i];
			s->streams += f->ident.exists;
			s->entries += f->lines;
			for (size_t k = 0; k < f->n_groups; k++)
				s->pending += f->groups[k].pending;
		}
		s->anomalies = rc == 0 ? (int64_t)r.n_an : 0;
	}
	backend_scan_close(sc);
	scan_report_free(&r);
	if (b)
		backend_close(b);
	return rc == 1;
}

int console_fleet_open(const struct cli *c, struct console_fleet *f, perr *e)
{
	memset(f, 0, sizeof *f);
	struct backend *b;
	char **ids = NULL;
	size_t n = 0;
	if (backend_open(&c->cfg, &b, e) < 0)
		return -1;
	int rc = backend_systems(b, c->cfg.system_id, &ids, &n, e);
	backend_close(b);
	if (rc < 0 || n == 0)
		return rc;
	f->cfgs = calloc(n, sizeof *f->cfgs);
	f->sys = calloc(n, sizeof *f->sys);
	f->qown = calloc(n, sizeof *f->qown);
	if (!f->cfgs || !f->sys || !f->qown)
		rc = perr_setr(e, PX_IOERR, PR_NOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		f->sys[i].id = ids[i];
		ids[i] = NULL;
		f->n++;
		if (config_for(&c->cfg, f->sys[i].id, &f->cfgs[i], &f->qown[i], e) < 0)
			rc = -1;
	}
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	if (rc == 0 && backend_open(&f->cfgs[0], &f->open, e) < 0)
		rc = -1;
	if (rc < 0)
		console_fleet_free(f);
	return rc;
}

int console_fleet_refresh(void *ctx, size_t i, console_stop_fn stop, void *stop_ctx)
{
	struct console_fleet *f = ctx;
	/* a system that cannot be scanned keeps its reason as its figures */
	return i < f->n ? summarize(&f->sys[i], &f->cfgs[i], stop, stop_ctx) : 0;
}

int console_fleet_system(void *ctx, size_t i, struct backend **b, const struct config **cfg, perr *e)
{
	struct console_fleet *f = ctx;
	struct backend *nb;
	if (i >= f->n || backend_open(&f->cfgs[i], &nb, e) < 0)
		return i >= f->n ? perr_set(e, PX_USAGE, "no system %zu", i) : -1;
	backend_close(f->open);
	f->open = nb;
	f->open_i = i;
	*b = nb;
	*cfg = &f->cfgs[i];
	return 0;
}

void console_fleet_free(struct console_fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->sys[i].id);
		free(f->sys[i].error);
		free(f->cfgs[i].system_id);
		free(f->qown[i]);
	}
	free(f->sys);
	free(f->qown);
	free(f->cfgs);
	if (f->open)
		backend_close(f->open);
	memset(f, 0, sizeof *f);
}
#endif
