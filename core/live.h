/* Putting a rewritten data file in place while the application appends to
 * it (SPEC §4, "the store is live").
 *
 * Papyra's writers take no lock: for every record they open the file with
 * O_APPEND, write, close.  A recovery or compaction writes the new content
 * of a file F into a temp file T, from the bytes of F it planned with.  To
 * switch without losing a line, live_commit:
 *
 *   1. catches up: copies to T the bytes appended to F since (a planned
 *      action on F's last line is decided here, see struct live_tail), and
 *      repeats while they keep coming in quantity;
 *   2. takes a read lease on F (fcntl F_SETLEASE F_RDLCK): the kernel grants
 *      it only while no process has F open for writing, and while it is held
 *      any open of F for writing waits.  So no writer is half-way through a
 *      record, and none can start one;
 *   3. copies the last appended bytes, syncs T, takes a write lease on T
 *      (writers that open the new file wait too, which keeps the order of
 *      records), and calls the caller's swap (a rename, or an exchange that
 *      checks what it swapped out);
 *   4. releases F.  A writer that was waiting had already resolved the name
 *      to F, so it now appends there: the drain takes the lease on F again
 *      and copies whatever reached it, until the lease is granted with
 *      nothing new and no opener shows up for LIVE_GRACE_MS;
 *   5. syncs T, releases T, and runs the caller's `after` (directory sync).
 *
 * A writer that keeps F open for longer than LIVE_LEASE_WAIT_MS (an
 * application holding its descriptor) makes step 2 fail: nothing has
 * changed, PX_IOERR says why.  One that opened F while the lease was held
 * and then holds it past the drain's LIVE_LEASE_WAIT_MS makes step 4 fail
 * after the change: the caller's `keep` then keeps F under a kept name
 * (kept.h) with the offset drained so far, for the next recovery.  Where leases do not work (a filesystem
 * without them, or a file we neither own nor have CAP_LEASE for), steps 2
 * and 3 go without them and the drain runs until F has been quiet for
 * LIVE_QUIET_MS, copying whole lines only; `c->lease_note` then says so.
 *
 * Lease breaks are signalled with SIGURG (F_SETSIG), whose default action
 * is to ignore it; no handler is ever installed: the code polls
 * F_GETLEASE instead. */
#ifndef PAPYRA_LIVE_H
#define PAPYRA_LIVE_H

#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "jsonv.h"

/* How long to wait for an instant when no writer holds the file open.  A
 * Papyra writer holds it well under a millisecond per record; two seconds
 * without one such instant means a descriptor held open. */
#define LIVE_LEASE_WAIT_MS 2000
/* After the drain found nothing new: how long no opener may show up. */
#define LIVE_GRACE_MS 5
/* Without leases: how long the replaced file must stay unchanged. */
#define LIVE_QUIET_MS 100
/* Catch-up rounds before the lease while each still copies this much. */
#define LIVE_SMALL_DELTA (64 * 1024)
#define LIVE_MAX_ROUNDS 16
/* Swaps retried after a rotation moved the file between look-up and swap. */
#define LIVE_MAX_SWAPS 8

enum live_tail_kind {
	LIVE_TAIL_NONE = 0,
	LIVE_TAIL_DROP,    /* the planned last line [start, end) is a torn fragment to drop */
	LIVE_TAIL_NEWLINE, /* the planned last line [start, end) is a complete record without "\n" */
};

/* A planned action on the line that was last (unterminated) when scanned.
 * A writer may have been half-way through it, or have appended after it:
 * DROP drops exactly the planned bytes [start, end) (and a "\n" right after
 * them), unless together with what followed they now form a valid record
 * (the writer completed it), which is kept whole; NEWLINE puts a "\n" right
 * after the record, before anything appended. */
struct live_tail {
	enum live_tail_kind kind;
	int64_t start, end;
	int resolved;
	int completed; /* DROP not applied: the writer completed the line */
};

struct live_copy {
	int src;               /* the file being replaced, read-only */
	const char *src_shown;
	int out;               /* the new file, open for writing */
	const char *out_shown;
	int64_t done;          /* bytes of src already accounted for in out */
	struct live_tail tail;
	char *buf;             /* caller's copy buffer */
	size_t bufsize;
	/* what came after the plan */
	int64_t lines, invalid, bytes;
	int committed;         /* the swap may have happened: the change is applied */
	int no_lease;          /* leases unavailable: the weaker drain was used */
	char lease_note[160];  /* why, when no_lease */
	/* private */
	int in_line, leased, out_leased;
	struct jsonv v;
	perr *e;
};

/* The switch itself, provided by the caller. */
struct live_switch {
	/* Put the new file in place (`done`: the bytes of src in the new
	 * file, nobody appending meanwhile): 0 done, 1 nothing changed and worth
	 * retrying (the file moved), -1 failed with nothing changed.  Must set
	 * *maybe to 1 once a change may have happened (even when it then
	 * fails). */
	int (*swap)(void *ctx, int64_t done, int *maybe, perr *e);
	/* After the switch and the drain (directory sync, removals); a failure
	 * here is reported as "applied, but". May be NULL. */
	int (*after)(void *ctx, perr *e);
	/* When the drain failed after the switch (a writer held src open for
	 * too long): keep src, whose bytes from `offset` on are not in the new
	 * file, where no cleanup removes it (kept.h), amending e's message.
	 * May be NULL. */
	void (*keep)(void *ctx, int64_t offset, perr *e);
	void *ctx;
};

/* Prepare c (zeroes the private part); src/out/buf set by the caller. */
void live_init(struct live_copy *c, int src, const char *src_shown, int out, const char *out_shown,
	       char *buf, size_t bufsize, perr *e);

/* Copy the bytes of src from c->done to its current end into out.
 * `final`: nobody can be writing src (the lease is held), so a torn tail is
 * settled now.  Returns the bytes written, or -1. */
int64_t live_catch_up(struct live_copy *c, int final);

/* Steps 1-5 above.  Returns 0, or -1 with c->committed telling whether the
 * change was applied before the failure. */
int live_commit(struct live_copy *c, const struct live_switch *sw);

/* The steps one by one, for a switch of several files at once (rotating
 * compaction): the read lease on c->src (step 2; waits, catching up, up to
 * LIVE_LEASE_WAIT_MS; sets c->no_lease where leases do not work), its
 * release, the write lease on c->out (step 3; 1 when held), the drain
 * (step 4; c->committed must be set).  Each returns 0 or -1 (e set). */
int live_lease_src(struct live_copy *c);
void live_release_src(struct live_copy *c);
int live_lease_out(struct live_copy *c);
void live_release_out(struct live_copy *c);
int live_drain(struct live_copy *c);
/* Whether a process is waiting to open c->src for writing (the lease taken
 * by live_lease_src is being broken): a writer parked in open(), which
 * cannot rotate the set meanwhile. */
int live_src_waited_on(const struct live_copy *c);

/* What a rewrite of a file the application appends to plans with: the
 * bytes up to the last "\n" at or before `size`, and an unterminated last
 * line too when it is a complete record; what lies beyond (a writer
 * half-way through a record) is caught up, not planned.  Sets *end. */
int live_planned_end(int fd, const char *shown, int64_t size, char *buf, size_t bufsize,
		     int64_t *end, perr *e);


#endif

/* ---- a ready-made swap: the new file takes the old one's name ------------ */

/* Where the replaced file may be: its own name, and for a member of a
 * rotating set every name of the set (a rotation may have renamed it since
 * it was opened).  live_names_swap exchanges the temp with the name that
 * holds the replaced inode (renameat2 RENAME_EXCHANGE) and checks what came
 * out is that inode; when a rotation got in between it swaps back and asks
 * for a retry.  Where exchanging is unsupported it renames over the name
 * just checked.  Just before the swap it links the replaced file under
 * the kept name of `keep_as` (NULL: names[0]) with the offset `done`
 * (kept.h), so that a run killed from then on leaves it where no cleanup
 * removes it unread.  live_names_after removes the replaced file (that
 * link, then the temp name) and syncs the directory; live_names_keep (the
 * `keep` of live_switch) renames the link to the offset drained.  `on_swap` (may be NULL) is called
 * as soon as the change may be in place. */
struct live_names {
	int dirfd;
	const char *dir;          /* as shown */
	const char *tmp;          /* base name of the new file */
	char *const *names;       /* candidate base names, the planned one first */
	size_t n;
	dev_t dev;                /* the replaced file */
	ino_t ino;
	dev_t tdev;               /* the new file */
	ino_t tino;
	const char *shown;        /* the replaced file, for messages */
	const char *keep_as;      /* data file a kept replaced file drains into (NULL: names[0]) */
	void (*on_swap)(void *ctx);
	void *ctx;
	/* out */
	int exchanged;            /* the replaced file is now at `tmp` */
	size_t at;                /* index in names of where the new file went */
	char kept[256];           /* private: the kept link of the replaced file ("" none) */
};
int live_names_swap(void *ctx, int64_t done, int *maybe, perr *e);
/* keep_as, or names[0] */
const char *live_names_base(const struct live_names *s);
int live_names_after(void *ctx, perr *e);
void live_names_keep(void *ctx, int64_t offset, perr *e);
