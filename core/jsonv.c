/* JSON line validator (SPEC §3).  One resumable state machine: string
 * bodies and digit runs are skipped 16 bytes at a time and only token
 * boundaries go through the per-byte states, so a line fed at once runs at
 * well over 1 GB/s while a line fed a byte at a time still gives the same
 * verdict, position and captures.  A line that arrives whole in one feed
 * first goes through a vector fast path (below the machine; AVX-512 CPUs
 * only, chosen at run time) that can only say "valid, with these
 * captures": anything else is left to the machine. */
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

/* Where the captured names are: a key is looked up by its length, which
 * leaves one candidate or none in most sets, and confirmed by a compare a
 * word at a time.  Building it reads every name, which would cost more
 * than validating a short record, so it is built once per capture set and
 * jsonv_init only checks that the names are the same pointers (a name
 * string rewritten in place is not noticed).  Thread-local: threads may
 * validate with different sets.  Fields beyond the first JSONV_CAP_INDEXED
 * are found by a plain scan. */
#define JSONV_CAP_INDEXED 32
#define KEY_MAX (sizeof ((struct jsonv *)0)->key) /* longer keys never match */

struct cap_index {
	const struct jsonv_field *fields;
	size_t n;
	const char *name[JSONV_CAP_INDEXED];
	uint32_t by_len[KEY_MAX + 1]; /* bit i: field i's name has that length */
};

static _Thread_local struct cap_index cap_index;

static void cap_index_build(const struct jsonv_capture *cap)
{
	struct cap_index *x = &cap_index;
	x->fields = cap->fields;
	x->n = cap->n;
	memset(x->by_len, 0, sizeof x->by_len);
	for (size_t i = 0; i < cap->n && i < JSONV_CAP_INDEXED; i++) {
		const char *name = cap->fields[i].name;
		x->name[i] = name;
		size_t len = name ? strlen(name) : KEY_MAX + 1;
		if (len <= KEY_MAX)
			x->by_len[len] |= 1u << i;
	}
}

/* The n bytes at a and b are the same. */
static inline int same_bytes(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	uint64_t x, y;
	for (; n >= 8; p += 8, q += 8, n -= 8) {
		memcpy(&x, p, 8);
		memcpy(&y, q, 8);
		if (x != y)
			return 0;
	}
	if (n >= 4) {
		uint32_t s, t, u, w;
		memcpy(&s, p, 4);
		memcpy(&t, q, 4);
		memcpy(&u, p + n - 4, 4);
		memcpy(&w, q + n - 4, 4);
		return s == t && u == w;
	}
	for (; n; p++, q++, n--)
		if (*p != *q)
			return 0;
	return 1;
}

static int key_match_rest(const struct jsonv_capture *cap, const unsigned char *key, uint32_t n)
{
	for (size_t i = JSONV_CAP_INDEXED; i < cap->n; i++) {
		const char *name = cap->fields[i].name;
		if (name && strlen(name) == n && memcmp(name, key, n) == 0)
			return (int)i;
	}
	return -1;
}

/* The field a key closed at depth 1 selects, or -1: the first field of
 * that name when the caller lists it twice. */
static inline int key_match(const struct jsonv *v, const unsigned char *key, uint32_t n)
{
	const struct jsonv_capture *cap = v->cap;
	const struct cap_index *x = &cap_index;
	if (n > KEY_MAX)
		return -1;
	if (x->fields != cap->fields || x->n != cap->n) /* another set was used since init */
		cap_index_build(cap);
	for (uint32_t m = x->by_len[n]; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		if (same_bytes(x->name[i], key, n))
			return (int)i;
	}
	return cap->n > JSONV_CAP_INDEXED ? key_match_rest(cap, key, n) : -1;
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
static int feed_bytes(struct jsonv *v, const char *buf, size_t n)
{
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

/* ---- The whole-line fast path ----
 *
 * Most lines arrive in one feed.  For those the line is first classified
 * 64 bytes at a time with AVX-512 compares: which quotes open strings,
 * which bytes are structural, where bare words (numbers, literals) start,
 * and whether any string holds a control character, a bad escape or bad
 * UTF-8.  The token positions are compressed into a list, and the grammar
 * is checked over that list only, so the time no longer grows with string
 * lengths and the positions do not wait on each other.  The walk captures
 * nothing itself: it notes where each member of the line's object is, and
 * the keys are matched afterwards.
 *
 * The fast path only ever says "valid, with these captures" or "not sure":
 * on anything else (an error, a line not complete in this feed, more than
 * 63 containers open, a key at depth 1 holding an escape while capturing,
 * more than JSONV_CAP_INDEXED fields to capture) it leaves
 * the line as jsonv_init left it and the per-byte machine above runs from
 * the start.  So errors, their positions and reasons, and every resumable
 * behaviour come from that machine alone; the fast path has to be exact
 * only about lines it accepts.  Memory: a window of 16 blocks (1 KiB of
 * line) classified at a time, on the stack, whatever the line length.
 *
 * Measured on ~290-byte records held in cache: about 2.7 GB/s with the
 * "kind" capture and 3.2 without, against 1.6 and 1.7 for the machine
 * alone.  With only AVX2 or SSE2 the same design came out slower than the
 * machine, so those CPUs use the machine. */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define JSONV_FAST 1
#include <immintrin.h>

#define FP_BLOCKS 16   /* blocks of 64 bytes classified per window */

/* What one block carries to the next. */
struct fp_carry {
	uint64_t in_str; /* all ones when the last block ended inside a string */
	uint64_t word;   /* 1 when its last byte was part of a bare word */
	uint64_t esc;    /* 1 when its last byte was a backslash escaping the next one */
	size_t u8_end;   /* line offset where the last UTF-8 sequence checked ends */
	int bslash;      /* a backslash was seen: keys must be looked at */
};

/* Bit i of each mask describes byte i of a block. */
struct fp_raw {
	uint64_t quote, bslash;
	uint64_t low;   /* 0x00..0x20: whitespace, or a control character */
	uint64_t space; /* 0x20 */
	uint64_t op;    /* , : [ ] { } */
	uint64_t high;  /* 0x80..0xff */
};

/* Bytes that may follow a number or literal: whitespace (control
 * characters are refused elsewhere), a structural character or a quote. */
static const unsigned char fp_delim[256] = {
	[0] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[','] = 1, [':'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1, ['"'] = 1,
};

/* Whether the escape whose letter is at buf[at] is valid. */
static int fp_escape_ok(const unsigned char *buf, size_t n, size_t at)
{
	switch (buf[at]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		return 1;
	case 'u':
		return n - at > 4 && hex_val(buf[at + 1]) >= 0 && hex_val(buf[at + 2]) >= 0 &&
		       hex_val(buf[at + 3]) >= 0 && hex_val(buf[at + 4]) >= 0;
	}
	return 0;
}

/* The bytes of the block at `base` that a backslash escapes, each escape
 * checked on the way; *bad set on a bad one.  Rare, so a plain loop. */
static uint64_t fp_escapes(const unsigned char *buf, size_t n, size_t base, uint64_t bslash,
			   struct fp_carry *cy, int *bad)
{
	uint64_t escaped = cy->esc, b = bslash & ~cy->esc;
	cy->esc = 0;
	cy->bslash |= bslash != 0;
	while (b) {
		unsigned k = (unsigned)__builtin_ctzll(b);
		if (base + k + 1 >= n || !fp_escape_ok(buf, n, base + k + 1)) {
			*bad = 1;
			return 0;
		}
		if (k == 63) {
			cy->esc = 1;
			break;
		}
		escaped |= 2ull << k;
		b &= ~(3ull << k);
	}
	return escaped;
}

/* Control characters (bit set in `ctrl`) are fine only outside strings
 * and only as tab, LF or CR. */
static int fp_ctrl_ok(const unsigned char *buf, size_t base, uint64_t ctrl, uint64_t inside)
{
	if (ctrl & inside)
		return 0;
	for (; ctrl; ctrl &= ctrl - 1) {
		unsigned c = buf[base + (unsigned)__builtin_ctzll(ctrl)];
		if (c != '\t' && c != '\n' && c != '\r')
			return 0;
	}
	return 1;
}

/* Every byte >= 0x80 (bit set in `high`) must be part of a well-formed
 * UTF-8 sequence (same bounds as the per-byte machine).  Sequences are
 * checked from their lead byte; one may run into the next block. */
static int fp_utf8_ok(const unsigned char *buf, size_t n, size_t base, uint64_t high,
		      struct fp_carry *cy)
{
	if (cy->u8_end > base)
		high = cy->u8_end - base >= 64 ? 0 : high & (~0ull << (cy->u8_end - base));
	while (high) {
		unsigned k = (unsigned)__builtin_ctzll(high);
		size_t at = base + k;
		uint32_t lead = utf8_lead(buf[at]), need = lead & 0xff;
		if (!lead || n - at <= need)
			return 0;
		if (buf[at + 1] < (lead >> 8 & 0xff) || buf[at + 1] > (lead >> 16))
			return 0;
		for (uint32_t j = 2; j <= need; j++)
			if ((buf[at + j] & 0xc0) != 0x80)
				return 0;
		cy->u8_end = at + need + 1;
		k += need + 1;
		high = k >= 64 ? 0 : high & (~0ull << k);
	}
	return 1;
}

/* Bit i of the result: XOR of bits 0..i of x (inside-string marks from
 * quote marks), as one carry-less multiply by all ones. */
__attribute__((target("pclmul,sse2")))
static inline uint64_t fp_prefix_xor(uint64_t x)
{
	__m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8((char)0xff), 0);
	return (uint64_t)_mm_cvtsi128_si64(r);
}

/* Token bits of one block from its raw masks: structural characters and
 * opening quotes outside strings, and the first byte of each bare word.
 * Returns 0 on a byte that makes the line invalid, else 1. */
static inline __attribute__((always_inline, target("pclmul,sse2"))) int
fp_block(const unsigned char *buf, size_t n, size_t base, const struct fp_raw *m,
	 struct fp_carry *cy, uint64_t *tok)
{
	int bad = 0;
	uint64_t q = m->quote;
	if (m->bslash | cy->esc)
		q &= ~fp_escapes(buf, n, base, m->bslash, cy, &bad);
	uint64_t r = fp_prefix_xor(q) ^ cy->in_str;
	cy->in_str = 0 - (r >> 63);
	uint64_t ctrl = m->low & ~m->space;
	if (ctrl && !fp_ctrl_ok(buf, base, ctrl, r & ~q))
		bad = 1;
	if (m->high && !fp_utf8_ok(buf, n, base, m->high, cy))
		bad = 1;
	uint64_t word = ~(r | q | m->low | m->op);
	*tok = (m->op & ~r) | (q & r) | (word & ~(word << 1 | cy->word));
	cy->word = word >> 63;
	return !bad;
}

#define FP_TARGET "avx512f,avx512bw,avx512vbmi,avx512vbmi2,bmi,bmi2,pclmul,popcnt,lzcnt"

/* Byte offsets 0..63, and for the structural characters a table indexed by
 * a byte's low 6 bits that gives back the byte itself only for , : [ ] { }
 * (all six differ in their low 6 bits); for any other index it gives a
 * value whose low 6 bits differ from the index, so no byte matches. */
static const unsigned char fp_iota[64] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
	22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
	42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61,
	62, 63,
};
static const unsigned char fp_op_table[64] = {
#define O(i) ((i) ^ 1)
	O(0), O(1), O(2), O(3), O(4), O(5), O(6), O(7), O(8), O(9), O(10), O(11), O(12),
	O(13), O(14), O(15), O(16), O(17), O(18), O(19), O(20), O(21), O(22), O(23), O(24),
	O(25), O(26), '[', O(28), ']', O(30), O(31), O(32), O(33), O(34), O(35), O(36),
	O(37), O(38), O(39), O(40), O(41), O(42), O(43), ',', O(45), O(46), O(47), O(48),
	O(49), O(50), O(51), O(52), O(53), O(54), O(55), O(56), O(57), ':', '{', O(60),
	'}', O(62), O(63),
#undef O
};

/* `left` bytes from p are the line's; the rest of the 64 read as spaces
 * (a masked load: nothing past the line is touched). */
__attribute__((target(FP_TARGET)))
static inline void fp_raw(const unsigned char *p, size_t left, __m512i optab, struct fp_raw *m)
{
	__m512i x = left >= 64 ? _mm512_loadu_si512(p)
		    : _mm512_mask_loadu_epi8(_mm512_set1_epi8(' '), (1ull << left) - 1, p);
	m->quote = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('"'));
	m->bslash = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\\'));
	m->low = _mm512_cmple_epu8_mask(x, _mm512_set1_epi8(0x20));
	m->space = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(' '));
	m->op = _mm512_cmpeq_epi8_mask(_mm512_permutexvar_epi8(x, optab), x);
	m->high = _mm512_movepi8_mask(x);
}

/* Classifies the bytes from line offset `from` on, up to FP_BLOCKS blocks
 * of 64 (the last one, if short, as if padded with spaces), and lists the
 * tokens' offsets from `from` in `pos` (which has room for 64 entries past
 * the last).  Returns their number, -1 when a byte makes the line invalid.
 * The vector compares of all the blocks come first, in a loop without
 * calls so that their constants stay in registers; the checks that are
 * rarely needed are calls in the second loop, which also turns each
 * block's token bits into offsets with one compress. */
__attribute__((noinline, target(FP_TARGET)))
static int fp_window(const unsigned char *buf, size_t n, size_t from, uint16_t *pos,
		     struct fp_carry *cy)
{
	struct fp_raw m[FP_BLOCKS];
	const __m512i optab = _mm512_loadu_si512(fp_op_table), iota = _mm512_loadu_si512(fp_iota);
	__m512i bo = _mm512_setzero_si512();
	uint16_t *out = pos;
	size_t left = n - from;
	unsigned nb = left >= FP_BLOCKS * 64 ? FP_BLOCKS : (unsigned)((left + 63) / 64);
	for (unsigned k = 0; k < nb; k++)
		fp_raw(buf + from + 64 * k, left - 64 * k, optab, &m[k]);
	for (unsigned k = 0; k < nb; k++) {
		uint64_t t;
		if (!fp_block(buf, n, from + 64 * k, &m[k], cy, &t))
			return -1;
		unsigned cnt = (unsigned)_mm_popcnt_u64(t);
		__m512i off = _mm512_maskz_compress_epi8(t, iota);
		_mm512_storeu_si512(out, _mm512_add_epi16(
			_mm512_cvtepu8_epi16(_mm512_castsi512_si256(off)), bo));
		if (cnt > 32)
			_mm512_storeu_si512(out + 32, _mm512_add_epi16(
				_mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(off, 1)), bo));
		out += cnt;
		bo = _mm512_add_epi16(bo, _mm512_set1_epi16(64));
	}
	return (int)(out - pos);
}

/* End of the digits from buf[p] on, 8 at a time while 8 are left. */
static inline __attribute__((always_inline)) size_t fp_digits(const unsigned char *buf, size_t n, size_t p)
{
	for (; n - p >= 8; p += 8) {
		uint64_t x;
		memcpy(&x, buf + p, 8);
		/* high bit of each byte that is not '0'..'9': above '9' the add
		 * sets it, below '0' (or >= 0xb0) the subtraction does.  Carries
		 * only run from a non-digit upwards, so the first one is exact. */
		uint64_t nd = ((x + 0x4646464646464646ull) | (x - 0x3030303030303030ull)) &
			      0x8080808080808080ull;
		if (nd)
			return p + ((unsigned)__builtin_ctzll(nd) >> 3);
	}
	while (p < n && is_digit(buf[p]))
		p++;
	return p;
}

/* End of the number or literal that starts at buf[i] (i > 0), or 0 when
 * it is not exactly one. */
static inline __attribute__((always_inline)) size_t
fp_bare(const unsigned char *buf, size_t n, size_t i)
{
	const char *word;
	size_t p = i, len;
	unsigned c = buf[p];
	switch (c) {
	case 't': word = "true"; len = 4; goto word;
	case 'f': word = "false"; len = 5; goto word;
	case 'n': word = "null"; len = 4; goto word;
	case 'N': word = "NaN"; len = 3; goto word;
	case 'I': word = "Infinity"; len = 8; goto word;
	case '-':
		if (++p == n)
			return 0;
		c = buf[p];
		if (c == 'I') {
			word = "Infinity";
			len = 8;
			goto word;
		}
		if (!is_digit(c))
			return 0;
		/* fall through */
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		p++;
		if (c != '0')
			p = fp_digits(buf, n, p);
		if (p < n && buf[p] == '.') {
			if (++p == n || !is_digit(buf[p]))
				return 0;
			p = fp_digits(buf, n, p + 1);
		}
		if (p < n && (buf[p] | 0x20) == 'e') {
			if (++p < n && (buf[p] == '+' || buf[p] == '-'))
				p++;
			if (p == n || !is_digit(buf[p]))
				return 0;
			p = fp_digits(buf, n, p + 1);
		}
		break;
	default:
		return 0;
	}
	return p == n || fp_delim[buf[p]] ? p : 0;
word:
	if (n - p < len || memcmp(buf + p, word, len) != 0)
		return 0;
	p += len;
	return p == n || fp_delim[buf[p]] ? p : 0;
}

/* The members of the line's object are noted in three lists: where the
 * key starts (after its quote), where the colon is, and where the "," or
 * "}" after the value is. */
#define FP_MEMBERS 32 /* members noted before their captures are taken */

struct fp_members {
	size_t key[FP_MEMBERS + 1], colon[FP_MEMBERS + 1], end[FP_MEMBERS + 1];
};



/* Takes the captures of the members noted: a key that names a field
 * selects the value between the colon and the end, less whitespace.
 * Returns 0 when a key holds an escape (the per-byte machine unescapes),
 * else 1. */
static int fp_capture(struct jsonv_capture *cap, const unsigned char *buf,
		      const struct fp_members *mb, unsigned nm, int bslash)
{
	const struct cap_index *x = &cap_index;
	for (unsigned k = 0; k < nm; k++) {
		size_t e = mb->key[k], q = mb->colon[k] - 1, len;
		while (buf[q] != '"') /* only whitespace before the colon */
			q--;
		len = q - e;
		if (bslash && memchr(buf + e, '\\', len))
			return 0;
		if (len > KEY_MAX)
			continue;
		for (uint32_t m = x->by_len[len]; m; m &= m - 1) {
			unsigned j = (unsigned)__builtin_ctz(m);
			if (same_bytes(x->name[j], buf + e, len)) {
				size_t s = mb->colon[k] + 1, t = mb->end[k] - 1;
				while (buf[s] <= ' ')
					s++;
				while (buf[t] <= ' ')
					t--;
				struct jsonv_field *f = &cap->fields[j];
				f->type = (enum jsonv_type)start_type[buf[s]];
				f->off = s;
				f->len = t + 1 - s;
				break;
			}
		}
	}
	return 1;
}

/* The grammar over the token positions.  Returns 1 when the line is one
 * valid container (v then holds the end state and the captures), 0 when
 * the per-byte machine must decide (v untouched but for the captures,
 * which are reset).  The walk itself captures nothing: it notes where the
 * top-level members are, without a branch, and fp_capture looks at them
 * afterwards.  Few variables, so that they all stay in registers; for a
 * line of one window (up to 1 KiB, nearly all of them) the walk is
 * compiled apart, with the classification done before it and no call
 * left inside it, which makes it a third faster. */
static inline __attribute__((always_inline)) int
fp_line(struct jsonv *v, const unsigned char *buf, size_t n, int one_window)
{
	uint16_t pos[FP_BLOCKS * 64 + 64];
	const uint16_t *tp = pos, *tend = pos;
	struct fp_members mb; /* the last entry: keys below depth 1 */
	/* 1 bit per open container, 1 for an object, under a sentinel 1:
	 * depth 0 is stk == 1, depth 1 is stk < 4 */
	uint64_t stk = 1;
	struct fp_carry cy = { 0, 0, 0, 0, 0 };
	struct jsonv_capture *cap = v->cap;
	size_t wbase = 0, wend = 0, i, e;
	unsigned c, nm = 0;

	if (cap) {
		if (cap_index.fields != cap->fields || cap_index.n != cap->n)
			cap_index_build(cap);
		if (cap->n > JSONV_CAP_INDEXED)
			return 0; /* names beyond the index: the per-byte machine */
	}

/* next token: position i, byte c; `none` when the line has no more */
#define FP_NEXT(none) do { \
		while (tp == tend) { \
			if (one_window || wend >= n) \
				goto none; \
			int cnt_ = fp_window(buf, n, wend, pos, &cy); \
			if (cnt_ < 0) \
				goto bail; \
			wbase = wend; \
			wend += FP_BLOCKS * 64; \
			tp = pos; \
			tend = pos + cnt_; \
		} \
		i = (one_window ? 0 : wbase) + *tp++; \
		c = buf[i]; \
	} while (0)

	if (one_window) { /* the whole line in one window: no call in the walk */
		int cnt = fp_window(buf, n, 0, pos, &cy);
		if (cnt < 0)
			goto bail;
		tend = pos + cnt;
	}
	FP_NEXT(bail);
	if (c == '{')
		goto open_obj;
	if (c == '[')
		goto open_arr;
	goto bail;

open_obj:
	if (stk >> 63)
		goto bail; /* 63 open: the stack word is full */
	stk = stk << 1 | 1;
	FP_NEXT(bail);
	if (c == '"')
		goto key;
	if (c == '}')
		goto close;
	goto bail;

open_arr:
	if (stk >> 63)
		goto bail;
	stk <<= 1;
	FP_NEXT(bail);
	if (c == ']')
		goto close;
	goto value;

key: /* c = '"' opens a key */
	e = i + 1;
	FP_NEXT(bail);
	if (c != ':')
		goto bail;
	{
		unsigned slot = stk < 4 ? nm : FP_MEMBERS;
		mb.key[slot] = e;
		mb.colon[slot] = i;
	}
	FP_NEXT(bail);

value: /* c starts a value */
	if (c == '"') {
		FP_NEXT(bail);
		goto after;
	}
	if (c == '{')
		goto open_obj;
	if (c == '[')
		goto open_arr;
	if (!(e = fp_bare(buf, n, i)))
		goto bail;
	FP_NEXT(bail);

after: /* c follows a value in a container */
	mb.end[nm] = i;
	nm += stk == 3; /* a member of the line's object ended */
	if (nm == FP_MEMBERS) {
		if (cap && !fp_capture(cap, buf, &mb, nm, cy.bslash))
			goto bail;
		nm = 0;
	}
	if (c == ',') {
		FP_NEXT(bail);
		if (!(stk & 1))
			goto value;
		if (c == '"')
			goto key;
		goto bail;
	}
	if (c != ((stk & 1) ? '}' : ']'))
		goto bail;
close: /* c closes the innermost container */
	stk >>= 1;
	if (stk == 1)
		goto done;
	FP_NEXT(bail);
	goto after;

done: /* only whitespace may follow */
	FP_NEXT(accept);
	goto bail;

accept:
	if (cap && !fp_capture(cap, buf, &mb, nm, cy.bslash))
		goto bail;
	for (e = 0; buf[e] <= ' '; e++) /* the line's value starts after whitespace */
		;
	v->state = ST_END;
	v->depth = 0;
	v->top = (enum jsonv_type)start_type[buf[e]];
	v->cap_field = -1;
	v->pos = n;
	return 1;

bail:
	if (cap)
		for (size_t j = 0; j < cap->n; j++) {
			cap->fields[j].type = JV_NONE;
			cap->fields[j].off = cap->fields[j].len = 0;
		}
	return 0;
#undef FP_NEXT
}

/* The whole line through the fast path; see fp_line. */
__attribute__((target(FP_TARGET)))
static int fp_line_avx512(struct jsonv *v, const unsigned char *buf, size_t n)
{
	if (n <= FP_BLOCKS * 64)
		return fp_line(v, buf, n, 1);
	return fp_line(v, buf, n, 0);
}

/* Whether the fast path runs: -1 until found out, 0 no, 1 yes.  It needs
 * AVX-512 (BW, VBMI, VBMI2); without it the per-byte machine alone is
 * faster than a classification done in narrower vectors. */
static int fp_level = -1;

static int fp_detect(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2") &&
	       __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
	       __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt");
}

static int fp_run(struct jsonv *v, const char *buf, size_t n)
{
	int level = __atomic_load_n(&fp_level, __ATOMIC_RELAXED);
	if (level < 0) {
		level = fp_detect();
		__atomic_store_n(&fp_level, level, __ATOMIC_RELAXED);
	}
	return level > 0 && fp_line_avx512(v, (const unsigned char *)buf, n);
}
#endif /* JSONV_FAST */

/* For tests only (declared here, not in jsonv.h): 0 turns the fast path
 * off (the per-byte machine alone), 1 turns it on where the CPU has what
 * it needs, -1 goes back to deciding by the CPU.  Returns whether it is
 * now on.  Not thread-safe against running validators. */
int jsonv__fast_level(int level);
int jsonv__fast_level(int level)
{
#ifdef JSONV_FAST
	int best = fp_detect();
	level = level < 0 || level > best ? best : level;
	__atomic_store_n(&fp_level, level, __ATOMIC_RELAXED);
	return level;
#else
	(void)level;
	return 0;
#endif
}

int jsonv_feed(struct jsonv *v, const char *buf, size_t n)
{
	if (v->error)
		return -1;
	if (n == 0)
		return 0;
#ifdef JSONV_FAST
	if (v->pos == 0 && v->state == ST_VALUE && fp_run(v, buf, n))
		return 0;
#endif
	return feed_bytes(v, buf, n);
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

int jsonv_error_is_trailing(const struct jsonv *v)
{
	return v->error == JSONV_E_TRAILING;
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
