/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* A wallet key as a holder device key: presentations sign and agree keys
 * through the wallet's secure area, never seeing the private key. */

#include <stdlib.h>
#include <string.h>

#include <tessera/holder.h>
#include <tessera/store.h>

#include "base/buf.h"

typedef struct store_key {
	tsr_secure_area_t *sa; /* borrowed from the store */
	uint8_t *ref;
	size_t ref_len;
	char *pin;
} store_key_t;

static int
store_key_sign(void *user, const uint8_t *msg, size_t len, uint8_t sig[64])
{
	const store_key_t *k = user;

	return tsr_secure_area_sign(k->sa, k->ref, k->ref_len, k->pin, msg, len, sig);
}

static int
store_key_agree(void *user, const uint8_t *peer, size_t peer_len, uint8_t z[32])
{
	const store_key_t *k = user;

	return tsr_secure_area_key_agreement(k->sa, k->ref, k->ref_len, k->pin, peer, peer_len, z);
}

static void
store_key_free(void *user)
{
	store_key_t *k = user;

	if (k == NULL)
		return;
	free(k->ref);
	if (k->pin != NULL)
		tsr_free_secret(k->pin, strlen(k->pin));
	free(k);
}

int
tsr_store_device_key(tsr_store_t *store, int64_t key_id, const char *pin,
    tsr_device_key_t **ret_key)
{
	store_key_t *k;
	int r;

	if (store == NULL || ret_key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_store_secure_area(store, &k->sa)) != TSR_OK ||
	    (r = tsr_store_key_get(store, key_id, &k->ref, &k->ref_len, NULL, NULL)) != TSR_OK)
		goto fail;
	if (pin != NULL && (k->pin = strdup(pin)) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto fail;
	}
	if ((r = tsr_device_key_new(store_key_sign, store_key_agree, k, store_key_free,
	    ret_key)) != TSR_OK)
		goto fail;
	return TSR_OK;
fail:
	store_key_free(k);
	return r;
}
