#include "report.h"

#include <string.h>

#include "salvage.h"
#include "strbuf.h"
#include "version.h"

void json_write_string(FILE *f, const char *s)
{
	struct strbuf b = { 0 };
	strbuf_json_string(&b, s ? s : "");
	if (!b.oom)
		fwrite(b.p, 1, b.n, f);
	strbuf_free(&b);
}

int report_action_applied(const struct run_report *r, size_t i)
{
	const struct plan *p = r->actions;
	if (!p || i >= p->n || p->v[i].skip)
		return 0;
	if (!r->result || !r->result->applied)
		return r->result == NULL;
	return i < r->result->n_actions && r->result->applied[i];
}

static const char *const report_hex = "0123456789abcdef";

static void escape_byte(struct strbuf *b, unsigned char ch)
{
	char x[4] = { '\\', 'x', report_hex[ch >> 4], report_hex[ch & 15] };
	strbuf_add(b, x, 4);
}

/* U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069: they reorder
 * what follows them on screen, so a name could hide its own tail. */
static int is_bidi_control(unsigned cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

void report_escape_text(struct strbuf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		unsigned char ch = s[i];
		if (ch >= 0x20 && ch < 0x7f) {
			size_t j = i;
			while (j < n && s[j] >= 0x20 && s[j] < 0x7f)
				j++;
			strbuf_add(b, s + i, j - i);
			i = j;
			continue;
		}
		if (ch == '\n' || ch == '\t' || ch == '\r') {
			char e[2] = { '\\', ch == '\n' ? 'n' : ch == '\t' ? 't' : 'r' };
			strbuf_add(b, e, 2);
			i++;
			continue;
		}
		size_t len = ch < 0x80 ? 0 : utf8_seq_len(s + i, n - i);
		if (len == 0) {
			escape_byte(b, ch); /* C0, DEL, or not UTF-8 */
			i++;
			continue;
		}
		unsigned cp = ch & (0x7f >> len);
		for (size_t k = 1; k < len; k++)
			cp = cp << 6 | (s[i + k] & 0x3f);
		if ((cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp))
			strbuf_printf(b, "\\u%04x", cp);
		else
			strbuf_add(b, s + i, len);
		i += len;
	}
}

void report_junit_classname(struct strbuf *b, const char *command)
{
	strbuf_puts(b, "papyra.");
	for (const char *p = command ? command : ""; *p; p++)
		strbuf_add(b, *p == ' ' ? "-" : p, 1);
}

static void write_anomalies(FILE *f, const struct scan_report *r)
{
	fputs("\"anomalies\": [", f);
	struct scan_iter it;
	scan_iter_init(&it, r);
	const struct anomaly *a;
	for (size_t i = 0; (a = scan_iter_next(&it)); i++) {
		fputs(i ? ", {\"type\": " : "{\"type\": ", f);
		json_write_string(f, anomaly_type_name(a->type));
		fputs(", \"path\": ", f);
		json_write_string(f, a->path);
		fputs(", \"detail\": ", f);
		json_write_string(f, a->detail);
		if (a->id) {
			fputs(", \"id\": ", f);
			json_write_string(f, a->id);
		} else if (a->line > 0) {
			fprintf(f, ", \"line\": %lld, \"offset\": %lld, \"length\": %lld",
				(long long)a->line, (long long)a->offset, (long long)a->length);
		}
		fputc('}', f);
	}
	scan_iter_free(&it);
	fputc(']', f);
}

static void write_int_or_null(FILE *f, const char *key, int64_t v)
{
	if (v < 0)
		fprintf(f, ", \"%s\": null", key);
	else
		fprintf(f, ", \"%s\": %lld", key, (long long)v);
}

/* A stream's consumer groups (Redis), omitted when it has none. */
static void write_groups(FILE *f, const struct scan_file *sf)
{
	if (sf->groups_error) {
		fputs(", \"groups_error\": ", f);
		json_write_string(f, sf->groups_error);
	}
	if (!sf->n_groups)
		return;
	fputs(", \"groups\": [", f);
	for (size_t g = 0; g < sf->n_groups; g++) {
		const struct scan_group *x = &sf->groups[g];
		fputs(g ? ", {\"name\": " : "{\"name\": ", f);
		json_write_string(f, x->name);
		fprintf(f, ", \"consumers\": %lld, \"pending\": %lld", (long long)x->consumers,
			(long long)x->pending);
		write_int_or_null(f, "lag", x->lag);
		write_int_or_null(f, "entries_read", x->entries_read);
		if (x->last_delivered) {
			fputs(", \"last_delivered_id\": ", f);
			json_write_string(f, x->last_delivered);
		}
		fprintf(f, ", \"pending_checked\": %lld, \"pending_deleted\": %lld", (long long)x->checked,
			(long long)x->dangling);
		if (x->dangling_first) {
			fputs(", \"pending_deleted_first\": ", f);
			json_write_string(f, x->dangling_first);
		}
		fputc('}', f);
	}
	fputc(']', f);
}

/* `missing`: the sentence saying the store was not there, or NULL. */
static void write_scan(FILE *f, const struct scan_report *r, int with_files, const char *missing)
{
	fputc('{', f);
	write_anomalies(f, r);
	if (missing) {
		fputs(", \"missing\": true, \"note\": ", f);
		json_write_string(f, missing);
	}
	if (with_files) {
		fputs(", \"files\": [", f);
		for (size_t i = 0; i < r->n_files; i++) {
			const struct scan_file *sf = &r->files[i];
			fputs(i ? ", {\"path\": " : "{\"path\": ", f);
			json_write_string(f, sf->path);
			fprintf(f, ", \"bytes\": %lld, \"lines\": %lld", (long long)sf->bytes,
				(long long)sf->lines);
			if (!sf->ident.exists)
				fputs(", \"missing\": true", f);
			write_groups(f, sf);
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputc('}', f);
}

static void write_actions(FILE *f, const struct run_report *r, const struct plan *p)
{
	fputs("[", f);
	int first = 1;
	/* a merged run of drops is listed line by line */
	struct plan_lines lines;
	size_t i;
	plan_lines_init(&lines, p);
	for (const struct action *a; (a = plan_lines_next(&lines, &i));) {
		if (a->skip)
			continue;
		fputs(first ? "{\"action\": " : ", {\"action\": ", f);
		first = 0;
		json_write_string(f, action_kind_name(a->kind));
		fputs(", \"path\": ", f);
		json_write_string(f, a->path);
		if (a->id) {
			fputs(", \"id\": ", f);
			json_write_string(f, a->id);
		}
		if (a->line > 0)
			fprintf(f, ", \"line\": %lld, \"offset\": %lld, \"length\": %lld",
				(long long)a->line, (long long)a->offset, (long long)a->length);
		if (a->to) {
			fputs(", \"to\": ", f);
			json_write_string(f, a->to);
		}
		if (a->kind == ACT_SALVAGE && a->salvage) /* length: the prefix dropped */
			fprintf(f, ", \"kept_offset\": %lld, \"kept_records\": %lld",
				(long long)(a->offset + a->salvage->keep), (long long)a->salvage->records);
		if (a->kind == ACT_DROP_LINE || a->kind == ACT_APPEND_NEWLINE || a->kind == ACT_SALVAGE ||
		    a->kind == ACT_DELETE_ENTRY || a->kind == ACT_QUARANTINE_ENTRY) {
			fputs(", \"reason\": ", f);
			json_write_string(f, anomaly_type_name(a->reason));
		}
		if (a->pending) {
			fputs(", \"pending_in\": [", f);
			int k = 0;
			for (const char *g = NULL; (g = action_pending_next(a, g)); k++) {
				fputs(k ? ", " : "", f);
				json_write_string(f, g);
			}
			fputc(']', f);
		}
		if (p == r->actions && r->result && r->result->acking)
			fprintf(f, ", \"acked\": %s", r->result->acked && i < r->result->n_actions &&
				r->result->acked[i] ? "true" : "false");
		fprintf(f, ", \"applied\": %s}",
			p == r->actions && report_action_applied(r, i) ? "true" : "false");
	}
	fputc(']', f);
}

void report_json_head(FILE *f, const char *command)
{
	fputs("{\"papyra_version\": ", f);
	json_write_string(f, PAPYRA_VERSION);
	fputs(", \"schema_version\": ", f);
	json_write_string(f, REPORT_SCHEMA_VERSION);
	fputs(", \"command\": ", f);
	json_write_string(f, command);
}

int report_write_json(FILE *f, const struct run_report *r)
{
	report_json_head(f, r->command);
	if (r->system) {
		fputs(", \"system_id\": ", f);
		json_write_string(f, r->system);
	}
	if (r->backend) {
		fputs(", \"backend\": ", f);
		json_write_string(f, r->backend);
	}
	if (r->location) {
		fputs(", \"location\": ", f);
		json_write_string(f, r->location);
	}
	if (r->mode) {
		fputs(", \"mode\": ", f);
		json_write_string(f, r->mode);
	}
	if (r->recovery_mode) {
		fputs(", \"recovery_mode\": ", f);
		json_write_string(f, r->recovery_mode);
	}
	if (r->scan) {
		fputs(", \"scan\": ", f);
		write_scan(f, r->scan, 1, r->missing);
	}
	if (r->actions) {
		fputs(", \"actions\": ", f);
		write_actions(f, r, r->actions);
	}
	if (r->plan) {
		fputs(", \"plan\": ", f);
		write_actions(f, r, r->plan);
	}
	if (r->verify) {
		fputs(", \"verify\": ", f);
		write_scan(f, r->verify, 0, NULL);
	}
	if (r->error) {
		fputs(", \"error\": {\"message\": ", f);
		json_write_string(f, r->error);
		fputc('}', f);
	}
	fprintf(f, ", \"exit_code\": %d}\n", r->exit_code);
	return ferror(f) ? -1 : 0;
}
