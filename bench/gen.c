/*
 * bench/gen.c - deterministic generator of realistic Papyra NDJSON records.
 *
 * Records have exactly the shapes of SPEC section 2.1, written the way the
 * reference single-file writer writes them (Python json.dumps defaults:
 * ", " and ": " separators, non-ASCII kept as UTF-8, floats in Python's
 * shortest repr, one record per line).
 *
 *   gen [--bytes N] [--seed S] [--corrupt K] [--truncate-tail] [--stats]
 *       Benchmark stream on stdout, whole records, at most N bytes
 *       (default 1000000).  The stream for a given seed does not depend on
 *       N, so a smaller N gives a prefix of a larger file.  --corrupt K
 *       damages K lines spread evenly over the file (records cut in half,
 *       a half record joined to the next one, an ASCII garbage line, a run
 *       of NUL bytes); --truncate-tail also cuts the last record (no
 *       trailing newline).  --stats prints counts on stderr.
 *
 *   gen --incident [--seed S]
 *       The demo incident of examples/ (see examples/README.md) on stdout:
 *       about an hour of an actor system with a crash storm, dead letters
 *       piling up on local:42, one corrupted line in the middle and a
 *       truncated tail.  A summary of the story (line numbers, times) goes
 *       to stderr.
 *
 * Build: cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 \
 *           -o build/bench/gen bench/gen.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* output buffer                                                        */

typedef struct {
    char *p;
    size_t len, cap;
} Buf;

static void die(const char *msg)
{
    fprintf(stderr, "gen: %s\n", msg);
    exit(1);
}

static void buf_grow(Buf *b, size_t extra)
{
    size_t nc = b->cap ? b->cap : 4096;
    while (nc < b->len + extra)
        nc *= 2;
    char *np = realloc(b->p, nc);
    if (!np)
        die("out of memory");
    b->p = np;
    b->cap = nc;
}

static inline void put(Buf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap)
        buf_grow(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static inline void putch(Buf *b, char c)
{
    if (b->len + 1 > b->cap)
        buf_grow(b, 1);
    b->p[b->len++] = c;
}

#define PUTL(b, lit) put((b), lit, sizeof(lit) - 1)

typedef struct {
    const char *s;
    size_t n;
} Str;

#define S(lit) { lit, sizeof(lit) - 1 }
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static inline void puts_s(Buf *b, Str s) { put(b, s.s, s.n); }

static void put_u64(Buf *b, uint64_t v)
{
    char t[24];
    int i = 24;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(b, t + i, (size_t)(24 - i));
}

static void put_i64(Buf *b, int64_t v)
{
    if (v < 0) {
        putch(b, '-');
        put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(b, (uint64_t)v);
    }
}

/* v zero-padded to width digits */
static void put_pad(Buf *b, uint64_t v, int width)
{
    char t[24];
    int i = 24;
    while (width-- > 0 || v) {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
        if (i == 0)
            break;
    }
    put(b, t + i, (size_t)(24 - i));
}

/*
 * A float whose value is whole / 10^digits, in Python's repr.  For the
 * magnitudes used here (timestamps ~1.7e9 with 6 decimals, payload numbers
 * below 1e6 with 3 decimals) every such decimal maps to a distinct double
 * whose shortest repr is that decimal without its trailing zeros (at least
 * one digit after the point, as Python writes "1.0").
 */
static void put_fixed(Buf *b, uint64_t whole, int digits)
{
    uint64_t p = 1;
    for (int i = 0; i < digits; i++)
        p *= 10;
    put_u64(b, whole / p);
    putch(b, '.');
    uint64_t f = whole % p;
    if (f == 0) {
        putch(b, '0');
        return;
    }
    while (f % 10 == 0) {
        f /= 10;
        digits--;
    }
    put_pad(b, f, digits);
}

static inline void put_ts(Buf *b, uint64_t us) { put_fixed(b, us, 6); }

static void put_hex(Buf *b, uint64_t v, int width)
{
    static const char hx[] = "0123456789abcdef";
    char t[16];
    for (int i = width - 1; i >= 0; i--) {
        t[i] = hx[v & 15];
        v >>= 4;
    }
    put(b, t, (size_t)width);
}

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64, deterministic for a seed                           */

typedef struct {
    uint64_t s;
} Rng;

static inline uint64_t rnd(Rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* uniform in [0, n), n < 2^32 */
static inline uint32_t below(Rng *r, uint32_t n)
{
    return (uint32_t)(((rnd(r) >> 32) * (uint64_t)n) >> 32);
}

/* uniform in [lo, hi] */
static inline uint32_t range(Rng *r, uint32_t lo, uint32_t hi)
{
    return lo + below(r, hi - lo + 1);
}

#define PICK(r, arr) ((arr)[below((r), (uint32_t)COUNT(arr))])

/* ------------------------------------------------------------------ */
/* vocabulary (already JSON-escaped where needed)                       */

static const Str actor_names[] = {
    S("payments-worker"), S("order-worker"), S("inventory-sync"),
    S("http-gateway"), S("ledger-writer"), S("fraud-scorer"),
    S("session"), S("mailer"), S("通知サービス"), S("süßwaren-katalog"),
    S("мониторинг"), S("report-builder"), S("psp-client"), S("cache-warmer"),
};

static const Str regions[] = {
    S("eu-west-1"), S("eu-central-1"), S("us-east-1"), S("ap-northeast-1"),
};

static const Str tiers[] = {
    S("tier-gold"), S("tier-silver"), S("tier-bronze"), S("canary"),
};

static const Str people[] = {
    S("Zoë Ångström"), S("José Müller"), S("Łukasz Wróbel"), S("田中太郎"),
    S("Ελένη Παπαδοπούλου"), S("Олег Петров"), S("محمد علي"),
    S("Søren Kierkegaard"), S("Chloé Dubois"), S("Ada Lovelace"),
    S("Grace Hopper"), S("Nguyễn Văn An"), S("Björk Guðmundsdóttir"),
    S("Ivan O'Brien"),
};

static const Str countries[] = {
    S("DE"), S("FR"), S("PL"), S("JP"), S("GR"), S("UA"), S("EG"), S("DK"),
    S("US"), S("VN"), S("IS"), S("IE"),
};

static const Str currencies[] = { S("EUR"), S("EUR"), S("USD"), S("GBP"), S("PLN"), S("JPY") };

static const Str errors[] = {
    S("ValueError: invalid literal for int() with base 10: 'abc'"),
    S("KeyError: 'customer_id'"),
    S("TimeoutError: PSP did not answer within 5.0s"),
    S("ConnectionError: HTTPSConnectionPool(host='psp.example.net', port=443): Max retries exceeded"),
    S("RuntimeError: upstream timeout after 30.0s"),
    S("ZeroDivisionError: division by zero"),
    S("AttributeError: 'NoneType' object has no attribute 'items'"),
    S("asyncio.exceptions.CancelledError"),
    S("OSError: [Errno 24] Too many open files"),
    S("UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 7: invalid start byte"),
    S("Traceback (most recent call last):\\n  File \\\"/app/workers/payments.py\\\", line 88, in handle\\n    resp = await client.charge(req)\\nTimeoutError: read timed out"),
    S("Traceback (most recent call last):\\n  File \\\"/app/sync/inventory.py\\\", line 214, in reserve\\n    row = rows[sku]\\nKeyError: 'SKU-00417'"),
};

static const Str stop_reasons[] = {
    S("\"shutdown\""), S("\"shutdown\""), S("null"), S("\"idle timeout after 300s\""),
    S("\"failure: max restarts exceeded (3 in 60s)\""), S("\"client disconnected\""),
};

static const Str trace_ctx_types[] = {
    S("PaymentRequest"), S("OrderPlaced"), S("InventoryReserve"), S("SendEmail"),
    S("RefundRequest"), S("Heartbeat"),
};

static const Str subjects[] = {
    S("Ihre Bestellung ist unterwegs"), S("Votre commande a été expédiée"),
    S("ご注文ありがとうございます"), S("Twoje zamówienie zostało wysłane"),
    S("Your order has shipped 🚀"), S("Замовлення підтверджено"),
};

static const Str warehouses[] = { S("FRA-1"), S("WAW-2"), S("DUB-1"), S("NRT-3") };

static const Str floats_small[] = {
    S("0.1"), S("0.25"), S("0.5"), S("1.0"), S("2.5"), S("1e-05"), S("0.001"),
};

/* ------------------------------------------------------------------ */
/* record writers shared by both modes                                  */

static void put_address(Buf *b, uint32_t id)
{
    PUTL(b, "{\"system\": \"local\", \"actor_id\": ");
    put_u64(b, id);
    putch(b, '}');
}

static void event_head(Buf *b, uint32_t actor, const char *type, size_t tlen)
{
    PUTL(b, "{\"kind\": \"event\", \"system_id\": \"local\", \"actor_address\": ");
    put_address(b, actor);
    PUTL(b, ", \"event_type\": \"");
    put(b, type, tlen);
    PUTL(b, "\", \"payload\": ");
}

static void record_tail(Buf *b, uint64_t ts_us)
{
    PUTL(b, ", \"timestamp\": ");
    put_ts(b, ts_us);
    PUTL(b, "}\n");
}

static void dead_letter_head(Buf *b, int target_form, uint32_t target, Str mtype)
{
    PUTL(b, "{\"kind\": \"dead_letter\", \"system_id\": \"local\", \"target\": ");
    if (target_form == 0) {
        put_address(b, target);
    } else if (target_form == 1) {
        PUTL(b, "null");
    } else {
        PUTL(b, "\"local:");
        put_u64(b, target);
        putch(b, '"');
    }
    PUTL(b, ", \"message_type\": \"");
    puts_s(b, mtype);
    PUTL(b, "\", \"payload\": ");
}

typedef struct {
    uint64_t ts;
    uint32_t total, alive, stopping, restarting, registry_size;
    const char *orphans;  /* JSON array text */
    const char *dead;     /* JSON array text */
    uint64_t dead_letters;
} Audit;

static void put_audit(Buf *b, const Audit *a)
{
    PUTL(b, "{\"kind\": \"audit\", \"system_id\": \"local\", \"timestamp\": ");
    put_ts(b, a->ts);
    PUTL(b, ", \"total_actors\": ");
    put_u64(b, a->total);
    PUTL(b, ", \"alive_actors\": ");
    put_u64(b, a->alive);
    PUTL(b, ", \"stopping_actors\": ");
    put_u64(b, a->stopping);
    PUTL(b, ", \"restarting_actors\": ");
    put_u64(b, a->restarting);
    PUTL(b, ", \"registry_size\": ");
    put_u64(b, a->registry_size);
    PUTL(b, ", \"registry_orphans\": ");
    put(b, a->orphans, strlen(a->orphans));
    PUTL(b, ", \"registry_dead\": ");
    put(b, a->dead, strlen(a->dead));
    PUTL(b, ", \"dead_letters_count\": ");
    put_u64(b, a->dead_letters);
    PUTL(b, "}\n");
}

static void put_payment(Buf *b, Rng *r, uint64_t order, uint32_t attempt)
{
    PUTL(b, "{\"order_id\": \"ord-");
    put_pad(b, order, 6);
    PUTL(b, "\", \"amount_cents\": ");
    put_u64(b, range(r, 199, 48999));
    PUTL(b, ", \"currency\": \"");
    puts_s(b, PICK(r, currencies));
    PUTL(b, "\", \"customer\": {\"id\": \"cus-");
    put_pad(b, range(r, 1, 99999), 5);
    PUTL(b, "\", \"name\": \"");
    uint32_t who = below(r, (uint32_t)COUNT(people));
    puts_s(b, people[who]);
    PUTL(b, "\", \"country\": \"");
    puts_s(b, countries[who % COUNT(countries)]);
    PUTL(b, "\"}, \"attempt\": ");
    put_u64(b, attempt);
    PUTL(b, ", \"idempotency_key\": \"pay-");
    put_pad(b, order, 6);
    putch(b, '-');
    put_u64(b, attempt);
    PUTL(b, "\"}");
}

/* ------------------------------------------------------------------ */
/* benchmark mode                                                       */

typedef struct {
    Rng r;
    uint64_t ts;      /* microseconds */
    uint64_t order;
    uint64_t dead_letters;
    uint32_t restarts[64];
} Bench;

static void bench_event(Buf *b, Bench *g)
{
    Rng *r = &g->r;
    uint32_t actor = range(r, 1, 4096);
    uint32_t k = below(r, 100);
    if (k < 30) {
        event_head(b, actor, "ActorStarted", 12);
        if (below(r, 5) == 0) {
            PUTL(b, "{}");
        } else {
            PUTL(b, "{\"name\": \"");
            puts_s(b, PICK(r, actor_names));
            putch(b, '-');
            put_u64(b, actor);
            PUTL(b, "\", \"config\": {\"retries\": ");
            put_u64(b, range(r, 1, 5));
            PUTL(b, ", \"backoff_s\": [");
            puts_s(b, PICK(r, floats_small));
            PUTL(b, ", ");
            puts_s(b, PICK(r, floats_small));
            PUTL(b, "], \"limits\": {\"rps\": ");
            put_fixed(b, range(r, 1000, 999999), 3);
            PUTL(b, ", \"burst\": ");
            put_u64(b, range(r, 1, 64));
            PUTL(b, "}}, \"labels\": [\"");
            puts_s(b, PICK(r, regions));
            PUTL(b, "\", \"");
            puts_s(b, PICK(r, tiers));
            PUTL(b, "\"]}");
        }
    } else if (k < 55) {
        event_head(b, actor, "ActorStopped", 12);
        PUTL(b, "{\"reason\": ");
        puts_s(b, PICK(r, stop_reasons));
        if (below(r, 3) == 0) {
            PUTL(b, ", \"uptime_s\": ");
            put_fixed(b, range(r, 1, 86400000), 3);
        }
        putch(b, '}');
    } else if (k < 77) {
        event_head(b, actor, "ActorCrashed", 12);
        PUTL(b, "{\"error\": \"");
        puts_s(b, PICK(r, errors));
        PUTL(b, "\", \"reason\": ");
        if (below(r, 2))
            PUTL(b, "null");
        else
            PUTL(b, "\"supervisor\"");
        PUTL(b, ", \"context\": {\"message_type\": \"");
        puts_s(b, PICK(r, trace_ctx_types));
        PUTL(b, "\", \"attempt\": ");
        put_u64(b, range(r, 1, 6));
        PUTL(b, ", \"trace_id\": \"");
        put_hex(b, rnd(r), 16);
        putch(b, '"');
        if (below(r, 1000) == 0)   /* the reference writer emits NaN as is */
            PUTL(b, ", \"latency_ms\": NaN");
        PUTL(b, "}}");
    } else {
        event_head(b, actor, "ActorRestarted", 14);
        PUTL(b, "{\"reason\": \"");
        puts_s(b, PICK(r, errors));
        PUTL(b, "\", \"restarts\": ");
        put_u64(b, ++g->restarts[actor & 63] % 6);
        PUTL(b, ", \"window_s\": 60}");
    }
    record_tail(b, g->ts);
}

static void bench_dead_letter(Buf *b, Bench *g)
{
    Rng *r = &g->r;
    uint32_t form = below(r, 20);
    int tf = form < 17 ? 0 : form < 19 ? 1 : 2;
    uint32_t target = range(r, 1, 4096);
    uint32_t k = below(r, 100);
    g->dead_letters++;
    if (k < 40) {
        dead_letter_head(b, tf, target, (Str)S("PaymentRequest"));
        put_payment(b, r, ++g->order, range(r, 1, 4));
    } else if (k < 60) {
        dead_letter_head(b, tf, target, (Str)S("SendEmail"));
        PUTL(b, "{\"to\": \"user");
        put_u64(b, range(r, 1, 999999));
        PUTL(b, "@example.com\", \"subject\": \"");
        puts_s(b, PICK(r, subjects));
        PUTL(b, "\", \"template\": \"order-confirmation\", \"order_id\": \"ord-");
        put_pad(b, ++g->order, 6);
        PUTL(b, "\"}");
    } else if (k < 75) {
        dead_letter_head(b, tf, target, (Str)S("InventoryReserve"));
        PUTL(b, "{\"sku\": \"SKU-");
        put_pad(b, range(r, 1, 99999), 5);
        PUTL(b, "\", \"qty\": ");
        put_u64(b, range(r, 1, 12));
        PUTL(b, ", \"warehouse\": \"");
        puts_s(b, PICK(r, warehouses));
        PUTL(b, "\", \"reservation\": {\"ttl_s\": 900, \"priority\": ");
        put_i64(b, (int64_t)range(r, 0, 10) - 5);
        PUTL(b, "}}");
    } else if (k < 88) {
        dead_letter_head(b, tf, target, (Str)S("Heartbeat"));
        PUTL(b, "{\"seq\": ");
        put_u64(b, g->dead_letters);
        PUTL(b, ", \"sent_at\": ");
        put_ts(b, g->ts - range(r, 1000, 2000000));
        PUTL(b, ", \"node\": \"");
        puts_s(b, PICK(r, regions));
        PUTL(b, "\"}");
    } else if (k < 94) {
        dead_letter_head(b, tf, target, (Str)S("str"));
        PUTL(b, "\"orphan message: 'hello' \\\"quoted\\\" back\\\\slash from ");
        puts_s(b, PICK(r, people));
        putch(b, '"');
    } else if (k < 97) {
        dead_letter_head(b, tf, target, (Str)S("int"));
        put_u64(b, 9007199254740993ull + below(r, 1000000));
    } else {
        dead_letter_head(b, tf, target, (Str)S("list"));
        PUTL(b, "[1, \"two\", {\"three\": 3.0}, null, true, false, ");
        put_i64(b, (int64_t)range(r, 0, 2000000) - 1000000);
        putch(b, ']');
    }
    record_tail(b, g->ts);
}

static void bench_audit(Buf *b, Bench *g)
{
    Rng *r = &g->r;
    Audit a;
    a.ts = g->ts;
    a.alive = range(r, 200, 4000);
    a.stopping = below(r, 4) == 0 ? range(r, 1, 9) : 0;
    a.restarting = below(r, 3) == 0 ? range(r, 1, 5) : 0;
    a.total = a.alive + a.stopping + a.restarting;
    uint32_t o = below(r, 10);
    a.orphans = o == 0 ? "[\"ghost-1\", \"ghost-2\"]" : o == 1 ? "[\"local:77\"]" : "[]";
    uint32_t d = below(r, 8);
    a.dead = d == 0 ? "[\"local:42\", \"local:43\"]" : d == 1 ? "[\"local:42\"]" : "[]";
    a.registry_size = a.total + (d == 0 ? 2 : d == 1 ? 1 : 0) + (o == 0 ? 2 : o == 1 ? 1 : 0);
    a.dead_letters = g->dead_letters;
    put_audit(b, &a);
}

static void write_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(1, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE)
                exit(0);
            perror("gen: write");
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

static void cut_at_char(const char *p, size_t *at)
{
    /* never cut inside a UTF-8 sequence: the damage is the cut, nothing else */
    while (*at > 1 && ((unsigned char)p[*at] & 0xC0) == 0x80)
        (*at)--;
}

static int run_bench(uint64_t limit, uint64_t seed, uint32_t corrupt, int truncate_tail, int stats)
{
    Bench g;
    memset(&g, 0, sizeof g);
    g.r.s = seed * 0x2545F4914F6CDD1Dull + 0x1234567ull;
    g.ts = 1767225600ull * 1000000ull;
    Buf b = { 0, 0, 0 };
    buf_grow(&b, (size_t)2 << 20);
    const size_t flush_at = (size_t)1 << 20;
    uint64_t total = 0, records = 0, damaged = 0, joined = 0;
    uint64_t next_damage = corrupt ? limit / (2ull * corrupt) : UINT64_MAX;
    uint64_t kinds[3] = { 0, 0, 0 };
    int joined_pending = 0;
    size_t last_start = 0;

    for (;;) {
        size_t start = b.len;
        g.ts += below(&g.r, 2000);
        uint32_t k = below(&g.r, 100);
        int kind = k < 58 ? 0 : k < 66 ? 1 : 2;
        if (kind == 0)
            bench_event(&b, &g);
        else if (kind == 1)
            bench_audit(&b, &g);
        else
            bench_dead_letter(&b, &g);
        size_t rec = b.len - start;
        if (total + rec > limit) {
            b.len = start;
            if (joined_pending && total < limit) { /* never leave the joined line open */
                putch(&b, '\n');
                total++;
            }
            break;
        }
        kinds[kind]++;
        if (joined_pending) {
            joined_pending = 0;
            joined++;
        } else if (total >= next_damage && damaged < corrupt) {
            size_t cut = (rec - 1) / 2;
            cut_at_char(b.p + start, &cut);
            switch (damaged % 5) {
            case 0:
            case 2: /* record cut in half, then a newline (partial write) */
                b.len = start + cut;
                putch(&b, '\n');
                break;
            case 1: /* ASCII garbage line */
                b.len = start;
                PUTL(&b, "#@!garbage}{not json -- written by a misbehaving process\n");
                break;
            case 3: /* a run of NUL bytes, as after a crash on a preallocated block */
                b.len = start;
                for (int i = 0; i < 64; i++)
                    putch(&b, '\0');
                putch(&b, '\n');
                break;
            default: /* half a record joined to the next complete one */
                b.len = start + cut;
                joined_pending = 1;
                break;
            }
            rec = b.len - start;
            damaged++;
            next_damage = limit / (2ull * corrupt) * (2ull * damaged + 1);
        }
        last_start = start;
        total += rec;
        records++;
        if (b.len >= flush_at) {
            size_t keep = b.len - last_start;
            if (truncate_tail) {
                /* keep the last record in memory so that it can be cut */
                write_all(b.p, last_start);
                memmove(b.p, b.p + last_start, keep);
                b.len = keep;
                last_start = 0;
            } else {
                write_all(b.p, b.len);
                b.len = 0;
                last_start = 0;
            }
        }
    }
    if (truncate_tail && b.len > last_start + 2) {
        size_t rec = b.len - last_start;
        size_t cut = (rec - 1) * 3 / 5;
        cut_at_char(b.p + last_start, &cut);
        total -= rec - cut;
        b.len = last_start + cut;
    }
    write_all(b.p, b.len);
    if (stats)
        fprintf(stderr,
                "gen: %llu bytes, %llu lines (events %llu, audits %llu, dead letters %llu), "
                "%llu damaged%s\n",
                (unsigned long long)total, (unsigned long long)(records - joined),
                (unsigned long long)kinds[0], (unsigned long long)kinds[1],
                (unsigned long long)kinds[2], (unsigned long long)damaged,
                truncate_tail ? ", tail truncated" : "");
    free(b.p);
    return 0;
}

/* ------------------------------------------------------------------ */
/* incident mode                                                        */

enum { FX_NONE, FX_START, FX_STOPPING, FX_STOP, FX_CRASH, FX_RESTART, FX_DEAD_LETTER, FX_AUDIT };

typedef struct {
    uint64_t t;      /* microseconds */
    uint32_t seq;
    int fx;
    uint32_t actor;
    int failed;      /* FX_STOP: stopped by failure, stays in the registry as dead */
    char *text;      /* the record, NULL for audits (rendered during the walk) and pseudo items */
} Item;

typedef struct {
    Item *v;
    size_t n, cap;
    uint32_t seq;
    Buf tmp;
} Items;

#define MAX_ACTOR 4096

static void add(Items *it, uint64_t t, int fx, uint32_t actor, int failed, const Buf *text)
{
    if (it->n == it->cap) {
        it->cap = it->cap ? it->cap * 2 : 1024;
        it->v = realloc(it->v, it->cap * sizeof *it->v);
        if (!it->v)
            die("out of memory");
    }
    Item *x = &it->v[it->n++];
    x->t = t;
    x->seq = it->seq++;
    x->fx = fx;
    x->actor = actor;
    x->failed = failed;
    x->text = NULL;
    if (text) {
        x->text = malloc(text->len + 1);
        if (!x->text)
            die("out of memory");
        memcpy(x->text, text->p, text->len);
        x->text[text->len] = '\0';
    }
}

static int item_cmp(const void *a, const void *b)
{
    const Item *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

#define SEC 1000000ull
static const uint64_t T0 = 1767258000ull * SEC; /* 2026-01-01 09:00:00 UTC */

static void fmt_clock(char *out, size_t n, uint64_t us)
{
    time_t s = (time_t)(us / SEC);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, n, "%02d:%02d:%02d.%03u", tm.tm_hour, tm.tm_min, tm.tm_sec,
             (unsigned)(us % SEC / 1000));
}

static const char *boot_name(uint32_t id, char *tmp, size_t n)
{
    if (id == 1) return "root-supervisor";
    if (id >= 2 && id <= 5) { snprintf(tmp, n, "http-gateway-%u", id - 1); return tmp; }
    if (id >= 10 && id <= 17) { snprintf(tmp, n, "order-worker-%u", id - 9); return tmp; }
    if (id >= 20 && id <= 23) { snprintf(tmp, n, "inventory-sync-%u", id - 19); return tmp; }
    if (id == 30) return "通知サービス";
    if (id == 31) return "e-mail-versand-zürich";
    if (id == 32) return "sms-gateway-łódź";
    if (id == 33) return "push-notifier-🚀";
    if (id >= 40 && id <= 47) { snprintf(tmp, n, "payments-worker-%u", id); return tmp; }
    if (id == 50) return "ledger-writer";
    if (id == 51) return "fraud-scorer";
    if (id == 52) return "psp-client";
    return NULL;
}

static const Str storm_errors[] = {
    S("ConnectionError: HTTPSConnectionPool(host='psp.example.net', port=443): Max retries exceeded with url: /v2/charges (Caused by ConnectTimeoutError)"),
    S("TimeoutError: PSP did not answer within 5.0s"),
    S("payments.errors.GatewayUnavailable: 503 Service Unavailable from psp.example.net"),
    S("Traceback (most recent call last):\\n  File \\\"/app/workers/payments.py\\\", line 88, in handle\\n    resp = await client.charge(req)\\n  File \\\"/app/psp/client.py\\\", line 41, in charge\\n    raise GatewayUnavailable(r.status)\\npayments.errors.GatewayUnavailable: 502 Bad Gateway"),
};

static const Str normal_errors[] = {
    S("ValueError: invalid literal for int() with base 10: 'abc'"),
    S("KeyError: 'customer_id'"),
    S("AttributeError: 'NoneType' object has no attribute 'items'"),
    S("Traceback (most recent call last):\\n  File \\\"/app/orders/handler.py\\\", line 131, in on_order\\n    total = sum(l[\\\"price\\\"] for l in lines)\\nKeyError: 'price'"),
};

static const Str locales[] = { S("de-DE"), S("fr-FR"), S("pl-PL"), S("ja-JP"), S("el-GR"), S("uk-UA"), S("ar-EG"), S("da-DK"), S("en-US"), S("vi-VN"), S("is-IS"), S("en-IE") };

static const Str session_msgs[] = { S("SessionTimeout"), S("CartUpdated"), S("Heartbeat") };

static void event_text(Items *it, uint32_t actor, const char *type)
{
    it->tmp.len = 0;
    event_head(&it->tmp, actor, type, strlen(type));
}

static void finish(Items *it, uint64_t t, int fx, uint32_t actor, int failed)
{
    record_tail(&it->tmp, t);
    add(it, t, fx, actor, failed, &it->tmp);
}

static int run_incident(uint64_t seed)
{
    Rng r0 = { seed * 0x2545F4914F6CDD1Dull + 0xC0FFEEull };
    Rng *r = &r0;
    Items it;
    memset(&it, 0, sizeof it);
    Buf *b = &it.tmp;
    const uint64_t END = T0 + 3600 * SEC;
    const uint64_t STORM_START = T0 + (41 * 60 + 5) * SEC;   /* PSP starts failing */
    const uint64_t STORM_END = T0 + (45 * 60 + 20) * SEC;    /* PSP answers again */
    char name[64];
    uint64_t order = 104000;

    /* boot: the actor tree comes up in id order */
    uint64_t t = T0 + 120 * 1000;
    for (uint32_t id = 1; id <= 52; id++) {
        const char *nm = boot_name(id, name, sizeof name);
        if (!nm)
            continue;
        event_text(&it, id, "ActorStarted");
        PUTL(b, "{\"name\": \"");
        put(b, nm, strlen(nm));
        PUTL(b, "\", \"config\": {");
        if (id >= 40 && id <= 47) {
            PUTL(b, "\"retries\": 3, \"backoff_s\": [0.2, 0.4, 0.8, 1.6, 3.2], \"max_restarts\": 5, "
                    "\"window_s\": 60, \"psp\": \"psp.example.net:443\"");
        } else if (id == 1) {
            PUTL(b, "\"strategy\": \"one_for_one\", \"max_restarts\": 5, \"window_s\": 60");
        } else {
            PUTL(b, "\"retries\": ");
            put_u64(b, range(r, 2, 5));
            PUTL(b, ", \"limits\": {\"rps\": ");
            put_fixed(b, range(r, 50, 500) * 500ull, 3);
            PUTL(b, ", \"burst\": ");
            put_u64(b, range(r, 10, 40));
            PUTL(b, "}");
        }
        PUTL(b, "}, \"labels\": [\"eu-west-1\", \"");
        if (id >= 40 && id <= 47)
            PUTL(b, "tier-gold");
        else
            PUTL(b, "tier-silver");
        PUTL(b, "\"]}");
        finish(&it, t, FX_START, id, 0);
        t += range(r, 20, 80) * 1000ull + below(r, 1000);
    }

    /* web sessions come and go all hour: ids 1000.. */
    uint32_t sid = 1000;
    for (t = T0 + 8 * SEC; t < END - 5 * SEC && sid < MAX_ACTOR; sid++) {
        uint32_t who = below(r, (uint32_t)COUNT(people));
        uint64_t tag = rnd(r);
        event_text(&it, sid, "ActorStarted");
        PUTL(b, "{\"name\": \"session-");
        put_hex(b, tag, 6);
        PUTL(b, "\", \"user\": {\"id\": \"cus-");
        put_pad(b, range(r, 1, 99999), 5);
        PUTL(b, "\", \"locale\": \"");
        puts_s(b, locales[who % COUNT(locales)]);
        PUTL(b, "\", \"display_name\": \"");
        puts_s(b, people[who]);
        PUTL(b, "\"}, \"ttl_s\": 300}");
        finish(&it, t, FX_START, sid, 0);

        uint64_t life = range(r, 15, 420) * SEC + below(r, 1000000);
        uint64_t stop_req = t + life;
        if (stop_req < END) {
            add(&it, stop_req, FX_STOPPING, sid, 0, NULL);
            uint64_t stop = stop_req + range(r, 150, 1400) * 1000ull;
            int idle = life > 300 * SEC;
            event_text(&it, sid, "ActorStopped");
            if (idle)
                PUTL(b, "{\"reason\": \"idle timeout after 300s\"}");
            else
                PUTL(b, "{\"reason\": \"client disconnected\", \"uptime_s\": ");
            if (!idle) {
                put_fixed(b, (stop - t) / 1000, 3);
                putch(b, '}');
            }
            finish(&it, stop, FX_STOP, sid, 0);
            if (below(r, 8) == 0) { /* a late message to the session that just ended */
                uint64_t td = stop + range(r, 300, 20000) * 1000ull;
                Str mt = PICK(r, session_msgs);
                b->len = 0;
                dead_letter_head(b, 0, sid, mt);
                PUTL(b, "{\"session\": \"session-");
                put_hex(b, tag, 6);
                PUTL(b, "\", \"seq\": ");
                put_u64(b, range(r, 1, 300));
                PUTL(b, "}");
                finish(&it, td, FX_DEAD_LETTER, sid, 0);
            }
        }
        t += range(r, 2500, 9500) * 1000ull + below(r, 1000);
    }
    /* a few unrelated dead letters with no target */
    for (int i = 0; i < 6; i++) {
        uint64_t td = T0 + range(r, 60, 3500) * SEC + below(r, 1000000);
        b->len = 0;
        dead_letter_head(b, 1, 0, (Str)S("str"));
        PUTL(b, "\"reply to a closed future: 'order-status' for ord-");
        put_pad(b, range(r, 100000, 104999), 6);
        putch(b, '"');
        finish(&it, td, FX_DEAD_LETTER, 0, 0);
    }

    /* the usual background: order workers crash now and then and come back */
    for (int i = 0; i < 9; i++) {
        uint32_t a = range(r, 10, 17);
        uint64_t tc = T0 + range(r, 120, 3480) * SEC + below(r, 1000000);
        if (tc > STORM_START - 60 * SEC && tc < STORM_END + 60 * SEC)
            tc -= 600 * SEC;
        Str err = PICK(r, normal_errors);
        event_text(&it, a, "ActorCrashed");
        PUTL(b, "{\"error\": \"");
        puts_s(b, err);
        PUTL(b, "\", \"reason\": null, \"context\": {\"message_type\": \"OrderPlaced\", \"order_id\": \"ord-");
        put_pad(b, range(r, 100000, 104999), 6);
        PUTL(b, "\"}}");
        finish(&it, tc, FX_CRASH, a, 0);
        uint64_t tr = tc + range(r, 100, 400) * 1000ull;
        event_text(&it, a, "ActorRestarted");
        PUTL(b, "{\"reason\": \"");
        puts_s(b, err);
        PUTL(b, "\", \"restarts\": 1, \"window_s\": 60}");
        finish(&it, tr, FX_RESTART, a, 0);
    }

    /* the crash storm: the payment service provider goes away */
    uint64_t stop42 = 0, first_crash = UINT64_MAX, last_crash = 0;
    for (uint32_t a = 40; a <= 47; a++) {
        uint64_t hist[64];
        unsigned nh = 0;
        uint64_t tc = STORM_START + range(r, 0, 20000) * 1000ull;
        if (a == 42)
            tc = STORM_START + 1200 * 1000ull; /* the busiest worker goes first */
        unsigned k = 0;
        while (tc < STORM_END && nh < 64) {
            hist[nh++] = tc;
            unsigned in_window = 0;
            for (unsigned j = 0; j < nh; j++)
                if (hist[j] + 60 * SEC > tc)
                    in_window++;
            Str err = storm_errors[below(r, (uint32_t)COUNT(storm_errors))];
            event_text(&it, a, "ActorCrashed");
            PUTL(b, "{\"error\": \"");
            puts_s(b, err);
            PUTL(b, "\", \"reason\": \"supervisor\", \"context\": {\"message_type\": \"PaymentRequest\", \"order_id\": \"ord-");
            put_pad(b, ++order, 6);
            PUTL(b, "\", \"attempt\": ");
            put_u64(b, range(r, 1, 3));
            PUTL(b, ", \"psp\": {\"host\": \"psp.example.net\", \"status\": ");
            put_u64(b, below(r, 2) ? 503 : 504);
            PUTL(b, ", \"latency_ms\": ");
            put_fixed(b, range(r, 4800000, 5200000), 3);
            PUTL(b, "}}}");
            finish(&it, tc, FX_CRASH, a, 0);
            if (tc < first_crash) first_crash = tc;
            if (tc > last_crash) last_crash = tc;
            if (in_window > 5) {
                uint64_t ts = tc + range(r, 2, 9) * 1000ull;
                event_text(&it, a, "ActorStopped");
                PUTL(b, "{\"reason\": \"failure: max restarts exceeded (5 in 60s)\", \"last_error\": \"");
                puts_s(b, err);
                PUTL(b, "\"}");
                finish(&it, ts, FX_STOP, a, 1);
                if (a == 42)
                    stop42 = ts;
                break;
            }
            k++;
            uint64_t backoff = (200ull << (in_window - 1 < 4 ? in_window - 1 : 4)) * 1000ull;
            uint64_t tr = tc + backoff + below(r, 50000);
            event_text(&it, a, "ActorRestarted");
            PUTL(b, "{\"reason\": \"");
            puts_s(b, err);
            PUTL(b, "\", \"restarts\": ");
            put_u64(b, in_window);
            PUTL(b, ", \"window_s\": 60, \"backoff_s\": ");
            put_fixed(b, backoff / 1000, 3);
            putch(b, '}');
            finish(&it, tr, FX_RESTART, a, 0);
            if (a == 42) {
                /* the PSP degrades; 42 takes most of the traffic and crashes faster */
                uint64_t gap = k < 9 ? (26 - 2 * k) : 7;
                tc += gap * SEC + below(r, 2000000);
            } else {
                tc += range(r, 13000, 31000) * 1000ull;
            }
        }
    }
    if (!stop42)
        die("incident: local:42 did not stop; adjust the storm");

    /* payments keep being routed to local:42, which is gone */
    uint64_t first_dl42 = 0;
    uint64_t td = stop42 + range(r, 200, 900) * 1000ull;
    while (td < END) {
        uint32_t k = below(r, 100);
        Str mt = k < 62 ? (Str)S("PaymentRequest")
               : k < 77 ? (Str)S("PaymentStatusQuery")
               : k < 90 ? (Str)S("CapturePayment")
                        : (Str)S("RefundRequest");
        b->len = 0;
        dead_letter_head(b, 0, 42, mt);
        uint64_t ord = k < 62 ? ++order : 103000 + below(r, 1000);
        uint32_t attempt = range(r, 1, 3);
        if (k < 62) {
            put_payment(b, r, ord, attempt);
        } else if (k < 77) {
            PUTL(b, "{\"order_id\": \"ord-");
            put_pad(b, ord, 6);
            PUTL(b, "\", \"reply_to\": {\"system\": \"local\", \"actor_id\": ");
            put_u64(b, range(r, 2, 5));
            PUTL(b, "}}");
        } else if (k < 90) {
            PUTL(b, "{\"order_id\": \"ord-");
            put_pad(b, ord, 6);
            PUTL(b, "\", \"authorization_id\": \"auth_");
            put_hex(b, rnd(r), 12);
            PUTL(b, "\", \"amount_cents\": ");
            put_u64(b, range(r, 199, 48999));
            PUTL(b, "}");
        } else {
            PUTL(b, "{\"order_id\": \"ord-");
            put_pad(b, ord, 6);
            PUTL(b, "\", \"amount_cents\": ");
            put_u64(b, range(r, 199, 9999));
            PUTL(b, ", \"reason\": \"");
            PUTL(b, "customer request — Rückerstattung");
            PUTL(b, "\"}");
        }
        finish(&it, td, FX_DEAD_LETTER, 42, 0);
        if (!first_dl42) first_dl42 = td;
        /* the backlog grows: ~0.5/s right after the stop, ~2.5/s at the end */
        double frac = (double)(td - stop42) / (double)(END - stop42);
        double mean_gap_ms = 2200.0 / (1.0 + 4.5 * frac);
        td += (uint64_t)(mean_gap_ms * (0.3 + 1.4 * (double)below(r, 1000) / 1000.0)) * 1000ull;
    }

    /* audits every 30 s */
    for (uint64_t ta = T0 + 5 * SEC; ta < END; ta += 30 * SEC)
        add(&it, ta + range(r, 1000, 25000), FX_AUDIT, 0, 0, NULL);

    qsort(it.v, it.n, sizeof *it.v, item_cmp);

    /* walk in time order: apply the effects, render the audits */
    static unsigned char st[MAX_ACTOR]; /* 0 none, 1 alive, 2 restarting, 3 stopping, 4 stopped, 5 dead */
    uint32_t alive = 0, restarting = 0, stopping = 0, dead = 0;
    uint64_t dl = 0;
    char **lines = malloc(it.n * sizeof *lines);
    uint64_t *lts = malloc(it.n * sizeof *lts);
    int *lfx = malloc(it.n * sizeof *lfx);
    uint32_t *lactor = malloc(it.n * sizeof *lactor);
    if (!lines || !lts || !lfx || !lactor)
        die("out of memory");
    Audit *lau = malloc(it.n * sizeof *lau);
    if (!lau)
        die("out of memory");
    size_t nl = 0;
    for (size_t i = 0; i < it.n; i++) {
        Item *x = &it.v[i];
        unsigned char *s = &st[x->actor];
        if (x->t >= END)
            break; /* the hour is over: the writer is about to die */
        switch (x->fx) {
        case FX_START:
            *s = 1;
            alive++;
            break;
        case FX_STOPPING:
            if (*s == 1) { alive--; stopping++; *s = 3; }
            break;
        case FX_STOP:
            if (*s == 1) alive--;
            else if (*s == 2) restarting--;
            else if (*s == 3) stopping--;
            *s = x->failed ? 5 : 4;
            if (x->failed) dead++;
            break;
        case FX_CRASH:
            if (*s == 1) { alive--; restarting++; *s = 2; }
            break;
        case FX_RESTART:
            if (*s == 2) { restarting--; alive++; *s = 1; }
            break;
        case FX_DEAD_LETTER:
            dl++;
            break;
        case FX_AUDIT: {
            Audit *a = &lau[nl];
            a->ts = x->t;
            a->alive = alive;
            a->restarting = restarting;
            a->stopping = stopping;
            a->total = alive + restarting + stopping;
            a->registry_size = a->total + dead;
            a->orphans = "[]";
            a->dead = dead ? "[\"local:42\"]" : "[]";
            a->dead_letters = dl;
            b->len = 0;
            put_audit(b, a);
            x->text = malloc(b->len + 1);
            if (!x->text)
                die("out of memory");
            memcpy(x->text, b->p, b->len);
            x->text[b->len] = '\0';
            break;
        }
        default:
            break;
        }
        if (x->text) {
            lines[nl] = x->text;
            lts[nl] = x->t;
            lfx[nl] = x->fx;
            lactor[nl] = x->actor;
            nl++;
        }
    }
    if (dead != 1)
        die("incident: expected exactly one actor stopped by failure");

    /* damage 1: a record in the middle cut in half, then a newline
       (a partial write; the writer carried on with the next record) */
    size_t mid = nl / 2;
    while (mid < nl - 2 && !(lfx[mid] == FX_DEAD_LETTER && lactor[mid] == 42))
        mid++; /* the first dead letter to local:42 past the middle */
    char *mid_orig = strdup(lines[mid]);
    size_t mlen = strlen(lines[mid]) - 1;
    size_t mcut = mlen / 2;
    cut_at_char(lines[mid], &mcut);
    lines[mid][mcut] = '\n';
    lines[mid][mcut + 1] = '\0';

    /* damage 2: the last record cut, no trailing newline (the process died mid-append) */
    size_t last = nl - 1;
    char *last_orig = strdup(lines[last]);
    size_t llen = strlen(lines[last]) - 1;
    size_t lcut = llen * 3 / 5;
    cut_at_char(lines[last], &lcut);
    lines[last][lcut] = '\0';
    if (!mid_orig || !last_orig)
        die("out of memory");

    Buf out = { 0, 0, 0 };
    uint64_t off_mid = 0, off_last = 0;
    for (size_t i = 0; i < nl; i++) {
        if (i == mid)
            off_mid = out.len;
        if (i == last)
            off_last = out.len;
        put(&out, lines[i], strlen(lines[i]));
    }
    write_all(out.p, out.len);

    /* the story as the complete records tell it, for examples/README.md */
    unsigned ev = 0, au = 0, dls = 0, dl42c = 0, crashes_ok[48] = { 0 };
    size_t last_audit = SIZE_MAX, first_dead_audit = SIZE_MAX;
    for (size_t i = 0; i < nl; i++) {
        if (i == mid || i == last)
            continue;
        if (lfx[i] == FX_AUDIT) {
            au++;
            last_audit = i;
            if (first_dead_audit == SIZE_MAX && strstr(lines[i], "local:42"))
                first_dead_audit = i;
        } else if (lfx[i] == FX_DEAD_LETTER) {
            dls++;
            if (lactor[i] == 42)
                dl42c++;
        } else {
            ev++;
            if (lfx[i] == FX_CRASH && lactor[i] >= 40 && lactor[i] <= 47)
                crashes_ok[lactor[i]]++;
        }
    }
    char c1[32], c2[32], c3[32], c4[32], c5[32], c6[32], c7[32], c8[32];
    fmt_clock(c1, sizeof c1, lts[0]);
    fmt_clock(c2, sizeof c2, lts[last]);
    fmt_clock(c3, sizeof c3, first_crash);
    fmt_clock(c4, sizeof c4, last_crash);
    fmt_clock(c5, sizeof c5, stop42);
    fmt_clock(c6, sizeof c6, first_dl42);
    fmt_clock(c7, sizeof c7, lts[mid]);
    fmt_clock(c8, sizeof c8, first_dead_audit < nl ? lts[first_dead_audit] : 0);
    fprintf(stderr, "incident: %zu bytes, %zu lines (the last one without a newline)\n", out.len, nl);
    fprintf(stderr, "incident: complete records %u: events %u, audits %u, dead letters %u "
            "(to local:42: %u, others: %u)\n", ev + au + dls, ev, au, dls, dl42c, dls - dl42c);
    fprintf(stderr, "incident: time span %s .. %s UTC (2026-01-01)\n", c1, c2);
    fprintf(stderr, "incident: crash storm %s .. %s, ActorCrashed per payments worker:", c3, c4);
    for (uint32_t a = 40; a <= 47; a++)
        fprintf(stderr, " %u=%u", a, crashes_ok[a]);
    fprintf(stderr, "\n");
    fprintf(stderr, "incident: local:42 stopped (max restarts exceeded) at %s; first dead letter to it "
            "%s; first audit listing it in registry_dead %s\n", c5, c6, c8);
    fprintf(stderr, "incident: corrupted line %zu (byte offset %llu, %zu of %zu bytes kept), at %s, was:\n%s",
            mid + 1, (unsigned long long)off_mid, mcut, mlen, c7, mid_orig);
    fprintf(stderr, "incident: truncated line %zu (byte offset %llu, %zu of %zu bytes kept), was:\n%s",
            last + 1, (unsigned long long)off_last, lcut, llen, last_orig);
    if (last_audit < nl) {
        const Audit *a = &lau[last_audit];
        fmt_clock(c1, sizeof c1, a->ts);
        fprintf(stderr, "incident: last complete audit (line %zu, %s): total=%u alive=%u stopping=%u "
                "restarting=%u dead_letters=%llu\n", last_audit + 1, c1, a->total, a->alive,
                a->stopping, a->restarting, (unsigned long long)a->dead_letters);
    }
    free(mid_orig);
    free(last_orig);
    free(lau);

    for (size_t i = 0; i < it.n; i++)
        free(it.v[i].text);
    free(it.v);
    free(it.tmp.p);
    free(lines);
    free(lts);
    free(lfx);
    free(lactor);
    free(out.p);
    return 0;
}

/* ------------------------------------------------------------------ */

static uint64_t parse_num(const char *flag, const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-') {
        fprintf(stderr, "gen: %s needs a non-negative integer, got '%s'\n", flag, s);
        exit(64);
    }
    return v;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gen [--bytes N] [--seed S] [--corrupt K] [--truncate-tail] [--stats]\n"
               "       gen --incident [--seed S]\n");
}

int main(int argc, char **argv)
{
    uint64_t bytes = 1000000, seed = 1, corrupt = 0;
    int incident = 0, truncate_tail = 0, stats = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--bytes") && i + 1 < argc)
            bytes = parse_num(a, argv[++i]);
        else if (!strcmp(a, "--seed") && i + 1 < argc)
            seed = parse_num(a, argv[++i]);
        else if (!strcmp(a, "--corrupt") && i + 1 < argc)
            corrupt = parse_num(a, argv[++i]);
        else if (!strcmp(a, "--truncate-tail"))
            truncate_tail = 1;
        else if (!strcmp(a, "--stats"))
            stats = 1;
        else if (!strcmp(a, "--incident"))
            incident = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "gen: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 64;
        }
    }
    if (corrupt > 1000000) {
        fprintf(stderr, "gen: --corrupt is limited to 1000000 lines\n");
        return 64;
    }
    if (incident)
        return run_incident(seed);
    return run_bench(bytes, seed, (uint32_t)corrupt, truncate_tail, stats);
}
