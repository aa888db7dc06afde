#include "json_strict.h"

#include <string.h>

#include "strbuf.h"

char *json_strict_copy(const char *p, size_t n, size_t *len)
{
	struct strbuf b = { 0 };
	strbuf_reserve(&b, n);
	size_t run = 0; /* start of the bytes not yet copied */
	int in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++; /* the escaped byte cannot end the string */
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
			continue;
		}
		/* outside strings, 'N' and 'I' start only these words (null is
		 * lower case), and '-' before 'I' only -Infinity */
		size_t wl = c == 'N' ? 3 : c == 'I' ? 8 : c == '-' && i + 1 < n && p[i + 1] == 'I' ? 9 : 0;
		if (!wl || i + wl > n)
			continue;
		strbuf_add(&b, p + run, i - run);
		strbuf_add(&b, "\"", 1);
		strbuf_add(&b, p + i, wl);
		strbuf_add(&b, "\"", 1);
		i += wl - 1;
		run = i + 1;
	}
	strbuf_add(&b, p + run, n - run);
	return strbuf_detach(&b, len);
}
