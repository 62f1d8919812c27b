/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Bad input for the data-model decoders: every rule of the CDDL that the
 * decoders enforce has a case here that breaks exactly that rule. */

#include <string.h>

#include <tessera/tessera.h>

#include "mdoc/mdoc.h"
#include "test-support.h"

/* The Annex D static device key as a COSE_Key. */
static void
put_device_key(tsr_cbor_enc_t *e)
{
	tsr_ec_pub_t pub = { .curve = TSR_CURVE_P256 };
	size_t len = 0;
	g_autofree uint8_t *x = tsr_test_hex(
	    "96313d6c63e24e3372742bfdb1a33ba2c897dcd68ab8c753e4fbd48dca6b7f9a", &len);
	g_autofree uint8_t *y = tsr_test_hex(
	    "1fb3269edd418857de1b39a4e4a44b92fa484caa722c228288f01d0c03a2c3d6", &len);

	memcpy(pub.x, x, 32);
	memcpy(pub.y, y, 32);
	tsr_cose_key_encode(e, &pub);
}

static void
put_tdate(tsr_cbor_enc_t *e, const char *text)
{
	tsr_cbor_put_tag(e, 0);
	tsr_cbor_put_tstr(e, text);
}

/* Which rule an MSO breaks. */
enum mso_fault {
	MSO_VALID,
	MSO_VERSION,
	MSO_DIGEST_ALG,
	MSO_DIGEST_LEN,
	MSO_DIGEST_ID,
	MSO_NO_VALIDITY_SIGNED,
	MSO_TDATE_UNTAGGED,
	MSO_TDATE_JUNK,
	MSO_UNKNOWN_KEY,
	MSO_BAD_DEVICE_KEY,
	MSO_EMPTY_DIGESTS,
	MSO_NOT_WRAPPED,
	N_MSO_FAULTS,
};

/* MobileSecurityObjectBytes as an issuerAuth payload, with one fault. */
static uint8_t *
build_mso_payload(enum mso_fault fault, size_t *ret_len)
{
	uint8_t digest[32] = { 0 }, *mso = NULL, *out = NULL;
	size_t mso_len = 0, out_len = 0;
	tsr_cbor_enc_t e;

	tsr_cbor_enc_init(&e);
	tsr_cbor_put_map(&e, fault == MSO_UNKNOWN_KEY ? 7 : 6);
	tsr_cbor_put_tstr(&e, "version");
	tsr_cbor_put_tstr(&e, fault == MSO_VERSION ? "2.0" : "1.0");
	tsr_cbor_put_tstr(&e, "digestAlgorithm");
	tsr_cbor_put_tstr(&e, fault == MSO_DIGEST_ALG ? "MD5" : "SHA-256");
	tsr_cbor_put_tstr(&e, "valueDigests");
	if (fault == MSO_EMPTY_DIGESTS) {
		tsr_cbor_put_map(&e, 0);
	} else {
		tsr_cbor_put_map(&e, 1);
		tsr_cbor_put_tstr(&e, "org.iso.18013.5.1");
		tsr_cbor_put_map(&e, 1);
		if (fault == MSO_DIGEST_ID)
			tsr_cbor_put_int(&e, -1);
		else
			tsr_cbor_put_uint(&e, 0);
		tsr_cbor_put_bstr(&e, digest, fault == MSO_DIGEST_LEN ? 31 : 32);
	}
	tsr_cbor_put_tstr(&e, "deviceKeyInfo");
	tsr_cbor_put_map(&e, 1);
	tsr_cbor_put_tstr(&e, "deviceKey");
	if (fault == MSO_BAD_DEVICE_KEY)
		tsr_cbor_put_map(&e, 0);
	else
		put_device_key(&e);
	tsr_cbor_put_tstr(&e, "docType");
	tsr_cbor_put_tstr(&e, TSR_DOCTYPE_MDL);
	tsr_cbor_put_tstr(&e, "validityInfo");
	tsr_cbor_put_map(&e, fault == MSO_NO_VALIDITY_SIGNED ? 2 : 3);
	if (fault != MSO_NO_VALIDITY_SIGNED) {
		tsr_cbor_put_tstr(&e, "signed");
		if (fault == MSO_TDATE_UNTAGGED)
			tsr_cbor_put_tstr(&e, "2020-10-01T13:30:02Z");
		else
			put_tdate(&e, fault == MSO_TDATE_JUNK ? "2020-13-01T13:30:02Z" :
			    "2020-10-01T13:30:02Z");
	}
	tsr_cbor_put_tstr(&e, "validFrom");
	put_tdate(&e, "2020-10-01T13:30:02Z");
	tsr_cbor_put_tstr(&e, "validUntil");
	put_tdate(&e, "2021-10-01T13:30:02Z");
	if (fault == MSO_UNKNOWN_KEY) {
		tsr_cbor_put_tstr(&e, "extra");
		tsr_cbor_put_uint(&e, 1);
	}
	g_assert_cmpint(tsr_cbor_enc_finish(&e, &mso, &mso_len), ==, TSR_OK);
	if (fault == MSO_NOT_WRAPPED) {
		*ret_len = mso_len;
		return mso;
	}
	tsr_cbor_enc_init(&e);
	tsr_cbor_put_embedded(&e, mso, mso_len);
	g_assert_cmpint(tsr_cbor_enc_finish(&e, &out, &out_len), ==, TSR_OK);
	free(mso);
	*ret_len = out_len;
	return out;
}

static void
junk_mso(void)
{
	for (int fault = 0; fault < N_MSO_FAULTS; fault++) {
		size_t len = 0;
		uint8_t *payload = build_mso_payload((enum mso_fault)fault, &len);
		tsr_mso_t mso;
		int r = tsr_mso_decode_payload((tsr_span_t){ payload, len }, &mso);

		if (fault == MSO_VALID) {
			g_assert_cmpint(r, ==, TSR_OK);
			g_assert_cmpint(mso.valid_until, ==, tsr_test_time("2021-10-01T13:30:02Z"));
			tsr_mso_clear(&mso);
		} else if (r == TSR_OK) {
			g_error("MSO fault %d accepted", fault);
		}
		free(payload);
	}
}

/* Which rule an IssuerSignedItem breaks. */
enum item_fault {
	ITEM_VALID,
	ITEM_DIGEST_ID_RANGE,
	ITEM_SHORT_RANDOM,
	ITEM_NO_VALUE,
	ITEM_ID_NOT_TEXT,
	ITEM_UNKNOWN_KEY,
	ITEM_NOT_EMBEDDED,
	N_ITEM_FAULTS,
};

static void
junk_issuer_item(void)
{
	for (int fault = 0; fault < N_ITEM_FAULTS; fault++) {
		uint8_t random[32] = { 0 }, *inner = NULL, *outer = NULL;
		size_t inner_len = 0, outer_len = 0;
		tsr_cbor_doc_t *doc = NULL;
		tsr_issuer_item_t item;
		tsr_cbor_enc_t e;
		int r;

		tsr_cbor_enc_init(&e);
		tsr_cbor_put_map(&e, fault == ITEM_NO_VALUE ? 3 : fault == ITEM_UNKNOWN_KEY ? 5 : 4);
		tsr_cbor_put_tstr(&e, "digestID");
		tsr_cbor_put_uint(&e, fault == ITEM_DIGEST_ID_RANGE ? (uint64_t)1 << 31 : 7);
		tsr_cbor_put_tstr(&e, "random");
		tsr_cbor_put_bstr(&e, random, fault == ITEM_SHORT_RANDOM ? 15 : 32);
		tsr_cbor_put_tstr(&e, "elementIdentifier");
		if (fault == ITEM_ID_NOT_TEXT)
			tsr_cbor_put_uint(&e, 1);
		else
			tsr_cbor_put_tstr(&e, "family_name");
		if (fault != ITEM_NO_VALUE) {
			tsr_cbor_put_tstr(&e, "elementValue");
			tsr_cbor_put_tstr(&e, "Doe");
		}
		if (fault == ITEM_UNKNOWN_KEY) {
			tsr_cbor_put_tstr(&e, "extra");
			tsr_cbor_put_null(&e);
		}
		g_assert_cmpint(tsr_cbor_enc_finish(&e, &inner, &inner_len), ==, TSR_OK);
		tsr_cbor_enc_init(&e);
		if (fault == ITEM_NOT_EMBEDDED)
			tsr_cbor_put_bstr(&e, inner, inner_len);
		else
			tsr_cbor_put_embedded(&e, inner, inner_len);
		g_assert_cmpint(tsr_cbor_enc_finish(&e, &outer, &outer_len), ==, TSR_OK);
		g_assert_cmpint(tsr_cbor_decode(outer, outer_len, NULL, &doc), ==, TSR_OK);
		r = tsr_issuer_item_decode(tsr_cbor_doc_root(doc), &item);
		if (fault == ITEM_VALID) {
			g_assert_cmpint(r, ==, TSR_OK);
			g_assert_cmpuint(item.digest_id, ==, 7);
			g_assert_cmpmem(item.bytes.ptr, item.bytes.len, outer, outer_len);
			tsr_issuer_item_clear(&item);
		} else {
			g_assert_cmpint(r, ==, TSR_ERR_MDOC_MALFORMED);
		}
		tsr_cbor_doc_free(doc);
		free(inner);
		free(outer);
	}
}

/* A DeviceResponse around the Annex D Document, with a top-level fault. */
static void
junk_response_envelope(void)
{
	g_autofree uint8_t *annex = NULL;
	size_t annex_len = 0;
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *document;
	static const struct {
		const char *version;
		int with_documents;  /* 1 = Annex D doc, 0 = absent, -1 = empty array */
		int status;          /* -1 = absent */
		int expected;
	} cases[] = {
		{ "1.0", 1, 0, TSR_OK },
		{ "1.1", 1, 0, TSR_OK },
		{ "1.0", 0, 10, TSR_OK },     /* an error response without documents */
		{ "2.0", 1, 0, TSR_ERR_MDOC_VERSION },
		{ "1", 1, 0, TSR_ERR_MDOC_VERSION },
		{ "1.", 1, 0, TSR_ERR_MDOC_VERSION },
		{ "1.g", 1, 0, TSR_ERR_MDOC_VERSION }, /* fuzz-device-response, run 6 */
		{ "1.0 ", 1, 0, TSR_ERR_MDOC_VERSION },
		{ "1.12", 1, 0, TSR_OK },
		{ "1.0", -1, 0, TSR_ERR_MDOC_MALFORMED },
		{ "1.0", 1, -1, TSR_ERR_MDOC_MALFORMED },
	};

	annex = tsr_test_load("annex-d/device_response.cbor", &annex_len);
	g_assert_cmpint(tsr_cbor_decode(annex, annex_len, NULL, &doc), ==, TSR_OK);
	document = &tsr_cbor_map_find_tstr(tsr_cbor_doc_root(doc), "documents")->u.list.items[0];
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint8_t *bytes = NULL;
		size_t len = 0;
		tsr_response_t resp;
		tsr_cbor_enc_t e;
		int r;

		tsr_cbor_enc_init(&e);
		tsr_cbor_put_map(&e, 1 + (cases[i].with_documents != 0) + (cases[i].status >= 0));
		tsr_cbor_put_tstr(&e, "version");
		tsr_cbor_put_tstr(&e, cases[i].version);
		if (cases[i].with_documents != 0) {
			tsr_cbor_put_tstr(&e, "documents");
			tsr_cbor_put_array(&e, cases[i].with_documents > 0 ? 1 : 0);
			if (cases[i].with_documents > 0)
				tsr_cbor_put_raw(&e, document->raw.ptr, document->raw.len);
		}
		if (cases[i].status >= 0) {
			tsr_cbor_put_tstr(&e, "status");
			tsr_cbor_put_uint(&e, (uint64_t)cases[i].status);
		}
		g_assert_cmpint(tsr_cbor_enc_finish(&e, &bytes, &len), ==, TSR_OK);
		r = tsr_response_decode(bytes, len, &resp);
		if (r != cases[i].expected)
			g_error("case %zu: %s, expected %s", i, tsr_strerror_name(r),
			    tsr_strerror_name(cases[i].expected));
		if (r == TSR_OK)
			tsr_response_clear(&resp);
		free(bytes);
	}
	tsr_cbor_doc_free(doc);
}

/* Faults in a Document's own fields. */
static void
junk_document_fields(void)
{
	static const char *const bad_hex[] = {
		/* {"docType": 1, "issuerSigned": {}}: docType not text */
		"a267646f6354797065016c6973737565725369676e6564a0",
		/* {"docType": "a", "issuerSigned": {}}: no issuerAuth */
		"a267646f63547970656161" "6c6973737565725369676e6564a0",
	};
	tsr_document_t d;

	for (size_t i = 0; i < G_N_ELEMENTS(bad_hex); i++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_hex(bad_hex[i], &len);
		tsr_cbor_doc_t *doc = NULL;

		g_assert_cmpint(tsr_cbor_decode(bytes, len, NULL, &doc), ==, TSR_OK);
		g_assert_cmpint(tsr_document_decode(tsr_cbor_doc_root(doc), true, &d), !=, TSR_OK);
		tsr_cbor_doc_free(doc);
	}
}

static void
junk_request(void)
{
	static const char *const bad_hex[] = {
		"a0",                                                     /* empty */
		"a26776657273696f6e63312e306b646f63526571756573747380",   /* no docRequests */
		"a26776657273696f6e63322e306b646f63526571756573747381a0", /* version 2.0 */
		/* itemsRequest not tag 24 */
		"a26776657273696f6e63312e306b646f63526571756573747381a16c6974656d7352657175657374a0",
	};
	tsr_request_t req;

	for (size_t i = 0; i < G_N_ELEMENTS(bad_hex); i++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_hex(bad_hex[i], &len);

		g_assert_cmpint(tsr_request_decode(bytes, len, &req), !=, TSR_OK);
	}
}

static void
junk_transcript(void)
{
	static const char *const bad_hex[] = {
		"82f6f6",           /* two elements */
		"8301f6f6",         /* engagement neither tag 24 nor null */
		"83f6d81841a0f6",   /* EReaderKeyBytes holds an empty map: not a key */
		"d81843f6f6f6",     /* tag 24 over something that is not an array */
	};
	tsr_transcript_t st;

	for (size_t i = 0; i < G_N_ELEMENTS(bad_hex); i++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_hex(bad_hex[i], &len);

		g_assert_cmpint(tsr_transcript_decode(bytes, len, &st), !=, TSR_OK);
	}
	/* [null, null, handover] (18013-7 style) is accepted. */
	{
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_hex("83f6f6f6", &len);
		g_assert_cmpint(tsr_transcript_decode(bytes, len, &st), ==, TSR_OK);
		g_assert_false(st.has_e_reader_key);
		tsr_transcript_clear(&st);
	}
}

/* Every strict prefix of the Annex D structures fails cleanly. */
static void
truncated_structures(void)
{
	static const char *const files[] = { "annex-d/device_response.cbor",
		"annex-d/device_request.cbor", "annex-d/session_transcript_bytes.cbor" };

	for (size_t f = 0; f < G_N_ELEMENTS(files); f++) {
		size_t len = 0;
		g_autofree uint8_t *bytes = tsr_test_load(files[f], &len);

		for (size_t n = 0; n < len; n++) {
			/* A copy of exactly n bytes, so ASan sees any over-read. */
			g_autofree uint8_t *prefix = g_memdup2(bytes, n ? n : 1);
			tsr_response_t resp;
			tsr_request_t req;
			tsr_transcript_t st;

			g_assert_cmpint(tsr_response_decode(prefix, n, &resp), !=, TSR_OK);
			g_assert_cmpint(tsr_request_decode(prefix, n, &req), !=, TSR_OK);
			g_assert_cmpint(tsr_transcript_decode(prefix, n, &st), !=, TSR_OK);
		}
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mdoc/junk/mso", junk_mso);
	g_test_add_func("/mdoc/junk/issuer_item", junk_issuer_item);
	g_test_add_func("/mdoc/junk/response_envelope", junk_response_envelope);
	g_test_add_func("/mdoc/junk/document_fields", junk_document_fields);
	g_test_add_func("/mdoc/junk/request", junk_request);
	g_test_add_func("/mdoc/junk/transcript", junk_transcript);
	g_test_add_func("/mdoc/truncated_structures", truncated_structures);
	return g_test_run();
}
