#include "report.h"

#include <string.h>

#include "salvage.h"
#include "strbuf.h"

void json_write_string(FILE *f, const char *s)
{
	struct strbuf b = { 0 };
	strbuf_json_string(&b, s ? s : "");
	if (!b.oom)
		fwrite(b.p, 1, b.n, f);
	strbuf_free(&b);
}

static void write_anomalies(FILE *f, const struct scan_report *r)
{
	fputs("\"anomalies\": [", f);
	for (size_t i = 0; i < r->n_an; i++) {
		const struct anomaly *a = &r->an[i];
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
	fputc(']', f);
}

static void write_scan(FILE *f, const struct scan_report *r, int with_files)
{
	fputc('{', f);
	write_anomalies(f, r);
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
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputc('}', f);
}

static void write_actions(FILE *f, const struct plan *p)
{
	fputs("[", f);
	int first = 1;
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
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
		fputc('}', f);
	}
	fputc(']', f);
}

int report_write_json(FILE *f, const struct run_report *r)
{
	fputs("{\"command\": ", f);
	json_write_string(f, r->command);
	fputs(", \"backend\": ", f);
	json_write_string(f, r->backend);
	fputs(", \"location\": ", f);
	json_write_string(f, r->location);
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
		write_scan(f, r->scan, 1);
	}
	if (r->actions) {
		fputs(", \"actions\": ", f);
		write_actions(f, r->actions);
	}
	if (r->plan) {
		fputs(", \"plan\": ", f);
		write_actions(f, r->plan);
	}
	if (r->verify) {
		fputs(", \"verify\": ", f);
		write_scan(f, r->verify, 0);
	}
	fprintf(f, ", \"exit_code\": %d}\n", r->exit_code);
	return ferror(f) ? -1 : 0;
}
