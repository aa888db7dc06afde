/* Interning of short raw JSON values (event types, addresses) met while
 * indexing, so each line stores a small id instead of text and filters
 * compare ids.  Keys are the raw bytes of the value as stored; the display
 * form is computed once per distinct value, by the caller. */
#ifndef PAPYRA_UI_INTERN_H
#define PAPYRA_UI_INTERN_H

#include <stddef.h>
#include <stdint.h>

/* Raw values longer than this are not interned (id INTERN_OVERFLOW): real
 * types and addresses are a few dozen bytes. */
#define INTERN_KEY_MAX 256

#define INTERN_NONE 0u

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

/* `max_id`: the largest id the caller can store (255 for a byte). */
void intern_init(struct intern *t, uint32_t max_id);
void intern_free(struct intern *t);
/* Id of `p[0..n)`, adding it when new.  Returns max_id when the table is
 * full, the key too long or memory is short. */
uint32_t intern_id(struct intern *t, const char *p, size_t n);

#endif
