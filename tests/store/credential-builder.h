/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Test credentials for the wallet store: Annex D's issuer-signed mDL
 * elements (family_name "Doe", document_number "123456789", the portrait,
 * ...) under a fresh MSO that binds them to a chosen device key, signed by
 * the test Document Signer of tests/data/store/. No GLib: the benchmark
 * uses it too.
 */
#ifndef TSR_TEST_CREDENTIAL_BUILDER_H
#define TSR_TEST_CREDENTIAL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/*
 * data_dir is tests/data. The MSO is signed at signed_at and valid from
 * valid_from to valid_until (Unix seconds). Returns TSR_OK and an owned
 * IssuerSigned (free()), or an error code.
 */
int tsr_test_credential_build(const char *data_dir, const tsr_ec_pub_t *device_key,
    int64_t signed_at, int64_t valid_from, int64_t valid_until, uint8_t **ret_ptr,
    size_t *ret_len);

/* The same for a device key given as a COSE_Key. */
int tsr_test_credential_build_cose(const char *data_dir, const uint8_t *cose_key,
    size_t cose_len, int64_t signed_at, int64_t valid_from, int64_t valid_until,
    uint8_t **ret_ptr, size_t *ret_len);

#endif /* TSR_TEST_CREDENTIAL_BUILDER_H */
