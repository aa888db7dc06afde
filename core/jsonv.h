/* The JSON validator of SPEC §3: RFC 8259 plus NaN, Infinity, -Infinity.
 *
 * Zero allocation, one pass, no recursion, resumable: a line may be fed in
 * any number of pieces (a 300 MB line is validated in 1 MiB chunks), so
 * memory stays bounded whatever the line length or nesting depth.
 *
 * Valid: lone surrogate escapes ("\ud800"), numbers of any size, duplicate
 * keys.  Invalid: invalid or overlong UTF-8 (and encoded surrogates), raw
 * control characters (< 0x20) inside strings, leading zeros, a byte order
 * mark, NUL bytes, an empty or whitespace-only line, trailing data after the
 * value (two values on one line).  JSON whitespace (space, tab, CR, LF)
 * around the value is allowed.
 *
 * Optionally the validator captures the top-level members of an object that
 * the caller names (kind, timestamp, ...): for each, the JSON type of the
 * value and the byte span of the value within the line (last one wins for a
 * duplicate key, as the reference's decoder does).  Keys are compared after
 * unescaping, so "\u006bind" matches "kind". */
#ifndef PAPYRA_JSONV_H
#define PAPYRA_JSONV_H

#include <stddef.h>
#include <stdint.h>

enum jsonv_type {
	JV_NONE = 0, /* not present / nothing parsed */
	JV_OBJECT,
	JV_ARRAY,
	JV_STRING,
	JV_NUMBER,   /* includes NaN, Infinity, -Infinity */
	JV_TRUE,
	JV_FALSE,
	JV_NULL,
};

/* Deepest nesting accepted; deeper is reported as invalid ("nesting deeper
 * than 65536 levels").  The reference's own decoder gives up near 1000, so
 * no record it wrote can come close; the limit keeps the state a fixed
 * 8 KiB bit stack. */
#define JSONV_MAX_DEPTH 65536

struct jsonv_field {
	const char *name;     /* in: key to capture (NUL-terminated, ASCII) */
	enum jsonv_type type; /* out: JV_NONE when absent */
	uint64_t off, len;    /* out: value span, byte offsets within the line */
};

struct jsonv_capture {
	struct jsonv_field *fields; /* caller-owned; outputs reset by jsonv_init */
	size_t n;
};

/* Resumable state.  Opaque in spirit; fields are public only so the caller
 * can keep it on the stack without allocation.  Do not touch them.
 * jsonv_init resets everything except the bit stack, which is written
 * before it is read, so starting a line costs a few stores, not 8 KiB. */
struct jsonv {
	uint64_t pos;          /* bytes consumed so far in this line */
	uint64_t err_pos;
	struct jsonv_capture *cap;
	uint32_t depth;        /* containers open */
	int state;
	int error;             /* 0 or a JSONV_E_* code (internal); sticky */
	enum jsonv_type top;   /* type of the top-level value */
	uint32_t aux;          /* scratch for the state machine (utf-8 bounds, \u value, literal) */
	uint32_t aux2;         /* scratch: \u digits seen, literal bytes matched */
	int strkind;           /* the string being scanned: a value, a key, a key to capture */
	int cap_field;         /* index of the field being captured, or -1 */
	uint32_t keylen;       /* bytes in key; more than sizeof key once too long */
	char key[64];          /* unescaped key at depth 1 (too long keys never match) */
	unsigned char stack[JSONV_MAX_DEPTH / 8]; /* 1 bit per level: object or array */
};

/* Start a new line.  `cap` may be NULL. */
void jsonv_init(struct jsonv *v, struct jsonv_capture *cap);

/* Feed the next `n` bytes of the line (never the terminating "\n"; the
 * caller strips a "\r" right before it).  Returns 0 while still valid,
 * -1 once an error was found (further calls are ignored). */
int jsonv_feed(struct jsonv *v, const char *p, size_t n);

/* End of line.  Returns 0 when the line held exactly one valid JSON value,
 * -1 otherwise (incomplete value is "unexpected end of line"). */
int jsonv_finish(struct jsonv *v);

/* Validate a whole line in one call (init + feed + finish). */
int jsonv_check(struct jsonv *v, const char *p, size_t n, struct jsonv_capture *cap);

/* After an error: 0-based byte position within the line where the error
 * was detected, and a short lowercase reason such as "unexpected end of
 * line", "invalid UTF-8", "leading zero", "control character in string",
 * "byte order mark", "trailing data after value", "empty line". */
uint64_t jsonv_error_pos(const struct jsonv *v);
const char *jsonv_error_reason(const struct jsonv *v);

/* After an error: whether it is "trailing data after value", i.e. the
 * value was complete and jsonv_error_pos() is where the next non-whitespace
 * byte begins (the salvage of glued records, core/salvage.c, resumes there). */
int jsonv_error_is_trailing(const struct jsonv *v);

/* Type of the top-level value once finished (JV_OBJECT for a record). */
enum jsonv_type jsonv_top_type(const struct jsonv *v);

const char *jsonv_type_name(enum jsonv_type t); /* "object", "string", ... */

#endif
