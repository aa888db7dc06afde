/* GitLab Code Quality report (SPEC §6): a JSON array with one issue per
 * anomaly of the final state, in the fields GitLab documents for the
 * `codequality` artifact: description, check_name, fingerprint, severity,
 * location.path and location.lines.begin.  Applied actions are not issues
 * and are left out (the JSON and SARIF reports carry them). */
#include <string.h>

#include "report.h"
#include "sha256.h"
#include "strbuf.h"

/* Severity per anomaly type, on GitLab's scale (info, minor, major,
 * critical, blocker): how much of the store a reader can no longer trust. */
static const char *const gitlab_severity[AN__COUNT] = {
	[AN_PARTIAL_WRITE] = "blocker",        /* the file could not be read at all */
	[AN_CORRUPTED_LINE] = "critical",      /* a record is lost */
	[AN_TRUNCATED_LINE] = "major",         /* an interrupted append at the tail */
	[AN_SCHEMA_MISMATCH] = "major",        /* readable, but not what readers expect */
	[AN_ORPHANED_ROTATED_FILE] = "minor",  /* beside the data, not in it */
	[AN_UNEXPECTED_FILE] = "minor",
	[AN_MISSING_DATA] = "blocker",         /* --require-data: nothing was there to check */
};

const char *report_gitlab_severity(enum anomaly_type t)
{
	return t < AN__COUNT && gitlab_severity[t] ? gitlab_severity[t] : "major";
}

const char *report_path(const char *path)
{
	if (!path)
		return "";
	while (path[0] == '.' && path[1] == '/' && path[2])
		path += 2;
	return path;
}

void report_fingerprint(const struct anomaly *a, char out[65])
{
	struct sha256 s;
	char where[48] = "";
	const char *type = anomaly_type_name(a->type), *path = report_path(a->path);
	if (a->line > 0 && !a->id)
		snprintf(where, sizeof where, "line %lld", (long long)a->line);
	sha256_init(&s);
	sha256_update(&s, type, strlen(type) + 1);
	sha256_update(&s, path, strlen(path) + 1);
	if (a->id) {
		sha256_update(&s, "id ", 3);
		sha256_update(&s, a->id, strlen(a->id) + 1);
	} else {
		sha256_update(&s, where, strlen(where) + 1);
	}
	sha256_update(&s, a->detail ? a->detail : "", a->detail ? strlen(a->detail) : 0);
	sha256_hex(&s, out);
}

int report_write_gitlab(FILE *f, const struct run_report *r)
{
	const struct scan_report *s = r->verify ? r->verify : r->scan;
	if (!r->fragment)
		fputc('[', f);
	struct scan_iter it;
	const struct anomaly *a;
	scan_iter_init(&it, s);
	for (size_t i = 0; s && (a = scan_iter_next(&it)); i++) {
		char fp[65];
		report_fingerprint(a, fp);
		struct strbuf d = { 0 };
		if (r->system)
			strbuf_printf(&d, "[system %s] ", r->system);
		strbuf_printf(&d, "%s: %s", anomaly_type_name(a->type), a->detail ? a->detail : "");
		fputs(i ? ",\n {\"description\": " : "\n {\"description\": ", f);
		json_write_string(f, d.oom ? anomaly_type_name(a->type) : d.p);
		strbuf_free(&d);
		fputs(", \"check_name\": ", f);
		json_write_string(f, anomaly_type_name(a->type));
		fprintf(f, ", \"fingerprint\": \"%s\", \"severity\": \"%s\", \"location\": {\"path\": ", fp,
			report_gitlab_severity(a->type));
		json_write_string(f, report_path(a->path));
		/* GitLab needs a line: a Redis anomaly gives the entry's position in
		 * its stream, a whole-file anomaly line 1 */
		fprintf(f, ", \"lines\": {\"begin\": %lld}}}", (long long)(a->line > 0 ? a->line : 1));
	}
	scan_iter_free(&it);
	if (!r->fragment)
		fputs(s && s->n_an ? "\n]\n" : "]\n", f);
	return ferror(f) ? -1 : 0;
}
