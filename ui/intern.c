#include "intern.h"

#include <stdlib.h>
#include <string.h>

void intern_init(struct intern *t, uint32_t max_id)
{
	memset(t, 0, sizeof *t);
	t->max_id = max_id;
	t->n = 1;
}

void intern_free(struct intern *t)
{
	for (uint32_t i = 1; i < t->n; i++) {
		free(t->key[i]);
		free(t->shown[i]);
	}
	free(t->key);
	free(t->shown);
	free(t->hash);
	free(t->len);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

static uint32_t hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static int rehash(struct intern *t)
{
	size_t ns = t->n_slots ? t->n_slots * 2 : 64;
	uint32_t *s = calloc(ns, sizeof *s);
	char **k = realloc(t->key, ns / 2 * sizeof *k);
	if (k)
		t->key = k;
	char **sh = k ? realloc(t->shown, ns / 2 * sizeof *sh) : NULL;
	if (sh)
		t->shown = sh;
	uint32_t *h = sh ? realloc(t->hash, ns / 2 * sizeof *h) : NULL;
	if (h)
		t->hash = h;
	uint32_t *l = h ? realloc(t->len, ns / 2 * sizeof *l) : NULL;
	if (l)
		t->len = l;
	if (!s || !l) {
		free(s);
		return -1;
	}
	for (uint32_t id = 1; id < t->n; id++) {
		size_t i = t->hash[id] & (ns - 1);
		while (s[i])
			i = (i + 1) & (ns - 1);
		s[i] = id;
	}
	free(t->slots);
	t->slots = s;
	t->n_slots = ns;
	return 0;
}

uint32_t intern_id(struct intern *t, const char *p, size_t n)
{
	if (n == 0)
		return INTERN_NONE;
	if (n > UINT32_MAX)
		return t->max_id;
	uint32_t h = hash(p, n);
	if (t->n_slots) {
		size_t i = h & (t->n_slots - 1);
		for (; t->slots[i]; i = (i + 1) & (t->n_slots - 1)) {
			uint32_t id = t->slots[i];
			if (t->hash[id] == h && t->len[id] == n && memcmp(t->key[id], p, n) == 0)
				return id;
		}
	}
	if (t->n >= t->max_id)
		return t->max_id;
	/* keep the table at most half full */
	if ((t->n + 1) * 2 > t->n_slots && rehash(t) < 0)
		return t->max_id;
	char *k = malloc(n + 1);
	if (!k)
		return t->max_id;
	memcpy(k, p, n);
	k[n] = '\0';
	uint32_t id = t->n++;
	t->key[id] = k;
	t->shown[id] = NULL;
	t->hash[id] = h;
	t->len[id] = (uint32_t)n;
	size_t i = h & (t->n_slots - 1);
	while (t->slots[i])
		i = (i + 1) & (t->n_slots - 1);
	t->slots[i] = id;
	return id;
}
