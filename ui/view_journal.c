/* Journal (J): every recovery and compaction journaled in the console's
 * journal file (from the console or the CLI with the same --journal),
 * newest first: time, user, command, mode, dropped count, files.  Read
 * when the view opens; the file is append-only, so that is the state. */
#include <cjson/cJSON.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "screen.h"

/* Newest entries kept in memory; older ones are only counted. */
#define JOURNAL_MAX_ENTRIES 10000
#define COL_TIME 25
#define COL_USER 10
#define COL_COMMAND 20
#define COL_MODE 10
#define COL_DROPPED 7

struct jentry {
	char time[32], user[64], command[64], mode[24];
	char *files;     /* paths acted on, or the location; NULL for a line that is no entry */
	int64_t dropped;
	int64_t lineno;
	char *raw;       /* the journal line as written, for Enter */
	size_t raw_n;
};

static struct {
	struct jentry *e;
	size_t n, cap;
	int64_t older;  /* entries beyond JOURNAL_MAX_ENTRIES */
	int64_t bad;    /* lines that are not entries (kept in the list, marked) */
	char err[300];  /* why the file could not be read, or "" */
} J;

char *console_journal_path(const char *given)
{
	perr e = { 0 };
	if (given)
		return px_strdup(given, &e);
	const char *x = getenv("XDG_STATE_HOME");
	if (x && x[0] == '/') /* the XDG spec ignores a relative value */
		return px_asprintf(&e, "%s/papyra/journal.ndjson", x);
	const char *h = getenv("HOME");
	if (!h || !*h) {
		struct passwd *pw = getpwuid(geteuid());
		h = pw ? pw->pw_dir : NULL;
	}
	return h && *h ? px_asprintf(&e, "%s/.local/state/papyra/journal.ndjson", h) : NULL;
}

static void journal_free(void)
{
	for (size_t i = 0; i < J.n; i++) {
		free(J.e[i].files);
		free(J.e[i].raw);
	}
	free(J.e);
	memset(&J, 0, sizeof J);
}

static void copy_str(const cJSON *o, const char *key, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	snprintf(out, cap, "%s", cJSON_IsString(v) ? v->valuestring : "?");
}

/* The paths of "files", else the location, else the quarantine list. */
static char *files_of(const cJSON *o)
{
	char buf[1024] = "";
	size_t k = 0;
	const cJSON *f, *files = cJSON_GetObjectItemCaseSensitive(o, "files");
	if (!cJSON_IsArray(files))
		files = NULL;
	cJSON_ArrayForEach(f, files) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(f, "path");
		if (cJSON_IsString(p) && k < sizeof buf)
			k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", k ? ", " : "", p->valuestring);
	}
	if (!k)
		copy_str(o, "location", buf, sizeof buf);
	return strdup(buf);
}

static void add_line(const char *line, size_t len, int64_t lineno)
{
	if (J.n == JOURNAL_MAX_ENTRIES) {
		free(J.e[0].files);
		free(J.e[0].raw);
		memmove(J.e, J.e + 1, (J.n - 1) * sizeof *J.e);
		J.n--;
		J.older++;
	}
	if (J.n == J.cap) {
		size_t nc = J.cap ? J.cap * 2 : 64;
		struct jentry *ne = realloc(J.e, nc * sizeof *ne);
		if (!ne)
			return;
		J.e = ne;
		J.cap = nc;
	}
	struct jentry *e = &J.e[J.n];
	memset(e, 0, sizeof *e);
	e->lineno = lineno;
	if ((e->raw = malloc(len)) != NULL) {
		memcpy(e->raw, line, len);
		e->raw_n = len;
	}
	cJSON *o = cJSON_ParseWithLength(line, len);
	if (cJSON_IsObject(o)) {
		copy_str(o, "time", e->time, sizeof e->time);
		copy_str(o, "user", e->user, sizeof e->user);
		copy_str(o, "command", e->command, sizeof e->command);
		copy_str(o, "mode", e->mode, sizeof e->mode);
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "lines_dropped");
		e->dropped = cJSON_IsNumber(d) ? (int64_t)d->valuedouble : 0;
		e->files = files_of(o);
	}
	J.bad += !e->files;
	cJSON_Delete(o);
	J.n++;
}

/* The journal read again from its file. */
static void journal_open(struct console *c, struct view *v)
{
	journal_free();
	FILE *f = c->journal ? fopen(c->journal, "r") : NULL;
	if (!c->journal)
		snprintf(J.err, sizeof J.err, "%s", "no journal file: give --journal FILE, or set HOME");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int64_t lineno = 0;
	while (f && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len > 0)
			add_line(line, (size_t)len, lineno);
	}
	free(line);
	if (f)
		fclose(f);
	v->top = v->cur = 0;
}

void journal_view_open(struct console *c)
{
	console_open_view(c, V_JOURNAL);
}

/* J on the journal reads it again where it is (another process may have
 * appended); the rest is the main loop's. */
static int journal_request(struct console *c, struct view *v, enum request req)
{
	if (req != REQ_JOURNAL)
		return 0;
	journal_open(c, v);
	return 1;
}

static int64_t journal_rows(struct console *c, struct view *v)
{
	(void)c;
	(void)v;
	return (int64_t)J.n;
}

static int journal_pane_rows(struct console *c, struct view *v, int avail)
{
	(void)c;
	(void)v;
	return avail > 4 ? 1 : 0;
}

static void journal_pane(struct console *c, struct view *v, int y, int h, int w)
{
	(void)v;
	(void)h;
	char line[1200];
	if (J.err[0])
		snprintf(line, sizeof line, " Journal: %s", J.err);
	else
		snprintf(line, sizeof line, " Journal %s: %lld entr%s, newest first%s%s", c->journal,
			 (long long)J.n - (long long)J.bad, J.n - (size_t)J.bad == 1 ? "y" : "ies",
			 J.bad ? " (and lines that are no entry)" : "", J.older ? " (older ones not shown)" : "");
	console_cell(y, 0, w, ROLE_TITLE, line);
}

static void journal_head(struct console *c, struct view *v, int y, int w)
{
	(void)c;
	(void)v;
	int x = rec_cell(y, 0, COL_TIME, ROLE_TITLE, " TIME (UTC)");
	x = rec_cell(y, x, COL_USER, ROLE_TITLE, "USER");
	x = rec_cell(y, x, COL_COMMAND, ROLE_TITLE, "COMMAND");
	x = rec_cell(y, x, COL_MODE, ROLE_TITLE, "MODE");
	x = rec_cell(y, x, COL_DROPPED, ROLE_TITLE, "DROPPED");
	console_cell(y, x, w - x, ROLE_TITLE, "FILES");
}

static const struct jentry *entry(int64_t row)
{
	return &J.e[J.n - 1 - (size_t)row];
}

static void journal_row(struct console *c, struct view *v, int64_t row, int y, int w, int selected)
{
	(void)c;
	(void)v;
	const struct jentry *e = entry(row);
	int sel = selected ? ROLE_SELECTED : 0;
	if (!e->files) {
		char msg[96];
		snprintf(msg, sizeof msg, " %s line %lld of the journal is not an entry", console_glyph(),
			 (long long)e->lineno);
		console_cell(y, 0, w, ROLE_ANOMALY | sel, msg);
		return;
	}
	char t[40], d[32];
	snprintf(t, sizeof t, " %s", e->time);
	snprintf(d, sizeof d, "%*lld", COL_DROPPED, (long long)e->dropped);
	int x = rec_cell(y, 0, COL_TIME, ROLE_DIM | sel, t);
	x = rec_cell(y, x, COL_USER, ROLE_NORMAL | sel, e->user);
	x = rec_cell(y, x, COL_COMMAND, ROLE_NORMAL | sel, e->command);
	x = rec_cell(y, x, COL_MODE, ROLE_WARN | sel, e->mode);
	x = rec_cell(y, x, COL_DROPPED, (e->dropped ? ROLE_ANOMALY : ROLE_NORMAL) | sel, d);
	console_cell(y, x, w - x, ROLE_NORMAL | sel, e->files);
}

static int journal_match(struct console *c, struct view *v, int64_t row, const struct matcher *m)
{
	(void)c;
	(void)v;
	const struct jentry *e = entry(row);
	const char *f[] = { e->time, e->user, e->command, e->mode, e->files ? e->files : "" };
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (matcher_in(m, f[i], strlen(f[i])))
			return 1;
	return 0;
}

static void tb_pretty(void *ctx, int depth, const char *s, size_t len)
{
	struct textbuf *t = ctx;
	char pad[64];
	int n = depth * 2 + 3 < (int)sizeof pad ? depth * 2 + 3 : (int)sizeof pad - 1;
	memset(pad, ' ', (size_t)n);
	char *line = malloc((size_t)n + len);
	if (!line)
		return;
	memcpy(line, pad, (size_t)n);
	memcpy(line + n, s, len);
	tb_add(t, ROLE_NORMAL, line, (size_t)n + len);
	free(line);
}

/* One list of the entry (files, dropped lines, quarantine) for people. */
static void entry_list(struct textbuf *t, const cJSON *o, const char *key, const char *title)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *x;
	if (!cJSON_IsArray(a))
		a = NULL;
	tb_addf(t, ROLE_TITLE, " %s: %d", title, a ? cJSON_GetArraySize(a) : 0);
	cJSON_ArrayForEach(x, a) {
		if (cJSON_IsString(x)) {
			tb_addf(t, ROLE_NORMAL, "   %s", x->valuestring);
			continue;
		}
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(x, "path");
		const cJSON *line = cJSON_GetObjectItemCaseSensitive(x, "line");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "id");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(x, "reason");
		const cJSON *bb = cJSON_GetObjectItemCaseSensitive(x, "bytes_before");
		const cJSON *ba = cJSON_GetObjectItemCaseSensitive(x, "bytes_after");
		char where[64] = "";
		if (cJSON_IsNumber(line))
			snprintf(where, sizeof where, " line %lld", (long long)line->valuedouble);
		else if (cJSON_IsString(id))
			snprintf(where, sizeof where, " entry %.40s", id->valuestring);
		char sizes[96] = "";
		if (cJSON_IsNumber(bb) && cJSON_IsNumber(ba))
			snprintf(sizes, sizeof sizes, "  %lld -> %lld bytes", (long long)bb->valuedouble,
				 (long long)ba->valuedouble);
		tb_addf(t, ROLE_NORMAL, "   %s%s%s%s%s", cJSON_IsString(path) ? path->valuestring : "?", where,
			cJSON_IsString(reason) ? "  " : "", cJSON_IsString(reason) ? reason->valuestring : "", sizes);
	}
}

/* Enter: the entry in the detail pane, what it did first, then every
 * field as journaled. */
static void journal_enter(struct console *c, struct view *v, int64_t row)
{
	(void)v;
	const struct jentry *e = entry(row);
	struct textbuf *t = &c->views[V_DETAIL].text;
	tb_clear(t);
	tb_addf(t, ROLE_TITLE, " Journal %s, line %lld", c->journal ? c->journal : "", (long long)e->lineno);
	cJSON *o = e->raw ? cJSON_ParseWithLength(e->raw, e->raw_n) : NULL;
	if (!cJSON_IsObject(o)) {
		tb_addf(t, ROLE_ANOMALY, " %s This line is not a journal entry; as written:", console_glyph());
		if (e->raw)
			tb_add(t, ROLE_NORMAL, e->raw, e->raw_n);
	} else {
		const cJSON *rb = cJSON_GetObjectItemCaseSensitive(o, "records_before");
		const cJSON *ra = cJSON_GetObjectItemCaseSensitive(o, "records_after");
		const cJSON *bb = cJSON_GetObjectItemCaseSensitive(o, "bytes_before");
		const cJSON *ba = cJSON_GetObjectItemCaseSensitive(o, "bytes_after");
		tb_addf(t, ROLE_NORMAL, " %s  %s  by %s  mode %s", e->time, e->command, e->user, e->mode);
		tb_addf(t, ROLE_NORMAL, " records %lld -> %lld, bytes %lld -> %lld, lines dropped %lld",
			(long long)(cJSON_IsNumber(rb) ? rb->valuedouble : 0), (long long)(cJSON_IsNumber(ra) ? ra->valuedouble : 0),
			(long long)(cJSON_IsNumber(bb) ? bb->valuedouble : 0), (long long)(cJSON_IsNumber(ba) ? ba->valuedouble : 0),
			(long long)e->dropped);
		tb_add(t, ROLE_NORMAL, "", 0);
		entry_list(t, o, "files", "Files");
		entry_list(t, o, "dropped", "Dropped");
		entry_list(t, o, "quarantine", "Quarantine destinations");
		tb_add(t, ROLE_NORMAL, "", 0);
		tb_addf(t, ROLE_TITLE, "%s", " As journaled:");
		jf_pretty(e->raw, e->raw_n, tb_pretty, t);
	}
	cJSON_Delete(o);
	c->detail_cols = 0; /* not a line of the store: nothing to re-wrap */
	c->views[V_DETAIL].top = c->views[V_DETAIL].cur = 0;
	console_show(c, V_DETAIL);
}

static void journal_close(struct console *c, struct view *v)
{
	(void)c;
	(void)v;
	journal_free();
}

const struct view_ops view_journal_ops = {
	.name = "Journal",
	.open = journal_open,
	.request = journal_request,
	.empty = "No journal entries yet: recoveries (R) and compactions (c) are appended here.",
	.rows = journal_rows,
	.pane_rows = journal_pane_rows,
	.draw_pane = journal_pane,
	.draw_head = journal_head,
	.draw_row = journal_row,
	.match = journal_match,
	.enter = journal_enter,
	.close = journal_close,
};

/* The entry's first dropped line (path, line or id) and, for a line, the
 * number of the line that took its place: the lines dropped before it in
 * that file are gone too.  Else its first file.  0 when it names none. */
static int jump_target(const cJSON *o, char *path, size_t cap, int64_t *line, char *id, size_t idcap)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "dropped");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "files");
	const cJSON *x = cJSON_IsArray(d) ? cJSON_GetArrayItem(d, 0) : NULL;
	const cJSON *p = x ? cJSON_GetObjectItemCaseSensitive(x, "path") : NULL;
	*line = 0;
	id[0] = '\0';
	if (!cJSON_IsString(p)) {
		x = cJSON_IsArray(f) ? cJSON_GetArrayItem(f, 0) : NULL;
		p = x ? cJSON_GetObjectItemCaseSensitive(x, "path") : NULL;
		if (!cJSON_IsString(p))
			return 0;
		snprintf(path, cap, "%s", p->valuestring);
		return 1;
	}
	snprintf(path, cap, "%s", p->valuestring);
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(x, "line");
	const cJSON *i = cJSON_GetObjectItemCaseSensitive(x, "id");
	if (cJSON_IsString(i))
		snprintf(id, idcap, "%s", i->valuestring);
	if (!cJSON_IsNumber(l) || l->valuedouble < 1)
		return 1;
	int64_t at = (int64_t)l->valuedouble, before = 0;
	const cJSON *y;
	cJSON_ArrayForEach(y, d) {
		const cJSON *yp = cJSON_GetObjectItemCaseSensitive(y, "path");
		const cJSON *yl = cJSON_GetObjectItemCaseSensitive(y, "line");
		before += cJSON_IsString(yp) && strcmp(yp->valuestring, path) == 0 && cJSON_IsNumber(yl) &&
			  (int64_t)yl->valuedouble < at;
	}
	*line = at - before;
	return 1;
}

void journal_jump(struct console *c)
{
	struct view *jv = &c->views[V_JOURNAL];
	int from_journal = c->cur == V_JOURNAL || (c->cur == V_DETAIL && c->back2 == V_JOURNAL);
	if (!from_journal || jv->cur < 0 || (size_t)jv->cur >= J.n) {
		console_status(c, ROLE_WARN, "%s", " o opens the file of a journal entry: select one in the Journal (J) first");
		return;
	}
	const struct jentry *e = entry(jv->cur);
	cJSON *o = e->raw ? cJSON_ParseWithLength(e->raw, e->raw_n) : NULL;
	char path[PATH_SHOWN_MAX], id[MODEL_ID_MAX];
	int64_t line = 0;
	int named = cJSON_IsObject(o) && jump_target(o, path, sizeof path, &line, id, sizeof id);
	cJSON_Delete(o);
	if (!named) {
		console_status(c, ROLE_WARN, "%s", " This journal entry names no file");
		return;
	}
	const struct model *m = &c->m;
	const struct model_seg *s = NULL;
	for (size_t k = 0; !s && k < m->n_seg; k++)
		if (strcmp(m->seg[k].path, path) == 0)
			s = &m->seg[k];
	if (!s || !s->n) {
		console_status(c, ROLE_WARN, " %s is not in the store open here (or has no line now): open it with --path",
			       path);
		return;
	}
	int64_t l = id[0] ? model_find_entry(m, path, id) : line > 0 ? model_find_line(m, path, line) : -1;
	const char *how = "its first line";
	if (l < 0 && (id[0] || line > 0)) {
		/* past the end now, or an entry deleted: the nearest left */
		l = line > (int64_t)s->n ? (int64_t)(s->first + s->n - 1) : (int64_t)s->first;
		how = line > (int64_t)s->n ? "its last line (the dropped line was at the end)" : "its first line (the entry is gone)";
	} else if (l < 0) {
		l = (int64_t)s->first;
	} else if (line > 0) {
		how = "the line that took the dropped line's place";
	} else if (id[0]) {
		how = "the entry";
	}
	c->back2 = -1;
	c->cur = V_RAW;
	console_goto(c, &c->views[V_RAW], c->views[V_RAW].ops->row_of_line(c, &c->views[V_RAW], l));
	console_status(c, ROLE_NORMAL, " Raw at %s, %s (J: the Journal again)", path, how);
}
