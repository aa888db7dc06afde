/* Configuration (SPEC §6): flags, then PAPYRA_* environment, then a JSON
 * config file (--config, else $PAPYRA_CONFIG, else ./papyra.json), then the
 * default: the NDJSON backend at .papyra/events.ndjson. */
#ifndef PAPYRA_CONFIG_H
#define PAPYRA_CONFIG_H

#include <stdint.h>

#include "common.h"

enum backend_kind { BK_JSON = 0, BK_ROTATING, BK_REDIS };

/* Retention policy of SPEC §5; a negative value means "not set". */
struct retention {
	int64_t max_records;
	double max_age_seconds;
	int64_t max_total_bytes;
	/* Redis compaction only: XTRIM "~" (whole macro nodes) instead of
	 * exactly; set by compact --approx-trim, not a stored setting. */
	int approx_trim;
};

void retention_init(struct retention *r);
int retention_active(const struct retention *r);

struct config {
	enum backend_kind backend;
	char *path;
	int64_t max_files;        /* rotating; default 5 */
	int64_t max_bytes;        /* rotating; default 50,000,000 */
	char *redis_url;          /* default redis://localhost:6379/0 */
	char *prefix;             /* default "papyra" */
	char *system_id;          /* default "local" */
	int64_t scan_sample_size; /* 0 = whole stream */
	int64_t max_read;         /* Redis listing cap per stream; 0 = none */
	char *quarantine_prefix;  /* default "{prefix}:{system_id}:quarantine" */
	double redis_timeout;     /* seconds: deadline of each Redis command and of connecting */
	char *redis_tls_ca;       /* rediss: PEM CA file; NULL: the system's store */
	char *redis_tls_cert;     /* rediss: PEM client certificate; NULL: none */
	char *redis_tls_key;      /* rediss: PEM private key; NULL: in the cert file */
	int redis_tls_insecure;   /* rediss: do not verify the server's certificate */
	char *sentinel_password;  /* redis-sentinel: AUTH for the sentinels; NULL: none */
	int ack_deleted;          /* redis recovery: XACK the deleted entries in their consumer groups */
	struct retention retention;
	char *config_file;        /* the file that was read, or NULL */
	/* require_data (config file) or PAPYRA_REQUIRE_DATA: a missing store is
	 * a MISSING_DATA anomaly; the --require-data flag is the command's. */
	int require_data;
	/* The config file's "backend" when --path overrode it (--path alone
	 * selects json, as in Papyra), so the CLI can say what it ignored. */
	char *ignored_file_backend;
};

/* Parse a boolean as the environment or a config file spells it:
 * 1/0, true/false, yes/no, on/off (any case).  -1 when it is none. */
int config_parse_bool(const char *s, int *out);

/* --redis-timeout (SPEC §8): 30 s by default; at least a millisecond (the
 * deadline's resolution) and at most a day (beyond that it is no bound). */
#define CONFIG_REDIS_TIMEOUT_DEFAULT 30.0
#define CONFIG_REDIS_TIMEOUT_MIN 0.001
#define CONFIG_REDIS_TIMEOUT_MAX 86400.0

/* One option as given on the command line or in the environment; the
 * caller (src/) collects them, core validates and applies them. */
enum config_key {
	CK_BACKEND, CK_PATH, CK_MAX_FILES, CK_MAX_BYTES, CK_REDIS_URL, CK_PREFIX,
	CK_SYSTEM_ID, CK_SCAN_SAMPLE_SIZE, CK_MAX_READ, CK_QUARANTINE_PREFIX,
	CK_MAX_RECORDS, CK_MAX_AGE_SECONDS, CK_MAX_TOTAL_BYTES, CK_REDIS_TIMEOUT,
	CK_REDIS_TLS_CA, CK_REDIS_TLS_CERT, CK_REDIS_TLS_KEY, CK_REDIS_TLS_INSECURE,
	CK_SENTINEL_PASSWORD, CK_ACK_DELETED, CK__COUNT
};

/* Name in the three spellings: flag "--max-files", env "PAPYRA_MAX_FILES",
 * config-file key "max_files". */
const char *config_key_flag(enum config_key k);
const char *config_key_env(enum config_key k);
const char *config_key_json(enum config_key k);
int config_key_from_flag(const char *flag); /* -1 when unknown */
/* A switch takes no value on the command line ("--redis-tls-insecure");
 * its environment variable and config key take a boolean. */
int config_key_is_switch(enum config_key k);

/* Resolve the configuration.  `flags[k]` is the value given on the command
 * line or NULL; `config_flag` is --config or NULL.  Errors (bad number,
 * unknown backend, unknown config key, unreadable config) are PX_USAGE. */
int config_resolve(struct config *c, const char *const flags[CK__COUNT],
		   const char *config_flag, perr *e);
void config_free(struct config *c);

/* Parse helpers shared with src/: strict decimal, whole string (numparse.h). */
int config_parse_i64(const char *s, int64_t min, int64_t *out);
int config_parse_double(const char *s, double *out);

#endif
