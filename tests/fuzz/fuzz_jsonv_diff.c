/* libFuzzer target: the validator's AVX-512 whole-line fast path against
 * the per-byte machine, on the same lines.
 *
 * The fast path may only ever answer "valid, with these captures" or "not
 * sure" (then the machine decides), so for every line both runs must agree
 * on the verdict, the top-level type, the error position and reason, and
 * every captured field's type and span.  The per-byte run is also fed in
 * pieces of fuzzer-chosen sizes, which must change nothing either.
 *
 * The input is split at "\n" into lines; each line is checked whole.  On a
 * CPU without AVX-512 the fast path cannot run: the harness says so once
 * (make fuzz prints it) and still checks the chunked per-byte runs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonv.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int jsonv__fast_level(int level); /* tests only: see core/jsonv.c */

/* The keys the scanner captures, plus one no record has and one that only
 * matches after unescaping: captures must agree for all of them. */
static const char *const keys[] = { "kind", "timestamp", "system_id", "event_type",
				    "actor_address", "payload", "target", "zz" };
#define NKEYS (sizeof keys / sizeof *keys)

struct verdict {
	int rc;
	enum jsonv_type top;
	uint64_t err_pos;
	const char *reason;
	struct jsonv_field f[NKEYS];
};

static struct jsonv V; /* 8 KiB of bit stack: not on the fuzzer's stack */

static void fail(const char *what, const unsigned char *line, size_t n)
{
	fprintf(stderr, "fuzz property violated: %s (line of %zu bytes: %.*s)\n", what, n,
		(int)(n > 200 ? 200 : n), (const char *)line);
	abort();
}

/* One run: whole (`step` 0) or fed in pieces of `step` bytes. */
static void run(const unsigned char *p, size_t n, size_t step, struct verdict *out)
{
	struct jsonv_capture cap = { out->f, NKEYS };
	for (size_t i = 0; i < NKEYS; i++)
		out->f[i] = (struct jsonv_field){ .name = keys[i] };
	jsonv_init(&V, &cap);
	if (step == 0) {
		jsonv_feed(&V, (const char *)p, n);
	} else {
		for (size_t at = 0; at < n; at += step)
			jsonv_feed(&V, (const char *)p + at, n - at < step ? n - at : step);
	}
	out->rc = jsonv_finish(&V);
	out->top = jsonv_top_type(&V);
	out->err_pos = out->rc ? jsonv_error_pos(&V) : 0;
	out->reason = out->rc ? jsonv_error_reason(&V) : "";
}

static void same(const struct verdict *a, const struct verdict *b, const char *what,
		 const unsigned char *line, size_t n)
{
	if (a->rc != b->rc)
		fail(what, line, n);
	if (a->rc == 0 && a->top != b->top)
		fail(what, line, n);
	if (a->rc != 0 && (a->err_pos != b->err_pos || strcmp(a->reason, b->reason) != 0))
		fail(what, line, n);
	if (a->rc != 0)
		return; /* captures of an invalid line are not promised */
	for (size_t i = 0; i < NKEYS; i++)
		if (a->f[i].type != b->f[i].type ||
		    (a->f[i].type != JV_NONE && (a->f[i].off != b->f[i].off || a->f[i].len != b->f[i].len)))
			fail(what, line, n);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static int fast = -1;
	if (fast < 0) {
		fast = jsonv__fast_level(-1);
		if (!fast)
			fprintf(stderr, "fuzz_jsonv_diff: fast path not exercised (this CPU lacks AVX-512)\n");
	}
	/* The first byte picks the piece size of the chunked run (1..64). */
	size_t step = size ? (size_t)(data[0] % 64) + 1 : 1;
	size_t start = size ? 1 : 0;
	while (start <= size) {
		const unsigned char *nl = memchr(data + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - data) : size;
		const unsigned char *line = data + start;
		size_t n = end - start;
		struct verdict machine, vector, pieces;
		jsonv__fast_level(0);
		run(line, n, 0, &machine);
		run(line, n, step, &pieces);
		jsonv__fast_level(fast);
		run(line, n, 0, &vector);
		same(&machine, &vector, "fast path disagrees with the per-byte machine", line, n);
		same(&machine, &pieces, "chunked feeding changes the verdict", line, n);
		if (!nl)
			break;
		start = end + 1;
	}
	return 0;
}
