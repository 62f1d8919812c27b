/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* PEM and DER input: certificates, private keys and SPKI public keys, as
 * the CLI and the apps read them from files. */

#include <tessera/tessera.h>

#include "crypto/crypto.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_x509_t *set = NULL;
	tsr_ec_key_t *key = NULL;
	tsr_ec_pub_t pub;
	char *name = NULL;

	if (tsr_x509_new(&set) == TSR_OK) {
		if (tsr_x509_add(set, data, size) == TSR_OK) {
			for (size_t i = 0; i < tsr_x509_count(set); i++) {
				int64_t nb, na;
				uint32_t flags = 0;

				(void)tsr_x509_public_key(set, i, &pub);
				if (tsr_x509_subject(set, i, &name) == TSR_OK)
					free(name);
				(void)tsr_x509_validity(set, i, &nb, &na);
				(void)tsr_x509_verify_chain(set, set, 1609459200,
				    TSR_OID_EKU_MDL_DS, &flags, NULL);
			}
		}
		tsr_x509_free(set);
	}
	if (tsr_ec_key_parse(data, size, &key) == TSR_OK) {
		if (tsr_ec_key_public(key, &pub) != TSR_OK || tsr_ec_pub_validate(&pub) != TSR_OK)
			abort();
		tsr_ec_key_free(key);
	}
	(void)tsr_ec_pub_from_spki(data, size, &pub);
	return 0;
}
