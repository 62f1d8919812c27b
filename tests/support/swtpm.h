/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * A fresh software TPM 2.0 (swtpm) for a test: manufactured by swtpm_setup
 * with RSA and ECC EK certificates (plus a platform certificate) issued by
 * a local CA in a directory of the test's choosing, never the system's
 * /var/lib/swtpm-localca; then served on two free TCP ports of 127.0.0.1.
 * swtpm runs as a child of the test with PR_SET_PDEATHSIG, so it never
 * outlives a crashed test. Failures abort the test.
 */
#ifndef TSR_TEST_SWTPM_H
#define TSR_TEST_SWTPM_H

#include <glib.h>

typedef struct tsr_test_swtpm tsr_test_swtpm_t;

/* True when swtpm and swtpm_setup are installed. */
gboolean tsr_test_swtpm_available(void);

/* A new temporary directory for a local CA; remove with tsr_test_rmrf(). */
char *tsr_test_swtpm_ca_dir_new(void);

/* Manufactures and starts a TPM whose EK certificates come from the local
 * CA in ca_dir (created there by the first TPM that uses it); NULL gives
 * the TPM a CA of its own. */
tsr_test_swtpm_t *tsr_test_swtpm_new(const char *ca_dir);
/* "swtpm:host=127.0.0.1,port=N" */
const char *tsr_test_swtpm_tcti(const tsr_test_swtpm_t *tpm);
/* The local CA's certificates: the EK issuer and its root (PEM files). */
const char *tsr_test_swtpm_ca_issuer(const tsr_test_swtpm_t *tpm);
const char *tsr_test_swtpm_ca_root(const tsr_test_swtpm_t *tpm);
/* Stops the TPM process, keeping its state; then starts it again on the
 * same state (like a reboot). */
void tsr_test_swtpm_restart(tsr_test_swtpm_t *tpm);
/* Stops the TPM and deletes its state (and its private CA). NULL is fine. */
void tsr_test_swtpm_free(tsr_test_swtpm_t *tpm);

/*
 * What the TPM at tcti holds: *ret_persistent persistent objects, and
 * *ret_loaded transient objects and loaded sessions. With flush, the latter
 * are flushed, as a resource manager (/dev/tpmrm0, tpm2-abrmd) does when a
 * client goes away; swtpm used directly has none.
 */
void tsr_test_swtpm_handles(const char *tcti, gboolean flush, unsigned *ret_persistent,
    unsigned *ret_loaded);

/* rm -r */
void tsr_test_rmrf(const char *path);

#endif /* TSR_TEST_SWTPM_H */
