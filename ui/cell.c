/* Leaf helpers of the console's drawing (cell.h): no view, no model, only
 * the screen's primitives. */
#include "cell.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "screen.h"

const char *console_glyph(void)
{
	return screen_utf8() ? "\xe2\x9c\x96" : "!";
}

void console_cell_n(int y, int x, int w, int role, const char *s, size_t n)
{
	int used = screen_text(y, x, w, role, s, n);
	screen_fill(y, x + used, w - used, role);
}

void console_cell(int y, int x, int w, int role, const char *s)
{
	console_cell_n(y, x, w, role, s, strlen(s));
}

int rec_cell(int y, int x, int w, int role, const char *s)
{
	console_cell(y, x, w, role, s);
	screen_fill(y, x + w, 1, role);
	return x + w + 1;
}

int bytes_contain(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k == 0)
		return 1;
	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;
		while (j < k && tolower((unsigned char)p[i + j]) == (unsigned char)needle[j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

void walk_size(char *out, size_t cap, int64_t bytes)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	if (bytes < 1024) {
		snprintf(out, cap, "%lld byte%s", (long long)bytes, bytes == 1 ? "" : "s");
		return;
	}
	double v = (double)bytes / 1024;
	int u = 0;
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, cap, "%.1f %s", v, unit[u]);
}
