/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The BLE Ident characteristic's value (18013-5 §8.3.3.1.1.4). */

#include <string.h>

#include <tessera/session.h>

#include "crypto/crypto.h"
#include "engagement/engagement.h"

int
tsr_engagement_ble_ident(const uint8_t *engagement, size_t len, uint8_t ret_ident[16])
{
	static const uint8_t info[] = { 'B', 'L', 'E', 'I', 'd', 'e', 'n', 't' };
	tsr_engagement_t de;
	uint8_t ident[16];
	int r = TSR_ERR_INTERNAL;

	if (engagement == NULL || ret_ident == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_engagement_decode(engagement, len, &de)) != TSR_OK)
		return r;
	/* IKM: EDeviceKeyBytes as received (tag 24 included); no salt. */
	if ((r = tsr_hkdf_sha256(NULL, 0, de.e_device_key_bytes.ptr, de.e_device_key_bytes.len,
	    info, sizeof(info), ident, sizeof(ident))) != TSR_OK)
		goto out;
	memcpy(ret_ident, ident, sizeof(ident));
	r = TSR_OK;
out:
	tsr_engagement_clear(&de);
	return r;
}
