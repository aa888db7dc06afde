/* The human lines about consumer groups (Redis, issue 10 item 6): what a
 * scan found for each stream's readers, which planned entries are
 * pending in a group, and what --ack-deleted acknowledged.  The data come
 * from the scan report and the plan (core/scan.h, core/recover.h); the
 * backend is never asked which kind it is. */
#include <string.h>

#include "pipeline.h"
#include "strbuf.h"

void pipeline_print_groups(struct pipeline *p, const struct scan_report *r)
{
	for (size_t i = 0; i < r->n_files; i++) {
		const struct scan_file *f = &r->files[i];
		if (f->groups_error)
			cli_say(p->c, p->txt, TONE_INFO, "Consumer groups of %s not read: %s", f->path,
				f->groups_error);
		for (size_t k = 0; k < f->n_groups; k++) {
			const struct scan_group *g = &f->groups[k];
			char lag[32] = "unknown";
			if (g->lag >= 0)
				snprintf(lag, sizeof lag, "%lld", (long long)g->lag);
			cli_say(p->c, p->txt, TONE_INFO, "Consumer group %s on %s: %lld consumer%s, %lld pending, lag %s",
				g->name, f->path, (long long)g->consumers, g->consumers == 1 ? "" : "s",
				(long long)g->pending, lag);
			if (g->dangling)
				cli_say(p->c, p->txt, TONE_INFO, "  %lld of its pending ids point at entries that no "
					"longer exist (oldest %s%s): its consumers cannot read them; XACK them",
					(long long)g->dangling, g->dangling_first,
					g->checked < g->pending ? ", not every pending id was checked" : "");
		}
	}
}

void pipeline_pending_suffix(const struct action *a, struct strbuf *b)
{
	if (!a->pending)
		return;
	strbuf_puts(b, "; pending in group ");
	action_pending_join(a, b);
}

void pipeline_print_acks(struct pipeline *p)
{
	char line[256];
	apply_result_acks_text(&p->plan, &p->res, line, sizeof line);
	if (line[0])
		cli_say(p->c, p->txt, TONE_INFO, "%s", line);
}
