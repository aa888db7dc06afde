/* Strict decimal numbers (see numparse.h). */
#include "numparse.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int np_digit(char c)
{
	return c >= '0' && c <= '9';
}

enum numparse_status numparse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!s || !*s)
		return NP_EMPTY;
	const char *p = s;
	int neg = *p == '-';
	if (neg)
		p++;
	if (!np_digit(*p))
		return NP_SYNTAX;
	/* accumulate as a negative number: its range is one larger */
	int64_t v = 0;
	int overflow = 0;
	for (; np_digit(*p); p++) {
		int d = *p - '0';
		if (v < (INT64_MIN + d) / 10)
			overflow = 1;
		else
			v = v * 10 - d;
	}
	if (*p == '.' || *p == 'e' || *p == 'E') {
		/* tell "1.5" and "1e3" apart from garbage for a clearer message */
		double ignored;
		return numparse_double(s, -HUGE_VAL, HUGE_VAL, &ignored) == NP_OK ? NP_FRACTION
										 : NP_SYNTAX;
	}
	if (*p)
		return NP_SYNTAX;
	if (overflow || (!neg && v == INT64_MIN))
		return NP_RANGE;
	v = neg ? v : -v;
	if (v < min || v > max)
		return NP_RANGE;
	*out = v;
	return NP_OK;
}

/* Whether s is -?digits(.digits)?(e[+-]?digits)? exactly. */
static int np_decimal_syntax(const char *p)
{
	if (*p == '-')
		p++;
	if (!np_digit(*p))
		return 0;
	while (np_digit(*p))
		p++;
	if (*p == '.') {
		p++;
		if (!np_digit(*p))
			return 0;
		while (np_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!np_digit(*p))
			return 0;
		while (np_digit(*p))
			p++;
	}
	return *p == '\0';
}

enum numparse_status numparse_double(const char *s, double min, double max, double *out)
{
	if (!s || !*s)
		return NP_EMPTY;
	if (!np_decimal_syntax(s))
		return NP_SYNTAX;
	/* The syntax is checked, so strtod only converts; in the C locale, so
	 * the process's LC_NUMERIC cannot change what "." means. */
	locale_t c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_loc == (locale_t)0)
		return NP_SYNTAX;
	locale_t old = uselocale(c_loc);
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	int err = errno;
	uselocale(old);
	freelocale(c_loc);
	if (*end)
		return NP_SYNTAX;
	if ((err == ERANGE && fabs(v) >= 1.0) || !isfinite(v))
		return NP_RANGE; /* overflow; an underflow to (almost) 0 is a fine value */
	if (v < min || v > max)
		return NP_RANGE;
	*out = v;
	return NP_OK;
}

void numparse_format_double(char *out, size_t cap, double d)
{
	locale_t c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	locale_t old = c_loc != (locale_t)0 ? uselocale(c_loc) : (locale_t)0;
	for (int prec = 15; prec <= 17; prec++) {
		double back;
		snprintf(out, cap, "%.*g", prec, d);
		if (numparse_double(out, -HUGE_VAL, HUGE_VAL, &back) == NP_OK && back == d)
			break;
	}
	if (c_loc != (locale_t)0) {
		uselocale(old);
		freelocale(c_loc);
	}
}

const char *numparse_reason(enum numparse_status st)
{
	switch (st) {
	case NP_OK: return "is a number";
	case NP_EMPTY: return "is empty";
	case NP_SYNTAX: return "is not a decimal number";
	case NP_FRACTION: return "is not a whole number";
	case NP_RANGE: return "is out of range";
	}
	return "is not a number";
}
