/* Following a live store (SPEC §3, §7; issue 11): after a whole scan,
 * notice what another process adds, scan only that, with the very rules
 * of a whole scan, into the same report and sink; and tell a change of
 * identity (rotation, truncation, replacement, a deleted stream) so the
 * caller scans again.
 *
 * Built on the backend seam (backend.h: position / since).  For files, the
 * active file (the single file, or the rotating set's P) grows in place:
 * what is appended is scanned from where the scan stopped
 * (scan_ndjson_continue).  A last line without "\n" is left unscanned as
 * "being written" until it stays unchanged for FOLLOW_WRITTEN_MS; then it
 * is scanned (TRUNCATED_LINE), and taken back if it goes on after all.
 * New Redis entries (a stream's newest id newer, nothing deleted: XINFO
 * STREAM entries-added) are scanned from after the last entry scanned
 * (backend scan_since), whole scans with a sample size excepted; anything
 * that is not an append asks for a new scan (FW_RESCAN).  Linux: inotify on the store's directory wakes the
 * caller; a stat poll each FOLLOW_POLL_MS stays as the fallback (alone
 * elsewhere, or with PAPYRA_FOLLOW_POLL=1 in the environment). */
#ifndef PAPYRA_FOLLOW_H
#define PAPYRA_FOLLOW_H

#include "backend.h"

/* An unterminated last line unchanged this long becomes TRUNCATED_LINE. */
#define FOLLOW_WRITTEN_MS 2000
/* Poll interval without inotify (and for Redis streams). */
#define FOLLOW_POLL_MS 250
/* With inotify: a poll this often anyway (a file system without events). */
#define FOLLOW_SAFETY_MS 1000
/* Bytes scanned per check: a large append is taken in slices. */
#define FOLLOW_SLICE_BYTES (8 << 20)
/* Redis entries scanned per check, likewise. */
#define FOLLOW_SLICE_ENTRIES 20000

enum follow_what {
	FW_SAME,   /* nothing new (or only a line still being written) */
	FW_GREW,   /* new lines went to the sink (and the report) */
	FW_RESCAN, /* not an append: scan the store again, then follow_open again */
};

struct follow_result {
	enum follow_what what;
	int identity;      /* FW_RESCAN: a rotation, truncation, replacement or deletion (else new data) */
	char banner[320];  /* FW_RESCAN: what happened, for people */
};

struct follow;

/* Start following the store of `b` whose whole scan just filled `r` (with
 * `sink`; both must outlive the follower).  `drop`, when a tail line
 * scanned as TRUNCATED_LINE goes on after all, is called first to take
 * that last line back from the caller's index (the report is fixed here).
 * Returns 0, or -1 (e). */
int follow_open(struct follow **out, struct backend *b, struct scan_report *r,
		const struct scan_sink *sink, void (*drop)(void *ctx), void *drop_ctx, perr *e);
void follow_close(struct follow *f);

/* Look now (cheap when nothing changed).  Returns 0 with *res filled, or
 * -1 (e: the store went away, PX_UNAVAILABLE for Redis). */
int follow_check(struct follow *f, double now_ms, struct follow_result *res, perr *e);

/* A descriptor that becomes readable when the store may have changed
 * (inotify), or -1; follow_drain empties it. */
int follow_fd(const struct follow *f);
void follow_drain(struct follow *f);
/* Milliseconds until the next check is due (0: now: a slice remains). */
int follow_due_ms(const struct follow *f, double now_ms);
/* Bytes of the last line being written (not yet scanned), or 0. */
int64_t follow_pending(const struct follow *f);

#endif
