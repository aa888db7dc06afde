/* The console's one key table (like tig's request.h): the request enum,
 * dispatch, the help screen and the man page's key section all come from
 * KEY_TABLE, so they cannot disagree.
 *
 * Columns: request id, section, the keys as shown to people, up to three
 * key codes (SK_NONE when unused), and what the request does. */
#ifndef PAPYRA_UI_KEYS_H
#define PAPYRA_UI_KEYS_H

#include <stdio.h>

/* Key codes: Unicode code points for ordinary keys, and these for the rest
 * (above the Unicode range so they never collide). */
enum {
	SK_NONE = -1,
	SK_BASE = 0x110000,
	SK_UP, SK_DOWN, SK_LEFT, SK_RIGHT, SK_PGUP, SK_PGDN, SK_HOME, SK_END,
	SK_ENTER, SK_ESC, SK_TAB, SK_BTAB, SK_BACKSPACE, SK_DELETE, SK_RESIZE,
	SK_TIMEOUT, /* no key within the poll interval */
	SK_EOF,     /* the terminal went away or the test script ended */
	SK_DUMP,    /* test pseudo-key: dump the virtual screen */
	SK_MIDDUMP, /* test pseudo-key (middump): dump it at the next look for Esc during a long
		     * operation (a search, a scan of the fleet); read as a key: as dump */
	SK_APPEND,  /* test pseudo-key: append bytes to a file (screen.c does it) */
	SK_SHELL,   /* test pseudo-key: run a shell command (sh:CMD) */
	SK_LATER,
	SK_SLICE,   /* test pseudo-key: one slice of a filter being applied (slice) */
	SK_WAKE,    /* the store may have changed (screen_getkey_fd) */   /* test pseudo-key: the console's clock jumps ahead (later:MS) */
};

#define KEY_TABLE(X) \
	X(VIEW_NEXT, "Views", "Tab", SK_TAB, SK_NONE, SK_NONE, "next view") \
	X(VIEW_PREV, "Views", "Shift-Tab", SK_BTAB, SK_NONE, SK_NONE, "previous view") \
	X(VIEW_EVENTS, "Views", "1", '1', SK_NONE, SK_NONE, "Events: lifecycle events, newest last") \
	X(VIEW_AUDITS, "Views", "2", '2', SK_NONE, SK_NONE, "Audits, with the actor and dead-letter trend chart") \
	X(VIEW_DEAD, "Views", "3", '3', SK_NONE, SK_NONE, "Dead letters, grouped by target and message type") \
	X(VIEW_ANOMALIES, "Views", "4", '4', SK_NONE, SK_NONE, "Anomalies found by the scanner (what `persistence scan` reports)") \
	X(VIEW_FILES, "Views", "5", '5', SK_NONE, SK_NONE, "Files: size, lines, records and anomalies per file") \
	X(VIEW_RAW, "Views", "6", '6', SK_NONE, SK_NONE, "Raw: every line in storage order, damaged lines marked") \
	X(VIEW_TIMELINE, "Views", "7", '7', SK_NONE, SK_NONE, "Timeline: events per time bucket, crashes marked") \
	X(JOURNAL, "Views", "J", 'J', SK_NONE, SK_NONE, "Journal: recoveries and compactions applied, newest first") \
	X(SYSTEMS, "Views", "S", 'S', SK_NONE, SK_NONE, "Systems of a fleet (--system-id a pattern): Enter opens one, r scans all again") \
	X(HELP, "Views", "?, F1", '?', SK_NONE, SK_NONE, "this help") \
	X(DOWN, "Moving", "j, Down", 'j', SK_DOWN, SK_NONE, "next row") \
	X(UP, "Moving", "k, Up", 'k', SK_UP, SK_NONE, "previous row") \
	X(PAGE_DOWN, "Moving", "PgDn, Space", SK_PGDN, ' ', SK_NONE, "next page") \
	X(PAGE_UP, "Moving", "PgUp, b", SK_PGUP, 'b', SK_NONE, "previous page") \
	X(FIRST, "Moving", "g, Home", 'g', SK_HOME, SK_NONE, "first row") \
	X(LAST, "Moving", "G, End", 'G', SK_END, SK_NONE, "last row") \
	X(ENTER, "Moving", "Enter", SK_ENTER, SK_NONE, SK_NONE, "open the detail pane; on an anomaly, jump to its line in Raw; on a journal entry, show what it did") \
	X(BACK, "Moving", "Esc, Left, h", SK_ESC, SK_LEFT, 'h', "close the detail pane or help") \
	X(ANOMALY_NEXT, "Moving", "e", 'e', SK_NONE, SK_NONE, "next anomaly (from any list: opens it in Raw)") \
	X(ANOMALY_PREV, "Moving", "E", 'E', SK_NONE, SK_NONE, "previous anomaly") \
	X(JOURNAL_FILE, "Moving", "o", 'o', SK_NONE, SK_NONE, "on a journal entry (J, or its detail): its file in Raw, at the first dropped line") \
	X(SEARCH, "Finding", "/", '/', SK_NONE, SK_NONE, "search forward: a regular expression (POSIX extended, case-insensitive) in the raw line and the columns shown; matches highlighted; empty clears") \
	X(SEARCH_NEXT, "Finding", "n", 'n', SK_NONE, SK_NONE, "next match") \
	X(SEARCH_PREV, "Finding", "N", 'N', SK_NONE, SK_NONE, "previous match") \
	X(FILTER, "Finding", "f, &", 'f', '&', SK_NONE, "filter: type=T actor=A text=REGEX (several: any), !key=V excludes, since=TIME until=TIME in the zone shown (empty clears)") \
	X(FILTER_CLEAR, "Finding", "F", 'F', SK_NONE, SK_NONE, "clear the filter") \
	X(GOTO_TIME, "Finding", "T", 'T', SK_NONE, SK_NONE, "go to time: the first row at or after a time (as shown by t, or epoch seconds)") \
	X(TAIL, "Following", "L", 'L', SK_NONE, SK_NONE, "tail mode (like less +F): the newest record stays selected as records arrive; any movement key leaves it") \
	X(RESCAN, "Following", "r", 'r', SK_NONE, SK_NONE, "re-index the store now (an unterminated last line is classified at once)") \
	X(MARK, "Marks", "m", 'm', SK_NONE, SK_NONE, "mark or unmark the row (Events, Audits, Dead letters, Raw), then go down") \
	X(MARK_NEXT, "Marks", "u", 'u', SK_NONE, SK_NONE, "next marked row") \
	X(MARK_PREV, "Marks", "U", 'U', SK_NONE, SK_NONE, "previous marked row") \
	X(WRITE, "Marks", "w", 'w', SK_NONE, SK_NONE, "write the marked lines (none marked: the view's rows as filtered) to a new NDJSON file, as stored") \
	X(HANDOFF, "Marks", "W", 'W', SK_NONE, SK_NONE, "the view's rows as filtered as a `papyra inspect ... --json` command line, and what it cannot express") \
	X(RECOVER, "Changing the store", "R", 'R', SK_NONE, SK_NONE, "guided recovery: plan, step through, confirm, verify, journal") \
	X(COMPACT, "Changing the store", "c", 'c', SK_NONE, SK_NONE, "compaction by the retention in force (refused with anomalies)") \
	X(TIME_FORMAT, "Display", "t", 't', SK_NONE, SK_NONE, "time display: epoch, UTC, local") \
	X(QUIT, "Display", "q", 'q', SK_NONE, SK_NONE, "quit (closes the detail pane or help first)")

enum request {
	REQ_NONE = 0,
#define X(id, sec, shown, k1, k2, k3, help) REQ_##id,
	KEY_TABLE(X)
#undef X
	REQ__COUNT
};

/* The keys of the recovery and compaction walks (ui/walk_*.c): dialogs
 * and the plan screen look here first, so Space or n mean something else
 * there than in the lists.  Same columns as KEY_TABLE; the help screen and
 * the man page list them after it. */
#define WALK_KEY_TABLE(X) \
	X(NEXT, "In a recovery or compaction walk", "Tab, Right, l", SK_TAB, SK_RIGHT, 'l', "focus the next button") \
	X(PREV, "In a recovery or compaction walk", "S-Tab, Left, h", SK_BTAB, SK_LEFT, 'h', "focus the previous button") \
	X(OK, "In a recovery or compaction walk", "Enter", SK_ENTER, SK_NONE, SK_NONE, "press the focused button; on a plan: on to the confirmation") \
	X(CANCEL, "In a recovery or compaction walk", "Esc, q", SK_ESC, 'q', SK_NONE, "cancel: nothing changes (in a text field: Esc only)") \
	X(STEP, "In a recovery or compaction walk", "s", 's', SK_NONE, SK_NONE, "on a recovery plan: step through the anomalies one by one") \
	X(APPLY, "In a recovery or compaction walk", "y", 'y', SK_NONE, SK_NONE, "stepping: apply the planned action") \
	X(LEAVE, "In a recovery or compaction walk", "n", 'n', SK_NONE, SK_NONE, "stepping: leave it (the verification reports it)") \
	X(SAME, "In a recovery or compaction walk", "Space, a", ' ', 'a', SK_NONE, "stepping: same answer for the rest of this anomaly type") \
	X(RESCAN, "In a recovery or compaction walk", "r", 'r', SK_NONE, SK_NONE, "when the file changed under a plan: rescan it")

enum walk_request {
	WREQ_NONE = 0,
#define X(id, sec, shown, k1, k2, k3, help) WREQ_##id,
	WALK_KEY_TABLE(X)
#undef X
	WREQ__COUNT
};

/* The line editor of the prompts (/, f, the quarantine directory) and of
 * a typed confirmation (ui/prompt.c); same columns.  Any other printable
 * key is typed. */
#define PROMPT_KEY_TABLE(X) \
	X(LEFT, "In a prompt", "Left, Right", SK_LEFT, SK_NONE, SK_NONE, "move the cursor one character") \
	X(RIGHT, "In a prompt", "", SK_RIGHT, SK_NONE, SK_NONE, "") \
	X(HOME, "In a prompt", "Home, C-a", SK_HOME, 0x01, SK_NONE, "to the start of the line") \
	X(END, "In a prompt", "End, C-e", SK_END, 0x05, SK_NONE, "to the end of the line") \
	X(BACKSPACE, "In a prompt", "Backspace", SK_BACKSPACE, SK_NONE, SK_NONE, "delete the character before the cursor (a selected text: all of it)") \
	X(DELETE, "In a prompt", "Delete", SK_DELETE, SK_NONE, SK_NONE, "delete the character under the cursor") \
	X(KILL, "In a prompt", "C-u", 0x15, SK_NONE, SK_NONE, "delete from the start of the line to the cursor") \
	X(WORD, "In a prompt", "C-w", 0x17, SK_NONE, SK_NONE, "delete the word before the cursor") \
	X(OLDER, "In a prompt", "Up, Down", SK_UP, SK_NONE, SK_NONE, "this prompt's history: older, newer (32 kept)") \
	X(NEWER, "In a prompt", "", SK_DOWN, SK_NONE, SK_NONE, "") \
	X(ACCEPT, "In a prompt", "Enter", SK_ENTER, SK_NONE, SK_NONE, "accept; a pre-filled text starts selected: typing replaces it") \
	X(ABANDON, "In a prompt", "Esc", SK_ESC, SK_NONE, SK_NONE, "cancel the prompt")

enum prompt_request {
	PREQ_NONE = 0,
#define X(id, sec, shown, k1, k2, k3, help) PREQ_##id,
	PROMPT_KEY_TABLE(X)
#undef X
	PREQ__COUNT
};

/* The prompt request bound to `key`, or PREQ_NONE (a key to type). */
enum prompt_request keys_prompt_request(int key);

/* The request bound to `key`, or REQ_NONE. */
enum request keys_request(int key);
/* The walk request bound to `key`, or WREQ_NONE. */
enum walk_request keys_walk_request(int key);

/* Walk the three tables: calls `fn` once per entry, in table order
 * (entries with an empty `shown` are documented by the one before). */
void keys_each(void (*fn)(void *ctx, const char *section, const char *shown, const char *help),
	       void *ctx);

/* The man page's key section (roff, for man/papyra.1 to include). */
void keys_print_man(FILE *f);

#endif
