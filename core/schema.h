/* Record schema of SPEC §2.1: the fields the scanner captures from each
 * line, how a record's kind is found, and the strict-mode check.
 *
 * One table names every field, the kinds that require it and the JSON
 * types it may have; capture, decoding and the strict check all use it. */
#ifndef PAPYRA_SCHEMA_H
#define PAPYRA_SCHEMA_H

#include <stddef.h>

#include "jsonv.h"
#include "scan.h"

/* type masks */
#define TM(t) (1u << (t))
#define TM_NUM TM(JV_NUMBER)
#define TM_STR TM(JV_STRING)
#define TM_ADDR (TM(JV_STRING) | TM(JV_OBJECT))
#define TM_ANY 0xffffu

/* kind masks: which kinds require the field in strict mode */
#define KM_EVENT (1u << RK_EVENT)
#define KM_AUDIT (1u << RK_AUDIT)
#define KM_DL (1u << RK_DEAD_LETTER)
#define KM_ALL (KM_EVENT | KM_AUDIT | KM_DL)

#define SCHEMA_FIELDS(X) \
	X(KIND, "kind", KM_ALL, TM_STR) \
	X(SYSTEM_ID, "system_id", KM_ALL, TM_STR) \
	X(TIMESTAMP, "timestamp", KM_ALL, TM_NUM) \
	X(ACTOR_ADDRESS, "actor_address", KM_EVENT, TM_ADDR) \
	X(EVENT_TYPE, "event_type", KM_EVENT, TM_STR) \
	X(PAYLOAD, "payload", KM_EVENT | KM_DL, TM_ANY) \
	X(TOTAL_ACTORS, "total_actors", KM_AUDIT, TM_NUM) \
	X(ALIVE_ACTORS, "alive_actors", KM_AUDIT, TM_NUM) \
	X(STOPPING_ACTORS, "stopping_actors", KM_AUDIT, TM_NUM) \
	X(RESTARTING_ACTORS, "restarting_actors", KM_AUDIT, TM_NUM) \
	X(REGISTRY_SIZE, "registry_size", KM_AUDIT, TM_NUM) \
	X(REGISTRY_ORPHANS, "registry_orphans", KM_AUDIT, TM(JV_ARRAY)) \
	X(REGISTRY_DEAD, "registry_dead", KM_AUDIT, TM(JV_ARRAY)) \
	X(DEAD_LETTERS_COUNT, "dead_letters_count", KM_AUDIT, TM_NUM) \
	X(TARGET, "target", KM_DL, TM_ADDR | TM(JV_NULL)) \
	X(MESSAGE_TYPE, "message_type", KM_DL, TM_STR)

enum schema_field {
#define X(id, name, kinds, types) SF_##id,
	SCHEMA_FIELDS(X)
#undef X
	SF__COUNT
};

/* Prepare `f` (SF__COUNT entries) and `cap` for jsonv_init. */
void schema_capture_init(struct jsonv_field f[SF__COUNT], struct jsonv_capture *cap);

/* Kind of a validated object line, from the captured "kind" span.
 * `line` holds the line's bytes (at least up to the end of that span). */
enum rec_kind schema_kind(const char *line, const struct jsonv_field f[SF__COUNT]);
const char *rec_kind_name(enum rec_kind k); /* "event", "audit", "dead_letter", "unknown" */

/* Strict check.  Returns 0 when the record matches, else -1 with a
 * human-readable reason in `why` naming the field, e.g.
 * "field 'timestamp' is string, expected number". */
int schema_check(enum rec_kind k, int kind_present, const struct jsonv_field f[SF__COUNT],
		 char *why, size_t whylen);

/* Decode the JSON string whose raw span (with quotes) is p[0..n) into `out`
 * (NUL-terminated, at most outlen-1 bytes; lone surrogates become U+FFFD).
 * Returns the decoded length, or -1 when the span is not a string. */
long json_string_decode(const char *p, size_t n, char *out, size_t outlen);

#endif
