/* Several stores merged in one console (merge.h): the sources scanned in
 * turn into one index, then ordered by timestamp with a k-way merge. */
#include "merge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int merge_open(struct model *m, struct backend *const *b, size_t n, perr *e)
{
	struct merge *g = calloc(1, sizeof *g);
	if (!g || !(g->line0 = calloc(n + 1, sizeof *g->line0)) || !(g->file0 = calloc(n + 1, sizeof *g->file0)) ||
	    !(g->an0 = calloc(n + 1, sizeof *g->an0))) {
		if (g) {
			free(g->line0);
			free(g->file0);
		}
		free(g);
		return perr_set(e, PX_IOERR, "out of memory");
	}
	g->b = b;
	g->n = n;
	g->traits = *backend_traits(b[0]);
	g->traits.several = 1; /* places say which file: "b.ndjson:12" */
	int rc = model_open(m, b[0], e);
	m->t = &g->traits;
	m->mg = g;
	return rc;
}

void merge_free(struct model *m)
{
	struct merge *g = m->mg;
	if (!g)
		return;
	free(g->line0);
	free(g->file0);
	free(g->an0);
	free(g->order);
	free(g->rank);
	free(g);
	m->mg = NULL;
	m->order = m->rank = NULL;
}

/* Key of a line in the merge: its timestamp, or the last one before it in
 * its source (so it stays where its source put it). */
static void build_order(struct model *m)
{
	struct merge *g = m->mg;
	size_t n = m->n, k = g->n;
	double t0 = backend_clock_ms();
	size_t *head = calloc(k, sizeof *head);
	double *carry = malloc(k * sizeof *carry);
	if (n > UINT32_MAX || !head || !carry || !(g->order = malloc((n ? n : 1) * sizeof *g->order)) ||
	    !(g->rank = malloc((n ? n : 1) * sizeof *g->rank))) {
		free(g->order);
		g->order = NULL;
		g->unordered = 1;
		free(head);
		free(carry);
		return;
	}
	for (size_t s = 0; s < k; s++) {
		head[s] = g->line0[s];
		carry[s] = -INFINITY;
	}
	for (size_t pos = 0; pos < n; pos++) {
		size_t best = k;
		double bk = 0;
		for (size_t s = 0; s < k; s++) {
			if (head[s] >= g->line0[s + 1])
				continue;
			size_t l = head[s];
			double key = m->meta[l] & MF_TS_NUM ? model_ts(m, l) : carry[s];
			if (best == k || key < bk) { /* ties: the source given first */
				best = s;
				bk = key;
			}
		}
		size_t l = head[best]++;
		carry[best] = bk;
		g->order[pos] = (uint32_t)l;
		g->rank[l] = (uint32_t)pos;
	}
	free(head);
	free(carry);
	m->order = g->order;
	m->rank = g->rank;
	m->order_gen++;
	g->order_ms = backend_clock_ms() - t0;
}

int merge_next(struct model *m)
{
	struct merge *g = m->mg;
	if (!m->failed && !m->oom && g->cur + 1 < g->n) {
		g->cur++;
		g->line0[g->cur] = m->n;
		g->file0[g->cur] = m->rep.n_files;
		g->an0[g->cur] = m->rep.n_an;
		struct scan_opts o = { .sample_size = g->b[g->cur]->cfg->scan_sample_size };
		if (backend_scan_open(g->b[g->cur], &o, model_sink(m), &m->rep, &m->scan, &m->err) == 0) {
			m->scanning = 1;
			return 1;
		}
		m->failed = 1;
	}
	/* the sources not reached (a failure) have no line */
	for (size_t s = g->cur + 1; s <= g->n; s++) {
		g->line0[s] = m->n;
		g->file0[s] = m->rep.n_files;
		g->an0[s] = m->rep.n_an;
	}
	if (!m->failed && !m->oom)
		build_order(m);
	snprintf(m->follow_err, sizeof m->follow_err, "%s",
		 "merged stores are not followed (open one alone to follow it)");
	return 0;
}

int merge_progress(const struct model *m, int cur_permille)
{
	const struct merge *g = m->mg;
	return (int)(((int64_t)g->cur * 1000 + cur_permille) / (int64_t)g->n);
}

/* The last source whose first element (in `first`) is at or before i. */
static size_t src_of(const struct merge *g, const size_t *first, size_t i)
{
	size_t s = 0;
	while (s + 1 <= g->cur && s + 1 < g->n && first[s + 1] <= i)
		s++;
	return s;
}

size_t merge_src_of_line(const struct model *m, size_t line)
{
	return m->mg ? src_of(m->mg, m->mg->line0, line) : 0;
}

size_t merge_src_of_file(const struct model *m, size_t file_index)
{
	return m->mg ? src_of(m->mg, m->mg->file0, file_index) : 0;
}

size_t merge_src_of_an(const struct model *m, size_t k)
{
	return m->mg ? src_of(m->mg, m->mg->an0, k) : 0;
}

const char *merge_tag(size_t src)
{
	static const char tags[] = "a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0n\0o\0p\0q\0r\0s\0t\0u\0v\0w\0x\0y\0z";
	return src < 26 ? tags + 2 * src : "?";
}

size_t merge_src_anomalies(const struct model *m, size_t src)
{
	const struct merge *g = m->mg;
	if (!g)
		return m->rep.n_an;
	if (src > g->cur)
		return 0;
	size_t end = src < g->cur ? g->an0[src + 1] : m->rep.n_an;
	return end - g->an0[src];
}

const char *merge_src_path(const struct model *m, size_t src)
{
	return m->mg && src < m->mg->n ? m->mg->b[src]->cfg->path : m->path;
}
