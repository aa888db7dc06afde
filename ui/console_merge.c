/* The console over several stores merged by time (ui/merge.h): opening
 * them, the legend in the header, the source column of the record views,
 * the source of each anomaly and file, and the walks refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "merge.h"
#include "screen.h"

int console_model_open(struct console *c, perr *e)
{
	if (c->opt->n_sources > 1)
		return merge_open(&c->m, c->opt->sources, c->opt->n_sources, e);
	return model_open(&c->m, c->b, e);
}

int merge_location(struct console *c, perr *e)
{
	if (c->opt->n_sources < 2)
		return 0;
	size_t cap = 16;
	for (size_t s = 0; s < c->opt->n_sources; s++)
		cap += strlen(c->opt->sources[s]->location) + 8;
	char *p = malloc(cap);
	if (!p)
		return perr_set(e, PX_IOERR, "out of memory");
	size_t k = (size_t)snprintf(p, cap, "merged");
	for (size_t s = 0; s < c->opt->n_sources; s++)
		k += (size_t)snprintf(p + k, cap - k, " %s=%s", merge_tag(s), c->opt->sources[s]->location);
	c->merge_legend = p;
	c->location = p;
	return 0;
}

int merge_head(struct console *c, int y)
{
	return c->m.mg ? rec_cell(y, 0, MERGE_TAG_W, ROLE_TITLE, "SRC") : 0;
}

int merge_cell(struct console *c, int y, size_t line, int role)
{
	return c->m.mg ? rec_cell(y, 0, MERGE_TAG_W, role, merge_tag(merge_src_of_line(&c->m, line))) : 0;
}

const char *merge_an_tag(const struct console *c, size_t k, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (c->m.mg)
		snprintf(buf, cap, "[%s] ", merge_tag(merge_src_of_an(&c->m, k)));
	return buf;
}

const char *merge_file_tag(const struct console *c, size_t file_index, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (c->m.mg)
		snprintf(buf, cap, "[%s] ", merge_tag(merge_src_of_file(&c->m, file_index)));
	return buf;
}

void merge_badge(const struct console *c, char *out, size_t cap)
{
	size_t k = (size_t)snprintf(out, cap, " %zu ANOMAL%s (", c->m.rep.n_an, c->m.rep.n_an == 1 ? "Y" : "IES");
	const char *sep = "";
	for (size_t s = 0; s < c->m.mg->n && k < cap; s++) {
		size_t n = merge_src_anomalies(&c->m, s);
		if (n) {
			k += (size_t)snprintf(out + k, cap - k, "%s%s %zu", sep, merge_tag(s), n);
			sep = ", ";
		}
	}
	if (k < cap)
		snprintf(out + k, cap - k, ") ");
}

void merge_timing(const struct console *c, FILE *tf)
{
	if (tf && c->m.mg)
		fprintf(tf, "merge_order_ms %.1f\nsources %zu\n", c->m.mg->order_ms, c->m.mg->n);
}

int merge_refuse(struct console *c, const char *what)
{
	if (!c->m.mg)
		return 0;
	size_t src = c->m.mg->n;
	if (c->cur == V_ANOMALIES && c->views[V_ANOMALIES].cur < (int64_t)c->m.rep.n_an)
		src = merge_src_of_an(&c->m, (size_t)c->views[V_ANOMALIES].cur);
	for (size_t s = 0; src == c->m.mg->n && s < c->m.mg->n; s++)
		if (merge_src_anomalies(&c->m, s))
			src = s;
	if (src == c->m.mg->n)
		src = 0;
	console_status(c, ROLE_WARN, " %s is not done on merged stores: open the source alone (papyra console --path %s)",
		       what, merge_src_path(&c->m, src));
	return 1;
}
