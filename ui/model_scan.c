/* Opening the store for the console and indexing it in slices (model.h).
 *
 * Files are scanned with the core's sliced NDJSON scanner; a rotating set
 * member after member, in the order of the rotating backend's own scan
 * (core/backend_rotating.c, rotating_scan): the orphans first, then for
 * each member, oldest first, its leftover temporary files and its lines;
 * an empty set scans the active path alone.  The backend's scan runs in
 * one call, so the console walks the set itself to answer keys between
 * slices of a large member.  Redis uses the backend's sliced scanner: one
 * round trip (a page of entries) per step. */
#include "model.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend_json.h"
#include "backend_redis.h"

/* Bytes per scanner call between clock checks: small enough to stop near
 * the time budget, large enough that the clock costs nothing. */
#define STEP_BYTES (1u << 20)

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Start scanning one file.  Returns 1, or -1 (m->err). */
static int open_file(struct model *m, const char *path)
{
	struct scan_opts o = { 0 };
	if (ndjson_scanner_open(&m->scanner, path, path, &o, model_sink(m), &m->rep, &m->err) < 0)
		return -1;
	if (m->src == MS_FILE)
		m->size = m->rep.files[m->rep.n_files - 1].ident.size;
	return 1;
}

/* The next member of the set that exists, after reporting its leftover
 * temporary files.  Returns 1 when a scanner was opened, 0 when none is
 * left, -1 on failure (m->err). */
static int next_member(struct model *m)
{
	while (m->next_member < m->set.n) {
		const struct rotating_member *mb = &m->set.m[m->next_member++];
		if (mb->has_temps && scan_leftover_temps(mb->path, &m->rep, &m->err) < 0)
			return -1;
		if (mb->exists) {
			m->any_member = 1;
			return open_file(m, mb->path);
		}
	}
	/* an empty set looks like a missing single file, as in the CLI */
	if (!m->any_member) {
		m->any_member = 1;
		return open_file(m, m->path);
	}
	return 0;
}

static int open_rotating(struct model *m, perr *e)
{
	const struct config *c = m->b->cfg;
	if (rotating_set_list(c->path, c->max_files, &m->set, e) < 0)
		return -1;
	/* the bytes to scan, for the progress figure: the members as listed */
	for (size_t i = 0; i < m->set.n; i++) {
		struct file_ident id;
		perr ignored = { 0 };
		if (m->set.m[i].exists && file_ident_get(m->set.m[i].path, &id, &ignored) == 0)
			m->size += id.size;
	}
	if (rotating_report_orphans(&m->set, &m->rep, e) < 0)
		return -1;
	if (next_member(m) < 0) {
		*e = m->err;
		return -1;
	}
	return 0;
}

static enum model_source source_of(const struct backend *b)
{
	return b->cfg->backend == BK_REDIS ? MS_REDIS : b->cfg->backend == BK_ROTATING ? MS_ROTATING : MS_FILE;
}

int model_open(struct model *m, struct backend *b, perr *e)
{
	memset(m, 0, sizeof *m);
	scan_report_init(&m->rep);
	intern_init(&m->types, INTERN_ID_MAX);
	intern_init(&m->addrs, INTERN_ID_MAX);
	m->b = b;
	m->src = source_of(b);
	m->scanning = 1;
	if (m->src != MS_REDIS && !(m->path = px_strdup(b->cfg->path, e)))
		goto fail;
	if (m->src == MS_FILE) {
		if (open_file(m, m->path) < 0) {
			*e = m->err;
			goto fail;
		}
		/* listed after the file entry, before its lines, as the views always had them */
		if (scan_leftover_temps(m->path, &m->rep, e) < 0)
			goto fail;
	} else if (m->src == MS_ROTATING) {
		if (open_rotating(m, e) < 0)
			goto fail;
	} else {
		struct scan_opts o = { .sample_size = b->cfg->scan_sample_size };
		if (redis_backend_scan_open(b, &o, model_sink(m), &m->rep, &m->rscan, &m->err) < 0) {
			*e = m->err;
			goto fail;
		}
	}
	return 0;
fail:
	model_close(m);
	/* an empty index that says why, rather than one that looks healthy */
	m->src = source_of(b);
	m->b = b;
	m->failed = 1;
	m->err = *e;
	return -1;
}

static void stop_scan(struct model *m)
{
	if (m->scanner)
		ndjson_scanner_close(m->scanner);
	if (m->rscan)
		redis_scanner_close(m->rscan);
	m->scanner = NULL;
	m->rscan = NULL;
	m->scanning = 0;
}

void model_close(struct model *m)
{
	stop_scan(m);
	rotating_set_free(&m->set);
	scan_report_free(&m->rep);
	model_index_free(m);
	model_cache_free(m);
	free(m->path);
	memset(m, 0, sizeof *m);
}

/* One slice of the file scan: 1 while more remains, 0 when done, -1. */
static int file_step(struct model *m)
{
	int rc = ndjson_scanner_step(m->scanner, STEP_BYTES);
	if (rc != 0)
		return rc;
	/* the bytes count is only final at the end: keep the last figure */
	m->size_done += ndjson_scanner_done_bytes(m->scanner);
	ndjson_scanner_close(m->scanner);
	m->scanner = NULL;
	return m->src == MS_ROTATING ? next_member(m) : 0;
}

int model_step(struct model *m, int budget_ms)
{
	if (!m->scanning)
		return 0;
	double until = now_ms() + budget_ms;
	int rc;
	do
		rc = m->rscan ? redis_scanner_step(m->rscan) : m->scanner ? file_step(m) : 0;
	while (rc == 1 && now_ms() < until);
	if (rc == 1)
		return 1;
	if (rc < 0)
		m->failed = 1;
	stop_scan(m);
	return 0;
}

int model_scanning(const struct model *m)
{
	return m->scanning;
}

int model_progress(const struct model *m)
{
	int64_t done = m->size_done, total = m->size;
	if (!m->scanning)
		return 1000;
	if (m->rscan)
		redis_scanner_progress(m->rscan, &done, &total);
	else if (m->scanner)
		done += ndjson_scanner_done_bytes(m->scanner);
	if (total <= 0)
		return 1000;
	return done >= total ? 1000 : (int)(1000.0 * (double)done / (double)total);
}
