/* Salvage of glued records (SPEC §4 "salvage", §8 "torn record followed by
 * appended records on one line").
 *
 * After a crash mid-write the application restarts and appends, so its
 * first new record is glued to the torn fragment:
 *     {"kind": "ev{"kind": "event", ...}\n
 * For a CORRUPTED_LINE the scanner asks salvage_find() whether the line
 * ends with complete records; recovery then drops only the damaged prefix
 * and keeps the records byte for byte (plan action `salvage`).
 *
 * The rule: the kept part is the leftmost suffix of the line that starts
 * at a '{' and is a sequence of one or more complete JSON objects, each a
 * record (it has a top-level "kind" string, so a complete nested object of
 * the torn record, such as its payload or address, is not taken for one),
 * separated by optional whitespace, up to the end of the line (trailing
 * whitespace allowed).  When the whole line is such a sequence of two or
 * more records (a lost newline) nothing is dropped.  Between two kept
 * records the whitespace (possibly none) is replaced by a newline, so each
 * ends on its own line and the verification scan is clean.
 *
 * Bounded: candidates are tried left to right, each with our resumable
 * validator (core/jsonv.h) that stops at its first error; the total bytes
 * validated per line are capped at SALVAGE_WORK_FACTOR times the line plus
 * SALVAGE_WORK_SLACK, so a pathological line (a 300 MB run of '{"a":')
 * costs a few passes and is then dropped as before.  Memory is one
 * validator and, for a line longer than the scanner's buffer, one read
 * chunk. */
#ifndef PAPYRA_SALVAGE_H
#define PAPYRA_SALVAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* More glued records than this on one line is not a torn append: the line
 * is dropped as it always was.  Bounds the description of a salvage. */
#define SALVAGE_MAX_RECORDS 64
/* Validation budget per line: this many passes over it... */
#define SALVAGE_WORK_FACTOR 8
/* ...plus this much, so short lines may try every candidate. */
#define SALVAGE_WORK_SLACK (1 << 20)

/* Bytes between two kept records, offsets within the line: [start, end)
 * is whitespace (empty when the records touch); start is just after the
 * first record's closing '}'. */
struct salvage_gap {
	int64_t start, end;
};

struct salvage {
	int64_t keep;    /* bytes of the damaged prefix dropped: the kept part starts here */
	int64_t records; /* complete records kept, >= 1 */
	size_t ngaps;    /* records - 1 */
	struct salvage_gap gaps[];
};

/* Look for the kept part of a corrupted line of `len` bytes (without its
 * "\n").  The bytes come from `line` when it is not NULL, else from `fd`
 * at file offset `line_off` (a line longer than the scanner's buffer).
 * Returns 1 with *out allocated (salvage_free), 0 when the line holds no
 * salvageable records (or the budget ran out), -1 on out of memory or a
 * read error (e set). */
int salvage_find(const char *line, int fd, int64_t line_off, int64_t len,
		 struct salvage **out, perr *e);

struct salvage *salvage_dup(const struct salvage *s, perr *e);
void salvage_free(struct salvage *s);

/* Change in the file's bytes when the salvage is applied (prefix dropped,
 * each gap replaced by "\n"), and in its lines (records - 1 more). */
int64_t salvage_bytes_delta(const struct salvage *s);

/* "; a torn record followed by 1 complete record: recovery salvages it"
 * (or the plural, or the lost-newline wording) into buf. */
void salvage_describe(const struct salvage *s, char *buf, size_t n);

#endif
