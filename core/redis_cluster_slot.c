/* Hash slots and where a command's key is, for the Redis Cluster routing
 * of redis_cluster.c: pure functions, no connection. */
#include "redis_conn.h"

#include <string.h>
#include <strings.h>

#include "redis_conn_int.h"

static unsigned crc16_xmodem(const char *p, size_t n)
{
	unsigned crc = 0;
	for (size_t i = 0; i < n; i++) {
		crc ^= (unsigned)(unsigned char)p[i] << 8;
		for (int b = 0; b < 8; b++)
			crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
		crc &= 0xffff;
	}
	return crc;
}

unsigned redis_key_slot(const char *key, size_t len)
{
	const char *open = memchr(key, '{', len);
	if (open) {
		size_t rest = len - (size_t)(open - key) - 1;
		const char *close = memchr(open + 1, '}', rest);
		if (close && close > open + 1) {
			key = open + 1;
			len = (size_t)(close - key);
		}
	}
	return crc16_xmodem(key, len) & (REDIS_CLUSTER_SLOTS - 1);
}

int redis_cluster_key_index(int argc, const char **argv, const size_t *len)
{
	static const char *const keyless[] = {
		"PING", "ECHO", "INFO", "CLUSTER", "CONFIG", "CLIENT", "COMMAND", "ROLE", "ACL",
		"AUTH", "SELECT", "HELLO", "ASKING", "READONLY", "READWRITE", "TIME", "DBSIZE",
		"FLUSHALL", "FLUSHDB", "WAIT", "SAVE", "BGSAVE", "LASTSAVE", "SLOWLOG", "LATENCY",
		"DEBUG", "SCRIPT", "FUNCTION", "KEYS", "RANDOMKEY", "MULTI", "EXEC", "DISCARD",
	};
	const char *name = argv[0];
	for (size_t i = 0; i < sizeof keyless / sizeof *keyless; i++)
		if (strcasecmp(name, keyless[i]) == 0)
			return -1;
	/* container commands: the subcommand comes first */
	if (!strcasecmp(name, "XINFO") || !strcasecmp(name, "XGROUP") || !strcasecmp(name, "OBJECT") ||
	    !strcasecmp(name, "MEMORY"))
		return argc > 2 ? 2 : -1;
	if (!strcasecmp(name, "XREAD") || !strcasecmp(name, "XREADGROUP")) {
		for (int i = 1; i + 1 < argc; i++)
			if ((!len || len[i] == 7) && strcasecmp(argv[i], "STREAMS") == 0)
				return i + 1;
		return -1;
	}
	return argc > 1 ? 1 : -1;
}
