/* Help (?): the key table, the views and their pictures, the glyphs. */
#include <string.h>

#include "app.h"
#include "screen.h"

struct help_ctx {
	struct textbuf *t;
	const char *section;
};

static void help_key(void *ctx, const char *section, const char *shown, const char *help)
{
	struct help_ctx *h = ctx;
	if (!h->section || strcmp(h->section, section) != 0) {
		tb_add(h->t, ROLE_NORMAL, "", 0);
		tb_addf(h->t, ROLE_TITLE, " %s", section);
		h->section = section;
	}
	tb_addf(h->t, ROLE_NORMAL, "   %-14s %s", shown, help);
}

void help_build(struct console *c)
{
	struct textbuf *t = &c->views[V_HELP].text;
	struct help_ctx h = { t, NULL };
	tb_clear(t);
	tb_addf(t, ROLE_TITLE, "%s", " papyra console: incident triage, recovery and compaction");
	tb_addf(t, ROLE_NORMAL, "%s", " Browsing never changes the store; only R and c do, after a preview and your");
	tb_addf(t, ROLE_NORMAL, "%s", " confirmation, and every change is verified and journaled. Esc or q closes this help.");
	keys_each(help_key, &h);
	tb_add(t, ROLE_NORMAL, "", 0);
	tb_addf(t, ROLE_TITLE, "%s", " Pictures");
	tb_addf(t, ROLE_NORMAL, "%s", "   Audits (2)     top pane: total and alive actors and dead letters over the");
	tb_addf(t, ROLE_NORMAL, "%s", "                  audits, one column per sampled audit, oldest left");
	tb_addf(t, ROLE_NORMAL, "%s", "   Dead letters   top pane: the largest groups by target and message type");
	tb_addf(t, ROLE_NORMAL, "%s", "   Timeline (7)   events per time bucket; crashes drawn as their own bar,");
	tb_addf(t, ROLE_NORMAL, "%s", "                  counted in red; Enter opens Events at that bucket");
	tb_add(t, ROLE_NORMAL, "", 0);
	tb_addf(t, ROLE_TITLE, "%s", " Marks");
	tb_addf(t, ROLE_ANOMALY, "   %s              a damaged line (CORRUPTED_LINE, TRUNCATED_LINE)", console_glyph());
	tb_addf(t, ROLE_WARN, "%s", "   *              an ActorCrashed event");
	tb_addf(t, ROLE_NORMAL, "%s", "   \\x01 \\n \\u2028 bytes that cannot be shown, escaped");
	tb_add(t, ROLE_NORMAL, "", 0);
	tb_addf(t, ROLE_TITLE, "%s", " Filter");
	tb_addf(t, ROLE_NORMAL, "%s", "   f type=ActorCrashed type=ActorStopped !actor=local:3 since=2026-01-01 00:00:05.250");
	tb_addf(t, ROLE_NORMAL, "%s", "   type matches event_type / message_type, actor matches actor_address /");
	tb_addf(t, ROLE_NORMAL, "%s", "   target in either stored form (None: no target), text= a regular expression");
	tb_addf(t, ROLE_NORMAL, "%s", "   over the line and its columns; several of one key: any; !key=V excludes.");
	tb_addf(t, ROLE_NORMAL, "%s", "   Times as the screen shows them (t: local is local time, else UTC), with");
	tb_addf(t, ROLE_NORMAL, "%s", "   fractions, Z for UTC, or epoch seconds; T goes to the first row at or after one.");
	tb_addf(t, ROLE_NORMAL, "%s", "   Applies to Events, Audits (text and time), Dead letters and Timeline.");
}

static void help_open(struct console *c, struct view *v)
{
	help_build(c);
	v->top = v->cur = 0;
}

const struct view_ops view_help_ops = {
	.name = "Help",
	.open = help_open,
	.scroll = 1,
	.rows = text_rows,
	.draw_row = text_row,
};
