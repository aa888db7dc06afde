/* SARIF 2.1.0 report (SPEC §6), for GitHub code scanning and other SARIF
 * readers: one run whose tool.driver lists one rule per anomaly type (from
 * the anomaly table), one result per anomaly of the final state, and the
 * recovery actions as tool execution notifications of the invocation.
 *
 * Locations: a file is an artifactLocation URI (relative paths stay
 * relative to %SRCROOT%, the working directory, given in
 * originalUriBaseIds; absolute ones become file:// URIs) with a region of
 * startLine, byteOffset and byteLength when the anomaly is about a line; a
 * Redis entry is a logical location named by its id, fully qualified as
 * "<stream key>/<id>". */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "sha256.h"
#include "strbuf.h"
#include "version.h"

#define SARIF_SCHEMA REPORT_SARIF_SCHEMA
#define SARIF_SRCROOT "%SRCROOT%"

/* RFC 3986: keep unreserved characters and '/', percent-encode every
 * other byte (so ':' in a first segment never reads as a scheme, and
 * bytes that are not UTF-8 survive). */
static void sarif_uri_path(struct strbuf *b, const char *p)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *s = (const unsigned char *)p; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || *s == '.' || *s == '_' || *s == '~' || *s == '/') {
			strbuf_add(b, s, 1);
		} else {
			char esc[3] = { '%', hex[*s >> 4], hex[*s & 15] };
			strbuf_add(b, esc, 3);
		}
	}
}

/* Write a JSON string key/value pair ", \"key\": value" (leading comma
 * unless `first`). */
static void kv(FILE *f, int first, const char *key, const char *val)
{
	fprintf(f, "%s\"%s\": ", first ? "" : ", ", key);
	json_write_string(f, val);
}

/* A message text: SARIF readers expect a sentence, ending with a period. */
static void message(FILE *f, const char *key, const char *a, const char *b)
{
	struct strbuf m = { 0 };
	strbuf_puts(&m, a ? a : "");
	if (b)
		strbuf_puts(&m, b);
	if (m.n == 0 || m.p[m.n - 1] != '.')
		strbuf_add(&m, ".", 1);
	fprintf(f, "\"%s\": {\"text\": ", key);
	json_write_string(f, m.oom ? "?" : m.p);
	fputc('}', f);
	strbuf_free(&m);
}

static int is_redis(const struct run_report *r)
{
	return r->backend && strcmp(r->backend, "redis") == 0;
}

/* One location object for a file (with an optional line region) or a
 * Redis stream entry. */
static void location(FILE *f, const struct run_report *r, const char *path, const char *id,
		     int64_t line, int64_t offset, int64_t length)
{
	if (is_redis(r)) {
		fputs("{\"logicalLocations\": [{", f);
		struct strbuf q = { 0 };
		strbuf_puts(&q, path ? path : "");
		if (id) {
			strbuf_add(&q, "/", 1);
			strbuf_puts(&q, id);
		}
		kv(f, 1, "name", id ? id : path);
		kv(f, 0, "fullyQualifiedName", q.oom ? path : q.p);
		kv(f, 0, "kind", id ? "object" : "resource");
		strbuf_free(&q);
		fputs("}]}", f);
		return;
	}
	const char *p = report_path(path);
	struct strbuf u = { 0 };
	if (p[0] == '/')
		strbuf_puts(&u, "file://");
	sarif_uri_path(&u, p);
	fputs("{\"physicalLocation\": {\"artifactLocation\": {", f);
	kv(f, 1, "uri", u.oom ? "" : u.p);
	if (p[0] != '/')
		kv(f, 0, "uriBaseId", SARIF_SRCROOT);
	fputc('}', f);
	strbuf_free(&u);
	if (line > 0) {
		fprintf(f, ", \"region\": {\"startLine\": %lld", (long long)line);
		if (offset >= 0)
			fprintf(f, ", \"byteOffset\": %lld", (long long)offset);
		if (length >= 0)
			fprintf(f, ", \"byteLength\": %lld", (long long)length);
		fputc('}', f);
	}
	fputs("}}", f);
}

/* CamelCase of an upper-case type name, for reportingDescriptor.name. */
static void rule_name(char *out, size_t n, const char *type)
{
	size_t o = 0;
	int up = 1;
	for (; *type && o + 1 < n; type++) {
		if (*type == '_') {
			up = 1;
			continue;
		}
		out[o++] = up ? *type : (char)(*type - 'A' + 'a');
		up = 0;
	}
	out[o] = '\0';
}

static void sarif_driver(FILE *f)
{
	fputs("\"tool\": {\"driver\": {", f);
	kv(f, 1, "name", "papyra");
	kv(f, 0, "version", PAPYRA_VERSION);
	kv(f, 0, "semanticVersion", PAPYRA_VERSION);
	kv(f, 0, "informationUri", PAPYRA_INFO_URI);
	fputs(", \"rules\": [", f);
	for (int t = 0; t < AN__COUNT; t++) {
		const char *name = anomaly_type_name((enum anomaly_type)t);
		char camel[64];
		rule_name(camel, sizeof camel, name);
		fputs(t ? ", {" : "{", f);
		kv(f, 1, "id", name);
		kv(f, 0, "name", camel);
		fputs(", ", f);
		/* the table's descriptions are lower-case phrases */
		struct strbuf d = { 0 };
		strbuf_puts(&d, anomaly_type_desc((enum anomaly_type)t));
		if (d.n && !d.oom && d.p[0] >= 'a' && d.p[0] <= 'z')
			d.p[0] = (char)(d.p[0] - 'a' + 'A');
		message(f, "shortDescription", d.oom ? name : d.p, NULL);
		fputs(", ", f);
		strbuf_puts(&d, ". Recovery: ");
		strbuf_puts(&d, anomaly_type_fix((enum anomaly_type)t));
		message(f, "fullDescription", d.oom ? name : d.p, NULL);
		fputs(", ", f);
		message(f, "help", "Recovery: ", anomaly_type_fix((enum anomaly_type)t));
		strbuf_free(&d);
		fputs(", \"defaultConfiguration\": {\"level\": \"error\"}}", f);
	}
	fputs("]}}", f);
}

static void sarif_action(FILE *f, const struct run_report *r, const struct action *a, int applied,
			 int first)
{
	struct strbuf t = { 0 };
	strbuf_printf(&t, "%s%s %s", applied ? "" : "Planned, not applied: ", action_kind_name(a->kind),
		      a->path);
	if (a->id)
		strbuf_printf(&t, " entry %s", a->id);
	else if (a->line > 0)
		strbuf_printf(&t, " line %lld", (long long)a->line);
	if (a->to)
		strbuf_printf(&t, " to %s", a->to);
	if (a->kind == ACT_DROP_LINE || a->kind == ACT_APPEND_NEWLINE || a->kind == ACT_DELETE_ENTRY ||
	    a->kind == ACT_QUARANTINE_ENTRY)
		strbuf_printf(&t, " (%s)", anomaly_type_name(a->reason));
	fputs(first ? "{\"level\": \"note\", " : ", {\"level\": \"note\", ", f);
	message(f, "message", t.oom ? action_kind_name(a->kind) : t.p, NULL);
	strbuf_free(&t);
	fputs(", \"locations\": [", f);
	location(f, r, a->path, a->id, a->line, a->offset, a->length);
	fputs("], \"properties\": {", f);
	kv(f, 1, "action", action_kind_name(a->kind));
	fprintf(f, ", \"applied\": %s", applied ? "true" : "false");
	if (a->to)
		kv(f, 0, "to", a->to);
	fputs("}}", f);
}

static void sarif_invocation(FILE *f, const struct run_report *r)
{
	/* 0-3 are verdicts about the data; 64, 69, 74 mean the run itself failed */
	fprintf(f, "\"invocations\": [{\"executionSuccessful\": %s, \"exitCode\": %d",
		r->exit_code >= 0 && r->exit_code <= 3 ? "true" : "false", r->exit_code);
	const struct plan *pl = r->actions ? r->actions : r->plan;
	int first = 1;
	struct plan_lines lines;
	size_t i;
	plan_lines_init(&lines, pl);
	for (const struct action *a; (a = plan_lines_next(&lines, &i));) {
		if (a->skip)
			continue;
		if (first)
			fputs(", \"toolExecutionNotifications\": [", f);
		sarif_action(f, r, a, pl == r->actions && report_action_applied(r, i), first);
		first = 0;
	}
	if (!first)
		fputc(']', f);
	fputs("}]", f);
}

static void sarif_result(FILE *f, const struct run_report *r, const struct anomaly *a, int first)
{
	char fp[65];
	report_fingerprint(a, fp);
	fprintf(f, "%s{\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"error\", ", first ? "" : ", ",
		anomaly_type_name(a->type), (int)a->type);
	message(f, "message", a->detail, NULL);
	fputs(", \"locations\": [", f);
	location(f, r, a->path, a->id, a->id ? 0 : a->line, a->offset, a->length);
	fprintf(f, "], \"partialFingerprints\": {\"papyraAnomaly/v1\": \"%s\"}}", fp);
}

int report_write_sarif(FILE *f, const struct run_report *r)
{
	const struct scan_report *s = r->verify ? r->verify : r->scan;
	if (!r->fragment)
		fputs("{\"$schema\": \"" SARIF_SCHEMA "\", \"version\": \"2.1.0\", \"runs\": [", f);
	fputc('{', f);
	sarif_driver(f);
	fputs(", ", f);
	sarif_invocation(f, r);
	if (!is_redis(r)) {
		/* what relative URIs are relative to: the directory papyra ran in */
		char *cwd = getcwd(NULL, 0);
		if (cwd) {
			struct strbuf u = { 0 };
			strbuf_puts(&u, "file://");
			sarif_uri_path(&u, cwd);
			if (u.n == 0 || u.p[u.n - 1] != '/')
				strbuf_add(&u, "/", 1);
			fputs(", \"originalUriBaseIds\": {\"" SARIF_SRCROOT "\": {", f);
			kv(f, 1, "uri", u.oom ? "file:///" : u.p);
			fputs("}}", f);
			strbuf_free(&u);
			free(cwd);
		}
	}
	fputs(", \"results\": [", f);
	if (s) {
		struct scan_iter it;
		const struct anomaly *a;
		scan_iter_init(&it, s);
		for (size_t i = 0; (a = scan_iter_next(&it)); i++)
			sarif_result(f, r, a, i == 0);
		scan_iter_free(&it);
	}
	fputs("], \"properties\": {", f);
	kv(f, 1, "command", r->command);
	kv(f, 0, "backend", r->backend);
	kv(f, 0, "location", r->location);
	if (r->mode)
		kv(f, 0, "mode", r->mode);
	if (r->recovery_mode)
		kv(f, 0, "recovery_mode", r->recovery_mode);
	if (r->system)
		kv(f, 0, "system_id", r->system);
	fprintf(f, ", \"exit_code\": %d}}", r->exit_code);
	if (!r->fragment)
		fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}
