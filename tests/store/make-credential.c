/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Issues a test credential to a wallet key for the CLI tests:
 *
 *   make-credential DATA_DIR COSE_KEY_HEX OUT [VALID_DAYS]
 *
 * writes an IssuerSigned with Annex D's mDL elements whose MSO binds them to
 * the COSE_Key, signed yesterday by the test DS key (tests/data/store/),
 * valid until VALID_DAYS days from now (default 365; negative: expired).
 */

#include <stdio.h>
#include <stdlib.h>

#include <tessera/tessera.h>

#include "credential-builder.h"

#define DAY (24 * 3600)

int
main(int argc, char **argv)
{
	uint8_t *cose = NULL, *cred = NULL;
	size_t cose_len = 0, len = 0;
	int64_t now = tsr_clock_now(), days = 365;
	FILE *f;
	int r;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: make-credential DATA_DIR COSE_KEY_HEX OUT [VALID_DAYS]\n");
		return 2;
	}
	if (argc == 5)
		days = strtoll(argv[4], NULL, 10);
	if ((r = tsr_hex_decode(argv[2], &cose, &cose_len)) != TSR_OK ||
	    (r = tsr_test_credential_build_cose(argv[1], cose, cose_len,
	    now - 2 * DAY, now - 2 * DAY, now + days * DAY, &cred, &len)) != TSR_OK) {
		fprintf(stderr, "make-credential: %s\n", tsr_strerror(r));
		return 1;
	}
	if ((f = fopen(argv[3], "wb")) == NULL || fwrite(cred, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(argv[3]);
		return 1;
	}
	free(cose);
	free(cred);
	return 0;
}
