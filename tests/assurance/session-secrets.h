/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The secrets of an established QR session and of a software secure area
 * that the library never hands out, recomputed for the assurance tests
 * that look for them (test-privacy in the log, the files and the output;
 * test-secret-scan in freed memory; test-app-secret-scan in the holder
 * app's).
 */
#ifndef TSR_TEST_SESSION_SECRETS_H
#define TSR_TEST_SESSION_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "session/session.h"
#include "store/store-private.h"

typedef struct tsr_test_session_secrets {
	uint8_t e_device_d[32]; /* EDeviceKey private scalar, big-endian */
	uint8_t e_reader_d[32]; /* EReaderKey private scalar, big-endian */
	uint8_t z_session[32];  /* ECDH(EReaderKey, EDeviceKey.pub): SK's input */
	uint8_t z_auth[32];     /* ECDH(EReaderKey, SDeviceKey.pub): EMacKey's input */
	uint8_t emac_key[32];   /* 18013-5 §9.1.3.5 EMacKey */
} tsr_test_session_secrets_t;

/*
 * Fills *out from the two ends of one session and the device key's
 * COSE_Key (the SDeviceKey named in the MSO). Everything is written straight
 * into *out (no copy on the stack or the heap), so a caller that keeps *out
 * in memory it does not scan does not plant the secrets itself. Aborts the
 * test on any failure.
 */
void tsr_test_session_secrets(const tsr_reader_session_t *reader,
    const tsr_holder_session_t *holder, const uint8_t *device_cose, size_t device_cose_len,
    tsr_test_session_secrets_t *out);

/* A device key of a software secure area, unwrapped as software.c does it
 * (its comment gives the formats), and the keys on the way. */
typedef struct tsr_test_software_key {
	uint8_t m[32];     /* the passphrase-derived key M */
	uint8_t seal[32];  /* the sealing key (of the wallet's data key) */
	uint8_t wrap[32];  /* the device key's wrapping key K_key (no PIN) */
	uint8_t der[1024]; /* the device key's PKCS#8 */
	size_t der_len;
	size_t d_offset;   /* where its 32-byte private scalar is in der */
} tsr_test_software_key_t;

/*
 * Fills *out for the key whose secure-area reference is ref, in the
 * software-area wallet store with passphrase. As with
 * tsr_test_session_secrets(), every secret is written straight into *out.
 * Aborts the test on any failure.
 */
void tsr_test_software_key(const tsr_store_t *store, const char *passphrase,
    const uint8_t *ref, size_t ref_len, tsr_test_software_key_t *out);

#endif /* TSR_TEST_SESSION_SECRETS_H */
