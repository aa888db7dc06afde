#include "retention.h"

#include <stdlib.h>
#include <string.h>

void retview_init(struct retview *v, const struct retention *pol, double now, int per_file)
{
	memset(v, 0, sizeof *v);
	v->pol = *pol;
	v->cutoff = pol->max_age_seconds >= 0 ? now - pol->max_age_seconds : 0;
	v->per_file = per_file;
	v->first_eligible = -1;
}

void retview_free(struct retview *v)
{
	free(v->g);
	v->g = NULL;
	v->ng = v->capg = 0;
}

/* Bytes a record occupies in storage: the line and its "\n". */
static int64_t retview_size(const struct scan_line *l)
{
	return l->length + ((l->flags & SL_TRUNCATED) ? 0 : 1);
}

static int retview_age_ok(const struct retview *v, const struct scan_line *l)
{
	return v->pol.max_age_seconds < 0 || !(l->flags & SL_TS_NUMBER) || !(l->ts < v->cutoff);
}

int retview_add(struct retview *v, const struct scan_line *l, perr *e)
{
	/* A line at any other offset than where the previous one ended (a
	 * second file, a Redis entry) means offsets no longer describe the
	 * survivors as one tail: retview_suffix() must say no. */
	v->end = v->end >= 0 && l->offset == v->end ? v->end + retview_size(l) : -1;
	if (!(l->flags & SL_VALID)) {
		v->nonrecords++;
		return 0;
	}
	size_t gi = v->per_file ? l->file_index : 0;
	if (gi >= v->ng) {
		if (px_grow(&v->g, &v->capg, gi + 1, sizeof *v->g, e) < 0)
			return -1;
		memset(v->g + v->ng, 0, (gi + 1 - v->ng) * sizeof *v->g);
		v->ng = gi + 1;
	}
	struct retview_group *g = &v->g[gi];
	g->records++;
	if (!retview_age_ok(v, l)) {
		v->age_unordered |= v->first_eligible >= 0;
		return 0;
	}
	if (v->first_eligible < 0)
		v->first_eligible = l->offset;
	g->eligible++;
	g->bytes += retview_size(l);
	return 0;
}

void retview_finish(struct retview *v)
{
	for (size_t i = 0; i < v->ng; i++) {
		struct retview_group *g = &v->g[i];
		int64_t over = v->pol.max_records >= 0 ? g->eligible - v->pol.max_records : 0;
		g->first_kept = over > 0 ? over : 0;
	}
	retview_rewind(v);
}

void retview_rewind(struct retview *v)
{
	for (size_t i = 0; i < v->ng; i++) {
		v->g[i].idx = v->g[i].before = v->g[i].seen = 0;
		v->g[i].tail = -1;
	}
}

int retview_keeps(struct retview *v, const struct scan_line *l)
{
	if (!(l->flags & SL_VALID))
		return 0;
	size_t gi = v->per_file ? l->file_index : 0;
	if (gi >= v->ng || !retview_age_ok(v, l))
		return 0;
	struct retview_group *g = &v->g[gi];
	int64_t idx = g->idx++, size = retview_size(l);
	if (idx >= g->eligible)
		return 0;
	if (idx < g->first_kept) {
		g->before += size;
		return 0;
	}
	/* The bytes the count rule keeps are known only here, once the ones it
	 * drops went by: this spares a pass measuring them. */
	if (g->tail < 0)
		g->tail = g->bytes - g->before;
	/* kept when everything from here to the newest fits: the suffix sums
	 * grow towards the oldest, so this is the reference's "stop at the
	 * first record that does not fit", decided front to back */
	int keep = v->pol.max_total_bytes < 0 || g->tail - g->seen <= v->pol.max_total_bytes;
	g->seen += size;
	return keep;
}

int retview_compact_keeps(struct retview *v, const struct scan_line *l)
{
	return !(l->flags & SL_VALID) || retview_keeps(v, l);
}

int64_t retview_records(const struct retview *v)
{
	int64_t n = 0;
	for (size_t i = 0; i < v->ng; i++)
		n += v->g[i].records;
	return n;
}

int retview_drops(const struct retview *v)
{
	for (size_t i = 0; i < v->ng; i++) {
		const struct retview_group *g = &v->g[i];
		/* with nothing dropped by age or count, the size rule keeps the
		 * whole group exactly when its bytes fit */
		if (g->eligible < g->records || g->first_kept > 0 ||
		    (v->pol.max_total_bytes >= 0 && g->bytes > v->pol.max_total_bytes))
			return 1;
	}
	return 0;
}

int retview_suffix(const struct retview *v, struct retview_suffix *s)
{
	if (v->end < 0 || v->nonrecords || v->age_unordered || v->ng > 1)
		return 0;
	/* every line from the first age survivor on is one too, so the count
	 * and size rules each keep the lines from some offset on */
	s->end = v->end;
	s->from = v->first_eligible >= 0 ? v->first_eligible : v->end;
	s->skip = v->ng ? v->g[0].first_kept : 0;
	s->min_start = 0;
	if (v->pol.max_total_bytes >= 0 && v->end - v->pol.max_total_bytes > 0)
		s->min_start = v->end - v->pol.max_total_bytes;
	return 1;
}
