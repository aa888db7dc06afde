/* Temp and quarantine names within NAME_MAX (tempname.h). */
#include "tempname.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "~" and 16 hex digits */
#define TEMPNAME_HASH_LEN 17

static uint64_t tempname_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a: stable, no dependency */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

char *tempname_shorten(const char *name, size_t max, perr *e)
{
	size_t n = strlen(name);
	if (n <= max || max <= TEMPNAME_HASH_LEN)
		return px_strdup(name, e);
	return px_asprintf(e, "%.*s~%016llx", (int)(max - TEMPNAME_HASH_LEN), name,
			   (unsigned long long)tempname_hash(name));
}

char *tempname_stem(const char *base, perr *e)
{
	return tempname_shorten(base, TEMPNAME_STEM_MAX, e);
}

/* Whether `stem` has the shape of one shortened to `max`. */
static int tempname_is_short_form(const char *stem, size_t max)
{
	size_t n = strlen(stem);
	if (n != max || stem[n - TEMPNAME_HASH_LEN] != '~')
		return 0;
	for (size_t i = n - TEMPNAME_HASH_LEN + 1; i < n; i++)
		if (!strchr("0123456789abcdef", stem[i]))
			return 0;
	return 1;
}

static int tempname_stem_is(const char *name, const char *stem, size_t max)
{
	char *s = tempname_shorten(name, max, NULL);
	int same = s && strcmp(s, stem) == 0;
	free(s);
	return same;
}

char *tempname_find_data(const char *dir, const char *stem, perr *e)
{
	return tempname_find_data_max(dir, stem, TEMPNAME_STEM_MAX, e);
}

char *tempname_find_data_max(const char *dir, const char *stem, size_t max, perr *e)
{
	if (!tempname_is_short_form(stem, max))
		return px_strdup(stem, e);
	DIR *d = opendir(dir);
	char *found = NULL;
	if (d) {
		struct dirent *de;
		size_t keep = max - TEMPNAME_HASH_LEN;
		while (!found && (de = readdir(d)))
			if (strlen(de->d_name) > max && strncmp(de->d_name, stem, keep) == 0 &&
			    tempname_stem_is(de->d_name, stem, max))
				found = px_strdup(de->d_name, e);
		closedir(d);
	}
	return found ? found : px_strdup(stem, e);
}

int64_t tempname_member_index(const char *stem, const char *base, int64_t max_files)
{
	return tempname_member_index_max(stem, base, max_files, TEMPNAME_STEM_MAX);
}

int64_t tempname_member_index_max(const char *stem, const char *base, int64_t max_files, size_t max)
{
	char name[4096];
	for (int64_t i = 0; i < max_files; i++) {
		if (i == 0)
			snprintf(name, sizeof name, "%s", base);
		else
			snprintf(name, sizeof name, "%s.%lld", base, (long long)i);
		if (tempname_stem_is(name, stem, max))
			return i;
	}
	return -1;
}
