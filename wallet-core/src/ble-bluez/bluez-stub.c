/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* libtessera built without the BlueZ back-end (meson -Dbluez=disabled or
 * no GIO): the constructor and the EATT check exist and say so. */

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

TSR_EXPORT int
tsr_ble_bluez_eatt_check(const char *main_conf, tsr_ble_eatt_t *ret)
{
	(void)main_conf;
	(void)ret;
	return TSR_ERR_UNSUPPORTED;
}
