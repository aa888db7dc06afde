#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "numparse.h"

/* A config file is a handful of keys; anything bigger is not one. */
#define CONFIG_FILE_MAX (1u << 20)
#define DEFAULT_PATH ".papyra/events.ndjson"
/* Doubles below 2^53 are whole numbers exactly; a config-file number at
 * or beyond it is shown with an exponent (and refused where a whole
 * number is wanted), never cast. */
#define CONFIG_INT_EXACT 9007199254740992.0

static const struct {
	const char *flag, *env, *json;
} keys[CK__COUNT] = {
	[CK_BACKEND] = { "--backend", "PAPYRA_BACKEND", "backend" },
	[CK_PATH] = { "--path", "PAPYRA_PATH", "path" },
	[CK_MAX_FILES] = { "--max-files", "PAPYRA_MAX_FILES", "max_files" },
	[CK_MAX_BYTES] = { "--max-bytes", "PAPYRA_MAX_BYTES", "max_bytes" },
	[CK_REDIS_URL] = { "--redis-url", "PAPYRA_REDIS_URL", "redis_url" },
	[CK_PREFIX] = { "--prefix", "PAPYRA_PREFIX", "prefix" },
	[CK_SYSTEM_ID] = { "--system-id", "PAPYRA_SYSTEM_ID", "system_id" },
	[CK_SCAN_SAMPLE_SIZE] = { "--scan-sample-size", "PAPYRA_SCAN_SAMPLE_SIZE", "scan_sample_size" },
	[CK_MAX_READ] = { "--max-read", "PAPYRA_MAX_READ", "max_read" },
	[CK_QUARANTINE_PREFIX] = { "--quarantine-prefix", "PAPYRA_QUARANTINE_PREFIX", "quarantine_prefix" },
	[CK_MAX_RECORDS] = { "--max-records", "PAPYRA_MAX_RECORDS", "max_records" },
	[CK_MAX_AGE_SECONDS] = { "--max-age-seconds", "PAPYRA_MAX_AGE_SECONDS", "max_age_seconds" },
	[CK_MAX_TOTAL_BYTES] = { "--max-total-bytes", "PAPYRA_MAX_TOTAL_BYTES", "max_total_bytes" },
	[CK_REDIS_TIMEOUT] = { "--redis-timeout", "PAPYRA_REDIS_TIMEOUT", "redis_timeout" },
	[CK_REDIS_TLS_CA] = { "--redis-tls-ca", "PAPYRA_REDIS_TLS_CA", "redis_tls_ca" },
	[CK_REDIS_TLS_CERT] = { "--redis-tls-cert", "PAPYRA_REDIS_TLS_CERT", "redis_tls_cert" },
	[CK_REDIS_TLS_KEY] = { "--redis-tls-key", "PAPYRA_REDIS_TLS_KEY", "redis_tls_key" },
	[CK_REDIS_TLS_INSECURE] = { "--redis-tls-insecure", "PAPYRA_REDIS_TLS_INSECURE", "redis_tls_insecure" },
	[CK_SENTINEL_PASSWORD] = { "--sentinel-password", "PAPYRA_SENTINEL_PASSWORD", "sentinel_password" },
	[CK_ACK_DELETED] = { "--ack-deleted", "PAPYRA_ACK_DELETED", "ack_deleted" },
};

const char *config_key_flag(enum config_key k) { return keys[k].flag; }
const char *config_key_env(enum config_key k) { return keys[k].env; }
const char *config_key_json(enum config_key k) { return keys[k].json; }

int config_key_is_switch(enum config_key k)
{
	return k == CK_REDIS_TLS_INSECURE || k == CK_ACK_DELETED;
}

int config_key_from_flag(const char *flag)
{
	for (int k = 0; k < CK__COUNT; k++)
		if (strcmp(flag, keys[k].flag) == 0)
			return k;
	return -1;
}

void retention_init(struct retention *r)
{
	r->max_records = -1;
	r->max_age_seconds = -1;
	r->max_total_bytes = -1;
	r->approx_trim = 0;
}

int retention_active(const struct retention *r)
{
	return r->max_records >= 0 || r->max_age_seconds >= 0 || r->max_total_bytes >= 0;
}

int config_parse_i64(const char *s, int64_t min, int64_t *out)
{
	return numparse_i64(s, min, INT64_MAX, out) == NP_OK ? 0 : -1;
}

int config_parse_double(const char *s, double *out)
{
	return numparse_double(s, -HUGE_VAL, HUGE_VAL, out) == NP_OK ? 0 : -1;
}

int config_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" }, *const no[] = { "0", "false", "no", "off" };
	for (size_t i = 0; s && i < sizeof yes / sizeof *yes; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* The require_data key: not a backend option (its flag is a switch of the
 * pipeline commands), so it is handled beside the table.  `have`: the
 * environment already decided. */
static int apply_require_data(struct config *c, const cJSON *it, int have, const char *path, perr *e)
{
	int v;
	if (have || cJSON_IsNull(it))
		return 0;
	if (cJSON_IsBool(it))
		v = cJSON_IsTrue(it);
	else if (!(cJSON_IsString(it) && config_parse_bool(it->valuestring, &v) == 0) &&
		 !(cJSON_IsNumber(it) && (it->valuedouble == 0 || it->valuedouble == 1) &&
		   (v = it->valuedouble == 1, 1)))
		return perr_set(e, PX_USAGE, "config file %s: key 'require_data' must be true or false", path);
	c->require_data = v;
	return 0;
}

/* Where one key's value came from, for error messages. */
static const char *origin_name(int origin)
{
	return origin == 0 ? "option" : origin == 1 ? "environment variable" : "config file key";
}

static int set_string(char **dst, const char *v, perr *e)
{
	char *s = px_strdup(v, e);
	if (!s)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int set_file(char **dst, const char *v, int origin, const char *name, perr *e)
{
	if (!*v)
		return perr_set(e, PX_USAGE, "%s %s: empty file name", origin_name(origin), name);
	return set_string(dst, v, e);
}

static int apply_key(struct config *c, enum config_key k, const char *v, int origin, perr *e)
{
	const char *name = origin == 0 ? keys[k].flag : origin == 1 ? keys[k].env : keys[k].json;
	int64_t i;
	double d;
	enum numparse_status st;
	switch (k) {
	case CK_BACKEND:
		if (strcasecmp(v, "json") == 0)
			c->backend = BK_JSON;
		else if (strcasecmp(v, "rotating") == 0)
			c->backend = BK_ROTATING;
		else if (strcasecmp(v, "redis") == 0)
			c->backend = BK_REDIS;
		else
			return perr_set(e, PX_USAGE, "%s %s: unknown backend '%s' (json, rotating, redis)",
					origin_name(origin), name, v);
		return 0;
	case CK_PATH:
		if (!*v)
			return perr_set(e, PX_USAGE, "%s %s: empty path", origin_name(origin), name);
		return set_string(&c->path, v, e);
	case CK_REDIS_URL: return set_string(&c->redis_url, v, e);
	case CK_PREFIX: return set_string(&c->prefix, v, e);
	case CK_SYSTEM_ID: return set_string(&c->system_id, v, e);
	case CK_QUARANTINE_PREFIX: return set_string(&c->quarantine_prefix, v, e);
	case CK_REDIS_TLS_CA: return set_file(&c->redis_tls_ca, v, origin, name, e);
	case CK_REDIS_TLS_CERT: return set_file(&c->redis_tls_cert, v, origin, name, e);
	case CK_REDIS_TLS_KEY: return set_file(&c->redis_tls_key, v, origin, name, e);
	case CK_SENTINEL_PASSWORD: return set_string(&c->sentinel_password, v, e);
	case CK_REDIS_TLS_INSECURE:
	case CK_ACK_DELETED:
		if (config_parse_bool(v, k == CK_ACK_DELETED ? &c->ack_deleted : &c->redis_tls_insecure) < 0)
			return perr_set(e, PX_USAGE, "%s %s: '%s' is not a boolean (1, 0, true, false, yes, no)",
					origin_name(origin), name, v);
		return 0;
	case CK_MAX_AGE_SECONDS:
		if ((st = numparse_double(v, 0, HUGE_VAL, &d)) != NP_OK)
			return perr_set(e, PX_USAGE, "%s %s: '%s' %s (a decimal number of seconds >= 0)",
					origin_name(origin), name, v, numparse_reason(st));
		c->retention.max_age_seconds = d;
		return 0;
	case CK_REDIS_TIMEOUT:
		if ((st = numparse_double(v, CONFIG_REDIS_TIMEOUT_MIN, CONFIG_REDIS_TIMEOUT_MAX, &d)) != NP_OK)
			return perr_set(e, PX_USAGE, "%s %s: '%s' %s (seconds, from %g to %g)",
					origin_name(origin), name, v, numparse_reason(st),
					CONFIG_REDIS_TIMEOUT_MIN, CONFIG_REDIS_TIMEOUT_MAX);
		c->redis_timeout = d;
		return 0;
	default:
		break;
	}
	int64_t min = (k == CK_MAX_FILES || k == CK_MAX_BYTES) ? 1 : 0;
	if ((st = numparse_i64(v, min, INT64_MAX, &i)) != NP_OK)
		return perr_set(e, PX_USAGE, "%s %s: '%s' %s (a decimal whole number >= %lld)",
				origin_name(origin), name, v, numparse_reason(st), (long long)min);
	switch (k) {
	case CK_MAX_FILES: c->max_files = i; break;
	case CK_MAX_BYTES: c->max_bytes = i; break;
	case CK_SCAN_SAMPLE_SIZE: c->scan_sample_size = i; break;
	case CK_MAX_READ: c->max_read = i; break;
	case CK_MAX_RECORDS: c->retention.max_records = i; break;
	case CK_MAX_TOTAL_BYTES: c->retention.max_total_bytes = i; break;
	default: break;
	}
	return 0;
}

static char *read_small_file(const char *path, perr *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return perr_set(e, PX_USAGE, "config file %s: %s", path, strerror(errno)), NULL;
	struct stat st;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		fclose(f);
		return perr_set(e, PX_USAGE, "config file %s: not a regular file of at most %u bytes",
				path, CONFIG_FILE_MAX), NULL;
	}
	char *buf = px_malloc((size_t)st.st_size + 1, e);
	size_t n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static int apply_file(struct config *c, const char *path, int have[CK__COUNT], int have_rd,
		      int path_flag, perr *e)
{
	char *text = read_small_file(path, e);
	if (!text)
		return -1;
	cJSON *root = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return perr_set(e, PX_USAGE, "config file %s: not a JSON object", path);
	}
	int rc = 0;
	for (cJSON *it = root->child; it && rc == 0; it = it->next) {
		int k;
		if (strcmp(it->string, "require_data") == 0) {
			rc = apply_require_data(c, it, have_rd, path, e);
			continue;
		}
		if (path_flag && strcmp(it->string, keys[CK_BACKEND].json) == 0 && cJSON_IsString(it) &&
		    !c->ignored_file_backend && !(c->ignored_file_backend = px_strdup(it->valuestring, e))) {
			rc = -1;
			break;
		}
		for (k = 0; k < CK__COUNT; k++)
			if (strcmp(it->string, keys[k].json) == 0)
				break;
		if (k == CK__COUNT) {
			rc = perr_set(e, PX_USAGE, "config file %s: unknown key '%s'", path, it->string);
			break;
		}
		if (have[k] || cJSON_IsNull(it))
			continue; /* flags and environment win */
		char num[64];
		const char *v;
		if (cJSON_IsString(it)) {
			v = it->valuestring;
		} else if (cJSON_IsBool(it) && config_key_is_switch((enum config_key)k)) {
			v = cJSON_IsTrue(it) ? "1" : "0";
		} else if (cJSON_IsNumber(it)) {
			/* cJSON keeps only a double: print it back as text and let the
			 * one parser judge it.  The cast is guarded, since converting
			 * a double beyond int64 (1e99) is undefined behaviour. */
			double d = it->valuedouble;
			if (isfinite(d) && d > -CONFIG_INT_EXACT && d < CONFIG_INT_EXACT && d == trunc(d))
				snprintf(num, sizeof num, "%lld", (long long)d);
			else {
				numparse_format_double(num, sizeof num, d);
			}
			v = num;
		} else {
			rc = perr_set(e, PX_USAGE, "config file %s: key '%s' must be a string or a number",
				      path, it->string);
			break;
		}
		rc = apply_key(c, (enum config_key)k, v, 2, e);
	}
	cJSON_Delete(root);
	return rc;
}

int config_resolve(struct config *c, const char *const flags[CK__COUNT], const char *config_flag,
		   perr *e)
{
	memset(c, 0, sizeof *c);
	c->backend = BK_JSON;
	c->max_files = 5;
	c->max_bytes = 50000000;
	c->redis_timeout = CONFIG_REDIS_TIMEOUT_DEFAULT;
	retention_init(&c->retention);
	int have[CK__COUNT] = { 0 };

	for (int k = 0; k < CK__COUNT; k++) {
		if (flags[k]) {
			if (apply_key(c, (enum config_key)k, flags[k], 0, e) < 0)
				return -1;
			have[k] = 1;
		}
	}
	/* --path alone selects the NDJSON file backend, as in Papyra */
	if (flags[CK_PATH] && !flags[CK_BACKEND])
		have[CK_BACKEND] = 1;
	for (int k = 0; k < CK__COUNT; k++) {
		const char *v = getenv(keys[k].env);
		if (!have[k] && v && *v) {
			if (apply_key(c, (enum config_key)k, v, 1, e) < 0)
				return -1;
			have[k] = 1;
		}
	}
	const char *rd = getenv("PAPYRA_REQUIRE_DATA");
	int have_rd = rd && *rd;
	if (have_rd && config_parse_bool(rd, &c->require_data) < 0)
		return perr_set(e, PX_USAGE, "environment variable PAPYRA_REQUIRE_DATA: '%s' is not a boolean "
				"(1, 0, true, false, yes, no)", rd);
	const char *file = config_flag;
	if (!file) {
		const char *envf = getenv("PAPYRA_CONFIG");
		struct stat st;
		if (envf && *envf)
			file = envf;
		else if (stat("papyra.json", &st) == 0)
			file = "papyra.json";
	}
	if (file) {
		if (!(c->config_file = px_strdup(file, e)) || apply_file(c, file, have, have_rd, flags[CK_PATH] && !flags[CK_BACKEND], e) < 0)
			return -1;
	}
	if (!c->path && set_string(&c->path, DEFAULT_PATH, e) < 0)
		return -1;
	if (!c->redis_url && set_string(&c->redis_url, "redis://localhost:6379/0", e) < 0)
		return -1;
	if (!c->prefix && set_string(&c->prefix, "papyra", e) < 0)
		return -1;
	if (!c->system_id && set_string(&c->system_id, "local", e) < 0)
		return -1;
	if (!c->quarantine_prefix) {
		char *q = px_asprintf(e, "%s:%s:quarantine", c->prefix, c->system_id);
		if (!q)
			return -1;
		c->quarantine_prefix = q;
	}
	return 0;
}

void config_free(struct config *c)
{
	free(c->path);
	free(c->redis_url);
	free(c->prefix);
	free(c->system_id);
	free(c->quarantine_prefix);
	free(c->redis_tls_ca);
	free(c->redis_tls_cert);
	free(c->redis_tls_key);
	if (c->sentinel_password)
		memset(c->sentinel_password, 0, strlen(c->sentinel_password));
	free(c->sentinel_password);
	free(c->config_file);
	free(c->ignored_file_backend);
	memset(c, 0, sizeof *c);
}
