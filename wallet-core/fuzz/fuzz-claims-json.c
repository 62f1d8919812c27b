/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The issuer's claims JSON reader (and the JWK path of device keys), then
 * validation of whatever it accepts against every known doctype. */

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#include "fuzz-common.h"
#include "issuer/issuer-private.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const doctypes[] = { "org.iso.18013.5.1.mDL",
		"eu.europa.ec.eudi.pid.1", "eu.europa.ec.av.1", "org.example.other" };
	tsr_claims_t *claims = NULL;
	tsr_device_keys_t *keys = NULL;
	tsr_cbor_doc_t *doc = NULL;
	uint8_t *cbor = NULL;
	size_t cbor_len = 0;
	char *error = NULL, *report = NULL;

	/* Whatever the converter accepts is strict, preferred CBOR. */
	if (tsr_json_to_cbor((const char *)data, size, true, &cbor, &cbor_len, &error) == TSR_OK) {
		if (tsr_cbor_decode(cbor, cbor_len, NULL, &doc) != TSR_OK)
			abort();
		tsr_cbor_doc_free(doc);
		free(cbor);
	}
	free(error);
	error = NULL;
	if (tsr_claims_from_json((const char *)data, size, &claims, &error) == TSR_OK) {
		for (size_t i = 0; i < sizeof(doctypes) / sizeof(doctypes[0]); i++) {
			int r = tsr_claims_validate(claims, doctypes[i], 1790000000, i % 2 == 0,
			    &report);

			if (r == TSR_ERR_INVALID_ARGUMENT && report == NULL)
				abort();
			tsr_free(report);
			report = NULL;
		}
		tsr_claims_free(claims);
	}
	tsr_free(error);
	if (tsr_device_keys_new(&keys) == TSR_OK) {
		if (tsr_device_keys_add(keys, data, size) == TSR_OK && tsr_device_keys_count(keys) == 0)
			abort();
		tsr_device_keys_free(keys);
	}
	return 0;
}
