/* The recovery walk (R): choose repair or quarantine (and where), read
 * the plan, optionally decide each anomaly, confirm, watch it apply, read
 * the verification scan and the journal entry.  The plan comes from the
 * scan the views show (the backend's own planner), so apply refuses when
 * the store changed since: nothing is written before the confirmation,
 * and nothing at all on a stale plan.  Redis quarantines into streams:
 * no directory is asked for, and the plan names entries by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "screen.h"
#include "session.h"
#include "walk.h"

/* Above this many lines (or entries) dropped, the mode name must be typed
 * to confirm: a reflexive Enter must not do it.  What is only moved or
 * mended (orphans copied whole into quarantine, newlines added) loses
 * nothing and does not count. */
#define LARGE_DROPS 50
/* Longest quarantine directory typed in. */
#define QDIR_MAX 1024
/* Dropped line numbers listed on the result screen; the journal has all. */
#define RESULT_LINES_LISTED 12

struct rwalk {
	struct console *c;
	enum recovery_mode mode;
	const char *verb; /* "Repair", "Quarantine" */
	char qdir[QDIR_MAX];
	struct plan plan;
	struct recover_session sess; /* plan -> apply -> verify -> journal (core/session.h) */
};

static int choose_mode(struct rwalk *w)
{
	struct console *c = w->c;
	struct dialog d;
	size_t n = c->m.rep.n_an;
	dlg_init(&d, "Recovery", ROLE_WARN);
	dlg_line(&d, ROLE_ANOMALY, "%zu anomal%s in %s.", n, n == 1 ? "y" : "ies", c->location);
	if (c->m.t->ids) {
		dlg_line(&d, ROLE_NORMAL, "%s", "Repair: delete the damaged entries (XDEL); every other entry is untouched.");
		dlg_line(&d, ROLE_NORMAL, "%s", "Quarantine: the same, after copying each one, every field, to a "
			 "quarantine stream.");
	} else {
		dlg_line(&d, ROLE_NORMAL, "%s", "Repair: drop the damaged lines, keep every other line byte for byte.");
		dlg_line(&d, ROLE_NORMAL, "%s", "Quarantine: the same, after keeping the untouched original in a directory.");
	}
	dlg_line(&d, ROLE_DIM, "%s", "The plan comes next: nothing changes before you confirm it.");
	dlg_button(&d, "Repair");
	dlg_button(&d, "Quarantine");
	dlg_button(&d, "Cancel");
	d.focus = c->opt->mode == RM_QUARANTINE ? 1 : 0;
	d.hint = "Tab/arrows choose  Enter continue  Esc cancel";
	int b = dlg_run(c, &d);
	if (b < 0 || b == 2)
		return -1;
	w->mode = b == 0 ? RM_REPAIR : RM_QUARANTINE;
	w->verb = b == 0 ? "Repair" : "Quarantine";
	return 0;
}

static void default_qdir(struct rwalk *w)
{
	struct console *c = w->c;
	perr e = { 0 };
	if (c->opt->quarantine_dir) {
		snprintf(w->qdir, sizeof w->qdir, "%s", c->opt->quarantine_dir);
		return;
	}
	char *dir = fsutil_dirname(c->cfg->path, &e);
	char *q = dir ? fsutil_join(dir, "quarantine", &e) : NULL;
	snprintf(w->qdir, sizeof w->qdir, "%s", q ? q : "quarantine");
	free(dir);
	free(q);
}

/* Build the plan; in quarantine mode ask for the directory first, and
 * again while the planner refuses it.  Returns 0, or -1 when cancelled. */
static int build(struct rwalk *w)
{
	struct console *c = w->c;
	int ask = w->mode == RM_QUARANTINE && !c->m.t->ids;
	if (ask)
		default_qdir(w);
	for (;;) {
		if (ask &&
		    !console_prompt(c, PH_QDIR, "Quarantine directory (Enter accepts, Esc cancels): ", w->qdir,
				    sizeof w->qdir))
			return -1;
		perr e = { 0 };
		w->plan.epoch_ms = walk_epoch_ms();
		if (ask && !w->qdir[0])
			perr_set(&e, PX_USAGE, "%s", "the quarantine directory cannot be empty");
		else if (session_recover_plan(&w->sess, w->mode, ask ? w->qdir : NULL, &e) == 0)
			return 0;
		if (!ask) {
			dlg_message(c, "No plan", ROLE_ANOMALY, e.msg, "Nothing was changed.");
			return -1;
		}
		dlg_message(c, "Quarantine directory refused", ROLE_ANOMALY, e.msg,
			    "Nothing was changed. Choose another directory, or Esc to cancel.");
		if (c->quit)
			return -1;
	}
}

static void question(const struct rwalk *w, const struct rplan_sum *s, char *q, size_t cap)
{
	char sz[32] = "", where[160];
	int64_t n = s->drops + s->newlines;
	if (s->file)
		snprintf(where, sizeof where, "%s", s->file);
	else
		snprintf(where, sizeof where, "%lld %s", (long long)s->n_files, s->entries ? "streams" : "files");
	if (s->drop_bytes) {
		char b[24];
		walk_size(b, sizeof b, s->drop_bytes);
		snprintf(sz, sizeof sz, " (%s)", b);
	}
	if (s->entries)
		snprintf(q, cap, "%s %lld entr%s%s %s %s?", w->verb, (long long)s->entries, s->entries == 1 ? "y" : "ies",
			 sz, w->mode == RM_REPAIR ? "in" : "from", where);
	else if (n)
		snprintf(q, cap, "%s %lld line%s%s %s %s?", w->verb, (long long)n, n == 1 ? "" : "s", sz,
			 w->mode == RM_REPAIR ? "in" : "from", where);
	else if (s->temps && s->orphans)
		snprintf(q, cap, "%s: remove %lld leftover temporary file%s and move %lld orphaned file%s into %.200s?",
			 w->verb, (long long)s->temps, s->temps == 1 ? "" : "s", (long long)s->orphans,
			 s->orphans == 1 ? "" : "s", w->qdir);
	else if (s->orphans)
		snprintf(q, cap, "%s: move %lld orphaned file%s into %.200s?", w->verb, (long long)s->orphans,
			 s->orphans == 1 ? "" : "s", w->qdir);
	else
		snprintf(q, cap, "%s: remove %lld leftover temporary file%s?", w->verb, (long long)s->temps,
			 s->temps == 1 ? "" : "s");
}

/* The confirmation: the verb and the count, focus on Cancel; a large
 * change wants the mode name typed.  Returns 1 when confirmed. */
static int confirm(struct rwalk *w, const struct rplan_sum *s)
{
	struct console *c = w->c;
	struct dialog d;
	char q[DLG_LINE_MAX];
	const char *name = recovery_mode_name(w->mode);
	question(w, s, q, sizeof q);
	dlg_init(&d, "Confirm", ROLE_WARN);
	dlg_line(&d, ROLE_WARN, "%s", q);
	if (s->drops)
		dlg_line(&d, ROLE_NORMAL, "%lld line%s dropped; the other %lld kept byte for byte.", (long long)s->drops,
			 s->drops == 1 ? "" : "s", (long long)s->lines);
	if (s->entries)
		dlg_line(&d, ROLE_NORMAL, "%lld entr%s deleted (XDEL); the other %lld untouched.", (long long)s->entries,
			 s->entries == 1 ? "y" : "ies", (long long)s->lines);
	if (s->entries && w->mode == RM_QUARANTINE)
		dlg_line(&d, ROLE_NORMAL, "%s", "Each is first copied, every field, to its quarantine stream.");
	if (s->newlines)
		dlg_line(&d, ROLE_NORMAL, "A newline added after %lld complete record%s.", (long long)s->newlines,
			 s->newlines == 1 ? "" : "s");
	if (s->temps)
		dlg_line(&d, ROLE_NORMAL, "%lld leftover temporary file%s removed.", (long long)s->temps,
			 s->temps == 1 ? "" : "s");
	if (s->orphans)
		dlg_line(&d, ROLE_NORMAL, "%lld orphaned file%s moved whole into %s.", (long long)s->orphans,
			 s->orphans == 1 ? "" : "s", w->qdir);
	if (s->files_copied)
		dlg_line(&d, ROLE_NORMAL, "The untouched original is first copied into %s.", w->qdir);
	int64_t left = s->left + s->unhandled;
	if (left)
		dlg_line(&d, ROLE_WARN, "%lld anomal%s left as %s: the verification will report %s.", (long long)left,
			 left == 1 ? "y" : "ies", left == 1 ? "it is" : "they are", left == 1 ? "it" : "them");
	int large = s->drops + s->entries > LARGE_DROPS;
	if (!large) {
		dlg_button(&d, "Cancel");
		dlg_button(&d, w->verb);
		d.focus = 0;
		d.hint = "Tab/arrows choose  Enter press the focused button  Esc cancel";
		return dlg_run(c, &d) == 1;
	}
	return dlg_confirm_typed(c, &d, name);
}

static void list_dropped(struct console *c, const struct plan *p)
{
	char buf[DLG_LINE_MAX];
	int k = 0, listed = 0;
	int64_t total = 0;
	int redis = c->m.t->ids;
	for (size_t i = 0; i < p->n; i++)
		total += !p->v[i].skip && (p->v[i].kind == ACT_DROP_LINE || p->v[i].kind == ACT_DELETE_ENTRY ||
					   p->v[i].kind == ACT_QUARANTINE_ENTRY);
	if (!total)
		return;
	if (redis)
		k = snprintf(buf, sizeof buf, " %s: %lld entr%s:", p->mode == RM_QUARANTINE ? "Quarantined" : "Deleted",
			     (long long)total, total == 1 ? "y" : "ies");
	else
		k = snprintf(buf, sizeof buf, " Dropped: %lld line%s:", (long long)total, total == 1 ? "" : "s");
	for (size_t i = 0; i < p->n && listed < RESULT_LINES_LISTED; i++) {
		const struct action *a = &p->v[i];
		char where[PATH_SHOWN_MAX];
		if (a->skip || (a->kind != ACT_DROP_LINE && !redis) || k < 0 || (size_t)k >= sizeof buf)
			continue;
		/* one file: its line numbers; a set: file:line; Redis: stream and id */
		if (!c->m.t->several)
			snprintf(where, sizeof where, "%lld", (long long)a->line);
		else
			walk_action_where(c, a, where, sizeof where);
		k += snprintf(buf + k, sizeof buf - (size_t)k, "%s %s (%s)", listed ? "," : "", where,
			      anomaly_type_name(a->reason));
		listed++;
	}
	if (total > listed && k > 0 && (size_t)k < sizeof buf)
		snprintf(buf + k, sizeof buf - (size_t)k, ", and %lld more (the journal lists them)",
			 (long long)(total - listed));
	walk_say(c, ROLE_NORMAL, "%s", buf);
}

/* The orphan a quarantine destination holds (the copy of an orphan is
 * named <its name>.quarantine.<ms>[...]), or NULL for an original. */
static const char *orphan_of(const struct plan *p, const char *dest)
{
	const char *b = px_basename(dest);
	for (size_t i = 0; i < p->n; i++) {
		const struct action *a = &p->v[i];
		if (a->skip || a->kind != ACT_MOVE_ORPHAN)
			continue;
		const char *ob = px_basename(a->path);
		size_t n = strlen(ob);
		if (strncmp(b, ob, n) == 0 && strncmp(b + n, ".quarantine.", 12) == 0)
			return a->path;
	}
	return NULL;
}

/* The result screen: before/after, where the original went, the
 * verification, the journal (the session did them; this only shows). */
static void result(struct rwalk *w, const struct rplan_sum *s, const struct apply_result *res,
		   const struct scan_report *ver)
{
	struct console *c = w->c;
	const struct session_outcome *o = &w->sess.out;
	int redis = c->m.t->ids;
	struct textbuf *t = walk_begin(c);
	walk_say(c, ROLE_TITLE, " %s done: %s", w->verb, c->location);
	tb_add(t, ROLE_NORMAL, "", 0);
	const char *unit = redis ? "entries" : "lines", *of = redis ? " of data" : "";
	walk_say(c, ROLE_NORMAL, " Before:  %lld %s, %lld records, %lld bytes%s", (long long)walk_lines(&c->m.rep), unit,
		 (long long)walk_records(&c->m.rep), (long long)walk_bytes(&c->m.rep), of);
	if (o->verified)
		walk_say(c, ROLE_NORMAL, " After:   %lld %s, %lld records, %lld bytes%s", (long long)walk_lines(ver), unit,
			 (long long)walk_records(ver), (long long)walk_bytes(ver), of);
	list_dropped(c, &w->plan);
	rplan_pending(c, &w->plan, res);
	if (s->newlines)
		walk_say(c, ROLE_NORMAL, " Newline added after %lld complete record%s.", (long long)s->newlines,
			 s->newlines == 1 ? "" : "s");
	if (s->temps)
		walk_say(c, ROLE_NORMAL, " Removed %lld leftover temporary file%s.", (long long)s->temps,
			 s->temps == 1 ? "" : "s");
	for (size_t i = 0; i < res->n_quarantined; i++) {
		const char *orphan = orphan_of(&w->plan, res->quarantined[i]);
		if (redis)
			walk_say(c, ROLE_OK, " Copies kept in stream: %s", res->quarantined[i]);
		else if (orphan)
			walk_say(c, ROLE_OK, " Orphan %s moved to: %s", orphan, res->quarantined[i]);
		else
			walk_say(c, ROLE_OK, " Original kept at: %s", res->quarantined[i]);
	}
	if (!res->n_quarantined && redis)
		walk_say(c, ROLE_DIM, "%s", " Deleted entries: not kept (repair deletes; quarantine keeps a copy in a stream).");
	else if (!res->n_quarantined)
		walk_say(c, ROLE_DIM, "%s", " Original: not kept (repair rewrites in place; quarantine keeps a copy).");
	tb_add(t, ROLE_NORMAL, "", 0);
	if (!o->verified) {
		walk_say(c, ROLE_ANOMALY, " Verification scan FAILED: %s", o->verify_err.msg);
	} else if (!ver->n_an) {
		walk_say(c, ROLE_OK, "%s", " Verification scan: no anomalies. The store is healthy.");
	} else {
		walk_say(c, ROLE_WARN, " Verification scan: %zu anomal%s remain%s", ver->n_an, ver->n_an == 1 ? "y" : "ies",
			 ver->n_an == 1 ? (s->left ? "s, the one you left:" : "s:") : (s->left ? ", with the ones you left:" : ":"));
		walk_list_anomalies(c, ver, ROLE_WARN);
	}
	walk_journal_outcome(c, o);
	console_status(c, o->verified && !ver->n_an ? ROLE_OK : ROLE_WARN, " %s applied and verified. Esc returns to the views",
		       w->verb);
}

static unsigned run(struct rwalk *w, const struct rplan_sum *s)
{
	struct console *c = w->c;
	char what[DLG_LINE_MAX];
	snprintf(what, sizeof what, "%s: %s", w->verb, c->location);
	struct walk_progress pr = { c, what, 0 };
	struct apply_progress prog = { &pr, walk_on_progress, NULL };
	struct apply_result res;
	struct scan_report ver;
	memset(&res, 0, sizeof res);
	scan_report_init(&ver);
	w->sess.res = &res;
	w->sess.verify = &ver;
	walk_on_progress(&pr, 0, 1);
	unsigned react;
	if (session_recover_run(&w->sess, &prog) < 0) {
		const perr *e = &w->sess.out.err;
		if (walk_changed(e)) {
			react = walk_offer_rescan(c, "plan", e);
		} else {
			dlg_message(c, "Recovery failed", ROLE_ANOMALY, e->msg,
				    "What failed was left as it was. The views are rebuilt from the file as it is now.");
			walk_leave(c, ROLE_ANOMALY, " Recovery failed: see the message; the views show the file as it is");
			react = WALK_RELOAD;
		}
	} else {
		result(w, s, &res, &ver);
		react = WALK_RELOAD_PANE;
	}
	scan_report_free(&ver);
	apply_result_free(&res);
	return react;
}

static void plan_rewrap(struct console *c, void *plan)
{
	rplan_text(c, plan);
}

unsigned walk_recover(struct console *c)
{
	if (merge_refuse(c, "Recovery (R)"))
		return 0;
	if (model_scanning(&c->m)) {
		console_status(c, ROLE_WARN, "%s", " Still indexing: recovery plans from the finished scan, press R again then");
		return 0;
	}
	if (c->m.failed) {
		console_status(c, ROLE_ANOMALY, " The scan failed (%s): nothing to plan from", c->m.err.msg);
		return 0;
	}
	if (!c->m.rep.n_an) {
		console_status(c, ROLE_OK, "%s", " Nothing to recover: the scan found no anomalies");
		return 0;
	}
	if (!walk_journal_ready(c, "Recovery"))
		return 0;
	struct rwalk w = { .c = c };
	plan_init(&w.plan);
	w.sess = (struct recover_session){ .b = c->b, .scan = &c->m.rep, .plan = &w.plan, .command = "console",
					   .journal = c->journal };
	unsigned react = 0;
	if (choose_mode(&w) < 0 || build(&w) < 0) {
		plan_free(&w.plan);
		walk_leave(c, ROLE_NORMAL, " Recovery cancelled: nothing was changed");
		return 0;
	}
	walk_begin(c);
	rplan_text(c, &w.plan);
	/* a resize re-wraps the plan (draw.c) */
	c->rewrap = plan_rewrap;
	c->rewrap_ctx = &w.plan;
	c->rewrap_cols = c->cols;
	const char *hint = " Enter confirm...  s step through the anomalies  j/k scroll  Esc cancel (nothing changes)";
	for (;;) {
		enum walk_request r = walk_wait(c, hint, 1u << WREQ_OK | 1u << WREQ_CANCEL | 1u << WREQ_STEP);
		if (r == WREQ_CANCEL) {
			walk_leave(c, ROLE_NORMAL, " Recovery cancelled: nothing was changed");
			break;
		}
		if (r == WREQ_STEP) {
			rplan_step(c, &w.plan);
			continue;
		}
		struct rplan_sum s;
		rplan_sum(c, &w.plan, &s);
		if (!s.drops && !s.newlines && !s.temps && !s.orphans && !s.entries) {
			console_status(c, ROLE_WARN, "%s", " Nothing to apply: every action is left (s to step again, Esc to cancel)");
			continue;
		}
		if (!confirm(&w, &s)) {
			if (c->quit) {
				walk_leave(c, ROLE_NORMAL, " Recovery cancelled: nothing was changed");
				break;
			}
			console_status(c, ROLE_NORMAL, "%s", " Not confirmed: nothing was changed (Esc leaves the plan)");
			continue;
		}
		c->rewrap = NULL; /* the result screen is not the plan */
		react = run(&w, &s);
		break;
	}
	c->rewrap = NULL;
	plan_free(&w.plan);
	return react;
}
