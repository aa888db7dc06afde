/* Recovery plans for the file backends: names, life cycle, and building a
 * plan from a scan report (nothing is touched; recover_apply.c applies). */
#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

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

const char *action_kind_name(enum action_kind k)
{
	static const char *const names[] = {
#define X(id, name) name,
		ACTION_KINDS(X)
#undef X
	};
	return (unsigned)k < ACT__COUNT ? names[k] : "?";
}

void plan_init(struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->epoch_ms = fsutil_now_ms();
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].to);
		free(p->v[i].id);
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

void apply_result_free(struct apply_result *r)
{
	for (size_t i = 0; i < r->n_repaired; i++)
		free(r->repaired[i]);
	for (size_t i = 0; i < r->n_quarantined; i++)
		free(r->quarantined[i]);
	free(r->repaired);
	free(r->quarantined);
	free(r->applied);
	memset(r, 0, sizeof *r);
}

int apply_result_track(struct apply_result *r, size_t n, perr *e)
{
	free(r->applied);
	r->n_actions = r->n_applied = 0;
	if (!(r->applied = calloc(n ? n : 1, 1)))
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

struct recover_build {
	struct plan *p;
	const struct scan_report *r;
	char *const *real;
	int qdirfd;
	char **taken; /* quarantine destinations planned so far (aliases of action.to) */
	size_t ntaken, captaken;
	perr *e;
};

static struct action *recover_push(struct recover_build *b, enum action_kind k,
				   const char *path, enum anomaly_type reason)
{
	struct plan *p = b->p;
	if (px_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v, b->e) != 0)
		return NULL;
	struct action *a = &p->v[p->n];
	memset(a, 0, sizeof *a);
	a->kind = k;
	a->offset = a->length = -1;
	a->reason = reason;
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
	if (px_grow(&p->files, &p->capfiles, p->nfiles + 1, sizeof *p->files, b->e) != 0)
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
		struct action *a = recover_push(b, ACT_QUARANTINE_FILE, real, reason);
		if (!a || recover_plan_dest(b, a, real) != 0)
			return NULL;
	}
	return pf;
}

static int recover_line_action(struct recover_build *b, const struct anomaly *an,
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
	/* A truncated tail that is valid JSON but no object is reported twice
	 * (TRUNCATED_LINE and CORRUPTED_LINE): one line, one action. */
	const struct action *last = b->p->n ? &b->p->v[b->p->n - 1] : NULL;
	if (last && last->kind == k && last->offset == an->offset &&
	    strcmp(last->path, b->real && b->real[idx] ? b->real[idx] : an->path) == 0)
		return 0;
	struct plan_file *pf = recover_plan_file(b, (size_t)idx, an->type);
	if (!pf)
		return -1;
	struct action *a = recover_push(b, k, pf->path, an->type);
	if (!a)
		return -1;
	a->line = an->line;
	a->offset = an->offset;
	a->length = an->length;
	if (k == ACT_APPEND_NEWLINE) {
		pf->bytes_after += 1;
		return 0;
	}
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
	for (size_t i = 0; i < r->n_an; i++) {
		int idx = r->an[i].type == AN_PARTIAL_WRITE ? recover_file_index(r, r->an[i].path) : -1;
		if (idx >= 0)
			unreadable[idx] = 1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < r->n_an; i++) {
		const struct anomaly *an = &r->an[i];
		switch (an->type) {
		case AN_CORRUPTED_LINE:
		case AN_TRUNCATED_LINE:
			rc = recover_line_action(&b, an, unreadable);
			break;
		case AN_UNEXPECTED_FILE:
		case AN_ORPHANED_ROTATED_FILE: {
			if (an->type == AN_UNEXPECTED_FILE && (an->flags & AF_COMPACT_INTENT)) {
				rc = recover_push(&b, ACT_FINISH_COMPACTION, an->path, an->type) ? 0 : -1;
				break;
			}
			int temp = an->type == AN_UNEXPECTED_FILE && (an->flags & AF_TEMP_FILE);
			if (!temp && (an->type != AN_ORPHANED_ROTATED_FILE || mode != RM_QUARANTINE))
				break;
			char *real = recover_real_path(&b, an->path);
			struct action *a = real ? recover_push(&b, temp ? ACT_REMOVE_TEMP : ACT_MOVE_ORPHAN,
							       real, an->type) : NULL;
			rc = !a || (!temp && recover_plan_dest(&b, a, real) != 0) ? -1 : 0;
			free(real);
			break;
		}
		default: /* PARTIAL_WRITE, SCHEMA_MISMATCH: reported, never acted on */
			break;
		}
	}
	free(unreadable);
	free(b.taken);
	if (b.qdirfd >= 0)
		close(b.qdirfd);
	return rc;
}
