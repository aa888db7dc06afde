/* File helpers shared by the cmocka tests that mutate data: include after
 * <cmocka.h>.  Static inline, so a test that uses only some of them still
 * builds under -Werror. */
#ifndef PAPYRA_TESTUTIL_H
#define PAPYRA_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct buf {
	char *p;
	size_t n;
};

/* The whole file; fails the test when it cannot be opened. */
static inline struct buf read_all(const char *path)
{
	struct buf b = {NULL, 0};
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	size_t cap = 1 << 16;
	b.p = malloc(cap);
	size_t r;
	while ((r = fread(b.p + b.n, 1, cap - b.n, f)) > 0) {
		b.n += r;
		if (b.n == cap)
			b.p = realloc(b.p, cap *= 2);
	}
	fclose(f);
	return b;
}

static inline void write_file(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static inline void assert_file_equals(const char *path, const char *p, size_t n)
{
	struct buf b = read_all(path);
	assert_int_equal(b.n, n);
	assert_memory_equal(b.p, p, n);
	free(b.p);
}

/* No ".papyra-tmp-" file left in `dir`. */
static inline void assert_no_temp(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d));)
		if (strstr(de->d_name, ".papyra-tmp-"))
			fail_msg("temp file left behind: %s/%s", dir, de->d_name);
	closedir(d);
}

/* rm -r without following symlinks; makes directories writable first
 * (tests take write permission away). */
static inline void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, 0755);
		DIR *d = opendir(path);
		for (struct dirent *de; d && (de = readdir(d));) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			char sub[1024];
			if (snprintf(sub, sizeof sub, "%s/%s", path, de->d_name) < (int)sizeof sub)
				rm_rf(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

#endif
