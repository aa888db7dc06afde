/* The recovery plan as the operator reads it before anything changes:
 * every line (or Redis entry) dropped with its bytes, reason and content,
 * what is kept, moved and left, the expected result; and the e2fsck-style
 * step through the anomalies, one decision (action.skip) each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "salvage.h"
#include "screen.h"
#include "strbuf.h"
#include "walk.h"

/* Columns of the plan's tables; the content preview takes the rest. */
#define COL_WHERE 26
#define COL_BYTES 8
#define COL_REASON 15
#define PREVIEW_MIN 20
/* The step dialog shows this much of a line. */
#define STEP_PREVIEW 60

int rplan_steppable(const struct action *a)
{
	return action_kind_steppable(a->kind);
}

int64_t rplan_drop_bytes(const struct plan *p, const struct action *a)
{
	int64_t end = a->offset + a->length + 1;
	for (size_t i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i].path, a->path) == 0 && end > p->files[i].bytes_before)
			end = p->files[i].bytes_before; /* the last line has no "\n" */
	return end - a->offset;
}

static int is_entry(const struct action *a)
{
	return a->kind == ACT_DELETE_ENTRY || a->kind == ACT_QUARANTINE_ENTRY;
}

const struct anomaly *rplan_anomaly(const struct scan_report *r, const struct action *a)
{
	return a->n_anomalies && a->anomaly < r->n_an ? &r->an[a->anomaly] : NULL;
}

/* covered[i]: anomaly i of the report has an action (NULL when out of
 * memory: then every anomaly counts as covered, the plan text says less). */
static unsigned char *covered_map(const struct scan_report *r, const struct plan *p)
{
	unsigned char *cov = calloc(r->n_an ? r->n_an : 1, 1);
	if (cov)
		plan_covered(p, cov, r->n_an);
	return cov;
}

static const char *display_of(const struct plan *p, const char *path)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i].path, path) == 0)
			return p->files[i].display;
	return path;
}

static int rewrites(const struct action *a)
{
	return !a->skip && (a->kind == ACT_DROP_LINE || a->kind == ACT_APPEND_NEWLINE || a->kind == ACT_SALVAGE);
}

/* Which plan files some applied line action rewrites: one pass over the
 * plan (actions of a file come together, so the last match is tried
 * first).  Returns a calloc'd flag per plan file, or NULL. */
static unsigned char *rewritten_files(const struct plan *p)
{
	unsigned char *rw = calloc(p->nfiles ? p->nfiles : 1, 1);
	size_t last = 0;
	for (size_t i = 0; rw && i < p->n; i++) {
		if (!rewrites(&p->v[i]))
			continue;
		if (last < p->nfiles && strcmp(p->files[last].path, p->v[i].path) == 0) {
			rw[last] = 1;
			continue;
		}
		for (size_t f = 0; f < p->nfiles; f++)
			if (strcmp(p->files[f].path, p->v[i].path) == 0) {
				rw[f] = 1;
				last = f;
				break;
			}
	}
	return rw;
}

/* Whether the plan rewrites this file (rw from rewritten_files). */
static int file_rewritten(const struct plan *p, const unsigned char *rw, const char *path)
{
	for (size_t f = 0; f < p->nfiles; f++)
		if (strcmp(p->files[f].path, path) == 0)
			return rw ? rw[f] : 1;
	return 0;
}

/* Whether stream `path` was already seen among the first n of `seen`
 * (a handful: three per system id); adds it when not. */
static int stream_seen(const char **seen, size_t *n, size_t cap, const char *path)
{
	for (size_t k = 0; k < *n; k++)
		if (strcmp(seen[k], path) == 0)
			return 1;
	if (*n < cap)
		seen[(*n)++] = path;
	return 0;
}

/* Streams are few; more than this and a later stream may be counted twice
 * in the summary's wording (never in what is applied). */
#define STREAMS_MAX 64

/* Bytes of data of the entry an action deletes (as indexed). */
static int64_t entry_bytes(struct console *c, const struct action *a)
{
	int64_t i = walk_action_line(c, a);
	return i >= 0 ? (int64_t)c->m.len[i] : 0;
}

/* Streams the applied entry actions touch: how many, and the one when
 * there is only one. */
static void entry_streams(const struct plan *p, struct rplan_sum *s)
{
	const char *seen[STREAMS_MAX];
	size_t nseen = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		if (a->skip || !is_entry(a))
			continue;
		if (!stream_seen(seen, &nseen, STREAMS_MAX, a->path)) {
			s->n_files++;
			s->file = a->path;
		}
	}
}

void rplan_sum(struct console *c, const struct plan *p, struct rplan_sum *s)
{
	const struct scan_report *r = &c->m.rep;
	memset(s, 0, sizeof *s);
	s->records = walk_records(r);
	s->lines = walk_lines(r);
	s->bytes = walk_bytes(r);
	unsigned char *rw = rewritten_files(p);
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		if (a->skip) {
			s->left += rplan_steppable(a);
			continue;
		}
		switch (a->kind) {
		case ACT_DROP_LINE: {
			int64_t b = rplan_drop_bytes(p, a);
			s->drops++;
			s->drop_bytes += b;
			s->lines--;
			s->bytes -= b;
			break;
		}
		case ACT_APPEND_NEWLINE:
			s->newlines++;
			s->bytes++;
			break;
		case ACT_SALVAGE:
			if (!a->salvage)
				break;
			s->salvages++;
			s->salvage_bytes += a->length;
			s->salvaged += a->salvage->records;
			s->records += a->salvage->records;
			s->lines += a->salvage->records - 1;
			s->bytes += salvage_bytes_delta(a->salvage);
			break;
		case ACT_DELETE_ENTRY: case ACT_QUARANTINE_ENTRY: {
			int64_t b = entry_bytes(c, a);
			s->entries++;
			s->drop_bytes += b;
			s->lines--;
			s->bytes -= b;
			break;
		}
		case ACT_REMOVE_TEMP: s->temps++; break;
		case ACT_MOVE_ORPHAN: s->orphans++; break;
		case ACT_QUARANTINE_FILE: s->files_copied += file_rewritten(p, rw, a->path); break;
		default: break;
		}
	}
	for (size_t i = 0; i < p->nfiles; i++)
		if (rw ? rw[i] : 1) {
			s->n_files++;
			s->file = p->files[i].display;
		}
	free(rw);
	entry_streams(p, s);
	if (s->n_files != 1)
		s->file = NULL;
	unsigned char *cov = covered_map(r, p);
	for (size_t i = 0; cov && i < r->n_an; i++)
		s->unhandled += !cov[i];
	free(cov);
}

static void table_head(struct textbuf *t)
{
	tb_addf(t, ROLE_TITLE, "   %-*s %*s  %-*s %s", COL_WHERE, "FILE:LINE", COL_BYTES, "BYTES", COL_REASON,
		"REASON", "CONTENT AS STORED (escaped)");
}

/* The FILE:LINE column: wide enough for a Redis stream name and id too. */
static int where_col(struct console *c, const struct action *a)
{
	return is_entry(a) && c->m.id_width > COL_WHERE ? c->m.id_width : COL_WHERE;
}

static void table_row(struct console *c, struct textbuf *t, const struct plan *p, const struct action *a,
		      int role)
{
	int ww = where_col(c, a);
	char where[COL_WHERE * 4], bytes[32] = "", prev[512];
	if (is_entry(a))
		walk_action_where(c, a, where, sizeof where);
	else
		snprintf(where, sizeof where, "%s:%lld", display_of(p, a->path), (long long)a->line);
	if (a->kind == ACT_DROP_LINE)
		snprintf(bytes, sizeof bytes, "%lld", (long long)rplan_drop_bytes(p, a));
	else if (is_entry(a))
		snprintf(bytes, sizeof bytes, "%lld", (long long)entry_bytes(c, a));
	else
		snprintf(bytes, sizeof bytes, "%lld", (long long)a->length);
	int cols = c->cols - (3 + ww + 1 + COL_BYTES + 2 + COL_REASON + 1) - 2;
	walk_preview(c, walk_action_line(c, a), cols < PREVIEW_MIN ? PREVIEW_MIN : cols, prev, sizeof prev);
	tb_addf(t, role, "   %-*s %*s  %-*s %s", ww, where, COL_BYTES, bytes, COL_REASON,
		anomaly_type_name(a->reason), prev);
}

static void file_row(struct textbuf *t, const struct plan *p, const struct action *a, int role,
		     const char *why)
{
	tb_addf(t, role, "   %s%s%s  (%s)", display_of(p, a->path), a->to ? " -> " : "", a->to ? a->to : "", why);
}

static void section_lines(struct console *c, struct textbuf *t, const struct plan *p, enum action_kind k,
			  int skipped, int role)
{
	int head = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		if (a->kind != k || a->skip != skipped || (a->line <= 0 && !is_entry(a)))
			continue;
		if (!head++) {
			if (is_entry(a))
				tb_addf(t, ROLE_TITLE, "   %-*s %*s  %-*s %s", where_col(c, a), "STREAM ENTRY ID", COL_BYTES, "BYTES",
					COL_REASON, "REASON", "DATA AS STORED (escaped)");
			else
				table_head(t);
		}
		table_row(c, t, p, a, role);
	}
}

/* Redis: where quarantined entries go, one line per stream. */
static void moved_entries(struct console *c, struct textbuf *t, const struct plan *p)
{
	int head = 0;
	const char *seen[STREAMS_MAX];
	size_t nseen = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		if (a->skip || a->kind != ACT_QUARANTINE_ENTRY || !a->to)
			continue;
		if (stream_seen(seen, &nseen, STREAMS_MAX, a->path))
			continue;
		if (!head++)
			walk_say(c, ROLE_WARN, "%s", " Copied first: each entry, with every field plus source, id and timestamp, "
				 "to the quarantine stream of its stream, then deleted, one MULTI/EXEC per batch:");
		tb_addf(t, ROLE_NORMAL, "   %s -> %s", a->path, a->to);
	}
	if (!head)
		walk_say(c, ROLE_NORMAL, "%s", " Copied: nothing. Repair deletes the entries (XDEL); quarantine would keep "
			 "a copy of each in a quarantine stream.");
}

static void moved(struct console *c, struct textbuf *t, const struct plan *p, const struct rplan_sum *s)
{
	if (c->m.t->ids) {
		moved_entries(c, t, p);
		return;
	}
	if (!s->files_copied && !s->orphans) {
		if (s->n_files)
			walk_say(c, ROLE_NORMAL, " Moved: nothing. %s is rewritten through a temporary file beside it, "
				 "renamed over it at the end.", s->file ? s->file : "Each file");
		else
			walk_say(c, ROLE_NORMAL, "%s", " Moved: nothing.");
		return;
	}
	walk_say(c, ROLE_WARN, "%s", " Moved:");
	unsigned char *rw = rewritten_files(p);
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		if (a->skip || !a->to)
			continue;
		if (a->kind == ACT_QUARANTINE_FILE && file_rewritten(p, rw, a->path)) {
			int64_t b = 0;
			for (size_t f = 0; f < p->nfiles; f++)
				if (strcmp(p->files[f].path, a->path) == 0)
					b = p->files[f].bytes_before;
			walk_say(c, ROLE_NORMAL, "   the untouched original %s (%lld bytes) is first copied to", display_of(p, a->path),
				 (long long)b);
			tb_addf(t, ROLE_NORMAL, "     %s", a->to);
			walk_say(c, ROLE_NORMAL, "%s", "   then the repaired file takes its place.");
		} else if (a->kind == ACT_MOVE_ORPHAN) {
			file_row(t, p, a, ROLE_NORMAL, "orphaned file, moved whole");
		}
	}
	free(rw);
}

/* Ids listed per stream in the consumer-group lines; the journal and
 * `recover --format json` have every one. */
#define PENDING_IDS_LISTED 8

/* Whether the consumer-group lines name action i: planned (res NULL), or
 * acknowledged (res->acking) / applied and left pending after the apply. */
static int pending_named(const struct plan *p, size_t i, const struct apply_result *res)
{
	const struct action *a = &p->v[i];
	if (!is_entry(a))
		return 0;
	if (!res)
		return !a->skip && a->pending;
	if (i >= res->n_actions || !res->applied[i])
		return 0;
	return res->acking ? res->acked && res->acked[i] : a->pending != NULL;
}

/* One line per stream: its named ids (with their groups, but for what
 * was acknowledged: XACK went to every group of the stream). */
static void pending_streams(struct console *c, const struct plan *p, const struct apply_result *res)
{
	const char *seen[STREAMS_MAX];
	size_t nseen = 0;
	int with_groups = !res || !res->acking;
	for (size_t i = 0; i < p->n; i++) {
		if (!pending_named(p, i, res) || stream_seen(seen, &nseen, STREAMS_MAX, p->v[i].path))
			continue;
		struct strbuf b = { 0 };
		size_t listed = 0, more = 0;
		for (size_t j = i; j < p->n; j++) {
			const struct action *a = &p->v[j];
			if (!pending_named(p, j, res) || strcmp(a->path, p->v[i].path) != 0)
				continue;
			if (listed == PENDING_IDS_LISTED) {
				more++;
				continue;
			}
			strbuf_printf(&b, "%s%s", listed++ ? ", " : "", a->id);
			if (with_groups) {
				strbuf_puts(&b, " (");
				action_pending_join(a, &b);
				strbuf_puts(&b, ")");
			}
		}
		if (more)
			strbuf_printf(&b, ", and %zu more", more);
		walk_say(c, ROLE_NORMAL, "   %s: %s", p->v[i].path, b.p ? b.p : "");
		strbuf_free(&b);
	}
}

void rplan_pending(struct console *c, const struct plan *p, const struct apply_result *res)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += (size_t)pending_named(p, i, res);
	if (res) {
		char line[256];
		apply_result_acks_text(p, res, line, sizeof line);
		if (!line[0])
			return;
		walk_say(c, res->acking ? ROLE_OK : ROLE_WARN, " Consumer groups: %s%s", line, n ? ":" : ".");
		pending_streams(c, p, res);
		return;
	}
	if (!n)
		return;
	walk_say(c, ROLE_WARN, " Pending in a consumer group (delivered, not acknowledged): %zu of these entr%s:", n,
		 n == 1 ? "y" : "ies");
	pending_streams(c, p, NULL);
	if (c->cfg->ack_deleted)
		walk_say(c, ROLE_NORMAL, "%s", " --ack-deleted is on: once deleted, each entry is acknowledged (XACK) "
			 "in every consumer group of its stream.");
	else
		walk_say(c, ROLE_WARN, "%s", " --ack-deleted is off: they stay pending, pointing at entries that no "
			 "longer exist (--ack-deleted or PAPYRA_ACK_DELETED=1 acknowledges them).");
}

void rplan_text(struct console *c, const struct plan *p)
{
	struct textbuf *t = &c->views[V_WALK].text;
	struct rplan_sum s;
	char sz[32];
	rplan_sum(c, p, &s);
	tb_clear(t);
	walk_say(c, ROLE_TITLE, " Recovery plan: %s %s. Nothing has changed yet.", recovery_mode_name(p->mode),
		 c->location);
	tb_add(t, ROLE_NORMAL, "", 0);
	walk_size(sz, sizeof sz, s.drop_bytes);
	if (s.drops) {
		walk_say(c, ROLE_ANOMALY, " Dropped: %lld line%s, %s", (long long)s.drops, s.drops == 1 ? "" : "s", sz);
		section_lines(c, t, p, ACT_DROP_LINE, 0, ROLE_ANOMALY);
	} else if (s.entries) {
		walk_say(c, ROLE_ANOMALY, " %s: %lld entr%s, %s of data", p->mode == RM_QUARANTINE ? "Quarantined" :
			 "Deleted (XDEL)", (long long)s.entries, s.entries == 1 ? "y" : "ies", sz);
		section_lines(c, t, p, ACT_DELETE_ENTRY, 0, ROLE_ANOMALY);
		section_lines(c, t, p, ACT_QUARANTINE_ENTRY, 0, ROLE_ANOMALY);
		rplan_pending(c, p, NULL);
	} else {
		walk_say(c, ROLE_NORMAL, "%s", " Dropped: nothing.");
	}
	if (s.salvages) {
		walk_size(sz, sizeof sz, s.salvage_bytes);
		walk_say(c, ROLE_WARN, " Salvaged: %lld line%s keeping %lld complete record%s glued after a torn one "
			 "(%s of torn prefix dropped; each record on its own line)", (long long)s.salvages,
			 s.salvages == 1 ? "" : "s", (long long)s.salvaged, s.salvaged == 1 ? "" : "s", sz);
		section_lines(c, t, p, ACT_SALVAGE, 0, ROLE_WARN);
	}
	if (s.newlines) {
		walk_say(c, ROLE_WARN, " Newline added: %lld complete record%s without %s newline, kept", (long long)s.newlines,
			 s.newlines == 1 ? "" : "s", s.newlines == 1 ? "its" : "their");
		section_lines(c, t, p, ACT_APPEND_NEWLINE, 0, ROLE_WARN);
	}
	if (s.temps) {
		walk_say(c, ROLE_WARN, " Removed: %lld leftover temporary file%s of an interrupted operation",
			 (long long)s.temps, s.temps == 1 ? "" : "s");
		for (size_t i = 0; i < p->n; i++)
			if (p->v[i].kind == ACT_REMOVE_TEMP && !p->v[i].skip)
				tb_addf(t, ROLE_NORMAL, "   %s", p->v[i].path);
	}
	if (c->m.t->ids)
		walk_say(c, ROLE_OK, " Kept: %lld record%s in %lld entr%s, %lld bytes of data, untouched.",
			 (long long)s.records, s.records == 1 ? "" : "s", (long long)s.lines, s.lines == 1 ? "y" : "ies",
			 (long long)s.bytes);
	else
		walk_say(c, ROLE_OK, " Kept: %lld record%s in %lld line%s, %lld bytes, every line byte for byte.",
			 (long long)s.records, s.records == 1 ? "" : "s", (long long)s.lines, s.lines == 1 ? "" : "s",
			 (long long)s.bytes);
	moved(c, t, p, &s);
	if (s.left || s.unhandled) {
		walk_say(c, ROLE_WARN, " Left as they are: %lld (the verification scan will report them)",
			 (long long)(s.left + s.unhandled));
		section_lines(c, t, p, ACT_DROP_LINE, 1, ROLE_WARN);
		section_lines(c, t, p, ACT_SALVAGE, 1, ROLE_WARN);
		section_lines(c, t, p, ACT_APPEND_NEWLINE, 1, ROLE_WARN);
		section_lines(c, t, p, ACT_DELETE_ENTRY, 1, ROLE_WARN);
		section_lines(c, t, p, ACT_QUARANTINE_ENTRY, 1, ROLE_WARN);
		for (size_t i = 0; i < p->n; i++)
			if (p->v[i].skip && p->v[i].line <= 0 && !is_entry(&p->v[i]) && rplan_steppable(&p->v[i]))
				file_row(t, p, &p->v[i], ROLE_WARN, "left by you");
		const struct scan_report *r = &c->m.rep;
		unsigned char *cov = covered_map(r, p);
		for (size_t i = 0; cov && i < r->n_an; i++) {
			if (!cov[i])
				walk_say(c, ROLE_WARN, "   %s %s: %s (%s)", anomaly_type_name(r->an[i].type), r->an[i].path,
					 r->an[i].detail, anomaly_type_fix(r->an[i].type));
		}
		free(cov);
	}
	tb_add(t, ROLE_NORMAL, "", 0);
	int64_t after = s.left + s.unhandled;
	char res[160];
	if (after)
		snprintf(res, sizeof res, "it should report the %lld anomal%s left", (long long)after,
			 after == 1 ? "y" : "ies");
	else
		snprintf(res, sizeof res, "%s", "it should find no anomalies");
	walk_say(c, ROLE_TITLE, " Expected result: %lld records in %lld %s, %lld bytes%s; then a verification scan: %s.",
		 (long long)s.records, (long long)s.lines, c->m.t->ids ? "entries" : "lines", (long long)s.bytes,
		 c->m.t->ids ? " of data" : "", res);
}

/* One step: the dialog for action `a`, the k-th of n.  Returns the
 * button (0 apply, 1 leave) or DLG_CANCEL; *same set when the answer
 * holds for the rest of its type. */
static int step_one(struct console *c, const struct plan *p, const struct action *a, size_t k, size_t n,
		    int64_t more, int *same)
{
	struct dialog d;
	char title[64], prev[400], sz[32];
	snprintf(title, sizeof title, "Anomaly %zu of %zu", k, n);
	dlg_init(&d, title, ROLE_WARN);
	const struct anomaly *an = rplan_anomaly(&c->m.rep, a);
	if (is_entry(a)) {
		walk_size(sz, sizeof sz, entry_bytes(c, a));
		dlg_line(&d, ROLE_ANOMALY, "%s  %s entry %s, %s of data", anomaly_type_name(a->reason), a->path, a->id, sz);
	} else if (a->line > 0) {
		walk_size(sz, sizeof sz, a->kind == ACT_DROP_LINE ? rplan_drop_bytes(p, a) : a->length);
		dlg_line(&d, ROLE_ANOMALY, "%s  %s line %lld, %s", anomaly_type_name(a->reason),
			 display_of(p, a->path), (long long)a->line, sz);
	} else {
		dlg_line(&d, ROLE_ANOMALY, "%s  %s", anomaly_type_name(a->reason), a->path);
	}
	if (an)
		dlg_line(&d, ROLE_NORMAL, "%s", an->detail);
	if (a->line > 0 || is_entry(a)) {
		walk_preview(c, walk_action_line(c, a), STEP_PREVIEW, prev, sizeof prev);
		dlg_line(&d, ROLE_DIM, "content: %s", prev);
	}
	if (a->kind == ACT_QUARANTINE_ENTRY && a->to)
		dlg_line(&d, ROLE_NORMAL, "Planned: copy the entry to %s, then delete it.", a->to);
	else
		dlg_line(&d, ROLE_NORMAL, "Planned: %s.", action_kind_verb(a->kind));
	dlg_line(&d, ROLE_DIM, "%s", "Leave it: it stays as it is, and the verification scan reports it.");
	char toggle[160];
	if (more > 0) {
		snprintf(toggle, sizeof toggle, "same answer for the rest of %s (%lld more)",
			 anomaly_type_name(a->reason), (long long)more);
		d.toggle = toggle;
	}
	dlg_button(&d, "Apply");
	dlg_button(&d, "Leave");
	d.focus = a->skip ? 1 : 0;
	d.hot[WREQ_APPLY] = 1;
	d.hot[WREQ_LEAVE] = 2;
	d.hint = more > 0 ? "y apply  n leave  Space same for the rest  Esc back to the plan" :
			    "y apply  n leave  Tab/Enter choose  Esc back to the plan";
	int b = dlg_run(c, &d);
	*same = d.toggle_on;
	return b;
}

void rplan_step(struct console *c, struct plan *p)
{
	size_t n = 0, k = 0, applied = 0, left = 0;
	int64_t rest[AN__COUNT] = { 0 }; /* steppable actions of each type not decided yet */
	for (size_t i = 0; i < p->n; i++)
		if (rplan_steppable(&p->v[i])) {
			n++;
			if ((unsigned)p->v[i].reason < AN__COUNT)
				rest[p->v[i].reason]++;
		}
	if (!n) {
		console_status(c, ROLE_WARN, "%s", " Nothing to step through: no anomaly has an action");
		return;
	}
	int same[AN__COUNT];
	for (int i = 0; i < AN__COUNT; i++)
		same[i] = -1;
	console_status(c, ROLE_NORMAL, "%s", " Deciding each anomaly: nothing changes until you confirm the plan");
	/* The plan text is redrawn only before a dialog shows it and at the
	 * end: decisions taken for the rest of a type show nothing between. */
	int stale = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct action *a = &p->v[i];
		if (!rplan_steppable(a) || (unsigned)a->reason >= AN__COUNT)
			continue;
		k++;
		rest[a->reason]--;
		if (same[a->reason] < 0) {
			if (stale)
				rplan_text(c, p);
			stale = 0;
			int all = 0, b = step_one(c, p, a, k, n, rest[a->reason], &all);
			if (b == DLG_CANCEL) {
				rplan_text(c, p);
				console_status(c, ROLE_WARN, " Stepping stopped at anomaly %zu of %zu: the rest stay as "
					       "the plan shows", k, n);
				return;
			}
			a->skip = b == 1;
			if (all)
				same[a->reason] = a->skip;
		} else {
			a->skip = same[a->reason];
		}
		applied += !a->skip;
		left += (size_t)a->skip;
		stale = 1;
	}
	if (stale)
		rplan_text(c, p);
	console_status(c, left ? ROLE_WARN : ROLE_OK, " Stepped through %zu anomal%s: %zu to apply, %zu left%s", n,
		       n == 1 ? "y" : "ies", applied, left, left ? " (the verification will report them)" : "");
}
