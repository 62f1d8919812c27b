/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * A throw-away SoftHSM2 token for the PKCS#11 tests: a temporary directory
 * holding softhsm2.conf and the token store, SOFTHSM2_CONF pointing at it,
 * and one initialised token. SoftHSM reads SOFTHSM2_CONF in C_Initialize,
 * so create the fixture before opening the module and free it after the
 * last C_Finalize.
 *
 * A missing SoftHSM fails the test rather than skipping it: ./run installs
 * softhsm2.
 */
#ifndef TSR_TEST_SOFTHSM_H
#define TSR_TEST_SOFTHSM_H

#include <glib.h>

#define TSR_TEST_SOFTHSM_LABEL "tessera-test"
#define TSR_TEST_SOFTHSM_PIN "4321"
#define TSR_TEST_SOFTHSM_SO_PIN "1234"

typedef struct tsr_test_softhsm {
	char *dir;         /* temporary directory, removed by _free() */
	char *conf;        /* dir/softhsm2.conf */
	char *module;      /* path of libsofthsm2.so */
	char *old_conf;    /* SOFTHSM2_CONF before, restored by _free() */
} tsr_test_softhsm_t;

/* The module path: $TESSERA_SOFTHSM_MODULE, else the Debian locations.
 * Aborts when there is none. */
const char *tsr_test_softhsm_module(void);

/* Creates the directory and config, sets SOFTHSM2_CONF and initialises the
 * token TSR_TEST_SOFTHSM_LABEL with the PINs above. Aborts on failure. */
tsr_test_softhsm_t *tsr_test_softhsm_new(void);

/* Initialises one more token with that label, user PIN and SO PIN. */
void tsr_test_softhsm_init_token(tsr_test_softhsm_t *hsm, const char *label,
    const char *pin, const char *so_pin);

/*
 * The objects of token TSR_TEST_SOFTHSM_LABEL labelled label (private and
 * public keys alike), read straight through the module, not through
 * libtessera: a set of their CKA_IDs as lower-case hex strings (free with
 * g_hash_table_unref()); *ret_objects is the number of objects. It calls
 * C_Initialize and C_Finalize itself, so no one else in the process may
 * have the module open at the time.
 */
GHashTable *tsr_test_softhsm_ids(const char *label, unsigned *ret_objects);

/* Every file of the token store, by path (free with g_hash_table_unref()),
 * and putting exactly those files back, so that a test can undo what an
 * operation did to the token. The module must not be open in the process. */
GHashTable *tsr_test_softhsm_snapshot(const tsr_test_softhsm_t *hsm);
void tsr_test_softhsm_restore(const tsr_test_softhsm_t *hsm, GHashTable *snapshot);

/* Restores SOFTHSM2_CONF and removes the directory. NULL is fine. */
void tsr_test_softhsm_free(tsr_test_softhsm_t *hsm);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(tsr_test_softhsm_t, tsr_test_softhsm_free)

#endif /* TSR_TEST_SOFTHSM_H */
