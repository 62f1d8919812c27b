/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Token Status List decoding (CWT, zlib inside) as a verifier loads it,
 * entry lookups, and the issuer's inspect of the same bytes. */

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#include "fuzz-common.h"
#include "reader/status.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_status_list_t list;
	tsr_verifier_t *v = NULL;
	char *text = NULL;
	unsigned st;

	memset(&list, 0, sizeof(list));
	if (tsr_status_list_decode(data, size, &list) == TSR_OK) {
		if (list.bits == 0 || list.n_entries != list.lst_len * (8 / list.bits))
			abort();
		for (size_t i = 0; i < list.n_entries && i < 4096; i++)
			if (tsr_status_list_get(&list, i, &st) != TSR_OK || st >= (1u << list.bits))
				abort();
		if (tsr_status_list_get(&list, list.n_entries, &st) != TSR_ERR_NOT_FOUND)
			abort();
		tsr_status_list_clear(&list);
	}
	if (tsr_verifier_new(&v) == TSR_OK) {
		if (tsr_verifier_add_status_list(v, data, size) == TSR_OK &&
		    tsr_status_list_decode(data, size, &list) != TSR_OK)
			abort();
		tsr_status_list_clear(&list);
		tsr_verifier_free(v);
	}
	if (tsr_issuer_inspect(data, size, size % 2 == 0, &text) == TSR_OK)
		tsr_free(text);
	return 0;
}
