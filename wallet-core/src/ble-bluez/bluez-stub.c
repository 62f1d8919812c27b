/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* libtessera built without the BlueZ back-end (meson -Dbluez=disabled or
 * no GIO): the constructor exists and says so. */

#include <stddef.h>

#include <tessera/transport.h>

TSR_EXPORT int
tsr_ble_link_bluez_new(const char *adapter, tsr_ble_link_t **ret)
{
	(void)adapter;
	if (ret != NULL)
		*ret = NULL;
	return TSR_ERR_UNSUPPORTED;
}
