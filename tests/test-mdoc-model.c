/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The data model on the Annex D vectors: decoding, accessors and
 * byte-identical re-encoding. */

#include <string.h>

#include <tessera/tessera.h>

#include "mdoc/mdoc.h"
#include "test-support.h"

static void
assert_span(tsr_span_t s, const char *expected)
{
	g_assert_cmpuint(s.len, ==, strlen(expected));
	g_assert_cmpint(memcmp(s.ptr, expected, s.len), ==, 0);
}

static void
valid_response_annex_d(void)
{
	g_autofree uint8_t *bytes = NULL, *portrait = NULL;
	size_t len = 0, portrait_len = 0;
	uint8_t *again = NULL;
	size_t again_len = 0;
	tsr_response_t resp;
	const tsr_document_t *doc;
	const tsr_mso_t *mso;
	bool seen_portrait = false;

	bytes = tsr_test_load("annex-d/device_response.cbor", &len);
	portrait = tsr_test_load("annex-d/portrait.jpg", &portrait_len);
	g_assert_cmpint(tsr_response_decode(bytes, len, &resp), ==, TSR_OK);
	assert_span(resp.version, "1.0");
	g_assert_cmpuint(resp.status, ==, 0);
	g_assert_cmpuint(resp.n_docs, ==, 1);
	doc = &resp.docs[0];
	assert_span(doc->doc_type, TSR_DOCTYPE_MDL);
	g_assert_cmpuint(doc->issuer_signed.n_ns, ==, 1);
	assert_span(doc->issuer_signed.ns[0].name, TSR_NAMESPACE_MDL);
	g_assert_cmpuint(doc->issuer_signed.ns[0].n_items, ==, 6);
	for (size_t i = 0; i < 6; i++) {
		const tsr_issuer_item_t *item = &doc->issuer_signed.ns[0].items[i];

		g_assert_cmpuint(item->random.len, ==, 32);
		if (item->element_id.len == 8 && memcmp(item->element_id.ptr, "portrait", 8) == 0) {
			g_assert_cmpint(item->value->type, ==, TSR_CBOR_BSTR);
			g_assert_cmpuint(item->value->u.str.len, ==, portrait_len);
			g_assert_cmpint(memcmp(item->value->u.str.ptr, portrait, portrait_len), ==, 0);
			seen_portrait = true;
		}
	}
	g_assert_true(seen_portrait);

	mso = &doc->issuer_signed.mso;
	g_assert_cmpint(mso->digest_alg, ==, TSR_HASH_SHA256);
	assert_span(mso->doc_type, TSR_DOCTYPE_MDL);
	g_assert_cmpint(mso->signed_at, ==, tsr_test_time("2020-10-01T13:30:02Z"));
	g_assert_cmpint(mso->valid_from, ==, tsr_test_time("2020-10-01T13:30:02Z"));
	g_assert_cmpint(mso->valid_until, ==, tsr_test_time("2021-10-01T13:30:02Z"));
	g_assert_false(mso->has_expected_update);
	g_assert_cmpuint(mso->value_digests->u.list.count, ==, 2);
	g_assert_cmpuint(tsr_cbor_map_find_tstr(mso->value_digests,
	    "org.iso.18013.5.1")->u.list.count, ==, 13);
	g_assert_cmpuint(tsr_cbor_map_find_tstr(mso->value_digests,
	    "org.iso.18013.5.1.US")->u.list.count, ==, 4);
	/* keys.json: static_device_key */
	tsr_test_assert_hex(mso->device_key.x, 32,
	    "96313d6c63e24e3372742bfdb1a33ba2c897dcd68ab8c753e4fbd48dca6b7f9a");
	g_assert_nonnull(doc->issuer_signed.issuer_auth.x5chain);
	g_assert_cmpint(doc->issuer_signed.issuer_auth.alg, ==, -7);
	g_assert_true(doc->has_device_signed);
	g_assert_true(doc->device_signed.is_mac);
	tsr_test_assert_hex(doc->device_signed.ns_bytes.ptr, doc->device_signed.ns_bytes.len,
	    "d81841a0");
	g_assert_null(doc->errors);

	g_assert_cmpint(tsr_response_encode(&resp, &again, &again_len), ==, TSR_OK);
	g_assert_cmpmem(again, again_len, bytes, len);
	free(again);
	tsr_response_clear(&resp);
}

static void
valid_issuer_signed_annex_d(void)
{
	g_autofree uint8_t *bytes = NULL;
	size_t len = 0;
	uint8_t *again = NULL;
	size_t again_len = 0;
	tsr_cbor_doc_t *cbor = NULL;
	tsr_issuer_signed_t is;
	tsr_cbor_enc_t enc;

	bytes = tsr_test_load("annex-d/issuer_signed.cbor", &len);
	g_assert_cmpint(tsr_cbor_decode(bytes, len, NULL, &cbor), ==, TSR_OK);
	g_assert_cmpint(tsr_issuer_signed_decode(tsr_cbor_doc_root(cbor), &is), ==, TSR_OK);
	g_assert_cmpuint(is.n_ns, ==, 1);
	tsr_cbor_enc_init(&enc);
	tsr_issuer_signed_encode(&enc, &is);
	g_assert_cmpint(tsr_cbor_enc_finish(&enc, &again, &again_len), ==, TSR_OK);
	g_assert_cmpmem(again, again_len, bytes, len);
	free(again);
	tsr_issuer_signed_clear(&is);
	tsr_cbor_doc_free(cbor);
}

static void
valid_request_annex_d(void)
{
	g_autofree uint8_t *bytes = NULL, *items = NULL;
	size_t len = 0, items_len = 0;
	uint8_t *again = NULL;
	size_t again_len = 0;
	tsr_request_t req;
	const tsr_doc_request_t *dr;
	const tsr_cbor_item_t *ids, *intent;

	bytes = tsr_test_load("annex-d/device_request.cbor", &len);
	items = tsr_test_load("annex-d/items_request.cbor", &items_len);
	g_assert_cmpint(tsr_request_decode(bytes, len, &req), ==, TSR_OK);
	assert_span(req.version, "1.0");
	g_assert_cmpuint(req.n_reqs, ==, 1);
	dr = &req.reqs[0];
	assert_span(dr->doc_type, TSR_DOCTYPE_MDL);
	/* ItemsRequestBytes wraps exactly the ItemsRequest vector. */
	g_assert_cmpmem(dr->items_bytes.ptr + dr->items_bytes.len - items_len, items_len, items,
	    items_len);
	ids = tsr_cbor_map_find_tstr(dr->name_spaces, TSR_NAMESPACE_MDL);
	g_assert_cmpuint(ids->u.list.count, ==, 6);
	intent = tsr_cbor_map_find_tstr(ids, "portrait");
	g_assert_cmpint(intent->type, ==, TSR_CBOR_FALSE);
	intent = tsr_cbor_map_find_tstr(ids, "family_name");
	g_assert_cmpint(intent->type, ==, TSR_CBOR_TRUE);
	g_assert_true(dr->has_reader_auth);
	g_assert_true(dr->reader_auth.detached);
	g_assert_nonnull(dr->reader_auth.x5chain);

	g_assert_cmpint(tsr_request_encode(&req, &again, &again_len), ==, TSR_OK);
	g_assert_cmpmem(again, again_len, bytes, len);
	free(again);
	tsr_request_clear(&req);
}

static void
valid_transcript_annex_d(void)
{
	g_autofree uint8_t *plain = NULL, *tagged = NULL;
	size_t plain_len = 0, tagged_len = 0;
	uint8_t *again = NULL, salt[32];
	size_t again_len = 0;
	tsr_transcript_t a, b;

	plain = tsr_test_load("annex-d/session_transcript.cbor", &plain_len);
	tagged = tsr_test_load("annex-d/session_transcript_bytes.cbor", &tagged_len);
	g_assert_cmpint(tsr_transcript_decode(plain, plain_len, &a), ==, TSR_OK);
	g_assert_cmpint(tsr_transcript_decode(tagged, tagged_len, &b), ==, TSR_OK);
	g_assert_cmpmem(a.bytes.ptr, a.bytes.len, b.bytes.ptr, b.bytes.len);
	g_assert_true(a.has_e_reader_key);
	tsr_test_assert_hex(a.e_reader_pub.x, 32,
	    "60e3392385041f51403051f2415531cb56dd3f999c71687013aac6768bc8187e");
	g_assert_cmpint(a.handover->type, ==, TSR_CBOR_ARRAY); /* NFC handover */
	g_assert_cmpint(tsr_transcript_salt(&a, salt), ==, TSR_OK);
	tsr_test_assert_hex(salt, 32,
	    "f823ac566e22b2106c9b7c02fadc7482e559a1de8a809b56c828779e6d67570e");
	g_assert_cmpint(tsr_transcript_encode(&b, &again, &again_len), ==, TSR_OK);
	g_assert_cmpmem(again, again_len, plain, plain_len);
	free(again);
	tsr_transcript_clear(&a);
	tsr_transcript_clear(&b);
}

static void
valid_device_authentication_bytes(void)
{
	g_autofree uint8_t *st_bytes = NULL, *resp_bytes = NULL;
	size_t st_len = 0, resp_len = 0;
	uint8_t *dab = NULL;
	size_t dab_len = 0;
	g_autofree char *expected = NULL;
	tsr_transcript_t st;
	tsr_response_t resp;

	st_bytes = tsr_test_load("annex-d/session_transcript_bytes.cbor", &st_len);
	resp_bytes = tsr_test_load("annex-d/device_response.cbor", &resp_len);
	g_assert_cmpint(tsr_transcript_decode(st_bytes, st_len, &st), ==, TSR_OK);
	g_assert_cmpint(tsr_response_decode(resp_bytes, resp_len, &resp), ==, TSR_OK);
	g_assert_cmpint(tsr_device_authentication_bytes(&st, resp.docs[0].doc_type,
	    resp.docs[0].device_signed.ns_bytes, &dab, &dab_len), ==, TSR_OK);
	expected = tsr_test_json_string("annex-d/derived.json", NULL,
	    "device_authentication_bytes");
	tsr_test_assert_hex(dab, dab_len, expected);
	free(dab);
	tsr_response_clear(&resp);
	tsr_transcript_clear(&st);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mdoc/response/valid_annex_d", valid_response_annex_d);
	g_test_add_func("/mdoc/issuer_signed/valid_annex_d", valid_issuer_signed_annex_d);
	g_test_add_func("/mdoc/request/valid_annex_d", valid_request_annex_d);
	g_test_add_func("/mdoc/transcript/valid_annex_d", valid_transcript_annex_d);
	g_test_add_func("/mdoc/device_authentication/valid_annex_d",
	    valid_device_authentication_bytes);
	return g_test_run();
}
