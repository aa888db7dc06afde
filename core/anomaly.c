/* The anomaly and action tables of core/scan.h, read out: names, words
 * and the recovery policy every planner and the console follow. */
#include "scan.h"

static const struct {
	const char *name, *desc, *fix;
	enum action_kind repair, quarantine;
	int batch;
} anomaly_table[AN__COUNT] = {
#define X(id, desc, fix, repair, quarantine, batch) \
	{ #id, desc, fix, ACT_##repair, ACT_##quarantine, batch },
	ANOMALY_TYPES(X)
#undef X
};

static const struct {
	const char *name, *verb;
	int step;
} action_table[ACT__COUNT] = {
#define X(id, name, verb, step) { name, verb, step },
	ACTION_KINDS(X)
#undef X
};

static int anomaly_ok(enum anomaly_type t)
{
	return (unsigned)t < AN__COUNT;
}

const char *anomaly_type_name(enum anomaly_type t) { return anomaly_ok(t) ? anomaly_table[t].name : "?"; }
const char *anomaly_type_desc(enum anomaly_type t) { return anomaly_ok(t) ? anomaly_table[t].desc : "?"; }
const char *anomaly_type_fix(enum anomaly_type t) { return anomaly_ok(t) ? anomaly_table[t].fix : "?"; }

enum action_kind anomaly_type_action(enum anomaly_type t, int quarantine)
{
	if (!anomaly_ok(t))
		return ACT_NONE;
	return quarantine ? anomaly_table[t].quarantine : anomaly_table[t].repair;
}

int anomaly_type_batch(enum anomaly_type t)
{
	return anomaly_ok(t) && anomaly_table[t].batch;
}

static int action_ok(enum action_kind k)
{
	return k >= 0 && k < ACT__COUNT;
}

const char *action_kind_name(enum action_kind k) { return action_ok(k) ? action_table[k].name : "?"; }
const char *action_kind_verb(enum action_kind k) { return action_ok(k) ? action_table[k].verb : "?"; }
int action_kind_steppable(enum action_kind k) { return action_ok(k) && action_table[k].step; }
