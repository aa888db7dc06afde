/* The recovery journal (SPEC §4): one JSON line per mutating action set,
 * appended with O_APPEND and fsynced so an operator can always tell what
 * was changed, by whom and when. */
#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "salvage.h"
#include "strbuf.h"

/* Host names are at most 255 bytes (POSIX HOST_NAME_MAX on Linux is 64). */
#define JOURNAL_HOST_MAX 256

static void journal_key(struct strbuf *b, const char *k)
{
	strbuf_add(b, ",", 1);
	strbuf_json_string(b, k);
	strbuf_add(b, ":", 1);
}

static void journal_i64(struct strbuf *b, const char *k, int64_t v)
{
	journal_key(b, k);
	strbuf_printf(b, "%lld", (long long)v);
}

static void journal_kstr(struct strbuf *b, const char *k, const char *v)
{
	journal_key(b, k);
	strbuf_json_string(b, v);
}

static void journal_str_list(struct strbuf *b, const char *k, char *const *v, size_t n)
{
	journal_key(b, k);
	strbuf_add(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_add(b, ",", 1);
		strbuf_json_string(b, v[i]);
	}
	strbuf_add(b, "]", 1);
}

static int journal_was_repaired(const struct apply_result *r, const char *display)
{
	if (!r)
		return 1;
	for (size_t i = 0; i < r->n_repaired; i++)
		if (strcmp(r->repaired[i], display) == 0)
			return 1;
	return 0;
}

/* Per-file figures from the actions actually applied (skips excluded). */
static void journal_files(struct strbuf *b, const struct plan *p, const struct apply_result *r)
{
	journal_key(b, "files");
	strbuf_add(b, "[", 1);
	int first = 1;
	for (size_t i = 0; p && i < p->nfiles; i++) {
		const struct plan_file *pf = &p->files[i];
		if (!journal_was_repaired(r, pf->display))
			continue;
		int64_t bytes = pf->bytes_before, lines = pf->lines_before;
		int touched = 0;
		for (size_t k = 0; k < p->n; k++) {
			const struct action *a = &p->v[k];
			if (a->skip || strcmp(a->path, pf->path) != 0)
				continue;
			if (a->kind == ACT_APPEND_NEWLINE) {
				bytes += 1;
				touched = 1;
			} else if (a->kind == ACT_SALVAGE && a->salvage) {
				bytes += salvage_bytes_delta(a->salvage);
				lines += a->salvage->records - 1;
				touched = 1;
			} else if (a->kind == ACT_DROP_LINE) {
				bytes -= action_drop_bytes(a, pf->bytes_before);
				lines -= (int64_t)action_lines(a);
				touched = 1;
			}
		}
		if (!touched)
			continue;
		strbuf_add(b, first ? "{" : ",{", first ? 1 : 2);
		first = 0;
		strbuf_json_string(b, "path");
		strbuf_add(b, ":", 1);
		strbuf_json_string(b, pf->display);
		journal_i64(b, "bytes_before", pf->bytes_before);
		journal_i64(b, "bytes_after", bytes);
		journal_i64(b, "lines_before", pf->lines_before);
		journal_i64(b, "lines_after", lines);
		strbuf_add(b, "}", 1);
	}
	strbuf_add(b, "]", 1);
}

static const char *journal_display(const struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i].path, path) == 0)
			return p->files[i].display;
	return path;
}

/* Whether action k reached the store: per the result's applied[] when it
 * tracks them, else (older callers) every non-skipped action did. */
static int journal_applied(const struct plan *p, const struct apply_result *r, size_t k)
{
	if (p->v[k].skip)
		return 0;
	if (!r || !r->applied)
		return 1;
	return k < r->n_actions && r->applied[k];
}

static void journal_status(struct strbuf *b, const struct journal_entry *j)
{
	size_t planned = 0, applied = 0;
	/* counted in lines: a merged run of drops is as many actions as lines */
	for (size_t k = 0; j->plan && k < j->plan->n; k++) {
		size_t w = action_lines(&j->plan->v[k]);
		planned += j->plan->v[k].skip ? 0 : w;
		applied += journal_applied(j->plan, j->result, k) ? w : 0;
	}
	const char *status = j->in_progress ? "in_progress" : !j->error ? "complete" :
			     applied ? "partial" : "failed";
	journal_kstr(b, "status", status);
	if (j->plan) {
		journal_i64(b, "actions_planned", (int64_t)planned);
		journal_i64(b, "actions_applied", (int64_t)applied);
	}
	if (j->error)
		journal_kstr(b, "error", j->error);
}

static void journal_dropped(struct strbuf *b, const struct plan *p, const struct apply_result *r)
{
	journal_key(b, "dropped");
	strbuf_add(b, "[", 1);
	int first = 1;
	/* a merged run of drops is listed line by line */
	struct plan_lines lines;
	size_t k;
	plan_lines_init(&lines, p);
	for (const struct action *a; (a = plan_lines_next(&lines, &k));) {
		int entry = a->kind == ACT_DELETE_ENTRY || a->kind == ACT_QUARANTINE_ENTRY;
		const char *display = a->kind == ACT_DROP_LINE ? journal_display(p, a->path) :
				      entry ? a->path : NULL;
		if (!journal_applied(p, r, k) || !display || (!entry && !journal_was_repaired(r, display)))
			continue;
		strbuf_add(b, first ? "{" : ",{", first ? 1 : 2);
		first = 0;
		strbuf_json_string(b, "path");
		strbuf_add(b, ":", 1);
		strbuf_json_string(b, display);
		if (entry) {
			journal_kstr(b, "id", a->id);
		} else {
			journal_i64(b, "line", a->line);
			journal_i64(b, "offset", a->offset);
		}
		journal_kstr(b, "reason", anomaly_type_name(a->reason));
		strbuf_add(b, "}", 1);
	}
	strbuf_add(b, "]", 1);
}

static void journal_header(struct strbuf *b)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	char when[64] = "";
	if (gmtime_r(&ts.tv_sec, &tm))
		snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 ts.tv_nsec / 1000000);
	strbuf_add(b, "{", 1);
	strbuf_json_string(b, "time");
	strbuf_add(b, ":", 1);
	strbuf_json_string(b, when);
	journal_key(b, "epoch");
	strbuf_printf(b, "%lld.%03ld", (long long)ts.tv_sec, ts.tv_nsec / 1000000);

	uid_t uid = geteuid();
	struct passwd *pw = getpwuid(uid);
	char uidname[32];
	snprintf(uidname, sizeof uidname, "uid %lu", (unsigned long)uid);
	journal_kstr(b, "user", pw && pw->pw_name ? pw->pw_name : uidname);
	journal_i64(b, "uid", (int64_t)uid);
	char host[JOURNAL_HOST_MAX] = "";
	if (gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	journal_kstr(b, "host", host);
	journal_i64(b, "pid", (int64_t)getpid());
}

/* Build the line (with its "\n"); NULL when out of memory. */
static char *journal_build(const struct journal_entry *j, size_t *len)
{
	struct strbuf b = {0};
	const struct plan *p = j->plan;
	const struct apply_result *r = j->result;
	journal_header(&b);
	journal_kstr(&b, "command", j->command);
	journal_kstr(&b, "backend", j->backend);
	journal_kstr(&b, "location", j->location);
	journal_kstr(&b, "mode", j->mode);
	journal_status(&b, j);
	journal_files(&b, p, r);
	journal_i64(&b, "records_before", j->records_before);
	journal_i64(&b, "records_after", j->records_after);
	if (j->bytes_unknown) {
		journal_key(&b, "bytes_before");
		strbuf_puts(&b, "null");
		journal_key(&b, "bytes_after");
		strbuf_puts(&b, "null");
	} else {
		journal_i64(&b, "bytes_before", j->bytes_before);
		journal_i64(&b, "bytes_after", j->bytes_after);
	}
	journal_i64(&b, "lines_dropped", r ? r->lines_dropped : 0);
	journal_dropped(&b, p, r);
	journal_str_list(&b, "quarantine", r ? r->quarantined : NULL, r ? r->n_quarantined : 0);
	/* Redis --ack-deleted: pending ids of deleted entries acknowledged (XACK) */
	if (r && r->acking)
		journal_i64(&b, "acked_pending", r->n_acked);
	strbuf_add(&b, "}\n", 2);
	if (b.oom) {
		strbuf_free(&b);
		return NULL;
	}
	*len = b.n;
	return b.p;
}

int journal_append(const char *journal_path, const struct journal_entry *j, perr *e)
{
	size_t len = 0;
	char *line = journal_build(j, &len);
	if (!line)
		return perr_set(e, PX_IOERR, "out of memory writing the journal");
	char *dir = fsutil_dirname(journal_path, e);
	int rc = dir ? fsutil_mkdirs(dir, e) : -1;
	free(dir);
	int fd = -1;
	if (rc == 0) {
		do
			fd = open(journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
		while (fd < 0 && errno == EINTR);
		if (fd < 0)
			rc = perr_set(e, PX_IOERR, "cannot open journal %s: %s", journal_path,
				      strerror(errno));
	}
	/* One write: O_APPEND keeps concurrent writers' lines whole. */
	if (rc == 0)
		rc = fsutil_write_all(fd, line, len, journal_path, e);
	if (rc == 0)
		rc = fsutil_fsync(fd, journal_path, e);
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = perr_set(e, PX_IOERR, "cannot close journal %s: %s", journal_path, strerror(errno));
	free(line);
	return rc;
}
