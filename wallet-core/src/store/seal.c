/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Encryption at rest. crypto.h's AES-256-GCM has no associated data, so a
 * row is bound to its place by its key instead: every row gets its own key
 *
 *   row key = HKDF-SHA-256(salt = none, IKM = data key,
 *                          info = "tessera store row v1" || 0x00 || table ||
 *                                 0x00 || row id (8 bytes, big-endian), L = 32)
 *
 * and a fresh random 96-bit IV. A sealed value copied to another row or
 * table does not authenticate there, and as each key encrypts a handful of
 * values at most (a row is rewritten only when it changes), random IVs are
 * far from GCM's limits. Ids are AUTOINCREMENT, so a deleted row's id (and
 * key) is never given to another row.
 */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "crypto/crypto.h"
#include "store/store-private.h"

#define ROW_INFO "tessera store row v1"
#define FINGERPRINT_INFO "tessera store fingerprint v1"

static int
row_key(const uint8_t data_key[32], const char *table, int64_t id, uint8_t key[32])
{
	uint8_t info[sizeof(ROW_INFO) + 64 + 1 + 8];
	size_t table_len = strlen(table), n = 0;
	uint64_t uid = (uint64_t)id;
	int r;

	if (table_len > 64)
		return TSR_ERR_INVALID_ARGUMENT;
	memcpy(info, ROW_INFO, sizeof(ROW_INFO)); /* with its NUL as the separator */
	n = sizeof(ROW_INFO);
	memcpy(info + n, table, table_len);
	n += table_len;
	info[n++] = 0;
	for (int i = 7; i >= 0; i--)
		info[n++] = (uint8_t)(uid >> (8 * i));
	r = tsr_hkdf_sha256(NULL, 0, data_key, 32, info, n, key, 32);
	return r;
}

int
tsr_store_seal(const uint8_t data_key[32], const char *table, int64_t id, const uint8_t *pt,
    size_t len, uint8_t **ret_sealed, size_t *ret_len)
{
	uint8_t key[32], *out = NULL;
	int r = TSR_ERR_INTERNAL;

	if (len > TSR_BUF_MAX)
		return TSR_ERR_LIMIT;
	if ((out = malloc(len + TSR_STORE_SEAL_OVERHEAD)) == NULL)
		return TSR_ERR_NO_MEMORY;
	out[0] = TSR_STORE_SEAL_VERSION;
	if ((r = tsr_random_bytes(out + 1, TSR_GCM_IV_LEN)) != TSR_OK)
		goto out;
	if ((r = row_key(data_key, table, id, key)) != TSR_OK)
		goto out;
	if ((r = tsr_aes256gcm_encrypt(key, out + 1, pt, len, out + 1 + TSR_GCM_IV_LEN)) !=
	    TSR_OK)
		goto out;
	*ret_sealed = out;
	*ret_len = len + TSR_STORE_SEAL_OVERHEAD;
	out = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(key, sizeof(key));
	free(out);
	return r;
}

int
tsr_store_unseal(const uint8_t data_key[32], const char *table, int64_t id,
    const uint8_t *sealed, size_t len, uint8_t **ret_pt, size_t *ret_len)
{
	uint8_t key[32], *out = NULL;
	size_t out_len;
	int r = TSR_ERR_INTERNAL;

	if (sealed == NULL || len < TSR_STORE_SEAL_OVERHEAD || sealed[0] != TSR_STORE_SEAL_VERSION)
		return TSR_ERR_STORE_CORRUPT;
	out_len = len - TSR_STORE_SEAL_OVERHEAD;
	/* One spare byte so that an empty plaintext is still an allocation. */
	if ((out = malloc(out_len + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = row_key(data_key, table, id, key)) != TSR_OK)
		goto out;
	r = tsr_aes256gcm_decrypt(key, sealed + 1, sealed + 1 + TSR_GCM_IV_LEN,
	    len - 1 - TSR_GCM_IV_LEN, out);
	if (r == TSR_ERR_CRYPTO_DECRYPT)
		r = TSR_ERR_STORE_CORRUPT;
	if (r != TSR_OK)
		goto out;
	*ret_pt = out;
	*ret_len = out_len;
	out = NULL;
	r = TSR_OK;
out:
	tsr_zeroize(key, sizeof(key));
	tsr_free_secret(out, out_len + 1);
	return r;
}

int
tsr_store_fingerprint(const uint8_t data_key[32], const uint8_t *ptr, size_t len,
    uint8_t out[32])
{
	uint8_t key[32];
	int r;

	if ((r = tsr_hkdf_sha256(NULL, 0, data_key, 32, (const uint8_t *)FINGERPRINT_INFO,
	    sizeof(FINGERPRINT_INFO) - 1, key, sizeof(key))) == TSR_OK)
		r = tsr_hmac_sha256(key, sizeof(key), ptr, len, out);
	tsr_zeroize(key, sizeof(key));
	return r;
}
