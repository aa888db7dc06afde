/* Private to rotating compaction: rotating_compact.c plans and writes the
 * new files (scanner passes), rotating_install.c switches them into place
 * while the application may append and rotate, and finishes a compaction
 * that was interrupted. */
#ifndef PAPYRA_ROTATING_COMPACT_INT_H
#define PAPYRA_ROTATING_COMPACT_INT_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "common.h"
#include "live.h"
#include "retention.h"
#include "scan.h"

enum rc_pass { RC_COUNT, RC_PLAN, RC_WRITE };

/* An existing member, open and locked for the whole operation. */
struct rc_member {
	int64_t index;
	const char *path; /* borrowed from the set listing */
	int fd;
	struct stat st;
	struct file_ident id;
	int64_t limit;    /* the bytes compacted; what is appended beyond is caught up */
	int64_t growth;   /* index of the target that receives what is appended */
	struct live_copy *lc;
};

/* One file of the new layout; targets[i] has index i (0 = P). */
struct rc_target {
	char *path;
	char *tmp, *tmp_shown;
	struct rc_member *old; /* the member now at this index, or NULL */
	int created, installed;
	int moves_newer;       /* some kept lines of `old` go to a lower index */
	int growth_in;         /* receives appended lines: its temp stays open in fd */
	int fd;
	int64_t written;
	dev_t dev;             /* the temp's identity, once written */
	ino_t ino;
};

/* Consecutive kept lines from one member into one chunk. */
struct rc_run {
	size_t member; /* position in reading order */
	int64_t ord;   /* chunk ordinal, oldest first */
};

struct rc {
	struct retview rv; /* what the policy keeps */
	int64_t max_bytes, max_files;
	struct rc_member *m;
	size_t nm;
	char *dir;
	const char *base;  /* P's base name */
	int dirfd;
	enum rc_pass pass;
	size_t cur; /* member being scanned */
	/* totals of the count pass */
	int64_t lines;
	size_t last_member;
	int64_t last_offset;
	/* chunking, reset each pass */
	int64_t ord, chunk_bytes, chunk_lines;
	/* results of the plan pass */
	int64_t kept_lines, kept_records, out_bytes;
	int added_newline;
	struct rc_run *runs;
	size_t nruns, capruns;
	struct rc_target *t;
	int64_t nt;
	/* writing */
	struct rc_target *out;
	int outfd;
	char *buf;
	size_t nbuf;
	int failed;
	/* switching */
	int applied;          /* a member was replaced: the set has changed */
	int64_t caught_up, caught_up_records, caught_up_bytes;
	char lease_note[160];
	perr *e;
};

/* The intent record: ".<P>" RC_INTENT_SUFFIX, at most RC_INTENT_MAX bytes
 * (two short lines per file of the set), first line RC_INTENT_MAGIC. */
#define RC_INTENT_MAX (1 << 20)
#define RC_INTENT_SUFFIX ".papyra-compact"
#define RC_INTENT_MAGIC "papyra-compact 1"

/* Whether `name` in dirfd is the file (dev, ino). */
static inline int rc_is(int dirfd, const char *name, dev_t dev, ino_t ino)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == dev &&
	       st.st_ino == ino;
}

/* Whether the member is still, at its name, the file locked and read. */
int rc_still_same(const struct rc *c, const struct rc_member *m);

/* Switch the written temps into place (rotating_install.c): catch up what
 * was appended, lease every member, check the layout, write the intent
 * record, install in an order that never hides a kept record, drain,
 * remove the old files and the intent.  Returns 0, 1 when the set rotated
 * before anything changed (plan again), or -1 (c->applied says whether the
 * set had changed by then). */
int rc_commit(struct rc *c);

/* Finish a compaction of the set in `dir` (fd `dirfd`) whose intent record
 * `.<base>.papyra-compact` exists: install what is not installed yet,
 * catch up and remove the old files, remove the record.  Returns 0 (also
 * when there is no record), or -1 with e saying what is left. */
int rc_finish(int dirfd, const char *dir, const char *base, char *buf, size_t bufsize, perr *e);

#endif
