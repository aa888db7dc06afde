/* One number parser for flags, environment variables and config files
 * (SPEC §6: "bad number" is exit 64 wherever the number comes from).
 *
 * Decimal only, the whole string, no surrounding whitespace, no leading
 * '+', no hex ("0x10"), no "inf"/"nan", range-checked without undefined
 * behaviour.  Locale-independent: "1.5" means one and a half even when
 * LC_NUMERIC says the decimal separator is ','. */
#ifndef PAPYRA_NUMPARSE_H
#define PAPYRA_NUMPARSE_H

#include <stddef.h>
#include <stdint.h>

enum numparse_status {
	NP_OK = 0,
	NP_EMPTY,     /* NULL or "" */
	NP_SYNTAX,    /* not a decimal number of the asked kind */
	NP_FRACTION,  /* a fraction or an exponent where a whole number is asked */
	NP_RANGE,     /* a number, but outside [min, max] (or beyond int64/double) */
};

/* A whole number: -?[0-9]+, within [min, max]. */
enum numparse_status numparse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* A decimal number: -?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?, finite, within
 * [min, max]. */
enum numparse_status numparse_double(const char *s, double min, double max, double *out);

/* A finite double as the shortest of %.15g, %.16g and %.17g that
 * numparse_double reads back to the same value, in the C locale ("1.5"
 * whatever LC_NUMERIC says), into out (at least 32 bytes). */
void numparse_format_double(char *out, size_t cap, double d);

/* A short phrase for an error message: "is not a whole number",
 * "is out of range", ... (the caller adds the bounds it wants to show). */
const char *numparse_reason(enum numparse_status st);

#endif
