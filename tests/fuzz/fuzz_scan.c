/* libFuzzer target: the scanner and repair on arbitrary bytes.
 *
 * Properties checked on every input:
 *  - the scanner agrees line by line with a one-shot jsonv_check of each
 *    line (the chunked, resumable path changes nothing);
 *  - repair leaves a file that scans clean, made only of lines that were
 *    valid records in the input, in order, byte for byte (plus the "\n" of
 *    a complete unterminated last record), and of the records a salvage
 *    keeps: the end of a corrupted line from a '{' on, each record a valid
 *    object on its own line, only whitespace between them replaced.
 * Build and run: make fuzz (clang). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonv.h"
#include "recover.h"
#include "salvage.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static char dir[64];
static char path[96];

static void fail(const char *what)
{
	fprintf(stderr, "fuzz property violated: %s\n", what);
	abort();
}

static int line_ok(const unsigned char *p, size_t n)
{
	static struct jsonv v;
	return jsonv_check(&v, (const char *)p, n, NULL) == 0 && jsonv_top_type(&v) == JV_OBJECT;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/papyra-fuzz.XXXXXX");
		if (!mkdtemp(dir))
			fail("mkdtemp");
		snprintf(path, sizeof path, "%s/events.ndjson", dir);
	}
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fail("write input");

	struct scan_report r;
	struct scan_opts o = { 0 };
	perr e;
	scan_report_init(&r);
	if (scan_ndjson_file(path, path, &o, NULL, &r, &e) < 0)
		fail("scan failed");

	/* reference: split at "\n" only, validate each line in one piece */
	size_t an = 0, start = 0;
	int64_t line = 1;
	while (start < size) {
		const unsigned char *nl = memchr(data + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - data) : size;
		int ok = line_ok(data + start, end - start);
		if (!nl) {
			if (an >= r.n_an || r.an[an].type != AN_TRUNCATED_LINE || r.an[an].line != line)
				fail("unterminated last line not reported as TRUNCATED_LINE");
			if (!!(r.an[an].flags & AF_TAIL_COMPLETE) != ok)
				fail("complete-tail flag disagrees with the validator");
			an++;
		} else if (!ok) {
			if (an >= r.n_an || r.an[an].type != AN_CORRUPTED_LINE || r.an[an].line != line ||
			    r.an[an].offset != (int64_t)start || r.an[an].length != (int64_t)(end - start))
				fail("corrupted line missed or misplaced");
			an++;
		}
		start = end + 1;
		line++;
	}
	if (an != r.n_an)
		fail("scanner reported an anomaly the reference did not");

	/* what repair must leave: valid lines, and what salvages keep */
	unsigned char *want = malloc(size + size / 2 + 2);
	size_t wn = 0;
	an = 0;
	start = 0;
	line = 1;
	while (start < size) {
		const unsigned char *nl = memchr(data + start, '\n', size - start);
		size_t end = nl ? (size_t)(nl - data) : size;
		while (an < r.n_an && r.an[an].line < line)
			an++;
		const struct salvage *sv = an < r.n_an && r.an[an].line == line ? r.an[an].salvage : NULL;
		if (line_ok(data + start, end - start)) {
			memcpy(want + wn, data + start, end - start);
			wn += end - start;
			want[wn++] = '\n';
		} else if (sv) {
			if (!nl || r.an[an].type != AN_CORRUPTED_LINE)
				fail("salvage offered for a line that is not a corrupted line");
			size_t from = start + (size_t)sv->keep;
			if ((sv->keep > 0 ? data[from] != '{' : sv->records < 2) || sv->ngaps + 1 != (size_t)sv->records)
				fail("salvage does not start at a record");
			for (size_t g = 0; g <= sv->ngaps; g++) {
				size_t to = g < sv->ngaps ? start + (size_t)sv->gaps[g].start : end;
				if (!line_ok(data + from, to - from))
					fail("salvaged part is not a record");
				memcpy(want + wn, data + from, to - from);
				wn += to - from;
				want[wn++] = '\n';
				if (g < sv->ngaps) {
					for (size_t k = to; k < start + (size_t)sv->gaps[g].end; k++)
						if (data[k] != ' ' && data[k] != '\t' && data[k] != '\r')
							fail("salvage gap is not whitespace");
					from = start + (size_t)sv->gaps[g].end;
				}
			}
		}
		start = end + 1;
		line++;
	}

	struct plan p;
	struct apply_result res;
	plan_init(&p);
	memset(&res, 0, sizeof res);
	if (plan_build_files(&p, &r, NULL, RM_REPAIR, NULL, &e) < 0)
		fail("plan");
	if (r.n_an && plan_apply_files(&p, NULL, &res, &e) < 0)
		fail(e.msg);
	apply_result_free(&res);
	plan_free(&p);
	scan_report_free(&r);

	f = fopen(path, "rb");
	if (!f)
		fail("reopen");
	unsigned char *out = malloc(size + size / 2 + 2);
	size_t on = fread(out, 1, size + size / 2 + 2, f);
	fclose(f);
	if (on != wn || memcmp(out, want, wn) != 0)
		fail("repaired file is not the valid lines and salvaged records byte for byte");
	free(out);
	free(want);
	scan_report_init(&r);
	if (scan_ndjson_file(path, path, &o, NULL, &r, &e) < 0 || r.n_an)
		fail("repaired file does not scan clean");
	scan_report_free(&r);
	return 0;
}
