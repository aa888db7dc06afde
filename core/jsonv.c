/* JSON line validator (SPEC §3).  One resumable state machine: string
 * bodies and digit runs are skipped 16 bytes at a time and only token
 * boundaries go through the per-byte states, so a line fed at once runs at
 * well over 1 GB/s while a line fed a byte at a time still gives the same
 * verdict, position and captures. */
#include "jsonv.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define JSONV_ERRORS(X) \
	X(EOL, "unexpected end of line") \
	X(EMPTY, "empty line") \
	X(BOM, "byte order mark") \
	X(UTF8, "invalid UTF-8") \
	X(CTRL, "control character in string") \
	X(NUL, "NUL byte") \
	X(LEADZERO, "leading zero") \
	X(NUMBER, "invalid number") \
	X(ESCAPE, "invalid escape") \
	X(LITERAL, "invalid literal") \
	X(CHAR, "unexpected character") \
	X(TRAILING, "trailing data after value") \
	X(DEPTH, "nesting deeper than 65536 levels")

enum jsonv_err {
	JSONV_E_NONE,
#define X(id, msg) JSONV_E_##id,
	JSONV_ERRORS(X)
#undef X
	JSONV_E__COUNT
};

static const char *const err_msg[JSONV_E__COUNT] = {
	"no error",
#define X(id, msg) msg,
	JSONV_ERRORS(X)
#undef X
};

/* Where to resume: each state names the byte the machine expects next. */
enum {
	ST_VALUE,     /* a value (at depth 0: the line's value, nothing seen yet) */
	ST_ARR_FIRST, /* a value or "]" right after "[" */
	ST_OBJ_FIRST, /* a key or "}" right after "{" */
	ST_KEY,       /* a key after "," */
	ST_COLON,
	ST_AFTER,     /* "," or the closing bracket after a value in a container */
	ST_END,       /* only whitespace after the line's value */
	ST_STR,       /* inside a string */
	ST_ESC,       /* after a backslash */
	ST_UHEX,      /* inside \uXXXX: aux = value so far, aux2 = digits seen */
	ST_UTF8,      /* inside a multi-byte sequence: aux = packed bounds */
	/* inside a number: after "-", after a leading "0", in the integer
	 * digits, after ".", in the fraction, after "e", after its sign, in
	 * the exponent */
	ST_MINUS, ST_ZERO, ST_INT, ST_DOT, ST_FRAC, ST_EXPMARK, ST_EXPSIGN, ST_EXP,
	ST_LIT,       /* inside a bare word: aux = which, aux2 = bytes matched */
	ST_BOM,       /* 0xEF at the start of the line: aux = bytes of EF BB BF matched */
	ST_ERROR,
};

/* strkind: what the string being scanned is. */
enum { SK_VALUE, SK_KEY, SK_CAPKEY };

enum { LIT_TRUE, LIT_FALSE, LIT_NULL, LIT_NAN, LIT_INFINITY };
static const char *const lit_text[] = { "true", "false", "null", "NaN", "Infinity" };

/* A key buffer length no key reaches: the key was too long to ever match. */
#define KEY_TOO_LONG (sizeof ((struct jsonv *)0)->key + 1)

#define WS_MASK ((1ull << ' ') | (1ull << '\t') | (1ull << '\n') | (1ull << '\r'))

static inline int is_ws(unsigned c)
{
	return c <= ' ' && (WS_MASK >> c & 1);
}

static inline int is_digit(unsigned c)
{
	return c - '0' < 10u;
}

static inline int hex_val(unsigned c)
{
	unsigned lower = c | 0x20; /* ASCII letters to lower case */
	return c - '0' < 10u ? (int)(c - '0') : lower - 'a' < 6u ? (int)(lower - 'a' + 10) : -1;
}

/* Type of the value a byte starts; JV_NONE for a byte no value starts with. */
static const unsigned char start_type[256] = {
	['"'] = JV_STRING, ['{'] = JV_OBJECT, ['['] = JV_ARRAY, ['t'] = JV_TRUE,
	['f'] = JV_FALSE, ['n'] = JV_NULL, ['-'] = JV_NUMBER, ['N'] = JV_NUMBER,
	['I'] = JV_NUMBER, ['0'] = JV_NUMBER, ['1'] = JV_NUMBER, ['2'] = JV_NUMBER,
	['3'] = JV_NUMBER, ['4'] = JV_NUMBER, ['5'] = JV_NUMBER, ['6'] = JV_NUMBER,
	['7'] = JV_NUMBER, ['8'] = JV_NUMBER, ['9'] = JV_NUMBER,
};

/* Bytes a string may hold as they are: 0x20..0x7f but '"' and '\\'. */
static inline int is_plain(unsigned c)
{
	return c - 0x20 < 0x60u && c != '"' && c != '\\';
}

#ifdef __SSE2__
/* Bit i set when byte i of x ends the run: for a string a quote, a
 * backslash, a control character or the start of a UTF-8 sequence; for a
 * number anything but a digit. */
static inline unsigned run_end_mask(__m128i x, int digits)
{
	if (digits) {
		__m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
		d = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
		return ~(unsigned)_mm_movemask_epi8(d) & 0xffff;
	}
	/* signed compare: bytes >= 0x80 are negative, so below ' ' too */
	__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
					      _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
				 _mm_cmplt_epi8(x, _mm_set1_epi8(' ')));
	return (unsigned)_mm_movemask_epi8(m);
}

#define LOAD16(q) _mm_loadu_si128((const __m128i *)(const void *)(q))
#endif

/* End of the run of plain string bytes (or digits) starting at p.  The
 * last few bytes are checked with the 16 that end at `end` (the feed's
 * bytes start at `lo`), so a token near the end of a line costs no byte
 * loop. */
static inline const unsigned char *skip_run(const unsigned char *p, const unsigned char *end,
					    const unsigned char *lo, int digits)
{
#ifdef __SSE2__
	for (; end - p >= 16; p += 16) {
		unsigned m = run_end_mask(LOAD16(p), digits);
		if (m)
			return p + __builtin_ctz(m);
	}
	if (p < end && end - lo >= 16) {
		unsigned m = run_end_mask(LOAD16(end - 16), digits) >> (16 - (end - p));
		return m ? p + __builtin_ctz(m) : end;
	}
#endif
	(void)lo;
	while (p < end && (digits ? is_digit(*p) : is_plain(*p)))
		p++;
	return p;
}

/* Number of continuation bytes after lead byte `c` and the bounds of the
 * first one (Unicode table 3-7: no overlongs, no surrogates, nothing above
 * U+10FFFF), packed as need | lo << 8 | hi << 16; 0 for a bad lead. */
static uint32_t utf8_lead(unsigned c)
{
	if (c < 0xc2 || c > 0xf4)
		return 0;
	uint32_t need = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
	uint32_t lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
	uint32_t hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
	return need | lo << 8 | hi << 16;
}

/* Why byte `c` outside a string is wrong where a structural byte was due.
 * A byte no UTF-8 sequence can start with is reported as bad UTF-8, which
 * is what a decoder reading the line first would say. */
static int bad_byte(unsigned c, int otherwise)
{
	if (c == 0)
		return JSONV_E_NUL;
	if (c >= 0x80 && !utf8_lead(c))
		return JSONV_E_UTF8;
	return otherwise;
}

static inline void key_append(struct jsonv *v, const unsigned char *s, size_t n)
{
	if (v->keylen > sizeof v->key || n > sizeof v->key - v->keylen) {
		v->keylen = KEY_TOO_LONG;
		return;
	}
	memcpy(v->key + v->keylen, s, n);
	v->keylen += (uint32_t)n;
}

static inline void key_append1(struct jsonv *v, unsigned c)
{
	unsigned char b = (unsigned char)c;
	key_append(v, &b, 1);
}

/* Where the captured names are: a key is looked up by its first byte and
 * length and confirmed by one compare.  Building it reads every name, which
 * would cost more than validating a short record, so it is built once per
 * capture set and jsonv_init only checks that the names are the same
 * pointers (a name string rewritten in place is not noticed).
 * Thread-local: threads may validate with different sets.  Fields beyond
 * the first JSONV_CAP_INDEXED are found by a plain scan. */
#define JSONV_CAP_INDEXED 32
#define CAP_BUCKETS 64

struct cap_index {
	const struct jsonv_field *fields;
	size_t n;
	const char *name[JSONV_CAP_INDEXED];
	size_t len[JSONV_CAP_INDEXED];
	uint8_t head[CAP_BUCKETS];           /* 1 + first field in the bucket, 0 none */
	uint8_t next[JSONV_CAP_INDEXED];     /* 1 + next field in the same bucket */
};

static _Thread_local struct cap_index cap_index;

static inline unsigned cap_hash(unsigned first, size_t len)
{
	return (first + 7 * (unsigned)len) % CAP_BUCKETS;
}

static void cap_index_build(const struct jsonv_capture *cap)
{
	struct cap_index *x = &cap_index;
	x->fields = cap->fields;
	x->n = cap->n;
	memset(x->head, 0, sizeof x->head);
	/* backwards, so each bucket lists its fields in ascending order */
	for (size_t i = cap->n < JSONV_CAP_INDEXED ? cap->n : JSONV_CAP_INDEXED; i-- > 0;) {
		const char *name = cap->fields[i].name;
		x->name[i] = name;
		if (!name)
			continue;
		x->len[i] = strlen(name);
		unsigned h = cap_hash((unsigned char)name[0], x->len[i]);
		x->next[i] = x->head[h];
		x->head[h] = (uint8_t)(i + 1);
	}
}

/* The field a key closed at depth 1 selects, or -1: the first field of
 * that name when the caller lists it twice. */
static int key_match(const struct jsonv *v, const unsigned char *key, uint32_t n)
{
	const struct jsonv_capture *cap = v->cap;
	const struct cap_index *x = &cap_index;
	if (n > sizeof v->key)
		return -1;
	if (x->fields != cap->fields || x->n != cap->n) /* another set was used since init */
		cap_index_build(cap);
	for (unsigned i = x->head[cap_hash(n ? key[0] : 0, n)]; i; i = x->next[i - 1])
		if (x->len[i - 1] == n && memcmp(x->name[i - 1], key, n) == 0)
			return (int)i - 1;
	for (size_t i = JSONV_CAP_INDEXED; i < cap->n; i++) {
		const char *name = cap->fields[i].name;
		if (name && strlen(name) == n && memcmp(name, key, n) == 0)
			return (int)i;
	}
	return -1;
}

/* A value starts at line offset `pos` with `d` containers open: the
 * line's value gives the top type, a member being captured its span. */
static inline void value_begin(struct jsonv *v, uint32_t d, uint64_t pos, enum jsonv_type t)
{
	if (d == 0)
		v->top = t;
	else if (d == 1 && v->cap_field >= 0) {
		struct jsonv_field *f = &v->cap->fields[v->cap_field];
		f->type = t;
		f->off = pos;
		f->len = 0;
	}
}

/* A value ended just before line offset `pos` with `d` containers open. */
static inline void value_end(struct jsonv *v, uint32_t d, uint64_t pos)
{
	if (d == 1 && v->cap_field >= 0) {
		struct jsonv_field *f = &v->cap->fields[v->cap_field];
		f->len = pos - f->off;
		v->cap_field = -1;
	}
}

void jsonv_init(struct jsonv *v, struct jsonv_capture *cap)
{
	v->pos = v->err_pos = 0;
	v->cap = cap;
	v->depth = v->aux = v->aux2 = v->keylen = 0;
	v->state = ST_VALUE;
	v->error = JSONV_E_NONE;
	v->top = JV_NONE;
	v->strkind = SK_VALUE;
	v->cap_field = -1;
	if (!cap)
		return;
	int stale = cap->fields != cap_index.fields || cap->n != cap_index.n;
	for (size_t i = 0; i < cap->n; i++) {
		struct jsonv_field *f = &cap->fields[i];
		f->type = JV_NONE;
		f->off = f->len = 0;
		if (i < JSONV_CAP_INDEXED && f->name != cap_index.name[i])
			stale = 1;
	}
	if (stale)
		cap_index_build(cap);
}

/* The machine is written with gotos: each label is a state, and running out
 * of input at any of them saves that state so the next feed resumes there.
 * Locals hold the hot state; they go back to *v only when the feed ends. */
int jsonv_feed(struct jsonv *v, const char *buf, size_t n)
{
	if (v->error)
		return -1;
	if (n == 0)
		return 0;

	const unsigned char *const start = (const unsigned char *)buf, *const end = start + n;
	const unsigned char *p = start;
	unsigned char *const stk = v->stack;
	uint32_t d = v->depth, aux = v->aux, aux2 = v->aux2;
	int sk = v->strkind, state = v->state, err;
	uint64_t err_pos;
	unsigned c;

#define POS(q) (v->pos + (uint64_t)((q) - start))
#define NEED(st) do { if (p == end) { state = (st); goto suspend; } } while (0)
#define FAIL(code, at) do { err = (code); err_pos = (at); goto fail; } while (0)
#define IN_OBJECT() (stk[(d - 1) >> 3] >> ((d - 1) & 7) & 1)
/* leaves c = *p, the first byte that is not whitespace */
#define SKIP_WS(st) do { NEED(st); c = *p; if (!is_ws(c)) break; p++; } while (1)

	switch (state) {
	case ST_VALUE: goto value_ws;         case ST_ARR_FIRST: goto arr_first;
	case ST_OBJ_FIRST: goto obj_first;    case ST_KEY: goto key_ws;
	case ST_COLON: goto colon;            case ST_AFTER: goto after_ws;
	case ST_END: goto end_ws;             case ST_STR: goto str;
	case ST_ESC: goto esc;                case ST_UHEX: goto uhex;
	case ST_UTF8: goto utf8;              case ST_MINUS: goto minus;
	case ST_ZERO: goto zero;              case ST_INT: goto intd;
	case ST_DOT: goto dot;                case ST_FRAC: goto frac;
	case ST_EXPMARK: goto expmark;        case ST_EXPSIGN: goto expsign;
	case ST_EXP: goto expd;               case ST_LIT: goto lit;
	case ST_BOM: goto bom;                default: return -1;
	}

value_ws:
	SKIP_WS(ST_VALUE);
value: /* c = *p starts a value */
	if (d <= 1)
		value_begin(v, d, POS(p), (enum jsonv_type)start_type[c]);
	switch (c) {
	case '"':
		sk = SK_VALUE;
		p++;
		goto str;
	case '{': case '[':
		if (d == JSONV_MAX_DEPTH)
			FAIL(JSONV_E_DEPTH, POS(p));
		if (c == '{')
			stk[d >> 3] |= (unsigned char)(1u << (d & 7));
		else
			stk[d >> 3] &= (unsigned char)~(1u << (d & 7));
		d++;
		p++;
		if (c == '{')
			goto obj_first;
		goto arr_first;
	case '-':
		p++;
		goto minus;
	case '0':
		p++;
		goto zero;
	case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		p++;
		goto intd;
	case 't': aux = LIT_TRUE; break;
	case 'f': aux = LIT_FALSE; break;
	case 'n': aux = LIT_NULL; break;
	case 'N': aux = LIT_NAN; break;
	case 'I': aux = LIT_INFINITY; break;
	default:
		if (c == 0xef && d == 0 && POS(p) == 0) {
			aux = 1;
			p++;
			goto bom;
		}
		FAIL(bad_byte(c, JSONV_E_CHAR), POS(p));
	}
	aux2 = 1;
	p++;
lit:
	for (const char *s = lit_text[aux]; s[aux2]; aux2++, p++) {
		NEED(ST_LIT);
		if (*p != (unsigned char)s[aux2])
			FAIL(bad_byte(*p, JSONV_E_LITERAL), POS(p));
	}
	value_end(v, d, POS(p));
	goto after;

str:
	for (;;) {
		const unsigned char *q = skip_run(p, end, start, 0);
		if (sk == SK_CAPKEY && q != p)
			key_append(v, p, (size_t)(q - p));
		p = q;
		NEED(ST_STR);
		c = *p;
		if (c == '"')
			break;
		p++;
		if (c == '\\')
			goto esc;
		if (c < 0x20)
			FAIL(c ? JSONV_E_CTRL : JSONV_E_NUL, POS(p - 1));
		aux = utf8_lead(c);
		if (!aux)
			FAIL(JSONV_E_UTF8, POS(p - 1));
		if (sk == SK_CAPKEY)
			key_append1(v, c);
utf8:
		do {
			NEED(ST_UTF8);
			c = *p;
			if (c < (aux >> 8 & 0xff) || c > (aux >> 16))
				FAIL(JSONV_E_UTF8, POS(p));
			if (sk == SK_CAPKEY)
				key_append1(v, c);
			p++;
			aux = ((aux - 1) & 0xff) | 0x80 << 8 | 0xbfu << 16;
		} while (aux & 0xff);
	}
	p++;
	if (sk == SK_VALUE) {
		value_end(v, d, POS(p));
		goto after;
	}
	if (sk == SK_CAPKEY)
		v->cap_field = key_match(v, (const unsigned char *)v->key, v->keylen);
	goto colon;

esc:
	NEED(ST_ESC);
	c = *p;
	switch (c) {
	case '"': case '\\': case '/': break;
	case 'b': c = '\b'; break;          case 'f': c = '\f'; break;
	case 'n': c = '\n'; break;          case 'r': c = '\r'; break;
	case 't': c = '\t'; break;
	case 'u':
		p++;
		aux = aux2 = 0;
		goto uhex;
	default:
		FAIL(JSONV_E_ESCAPE, POS(p));
	}
	if (sk == SK_CAPKEY)
		key_append1(v, c);
	p++;
	goto str;

uhex:
	for (; aux2 < 4; aux2++, p++) {
		NEED(ST_UHEX);
		int h = hex_val(*p);
		if (h < 0)
			FAIL(JSONV_E_ESCAPE, POS(p));
		aux = aux << 4 | (uint32_t)h;
	}
	/* Names are ASCII: any other code point is a byte no name holds.
	 * Lone surrogates are fine, as in the reference's decoder. */
	if (sk == SK_CAPKEY)
		key_append1(v, aux < 0x80 ? aux : 0xff);
	goto str;

minus:
	NEED(ST_MINUS);
	c = *p;
	p++;
	if (c == '0')
		goto zero;
	if (is_digit(c))
		goto intd;
	if (c == 'I') {
		aux = LIT_INFINITY;
		aux2 = 1;
		goto lit;
	}
	FAIL(bad_byte(c, JSONV_E_NUMBER), POS(p - 1));

zero:
	NEED(ST_ZERO);
	c = *p;
	if (is_digit(c))
		FAIL(JSONV_E_LEADZERO, POS(p));
	goto int_end;

intd:
	p = skip_run(p, end, start, 1);
	NEED(ST_INT);
	c = *p;
int_end:
	if (c == '.') {
		p++;
		goto dot;
	}
	if ((c | 0x20) == 'e') {
		p++;
		goto expmark;
	}
	goto num_end;

dot:
	NEED(ST_DOT);
	if (!is_digit(*p))
		FAIL(bad_byte(*p, JSONV_E_NUMBER), POS(p));
	p++;
frac:
	p = skip_run(p, end, start, 1);
	NEED(ST_FRAC);
	if ((*p | 0x20) == 'e') {
		p++;
		goto expmark;
	}
	goto num_end;

expmark:
	NEED(ST_EXPMARK);
	c = *p;
	p++;
	if (c == '+' || c == '-')
		goto expsign;
	if (is_digit(c))
		goto expd;
	FAIL(bad_byte(c, JSONV_E_NUMBER), POS(p - 1));

expsign:
	NEED(ST_EXPSIGN);
	if (!is_digit(*p))
		FAIL(bad_byte(*p, JSONV_E_NUMBER), POS(p));
	p++;
expd:
	p = skip_run(p, end, start, 1);
	NEED(ST_EXP);
num_end:
	value_end(v, d, POS(p));
	/* fall through: the byte that ended the number is the next token */

after:
	if (d == 0)
		goto end_ws;
after_ws: /* "," before whitespace: it nearly always comes first */
	for (;;) {
		NEED(ST_AFTER);
		c = *p;
		if (c == ',') {
			p++;
			if (IN_OBJECT())
				goto key_ws;
			goto value_ws;
		}
		if (!is_ws(c))
			break;
		p++;
	}
	if (c != (IN_OBJECT() ? '}' : ']'))
		FAIL(bad_byte(c, JSONV_E_CHAR), POS(p));
close:
	p++;
	d--;
	value_end(v, d, POS(p));
	goto after;

arr_first:
	SKIP_WS(ST_ARR_FIRST);
	if (c == ']')
		goto close;
	goto value;

obj_first:
	SKIP_WS(ST_OBJ_FIRST);
	if (c == '}')
		goto close;
	goto key;

key_ws:
	SKIP_WS(ST_KEY);
key:
	if (c != '"')
		FAIL(bad_byte(c, JSONV_E_CHAR), POS(p));
	p++;
	if (d != 1 || !v->cap) {
		sk = SK_KEY;
		goto str;
	}
	{
		const unsigned char *q = skip_run(p, end, start, 0);
		if (q != end && *q == '"') { /* all in hand, nothing to unescape */
			v->cap_field = key_match(v, p, (uint32_t)(q - p));
			p = q + 1;
			goto colon;
		}
	}
	sk = SK_CAPKEY;
	v->keylen = 0;
	goto str;

colon: /* ":" before whitespace, likewise */
	for (;;) {
		NEED(ST_COLON);
		c = *p;
		if (c == ':')
			break;
		if (!is_ws(c))
			FAIL(bad_byte(c, JSONV_E_CHAR), POS(p));
		p++;
	}
	p++;
	goto value_ws;

end_ws:
	SKIP_WS(ST_END);
	FAIL(bad_byte(c, JSONV_E_TRAILING), POS(p));

bom:
	for (; aux < 3; aux++, p++) {
		NEED(ST_BOM);
		if (*p != (unsigned char)"\xef\xbb\xbf"[aux])
			FAIL(JSONV_E_CHAR, 0);
	}
	FAIL(JSONV_E_BOM, 0);

suspend:
	v->state = state;
	v->depth = d;
	v->aux = aux;
	v->aux2 = aux2;
	v->strkind = sk;
	v->pos += n;
	return 0;

fail:
	v->state = ST_ERROR;
	v->depth = d;
	v->error = err;
	v->err_pos = err_pos;
	v->pos += n;
	return -1;

#undef POS
#undef NEED
#undef FAIL
#undef IN_OBJECT
#undef SKIP_WS
}

int jsonv_finish(struct jsonv *v)
{
	int err = JSONV_E_EOL;
	if (v->error)
		return -1;
	switch (v->state) {
	case ST_END:
		return 0;
	case ST_ZERO: case ST_INT: case ST_FRAC: case ST_EXP:
		if (v->depth > 0)
			break;
		v->state = ST_END; /* a bare number ends with the line */
		return 0;
	case ST_VALUE:
		if (v->depth == 0)
			err = JSONV_E_EMPTY;
		break;
	case ST_UTF8: case ST_BOM:
		err = JSONV_E_UTF8;
		break;
	}
	v->state = ST_ERROR;
	v->error = err;
	v->err_pos = v->pos;
	return -1;
}

int jsonv_check(struct jsonv *v, const char *p, size_t n, struct jsonv_capture *cap)
{
	jsonv_init(v, cap);
	jsonv_feed(v, p, n);
	return jsonv_finish(v);
}

uint64_t jsonv_error_pos(const struct jsonv *v)
{
	return v->err_pos;
}

const char *jsonv_error_reason(const struct jsonv *v)
{
	return v->error > 0 && v->error < JSONV_E__COUNT ? err_msg[v->error] : err_msg[0];
}

enum jsonv_type jsonv_top_type(const struct jsonv *v)
{
	return v->top;
}

const char *jsonv_type_name(enum jsonv_type t)
{
	static const char *const names[] = {
		[JV_NONE] = "none", [JV_OBJECT] = "object", [JV_ARRAY] = "array",
		[JV_STRING] = "string", [JV_NUMBER] = "number", [JV_TRUE] = "true",
		[JV_FALSE] = "false", [JV_NULL] = "null",
	};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "none";
}
