/* Recovery plans for the file backends: names, life cycle, and building a
 * plan from a scan report (nothing is touched; recover_apply.c applies). */
#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsmeta.h"
#include "fsutil.h"
#include "kept.h"
#include "salvage.h"
#include "strbuf.h"

static const char *const recover_mode_names[] = {"ignore", "repair", "quarantine"};

const char *recovery_mode_name(enum recovery_mode m)
{
	if ((unsigned)m >= sizeof recover_mode_names / sizeof *recover_mode_names)
		return "?";
	return recover_mode_names[m];
}

int recovery_mode_parse(const char *s, enum recovery_mode *out)
{
	for (size_t i = 0; s && i < sizeof recover_mode_names / sizeof *recover_mode_names; i++)
		if (strcasecmp(s, recover_mode_names[i]) == 0) {
			*out = (enum recovery_mode)i;
			return 0;
		}
	return -1;
}

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->epoch_ms = fsutil_now_ms();
}

const char *action_pending_next(const struct action *a, const char *prev)
{
	const char *s = prev ? prev + strlen(prev) + 1 : a->pending;
	return s && *s ? s : NULL;
}

size_t action_pending_join(const struct action *a, struct strbuf *b)
{
	size_t k = 0;
	for (const char *g = NULL; (g = action_pending_next(a, g)); k++)
		strbuf_printf(b, "%s%s", k ? ", " : "", g);
	return k;
}

void apply_result_acks_text(const struct plan *p, const struct apply_result *res, char *buf, size_t cap)
{
	size_t pending = 0;
	for (size_t i = 0; i < p->n && i < res->n_actions; i++)
		pending += res->applied[i] && p->v[i].pending;
	if (res->acking)
		snprintf(buf, cap, "acknowledged %lld pending id%s of deleted entries (--ack-deleted)",
			 (long long)res->n_acked, res->n_acked == 1 ? "" : "s");
	else if (pending)
		snprintf(buf, cap, "%zu deleted entr%s still pending in a consumer group: "
			 "--ack-deleted acknowledges them", pending, pending == 1 ? "y is" : "ies are");
	else if (cap)
		buf[0] = 0;
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].to);
		free(p->v[i].id);
		free(p->v[i].lens);
		free(p->v[i].gaps);
		free(p->v[i].pending);
		salvage_free(p->v[i].salvage);
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].path);
		free(p->files[i].display);
	}
	free(p->v);
	free(p->files);
	free(p->quarantine_dir);
	free(p->set_path);
	memset(p, 0, sizeof *p);
}

void plan_covered(const struct plan *p, unsigned char *covered, size_t n_an)
{
	for (size_t i = 0; i < p->n; i++)
		for (size_t k = 0; k < p->v[i].n_anomalies; k++)
			if (p->v[i].anomaly + k < n_an)
				covered[p->v[i].anomaly + k] = 1;
}

size_t action_lines(const struct action *a)
{
	return a->kind == ACT_DROP_LINE && a->count > 1 ? (size_t)a->count : 1;
}

int64_t action_drop_bytes(const struct action *a, int64_t size)
{
	int64_t n = 0, off = a->offset;
	for (size_t j = 0, lines = action_lines(a); j < lines; j++) {
		int64_t len = lines == 1 ? a->length : (int64_t)a->lens[j];
		if (j && a->gaps)
			off += a->gaps[2 * j + 1];
		int64_t end = off + len + 1;
		n += (end > size ? size : end) - off;
		off = end;
	}
	return n;
}

/* Line j's number and offset in a merged run from those of line j - 1. */
static void run_step(const struct action *a, size_t j, int64_t *line, int64_t *off)
{
	*off += (int64_t)a->lens[j - 1] + 1;
	*line += 1;
	if (a->gaps) {
		*line += a->gaps[2 * j];
		*off += a->gaps[2 * j + 1];
	}
}

void action_line(const struct action *a, size_t k, struct action *out)
{
	*out = *a;
	out->count = 1;
	out->lens = NULL;
	out->gaps = NULL;
	if (action_lines(a) == 1)
		return;
	int64_t off = a->offset, line = a->line;
	for (size_t j = 1; j <= k; j++)
		run_step(a, j, &line, &off);
	out->line = line;
	out->offset = off;
	out->length = a->lens[k];
	out->anomaly = a->anomaly + k;
	out->n_anomalies = 1;
}

void plan_lines_init(struct plan_lines *it, const struct plan *p)
{
	memset(it, 0, sizeof *it);
	it->p = p;
}

const struct action *plan_lines_next(struct plan_lines *it, size_t *index)
{
	while (it->p && it->i < it->p->n) {
		const struct action *a = &it->p->v[it->i];
		size_t n = action_lines(a);
		if (it->k >= n) {
			it->i++;
			it->k = 0;
			continue;
		}
		if (it->k == 0) {
			it->off = a->offset;
			it->line = a->line;
		} else
			run_step(a, it->k, &it->line, &it->off);
		it->one = *a;
		it->one.count = 1;
		it->one.lens = NULL;
		it->one.gaps = NULL;
		if (n > 1) {
			it->one.line = it->line;
			it->one.offset = it->off;
			it->one.length = a->lens[it->k];
			it->one.anomaly = a->anomaly + it->k;
			it->one.n_anomalies = 1;
		}
		*index = it->i;
		it->k++;
		return &it->one;
	}
	return NULL;
}

size_t plan_weight(const struct plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++)
		n += p->v[i].skip ? 0 : action_lines(&p->v[i]);
	return n;
}

size_t plan_weight_applied(const struct plan *p, const unsigned char *applied, size_t n_applied)
{
	size_t n = 0;
	for (size_t i = 0; applied && i < p->n && i < n_applied; i++)
		n += applied[i] ? action_lines(&p->v[i]) : 0;
	return n;
}

size_t plan_batch_filter(struct plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct action *a = &p->v[i];
		if (!a->skip && a->n_anomalies && !anomaly_type_batch(a->reason)) {
			a->skip = 1;
			n++;
		}
	}
	return n;
}

void apply_result_free(struct apply_result *r)
{
	for (size_t i = 0; i < r->n_repaired; i++)
		free(r->repaired[i]);
	for (size_t i = 0; i < r->n_quarantined; i++)
		free(r->quarantined[i]);
	for (size_t i = 0; i < r->n_qtemps_removed; i++)
		free(r->qtemps_removed[i]);
	free(r->repaired);
	free(r->quarantined);
	free(r->qtemps_removed);
	free(r->applied);
	free(r->acked);
	memset(r, 0, sizeof *r);
}

int apply_result_track(struct apply_result *r, size_t n, perr *e)
{
	free(r->applied);
	free(r->acked);
	r->applied = r->acked = NULL;
	r->n_actions = r->n_applied = 0;
	r->n_acked = r->acking = 0;
	if (n == 0)
		return 0;
	if (!(r->applied = calloc(n, 1)))
		return perr_set(e, PX_IOERR, "out of memory");
	r->n_actions = n;
	return 0;
}

void apply_result_mark(struct apply_result *r, size_t i)
{
	if (r->applied && i < r->n_actions && !r->applied[i]) {
		r->applied[i] = 1;
		r->n_applied++;
	}
}

/* ---- building ---------------------------------------------------------- */

/* A merged run's line lengths start with room for this many. */
#define RECOVER_RUN_START 16

struct recover_build {
	struct plan *p;
	const struct scan_report *r;
	char *const *real;
	int qdirfd;
	char **taken; /* quarantine destinations planned so far (aliases of action.to) */
	size_t ntaken, captaken;
	int64_t run_line; /* the number of the last line of the last merged run */
	perr *e;
};

/* `an`: the index of the anomaly answered, or (size_t)-1 for an action
 * that goes with others (n_anomalies 0). */
static struct action *recover_push(struct recover_build *b, enum action_kind k,
				   const char *path, enum anomaly_type reason, size_t an)
{
	struct plan *p = b->p;
	if (px_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v, b->e) != 0)
		return NULL;
	struct action *a = &p->v[p->n];
	memset(a, 0, sizeof *a);
	a->kind = k;
	a->offset = a->length = -1;
	a->reason = reason;
	if (an != (size_t)-1) {
		a->anomaly = an;
		a->n_anomalies = 1;
	}
	a->path = px_strdup(path, b->e);
	if (!a->path)
		return NULL;
	p->n++;
	return a;
}

static int recover_file_index(const struct scan_report *r, const char *display)
{
	for (size_t i = 0; i < r->n_files; i++)
		if (r->files[i].path && strcmp(r->files[i].path, display) == 0)
			return (int)i;
	return -1;
}

/* Path on disk for a displayed path.  Files outside the report (orphans,
 * temp files) live beside a reported file: map through its directory. */
static char *recover_real_path(const struct recover_build *b, const char *display)
{
	int i = recover_file_index(b->r, display);
	if (i >= 0)
		return px_strdup(b->real && b->real[i] ? b->real[i] : display, b->e);
	if (b->real) {
		char *ddir = fsutil_dirname(display, b->e);
		if (!ddir)
			return NULL;
		for (size_t k = 0; k < b->r->n_files; k++) {
			char *fdir = fsutil_dirname(b->r->files[k].path, b->e);
			int same = fdir && strcmp(fdir, ddir) == 0;
			free(fdir);
			if (same && b->real[k]) {
				free(ddir);
				char *rdir = fsutil_dirname(b->real[k], b->e);
				char *out = rdir ? fsutil_join(rdir, px_basename(display), b->e) : NULL;
				free(rdir);
				return out;
			}
		}
		free(ddir);
	}
	return px_strdup(display, b->e);
}

/* Plan a quarantine destination for `real` and record it in `a->to`. */
static int recover_plan_dest(struct recover_build *b, struct action *a, const char *real)
{
	char *name = fsutil_quarantine_name(b->qdirfd, px_basename(real), b->p->epoch_ms,
					    b->taken, b->ntaken, b->e);
	if (!name)
		return -1;
	a->to = fsutil_join(b->p->quarantine_dir, name, b->e);
	free(name);
	if (!a->to || px_grow(&b->taken, &b->captaken, b->ntaken + 1, sizeof *b->taken, b->e) != 0)
		return -1;
	b->taken[b->ntaken++] = a->to;
	return 0;
}

/* The plan_file for report file `idx`, created (with its quarantine action
 * in quarantine mode) on first use. */
static struct plan_file *recover_plan_file(struct recover_build *b, size_t idx,
					   enum anomaly_type reason)
{
	const struct scan_file *sf = &b->r->files[idx];
	const char *real = b->real && b->real[idx] ? b->real[idx] : sf->path;
	struct plan *p = b->p;
	for (size_t i = 0; i < p->nfiles; i++)
		if (strcmp(p->files[i].path, real) == 0)
			return &p->files[i];
	/* our own kept link (a switch cut short, kept.h) is no other name */
	int64_t links = sf->ident.nlink - kept_links_to(real, &sf->ident);
	if (fsmeta_check_links(sf->path, links, p->allow_links, b->e) != 0 ||
	    px_grow(&p->files, &p->capfiles, p->nfiles + 1, sizeof *p->files, b->e) != 0)
		return NULL;
	struct plan_file *pf = &p->files[p->nfiles];
	memset(pf, 0, sizeof *pf);
	pf->path = px_strdup(real, b->e);
	pf->display = px_strdup(sf->path, b->e);
	p->nfiles++;
	if (!pf->path || !pf->display)
		return NULL;
	pf->ident = sf->ident;
	pf->bytes_before = pf->bytes_after = sf->bytes;
	pf->lines_before = pf->lines_after = sf->lines;
	if (p->mode == RM_QUARANTINE) {
		struct action *a = recover_push(b, ACT_QUARANTINE_FILE, real, reason, (size_t)-1);
		if (!a || recover_plan_dest(b, a, real) != 0)
			return NULL;
	}
	return pf;
}

/* Room in a merged run holding `count` lines: RECOVER_RUN_START, then
 * doubled at each power of two. */
static size_t run_capacity(int64_t count)
{
	size_t c = RECOVER_RUN_START;
	while ((int64_t)c < count)
		c *= 2;
	return c;
}

/* In a merged plan, a drop of a later line of the same file for the same
 * reason, answering the next anomaly, extends the last action's run: the
 * line right after it (adjacent), or one with good lines between
 * (scattered damage: its gap recorded, so memory is a few bytes a line,
 * not an action).  The file's last line is never added to a scattered
 * run (a tail has its own handling).  Returns 1 when merged, 0 when not,
 * -1 when out of memory. */
static int recover_merge_drop(struct recover_build *b, struct action *last, const struct anomaly *an,
			      size_t ai, struct plan_file *pf)
{
	if (!b->p->merge || !last || last->kind != ACT_DROP_LINE || an->type != last->reason ||
	    (an->flags & (AF_TAIL_COMPLETE | AF_SALVAGE)) || strcmp(last->path, pf->path) != 0 ||
	    last->anomaly + last->n_anomalies != ai || an->length > (int64_t)UINT32_MAX ||
	    last->length > (int64_t)UINT32_MAX || last->count < 1)
		return 0;
	int64_t last_line = last->count > 1 ? b->run_line : last->line, last_end = last->offset + last->length + 1;
	int64_t skip = an->line - last_line - 1, gap = an->offset - last_end;
	int adjacent = skip == 0 && gap == 0;
	if (!adjacent && (skip < 0 || gap <= 0 || skip > (int64_t)UINT32_MAX || gap > (int64_t)UINT32_MAX))
		return 0;
	/* the apply takes a run reaching the end of the file as a tail, one
	 * range: only a run without gaps may */
	if ((!adjacent || last->gaps) && an->offset + an->length >= pf->bytes_before)
		return 0;
	size_t cap = run_capacity(last->count);
	if (last->count == 1) {
		if (!(last->lens = malloc(RECOVER_RUN_START * sizeof *last->lens)))
			return perr_setr(b->e, PX_IOERR, PR_NOMEM, "out of memory");
		last->lens[0] = (uint32_t)last->length;
	} else if ((size_t)last->count == cap) {
		uint32_t *nl = realloc(last->lens, cap * 2 * sizeof *nl);
		if (!nl)
			return perr_setr(b->e, PX_IOERR, PR_NOMEM, "out of memory");
		last->lens = nl;
		if (last->gaps) {
			uint32_t *ng = realloc(last->gaps, cap * 4 * sizeof *ng);
			if (!ng)
				return perr_setr(b->e, PX_IOERR, PR_NOMEM, "out of memory");
			last->gaps = ng;
		}
	}
	if (!adjacent && !last->gaps) {
		/* the first gap of this run: the lines so far were adjacent */
		size_t room = run_capacity(last->count + 1);
		if (!(last->gaps = calloc(room * 2, sizeof *last->gaps)))
			return perr_setr(b->e, PX_IOERR, PR_NOMEM, "out of memory");
	}
	if (last->gaps) {
		last->gaps[2 * last->count] = (uint32_t)skip;
		last->gaps[2 * last->count + 1] = (uint32_t)gap;
	}
	last->lens[last->count++] = (uint32_t)an->length;
	last->length = an->offset + an->length - last->offset;
	b->run_line = an->line;
	last->n_anomalies++;
	int64_t end = an->offset + an->length + 1;
	if (end > pf->bytes_before)
		end = pf->bytes_before;
	pf->bytes_after -= end - an->offset;
	pf->lines_after -= 1;
	return 1;
}

static int recover_line_action(struct recover_build *b, const struct anomaly *an, size_t ai,
			       const int *unreadable)
{
	int idx = recover_file_index(b->r, an->path);
	/* No file entry, no position, or a file we could not read to the end:
	 * nothing safe to do; the anomaly stays reported. */
	if (idx < 0 || unreadable[idx] || an->offset < 0 || an->length < 0)
		return 0;
	enum action_kind k = ACT_DROP_LINE;
	if (an->type == AN_TRUNCATED_LINE && (an->flags & AF_TAIL_COMPLETE))
		k = ACT_APPEND_NEWLINE;
	if (an->type == AN_CORRUPTED_LINE && an->salvage)
		k = ACT_SALVAGE;
	/* A truncated tail that is valid JSON but no object is reported twice
	 * (TRUNCATED_LINE and CORRUPTED_LINE, one after the other): one line,
	 * one action answering both. */
	struct action *last = b->p->n ? &b->p->v[b->p->n - 1] : NULL;
	const char *real = b->real && b->real[idx] ? b->real[idx] : an->path;
	/* the offset of the last line of the last action (of its run, merged) */
	int64_t last_off = last ? last->offset : -1;
	if (last && action_lines(last) > 1)
		last_off = last->offset + last->length - (int64_t)last->lens[last->count - 1];
	if (last && last->kind == k && last_off == an->offset && strcmp(last->path, real) == 0) {
		if (last->n_anomalies && last->anomaly + last->n_anomalies == ai)
			last->n_anomalies++;
		return 0;
	}
	struct plan_file *pf = recover_plan_file(b, (size_t)idx, an->type);
	if (!pf)
		return -1;
	if (recover_merge_drop(b, last, an, ai, pf) == 1)
		return 0;
	struct action *a = recover_push(b, k, pf->path, an->type, ai);
	if (!a)
		return -1;
	a->line = an->line;
	a->offset = an->offset;
	a->length = an->length;
	if (k == ACT_APPEND_NEWLINE) {
		pf->bytes_after += 1;
		return 0;
	}
	if (k == ACT_SALVAGE) {
		if (!(a->salvage = salvage_dup(an->salvage, b->e)))
			return -1;
		a->length = an->salvage->keep;
		pf->bytes_after += salvage_bytes_delta(an->salvage);
		pf->lines_after += an->salvage->records - 1;
		return 0;
	}
	a->count = 1;
	int64_t end = an->offset + an->length + 1;
	if (end > pf->bytes_before)
		end = pf->bytes_before;
	pf->bytes_after -= end - an->offset;
	pf->lines_after -= 1;
	return 0;
}

int plan_build_files(struct plan *p, const struct scan_report *r, char *const *real_paths,
		     enum recovery_mode mode, const char *quarantine_dir, perr *e)
{
	p->mode = mode;
	if (!p->epoch_ms)
		p->epoch_ms = fsutil_now_ms();
	if (mode == RM_IGNORE)
		return 0;
	struct recover_build b = {.p = p, .r = r, .real = real_paths, .qdirfd = -1, .e = e};
	if (mode == RM_QUARANTINE) {
		/* checked now, created only when the plan is applied: a plan that
		 * is shown and cancelled leaves no trace */
		if (fsutil_quarantine_dir_check(quarantine_dir, 0, e) != 0)
			return -1;
		free(p->quarantine_dir);
		p->quarantine_dir = px_strdup(quarantine_dir, e);
		if (!p->quarantine_dir)
			return -1;
		struct stat qst;
		if (lstat(quarantine_dir, &qst) == 0 &&
		    (b.qdirfd = fsutil_open_dir(quarantine_dir, 1, e)) < 0)
			return -1;
	}
	int *unreadable = calloc(r->n_files ? r->n_files : 1, sizeof *unreadable);
	if (!unreadable) {
		if (b.qdirfd >= 0)
			close(b.qdirfd);
		return perr_set(e, PX_IOERR, "out of memory");
	}
	struct scan_iter it;
	const struct anomaly *an;
	scan_iter_init(&it, r);
	while ((an = scan_iter_next(&it))) {
		int idx = an->type == AN_PARTIAL_WRITE ? recover_file_index(r, an->path) : -1;
		if (idx >= 0)
			unreadable[idx] = 1;
	}
	scan_iter_free(&it);
	int rc = 0;
	scan_iter_init(&it, r);
	for (size_t i = 0; rc == 0 && (an = scan_iter_next(&it)); i++) {
		enum action_kind k = anomaly_type_action(an->type, mode == RM_QUARANTINE);
		if (k == ACT_DROP_LINE) {
			rc = recover_line_action(&b, an, i, unreadable);
		} else if (an->type == AN_UNEXPECTED_FILE && (an->flags & AF_COMPACT_INTENT)) {
			/* a rotating compaction's intent record: the next run finishes it */
			rc = recover_push(&b, ACT_FINISH_COMPACTION, an->path, an->type, i) ? 0 : -1;
		} else if (an->type == AN_UNEXPECTED_FILE && (an->flags & AF_KEPT_FILE)) {
			/* a replaced file a process kept writing: drained, never removed unread */
			char *real = recover_real_path(&b, an->path);
			rc = real && recover_push(&b, ACT_DRAIN_KEPT, real, an->type, i) ? 0 : -1;
			free(real);
		} else if ((k == ACT_REMOVE_TEMP && (an->flags & AF_TEMP_FILE)) || k == ACT_MOVE_ORPHAN) {
			/* someone else's file is never removed: only our own temp files */
			char *real = recover_real_path(&b, an->path);
			struct action *a = real ? recover_push(&b, k, real, an->type, i) : NULL;
			rc = !a || (k == ACT_MOVE_ORPHAN && recover_plan_dest(&b, a, real) != 0) ? -1 : 0;
			free(real);
		}
	}
	if (rc == 0 && it.failed)
		rc = perr_set(e, PX_IOERR, "cannot read back the anomalies for the plan");
	scan_iter_free(&it);
	free(unreadable);
	free(b.taken);
	if (b.qdirfd >= 0)
		close(b.qdirfd);
	return rc;
}
