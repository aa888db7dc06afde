#include "schema.h"

#include <stdio.h>
#include <string.h>

static const char *const field_names[SF__COUNT] = {
#define X(id, name, kinds, types) name,
	SCHEMA_FIELDS(X)
#undef X
};

static const unsigned field_kinds[SF__COUNT] = {
#define X(id, name, kinds, types) kinds,
	SCHEMA_FIELDS(X)
#undef X
};

static const unsigned field_types[SF__COUNT] = {
#define X(id, name, kinds, types) types,
	SCHEMA_FIELDS(X)
#undef X
};

void schema_capture_init(struct jsonv_field f[SF__COUNT], struct jsonv_capture *cap)
{
	for (int i = 0; i < SF__COUNT; i++) {
		f[i].name = field_names[i];
		f[i].type = JV_NONE;
		f[i].off = f[i].len = 0;
	}
	cap->fields = f;
	cap->n = SF__COUNT;
}

const char *rec_kind_name(enum rec_kind k)
{
	static const char *const names[RK__COUNT] = { "event", "audit", "dead_letter", "unknown" };
	return k < RK__COUNT ? names[k] : "unknown";
}

enum rec_kind schema_kind(const char *line, const struct jsonv_field f[SF__COUNT])
{
	const struct jsonv_field *k = &f[SF_KIND];
	if (k->type != JV_STRING || !line)
		return RK_UNKNOWN;
	const char *p = line + k->off;
	size_t n = (size_t)k->len;
	/* The writers never escape these, so a raw compare settles almost every
	 * line; an escaped spelling still decodes correctly below. */
	char buf[16];
	if (memchr(p, '\\', n)) {
		if (json_string_decode(p, n, buf, sizeof buf) < 0)
			return RK_UNKNOWN;
	} else {
		if (n < 2 || n - 2 >= sizeof buf)
			return RK_UNKNOWN;
		memcpy(buf, p + 1, n - 2);
		buf[n - 2] = '\0';
	}
	for (int i = 0; i < RK_UNKNOWN; i++)
		if (strcmp(buf, rec_kind_name((enum rec_kind)i)) == 0)
			return (enum rec_kind)i;
	return RK_UNKNOWN;
}

int schema_check(enum rec_kind k, int kind_present, const struct jsonv_field f[SF__COUNT],
		 char *why, size_t whylen)
{
	if (!kind_present) {
		snprintf(why, whylen, "field 'kind' is missing");
		return -1;
	}
	if (k == RK_UNKNOWN) {
		snprintf(why, whylen, "unknown kind");
		return -1;
	}
	for (int i = 0; i < SF__COUNT; i++) {
		if (!(field_kinds[i] & (1u << k)))
			continue;
		if (f[i].type == JV_NONE) {
			snprintf(why, whylen, "field '%s' is missing", field_names[i]);
			return -1;
		}
		if (!(field_types[i] & TM(f[i].type))) {
			snprintf(why, whylen, "field '%s' is %s, expected %s", field_names[i],
				 jsonv_type_name(f[i].type),
				 field_types[i] == TM_NUM ? "number" :
				 field_types[i] == TM_STR ? "string" :
				 field_types[i] == TM(JV_ARRAY) ? "array" : "string or object");
			return -1;
		}
	}
	return 0;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
	if (end - p < 4)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = px_hexval((unsigned char)p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

long json_string_decode(const char *p, size_t n, char *out, size_t outlen)
{
	if (n < 2 || p[0] != '"' || p[n - 1] != '"' || outlen == 0)
		return -1;
	const char *s = p + 1, *end = p + n - 1;
	size_t o = 0;
	while (s < end) {
		char tmp[4];
		size_t tn;
		if (*s != '\\') {
			tmp[0] = *s++;
			tn = 1;
		} else {
			if (end - s < 2)
				return -1;
			char c = s[1];
			s += 2;
			switch (c) {
			case 'n': tmp[0] = '\n'; tn = 1; break;
			case 't': tmp[0] = '\t'; tn = 1; break;
			case 'r': tmp[0] = '\r'; tn = 1; break;
			case 'b': tmp[0] = '\b'; tn = 1; break;
			case 'f': tmp[0] = '\f'; tn = 1; break;
			case '/': case '\\': case '"': tmp[0] = c; tn = 1; break;
			case 'u': {
				unsigned cp, lo;
				if (hex4(s, end, &cp) < 0)
					return -1;
				s += 4;
				if (cp >= 0xd800 && cp < 0xdc00 && end - s >= 6 && s[0] == '\\' &&
				    s[1] == 'u' && hex4(s + 2, end, &lo) == 0 && lo >= 0xdc00 &&
				    lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					s += 6;
				} else if (cp >= 0xd800 && cp < 0xe000) {
					cp = 0xfffd; /* lone surrogate: valid data, not printable */
				}
				tn = put_utf8(tmp, cp);
				break;
			}
			default:
				return -1;
			}
		}
		if (o + tn >= outlen)
			break; /* truncated, still NUL-terminated */
		memcpy(out + o, tmp, tn);
		o += tn;
	}
	out[o] = '\0';
	return (long)o;
}
