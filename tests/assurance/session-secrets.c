/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "session-secrets.h"

#include <string.h>

#include <glib.h>

#include <mbedtls/bignum.h>

#include <tessera/tessera.h>

#include "cose/cose.h"
#include "crypto/crypto-internal.h"
#include "mdoc/mdoc.h"

void
tsr_test_session_secrets(const tsr_reader_session_t *reader,
    const tsr_holder_session_t *holder, const uint8_t *device_cose, size_t device_cose_len,
    tsr_test_session_secrets_t *out)
{
	const tsr_ec_key_t *edevice = tsr_holder_session_key(holder);
	const tsr_ec_key_t *ereader = tsr_reader_session_key(reader);
	const uint8_t *st = NULL;
	size_t st_len = 0, z_len = 0;
	uint8_t salt[32]; /* SHA-256 of the transcript: not a secret */
	tsr_ec_pub_t pub;
	tsr_transcript_t t;

	g_assert_nonnull(edevice);
	g_assert_nonnull(ereader);
	g_assert_cmpint(mbedtls_mpi_write_binary(&edevice->kp.d, out->e_device_d, 32), ==, 0);
	g_assert_cmpint(mbedtls_mpi_write_binary(&ereader->kp.d, out->e_reader_d, 32), ==, 0);
	/* 18013-5 §9.1.1.5: SKReader and SKDevice come from this one. */
	g_assert_cmpint(tsr_ec_key_public(edevice, &pub), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdh(ereader, &pub, out->z_session, &z_len), ==, TSR_OK);
	g_assert_cmpuint(z_len, ==, 32);
	/* §9.1.3.5: EMacKey = HKDF-SHA-256(salt = SHA-256(SessionTranscriptBytes),
	 * IKM = ECDH(SDeviceKey, EReaderKey), info = "EMacKey"). */
	g_assert_cmpint(tsr_cose_key_from_bytes(device_cose, device_cose_len, &pub), ==, TSR_OK);
	g_assert_cmpint(tsr_ecdh(ereader, &pub, out->z_auth, &z_len), ==, TSR_OK);
	g_assert_cmpuint(z_len, ==, 32);
	tsr_reader_session_transcript(reader, &st, &st_len);
	g_assert_cmpint(tsr_transcript_decode(st, st_len, &t), ==, TSR_OK);
	g_assert_cmpint(tsr_transcript_salt(&t, salt), ==, TSR_OK);
	tsr_transcript_clear(&t);
	g_assert_cmpint(tsr_hkdf_sha256(salt, 32, out->z_auth, 32, (const uint8_t *)"EMacKey", 7,
	    out->emac_key, 32), ==, TSR_OK);
}

void
tsr_test_software_key(const tsr_store_t *store, const char *passphrase, const uint8_t *ref,
    size_t ref_len, tsr_test_software_key_t *out)
{
	static const char key_label[] = "tessera sa-software v1 key";
	const uint8_t *params = store->sa_params;
	uint8_t info[sizeof(key_label) - 1 + 10]; /* not a secret */
	uint32_t iterations;
	bool found = false;

	g_assert_cmpuint(store->sa_params_len, ==, 65);
	iterations = (uint32_t)params[1] << 24 | (uint32_t)params[2] << 16 |
	    (uint32_t)params[3] << 8 | params[4];
	g_assert_cmpint(tsr_pbkdf2_sha256((const uint8_t *)passphrase, strlen(passphrase),
	    params + 5, 16, iterations, out->m, 32), ==, TSR_OK);
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, out->m, 32,
	    (const uint8_t *)"tessera sa-software v1 seal", 27, out->seal, 32), ==, TSR_OK);
	/* K_key: info = label || reference header [0..9] (no PIN). */
	g_assert_cmpuint(ref_len, >, 22 + 16);
	memcpy(info, key_label, sizeof(key_label) - 1);
	memcpy(info + sizeof(key_label) - 1, ref, 10);
	g_assert_cmpint(tsr_hkdf_sha256(NULL, 0, out->m, 32, info, sizeof(info), out->wrap, 32),
	    ==, TSR_OK);
	out->der_len = ref_len - 22 - 16;
	g_assert_cmpuint(out->der_len, <=, sizeof(out->der));
	g_assert_cmpint(tsr_aes256gcm_decrypt(out->wrap, ref + 10, ref + 22, ref_len - 22,
	    out->der), ==, TSR_OK);
	/* ECPrivateKey: version 1, then the scalar as a 32-byte OCTET STRING. */
	for (size_t i = 0; i + 5 + 32 <= out->der_len && !found; i++) {
		if (memcmp(out->der + i, "\x02\x01\x01\x04\x20", 5) == 0) {
			out->d_offset = i + 5;
			found = true;
		}
	}
	g_assert_true(found);
}
