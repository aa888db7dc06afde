#include "console.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "app.h"
#include "screen.h"

/* Index between input polls for this long: the screen answers a key
 * within about this delay while a large file is being indexed. */
#define SLICE_MS 30
/* A text= filter: lines looked at per slice in test scripts (the same
 * slices every run), and outside them the clock is read every this many
 * lines so a slice lasts about SLICE_MS whatever a row costs to read. */
#define FILTER_TEST_LINES 4096
#define FILTER_CLOCK_LINES 256
/* Rows read back for a list row: enough for any screen width. */
#define ROW_READ_MAX 4096

static const struct view_ops *const view_table[V__COUNT] = {
	[V_EVENTS] = &view_events_ops, [V_AUDITS] = &view_audits_ops, [V_DEAD] = &view_dead_ops,
	[V_ANOMALIES] = &view_anomalies_ops, [V_FILES] = &view_files_ops, [V_RAW] = &view_raw_ops,
	[V_TIMELINE] = &view_timeline_ops, [V_DETAIL] = &view_detail_ops, [V_HELP] = &view_help_ops,
	[V_WALK] = &view_walk_ops, [V_JOURNAL] = &view_journal_ops,
	[V_SYSTEMS] = &view_systems_ops,
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void console_status(struct console *c, int role, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->status, sizeof c->status, fmt, ap);
	va_end(ap);
	c->status_role = role;
}

long console_read_entry(struct console *c, size_t i, size_t cap, int *fields)
{
	if (cap > c->rowcap) {
		char *b = realloc(c->rowbuf, cap);
		if (!b)
			return -1;
		c->rowbuf = b;
		c->rowcap = cap;
	}
	return model_read_entry(&c->m, i, c->rowbuf, cap, fields);
}

long console_read(struct console *c, size_t i, size_t cap)
{
	return console_read_entry(c, i, cap, NULL);
}

int console_rec_pred(const struct model *m, size_t i, const void *arg)
{
	const struct rec_pred *p = arg;
	unsigned meta = m->meta[i];
	if (!(meta & MF_VALID) || (enum rec_kind)(meta & MF_KIND_MASK) != p->kind)
		return 0;
	return !p->f->active || filter_keeps(p->f, m, i, p->kind);
}

int console_filter_slow(const struct console *c)
{
	return c->filt.active && c->filt.has[FK_TEXT];
}

int console_filtering(const struct console *c)
{
	for (int i = V_EVENTS; i <= V_DEAD; i++)
		if (!sel_done(&c->views[i].sel, &c->m))
			return 1;
	return 0;
}

int console_filter_progress(const struct console *c)
{
	size_t upto = c->m.n;
	for (int i = V_EVENTS; i <= V_DEAD; i++) {
		const struct sel *s = &c->views[i].sel;
		size_t u = s->gen == c->m.order_gen ? s->upto : 0;
		upto = u < upto ? u : upto;
	}
	return c->m.n ? (int)((double)upto * 1000 / (double)c->m.n) : 1000;
}

/* One slice: the three record views' selections walk the same lines (each
 * reads back only the lines of its kind). */
void console_filter_step(struct console *c)
{
	filter_refresh(c);
	int timed = !screen_is_test();
	size_t chunk = timed ? FILTER_CLOCK_LINES : FILTER_TEST_LINES;
	double until = screen_now_ms() + SLICE_MS;
	do {
		for (int i = V_EVENTS; i <= V_DEAD; i++)
			sel_step(&c->views[i].sel, &c->m, chunk);
	} while (timed && console_filtering(c) && screen_now_ms() < until);
	if (!console_filtering(c))
		c->filter_slices = 0;
}

/* The filter changed: the record views start over from the index. */
static void filter_changed(struct console *c)
{
	c->filter_slices = 0;
	for (int i = V_EVENTS; i <= V_DEAD; i++) {
		sel_set_step(&c->views[i].sel, console_filter_slow(c) ? 1 : SEL_STEP);
		sel_reset(&c->views[i].sel);
		c->views[i].top = c->views[i].cur = 0;
	}
	c->views[V_TIMELINE].top = c->views[V_TIMELINE].cur = 0;
}

static void refresh_views(struct console *c)
{
	for (int i = 0; i < V__COUNT; i++)
		if (c->views[i].ops->refresh)
			c->views[i].ops->refresh(c, &c->views[i]);
}

/* Esc while a text= filter is being applied: the filter is removed (a
 * selection of part of the store is never left standing), and said so. */
static void filter_stop(struct console *c)
{
	int64_t found = 0;
	for (int i = V_EVENTS; i <= V_DEAD; i++)
		found += sel_count(&c->views[i].sel, &c->m);
	int pct = console_filter_progress(c) / 10;
	char text[sizeof c->filt.text];
	snprintf(text, sizeof text, "%s", c->filt.text);
	filter_clear(&c->filt);
	filter_changed(c);
	refresh_views(c);
	console_status(c, ROLE_WARN, " Filter %s stopped at %d%% of lines (%lld match%s so far) and removed: every "
		       "record listed (f, Up brings it back)", text, pct, (long long)found, found == 1 ? "" : "es");
}

void console_show(struct console *c, enum view_id id)
{
	if (id >= V__LISTS) {
		if (c->cur < V__LISTS)
			c->back = c->cur;
	}
	c->back2 = id == V_DETAIL && c->cur == V_JOURNAL ? V_JOURNAL : -1;
	c->cur = id;
}

/* Esc, q: a detail opened from the Journal goes back to it. */
static void go_back(struct console *c)
{
	c->cur = c->back2 >= 0 && c->cur == V_DETAIL ? (enum view_id)c->back2 : c->back;
	c->back2 = -1;
}

void console_goto(struct console *c, struct view *v, int64_t row)
{
	int64_t n = v->ops->rows(c, v);
	int h = c->list_h > 0 ? c->list_h : 1;
	if (v->ops->scroll) {
		int64_t max = n - h;
		row = row > max ? max : row;
		v->cur = v->top = row < 0 ? 0 : row;
		return;
	}
	if (row >= n)
		row = n - 1;
	if (row < 0)
		row = 0;
	v->cur = row;
	if (v->cur < v->top)
		v->top = v->cur;
	if (v->cur >= v->top + h)
		v->top = v->cur - h + 1;
	/* keep context above a jump target in the middle of the list */
	if (v->top < 0)
		v->top = 0;
}

void console_detail(struct console *c, size_t line)
{
	detail_build(c, line);
	c->views[V_DETAIL].top = c->views[V_DETAIL].cur = 0;
	console_show(c, V_DETAIL);
}

static void anomaly_jump(struct console *c, int dir)
{
	const struct scan_report *r = &c->m.rep;
	if (c->cur == V_ANOMALIES) {
		struct view *v = &c->views[V_ANOMALIES];
		console_goto(c, v, v->cur + dir);
		return;
	}
	struct view *v = &c->views[c->cur < V__LISTS ? c->cur : c->back];
	int64_t here = v->ops->line_of ? v->ops->line_of(c, v, v->cur) : -1;
	if (c->cur >= V__LISTS && c->back == V_RAW)
		here = v->cur;
	long best = -1;
	int64_t best_l = -1;
	for (size_t i = 0; i < r->n_an; i++) {
		int64_t l = model_an_line(&c->m, i);
		if (l < 0)
			continue;
		if ((dir > 0 && l > here && (best < 0 || l < best_l)) ||
		    (dir < 0 && (here < 0 || l < here) && (best < 0 || l > best_l))) {
			best = (long)i;
			best_l = l;
		}
	}
	if (best < 0) {
		console_status(c, ROLE_WARN, " No anomaly %s this line", dir > 0 ? "below" : "above");
		return;
	}
	const struct anomaly *a = &r->an[best];
	c->cur = V_RAW;
	struct view *raw = &c->views[V_RAW];
	console_goto(c, raw, raw->ops->row_of_line(c, raw, best_l));
	console_status(c, ROLE_ANOMALY, " %s anomaly %ld of %zu: %s %s", console_glyph(), best + 1,
		       r->n_an, anomaly_type_name(a->type), a->detail);
}

/* T: the first row (in the list's order: storage order) whose record has
 * a numeric timestamp at or after the time typed, in the zone shown. */
static void goto_time(struct console *c)
{
	struct view *v = &c->views[c->cur];
	if (c->cur >= V__LISTS || !v->ops->line_of) {
		console_status(c, ROLE_WARN, "%s", " Go to time: open a list of records first (1, 2, 3 or 6)");
		return;
	}
	char buf[96] = "", label[96];
	snprintf(label, sizeof label, "go to time (%s; epoch seconds, or YYYY-MM-DD HH:MM:SS.fff): ",
		 c->tmode == TM_LOCAL ? "local time" : "UTC");
	if (!console_prompt(c, PH_GOTO, label, buf, sizeof buf) || !buf[0])
		return;
	double t;
	if (filter_parse_time(buf, c->tmode == TM_LOCAL, &t) < 0) {
		console_status(c, ROLE_ANOMALY, " Go to time: '%s' is not a time (epoch seconds, or YYYY-MM-DD "
			       "HH:MM:SS.fff, Z for UTC)", buf);
		return;
	}
	int64_t n = v->ops->rows(c, v);
	for (int64_t r = 0; r < n; r++) {
		int64_t l = v->ops->line_of(c, v, r);
		if (l < 0 || !(c->m.meta[l] & MF_TS_NUM) || model_ts(&c->m, (size_t)l) < t)
			continue;
		console_goto(c, v, r);
		char shown[64], raw[40];
		snprintf(raw, sizeof raw, "%.3f", model_ts(&c->m, (size_t)l));
		jf_time(shown, sizeof shown, c->tmode, model_ts(&c->m, (size_t)l), raw, strlen(raw));
		console_status(c, ROLE_NORMAL, " Go to time %s: row %lld of %lld, at %s", buf, (long long)r + 1,
			       (long long)n, shown);
		return;
	}
	console_status(c, ROLE_WARN, " Go to time %s: no row at or after it", buf);
}

void console_move(struct console *c, struct view *v, enum request req)
{
	int64_t page = c->list_h > 1 ? c->list_h - 1 : 1;
	switch (req) {
	case REQ_DOWN: console_goto(c, v, v->cur + 1); break;
	case REQ_UP: console_goto(c, v, v->cur - 1); break;
	case REQ_PAGE_DOWN: console_goto(c, v, v->cur + page); break;
	case REQ_PAGE_UP: console_goto(c, v, v->cur - page); break;
	case REQ_FIRST: console_goto(c, v, 0); break;
	default: console_goto(c, v, INT64_MAX / 2); break;
	}
}

void console_open_view(struct console *c, enum view_id id)
{
	struct view *v = &c->views[id];
	if (v->ops->open)
		v->ops->open(c, v);
	console_show(c, id);
}

/* Before a recovery or compaction plan: the index is the store as it is now.  Look
 * (a line being written is classified: a plan must not guess), and finish
 * a re-index that starts, showing its progress; Esc gives up (0). */
static int fresh_index(struct console *c)
{
	live_wake(c);
	live_tick(c);
	if (follow_pending(c->m.fol))
		live_rescan(c, "Re-indexing before the plan (a line was being written)", 0);
	while (model_scanning(&c->m)) {
		model_step(&c->m, SLICE_MS);
		refresh_views(c);
		live_after_step(c);
		console_draw(c);
		screen_update();
		if (screen_poll_esc() || screen_hangup()) {
			console_status(c, ROLE_WARN, "%s", " Stopped while re-indexing: nothing planned (press the key again)");
			return 0;
		}
	}
	return 1;
}

static void handle(struct console *c, int key)
{
	enum request req = keys_request(key);
	int overlay = c->cur >= V__LISTS;
	struct view *v = &c->views[c->cur];
	if (req != REQ_NONE)
		c->status[0] = '\0';
	if (req != REQ_NONE && v->ops->request && v->ops->request(c, v, req))
		return;
	switch (req) {
	case REQ_NONE:
		break;
	case REQ_VIEW_NEXT: case REQ_VIEW_PREV: {
		int from = overlay ? (int)c->back : (int)c->cur;
		c->cur = (enum view_id)((from + (req == REQ_VIEW_NEXT ? 1 : V__LISTS - 1)) % V__LISTS);
		break;
	}
	case REQ_VIEW_EVENTS: case REQ_VIEW_AUDITS: case REQ_VIEW_DEAD: case REQ_VIEW_ANOMALIES:
	case REQ_VIEW_FILES: case REQ_VIEW_RAW: case REQ_VIEW_TIMELINE:
		c->cur = (enum view_id)(req - REQ_VIEW_EVENTS);
		break;
	case REQ_HELP:
		console_open_view(c, V_HELP);
		break;
	case REQ_DOWN: case REQ_UP: case REQ_PAGE_DOWN: case REQ_PAGE_UP: case REQ_FIRST: case REQ_LAST:
		live_moved(c);
		console_move(c, v, req);
		break;
	case REQ_TAIL:
		live_tail(c, !c->live.tail);
		if (!c->live.tail)
			console_status(c, ROLE_NORMAL, " Tail mode off");
		break;
	case REQ_RESCAN:
		live_rescan(c, "Re-indexing the store (r)", 0);
		break;
	case REQ_JOURNAL_FILE:
		journal_jump(c);
		break;
	case REQ_ENTER:
		if ((!overlay || c->cur == V_JOURNAL || c->cur == V_SYSTEMS) && v->ops->enter && v->ops->rows(c, v) > 0)
			v->ops->enter(c, v, v->cur);
		break;
	case REQ_BACK:
		if (overlay)
			go_back(c);
		else if (console_filtering(c) && console_filter_slow(c))
			filter_stop(c);
		if (c->live.search_pending) {
			c->live.search_pending = 0;
			console_status(c, ROLE_NORMAL, " Search stopped");
		}
		break;
	case REQ_QUIT:
		if (overlay)
			go_back(c);
		else
			c->quit = 1;
		break;
	case REQ_ANOMALY_NEXT: case REQ_ANOMALY_PREV:
		anomaly_jump(c, req == REQ_ANOMALY_NEXT ? 1 : -1);
		break;
	case REQ_SEARCH: {
		char buf[sizeof c->search.text] = "";
		if (!console_prompt(c, PH_SEARCH, "/", buf, sizeof buf))
			break;
		if (!buf[0]) {
			matcher_free(&c->search); /* an empty search clears the highlight */
			console_status(c, ROLE_NORMAL, " Search cleared");
		} else if (matcher_set(&c->search, buf) < 0) {
			console_status(c, ROLE_ANOMALY, " /%s: cannot be searched for", buf);
		} else {
			console_search(c, 1);
		}
		break;
	}
	case REQ_SEARCH_NEXT: case REQ_SEARCH_PREV:
		console_search(c, req == REQ_SEARCH_NEXT ? 1 : -1);
		break;
	case REQ_FILTER: {
		char buf[sizeof c->filt.text], err[160];
		snprintf(buf, sizeof buf, "%s", c->filt.active ? c->filt.text : "");
		if (!console_prompt(c, PH_FILTER, "filter (type= actor= text= !excludes since= until=): ", buf, sizeof buf))
			break;
		if (filter_parse(c, buf, err, sizeof err) < 0)
			console_status(c, ROLE_ANOMALY, " filter: %s", err);
		filter_changed(c);
		refresh_views(c);
		break;
	}
	case REQ_MARK:
		marks_toggle(c);
		break;
	case REQ_MARK_NEXT: case REQ_MARK_PREV:
		marks_jump(c, req == REQ_MARK_NEXT ? 1 : -1);
		break;
	case REQ_WRITE:
		marks_write(c);
		break;
	case REQ_HANDOFF:
		handoff_show(c);
		break;
	case REQ_GOTO_TIME:
		goto_time(c);
		break;
	case REQ_FILTER_CLEAR:
		filter_clear(&c->filt);
		filter_changed(c);
		refresh_views(c);
		console_status(c, ROLE_NORMAL, " Filter cleared");
		break;
	case REQ_JOURNAL:
		console_open_view(c, V_JOURNAL);
		break;
	case REQ_SYSTEMS:
		if (c->opt->n_systems)
			console_open_view(c, V_SYSTEMS);
		else
			console_status(c, ROLE_NORMAL, " One system: give --system-id a pattern ('*', 'pay-*') for the Systems view");
		break;
	case REQ_RECOVER:
		if (fresh_index(c))
			walk_react(c, walk_recover(c));
		break;
	case REQ_COMPACT:
		if (fresh_index(c))
			walk_react(c, walk_compact(c));
		break;
	case REQ_TIME_FORMAT:
		c->tmode = (enum time_mode)((c->tmode + 1) % TM__COUNT);
		console_status(c, ROLE_NORMAL, " Time shown as %s", time_mode_name(c->tmode));
		break;
	case REQ__COUNT:
		break;
	}
}

static void timing(FILE *f, const char *what, double t0)
{
	if (f)
		fprintf(f, "%s_ms %.1f\n", what, now_ms() - t0);
}

static void console_init(struct console *c)
{
	for (int i = 0; i < V__COUNT; i++) {
		c->views[i].ops = view_table[i];
		sel_init(&c->views[i].sel, NULL, NULL);
	}
	static const enum rec_kind kinds[3] = { RK_EVENT, RK_AUDIT, RK_DEAD_LETTER };
	for (int i = 0; i < 3; i++) {
		c->preds[i] = (struct rec_pred){ kinds[i], &c->filt };
		sel_init(&c->views[i].sel, console_rec_pred, &c->preds[i]);
	}
	record_init(&c->rec);
	c->back2 = -1;
}

int console_reload(struct console *c, perr *e)
{
	model_close(&c->m);
	marks_clear(c); /* marks are per line of the index being replaced */
	for (int i = 0; i < V__COUNT; i++) {
		struct view *v = &c->views[i];
		/* views that cache figures over the index (charts, groups) drop them */
		if (v->ops->close && i != V_WALK && i != V_JOURNAL)
			v->ops->close(c, v);
		sel_reset(&v->sel);
		if (i != V_WALK)
			v->top = v->cur = 0;
	}
	return console_model_open(c, e);
}

int console_run(const struct config *cfg, const struct console_opts *o, perr *e)
{
	struct console *c = calloc(1, sizeof *c);
	if (!c)
		return perr_set(e, PX_IOERR, "out of memory");
	c->cfg = cfg;
	c->opt = o;
	c->b = o->backend;
	c->backend_name = backend_name(o->backend);
	c->location = o->backend->location;
	c->journal = console_journal_path(o->journal);
	double t0 = now_ms();
	const char *tpath = getenv("PAPYRA_TEST_TIMING");
	FILE *tf = tpath ? fopen(tpath, "w") : NULL;
	int rc = -1, opened = 0, first = 1, indexed = 0;
	if (merge_location(c, e) < 0 || console_model_open(c, e) < 0)
		goto out;
	console_init(c);
	c->live.tail = o->follow;
	if (o->n_systems)
		console_open_view(c, V_SYSTEMS); /* a fleet: its systems first */
	if (o->n_systems && !(c->sys_stale = calloc(o->n_systems, 1))) {
		perr_set(e, PX_IOERR, "out of memory");
		goto out;
	}
	if (screen_open(e) < 0)
		goto out;
	opened = 1;
	if (o->n_systems && o->refresh_system)
		systems_scan(c); /* on the screen, where its progress shows and Esc stops it */
	while (!c->quit && !screen_hangup()) {
		int scanning = model_scanning(&c->m);
		if (scanning) {
			model_step(&c->m, SLICE_MS);
			refresh_views(c);
			if (c->m.oom)
				console_status(c, ROLE_ANOMALY, " Out of memory: the index stops at line %zu", c->m.n);
			if (c->m.failed)
				console_status(c, ROLE_ANOMALY, " The scan failed: %s", c->m.err.msg);
			live_after_step(c);
			if (c->live.search_pending)
				live_search_more(c);
		} else {
			live_tick(c);
		}
		if (console_filtering(c)) {
			console_filter_step(c);
			live_after_step(c); /* tail mode, a cursor to put back: on the rows found so far */
		}
		int filtering = console_filtering(c);
		if (filtering && screen_is_test() && !c->filter_slices && screen_test_slice())
			c->filter_slices = 1; /* the script takes keys between the slices from here */
		console_draw(c);
		screen_update();
		if (first) {
			timing(tf, "first_screen", t0);
			first = 0;
		}
		if (!model_scanning(&c->m) && !indexed) {
			timing(tf, "full_index", t0);
			if (tf)
				fprintf(tf, "lines %zu\n", c->m.n);
			merge_timing(c, tf);
			indexed = 1;
		}
		if (model_scanning(&c->m) && screen_is_test())
			continue; /* tests see the finished index: deterministic screens */
		if (filtering && screen_is_test() && !c->filter_slices)
			continue; /* and the finished filter, unless the script says `slice` */
		int key = screen_getkey_fd(model_scanning(&c->m) || filtering ? 0 : live_wait_ms(c), live_fd(c));
		if (key == SK_EOF)
			break;
		if (key == SK_WAKE) {
			live_wake(c);
			continue;
		}
		if (key == SK_TIMEOUT || key == SK_RESIZE)
			continue;
		if (console_too_small(c) && keys_request(key) != REQ_QUIT) {
			/* nothing is done blind: the screen says the key was ignored */
			c->ignored_keys++;
			continue;
		}
		c->ignored_keys = 0;
		handle(c, key);
	}
	rc = 0;
	if (c->m.failed)
		*e = c->m.err, rc = -1;
out:
	if (opened)
		screen_close();
	if (tf) {
		struct rusage ru;
		if (getrusage(RUSAGE_SELF, &ru) == 0)
			fprintf(tf, "maxrss_kb %ld\n", ru.ru_maxrss);
		fclose(tf);
	}
	for (int i = 0; i < V__COUNT; i++) {
		if (c->views[i].ops && c->views[i].ops->close)
			c->views[i].ops->close(c, &c->views[i]);
		sel_free(&c->views[i].sel);
		tb_clear(&c->views[i].text);
	}
	filter_free(&c->filt);
	matcher_free(&c->search);
	marks_clear(c);
	live_free(c);
	console_hist_free(c);
	record_free(&c->rec);
	jf_release();
	model_close(&c->m);
	free(c->journal);
	free(c->sys_stale);
	free(c->merge_legend);
	free(c->rowbuf);
	free(c);
	return rc;
}

void console_print_keys_man(FILE *f)
{
	keys_print_man(f);
}
