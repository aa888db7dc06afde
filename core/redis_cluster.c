/* Redis Cluster under struct redis_conn (redis_conn.h): the slot map, one
 * connection per node opened when first needed (the seed's credentials,
 * TLS settings and timeout), routing by key, SCAN over every master,
 * MOVED / ASK / TRYAGAIN followed, and replies handed back in the order
 * the commands were appended, whichever node answers first.
 *
 * Every command appended becomes an entry of one FIFO (its formatted
 * bytes kept, for a redirect); each node keeps the FIFO ids it owes a
 * reply for, in the order they were sent, so a reply read from a node
 * lands on its own entry even when a redirect sent an older command to a
 * node that already had newer ones queued. */
#include "redis_conn.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "redis_conn_int.h"

/* Redirects one command may follow: a resharding moves slots one at a
 * time, so a few in a row are normal, yet two nodes that disagree about a
 * slot must not bounce a command forever. */
#define CLUSTER_MAX_REDIRECTS 16
/* Pause before resending after TRYAGAIN (a multi-key command while its
 * slot migrates): the migration of one slot's keys takes milliseconds. */
#define CLUSTER_TRYAGAIN_MS 100
/* Nodes one client keeps: Redis Cluster is designed for up to 1000
 * masters, and a SCAN cursor carries the node's index below this. */
#define CLUSTER_MAX_NODES 1024
/* A slot no node serves (the cluster is incomplete): sent to the seed,
 * whose CLUSTERDOWN then says so. */
#define CLUSTER_NO_NODE 0xffff
/* A node's queue entry whose reply is dropped: the +OK of an ASKING. */
#define CLUSTER_DISCARD SIZE_MAX

struct cnode {
	char *host;   /* NULL: the seed's unix socket */
	char *socket;
	int port;
	struct redis_conn conn; /* fd -1 until first needed (and after it failed) */
	size_t *q;              /* FIFO ids owed a reply, oldest at q_head */
	size_t q_head, q_n, q_cap;
	size_t slots;           /* hash slots it serves as master */
	unsigned epoch;         /* bumped when the connection fails */
	perr fail;              /* why it failed last */
};

struct centry {
	char *cmd; /* formatted RESP, kept until the reply is final */
	size_t len;
	int node;  /* -1: a MULTI not sent yet (its node is the next key's) */
	unsigned epoch; /* the node's epoch when sent */
	int redirects;
	int txn;   /* inside MULTI ... EXEC: a redirect cannot be followed */
	int scan;  /* SCAN: the reply's cursor is made cluster-wide */
	redisReply *reply;
};

struct redis_cluster {
	struct cnode *nodes;
	size_t n_nodes, cap_nodes;
	uint16_t slot_node[REDIS_CLUSTER_SLOTS];
	struct centry *f; /* the FIFO: ids f_base + index, pending from f_head */
	size_t f_head, f_n, f_cap, f_base;
	char *user, *password;
	const char *scheme;
	int64_t timeout_ms;
	struct redis_tls_ctx *tls_ctx; /* the seed's, borrowed */
	int stale;    /* a MOVED was seen: reload the map when nothing is pending */
	int dirty;    /* commands queued on some node and not yet sent */
	int txn;      /* between MULTI and EXEC / DISCARD */
	int txn_node; /* the transaction's node; -1 while MULTI waits for a key */
	size_t multi_id;
	unsigned txn_epoch; /* that node's epoch when MULTI went out */
	/* A reply lost with its node's connection: the caller gives up on the
	 * replies still owed, as it would on a standalone server's lost socket,
	 * so every later call fails the same way (a later reply must never be
	 * taken for an earlier command's). */
	int broken;
	perr why_broken;
};

int redis_conn_is_cluster(const struct redis_conn *c)
{
	return c->cluster != NULL;
}

/* ---- nodes ------------------------------------------------------------------ */

/* The index of the node at host:port, added (not connected) when new;
 * -1 when out of memory or past CLUSTER_MAX_NODES. */
static int node_find(struct redis_cluster *k, const char *host, int port, perr *e)
{
	for (size_t i = 0; i < k->n_nodes; i++)
		if (k->nodes[i].host && k->nodes[i].port == port && strcmp(k->nodes[i].host, host) == 0)
			return (int)i;
	if (k->n_nodes >= CLUSTER_MAX_NODES)
		return perr_set(e, PX_IOERR, "Redis Cluster: more than %d nodes", CLUSTER_MAX_NODES);
	if (px_grow(&k->nodes, &k->cap_nodes, k->n_nodes + 1, sizeof *k->nodes, e) < 0)
		return -1;
	struct cnode *n = &k->nodes[k->n_nodes];
	memset(n, 0, sizeof *n);
	redis_conn_init(&n->conn, k->timeout_ms);
	n->port = port;
	n->conn.tls_ctx = k->tls_ctx;
	int v6 = strchr(host, ':') != NULL;
	if (!(n->host = px_strdup(host, e)) ||
	    !(n->conn.display = px_asprintf(e, "%s://%s%s%s:%d/0 (a cluster node)", k->scheme,
					    v6 ? "[" : "", host, v6 ? "]" : "", port))) {
		free(n->host);
		return -1;
	}
	return (int)k->n_nodes++;
}

static void node_fail(struct redis_cluster *k, size_t i, const perr *why)
{
	struct cnode *n = &k->nodes[i];
	n->fail = *why;
	n->epoch++;
	n->q_head = n->q_n = 0;
	redis_conn_disconnect(&n->conn);
}

/* Connect to node i unless it is: its own socket, AUTH as the seed did
 * (a cluster has db 0 only: no SELECT). */
static int node_ensure(struct redis_cluster *k, size_t i, perr *e)
{
	struct cnode *n = &k->nodes[i];
	if (n->conn.fd >= 0)
		return 0;
	n->conn.open_deadline = redis_now_ms() + n->conn.timeout_ms;
	int rc = redis_conn_connect(&n->conn, n->host, n->port, n->socket, e) < 0 ||
		 redis_conn_handshake(&n->conn, k->user, k->password, 0, e) < 0 ? -1 : 0;
	n->conn.open_deadline = 0;
	if (rc < 0)
		node_fail(k, i, e);
	return rc;
}

static struct centry *entry(struct redis_cluster *k, size_t id)
{
	return &k->f[id - k->f_base];
}

/* Queue entry `id` on node i (ASKING first when asked): connected, bytes
 * in its output, id in its queue. */
static int send_to(struct redis_cluster *k, size_t id, size_t i, int asking, perr *e)
{
	static const char asking_cmd[] = "*1\r\n$6\r\nASKING\r\n";
	struct cnode *n = &k->nodes[i];
	if (node_ensure(k, i, e) < 0 || px_grow(&n->q, &n->q_cap, n->q_n + 2, sizeof *n->q, e) < 0)
		return -1;
	if (asking) {
		if (redis_node_append_raw(&n->conn, asking_cmd, sizeof asking_cmd - 1, e) < 0)
			return -1;
		n->q[n->q_n++] = CLUSTER_DISCARD;
	}
	struct centry *x = entry(k, id);
	if (redis_node_append_raw(&n->conn, x->cmd, x->len, e) < 0)
		return -1;
	n->q[n->q_n++] = id;
	x->node = (int)i;
	x->epoch = n->epoch;
	k->dirty = 1;
	return 0;
}

/* Read node i's next reply onto the entry it belongs to. */
static int read_one(struct redis_cluster *k, size_t i, perr *e)
{
	struct cnode *n = &k->nodes[i];
	if (n->q_head == n->q_n) { /* cannot happen: every entry sent is queued */
		perr_set(e, PX_IOERR, "Redis at %s: a reply was expected with none owed", n->conn.display);
		node_fail(k, i, e);
		return -1;
	}
	redisReply *r = redis_node_reply(&n->conn, e);
	if (!r) {
		node_fail(k, i, e);
		return -1;
	}
	size_t id = n->q[n->q_head++];
	if (n->q_head == n->q_n)
		n->q_head = n->q_n = 0;
	if (id == CLUSTER_DISCARD)
		freeReplyObject(r);
	else
		entry(k, id)->reply = r;
	return 0;
}

/* ---- the map -------------------------------------------------------------- */

/* A CLUSTER SLOTS reply: [[start, end, [host, port, id...], replicas...]...].
 * An empty, NULL or "?" host means "where you asked" (the seed's host). */
static int load_slots(struct redis_cluster *k, const redisReply *r, perr *e)
{
	/* filled in place: a map cut short (out of memory) sends some keys to
	 * the seed, whose MOVED then fixes them one by one */
	uint16_t *map = k->slot_node;
	const char *seed_host = k->nodes[0].host ? k->nodes[0].host : "localhost";
	for (size_t s = 0; s < REDIS_CLUSTER_SLOTS; s++)
		map[s] = CLUSTER_NO_NODE;
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *x = r->element[i];
		if (x->type != REDIS_REPLY_ARRAY || x->elements < 3 || x->element[0]->type != REDIS_REPLY_INTEGER ||
		    x->element[1]->type != REDIS_REPLY_INTEGER || x->element[2]->type != REDIS_REPLY_ARRAY ||
		    x->element[2]->elements < 2 || x->element[2]->element[1]->type != REDIS_REPLY_INTEGER)
			return perr_set(e, PX_IOERR, "Redis Cluster: malformed CLUSTER SLOTS reply");
		long long from = x->element[0]->integer, to = x->element[1]->integer;
		const redisReply *h = x->element[2]->element[0];
		const char *host = h->type == REDIS_REPLY_STRING && h->len && strcmp(h->str, "?") ? h->str : seed_host;
		long long port = x->element[2]->element[1]->integer;
		if (from < 0 || to >= REDIS_CLUSTER_SLOTS || from > to || port <= 0 || port > 65535)
			return perr_set(e, PX_IOERR, "Redis Cluster: CLUSTER SLOTS names slots %lld-%lld on port %lld",
					from, to, port);
		int n = node_find(k, host, (int)port, e);
		if (n < 0)
			return -1;
		for (long long s = from; s <= to; s++)
			map[s] = (uint16_t)n;
	}
	for (size_t i = 0; i < k->n_nodes; i++)
		k->nodes[i].slots = 0;
	for (size_t s = 0; s < REDIS_CLUSTER_SLOTS; s++)
		if (map[s] != CLUSTER_NO_NODE)
			k->nodes[map[s]].slots++;
	return 0;
}

/* Reload the map from the first node that answers; only when nothing is
 * pending (each node's next reply must be ours).  On failure the map
 * keeps what the redirects taught it. */
static void refresh(struct redis_cluster *k)
{
	const char *argv[2] = { "CLUSTER", "SLOTS" };
	k->stale = 0;
	for (size_t i = 0; i < k->n_nodes; i++) {
		perr e = { 0 };
		struct cnode *n = &k->nodes[i];
		if (node_ensure(k, i, &e) < 0 || redis_node_append(&n->conn, 2, argv, NULL, &e) < 0)
			continue;
		redisReply *r = redis_node_reply(&n->conn, &e);
		if (!r) {
			node_fail(k, i, &e);
			continue;
		}
		int ok = r->type == REDIS_REPLY_ARRAY && load_slots(k, r, &e) == 0;
		freeReplyObject(r);
		if (ok)
			return;
	}
}

/* ---- SCAN over every master ------------------------------------------------ */

/* A cluster-wide cursor is server_cursor * CLUSTER_MAX_NODES + node: 0
 * starts at the first master, and a master's end moves to the next one.
 * A server's cursor indexes its hash table (2^k buckets), far below the
 * 2^54 this leaves it. */
static int next_master(const struct redis_cluster *k, size_t from)
{
	for (size_t i = from; i < k->n_nodes; i++)
		if (k->nodes[i].slots)
			return (int)i;
	return -1;
}

static int scan_out(struct redis_cluster *k, const struct centry *x, redisReply *r, perr *e)
{
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING)
		return 0; /* an error or a malformed reply: the caller's check says so */
	redisReply *cur = r->element[0];
	unsigned long long real = strtoull(cur->str, NULL, 10), v = 0;
	if (real > (UINT64_MAX - CLUSTER_MAX_NODES) / CLUSTER_MAX_NODES)
		return perr_set(e, PX_IOERR, "Redis Cluster: SCAN cursor %s of %s is too large", cur->str,
				k->nodes[x->node].conn.display);
	if (real) {
		v = real * CLUSTER_MAX_NODES + (unsigned long long)x->node;
	} else {
		int next = next_master(k, (size_t)x->node + 1);
		v = next < 0 ? 0 : (unsigned long long)next;
	}
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%llu", v);
	char *s = malloc((size_t)n + 1);
	if (!s)
		return perr_set(e, PX_IOERR, "out of memory");
	memcpy(s, buf, (size_t)n + 1);
	free(cur->str); /* hiredis allocates reply strings with malloc */
	cur->str = s;
	cur->len = (size_t)n;
	return 0;
}

/* ---- appending --------------------------------------------------------------- */

static int push_entry(struct redis_cluster *k, int argc, const char **argv, const size_t *len,
		      size_t *id, perr *e)
{
	if (k->f_head && k->f_head * 2 >= k->f_n) { /* keep the FIFO as long as what is pending */
		memmove(k->f, k->f + k->f_head, (k->f_n - k->f_head) * sizeof *k->f);
		k->f_base += k->f_head;
		k->f_n -= k->f_head;
		k->f_head = 0;
	}
	if (px_grow(&k->f, &k->f_cap, k->f_n + 1, sizeof *k->f, e) < 0)
		return -1;
	char *cmd = NULL;
	int n = redisFormatCommandArgv(&cmd, argc, argv, len);
	if (n < 0)
		return perr_set(e, PX_IOERR, "Redis Cluster: cannot queue %s: out of memory", argv[0]);
	k->f[k->f_n] = (struct centry){ .cmd = cmd, .len = (size_t)n, .node = -1 };
	*id = k->f_base + k->f_n++;
	return 0;
}

/* Take back the newest entry (its send failed). */
static void pop_newest(struct redis_cluster *k)
{
	free(k->f[--k->f_n].cmd);
}

static int route(const struct redis_cluster *k, int argc, const char **argv, const size_t *len)
{
	int ki = redis_cluster_key_index(argc, argv, len);
	if (ki < 0)
		return 0;
	unsigned s = redis_key_slot(argv[ki], len ? len[ki] : strlen(argv[ki]));
	return k->slot_node[s] == CLUSTER_NO_NODE ? 0 : k->slot_node[s];
}

static int append_scan(struct redis_cluster *k, int argc, const char **argv, const size_t *len,
		       perr *e)
{
	/* SCAN cursor [MATCH p] [COUNT n] [TYPE t]: at most 8 arguments */
	const char *v[8];
	size_t l[8];
	char real[24];
	if (argc < 2 || argc > 8)
		return perr_set(e, PX_USAGE, "Redis Cluster: SCAN with %d arguments", argc);
	unsigned long long cur = strtoull(argv[1], NULL, 10);
	int node = next_master(k, (size_t)(cur % CLUSTER_MAX_NODES));
	if (node != (int)(cur % CLUSTER_MAX_NODES))
		cur = 0; /* that node serves no slot now: the next one from its start */
	snprintf(real, sizeof real, "%llu", cur / CLUSTER_MAX_NODES);
	for (int i = 0; i < argc; i++) {
		v[i] = i == 1 ? real : argv[i];
		l[i] = i == 1 ? strlen(real) : len ? len[i] : strlen(argv[i]);
	}
	size_t id;
	if (push_entry(k, argc, v, l, &id, e) < 0)
		return -1;
	entry(k, id)->scan = node >= 0;
	if (send_to(k, id, node < 0 ? 0 : (size_t)node, 0, e) < 0) {
		pop_newest(k);
		return -1;
	}
	return 0;
}

int redis_cluster_append(struct redis_conn *c, int argc, const char **argv, const size_t *len,
			 perr *e)
{
	perr local;
	if (!e)
		e = &local;
	struct redis_cluster *k = c->cluster;
	if (k->broken) {
		*e = k->why_broken;
		return -1;
	}
	if (k->stale && k->f_head == k->f_n)
		refresh(k);
	size_t id;
	if (!k->txn && strcasecmp(argv[0], "MULTI") == 0) {
		/* sent with the transaction's first keyed command, to its node */
		if (push_entry(k, argc, argv, len, &id, e) < 0)
			return -1;
		entry(k, id)->txn = 1;
		k->txn = 1;
		k->txn_node = -1;
		k->multi_id = id;
		return 0;
	}
	if (!k->txn && strcasecmp(argv[0], "SCAN") == 0)
		return append_scan(k, argc, argv, len, e);
	int node = k->txn && k->txn_node >= 0 ? k->txn_node : route(k, argc, argv, len);
	if (k->txn && k->txn_node < 0) {
		if (send_to(k, k->multi_id, (size_t)node, 0, e) < 0)
			return -1;
		k->txn_node = node;
		k->txn_epoch = k->nodes[node].epoch;
	} else if (k->txn && k->nodes[node].epoch != k->txn_epoch) {
		/* a new connection would run the rest outside the transaction */
		return perr_set(e, PX_UNAVAILABLE, "%s (the connection was lost inside a transaction)",
				k->nodes[node].fail.msg);
	}
	if (push_entry(k, argc, argv, len, &id, e) < 0)
		return -1;
	entry(k, id)->txn = k->txn;
	if (send_to(k, id, (size_t)node, 0, e) < 0) {
		pop_newest(k);
		return -1;
	}
	if (k->txn && (!strcasecmp(argv[0], "EXEC") || !strcasecmp(argv[0], "DISCARD")))
		k->txn = 0;
	return 0;
}

/* ---- replies -------------------------------------------------------------- */

/* "MOVED 3999 127.0.0.1:6381" / "ASK ...": the node (added when new) and
 * the slot; -1 when the reply is not one. */
static int parse_redirect(struct redis_cluster *k, const char *msg, unsigned *slot, perr *e)
{
	const char *sp = strchr(msg, ' ');
	const char *addr = sp ? strchr(sp + 1, ' ') : NULL;
	const char *colon = addr ? strrchr(addr, ':') : NULL;
	if (!colon)
		return -1;
	char *end;
	unsigned long s = strtoul(sp + 1, &end, 10);
	long port = strtol(colon + 1, NULL, 10);
	if (end != addr || s >= REDIS_CLUSTER_SLOTS || port <= 0 || port > 65535)
		return -1;
	char host[256];
	size_t hl = (size_t)(colon - addr - 1);
	if (hl >= sizeof host)
		return -1;
	memcpy(host, addr + 1, hl);
	host[hl] = '\0';
	if (hl > 1 && host[0] == '[' && host[hl - 1] == ']') {
		memmove(host, host + 1, hl - 2);
		host[hl - 2] = '\0';
	}
	*slot = (unsigned)s;
	return node_find(k, hl ? host : (k->nodes[0].host ? k->nodes[0].host : "localhost"), (int)port, e);
}

static int is_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Follow a redirect of entry `id` (reply r, already detached): 1 resent,
 * 0 not a redirect it may follow (r is the answer), -1 failed (e set). */
static int follow(struct redis_cluster *k, size_t id, const redisReply *r, perr *e)
{
	struct centry *x = entry(k, id);
	if (r->type != REDIS_REPLY_ERROR)
		return 0;
	int moved = is_prefix(r->str, "MOVED "), ask = is_prefix(r->str, "ASK "),
	    again = is_prefix(r->str, "TRYAGAIN");
	if (!moved && !ask && !again)
		return 0;
	unsigned slot = 0;
	perr ignored = { 0 };
	int node = again ? x->node : parse_redirect(k, r->str, &slot, &ignored);
	if (node < 0)
		return 0;
	if (moved) {
		k->slot_node[slot] = (uint16_t)node;
		k->stale = 1;
	}
	if (x->txn || x->redirects >= CLUSTER_MAX_REDIRECTS)
		return 0; /* the answer stands: a transaction cannot be split */
	x->redirects++;
	if (again) {
		struct timespec ts = { 0, CLUSTER_TRYAGAIN_MS * 1000000L };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	return send_to(k, id, (size_t)node, ask, e) < 0 ? -1 : 1;
}

/* Send what every node has queued, so they all work at once. */
static void flush_all(struct redis_cluster *k, perr *e)
{
	k->dirty = 0;
	for (size_t i = 0; i < k->n_nodes; i++)
		if (k->nodes[i].conn.fd >= 0 && redis_node_flush(&k->nodes[i].conn, e) < 0)
			node_fail(k, i, e); /* its entries fail when their turn comes */
}

redisReply *redis_cluster_reply(struct redis_conn *c, perr *e)
{
	perr local;
	if (!e)
		e = &local;
	struct redis_cluster *k = c->cluster;
	if (k->broken)
		return *e = k->why_broken, (redisReply *)NULL;
	if (k->f_head == k->f_n)
		return perr_set(e, PX_IOERR, "Redis at %s: no command is waiting for a reply", c->display), NULL;
	size_t id = k->f_base + k->f_head;
	if (entry(k, id)->node < 0 && send_to(k, id, 0, 0, e) < 0) { /* a MULTI read before any key */
		entry(k, id)->node = 0;
		entry(k, id)->epoch = k->nodes[0].epoch - 1; /* failed: the loop below says why */
		k->nodes[0].fail = *e;
	}
	if (k->dirty)
		flush_all(k, e);
	redisReply *r = NULL;
	for (;;) {
		struct centry *x = entry(k, id);
		struct cnode *n = &k->nodes[x->node];
		while (!x->reply && x->epoch == n->epoch && read_one(k, (size_t)x->node, e) == 0)
			;
		if (!x->reply) {
			*e = n->fail;
			break;
		}
		r = x->reply;
		x->reply = NULL;
		int f = follow(k, id, r, e);
		if (f == 0)
			break;
		freeReplyObject(r);
		r = NULL;
		if (f < 0)
			break;
		if (k->dirty)
			flush_all(k, e);
	}
	struct centry *x = entry(k, id);
	if (!r) {
		k->broken = 1;
		k->why_broken = *e;
	}
	if (r && x->scan && scan_out(k, x, r, e) < 0) {
		freeReplyObject(r);
		r = NULL;
	}
	free(x->cmd);
	if (++k->f_head == k->f_n) {
		k->f_base += k->f_n;
		k->f_head = k->f_n = 0;
	}
	return r;
}

/* ---- finding a cluster -------------------------------------------------------- */

int redis_cluster_detect(struct redis_conn *c, const struct redis_url *u, perr *e)
{
	const char *argv[2] = { "CLUSTER", "SLOTS" };
	if (redis_node_append(c, 2, argv, NULL, e) < 0)
		return -1;
	redisReply *r = redis_node_reply(c, e);
	if (!r)
		return -1;
	if (r->type != REDIS_REPLY_ARRAY) {
		/* "cluster support disabled" (standalone), a Sentinel's unknown
		 * command, or an ACL user that may not ask: the first MOVED says it */
		c->cluster_refused = r->type == REDIS_REPLY_ERROR && is_prefix(r->str, "NOPERM");
		freeReplyObject(r);
		return 0;
	}
	struct redis_cluster *k = calloc(1, sizeof *k);
	int rc = k ? 0 : perr_set(e, PX_IOERR, "out of memory");
	if (rc == 0) {
		k->scheme = u->tls ? "rediss" : "redis";
		k->timeout_ms = c->timeout_ms;
		k->tls_ctx = c->tls_ctx;
		k->nodes = calloc(1, sizeof *k->nodes);
		k->n_nodes = k->cap_nodes = 1;
		if (!k->nodes || (u->user && !(k->user = strdup(u->user))) ||
		    (u->password && !(k->password = strdup(u->password))) ||
		    (u->host && !(k->nodes[0].host = strdup(u->host))) ||
		    (u->socket && !(k->nodes[0].socket = strdup(u->socket))) ||
		    !(k->nodes[0].conn.display = strdup(c->display)))
			rc = perr_set(e, PX_IOERR, "out of memory");
	}
	if (rc == 0) {
		/* the seed's socket becomes node 0; c keeps its display and TLS settings */
		struct cnode *seed = &k->nodes[0];
		char *display = seed->conn.display;
		seed->port = u->port;
		seed->conn = *c;
		seed->conn.display = display;
		seed->conn.open_deadline = 0;
		c->fd = -1;
		c->tls = NULL;
		c->reader = NULL;
		c->out = NULL;
		c->stash = NULL;
		c->sentinel_of = NULL;
		c->out_n = c->out_off = c->out_cap = c->queued = c->n_stash = c->stash_at = 0;
		c->cluster = k;
		rc = load_slots(k, r, e);
	} else if (k) {
		redis_cluster_free(k);
	}
	freeReplyObject(r);
	return rc;
}

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s)); /* do not leave a password in freed memory */
	free(s);
}

void redis_cluster_free(struct redis_cluster *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n_nodes; i++) {
		struct cnode *n = &k->nodes[i];
		redis_conn_disconnect(&n->conn);
		free(n->conn.display);
		free(n->host);
		free(n->socket);
		free(n->q);
	}
	for (size_t i = k->f_head; i < k->f_n; i++) {
		free(k->f[i].cmd);
		if (k->f[i].reply)
			freeReplyObject(k->f[i].reply);
	}
	free(k->f);
	free(k->nodes);
	wipe_free(k->user);
	wipe_free(k->password);
	free(k);
}
