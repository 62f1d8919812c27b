/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Shared by test-app-secret-scan and the holder app's driver
 * (gui/tests/wallet-scan-driver): the secrets the driver's token wallets
 * are made with, which the test then looks for in the app's memory. Each
 * is 32 characters, the length of a scanned secret (process-scan.h), and
 * lives in the driver as a literal, in read-only memory the scan does not
 * read: only the app's copies can be found.
 */
#ifndef TSR_TEST_APP_SCAN_H
#define TSR_TEST_APP_SCAN_H

/* The authValue of the TPM wallet's device key (at most 32 bytes for a
 * SHA-256 key), which the holder types into the PIN prompt to share. */
#define TSR_APP_SCAN_TPM_KEY_PIN "tpm-key-pin/7c1e5a93d2b8046f1a59"
/* The user PIN of the SoftHSM token holding the PKCS#11 wallet's key. */
#define TSR_APP_SCAN_TOKEN_PIN "token-pin/e58a0c2f9b71d346a8c05b"
#define TSR_APP_SCAN_TOKEN_SO_PIN "scan-so-pin"
#define TSR_APP_SCAN_TOKEN_LABEL "tessera-scan"

#endif /* TSR_TEST_APP_SCAN_H */
