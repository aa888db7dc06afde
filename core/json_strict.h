/* Strict JSON from the JSON text the scanner accepts (SPEC §2.1): Python's
 * json module writes NaN, Infinity and -Infinity as bare words, which
 * RFC 8259 parsers (JavaScript's JSON.parse, jq's strict mode, Go) refuse.
 * This turns each such word outside a string into the JSON string of the
 * same spelling ("NaN", "Infinity", "-Infinity"); every other byte is
 * kept, so numbers keep their stored digits. */
#ifndef PAPYRA_JSON_STRICT_H
#define PAPYRA_JSON_STRICT_H

#include <stddef.h>

/* `p[0..n)` must be JSON text as jsonv validates it.  Returns a malloc'd,
 * NUL-terminated copy with the words quoted (length in *len), or NULL when
 * out of memory. */
char *json_strict_copy(const char *p, size_t n, size_t *len);

#endif
