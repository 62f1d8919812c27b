/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Test helper for tests/cli/test-issuer-cli.py, playing the wallet:
 *   issuer-make-response keygen PRIVATE_OUT PUBLIC_OUT
 *       a P-256 device key (PKCS#8 PEM) and its SPKI PEM
 *   issuer-make-response response ISSUED DEVICE_KEY TRANSCRIPT OUT [INDEX]
 *       a DeviceResponse holding the IssuerSigned (or Document, or entry
 *       INDEX of a batch) with deviceSignature by DEVICE_KEY
 * Not installed; not part of any user-facing tool.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "issuer-response.h"

static int
write_all(const char *path, const void *p, size_t len)
{
	GError *err = NULL;

	if (!g_file_set_contents(path, p, (gssize)len, &err)) {
		fprintf(stderr, "%s\n", err->message);
		g_error_free(err);
		return 1;
	}
	return 0;
}

static int
keygen(const char *priv_path, const char *pub_path)
{
	tsr_ec_key_t *key = NULL;
	tsr_ec_pub_t pub;
	char *priv = NULL, *spki = NULL;
	int status = 1;

	if (tsr_ec_key_generate(TSR_CURVE_P256, &key) == TSR_OK &&
	    tsr_ec_key_public(key, &pub) == TSR_OK && tsr_ec_key_to_pem(key, &priv) == TSR_OK &&
	    tsr_ec_pub_to_spki_pem(&pub, &spki) == TSR_OK)
		status = write_all(priv_path, priv, strlen(priv)) ||
		    write_all(pub_path, spki, strlen(spki));
	free(priv);
	free(spki);
	tsr_ec_key_free(key);
	return status;
}

static int
response(char **argv, int argc)
{
	gchar *issued = NULL, *key_pem = NULL, *transcript = NULL;
	gsize issued_len = 0, key_len = 0, transcript_len = 0;
	tsr_ec_key_t *key = NULL;
	tsr_cbor_doc_t *doc = NULL;
	const uint8_t *one;
	size_t one_len;
	uint8_t *out = NULL;
	size_t out_len = 0;
	int status = 1, r;

	if (!g_file_get_contents(argv[2], &issued, &issued_len, NULL) ||
	    !g_file_get_contents(argv[3], &key_pem, &key_len, NULL) ||
	    !g_file_get_contents(argv[4], &transcript, &transcript_len, NULL)) {
		fprintf(stderr, "cannot read the inputs\n");
		goto out;
	}
	if ((r = tsr_ec_key_parse((const uint8_t *)key_pem, key_len, &key)) != TSR_OK ||
	    (r = tsr_cbor_decode((const uint8_t *)issued, issued_len, NULL, &doc)) != TSR_OK) {
		fprintf(stderr, "%s\n", tsr_strerror(r));
		goto out;
	}
	one = (const uint8_t *)issued;
	one_len = issued_len;
	if (argc > 6) {
		const tsr_cbor_item_t *root = tsr_cbor_doc_root(doc);
		size_t idx = (size_t)strtoul(argv[6], NULL, 10);

		if (!tsr_cbor_is(root, TSR_CBOR_ARRAY) || idx >= root->u.list.count) {
			fprintf(stderr, "not a batch, or no entry %zu\n", idx);
			goto out;
		}
		one = root->u.list.items[idx].raw.ptr;
		one_len = root->u.list.items[idx].raw.len;
	}
	if ((r = issuer_test_response(one, one_len, key, (const uint8_t *)transcript,
	    transcript_len, &out, &out_len)) != TSR_OK) {
		fprintf(stderr, "%s\n", tsr_strerror(r));
		goto out;
	}
	status = write_all(argv[5], out, out_len);
out:
	free(out);
	tsr_cbor_doc_free(doc);
	tsr_ec_key_free(key);
	g_free(issued);
	g_free(key_pem);
	g_free(transcript);
	return status;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "keygen") == 0)
		return keygen(argv[2], argv[3]);
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "response") == 0)
		return response(argv, argc);
	fprintf(stderr, "usage: issuer-make-response keygen PRIV PUB | "
	    "response ISSUED DEVICE_KEY TRANSCRIPT OUT [INDEX]\n");
	return 2;
}
