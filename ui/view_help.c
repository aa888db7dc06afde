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
	tb_add(t, ROLE_TITLE, " papyra console: read-only incident triage", 42);
	tb_add(t, ROLE_NORMAL, " Nothing here changes the store. Esc or q closes this help.", 59);
	keys_each(help_key, &h);
	tb_add(t, ROLE_NORMAL, "", 0);
	tb_add(t, ROLE_TITLE, " Pictures", 9);
	tb_add(t, ROLE_NORMAL, "   Audits (2)     top pane: total and alive actors and dead letters over the", 76);
	tb_add(t, ROLE_NORMAL, "                  audits, one column per sampled audit, oldest left", 67);
	tb_add(t, ROLE_NORMAL, "   Dead letters   top pane: the largest groups by target and message type", 73);
	tb_add(t, ROLE_NORMAL, "   Timeline (7)   events per time bucket; crashes drawn as their own bar,", 74);
	tb_add(t, ROLE_NORMAL, "                  counted in red; Enter opens Events at that bucket", 66);
	tb_add(t, ROLE_NORMAL, "", 0);
	tb_add(t, ROLE_TITLE, " Marks", 6);
	tb_addf(t, ROLE_ANOMALY, "   %s              a damaged line (CORRUPTED_LINE, TRUNCATED_LINE)", console_glyph());
	tb_add(t, ROLE_WARN, "   *              an ActorCrashed event", 37);
	tb_add(t, ROLE_NORMAL, "   \\x01 \\n \\u2028 bytes that cannot be shown, escaped", 54);
	tb_add(t, ROLE_NORMAL, "", 0);
	tb_add(t, ROLE_TITLE, " Filter", 7);
	tb_add(t, ROLE_NORMAL, "   f type=ActorCrashed actor=local:3 since=2026-01-01T00:00:05 until=1767225610", 80);
	tb_add(t, ROLE_NORMAL, "   type matches event_type / message_type, actor matches actor_address /", 73);
	tb_add(t, ROLE_NORMAL, "   target in either stored form (None: no target); times are UTC or epoch.", 74);
	tb_add(t, ROLE_NORMAL, "   Applies to Events, Audits (time only), Dead letters and Timeline.", 68);
}

const struct view_ops view_help_ops = {
	.name = "Help",
	.scroll = 1,
	.rows = text_rows,
	.draw_row = text_row,
};
