#include "backend_json.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compact.h"
#include "metrics.h"
#include "tempname.h"

int check_regular_or_missing(const char *path, perr *e)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return 0; /* missing is clean; unreadable becomes PARTIAL_WRITE in the scan */
	if (S_ISREG(st.st_mode))
		return 0;
	const char *what = S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
			   S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
			   S_ISSOCK(st.st_mode) ? "a socket" : "not a regular file";
	return perr_set(e, PX_USAGE, "%s is %s, not an NDJSON file", path, what);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int scan_leftover_temps(const char *path, struct scan_report *r, perr *e)
{
	const char *base = px_basename(path);
	size_t dirlen = (size_t)(base - path);
	char *dir = dirlen ? strndup(path, dirlen) : strdup(".");
	char *stem = tempname_stem(base, e); /* a long name's temps carry its shortened stem */
	char *prefix = stem ? px_asprintf(e, ".%s" TEMPNAME_MARK, stem) : NULL;
	free(stem);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	if (!dir || !prefix) {
		rc = perr_set(e, PX_IOERR, "out of memory");
		goto out;
	}
	DIR *d = opendir(dir);
	if (!d)
		goto out; /* missing directory: nothing left over */
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (px_grow(&names, &cap, n + 1, sizeof *names, e) < 0 ||
		    !(names[n] = px_strdup(de->d_name, e))) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *full = px_asprintf(e, "%.*s%s", (int)dirlen, path, names[i]);
		if (!full) {
			rc = -1;
			break;
		}
		rc = scan_report_add(r, AN_UNEXPECTED_FILE, full, 0, -1, -1, NULL, AF_TEMP_FILE, e,
				     "Leftover temporary file from an interrupted operation");
		free(full);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	free(prefix);
	return rc;
}

static int json_scan(struct backend *b, const struct scan_opts *o, const struct scan_sink *sink,
		     struct scan_report *r, perr *e)
{
	if (scan_leftover_temps(b->cfg->path, r, e) < 0)
		return -1;
	return scan_ndjson_file(b->cfg->path, b->cfg->path, o, sink, r, e);
}

static int json_plan(struct backend *b, const struct scan_report *r, enum recovery_mode mode,
		     const char *qdir, struct plan *p, perr *e)
{
	(void)b;
	return plan_build_files(p, r, NULL, mode, qdir, e);
}

static int json_apply(struct backend *b, const struct plan *p, const struct apply_progress *prog,
		      struct apply_result *res, perr *e)
{
	(void)b;
	int rc = plan_apply_files(p, prog, res, e);
	metrics_note_recovery(rc == 0);
	return rc;
}

static int json_compact(struct backend *b, const struct retention *ret, struct compact_result *res,
			perr *e)
{
	int rc = compact_ndjson_file(b->cfg->path, ret, px_now(), res, e);
	metrics_note_compaction(rc == 0);
	return rc;
}

static void json_close(struct backend *b)
{
	free(b->location);
	free(b);
}

static const struct backend_traits json_traits = {
	.noun = "line", .nouns = "lines", .store = "file", .unit = "file",
	.has_files = 1, .measures_bytes = 1, .trims_by_bytes = 1, .quarantine_dir = 1,
};

static const struct backend_ops json_ops = {
	.name = "json",
	.class_name = "JsonFilePersistence",
	.traits = &json_traits,
	.scan = json_scan,
	.plan = json_plan,
	.apply = json_apply,
	.compact = json_compact,
	.close = json_close,
};

int backend_json_open(const struct config *c, struct backend **out, perr *e)
{
	if (check_regular_or_missing(c->path, e) < 0)
		return -1;
	struct backend *b = calloc(1, sizeof *b);
	if (!b || !(b->location = px_strdup(c->path, e))) {
		free(b);
		return perr_set(e, PX_IOERR, "out of memory");
	}
	b->ops = &json_ops;
	b->cfg = c;
	*out = b;
	return 0;
}
