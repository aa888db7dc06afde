/* The torture suite's verdict on a store after an operation: which of the
 * sequence numbers written (by the seed and by tests/torture/writer.c) are
 * in the store, how often, and in what order; where the seed's damaged
 * lines (each carries a "BAD-<k>" marker) ended up.
 *
 *   check [--expect all|tail] --last L [--bad N] [--quarantine FILE]...
 *         [--ordered] FILE...
 *
 * FILE... are the store's files in reading order (a single file, or the
 * rotating set oldest first).  --expect all: every seq 1..L exactly once
 * (recovery drops only the damaged lines).  --expect tail: the seqs present
 * are exactly a..L for some a, each once (compaction keeps the newest).
 * --bad N: the store holds none of BAD-1..BAD-N, and when quarantine files
 * are given, each BAD-k is in them exactly once.  --ordered: seqs appear in
 * increasing order.  Prints one line "ok ..." or "FAIL <why> ..." with the
 * counts and exits 0 or 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_MAX_BAD 64

struct check_tally {
	long last;
	unsigned char *seen; /* per seq, saturating at 255 */
	long dups, unknown, out_of_order, prev;
	long store_bad[CHECK_MAX_BAD + 1];
	long quar_bad[CHECK_MAX_BAD + 1];
	long lines;
};

static void check_line(struct check_tally *t, const char *s, int quarantine)
{
	const char *b = strstr(s, "BAD-");
	if (b) {
		long k = strtol(b + 4, NULL, 10);
		if (k >= 1 && k <= CHECK_MAX_BAD)
			(quarantine ? t->quar_bad : t->store_bad)[k]++;
	}
	if (quarantine)
		return;
	t->lines++;
	const char *p = strstr(s, "\"seq\": ");
	if (!p)
		return;
	long seq = strtol(p + 7, NULL, 10);
	if (seq < 1 || seq > t->last) {
		t->unknown++;
		return;
	}
	if (t->seen[seq] == 255)
		return;
	if (t->seen[seq]++)
		t->dups++;
	if (seq < t->prev)
		t->out_of_order++;
	t->prev = seq;
}

static int check_file(struct check_tally *t, const char *path, int quarantine)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("FAIL cannot open %s\n", path);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0)
		check_line(t, line, quarantine);
	free(line);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	struct check_tally t;
	memset(&t, 0, sizeof t);
	const char *expect = "all";
	long bad = 0;
	int ordered = 0, nquar = 0, i;
	const char *quar[256];
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--ordered") == 0)
			ordered = 1;
		else if (i + 1 >= argc)
			break;
		else if (strcmp(argv[i], "--expect") == 0)
			expect = argv[++i];
		else if (strcmp(argv[i], "--last") == 0)
			t.last = atol(argv[++i]);
		else if (strcmp(argv[i], "--bad") == 0)
			bad = atol(argv[++i]);
		else if (strcmp(argv[i], "--quarantine") == 0 && nquar < 256)
			quar[nquar++] = argv[++i];
		else {
			printf("FAIL usage: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (t.last < 1 || bad > CHECK_MAX_BAD) {
		printf("FAIL usage: check [--expect all|tail] --last L [--bad N] [--quarantine F]... FILE...\n");
		return 2;
	}
	t.seen = calloc((size_t)t.last + 1, 1);
	if (!t.seen)
		return 2;
	for (; i < argc; i++)
		if (check_file(&t, argv[i], 0) != 0)
			return 1;
	for (int q = 0; q < nquar; q++)
		if (check_file(&t, quar[q], 1) != 0)
			return 1;
	long missing = 0, first = 0, holes = 0;
	for (long s = 1; s <= t.last; s++) {
		if (!t.seen[s]) {
			missing++;
			if (first)
				holes++;
		} else if (!first)
			first = s;
	}
	char why[512] = "";
	size_t w = 0;
#define CHECK_WHY(...) (w += (size_t)snprintf(why + w, w < sizeof why ? sizeof why - w : 0, __VA_ARGS__))
	if (strcmp(expect, "all") == 0 && missing)
		CHECK_WHY(" lost=%ld", missing);
	if (strcmp(expect, "tail") == 0 && (holes || !t.seen[t.last]))
		CHECK_WHY(" lost=%ld", holes + !t.seen[t.last]);
	if (t.dups)
		CHECK_WHY(" duplicated=%ld", t.dups);
	if (t.unknown)
		CHECK_WHY(" unknown=%ld", t.unknown);
	if (ordered && t.out_of_order)
		CHECK_WHY(" out_of_order=%ld", t.out_of_order);
	for (long k = 1; k <= bad; k++) {
		if (t.store_bad[k])
			CHECK_WHY(" BAD-%ld_kept", k);
		if (nquar && t.quar_bad[k] != 1)
			CHECK_WHY(" BAD-%ld_in_quarantine=%ld", k, t.quar_bad[k]);
	}
	printf("%s%s lines=%ld first=%ld last=%ld missing=%ld out_of_order=%ld\n", *why ? "FAIL" : "ok",
	       why, t.lines, first, t.last, missing, t.out_of_order);
	free(t.seen);
	return *why ? 1 : 0;
}
