/* Listing records longer than the scanner's buffer (SPEC §8: listings
 * stream records of any length).
 *
 * Such a line reaches the sink without its bytes, but with the spans of
 * its captured members (scan.h).  longrec_load reads back just those spans
 * -- and only the ones the output shows -- into one buffer, laid out as a
 * line of their own with the spans renumbered, so the record decodes and
 * prints like any other: memory is bounded by what is printed, and a
 * 300 MB payload that an event line does not show is never read. */
#ifndef PAPYRA_LONGREC_H
#define PAPYRA_LONGREC_H

#include "common.h"
#include "scan.h"
#include "schema.h"
#include "strbuf.h"

struct longrec {
	int fd;                 /* the file being listed, opened on first need; -1 */
	char *path;
	struct strbuf buf;      /* the spans, back to back */
	struct jsonv_field f[SF__COUNT];
	struct scan_line l;
};

void longrec_init(struct longrec *lr);
void longrec_free(struct longrec *lr);

/* The line `l` (bytes == NULL) with the bytes a listing needs (`json`: the
 * --json output, which shows every member), valid until the next call;
 * NULL (e set) when they cannot be read back (the file went away or
 * shrank). */
const struct scan_line *longrec_load(struct longrec *lr, const struct scan_line *l, int json, perr *e);

#endif
