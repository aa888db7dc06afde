/* The hand-off to scripts (W): the `papyra inspect` command line that
 * selects what the current view shows under the filter, so the evidence
 * found in the console can be fetched again without it (issue 12 item 5).
 *
 * The backend options reproduce the store the console opened
 * (backend_config_flags); the view gives the listing (Events: inspect
 * events, Audits: audits, Dead letters: dead-letters); each filter term
 * becomes an inspect option where one has the same meaning, and every
 * other term is listed as not expressible, never dropped:
 *
 *   since= / until=          --since / --until (both inclusive)
 *   type=T on Events         --event-type T, when it is the only type= that
 *                            includes (inspect takes one; it compares
 *                            exactly, so T is written as the store spells it)
 *   actor=A on Dead letters  --target A, when it is the only one
 *   anything else            not expressible: text=, !excludes, actor= on
 *                            Events, type= on Dead letters, marks
 *
 * Audits have no type or address: the console ignores those terms there,
 * and so does the command.  The formatting draws nothing (unit-tested in
 * tests/unit/test_handoff.c); handoff_show puts it on the screen. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "numparse.h"
#include "screen.h"
#include "walk.h"

static const char *term_key(const struct fterm *t)
{
	return t->key == FK_TYPE ? "type" : t->key == FK_ADDR ? "actor" : "text";
}

/* type=q as the store spells it (the console compares types without
 * case, inspect exactly): the one stored spelling, q when the store has
 * none, NULL when it has several. */
static const char *stored_type(struct console *c, const char *q)
{
	const char *found = NULL;
	for (size_t id = 0; id < c->m.types.n; id++) {
		const char *name = model_type_name(&c->m, (unsigned)id);
		if (strcasecmp(name, q) != 0)
			continue;
		if (found && strcmp(found, name) != 0)
			return NULL;
		found = name;
	}
	return found ? found : q;
}

/* How many terms of `key` include. */
static int n_including(const struct filter *f, enum fkey key)
{
	int n = 0;
	for (int i = 0; i < f->n_terms; i++)
		n += f->term[i].key == key && !f->term[i].neg;
	return n;
}

static void time_flag(struct strbuf *cmd, const char *flag, double t)
{
	char num[64];
	numparse_format_double(num, sizeof num, t);
	strbuf_printf(cmd, " %s %s", flag, num);
}

void handoff_command(struct console *c, enum view_id view, struct strbuf *cmd, struct strbuf *left,
		     struct strbuf *note)
{
	static const enum rec_kind kind[3] = { [V_EVENTS] = RK_EVENT, [V_AUDITS] = RK_AUDIT, [V_DEAD] = RK_DEAD_LETTER };
	if (view != V_EVENTS && view != V_AUDITS && view != V_DEAD) {
		strbuf_item(left, "the %s view (inspect lists Events, Audits and Dead letters)", c->views[view].ops->name);
		return;
	}
	const struct filter *f = &c->filt;
	/* the console indexes as many per stream as inspect reads (--max-read) */
	backend_inspect_command(c->cfg, kind[view], cmd, note);
	if (c->opt && c->opt->n_sources > 1) {
		strbuf_item(left, "%zu stores merged (inspect reads one: this is the first; run it with each --path)",
			 c->opt->n_sources);
	}
	if (retention_active(&c->cfg->retention))
		strbuf_item(left, "%s", "the retention in force (where the command reads one too, from PAPYRA_* or a "
			 "config file, it lists only what compaction would keep; the console shows every record)");
	for (int i = 0; f->active && i < f->n_terms; i++) {
		const struct fterm *t = &f->term[i];
		const char *neg = t->neg ? "!" : "";
		if (view == V_AUDITS && t->key != FK_TEXT) {
			strbuf_item(note, "%s%s= does not apply to audits (the console ignores it there too)", neg,
				 term_key(t));
			continue;
		}
		if (!t->neg && view == V_EVENTS && t->key == FK_TYPE && n_including(f, FK_TYPE) == 1) {
			const char *spelt = stored_type(c, t->q);
			if (spelt) {
				strbuf_puts(cmd, " --event-type ");
				strbuf_shell_word(cmd, spelt);
				continue;
			}
			strbuf_item(left, "type=%s (the store spells it several ways; --event-type is exact)", t->q);
			continue;
		}
		if (!t->neg && view == V_DEAD && t->key == FK_ADDR && n_including(f, FK_ADDR) == 1) {
			strbuf_puts(cmd, " --target ");
			strbuf_shell_word(cmd, t->q);
			continue;
		}
		strbuf_item(left, "%s%s=%s", neg, term_key(t), t->q);
	}
	if (f->active && f->has_since)
		time_flag(cmd, "--since", f->since);
	if (f->active && f->has_until)
		time_flag(cmd, "--until", f->until);
	strbuf_puts(cmd, " --json");
	if (c->n_marked > 0) {
		strbuf_item(left, "%lld marked row%s (w writes the marks; the command lists the view's rows)",
			 (long long)c->n_marked, c->n_marked == 1 ? "" : "s");
	}
}

/* W: the command in a dialog, and on the status line (to copy). */
void handoff_show(struct console *c)
{
	enum view_id view = c->cur < V__LISTS ? c->cur : c->back;
	struct strbuf cmd = { 0 }, left = { 0 }, note = { 0 };
	handoff_command(c, view, &cmd, &left, &note);
	if (cmd.oom || left.oom || note.oom) {
		console_status(c, ROLE_ANOMALY, "%s", " Out of memory: no command line");
	} else if (!cmd.n) {
		console_status(c, ROLE_WARN, " No command line for this view: %s", left.p);
	} else {
		struct dialog d;
		dlg_init(&d, "Same selection from the command line", ROLE_NORMAL);
		dlg_line(&d, ROLE_OK, "%s", cmd.p);
		if (cmd.n >= DLG_LINE_MAX)
			dlg_line(&d, ROLE_WARN, "%s", "(cut: longer than this box holds)");
		dlg_line(&d, ROLE_NORMAL, "%s", "");
		if (left.n)
			dlg_line(&d, ROLE_WARN, "Not expressible, so the command lists more than this view: %s.", left.p);
		else
			dlg_line(&d, ROLE_NORMAL, "%s", "Every term is expressible: the command lists these records, "
				 "in this order, one JSON object per line.");
		if (note.n)
			dlg_line(&d, ROLE_NORMAL, "Note: %s.", note.p);
		dlg_button(&d, "Close");
		d.hint = "Enter or Esc closes";
		dlg_run(c, &d);
		if (left.n)
			console_status(c, ROLE_WARN, " Same selection: %s  [not expressible: %s]", cmd.p, left.p);
		else
			console_status(c, ROLE_OK, " Same selection: %s", cmd.p);
	}
	strbuf_free(&cmd);
	strbuf_free(&left);
	strbuf_free(&note);
}
