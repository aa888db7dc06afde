/* Recovery and compaction sessions: the one sequence of plan, apply,
 * verify and journal behind the CLI and the console (session.h). */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include "fsmeta.h"

int64_t session_records(const struct scan_report *r)
{
	int64_t n = 0;
	for (size_t i = 0; i < r->n_files; i++)
		for (int k = 0; k < RK__COUNT; k++)
			n += r->files[i].records[k];
	return n;
}

int session_check_unchanged(const struct scan_report *r, const char *shown_single, perr *e)
{
	for (size_t i = 0; i < r->n_files; i++) {
		struct file_ident now;
		if (file_ident_get(r->files[i].path, &now, e) < 0)
			return -1;
		if (!file_ident_same(&now, &r->files[i].ident))
			return perr_setr(e, PX_IOERR, PR_STALE, "%s changed since the scan (%lld bytes then, %lld "
					 "now); nothing was changed", shown_single ? shown_single : r->files[i].path,
					 (long long)r->files[i].ident.size, (long long)now.size);
	}
	return 0;
}

/* The verification scan into `out`; the outcome says whether it ran. */
static void session_verify(struct backend *b, const struct session_verify *rescan, struct scan_report *out,
			   struct session_outcome *o)
{
	perr e = { 0 };
	struct scan_opts so = { 0 };
	scan_report_free(out); /* emptied, keeping the caller's bound */
	int rc = rescan ? rescan->scan(rescan->ctx, out, &e) : b->ops->scan(b, &so, NULL, out, &e);
	if (rc < 0) {
		o->verify_failed = 1;
		o->verify_err = e;
		o->records_after = -1;
		return;
	}
	o->verified = 1;
	o->records_after = session_records(out);
}

static void session_journal(const char *path, struct journal_entry *j, struct session_outcome *o)
{
	perr e = { 0 };
	if (journal_append(path, j, &e) < 0) {
		if (!o->journal_failed) /* the first failure (an in-progress line) is the one said */
			o->journal_err = e;
		o->journal_failed = 1;
		return;
	}
	o->journaled = 1;
}

int session_recover_plan(struct recover_session *s, enum recovery_mode mode, const char *qdir, perr *e)
{
	int64_t epoch = s->plan->epoch_ms;
	int links = s->plan->allow_links, merge = s->plan->merge;
	plan_free(s->plan);
	plan_init(s->plan);
	s->plan->epoch_ms = epoch ? epoch : s->plan->epoch_ms;
	s->plan->allow_links = links;
	s->plan->merge = merge;
	s->mode = mode;
	if (s->b->ops->plan(s->b, s->scan, mode, qdir, s->plan, e) < 0)
		return -1;
	if (s->batch)
		plan_batch_filter(s->plan);
	return 0;
}

/* The caller's progress, and a journal line as each file of a multi-file
 * apply is in place (apply_progress.on_commit). */
struct session_commit {
	struct recover_session *s;
	const struct apply_progress *inner;
};

static void session_on_progress(void *ctx, int64_t done, int64_t total)
{
	struct session_commit *c = ctx;
	if (c->inner && c->inner->on_progress)
		c->inner->on_progress(c->inner->ctx, done, total);
}

static void session_entry(const struct recover_session *s, struct journal_entry *j)
{
	const struct session_outcome *o = &s->out;
	*j = (struct journal_entry){
		.command = s->command, .backend = s->b->ops->name, .location = s->b->location,
		.mode = recovery_mode_name(s->mode), .plan = s->plan, .result = s->res,
		.records_before = o->records_before, .records_after = o->records_after,
		.bytes_before = s->res->bytes_before, .bytes_after = s->res->bytes_after,
		.bytes_unknown = !o->bytes_known,
		.error = o->failed ? o->err.msg : NULL,
	};
}

static void session_on_commit(void *ctx, const struct apply_result *res)
{
	struct session_commit *c = ctx;
	if (c->inner && c->inner->on_commit)
		c->inner->on_commit(c->inner->ctx, res);
	struct journal_entry j;
	session_entry(c->s, &j);
	j.in_progress = 1;
	j.records_after = -1; /* not verified yet */
	perr e = { 0 };
	if (journal_append(c->s->journal, &j, &e) < 0 && !c->s->out.journal_failed) {
		c->s->out.journal_failed = 1; /* said at the end; the apply goes on */
		c->s->out.journal_err = e;
	}
}

int session_recover_run(struct recover_session *s, const struct apply_progress *prog)
{
	struct session_outcome *o = &s->out;
	memset(o, 0, sizeof *o);
	o->total = plan_weight(s->plan);
	o->records_before = session_records(s->scan);
	o->records_after = -1;
	o->bytes_known = backend_traits(s->b)->measures_bytes;
	struct session_commit sc = { s, prog };
	struct apply_progress wrapped = { &sc, session_on_progress, session_on_commit };
	if (s->journal)
		prog = &wrapped;
	if (o->total > 0 && s->b->ops->apply(s->b, s->plan, prog, s->res, &o->err) < 0) {
		o->failed = 1;
		if (!o->err.code)
			o->err.code = PX_IOERR;
		snprintf(o->failure, sizeof o->failure, "Recovery failed after %zu of %zu actions: %.900s",
			 plan_weight_applied(s->plan, s->res->applied, s->res->n_actions), o->total, o->err.msg);
	}
	o->applied = plan_weight_applied(s->plan, s->res->applied, s->res->n_actions);
	o->bytes_before = s->res->bytes_before;
	o->bytes_after = s->res->bytes_after;
	/* verify even after a failure: the outcome says what the store holds now */
	session_verify(s->b, s->rescan, s->verify, o);
	if (s->journal && o->total > 0) {
		struct journal_entry j;
		session_entry(s, &j);
		session_journal(s->journal, &j, o);
	}
	return o->failed ? -1 : 0;
}

int session_compact_run(struct compact_session *s)
{
	struct session_outcome *o = &s->out;
	memset(o, 0, sizeof *o);
	memset(&s->res, 0, sizeof s->res);
	o->total = 1;
	const struct backend_traits *t = backend_traits(s->b);
	const char *single = t->several ? NULL : s->b->location;
	if ((s->check_unchanged && t->has_files && session_check_unchanged(s->scan, single, &o->err) < 0) ||
	    fsmeta_check_report_links(s->scan, s->allow_links, &o->err) < 0 ||
	    s->b->ops->compact(s->b, s->ret, &s->res, &o->err) < 0) {
		o->failed = 1;
		return -1;
	}
	o->applied = 1;
	o->records_before = s->res.before_records;
	o->records_after = s->res.after_records;
	o->bytes_known = s->res.bytes_known;
	o->bytes_before = s->res.before_bytes;
	o->bytes_after = s->res.after_bytes;
	session_verify(s->b, s->rescan, s->verify, o);
	/* the records compaction reported, whatever the verification says */
	o->records_after = s->res.after_records;
	if (s->journal) {
		/* the journal's dropped count for a compaction is the records it dropped */
		struct apply_result ar = { .bytes_before = s->res.before_bytes, .bytes_after = s->res.after_bytes,
					   .lines_dropped = s->res.before_records - s->res.after_records };
		struct journal_entry j = {
			.command = s->command, .backend = s->b->ops->name, .location = s->b->location,
			.mode = "compact", .result = &ar,
			.records_before = s->res.before_records, .records_after = s->res.after_records,
			.bytes_before = s->res.before_bytes, .bytes_after = s->res.after_bytes,
			.bytes_unknown = !s->res.bytes_known,
		};
		session_journal(s->journal, &j, o);
	}
	return 0;
}
