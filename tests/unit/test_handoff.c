/* The console's hand-off to scripts (ui/handoff.c, W): shell words that
 * the shell reads back as they were (spaces, quotes, $, backslashes,
 * newlines), the backend options of each store kind, and which filter
 * terms become inspect options and which are listed as not expressible. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "strbuf.h"

/* What /bin/sh makes of `printf '%s\n' WORD`: the word back, newline-ended. */
static char *shell_reads(const char *word)
{
	struct strbuf cmd = { 0 };
	strbuf_puts(&cmd, "printf '%s|' ");
	strbuf_shell_word(&cmd, word);
	FILE *p = popen(cmd.p, "r");
	assert_non_null(p);
	static char out[512];
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	strbuf_free(&cmd);
	return out;
}

static void test_shell_words_read_back(void **state)
{
	(void)state;
	static const char *const words[] = { "events.ndjson", "/var/lib/my dir/it's.ndjson", "a\"b", "$HOME",
					     "`id`", "back\\slash", "new\nline", "*", "~", "", "'", "''x'" };
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		char want[128];
		snprintf(want, sizeof want, "%s|", words[i]);
		assert_string_equal(shell_reads(words[i]), want);
	}
	struct strbuf b = { 0 };
	strbuf_shell_word(&b, "plain-name_1.ndjson");
	assert_string_equal(b.p, "plain-name_1.ndjson"); /* nothing to quote: as is */
	b.n = 0;
	strbuf_shell_word(&b, "it's");
	assert_string_equal(b.p, "'it'\\''s'");
	strbuf_free(&b);
}

struct hfx {
	struct config cfg;
	struct console c;
	struct strbuf cmd, left, note;
};

static void hfx_init(struct hfx *x, enum backend_kind kind, char *path)
{
	memset(x, 0, sizeof *x);
	x->cfg.backend = kind;
	x->cfg.path = path;
	x->cfg.max_files = 5;
	x->cfg.max_bytes = 50000000;
	x->cfg.redis_timeout = CONFIG_REDIS_TIMEOUT_DEFAULT;
	retention_init(&x->cfg.retention);
	x->c.cfg = &x->cfg;
	x->c.views[V_RAW].ops = &view_raw_ops;
}

static void hfx_term(struct hfx *x, enum fkey key, int neg, const char *q)
{
	struct filter *f = &x->c.filt;
	f->active = 1;
	f->term[f->n_terms].key = key;
	f->term[f->n_terms].neg = neg;
	snprintf(f->term[f->n_terms].q, sizeof f->term[0].q, "%s", q);
	f->n_terms++;
	f->has[key] |= neg ? 2 : 1;
}

static void hfx_run(struct hfx *x, enum view_id v)
{
	x->cmd.n = x->left.n = x->note.n = 0;
	if (x->cmd.p)
		x->cmd.p[0] = '\0';
	if (x->left.p)
		x->left.p[0] = '\0';
	if (x->note.p)
		x->note.p[0] = '\0';
	handoff_command(&x->c, v, &x->cmd, &x->left, &x->note);
}

static void hfx_free(struct hfx *x)
{
	strbuf_free(&x->cmd);
	strbuf_free(&x->left);
	strbuf_free(&x->note);
}

static void test_json_path_quoted_and_terms_mapped(void **state)
{
	(void)state;
	struct hfx x;
	hfx_init(&x, BK_JSON, "/srv/my dir/it's \"here\".ndjson");
	hfx_run(&x, V_EVENTS);
	assert_string_equal(x.cmd.p, "papyra inspect events --path '/srv/my dir/it'\\''s \"here\".ndjson' --json");
	assert_int_equal(x.left.n, 0);

	hfx_term(&x, FK_TYPE, 0, "ActorCrashed");
	x.c.filt.has_since = x.c.filt.has_until = 1;
	x.c.filt.since = 1767225602.5;
	x.c.filt.until = 1767225609.1234567;
	hfx_run(&x, V_EVENTS);
	assert_string_equal(x.cmd.p, "papyra inspect events --path '/srv/my dir/it'\\''s \"here\".ndjson' "
				     "--event-type ActorCrashed --since 1767225602.5 --until 1767225609.1234567 --json");
	assert_int_equal(x.left.n, 0);

	/* a second type (either), an exclusion, text, an actor on events: listed */
	hfx_term(&x, FK_TYPE, 0, "ActorStopped");
	hfx_term(&x, FK_ADDR, 1, "local:5");
	hfx_term(&x, FK_TEXT, 0, "timeout");
	hfx_term(&x, FK_ADDR, 0, "local:3");
	x.c.n_marked = 2;
	hfx_run(&x, V_EVENTS);
	assert_string_equal(x.cmd.p, "papyra inspect events --path '/srv/my dir/it'\\''s \"here\".ndjson' "
				     "--since 1767225602.5 --until 1767225609.1234567 --json");
	assert_string_equal(x.left.p, "type=ActorCrashed; type=ActorStopped; !actor=local:5; text=timeout; "
				      "actor=local:3; 2 marked rows (w writes the marks; the command lists the view's rows)");

	/* dead letters: the one actor= is --target, type= (message type) is not expressible */
	hfx_free(&x);
	hfx_init(&x, BK_ROTATING, "set/events.ndjson");
	x.cfg.max_files = 3;
	hfx_term(&x, FK_ADDR, 0, "local:4");
	hfx_term(&x, FK_TYPE, 0, "PaymentRequest");
	hfx_run(&x, V_DEAD);
	assert_string_equal(x.cmd.p, "papyra inspect dead-letters --backend rotating --path set/events.ndjson "
				     "--max-files 3 --target local:4 --json");
	assert_string_equal(x.left.p, "type=PaymentRequest");

	/* audits: type= and actor= do not apply (noted), text= is listed */
	hfx_term(&x, FK_TEXT, 1, "x y");
	hfx_run(&x, V_AUDITS);
	assert_string_equal(x.cmd.p, "papyra inspect audits --backend rotating --path set/events.ndjson --max-files 3 --json");
	assert_string_equal(x.left.p, "!text=x y");
	assert_non_null(strstr(x.note.p, "actor= does not apply to audits"));

	/* retention in force: inspect would list less */
	x.cfg.retention.max_records = 10;
	hfx_run(&x, V_AUDITS);
	assert_non_null(strstr(x.left.p, "the retention in force"));

	/* Raw has no listing */
	hfx_run(&x, V_RAW);
	assert_int_equal(x.cmd.n, 0);
	assert_non_null(strstr(x.left.p, "the Raw view"));
	hfx_free(&x);
}

static void test_redis_flags_redacted(void **state)
{
	(void)state;
	struct hfx x;
	hfx_init(&x, BK_REDIS, "unused");
	x.cfg.redis_url = "redis://:s3cret@db.example:6380/2";
	x.cfg.prefix = "my prefix";
	x.cfg.system_id = "node-1";
	x.cfg.redis_timeout = 2.5;
	x.cfg.redis_tls_insecure = 1;
	x.cfg.scan_sample_size = 100;
	x.cfg.sentinel_password = "other";
	hfx_run(&x, V_EVENTS);
	assert_string_equal(x.cmd.p, "papyra inspect events --backend redis --redis-url 'redis://:***@db.example:6380/2' "
				     "--prefix 'my prefix' --system-id node-1 --redis-timeout 2.5 --redis-tls-insecure "
				     "--max-read 100 --json");
	assert_null(strstr(x.cmd.p, "s3cret"));
	assert_null(strstr(x.cmd.p, "other"));
	assert_non_null(strstr(x.note.p, "password is written ***"));
	assert_non_null(strstr(x.note.p, "--sentinel-password is not written"));
	hfx_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shell_words_read_back),
		cmocka_unit_test(test_json_path_quoted_and_terms_mapped),
		cmocka_unit_test(test_redis_flags_redacted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
