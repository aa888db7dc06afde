/* console --batch --follow: the headless watchdog (issue 11).  After the
 * triage summary of --batch, the store is followed (core/follow.h): one
 * line per new anomaly as it appears, until SIGINT/SIGTERM or --duration
 * seconds; the exit code is then the gate's for the store as it is
 * (fail_on_anomaly: 1 when anomalies exist, ignore: 0). */
#include "console_follow.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "follow.h"
#include "gate.h"

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void print_one(struct cli *c, const struct anomaly *a)
{
	if (a->id)
		cli_say(c, c->out, TONE_ERR, "New anomaly: %s: %s %s (%s)", anomaly_type_name(a->type), a->path, a->id,
			a->detail);
	else
		cli_say(c, c->out, TONE_ERR, "New anomaly: %s: %s (%s)", anomaly_type_name(a->type), a->path, a->detail);
	fflush(c->out);
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull; /* FNV-1a */
	return h;
}

/* An anomaly's identity across two scans, hashed: for a file, its inode
 * (a rotation renames it, the inode stays) and place; for a stream, the
 * key and id. */
static uint64_t anomaly_key(const struct scan_report *r, const struct anomaly *a)
{
	uint64_t h = 14695981039346656037ull;
	const struct file_ident *id = NULL;
	for (size_t i = 0; i < r->n_files && !id; i++)
		if (r->files[i].ident.exists && strcmp(r->files[i].path, a->path) == 0)
			id = &r->files[i].ident;
	if (id) {
		h = mix(h, &id->dev, sizeof id->dev);
		h = mix(h, &id->ino, sizeof id->ino);
	} else {
		h = mix(h, a->path, strlen(a->path) + 1);
	}
	h = mix(h, &a->type, sizeof a->type);
	h = mix(h, &a->line, sizeof a->line);
	h = mix(h, &a->offset, sizeof a->offset);
	h = mix(h, a->detail, strlen(a->detail) + 1);
	return a->id ? mix(h, a->id, strlen(a->id) + 1) : h;
}

/* After a new scan: the anomalies the old report did not have (a hash
 * set of the old ones: any number of anomalies in linear time). */
static void print_new(struct cli *c, const struct scan_report *old, const struct scan_report *now)
{
	size_t cap = 64;
	while (cap < 2 * old->n_mem)
		cap *= 2;
	uint64_t *set = calloc(cap, sizeof *set);
	for (size_t k = 0; set && k < old->n_mem; k++) {
		uint64_t h = anomaly_key(old, &old->an[k]) | 1; /* 0 marks a free slot */
		size_t j = (size_t)h & (cap - 1);
		while (set[j] && set[j] != h)
			j = (j + 1) & (cap - 1);
		set[j] = h;
	}
	for (size_t i = 0; i < now->n_mem; i++) {
		uint64_t h = anomaly_key(now, &now->an[i]) | 1;
		size_t j = (size_t)h & (cap - 1);
		while (set && set[j] && set[j] != h)
			j = (j + 1) & (cap - 1);
		if (!set || !set[j])
			print_one(c, &now->an[i]);
	}
	free(set);
}

static int scan_all(struct backend *b, struct scan_report *r, perr *e)
{
	struct scan_opts o = { .sample_size = b->cfg->scan_sample_size };
	scan_report_init(r);
	return b->ops->scan(b, &o, NULL, r, e);
}

int console_batch_follow(struct cli *c)
{
	const char *ms = cli_get(c, "--mode");
	int ignore = ms && strcasecmp(ms, "ignore") == 0;
	if (ms && !ignore && strcasecmp(ms, "fail_on_anomaly") != 0)
		return cli_usage_error(c, "--follow: --mode %s cannot be followed (fail_on_anomaly or ignore)", ms);
	double duration = 0;
	int has_duration = 0;
	if (cli_get_double(c, "--duration", &has_duration, &duration) < 0)
		return PX_USAGE;
	if (has_duration && !(duration > 0))
		return cli_usage_error(c, "--duration: must be more than 0 seconds");
	int rc = gate_run(c, GATE_BATCH);
	if (rc != 0 && rc != 1)
		return rc; /* the store could not be read: nothing to follow */
	struct backend *b = NULL;
	if ((rc = cli_open_backend(c, &b)) != 0)
		return rc;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	perr e = { 0 };
	struct scan_report r;
	struct follow *f = NULL;
	if (scan_all(b, &r, &e) < 0 || follow_open(&f, b, &r, NULL, NULL, NULL, &e) < 0) {
		rc = cli_fail(c, &e);
		goto out;
	}
	cli_say(c, c->out, TONE_INFO, "Following %s%s (Ctrl-C stops)", b->location,
		has_duration ? " for the time given" : "");
	fflush(c->out);
	double t0 = backend_clock_ms();
	for (;;) {
		double now = backend_clock_ms();
		double left = has_duration ? duration * 1e3 - (now - t0) : 1e9;
		if (stop_flag || left <= 0)
			break;
		int wait = follow_due_ms(f, now);
		if (wait > left)
			wait = (int)left + 1;
		struct pollfd p = { .fd = follow_fd(f), .events = POLLIN };
		if (wait > 0 && poll(&p, p.fd >= 0 ? 1 : 0, wait) > 0)
			follow_drain(f);
		if (stop_flag)
			break;
		now = backend_clock_ms();
		size_t before = r.n_an;
		struct follow_result res;
		if (follow_check(f, now, &res, &e) < 0) {
			rc = cli_fail(c, &e);
			goto out;
		}
		if (res.what == FW_GREW) {
			for (size_t i = before; i < r.n_mem; i++)
				print_one(c, &r.an[i]);
		} else if (res.what == FW_RESCAN) {
			if (res.identity && res.banner[0]) {
				cli_say(c, c->out, TONE_INFO, "%s", res.banner);
				fflush(c->out);
			}
			struct scan_report now_r;
			follow_close(f);
			f = NULL;
			if (scan_all(b, &now_r, &e) < 0) {
				scan_report_free(&now_r);
				rc = cli_fail(c, &e);
				goto out;
			}
			print_new(c, &r, &now_r);
			scan_report_free(&r);
			r = now_r;
			if (follow_open(&f, b, &r, NULL, NULL, NULL, &e) < 0) {
				rc = cli_fail(c, &e);
				goto out;
			}
		}
	}
	rc = r.n_an && !ignore ? 1 : 0;
	cli_say(c, c->out, rc ? TONE_ERR : TONE_INFO, "Stopped following: %zu anomal%s in the store%s", r.n_an,
		r.n_an == 1 ? "y" : "ies", ignore && r.n_an ? " (ignored)" : "");
out:
	follow_close(f);
	scan_report_free(&r);
	backend_close(b);
	return rc;
}
