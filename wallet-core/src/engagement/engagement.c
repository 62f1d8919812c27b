/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <tessera/err.h>
#include <tessera/session.h>

#include "base/base64.h"
#include "cose/cose.h"
#include "engagement/engagement.h"

/* DeviceEngagement keys */
#define DE_VERSION 0
#define DE_SECURITY 1
#define DE_RETRIEVAL 2
#define DE_ORIGIN_INFOS 5
#define DE_CAPABILITIES 6

/* BleOptions keys */
#define BLE_PERIPHERAL 0
#define BLE_CENTRAL 1
#define BLE_PERIPHERAL_UUID 10
#define BLE_CENTRAL_UUID 11
#define BLE_ADDRESS 20
#define BLE_PSM 21

/* A QR code holds at most 2953 bytes; nothing longer is an engagement. */
#define QR_URI_MAX 4096

void
tsr_engagement_clear(tsr_engagement_t *de)
{
	if (de == NULL)
		return;
	tsr_cbor_doc_free(de->doc);
	memset(de, 0, sizeof(*de));
}

static bool
get_bool(const tsr_cbor_item_t *item, bool *ret)
{
	if (item == NULL || (item->type != TSR_CBOR_TRUE && item->type != TSR_CBOR_FALSE))
		return false;
	*ret = item->type == TSR_CBOR_TRUE;
	return true;
}

static bool
get_fixed_bstr(const tsr_cbor_item_t *item, uint8_t *out, size_t len)
{
	if (!tsr_cbor_is(item, TSR_CBOR_BSTR) || item->u.str.len != len)
		return false;
	memcpy(out, item->u.str.ptr, len);
	return true;
}

/* BleOptions = {0: bool, 1: bool, ? 10: bstr, ? 11: bstr, ? 20: bstr, ? 21: uint}
 * (21: 2nd-edition draft, digest §2.1) */
static int
decode_ble_options(const tsr_cbor_item_t *map, tsr_ble_options_t *ble)
{
	const tsr_cbor_item_t *v;

	if (!get_bool(tsr_cbor_map_find_int(map, BLE_PERIPHERAL), &ble->peripheral_server) ||
	    !get_bool(tsr_cbor_map_find_int(map, BLE_CENTRAL), &ble->central_client))
		return TSR_ERR_MDOC_MALFORMED;
	if ((v = tsr_cbor_map_find_int(map, BLE_PERIPHERAL_UUID)) != NULL) {
		if (!ble->peripheral_server || !get_fixed_bstr(v, ble->peripheral_uuid, 16))
			return TSR_ERR_MDOC_MALFORMED;
		ble->has_peripheral_uuid = true;
	}
	if ((v = tsr_cbor_map_find_int(map, BLE_CENTRAL_UUID)) != NULL) {
		if (!ble->central_client || !get_fixed_bstr(v, ble->central_uuid, 16))
			return TSR_ERR_MDOC_MALFORMED;
		ble->has_central_uuid = true;
	}
	/* The address is only meaningful for a peripheral the reader connects to. */
	if ((v = tsr_cbor_map_find_int(map, BLE_ADDRESS)) != NULL) {
		if (!ble->peripheral_server || !get_fixed_bstr(v, ble->address, 6))
			return TSR_ERR_MDOC_MALFORMED;
		ble->has_address = true;
	}
	/* The PSM of the mdoc's L2CAP channel, in peripheral server mode
	 * only (the reader listens in central client mode): an LE SPSM. */
	if ((v = tsr_cbor_map_find_int(map, BLE_PSM)) != NULL) {
		if (!ble->peripheral_server || !tsr_cbor_is(v, TSR_CBOR_UINT) ||
		    v->u.uint < TSR_BLE_PSM_MIN || v->u.uint > TSR_BLE_PSM_MAX)
			return TSR_ERR_MDOC_MALFORMED;
		ble->psm = (uint16_t)v->u.uint;
		ble->has_psm = true;
	}
	if ((!ble->peripheral_server && !ble->central_client) ||
	    (ble->peripheral_server && !ble->has_peripheral_uuid) ||
	    (ble->central_client && !ble->has_central_uuid))
		return TSR_ERR_MDOC_MALFORMED;
	return TSR_OK;
}

/* DeviceRetrievalMethods = [+ [type: uint, version: uint, options]] */
static int
decode_retrieval_methods(const tsr_cbor_item_t *list, tsr_engagement_t *de)
{
	int r;

	if (!tsr_cbor_is(list, TSR_CBOR_ARRAY) || list->u.list.count == 0)
		return TSR_ERR_MDOC_MALFORMED;
	for (size_t i = 0; i < list->u.list.count; i++) {
		const tsr_cbor_item_t *m = &list->u.list.items[i];

		if (!tsr_cbor_is(m, TSR_CBOR_ARRAY) || m->u.list.count != 3 ||
		    !tsr_cbor_is(&m->u.list.items[0], TSR_CBOR_UINT) ||
		    !tsr_cbor_is(&m->u.list.items[1], TSR_CBOR_UINT))
			return TSR_ERR_MDOC_MALFORMED;
		/* Only the first BLE method of version 1 is used; others are kept. */
		if (m->u.list.items[0].u.uint == TSR_RETRIEVAL_BLE &&
		    m->u.list.items[1].u.uint == 1 && !de->has_ble) {
			if (!tsr_cbor_is(&m->u.list.items[2], TSR_CBOR_MAP))
				return TSR_ERR_MDOC_MALFORMED;
			if ((r = decode_ble_options(&m->u.list.items[2], &de->ble)) != TSR_OK)
				return r;
			de->has_ble = true;
		}
	}
	de->retrieval_methods = list;
	return TSR_OK;
}

int
tsr_engagement_decode(const uint8_t *ptr, size_t len, tsr_engagement_t *ret)
{
	const tsr_cbor_item_t *root, *version, *security, *key, *retrieval;
	tsr_engagement_t de;
	int r = TSR_ERR_INTERNAL;

	memset(&de, 0, sizeof(de));
	if ((r = tsr_cbor_decode(ptr, len, NULL, &de.doc)) != TSR_OK)
		goto fail;
	root = tsr_cbor_doc_root(de.doc);
	version = tsr_cbor_map_find_int(root, DE_VERSION);
	security = tsr_cbor_map_find_int(root, DE_SECURITY);
	if (!tsr_cbor_is(root, TSR_CBOR_MAP) || !tsr_cbor_is(version, TSR_CBOR_TSTR) ||
	    !tsr_cbor_is(security, TSR_CBOR_ARRAY) || security->u.list.count != 2 ||
	    !tsr_cbor_get_int(&security->u.list.items[0], &de.cipher_suite)) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	/* Only integer keys are allowed (* int => any). */
	for (size_t i = 0; i < root->u.list.count; i++) {
		int64_t k;
		if (!tsr_cbor_get_int(tsr_cbor_map_key(root, i), &k)) {
			r = TSR_ERR_MDOC_MALFORMED;
			goto fail;
		}
	}
	/* "1.1" exactly when 2nd-edition keys are present. */
	if (tsr_cbor_tstr_eq(version, "1.1")) {
		if (tsr_cbor_map_find_int(root, DE_CAPABILITIES) != NULL &&
		    tsr_cbor_map_find_int(root, DE_ORIGIN_INFOS) == NULL) {
			r = TSR_ERR_MDOC_MALFORMED;
			goto fail;
		}
	} else if (!tsr_cbor_tstr_eq(version, "1.0") ||
	    tsr_cbor_map_find_int(root, DE_ORIGIN_INFOS) != NULL ||
	    tsr_cbor_map_find_int(root, DE_CAPABILITIES) != NULL) {
		r = TSR_ERR_MDOC_VERSION;
		goto fail;
	}
	if (de.cipher_suite != TSR_CIPHER_SUITE_1) {
		r = TSR_ERR_CRYPTO_UNSUPPORTED_ALG;
		goto fail;
	}
	key = tsr_cbor_untag(&security->u.list.items[1], 24);
	if (!tsr_cbor_is(key, TSR_CBOR_BSTR)) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto fail;
	}
	de.e_device_key_bytes = security->u.list.items[1].raw;
	if ((r = tsr_cose_key_from_bytes(key->u.str.ptr, key->u.str.len, &de.e_device_key)) !=
	    TSR_OK)
		goto fail;
	retrieval = tsr_cbor_map_find_int(root, DE_RETRIEVAL);
	if (retrieval != NULL && (r = decode_retrieval_methods(retrieval, &de)) != TSR_OK)
		goto fail;
	de.version = version->u.str;
	*ret = de;
	return TSR_OK;
fail:
	tsr_engagement_clear(&de);
	return r;
}

int
tsr_engagement_encode(const tsr_engagement_t *de, uint8_t **ret_ptr, size_t *ret_len)
{
	const tsr_cbor_item_t *root = tsr_cbor_doc_root(de->doc);
	tsr_cbor_enc_t enc;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, root->u.list.count);
	tsr_cbor_put_uint(&enc, DE_VERSION);
	tsr_cbor_put_tstr_n(&enc, (const char *)de->version.ptr, de->version.len);
	tsr_cbor_put_uint(&enc, DE_SECURITY);
	tsr_cbor_put_array(&enc, 2);
	tsr_cbor_put_int(&enc, de->cipher_suite);
	tsr_cbor_put_raw(&enc, de->e_device_key_bytes.ptr, de->e_device_key_bytes.len);
	for (size_t i = 0; i < root->u.list.count; i++) {
		const tsr_cbor_item_t *k = tsr_cbor_map_key(root, i);
		const tsr_cbor_item_t *v = tsr_cbor_map_value(root, i);
		int64_t key;

		(void)tsr_cbor_get_int(k, &key);
		if (key == DE_VERSION || key == DE_SECURITY)
			continue;
		tsr_cbor_put_raw(&enc, k->raw.ptr, k->raw.len);
		tsr_cbor_put_raw(&enc, v->raw.ptr, v->raw.len);
	}
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

int
tsr_engagement_build(const tsr_ec_pub_t *e_device_key, const tsr_ble_options_t *ble,
    uint8_t **ret_ptr, size_t *ret_len)
{
	uint8_t *key = NULL;
	size_t key_len = 0;
	size_t n_options;
	tsr_cbor_enc_t enc;
	int r;

	if (e_device_key == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cose_key_encode(&enc, e_device_key);
	if ((r = tsr_cbor_enc_finish(&enc, &key, &key_len)) != TSR_OK)
		return r;

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_map(&enc, ble ? 3 : 2);
	tsr_cbor_put_uint(&enc, DE_VERSION);
	tsr_cbor_put_tstr(&enc, "1.0");
	tsr_cbor_put_uint(&enc, DE_SECURITY);
	tsr_cbor_put_array(&enc, 2);
	tsr_cbor_put_uint(&enc, TSR_CIPHER_SUITE_1);
	tsr_cbor_put_embedded(&enc, key, key_len);
	if (ble != NULL) {
		n_options = 2 + (ble->peripheral_server ? 1u : 0u) + (ble->central_client ? 1u : 0u) +
		    (ble->peripheral_server && ble->has_address ? 1u : 0u) +
		    (ble->peripheral_server && ble->has_psm ? 1u : 0u);
		tsr_cbor_put_uint(&enc, DE_RETRIEVAL);
		tsr_cbor_put_array(&enc, 1);
		tsr_cbor_put_array(&enc, 3);
		tsr_cbor_put_uint(&enc, TSR_RETRIEVAL_BLE);
		tsr_cbor_put_uint(&enc, 1);
		tsr_cbor_put_map(&enc, n_options);
		tsr_cbor_put_uint(&enc, BLE_PERIPHERAL);
		tsr_cbor_put_bool(&enc, ble->peripheral_server);
		tsr_cbor_put_uint(&enc, BLE_CENTRAL);
		tsr_cbor_put_bool(&enc, ble->central_client);
		if (ble->peripheral_server) {
			tsr_cbor_put_uint(&enc, BLE_PERIPHERAL_UUID);
			tsr_cbor_put_bstr(&enc, ble->peripheral_uuid, 16);
		}
		if (ble->central_client) {
			tsr_cbor_put_uint(&enc, BLE_CENTRAL_UUID);
			tsr_cbor_put_bstr(&enc, ble->central_uuid, 16);
		}
		if (ble->peripheral_server && ble->has_address) {
			tsr_cbor_put_uint(&enc, BLE_ADDRESS);
			tsr_cbor_put_bstr(&enc, ble->address, 6);
		}
		if (ble->peripheral_server && ble->has_psm) {
			tsr_cbor_put_uint(&enc, BLE_PSM);
			tsr_cbor_put_uint(&enc, ble->psm);
		}
	}
	free(key);
	return tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
}

int
tsr_engagement_to_qr_uri(const uint8_t *ptr, size_t len, char **ret_uri)
{
	char *b64 = NULL, *uri;
	size_t prefix = strlen(TSR_QR_URI_PREFIX), n;
	int r;

	if ((r = tsr_base64url_encode(ptr, len, &b64)) != TSR_OK)
		return r;
	n = strlen(b64);
	/* Nothing tsr_engagement_from_qr_uri() would refuse. */
	if (prefix + n > QR_URI_MAX) {
		free(b64);
		return TSR_ERR_LIMIT;
	}
	if ((uri = malloc(prefix + n + 1)) == NULL) {
		free(b64);
		return TSR_ERR_NO_MEMORY;
	}
	memcpy(uri, TSR_QR_URI_PREFIX, prefix);
	memcpy(uri + prefix, b64, n + 1);
	free(b64);
	*ret_uri = uri;
	return TSR_OK;
}

int
tsr_engagement_from_qr_uri(const char *uri, uint8_t **ret_ptr, size_t *ret_len)
{
	size_t prefix = strlen(TSR_QR_URI_PREFIX), n;

	if (uri == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	n = strnlen(uri, QR_URI_MAX + 1);
	if (n > QR_URI_MAX)
		return TSR_ERR_LIMIT;
	/* The scheme is case-insensitive (RFC 3986 §3.1). */
	if (n < prefix || strncasecmp(uri, TSR_QR_URI_PREFIX, prefix) != 0)
		return TSR_ERR_INVALID_ARGUMENT;
	return tsr_base64url_decode(uri + prefix, n - prefix, ret_ptr, ret_len);
}
