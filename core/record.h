/* Decoding one record line for listings (SPEC §2.1), leniently, the way
 * the reference's readers do: extra fields are ignored, missing ones take
 * defaults (system_id "local", event_type "", payload {}, counts 0, lists
 * empty), duplicate keys resolve last-wins (the scanner's capture already
 * keeps the last span).
 *
 * Input is the scanner's per-line callback (`struct scan_line`): decoding
 * works on the captured member spans, so nothing is parsed twice and no
 * number is ever rounded through `double` for display: a payload is shown
 * as its own bytes minus insignificant whitespace, so NaN, 1E400, -0.0,
 * integers beyond 2^64 and escapes come out exactly as stored.
 *
 * Limit: a line longer than the scanner's read buffer reaches the sink with
 * `bytes == NULL`.  Such a record cannot be decoded here (REC_SKIP_LONG):
 * listings first read its members back from the file (core/longrec.h) and
 * decode that; the scanner still validates, counts and reports it, and
 * counting commands (persistence inspect, retention) still see its kind,
 * timestamp and length. */
#ifndef PAPYRA_RECORD_H
#define PAPYRA_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "jsonv.h"
#include "scan.h"
#include "schema.h"

/* A piece of text; `p` is NUL-terminated at p[n] for decoded values (but
 * may contain NUL bytes before, from a "\u0000" escape), and is NOT
 * terminated for raw spans (record.raw). */
struct rec_str {
	const char *p;
	size_t n;
};

enum rec_status {
	REC_OK = 0,
	REC_SKIP_INVALID, /* not a valid JSON object (the scanner reports it) */
	REC_SKIP_KIND,    /* kind missing or not event/audit/dead_letter */
	REC_SKIP_NO_TS,   /* no "timestamp" member at all */
	REC_SKIP_LONG,    /* longer than the scanner's buffer: bytes not in memory */
};

enum rec_ts {
	REC_TS_NUMBER = 1, /* ts holds the value (NaN and infinities included) */
	REC_TS_OTHER,      /* a string, null, ...: shown raw, never matches --since */
};

/* Audit counters, in display order. */
enum rec_count {
	RC_TOTAL, RC_ALIVE, RC_STOPPING, RC_RESTARTING, RC_REGISTRY_SIZE, RC_DEAD_LETTERS,
	RC__COUNT
};

/* An actor address (event actor_address, dead-letter target).  Stored as
 * an object {"system": "local", "actor_id": 1} (shown "local:1") or a
 * string ("local:1", "local://1": shown as stored); null or missing is
 * shown "None", as the reference prints Python's None. */
struct rec_addr {
	struct rec_str text; /* display form */
	int is_null;         /* null or missing */
	int parsed;          /* system/id hold the normalized parts */
	struct rec_str system, id;
};

struct record {
	enum rec_kind kind;
	const char *path; /* file (or stream) the line came from; borrowed */
	int64_t line;

	enum rec_ts ts_kind;
	double ts;
	struct rec_str ts_raw;    /* JSON text of the timestamp, e.g. 1767225600.125 or "2026-01-01" */

	struct rec_str system_id; /* decoded; default "local" */
	struct rec_addr addr;     /* event: actor_address; dead letter: target */
	struct rec_str type;      /* event_type / message_type, decoded; default "" */
	struct rec_str payload;   /* compact JSON; default {} (event) or null (dead letter) */
	struct rec_str count[RC__COUNT]; /* audit: display text of each counter; default "0" */
	struct rec_str orphans, dead;    /* audit: compact JSON; default [] */

	/* Raw value spans inside the line (p == NULL when absent).  Valid only
	 * as long as the scanner's line bytes are (during the callback). */
	struct rec_str raw[SF__COUNT];

	/* private: one buffer reused from line to line */
	char *buf;
	size_t cap, used;
	struct jsonv *jv;
};

void record_init(struct record *r);
void record_free(struct record *r);

/* Whether a line is a listable record, without decoding or allocating:
 * REC_OK, or why a listing skips it. */
enum rec_status record_classify(const struct scan_line *l);

/* Decode line `l` into `r` (previous contents are overwritten).  Sets
 * *status; the fields are meaningful only for REC_OK.  Returns 0, or -1
 * when out of memory (e set). */
int record_decode(struct record *r, const struct scan_line *l, enum rec_status *status, perr *e);

/* Copy the JSON text p[0..n) to `out` without insignificant whitespace
 * (outside strings); `out` holds at least n + 1 bytes.  Returns the length
 * written (NUL-terminated). */
size_t record_compact_json(char *out, const char *p, size_t n);

/* Split an address given as text ("local:4", "local://4") into system and
 * actor id.  Returns 1 when it has that shape, else 0.  The parts point
 * into `s`. */
int record_addr_split(const char *s, size_t n, struct rec_str *system, struct rec_str *id);

/* The display form of a raw address value p[0..n) (a JSON value as
 * stored: object, string, null...) exactly as listings show it (the
 * record's addr.text): "local:1" for a complete object, the object itself
 * (compacted) when "system" or "actor_id" is missing, a string decoded,
 * "None" for null.  Writes at most cap - 1 bytes and a NUL; returns the
 * length written.  The one address classifier for listings, the console
 * and reports. */
size_t record_addr_format(const char *p, size_t n, char *out, size_t cap);

/* --target matching: `query` matches either stored form of the same
 * address ("local:4" matches "local:4", "local://4" and {"system":
 * "local", "actor_id": 4}); "None" matches a null target. */
int record_addr_matches(const struct rec_addr *a, const char *query);

/* Escape decoded text for a terminal line: C0 controls, DEL and C1
 * controls become \n, \t, \r, \xNN or \u00NN, so a stored string can
 * neither break the one-record-per-line output nor drive the terminal.
 * `out` holds at least RECORD_ESCAPE_MAX(n) bytes; returns the length
 * written (NUL-terminated). */
#define RECORD_ESCAPE_MAX(n) (6 * (n) + 1)
size_t record_escape(char *out, const char *p, size_t n);

/* The reference's one-line display of a record, decoded strings escaped
 * (record_escape):
 *   event        [1767225600.125] ActorStarted local:1
 *   audit        [ts] total=X alive=Y stopping=Z restarting=W dead_letters=N
 *   dead letter  [ts] target=T type=M payload=<compact JSON>
 * A numeric timestamp is printed with three decimals (the reference's
 * "%.3f"), any other one as its JSON text.  Returns a malloc'd string
 * (length in *len), or NULL when out of memory. */
char *record_format_line(const struct record *r, size_t *len);

/* The record as one compact JSON object: kind, path, line, the raw
 * timestamp, then its fields as stored (strings and numbers keep their
 * bytes, containers are compacted, missing fields take their defaults;
 * addresses in the display form --target matches, null for None).
 * Returns a malloc'd string without newline, or NULL when out of memory. */
char *record_format_json(const struct record *r, size_t *len);

#endif
