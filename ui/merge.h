/* Several stores in one console (`papyra console --path a --path b`):
 * each source is scanned in turn into the one index, so its lines are a
 * run of the index (its files a run of the report's files, its anomalies a
 * run of the report's anomalies), and once every source is indexed a
 * k-way merge by timestamp gives the record views their order: a
 * permutation of the index (m->order, position to line, and m->rank, line
 * to position: 8 bytes a line).  Each source keeps its storage order in
 * the merge (a record without a timestamp stays right after the one
 * before it in its source).  Sources are tagged a, b, c... in the order
 * given.  A merged console does not follow its stores, and recovery and
 * compaction are refused there (open one source alone). */
#ifndef PAPYRA_UI_MERGE_H
#define PAPYRA_UI_MERGE_H

#include <stddef.h>

#include "backend.h"
#include "model.h"

struct merge {
	struct backend *const *b; /* borrowed, as given */
	size_t n, cur;            /* sources, the one being scanned */
	size_t *line0, *file0, *an0; /* per source: its first line, report file, anomaly */
	struct backend_traits traits; /* the sources' traits, with several = 1 */
	uint32_t *order, *rank;
	int unordered;            /* the order could not be built (memory, too many lines): storage order */
	double order_ms;          /* the time the merge took */
};

/* Open the stores of b[0..n) (n >= 2, one backend kind) into m. */
int merge_open(struct model *m, struct backend *const *b, size_t n, perr *e);
/* model_step, when a source's scan ended: 1 when the next one is being
 * scanned, else 0 (all indexed: the order is built). */
int merge_next(struct model *m);
void merge_free(struct model *m);
/* Progress over every source, in permille, from the current one's. */
int merge_progress(const struct model *m, int cur_permille);

/* The source of an index line, a report file, an anomaly of the report. */
size_t merge_src_of_line(const struct model *m, size_t line);
size_t merge_src_of_file(const struct model *m, size_t file_index);
size_t merge_src_of_an(const struct model *m, size_t k);
/* The source's tag: "a", "b"... */
const char *merge_tag(size_t src);
/* Anomalies reported for source `src`. */
size_t merge_src_anomalies(const struct model *m, size_t src);
/* The configured path of source `src`. */
const char *merge_src_path(const struct model *m, size_t src);

#endif
