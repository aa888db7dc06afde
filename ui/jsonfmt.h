/* Turning stored bytes into what the console shows: record decoding for
 * rows (through core/record.h), the pretty-printer of the detail pane,
 * address and string display forms, and timestamps in the three time
 * modes.  Numbers are never rounded: they are shown as stored. */
#ifndef PAPYRA_UI_JSONFMT_H
#define PAPYRA_UI_JSONFMT_H

#include <stddef.h>

#include "record.h"

enum time_mode { TM_EPOCH = 0, TM_UTC, TM_LOCAL, TM__COUNT };
const char *time_mode_name(enum time_mode m); /* "epoch", "UTC", "local" */

/* Decoded JSON string of the raw span p[0..n) (with quotes), or the raw
 * text when it is not a string. */
void jf_string(const char *p, size_t n, char *out, size_t cap);
/* Address display form (system:actor_id) of a raw address value. */
void jf_address(const char *p, size_t n, char *out, size_t cap);

/* No timestamp member at all (record.ts_kind; core's enum starts at 1). */
#define REC_TS_NONE ((enum rec_ts)0)

/* Decode one line read back from the file into `r` (see record_decode).
 * Returns the status; REC_SKIP_INVALID for anything that is not a
 * listable record.  Unlike record_decode, a record without a timestamp
 * decodes (REC_OK, ts_kind REC_TS_NONE, ts_raw.p NULL): the console lists
 * it.  The time fields are reset first, whatever the outcome.  Uses a
 * validator kept between calls. */
enum rec_status jf_decode(struct record *r, const char *bytes, size_t n);
/* Release what jf_decode keeps between calls. */
void jf_release(void);

/* Pretty-print valid JSON p[0..n): objects and arrays opened one member
 * per line, indented by depth; strings and numbers exactly as stored.
 * `emit` is called per output line.  Returns 0, or -1 when out of memory. */
int jf_pretty(const char *p, size_t n,
	      void (*emit)(void *ctx, int depth, const char *s, size_t len), void *ctx);

/* Timestamp for display.  `raw` is the stored text (epoch mode shows it
 * verbatim); `ts` its value, NaN when not a number. */
void jf_time(char *out, size_t cap, enum time_mode mode, double ts, const char *raw, size_t rawlen);

#endif
