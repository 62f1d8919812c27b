/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* COSE_Key, COSE_Sign1 and COSE_Mac0 decoding and verification. A decoded
 * message re-encodes to its input; nothing random may verify. */

#include <tessera/tessera.h>

#include "cose/cose.h"
#include "fuzz-common.h"

/* The Annex D static device key: a valid point to verify against. */
static const tsr_ec_pub_t fixed_key = {
	.curve = TSR_CURVE_P256,
	.x = { 0x96, 0x31, 0x3d, 0x6c, 0x63, 0xe2, 0x4e, 0x33, 0x72, 0x74, 0x2b, 0xfd, 0xb1, 0xa3,
	    0x3b, 0xa2, 0xc8, 0x97, 0xdc, 0xd6, 0x8a, 0xb8, 0xc7, 0x53, 0xe4, 0xfb, 0xd4, 0x8d,
	    0xca, 0x6b, 0x7f, 0x9a },
	.y = { 0x1f, 0xb3, 0x26, 0x9e, 0xdd, 0x41, 0x88, 0x57, 0xde, 0x1b, 0x39, 0xa4, 0xe4, 0xa4,
	    0x4b, 0x92, 0xfa, 0x48, 0x4c, 0xaa, 0x72, 0x2c, 0x22, 0x82, 0x88, 0xf0, 0x1d, 0x0c,
	    0x03, 0xa2, 0xc3, 0xd6 },
};

static void
check_msg(const tsr_cbor_item_t *item, bool mac)
{
	static const uint8_t key[32];
	static const uint8_t detached[] = "payload";
	tsr_cose_msg_t msg;
	tsr_cbor_enc_t enc;
	uint8_t *again = NULL;
	size_t again_len = 0;
	int r;

	r = mac ? tsr_cose_mac0_decode(item, &msg) : tsr_cose_sign1_decode(item, &msg);
	if (r != TSR_OK)
		return;
	tsr_cbor_enc_init(&enc);
	tsr_cose_msg_encode(&enc, &msg);
	if (tsr_cbor_enc_finish(&enc, &again, &again_len) == TSR_OK &&
	    tsr_cbor_untag(item, mac ? 17 : 18) == NULL)
		fuzz_expect_same(again, again_len, item->raw.ptr, item->raw.len);
	free(again);
	if (mac) {
		/* A MAC with an all-zero key could only match by chance. */
		if (tsr_cose_mac0_verify(&msg, key, msg.detached ? detached : NULL,
		    msg.detached ? sizeof(detached) : 0) == TSR_OK && msg.tag.len != 32)
			abort();
	} else if (tsr_cose_sign1_verify(&msg, &fixed_key, msg.detached ? detached : NULL,
	    msg.detached ? sizeof(detached) : 0) == TSR_OK) {
		abort(); /* a forged ECDSA signature */
	}
	tsr_cose_msg_clear(&msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_cbor_doc_t *doc = NULL;
	tsr_ec_pub_t pub;

	if (tsr_cbor_decode(data, size, NULL, &doc) != TSR_OK)
		return 0;
	(void)tsr_cose_key_decode(tsr_cbor_doc_root(doc), &pub);
	check_msg(tsr_cbor_doc_root(doc), false);
	check_msg(tsr_cbor_doc_root(doc), true);
	tsr_cbor_doc_free(doc);
	return 0;
}
