/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * What the TPM 2.0 back-end (tpm2.c) lends to TPM key attestation
 * (src/attest/attest-wallet.c): its ESYS context, the storage primary, key
 * references and the error mapping. Only code that links tss2-esys may
 * include this header.
 */
#ifndef TSR_SECUREAREA_TPM2_PRIVATE_H
#define TSR_SECUREAREA_TPM2_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <tss2/tss2_esys.h>

#include <tessera/securearea.h>

typedef struct tsr_tpm2 tsr_tpm2_t;

/* The TPM behind sa, or NULL when sa is another kind of secure area. */
tsr_tpm2_t *tsr_tpm2_from_sa(tsr_secure_area_t *sa);
ESYS_CONTEXT *tsr_tpm2_esys(tsr_tpm2_t *t);
/* The TCTI string the TPM was reached through (for messages). */
const char *tsr_tpm2_tcti(const tsr_tpm2_t *t);

/* Whether a TCTI string reaches the TPM without a resource manager, on a
 * connection that is the caller's alone while it is open ("swtpm",
 * "mssim", "device" other than /dev/tpmrm*): the secure area then flushes
 * at open what clients that died left loaded. */
bool tsr_tpm2_tcti_is_direct(const char *tcti);

/* Logs what failed and maps a TSS return code to a TSR_ERR_SA_* code. */
int tsr_tpm2_rc(const tsr_tpm2_t *t, TSS2_RC rc, const char *what);

/* Loads the storage primary; *ret_primary must be flushed by the caller. */
int tsr_tpm2_primary_load(tsr_tpm2_t *t, ESYS_TR *ret_primary);

/*
 * Loads the key named by a key reference under primary and sets its
 * authValue to pin (NULL: none). *ret_pub (may be NULL) receives its
 * public area. The caller flushes *ret_key. TSR_ERR_SA_KEY_INVALID for a
 * malformed reference or one made by another TPM; TSR_ERR_SA_PIN_REQUIRED
 * when the key has a PIN and pin is NULL.
 */
int tsr_tpm2_key_load(tsr_tpm2_t *t, ESYS_TR primary, const uint8_t *ref, size_t ref_len,
    const char *pin, ESYS_TR *ret_key, TPM2B_PUBLIC *ret_pub);

/* Starts an HMAC session salted to primary (AES-128-CFB parameter
 * encryption as attrs say: TPMA_SESSION_DECRYPT and/or _ENCRYPT, or 0);
 * the caller flushes *ret_session. */
int tsr_tpm2_session_start(tsr_tpm2_t *t, ESYS_TR primary, TPMA_SESSION attrs,
    ESYS_TR *ret_session);

/* The public area recorded in a key reference (no TPM needed). */
int tsr_tpm2_key_public(const uint8_t *ref, size_t ref_len, TPM2B_PUBLIC *ret_pub);

/* Flushes a transient object or session and sets *h to ESYS_TR_NONE;
 * ESYS_TR_NONE is fine. */
void tsr_tpm2_flush(tsr_tpm2_t *t, ESYS_TR *h);

#endif /* TSR_SECUREAREA_TPM2_PRIVATE_H */
