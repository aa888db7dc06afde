/* Interning of short raw JSON values (event types, addresses) met while
 * indexing, so each line stores a small id instead of text and filters
 * compare ids.  Keys are the raw bytes of the value as stored; the display
 * form is computed once per distinct value, by the caller. */
#ifndef PAPYRA_UI_INTERN_H
#define PAPYRA_UI_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define INTERN_NONE 0u
/* The most ids a table hands out: the index stores ids in up to 32 bits,
 * and a store has fewer distinct values than lines. */
#define INTERN_ID_MAX UINT32_MAX

struct intern {
	uint32_t max_id;   /* ids 1..max_id-1 are real; max_id means "too many" */
	uint32_t n;        /* ids handed out, plus 1 (id 0 is "none") */
	char **key;        /* [id] raw bytes, NUL-terminated */
	char **shown;      /* [id] display form, set by the owner, may be NULL */
	uint32_t *hash;    /* [id] hash of the key: most probes end on it */
	uint32_t *len;     /* [id] key length */
	uint32_t *slots;   /* open addressing: 0 empty, else id */
	size_t n_slots;
};

/* `max_id`: the largest id the caller can store. */
void intern_init(struct intern *t, uint32_t max_id);
void intern_free(struct intern *t);
/* Id of `p[0..n)`, adding it when new (any length).  Returns max_id when
 * the table is full or memory is short; INTERN_NONE for an empty key. */
uint32_t intern_id(struct intern *t, const char *p, size_t n);

#endif
