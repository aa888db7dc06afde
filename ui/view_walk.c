/* The walk pane: the text of a recovery or compaction walk (the plan
 * before, the verification after), scrolled like the detail pane.  The
 * walks (walk_*.c) fill it and put their questions in dialogs over it. */
#include "app.h"

const struct view_ops view_walk_ops = {
	.name = "Walk",
	.scroll = 1,
	.rows = text_rows,
	.draw_row = text_row,
};
