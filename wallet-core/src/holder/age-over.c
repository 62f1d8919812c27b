/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Which held element answers a request (18013-5 §7.2.5 for age_over_NN). */

#include <string.h>

#include "holder/holder-private.h"

static bool
span_is(tsr_span_t s, const char *text)
{
	size_t n = strlen(text);

	return s.len == n && memcmp(s.ptr, text, n) == 0;
}

/* NN of "age_over_NN" (two digits), or -1. */
static int
age_over_number(const uint8_t *id, size_t len)
{
	static const char prefix[] = "age_over_";
	const size_t plen = sizeof(prefix) - 1;

	if (len != plen + 2 || memcmp(id, prefix, plen) != 0 || id[plen] < '0' || id[plen] > '9' ||
	    id[plen + 1] < '0' || id[plen + 1] > '9')
		return -1;
	return (id[plen] - '0') * 10 + (id[plen + 1] - '0');
}

const tsr_issuer_item_t *
tsr_holder_find_answer(const tsr_issuer_ns_t *ns, const char *identifier)
{
	const tsr_issuer_item_t *true_above = NULL, *false_below = NULL;
	int nn, best_true = 100, best_false = -1;

	for (size_t i = 0; i < ns->n_items; i++)
		if (span_is(ns->items[i].element_id, identifier))
			return &ns->items[i];
	nn = age_over_number((const uint8_t *)identifier, strlen(identifier));
	if (nn < 0)
		return NULL;
	/* Not held as asked: the true statement with the smallest MM >= NN,
	 * otherwise the false one with the largest MM <= NN. Either answers
	 * the question truthfully without saying more than needed. */
	for (size_t i = 0; i < ns->n_items; i++) {
		const tsr_issuer_item_t *item = &ns->items[i];
		int mm = age_over_number(item->element_id.ptr, item->element_id.len);

		if (mm < 0)
			continue;
		if (item->value->type == TSR_CBOR_TRUE && mm >= nn && mm < best_true) {
			best_true = mm;
			true_above = item;
		} else if (item->value->type == TSR_CBOR_FALSE && mm <= nn && mm > best_false) {
			best_false = mm;
			false_below = item;
		}
	}
	return true_above != NULL ? true_above : false_below;
}
