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

/* Whether `stem` has the shape of a shortened one. */
static int tempname_is_short_form(const char *stem)
{
	size_t n = strlen(stem);
	if (n != TEMPNAME_STEM_MAX || stem[n - TEMPNAME_HASH_LEN] != '~')
		return 0;
	for (size_t i = n - TEMPNAME_HASH_LEN + 1; i < n; i++)
		if (!strchr("0123456789abcdef", stem[i]))
			return 0;
	return 1;
}

static int tempname_stem_is(const char *name, const char *stem)
{
	char *s = tempname_stem(name, NULL);
	int same = s && strcmp(s, stem) == 0;
	free(s);
	return same;
}

char *tempname_find_data(const char *dir, const char *stem, perr *e)
{
	if (!tempname_is_short_form(stem))
		return px_strdup(stem, e);
	DIR *d = opendir(dir);
	char *found = NULL;
	if (d) {
		struct dirent *de;
		size_t keep = TEMPNAME_STEM_MAX - TEMPNAME_HASH_LEN;
		while (!found && (de = readdir(d)))
			if (strlen(de->d_name) > TEMPNAME_STEM_MAX && strncmp(de->d_name, stem, keep) == 0 &&
			    tempname_stem_is(de->d_name, stem))
				found = px_strdup(de->d_name, e);
		closedir(d);
	}
	return found ? found : px_strdup(stem, e);
}

int64_t tempname_member_index(const char *stem, const char *base, int64_t max_files)
{
	char name[4096];
	for (int64_t i = 0; i < max_files; i++) {
		if (i == 0)
			snprintf(name, sizeof name, "%s", base);
		else
			snprintf(name, sizeof name, "%s.%lld", base, (long long)i);
		if (tempname_stem_is(name, stem))
			return i;
	}
	return -1;
}
