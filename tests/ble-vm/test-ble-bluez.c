/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The BlueZ back-end (src/ble-bluez/) against a fake org.bluez on a
 * private dbus-daemon: the D-Bus calls it makes (GATT application with the
 * right UUIDs and flags, advertisement, discovery filter, Connect,
 * ReadValue/WriteValue/StartNotify, PropertiesChanged both ways) and its
 * errors (no bluetoothd, no adapter, adapter off, access denied); of
 * L2CAP, what can be checked without a radio: argument and state checks,
 * address parsing, errno mapping, the socket ABI against BlueZ's headers,
 * and the fall back to GATT where the kernel has no Bluetooth sockets.
 *
 * The fake runs in its own thread with its own connection and main
 * context; the link is driven from the test's thread through its ops, as
 * the state machine drives it.
 */

#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef TSR_TEST_BLUEZ_HEADERS
#include <bluetooth/bluetooth.h>
#include <bluetooth/l2cap.h>
#endif

#include <tessera/tessera.h>
#include <tessera/transport.h>

#include "ble-bluez/bluez-private.h"
#include "transport/ble-link.h"
#include "transport/transport-private.h"

#define ADAPTER "/org/bluez/hci0"
#define DEVICE ADAPTER "/dev_00_AA_01_01_00_01"
#define SERVICE DEVICE "/service0001"

static const char fake_xml[] =
    "<node>"
    " <interface name='org.freedesktop.DBus.ObjectManager'>"
    "  <method name='GetManagedObjects'><arg type='a{oa{sa{sv}}}' direction='out'/></method>"
    " </interface>"
    " <interface name='org.bluez.Adapter1'>"
    "  <method name='SetDiscoveryFilter'><arg type='a{sv}' direction='in'/></method>"
    "  <method name='StartDiscovery'/><method name='StopDiscovery'/>"
    " </interface>"
    " <interface name='org.bluez.GattManager1'>"
    "  <method name='RegisterApplication'><arg type='o' direction='in'/><arg type='a{sv}' direction='in'/></method>"
    "  <method name='UnregisterApplication'><arg type='o' direction='in'/></method>"
    " </interface>"
    " <interface name='org.bluez.LEAdvertisingManager1'>"
    "  <method name='RegisterAdvertisement'><arg type='o' direction='in'/><arg type='a{sv}' direction='in'/></method>"
    "  <method name='UnregisterAdvertisement'><arg type='o' direction='in'/></method>"
    " </interface>"
    " <interface name='org.bluez.Device1'>"
    "  <method name='Connect'/><method name='Disconnect'/>"
    "  <property name='ServicesResolved' type='b' access='read'/>"
    " </interface>"
    " <interface name='org.bluez.GattCharacteristic1'>"
    "  <method name='ReadValue'><arg type='a{sv}' direction='in'/><arg type='ay' direction='out'/></method>"
    "  <method name='WriteValue'><arg type='ay' direction='in'/><arg type='a{sv}' direction='in'/></method>"
    "  <method name='StartNotify'/><method name='StopNotify'/>"
    " </interface>"
    "</node>";

/* The 18013-5 characteristic UUIDs of mdoc peripheral server mode (digest
 * §4.2); the link only passes them through. */
static const uint8_t svc_uuid[16] = { 0x6f, 0x1e, 0x2a, 0x10, 0x42, 0x17, 0x4c, 0x6e, 0x9a,
	0x2b, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 };
static const char *const char_uuid_str[TSR_BLE_CHAR_COUNT] = {
	"00000001-a123-48ce-896b-4c76973373e6", "00000002-a123-48ce-896b-4c76973373e6",
	"00000003-a123-48ce-896b-4c76973373e6", "00000008-a123-48ce-896b-4c76973373e6",
	"0000000a-a123-48ce-896b-4c76973373e6",
};
static const char svc_uuid_str[] = "6f1e2a10-4217-4c6e-9a2b-010203040506";

typedef struct fake {
	GThread *thread;
	GMainContext *ctx;
	GMainLoop *loop;
	GDBusConnection *bus;
	GDBusNodeInfo *node;
	GPtrArray *regs;
	GMutex mu;
	bool ready;
	/* configuration */
	bool adapter, powered, deny, client_mode;
	/* what the back-end did */
	char *app_sender, *app_path;
	char *peer;                /* the back-end's unique name, from its first call */
	GVariant *app_objects;     /* GetManagedObjects of the application */
	GVariant *adv_props;       /* GetAll of the advertisement */
	GVariant *filter;          /* SetDiscoveryFilter */
	bool discovering, connected, unregistered_app;
	GVariant *written;         /* last WriteValue (ay a{sv}) on C2S */
	unsigned notify_on;
	GVariant *notified;        /* PropertiesChanged Value from the application */
	guint sig;
} fake_t;

static char *bus_dir;
static GPid bus_pid;
static uint8_t ident[16] = { 0x1d, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 };

static GVariant *
props_of(fake_t *f, const char *path, const char *iface)
{
	GVariantBuilder b;
	int i;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	if (strcmp(iface, "org.bluez.Adapter1") == 0) {
		g_variant_builder_add(&b, "{sv}", "Powered", g_variant_new_boolean(f->powered));
		g_variant_builder_add(&b, "{sv}", "Address", g_variant_new_string("00:AA:01:00:00:00"));
	} else if (strcmp(iface, "org.bluez.Device1") == 0) {
		const char *u[2] = { svc_uuid_str, NULL };

		g_variant_builder_add(&b, "{sv}", "UUIDs", g_variant_new_strv(u, -1));
		g_variant_builder_add(&b, "{sv}", "Address", g_variant_new_string("00:AA:01:01:00:01"));
		g_variant_builder_add(&b, "{sv}", "AddressType", g_variant_new_string("public"));
		g_variant_builder_add(&b, "{sv}", "Connected", g_variant_new_boolean(f->connected));
		g_variant_builder_add(&b, "{sv}", "ServicesResolved",
		    g_variant_new_boolean(f->connected));
	} else if (strcmp(iface, "org.bluez.GattService1") == 0) {
		g_variant_builder_add(&b, "{sv}", "UUID", g_variant_new_string(svc_uuid_str));
		g_variant_builder_add(&b, "{sv}", "Device", g_variant_new_object_path(DEVICE));
	} else if (strcmp(iface, "org.bluez.GattCharacteristic1") == 0) {
		i = path[strlen(path) - 1] - '0';
		g_variant_builder_add(&b, "{sv}", "UUID", g_variant_new_string(char_uuid_str[i]));
		g_variant_builder_add(&b, "{sv}", "Service", g_variant_new_object_path(SERVICE));
		g_variant_builder_add(&b, "{sv}", "MTU", g_variant_new_uint16(185));
	}
	return g_variant_builder_end(&b);
}

static void
add_obj(fake_t *f, GVariantBuilder *b, const char *path, const char *const *ifaces)
{
	GVariantBuilder ifs;

	g_variant_builder_init(&ifs, G_VARIANT_TYPE("a{sa{sv}}"));
	for (; *ifaces != NULL; ifaces++)
		g_variant_builder_add(&ifs, "{s@a{sv}}", *ifaces, props_of(f, path, *ifaces));
	g_variant_builder_add(b, "{o@a{sa{sv}}}", path, g_variant_builder_end(&ifs));
}

static const char *const adapter_ifaces[] = { "org.bluez.Adapter1", "org.bluez.GattManager1",
	"org.bluez.LEAdvertisingManager1", NULL };
static const char *const dev_ifaces[] = { "org.bluez.Device1", NULL };
static const char *const svc_ifaces[] = { "org.bluez.GattService1", NULL };
static const char *const char_ifaces[] = { "org.bluez.GattCharacteristic1", NULL };

/* Client mode serves STATE, C2S, S2C and IDENT (no L2CAP). */
static GVariant *
objects(fake_t *f, bool with_device)
{
	GVariantBuilder b;
	char path[128];
	int i;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{oa{sa{sv}}}"));
	if (f->adapter)
		add_obj(f, &b, ADAPTER, adapter_ifaces);
	if (with_device) {
		add_obj(f, &b, DEVICE, dev_ifaces);
		if (f->connected) {
			add_obj(f, &b, SERVICE, svc_ifaces);
			for (i = 0; i < 4; i++) {
				snprintf(path, sizeof(path), SERVICE "/char%d", i);
				add_obj(f, &b, path, char_ifaces);
			}
		}
	}
	return g_variant_builder_end(&b);
}

static void
emit_props(fake_t *f, const char *path, const char *iface, GVariant *changed)
{
	const char *none[1] = { NULL };

	g_dbus_connection_emit_signal(f->bus, NULL, path, "org.freedesktop.DBus.Properties",
	    "PropertiesChanged", g_variant_new("(s@a{sv}^as)", iface, changed, none), NULL);
}

static GVariant *
one_prop(const char *name, GVariant *v)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&b, "{sv}", name, v);
	return g_variant_builder_end(&b);
}

static void
got_app_objects(GObject *src, GAsyncResult *res, gpointer user)
{
	GDBusMethodInvocation *inv = user;
	fake_t *f = g_object_get_data(G_OBJECT(inv), "fake");
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, NULL);

	g_mutex_lock(&f->mu);
	if (v != NULL)
		f->app_objects = g_variant_get_child_value(v, 0);
	g_mutex_unlock(&f->mu);
	if (v != NULL)
		g_variant_unref(v);
	g_dbus_method_invocation_return_value(inv, NULL);
}

static void
got_adv_props(GObject *src, GAsyncResult *res, gpointer user)
{
	GDBusMethodInvocation *inv = user;
	fake_t *f = g_object_get_data(G_OBJECT(inv), "fake");
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, NULL);

	g_mutex_lock(&f->mu);
	if (v != NULL)
		f->adv_props = g_variant_get_child_value(v, 0);
	g_mutex_unlock(&f->mu);
	if (v != NULL)
		g_variant_unref(v);
	g_dbus_method_invocation_return_value(inv, NULL);
}

static void
on_app_props(GDBusConnection *c, const char *sender, const char *path, const char *iface,
    const char *signal, GVariant *params, gpointer user)
{
	fake_t *f = user;
	GVariant *changed, *val;

	(void)c;
	(void)sender;
	(void)iface;
	(void)signal;
	if (!g_str_has_suffix(path, "/char2"))
		return;
	g_variant_get(params, "(&s@a{sv}@as)", NULL, &changed, NULL);
	val = g_variant_lookup_value(changed, "Value", G_VARIANT_TYPE_BYTESTRING);
	g_mutex_lock(&f->mu);
	if (val != NULL) {
		if (f->notified != NULL)
			g_variant_unref(f->notified);
		f->notified = val;
	}
	g_mutex_unlock(&f->mu);
	g_variant_unref(changed);
}

static void
fake_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
    const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user)
{
	fake_t *f = user;
	const char *obj;

	(void)c;
	g_mutex_lock(&f->mu);
	if (f->peer == NULL)
		f->peer = g_strdup(sender);
	g_mutex_unlock(&f->mu);
	if (strcmp(method, "GetManagedObjects") == 0) {
		g_mutex_lock(&f->mu);
		g_dbus_method_invocation_return_value(inv,
		    g_variant_new("(@a{oa{sa{sv}}})", objects(f, f->client_mode && f->discovering)));
		g_mutex_unlock(&f->mu);
	} else if (strcmp(method, "RegisterApplication") == 0) {
		if (f->deny) {
			g_dbus_method_invocation_return_dbus_error(inv,
			    "org.freedesktop.DBus.Error.AccessDenied", "not allowed");
			return;
		}
		g_variant_get(params, "(&o@a{sv})", &obj, NULL);
		g_mutex_lock(&f->mu);
		f->app_sender = g_strdup(sender);
		f->app_path = g_strdup(obj);
		g_mutex_unlock(&f->mu);
		f->sig = g_dbus_connection_signal_subscribe(f->bus, sender,
		    "org.freedesktop.DBus.Properties", "PropertiesChanged", NULL, NULL,
		    G_DBUS_SIGNAL_FLAGS_NONE, on_app_props, f, NULL);
		g_object_set_data(G_OBJECT(inv), "fake", f);
		g_dbus_connection_call(f->bus, sender, obj, "org.freedesktop.DBus.ObjectManager",
		    "GetManagedObjects", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
		    got_app_objects, inv);
	} else if (strcmp(method, "RegisterAdvertisement") == 0) {
		g_variant_get(params, "(&o@a{sv})", &obj, NULL);
		g_object_set_data(G_OBJECT(inv), "fake", f);
		g_dbus_connection_call(f->bus, sender, obj, "org.freedesktop.DBus.Properties",
		    "GetAll", g_variant_new("(s)", "org.bluez.LEAdvertisement1"), NULL,
		    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, got_adv_props, inv);
	} else if (strcmp(method, "UnregisterApplication") == 0) {
		g_mutex_lock(&f->mu);
		f->unregistered_app = true;
		g_mutex_unlock(&f->mu);
		g_dbus_method_invocation_return_value(inv, NULL);
	} else if (strcmp(method, "SetDiscoveryFilter") == 0) {
		g_mutex_lock(&f->mu);
		f->filter = g_variant_get_child_value(params, 0);
		g_mutex_unlock(&f->mu);
		g_dbus_method_invocation_return_value(inv, NULL);
	} else if (strcmp(method, "StartDiscovery") == 0) {
		GVariantBuilder ifs;

		g_mutex_lock(&f->mu);
		f->discovering = true;
		g_variant_builder_init(&ifs, G_VARIANT_TYPE("a{sa{sv}}"));
		g_variant_builder_add(&ifs, "{s@a{sv}}", "org.bluez.Device1",
		    props_of(f, DEVICE, "org.bluez.Device1"));
		g_mutex_unlock(&f->mu);
		g_dbus_method_invocation_return_value(inv, NULL);
		g_dbus_connection_emit_signal(f->bus, NULL, "/", "org.freedesktop.DBus.ObjectManager",
		    "InterfacesAdded", g_variant_new("(oa{sa{sv}})", DEVICE, &ifs), NULL);
	} else if (strcmp(method, "Connect") == 0) {
		g_mutex_lock(&f->mu);
		f->connected = true;
		g_mutex_unlock(&f->mu);
		g_dbus_method_invocation_return_value(inv, NULL);
		emit_props(f, DEVICE, "org.bluez.Device1",
		    one_prop("ServicesResolved", g_variant_new_boolean(TRUE)));
	} else if (strcmp(method, "ReadValue") == 0) {
		g_dbus_method_invocation_return_value(inv, g_variant_new("(@ay)",
		    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, ident, 16, 1)));
	} else if (strcmp(method, "WriteValue") == 0) {
		g_mutex_lock(&f->mu);
		if (g_str_has_suffix(path, "/char1")) {
			if (f->written != NULL)
				g_variant_unref(f->written);
			f->written = g_variant_ref(params);
		}
		g_mutex_unlock(&f->mu);
		g_dbus_method_invocation_return_value(inv, NULL);
	} else if (strcmp(method, "StartNotify") == 0) {
		g_mutex_lock(&f->mu);
		f->notify_on |= 1u << (path[strlen(path) - 1] - '0');
		g_mutex_unlock(&f->mu);
		g_dbus_method_invocation_return_value(inv, NULL);
	} else {
		(void)iface;
		g_dbus_method_invocation_return_value(inv, NULL);
	}
}

static GVariant *
fake_get(GDBusConnection *c, const char *sender, const char *path, const char *iface,
    const char *prop, GError **error, gpointer user)
{
	fake_t *f = user;
	GVariant *all, *v;

	(void)c;
	(void)sender;
	g_mutex_lock(&f->mu);
	all = g_variant_ref_sink(props_of(f, path, iface));
	g_mutex_unlock(&f->mu);
	v = g_variant_lookup_value(all, prop, NULL);
	g_variant_unref(all);
	if (v == NULL)
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "%s", prop);
	return v;
}

static const GDBusInterfaceVTable fake_vtable = { fake_call, fake_get, NULL, { 0 } };

static void
fake_export(fake_t *f, const char *path, const char *iface)
{
	guint id = g_dbus_connection_register_object(f->bus, path,
	    g_dbus_node_info_lookup_interface(f->node, iface), &fake_vtable, f, NULL, NULL);

	g_assert_cmpuint(id, !=, 0);
	g_ptr_array_add(f->regs, GUINT_TO_POINTER(id));
}

static gpointer
fake_thread(gpointer user)
{
	fake_t *f = user;
	GVariant *v;
	char path[128];
	int i;

	g_main_context_push_thread_default(f->ctx);
	fake_export(f, "/", "org.freedesktop.DBus.ObjectManager");
	if (f->adapter) {
		fake_export(f, ADAPTER, "org.bluez.Adapter1");
		fake_export(f, ADAPTER, "org.bluez.GattManager1");
		fake_export(f, ADAPTER, "org.bluez.LEAdvertisingManager1");
	}
	if (f->client_mode) {
		fake_export(f, DEVICE, "org.bluez.Device1");
		for (i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), SERVICE "/char%d", i);
			fake_export(f, path, "org.bluez.GattCharacteristic1");
		}
	}
	v = g_dbus_connection_call_sync(f->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	    "org.freedesktop.DBus", "RequestName", g_variant_new("(su)", "org.bluez", 4u),
	    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	g_assert_nonnull(v);
	g_variant_unref(v);
	g_mutex_lock(&f->mu);
	f->ready = true;
	g_mutex_unlock(&f->mu);
	g_main_loop_run(f->loop);
	for (i = 0; i < (int)f->regs->len; i++)
		g_dbus_connection_unregister_object(f->bus, GPOINTER_TO_UINT(f->regs->pdata[i]));
	if (f->sig != 0)
		g_dbus_connection_signal_unsubscribe(f->bus, f->sig);
	g_dbus_connection_close_sync(f->bus, NULL, NULL);
	while (g_main_context_iteration(f->ctx, FALSE))
		;
	g_main_context_pop_thread_default(f->ctx);
	return NULL;
}

static fake_t *
fake_start(bool adapter, bool powered, bool client_mode)
{
	fake_t *f = g_new0(fake_t, 1);
	GError *err = NULL;
	bool ready = false;

	f->adapter = adapter;
	f->powered = powered;
	f->client_mode = client_mode;
	g_mutex_init(&f->mu);
	f->regs = g_ptr_array_new();
	f->ctx = g_main_context_new();
	f->loop = g_main_loop_new(f->ctx, FALSE);
	f->node = g_dbus_node_info_new_for_xml(fake_xml, &err);
	g_assert_no_error(err);
	f->bus = g_dbus_connection_new_for_address_sync(g_getenv("DBUS_SYSTEM_BUS_ADDRESS"),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &err);
	g_assert_no_error(err);
	g_dbus_connection_set_exit_on_close(f->bus, FALSE);
	f->thread = g_thread_new("fake-bluez", fake_thread, f);
	while (!ready) {
		g_usleep(1000);
		g_mutex_lock(&f->mu);
		ready = f->ready;
		g_mutex_unlock(&f->mu);
	}
	return f;
}

static void
fake_stop(fake_t *f)
{
	g_main_loop_quit(f->loop);
	g_thread_join(f->thread);
	g_object_unref(f->bus);
	g_main_loop_unref(f->loop);
	g_main_context_unref(f->ctx);
	g_dbus_node_info_unref(f->node);
	g_ptr_array_free(f->regs, TRUE);
	g_free(f->app_sender);
	g_free(f->app_path);
	g_free(f->peer);
	g_clear_pointer(&f->app_objects, g_variant_unref);
	g_clear_pointer(&f->adv_props, g_variant_unref);
	g_clear_pointer(&f->filter, g_variant_unref);
	g_clear_pointer(&f->written, g_variant_unref);
	g_clear_pointer(&f->notified, g_variant_unref);
	g_mutex_clear(&f->mu);
	g_free(f);
	/* Let the bus forget the name before the next test. */
	g_usleep(20000);
}

/* A device property changes (bluetoothd's signal). */
static void
fake_emit_device(fake_t *f, const char *prop, GVariant *v)
{
	emit_props(f, DEVICE, "org.bluez.Device1", one_prop(prop, v));
	g_dbus_connection_flush_sync(f->bus, NULL, NULL);
}

static tsr_ble_service_t
service(uint32_t chars)
{
	tsr_ble_service_t s;
	int i, j;

	memset(&s, 0, sizeof(s));
	memcpy(s.uuid, svc_uuid, 16);
	for (i = 0; i < TSR_BLE_CHAR_COUNT; i++) {
		const char *p = char_uuid_str[i];

		for (j = 0; j < 16; j++) {
			unsigned x;

			while (*p == '-')
				p++;
			g_assert_cmpint(sscanf(p, "%2x", &x), ==, 1);
			s.char_uuid[i][j] = (uint8_t)x;
			p += 2;
		}
	}
	s.chars = chars;
	memcpy(s.ident, ident, 16);
	return s;
}

/* The next event within 5 s (timeouts skipped until then). */
static tsr_ble_event_t
next(tsr_ble_link_t *link)
{
	tsr_ble_event_t ev;
	int r;

	memset(&ev, 0, sizeof(ev));
	r = link->ops->next_event(link->state, tsr_deadline_from_timeout(5000), &ev);
	g_assert_cmpint(r, ==, TSR_OK);
	return ev;
}

static void
pump_until(tsr_ble_link_t *link, fake_t *f, bool (*done)(fake_t *))
{
	int i;
	bool ok = false;
	tsr_ble_event_t ev;

	for (i = 0; i < 500 && !ok; i++) {
		int r = link->ops->next_event(link->state, tsr_deadline_from_timeout(10), &ev);

		g_assert_cmpint(r, ==, TSR_ERR_TRANSPORT_TIMEOUT);
		g_mutex_lock(&f->mu);
		ok = done(f);
		g_mutex_unlock(&f->mu);
	}
	g_assert_true(ok);
}

static void
test_no_bluez(void)
{
	tsr_ble_link_t *link = (void *)1;

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_ERR_TRANSPORT_BLE_NO_BLUEZ);
	g_assert_null(link);
}

static void
test_no_adapter(void)
{
	fake_t *f = fake_start(false, false, false);
	tsr_ble_link_t *link = NULL;

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_ERR_TRANSPORT_BLE_NO_ADAPTER);
	fake_stop(f);
	f = fake_start(true, true, false);
	g_assert_cmpint(tsr_ble_link_bluez_new("hci7", &link), ==,
	    TSR_ERR_TRANSPORT_BLE_NO_ADAPTER);
	g_assert_cmpint(tsr_ble_link_bluez_new("hci0", &link), ==, TSR_OK);
	g_assert_cmpstr(tsr_ble_link_describe(link), ==, "BlueZ hci0");
	tsr_ble_link_free(link);
	fake_stop(f);
	g_assert_cmpstr(tsr_strerror(TSR_ERR_TRANSPORT_BLE_NO_ADAPTER), ==,
	    "transport: no Bluetooth adapter");
}

static void
test_powered_off(void)
{
	fake_t *f = fake_start(true, false, false);
	tsr_ble_link_t *link = NULL;

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==,
	    TSR_ERR_TRANSPORT_BLE_POWERED_OFF);
	fake_stop(f);
}

static void
test_denied(void)
{
	fake_t *f = fake_start(true, true, false);
	tsr_ble_link_t *link = NULL;
	tsr_ble_service_t svc = service(7);
	tsr_ble_event_t ev;
	int r = TSR_ERR_TRANSPORT_TIMEOUT, i;

	f->deny = true;
	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_OK);
	g_assert_cmpint(link->ops->serve(link->state, &svc), ==, TSR_OK);
	for (i = 0; i < 500 && r == TSR_ERR_TRANSPORT_TIMEOUT; i++)
		r = link->ops->next_event(link->state, tsr_deadline_from_timeout(10), &ev);
	g_assert_cmpint(r, ==, TSR_ERR_TRANSPORT_BLE_PERMISSION);
	tsr_ble_link_free(link);
	fake_stop(f);
}

static bool
server_registered(fake_t *f)
{
	return f->app_objects != NULL && f->adv_props != NULL;
}

static bool
server_notified(fake_t *f)
{
	return f->notified != NULL;
}

typedef struct remote {
	fake_t *f;
	GVariant *read;
	gint done;
} remote_t;

static GVariant *
remote_call(fake_t *f, const char *ch, const char *method, GVariant *args)
{
	char path[160];
	GError *err = NULL;
	GVariant *v;

	snprintf(path, sizeof(path), "%s/service0/%s", f->app_path, ch);
	v = g_dbus_connection_call_sync(f->bus, f->app_sender, path,
	    "org.bluez.GattCharacteristic1", method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
	    &err);
	g_assert_no_error(err);
	return v;
}

/* bluetoothd's calls for a central that connected to us. */
static gpointer
remote_client(gpointer user)
{
	remote_t *rc = user;
	GVariantBuilder o;
	const uint8_t start = TSR_BLE_STATE_START;

	g_variant_unref(remote_call(rc->f, "char0", "StartNotify", NULL));
	g_variant_unref(remote_call(rc->f, "char2", "StartNotify", NULL));
	g_variant_builder_init(&o, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&o, "{sv}", "device", g_variant_new_object_path(DEVICE));
	g_variant_builder_add(&o, "{sv}", "mtu", g_variant_new_uint16(185));
	g_variant_builder_add(&o, "{sv}", "type", g_variant_new_string("command"));
	g_variant_unref(remote_call(rc->f, "char0", "WriteValue", g_variant_new("(@aya{sv})",
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, &start, 1, 1), &o)));
	rc->read = remote_call(rc->f, "char3", "ReadValue", g_variant_new("(a{sv})", NULL));
	g_atomic_int_set(&rc->done, 1);
	return NULL;
}

static void
check_char(GVariant *objs, int i, const char *flags)
{
	GVariantIter it;
	const char *path;
	GVariant *ifs;
	bool found = false;

	g_variant_iter_init(&it, objs);
	while (g_variant_iter_loop(&it, "{&o@a{sa{sv}}}", &path, &ifs)) {
		GVariant *p = g_variant_lookup_value(ifs, "org.bluez.GattCharacteristic1", NULL);
		const char *u;
		const char **fl;
		char *joined;

		if (p == NULL)
			continue;
		g_assert_true(g_variant_lookup(p, "UUID", "&s", &u));
		if (strcmp(u, char_uuid_str[i]) == 0) {
			found = true;
			g_assert_true(g_variant_lookup(p, "Flags", "^a&s", &fl));
			{
				GString *j = g_string_new(NULL);
				unsigned k;

				for (k = 0; fl[k] != NULL; k++)
					g_string_append_printf(j, "%s%s", k ? "," : "", fl[k]);
				joined = g_string_free(j, FALSE);
			}
			g_assert_cmpstr(joined, ==, flags);
			g_free(joined);
			g_free(fl);
		}
		g_variant_unref(p);
	}
	g_assert_true(found);
}

static void
test_server(void)
{
	fake_t *f = fake_start(true, true, false);
	tsr_ble_link_t *link = NULL;
	tsr_ble_service_t svc = service(TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_STATE) |
	    TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_C2S) | TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_S2C) |
	    TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_IDENT));
	tsr_ble_event_t ev;
	remote_t rc = { f, NULL, 0 };
	GThread *th;
	const char **uuids;
	const char *type;
	const uint8_t hello[5] = { 0x01, 'h', 'e', 'l', 'o' };
	gsize n;
	int saw = 0, r;

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_OK);
	g_assert_cmpint(link->ops->serve(link->state, &svc), ==, TSR_OK);
	pump_until(link, f, server_registered);

	/* The application: one primary service, the characteristics with
	 * their 18013-5 UUIDs and flags. */
	g_assert_cmpuint(g_variant_n_children(f->app_objects), ==, 5);
	check_char(f->app_objects, TSR_BLE_CHAR_STATE, "notify,write-without-response");
	check_char(f->app_objects, TSR_BLE_CHAR_C2S, "write-without-response");
	check_char(f->app_objects, TSR_BLE_CHAR_S2C, "notify");
	check_char(f->app_objects, TSR_BLE_CHAR_IDENT, "read");
	/* The advertisement: the 128-bit service UUID. */
	g_assert_true(g_variant_lookup(f->adv_props, "ServiceUUIDs", "^a&s", &uuids));
	g_assert_cmpstr(uuids[0], ==, svc_uuid_str);
	g_assert_null(uuids[1]);
	g_free(uuids);
	g_assert_true(g_variant_lookup(f->adv_props, "Type", "&s", &type));
	g_assert_cmpstr(type, ==, "peripheral");

	/* A central arrives: bluetoothd's calls become events. */
	th = g_thread_new("remote", remote_client, &rc);
	while (saw != 0xf) {
		ev = next(link);
		switch (ev.kind) {
		case TSR_BLE_EV_CONNECTED:
			g_assert_cmpint(saw, ==, 0);
			g_assert_cmpuint(ev.mtu, ==, 23); /* StartNotify carries no MTU */
			saw |= 1;
			break;
		case TSR_BLE_EV_SUBSCRIBED:
			saw |= ev.ch == TSR_BLE_CHAR_STATE ? 2 : 4;
			break;
		case TSR_BLE_EV_MTU:
			g_assert_cmpuint(ev.mtu, ==, 185);
			break;
		case TSR_BLE_EV_WRITE:
			g_assert_cmpint(ev.ch, ==, TSR_BLE_CHAR_STATE);
			g_assert_cmpuint(ev.len, ==, 1);
			g_assert_cmpuint(ev.data[0], ==, TSR_BLE_STATE_START);
			saw |= 8;
			break;
		default:
			g_assert_not_reached();
		}
	}
	/* The read is answered from the link's context, without an event. */
	while (!g_atomic_int_get(&rc.done))
		g_assert_cmpint(link->ops->next_event(link->state, tsr_deadline_from_timeout(10), &ev),
		    ==, TSR_ERR_TRANSPORT_TIMEOUT);
	g_thread_join(th);
	g_assert_nonnull(rc.read);
	{
		GVariant *a = g_variant_get_child_value(rc.read, 0);
		const uint8_t *p = g_variant_get_fixed_array(a, &n, 1);

		g_assert_cmpmem(p, n, ident, 16);
		g_variant_unref(a);
		g_variant_unref(rc.read);
	}

	/* A notification is PropertiesChanged on Value. */
	g_assert_cmpint(link->ops->notify(link->state, TSR_BLE_CHAR_S2C, hello, sizeof(hello), -1),
	    ==, TSR_OK);
	pump_until(link, f, server_notified);
	g_assert_cmpmem(g_variant_get_fixed_array(f->notified, &n, 1), n, hello, sizeof(hello));

	/* The central goes away. */
	fake_emit_device(f, "Connected", g_variant_new_boolean(FALSE));
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_DISCONNECTED);
	r = link->ops->next_event(link->state, tsr_deadline_from_timeout(10), &ev);
	g_assert_cmpint(r, ==, TSR_ERR_TRANSPORT_CLOSED);
	tsr_ble_link_free(link);
	fake_stop(f);
}

static bool
client_written(fake_t *f)
{
	return f->written != NULL;
}

static void
test_client(void)
{
	fake_t *f = fake_start(true, true, true);
	tsr_ble_link_t *link = NULL;
	tsr_ble_service_t svc = service(0);
	tsr_ble_event_t ev;
	const char **uuids;
	const char *transport, *type;
	const uint8_t chunk[4] = { 0x00, 0xa1, 0x01, 0x02 };
	const uint8_t note[3] = { 0x00, 0xa0, 0x07 };
	GVariant *val, *opts;
	gsize n;
	int got = 0;

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_OK);
	g_assert_cmpint(link->ops->connect(link->state, &svc, 517), ==, TSR_OK);
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_CONNECTED);
	g_assert_cmpuint(ev.mtu, ==, 185);
	g_assert_cmphex(ev.chars, ==, 0xf);
	/* Discovery was filtered by the service UUID on LE. */
	g_mutex_lock(&f->mu);
	g_assert_nonnull(f->filter);
	g_assert_true(g_variant_lookup(f->filter, "UUIDs", "^a&s", &uuids));
	g_assert_cmpstr(uuids[0], ==, svc_uuid_str);
	g_free(uuids);
	g_assert_true(g_variant_lookup(f->filter, "Transport", "&s", &transport));
	g_assert_cmpstr(transport, ==, "le");
	g_assert_true(f->connected);
	g_mutex_unlock(&f->mu);

	g_assert_cmpint(link->ops->read(link->state, TSR_BLE_CHAR_IDENT), ==, TSR_OK);
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_READ);
	g_assert_cmpint(ev.err, ==, TSR_OK);
	g_assert_cmpmem(ev.data, ev.len, ident, 16);
	g_assert_cmpint(link->ops->read(link->state, TSR_BLE_CHAR_L2CAP), ==, TSR_OK);
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_READ);
	g_assert_cmpint(ev.err, ==, TSR_ERR_NOT_FOUND);

	g_assert_cmpint(link->ops->subscribe(link->state, TSR_BLE_CHAR_STATE), ==, TSR_OK);
	g_assert_cmpint(link->ops->subscribe(link->state, TSR_BLE_CHAR_S2C), ==, TSR_OK);
	while (got != 3) {
		ev = next(link);
		g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_SUBSCRIBED);
		got |= ev.ch == TSR_BLE_CHAR_STATE ? 1 : 2;
	}
	g_assert_cmphex(f->notify_on, ==, 0x5);

	g_assert_cmpint(link->ops->write(link->state, TSR_BLE_CHAR_C2S, chunk, sizeof(chunk),
	    tsr_deadline_from_timeout(5000)), ==, TSR_OK);
	pump_until(link, f, client_written);
	g_variant_get(f->written, "(@ay@a{sv})", &val, &opts);
	g_assert_cmpmem(g_variant_get_fixed_array(val, &n, 1), n, chunk, sizeof(chunk));
	g_assert_true(g_variant_lookup(opts, "type", "&s", &type));
	g_assert_cmpstr(type, ==, "command");
	g_variant_unref(val);
	g_variant_unref(opts);

	/* The server's notification. */
	emit_props(f, SERVICE "/char2", "org.bluez.GattCharacteristic1", one_prop("Value",
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, note, sizeof(note), 1)));
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_NOTIFY);
	g_assert_cmpint(ev.ch, ==, TSR_BLE_CHAR_S2C);
	g_assert_cmpmem(ev.data, ev.len, note, sizeof(note));

	fake_emit_device(f, "Connected", g_variant_new_boolean(FALSE));
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_DISCONNECTED);
	tsr_ble_link_free(link);
	fake_stop(f);
}

/* Another process on the bus that is not bluetoothd. */
static GDBusConnection *
spoofer_connect(void)
{
	GError *err = NULL;
	GDBusConnection *c;

	c = g_dbus_connection_new_for_address_sync(g_getenv("DBUS_SYSTEM_BUS_ADDRESS"),
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
	    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &err);
	g_assert_no_error(err);
	g_dbus_connection_set_exit_on_close(c, FALSE);
	return c;
}

/* A PropertiesChanged of bluetoothd's shape from the spoofer: sent to the
 * back-end alone (a unicast signal) and to everyone. */
static void
spoof_props(GDBusConnection *spoofer, const char *dest, const char *path, const char *iface,
    const char *prop, GVariant *value)
{
	const char *none[1] = { NULL };
	GVariant *args = g_variant_ref_sink(g_variant_new("(s@a{sv}^as)", iface,
	    one_prop(prop, value), none));
	GError *err = NULL;

	g_assert_true(g_dbus_connection_emit_signal(spoofer, dest, path,
	    "org.freedesktop.DBus.Properties", "PropertiesChanged", args, &err));
	g_assert_no_error(err);
	g_assert_true(g_dbus_connection_emit_signal(spoofer, NULL, path,
	    "org.freedesktop.DBus.Properties", "PropertiesChanged", args, &err));
	g_assert_no_error(err);
	g_variant_unref(args);
}

/*
 * Signals of bluetoothd's shape from another process are not heeded: a
 * forged notification, a forged disconnection and a forged device. Sent
 * before bluetoothd's own notification, any of them would be the next
 * event if the back-end listened to it.
 */
static void
test_spoofed_signals(void)
{
	fake_t *f = fake_start(true, true, true);
	GDBusConnection *spoofer = spoofer_connect();
	tsr_ble_link_t *link = NULL;
	tsr_ble_service_t svc = service(0);
	const uint8_t forged[3] = { 0x00, 0xa0, 0x66 }, note[3] = { 0x00, 0xa0, 0x07 };
	const char *none[1] = { NULL };
	GVariantBuilder ifs;
	tsr_ble_event_t ev;
	char *peer;

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_OK);
	g_assert_cmpint(link->ops->connect(link->state, &svc, 517), ==, TSR_OK);
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_CONNECTED);
	g_assert_cmpint(link->ops->subscribe(link->state, TSR_BLE_CHAR_S2C), ==, TSR_OK);
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_SUBSCRIBED);
	g_mutex_lock(&f->mu);
	peer = g_strdup(f->peer);
	g_mutex_unlock(&f->mu);
	g_assert_nonnull(peer);

	spoof_props(spoofer, peer, SERVICE "/char2", "org.bluez.GattCharacteristic1", "Value",
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, forged, sizeof(forged), 1));
	spoof_props(spoofer, peer, DEVICE, "org.bluez.Device1", "Connected",
	    g_variant_new_boolean(FALSE));
	g_variant_builder_init(&ifs, G_VARIANT_TYPE("a{sa{sv}}"));
	g_variant_builder_add(&ifs, "{s@a{sv}}", "org.bluez.Device1",
	    one_prop("UUIDs", g_variant_new_strv(none, -1)));
	g_assert_true(g_dbus_connection_emit_signal(spoofer, peer, "/",
	    "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
	    g_variant_new("(oa{sa{sv}})", ADAPTER "/dev_00_AA_01_01_00_66", &ifs), NULL));
	g_assert_true(g_dbus_connection_flush_sync(spoofer, NULL, NULL));

	emit_props(f, SERVICE "/char2", "org.bluez.GattCharacteristic1", one_prop("Value",
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, note, sizeof(note), 1)));
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_NOTIFY);
	g_assert_cmpmem(ev.data, ev.len, note, sizeof(note));
	/* Nothing else came of the forgeries. */
	g_assert_cmpint(link->ops->next_event(link->state, tsr_deadline_from_timeout(100), &ev),
	    ==, TSR_ERR_TRANSPORT_TIMEOUT);

	fake_emit_device(f, "Connected", g_variant_new_boolean(FALSE));
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_DISCONNECTED);
	tsr_ble_link_free(link);
	g_free(peer);
	g_object_unref(spoofer);
	fake_stop(f);
}

typedef struct spoofed_call {
	GDBusConnection *spoofer;
	char *dest, *path;
	GError *err;
	gint done;
} spoofed_call_t;

/* In a thread: the link answers calls only while the test pumps it. */
static gpointer
spoofed_write(gpointer user)
{
	spoofed_call_t *sc = user;
	const uint8_t start = TSR_BLE_STATE_START;
	GVariant *v;

	v = g_dbus_connection_call_sync(sc->spoofer, sc->dest, sc->path,
	    "org.bluez.GattCharacteristic1", "WriteValue", g_variant_new("(@aya{sv})",
	    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, &start, 1, 1), NULL), NULL,
	    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &sc->err);
	if (v != NULL)
		g_variant_unref(v);
	g_atomic_int_set(&sc->done, 1);
	return NULL;
}

/* A method call on our GATT application from another process than
 * bluetoothd is refused, and makes no client and no event. (On the system
 * bus the policy usually refuses it first; not for root.) */
static void
test_spoofed_calls(void)
{
	fake_t *f = fake_start(true, true, false);
	tsr_ble_link_t *link = NULL;
	tsr_ble_service_t svc = service(TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_STATE) |
	    TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_C2S) | TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_S2C));
	spoofed_call_t sc = { NULL, NULL, NULL, NULL, 0 };
	tsr_ble_event_t ev;
	GThread *th;
	char *name;

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_OK);
	g_assert_cmpint(link->ops->serve(link->state, &svc), ==, TSR_OK);
	pump_until(link, f, server_registered);
	sc.spoofer = spoofer_connect();
	g_mutex_lock(&f->mu);
	sc.dest = g_strdup(f->app_sender);
	sc.path = g_strdup_printf("%s/service0/char0", f->app_path);
	g_mutex_unlock(&f->mu);
	th = g_thread_new("spoofer", spoofed_write, &sc);
	while (!g_atomic_int_get(&sc.done))
		g_assert_cmpint(link->ops->next_event(link->state, tsr_deadline_from_timeout(10), &ev),
		    ==, TSR_ERR_TRANSPORT_TIMEOUT);
	g_thread_join(th);
	g_assert_nonnull(sc.err);
	name = g_dbus_error_get_remote_error(sc.err);
	g_assert_cmpstr(name, ==, "org.bluez.Error.NotAuthorized");
	g_free(name);
	g_assert_cmpint(link->ops->next_event(link->state, tsr_deadline_from_timeout(100), &ev),
	    ==, TSR_ERR_TRANSPORT_TIMEOUT);
	g_error_free(sc.err);
	g_free(sc.dest);
	g_free(sc.path);
	g_object_unref(sc.spoofer);
	tsr_ble_link_free(link);
	fake_stop(f);
}

/* What opening an L2CAP socket gives on this machine: TSR_OK, or the code
 * the back-end maps the error to (TSR_ERR_UNSUPPORTED where the kernel has
 * no Bluetooth, as on the build host). */
static int
l2cap_socket_outcome(void)
{
	int fd = socket(AF_BLUETOOTH, SOCK_SEQPACKET, TSR_BTPROTO_L2CAP);

	if (fd < 0)
		return tsr_bluez_map_errno(errno);
	close(fd);
	return TSR_OK;
}

static void
test_address(void)
{
	static const struct {
		const char *text, *type;
		int r;
		uint8_t addr[6];
		uint8_t addr_type;
	} v[] = {
		{ "00:AA:01:01:00:01", "public", TSR_OK, { 0x01, 0x00, 0x01, 0x01, 0xaa, 0x00 },
		  TSR_BDADDR_LE_PUBLIC },
		{ "c0:ff:ee:12:34:5F", "random", TSR_OK, { 0x5f, 0x34, 0x12, 0xee, 0xff, 0xc0 },
		  TSR_BDADDR_LE_RANDOM },
		/* bluetoothd always sends AddressType; without it, public. */
		{ "00:AA:01:01:00:01", NULL, TSR_OK, { 0x01, 0x00, 0x01, 0x01, 0xaa, 0x00 },
		  TSR_BDADDR_LE_PUBLIC },
		{ NULL, "public", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
		{ "", "public", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
		{ "00:AA:01:01:00", "public", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
		{ "00:AA:01:01:00:011", "public", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
		{ "00-AA-01-01-00-01", "public", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
		{ "00:AA:01:01:0G:01", "public", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
		{ " 0:AA:01:01:00:01", "public", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
		{ "00:AA:01:01:00:01", "le-public", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
		{ "00:AA:01:01:00:01", "", TSR_ERR_TRANSPORT_ADDRESS, { 0 }, 0 },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(v); i++) {
		uint8_t addr[6], type = 0x5a;

		memset(addr, 0x5a, sizeof(addr));
		g_assert_cmpint(tsr_bluez_parse_address(v[i].text, v[i].type, addr, &type), ==,
		    v[i].r);
		if (v[i].r == TSR_OK) {
			g_assert_cmpmem(addr, 6, v[i].addr, 6);
			g_assert_cmpuint(type, ==, v[i].addr_type);
		} else {
			/* Outputs untouched on failure. */
			g_assert_cmpuint(addr[0], ==, 0x5a);
			g_assert_cmpuint(addr[5], ==, 0x5a);
			g_assert_cmpuint(type, ==, 0x5a);
		}
	}
	/* The other way, for a client known only by its L2CAP channel: the
	 * object path bluetoothd gives that device (as DEVICE above). */
	{
		uint8_t addr[6], type = 0;
		g_autofree char *path = NULL;

		g_assert_cmpint(tsr_bluez_parse_address("00:AA:01:01:00:01", "public", addr,
		    &type), ==, TSR_OK);
		path = tsr_bluez_device_path(ADAPTER, addr);
		g_assert_cmpstr(path, ==, DEVICE);
		g_free(path);
		g_assert_cmpint(tsr_bluez_parse_address("c0:ff:ee:12:34:5f", "random", addr,
		    &type), ==, TSR_OK);
		path = tsr_bluez_device_path(ADAPTER, addr);
		g_assert_cmpstr(path, ==, ADAPTER "/dev_C0_FF_EE_12_34_5F");
	}
}

static void
test_errno(void)
{
	static const struct {
		int e, r;
	} v[] = {
		{ EAFNOSUPPORT, TSR_ERR_UNSUPPORTED },
		{ EACCES, TSR_ERR_TRANSPORT_BLE_PERMISSION },
		{ EPERM, TSR_ERR_TRANSPORT_BLE_PERMISSION },
		{ ECONNREFUSED, TSR_ERR_TRANSPORT_CONNECT },
		{ EHOSTUNREACH, TSR_ERR_TRANSPORT_CONNECT },
		{ EBUSY, TSR_ERR_TRANSPORT_CONNECT },
		{ ETIMEDOUT, TSR_ERR_TRANSPORT_TIMEOUT },
		{ ECONNRESET, TSR_ERR_TRANSPORT_CLOSED },
		{ EPIPE, TSR_ERR_TRANSPORT_CLOSED },
		{ ENOTCONN, TSR_ERR_TRANSPORT_CLOSED },
		{ EADDRINUSE, TSR_ERR_TRANSPORT_IN_USE },
		{ EADDRNOTAVAIL, TSR_ERR_TRANSPORT_ADDRESS },
		{ ENODEV, TSR_ERR_TRANSPORT_ADDRESS },
		{ ENOMEM, TSR_ERR_NO_MEMORY },
		{ ENOBUFS, TSR_ERR_NO_MEMORY },
		{ EIO, TSR_ERR_TRANSPORT_IO },
		{ EINVAL, TSR_ERR_TRANSPORT_IO },
		{ 0, TSR_ERR_TRANSPORT_IO },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(v); i++)
		g_assert_cmpint(tsr_bluez_map_errno(v[i].e), ==, v[i].r);
}

/* The ABI names bluez-private.h defines itself are BlueZ's. */
static void
test_l2cap_abi(void)
{
#ifdef TSR_TEST_BLUEZ_HEADERS
	g_assert_cmpint(TSR_BTPROTO_L2CAP, ==, BTPROTO_L2CAP);
	g_assert_cmpint(TSR_SOL_BLUETOOTH, ==, SOL_BLUETOOTH);
	g_assert_cmpint(TSR_BT_SECURITY, ==, BT_SECURITY);
	g_assert_cmpint(TSR_BT_SECURITY_LOW, ==, BT_SECURITY_LOW);
	g_assert_cmpint(TSR_BT_SNDMTU, ==, BT_SNDMTU);
	g_assert_cmpint(TSR_BT_RCVMTU, ==, BT_RCVMTU);
	g_assert_cmpint(TSR_BDADDR_LE_PUBLIC, ==, BDADDR_LE_PUBLIC);
	g_assert_cmpint(TSR_BDADDR_LE_RANDOM, ==, BDADDR_LE_RANDOM);
	g_assert_cmpuint(sizeof(tsr_sockaddr_l2_t), ==, sizeof(struct sockaddr_l2));
	g_assert_cmpuint(offsetof(tsr_sockaddr_l2_t, l2_psm), ==,
	    offsetof(struct sockaddr_l2, l2_psm));
	g_assert_cmpuint(offsetof(tsr_sockaddr_l2_t, l2_bdaddr), ==,
	    offsetof(struct sockaddr_l2, l2_bdaddr));
	g_assert_cmpuint(offsetof(tsr_sockaddr_l2_t, l2_cid), ==,
	    offsetof(struct sockaddr_l2, l2_cid));
	g_assert_cmpuint(offsetof(tsr_sockaddr_l2_t, l2_bdaddr_type), ==,
	    offsetof(struct sockaddr_l2, l2_bdaddr_type));
	g_assert_cmpuint(sizeof(tsr_bt_security_t), ==, sizeof(struct bt_security));
	g_assert_cmpuint(offsetof(tsr_bt_security_t, key_size), ==,
	    offsetof(struct bt_security, key_size));
#else
	g_test_skip("BlueZ's headers (libbluetooth-dev) are not installed");
#endif
}

static void
test_l2cap_server(void)
{
	fake_t *f = fake_start(true, true, false);
	tsr_ble_link_t *link = NULL;
	tsr_ble_service_t svc = service(TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_STATE) |
	    TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_C2S) | TSR_BLE_CHAR_BIT(TSR_BLE_CHAR_S2C));
	const uint8_t piece[3] = { 0, 0, 0 };
	uint16_t psm = 0x5a5a;
	int want = l2cap_socket_outcome();

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_OK);
	g_assert_nonnull(link->ops->l2cap_listen);
	g_assert_cmpint(link->ops->l2cap_listen(link->state, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	/* No channel yet: nothing to send on. */
	g_assert_cmpint(link->ops->l2cap_send(link->state, piece, sizeof(piece), -1), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(link->ops->l2cap_listen(link->state, &psm), ==, want);
	if (want == TSR_OK) {
		/* An LE dynamic PSM (Core spec Vol 3 Part A §4.22). */
		g_assert_cmpuint(psm, >=, 0x80);
		g_assert_cmpuint(psm, <=, 0xff);
		/* One listener per link. */
		g_assert_cmpint(link->ops->l2cap_listen(link->state, &psm), ==,
		    TSR_ERR_INVALID_ARGUMENT);
	} else {
		g_assert_cmpuint(psm, ==, 0x5a5a);
	}
	g_assert_cmpint(link->ops->serve(link->state, &svc), ==, TSR_OK);
	pump_until(link, f, server_registered);
	/* A server neither connects nor listens once it serves. */
	g_assert_cmpint(link->ops->l2cap_connect(link->state, 0x80), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(link->ops->l2cap_listen(link->state, &psm), ==, TSR_ERR_INVALID_ARGUMENT);
	tsr_ble_link_free(link);
	fake_stop(f);
}

static void
test_l2cap_client(void)
{
	fake_t *f = fake_start(true, true, true);
	tsr_ble_link_t *link = NULL;
	tsr_ble_service_t svc = service(0);
	tsr_ble_event_t ev;
	const uint8_t piece[3] = { 0, 0, 0 };
	int want = l2cap_socket_outcome();

	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_OK);
	g_assert_cmpint(link->ops->connect(link->state, &svc, 517), ==, TSR_OK);
	/* Not connected yet. */
	g_assert_cmpint(link->ops->l2cap_connect(link->state, 0x80), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	ev = next(link);
	g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_CONNECTED);
	g_assert_cmpint(link->ops->l2cap_connect(link->state, 0), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(link->ops->l2cap_send(link->state, piece, sizeof(piece), -1), ==,
	    TSR_ERR_INVALID_ARGUMENT);
	/* The device's Address was taken from discovery: the socket is next.
	 * With Bluetooth sockets the connect's outcome would depend on the
	 * machine's radio; only the build host's answer is certain. */
	if (want != TSR_OK) {
		g_assert_cmpint(link->ops->l2cap_connect(link->state, 0x80), ==, want);
		/* GATT is untouched. */
		g_assert_cmpint(link->ops->read(link->state, TSR_BLE_CHAR_IDENT), ==, TSR_OK);
		ev = next(link);
		g_assert_cmpint(ev.kind, ==, TSR_BLE_EV_READ);
		g_assert_cmpint(ev.err, ==, TSR_OK);
	}
	tsr_ble_link_free(link);
	fake_stop(f);
}

/* The state machine over this back-end: where the kernel cannot listen,
 * the holder publishes no L2CAP characteristic and serves GATT only. */
static void
test_l2cap_fallback(void)
{
	fake_t *f = fake_start(true, true, false);
	tsr_ble_link_t *link = NULL;
	tsr_transport_t *t = NULL;
	tsr_ble_config_t cfg;
	bool registered = false;
	int i, want = l2cap_socket_outcome();

	tsr_ble_config_init(&cfg, TSR_BLE_ROLE_HOLDER, TSR_BLE_MODE_PERIPHERAL_SERVER, svc_uuid);
	cfg.l2cap = true;
	g_assert_cmpint(tsr_ble_link_bluez_new(NULL, &link), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_new(&cfg, link, &t), ==, TSR_OK);
	for (i = 0; i < 500 && !registered; i++) {
		g_assert_cmpint(tsr_transport_ble_connect(t, 10), ==, TSR_ERR_TRANSPORT_TIMEOUT);
		g_mutex_lock(&f->mu);
		registered = f->app_objects != NULL;
		g_mutex_unlock(&f->mu);
	}
	g_assert_true(registered);
	/* The service and State, Client2Server, Server2Client (and L2CAP
	 * where the kernel listens). */
	g_assert_cmpuint(g_variant_n_children(f->app_objects), ==, want == TSR_OK ? 5 : 4);
	if (want == TSR_OK)
		check_char(f->app_objects, TSR_BLE_CHAR_L2CAP, "read");
	tsr_transport_free(t);
	tsr_ble_link_free(link);
	fake_stop(f);
}

/* The bus ends with the test, however the test ends. */
static void
die_with_parent(gpointer user)
{
	(void)user;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void
start_bus(void)
{
	GError *err = NULL;
	char *conf, *conf_path, *argv[5];
	int out;
	char addr[512];
	ssize_t n;

	bus_dir = g_dir_make_tmp("tsr-bluez-XXXXXX", &err);
	g_assert_no_error(err);
	conf = g_strdup_printf("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
	    "Configuration 1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/"
	    "busconfig.dtd\"><busconfig><type>system</type>"
	    "<listen>unix:path=%s/bus</listen><auth>EXTERNAL</auth>"
	    "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
	    "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy>"
	    "</busconfig>", bus_dir);
	conf_path = g_build_filename(bus_dir, "bus.conf", NULL);
	g_assert_true(g_file_set_contents(conf_path, conf, -1, NULL));
	argv[0] = g_strdup("dbus-daemon");
	argv[1] = g_strdup_printf("--config-file=%s", conf_path);
	argv[2] = g_strdup("--print-address");
	argv[3] = g_strdup("--nofork");
	argv[4] = NULL;
	g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL,
	    G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
	    die_with_parent, NULL,
	    &bus_pid, NULL, &out, NULL, &err));
	g_assert_no_error(err);
	n = read(out, addr, sizeof(addr) - 1);
	g_assert_cmpint(n, >, 0);
	addr[n] = '\0';
	g_strchomp(addr);
	close(out);
	g_setenv("DBUS_SYSTEM_BUS_ADDRESS", addr, TRUE);
	g_free(argv[0]);
	g_free(argv[1]);
	g_free(argv[2]);
	g_free(argv[3]);
	g_free(conf);
	g_free(conf_path);
}

static void
stop_bus(void)
{
	char *p;

	kill(bus_pid, SIGTERM);
	waitpid(bus_pid, NULL, 0);
	g_spawn_close_pid(bus_pid);
	p = g_build_filename(bus_dir, "bus.conf", NULL);
	unlink(p);
	g_free(p);
	p = g_build_filename(bus_dir, "bus", NULL);
	unlink(p);
	g_free(p);
	rmdir(bus_dir);
	g_free(bus_dir);
}

/* ---- EATT: bluetoothd's configuration (eatt.c) ---- */

/* Writes text (NULL: nothing, the file is absent) to a file in a fresh
 * directory; returns the file's path. */
static char *
eatt_file(const char *dir, const char *name, const char *text, gssize len)
{
	char *path = g_build_filename(dir, name, NULL);

	if (text != NULL)
		g_assert_true(g_file_set_contents(path, text, len, NULL));
	return path;
}

static void
test_eatt_config(void)
{
	/* main.conf variants as bluetoothd 5.66 reads them (GKeyFile,
	 * g_key_file_get_integer, clamped to 1..5, default 3). */
	static const struct {
		const char *what, *text;
		unsigned channels;
		bool set, possible;
	} v[] = {
		{ "absent", NULL, 3, false, true },
		{ "empty", "", 3, false, true },
		/* Debian's file: every setting commented out. */
		{ "debian", "[General]\n#Name = BlueZ\n\n[GATT]\n# Possible values: 1-5 "
		  "(1 disables EATT)\n# Default to 3\n#Channels = 3\n\n[AVDTP]\n"
		  "#SessionMode = basic\n", 3, false, true },
		{ "one", "[GATT]\nChannels = 1\n", 1, true, false },
		{ "three", "[GATT]\nChannels = 3\n", 3, true, true },
		{ "no-spaces", "[GATT]\nChannels=2\n", 2, true, true },
		{ "among-others", "[General]\nName = x\n[GATT]\nCache = always\n"
		  "Channels = 1\nExchangeMTU = 517\n[Policy]\nAutoEnable=true\n", 1, true,
		  false },
		{ "zero-clamped", "[GATT]\nChannels = 0\n", 1, true, false },
		{ "negative-clamped", "[GATT]\nChannels = -4\n", 1, true, false },
		{ "large-clamped", "[GATT]\nChannels = 9\n", 5, true, true },
		/* GLib takes an integer followed by a space and anything. */
		{ "trailing-comment", "[GATT]\nChannels = 1 # one bearer\n", 1, true, false },
		/* Not integers: bluetoothd keeps its default. */
		{ "glued-comment", "[GATT]\nChannels = 1#one\n", 3, false, true },
		{ "word", "[GATT]\nChannels = one\n", 3, false, true },
		{ "hex", "[GATT]\nChannels = 0x1\n", 3, false, true },
		{ "empty-value", "[GATT]\nChannels =\n", 3, false, true },
		/* Elsewhere than [GATT], or another case: not the key. */
		{ "other-group", "[General]\nChannels = 1\n", 3, false, true },
		{ "lower-case", "[gatt]\nchannels = 1\n", 3, false, true },
		/* Not a key file (no group first): bluetoothd's defaults. */
		{ "no-group", "Channels = 1\n", 3, false, true },
		{ "binary", "[GATT]\nChannels = 1\n\x01\xff\xfe garbage\n", 3, false, true },
	};
	char *dir = g_dir_make_tmp("tsr-eatt-XXXXXX", NULL);
	char *big, *path;
	tsr_ble_eatt_t e;

	g_assert_nonnull(dir);
	for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
		path = eatt_file(dir, v[i].what, v[i].text, -1);
		memset(&e, 0x5a, sizeof(e));
		g_assert_cmpint(tsr_bluez_eatt_check_file(path, &e), ==, TSR_OK);
		g_test_message("%s: channels %u set %d possible %d", v[i].what, e.channels,
		    e.channels_set, e.possible);
		g_assert_cmpuint(e.channels, ==, v[i].channels);
		g_assert_true(e.channels_set == v[i].set);
		g_assert_true(e.possible == v[i].possible);
		unlink(path);
		g_free(path);
	}
	/* A duplicate key: GKeyFile (so bluetoothd) takes the last. */
	path = eatt_file(dir, "duplicate", "[GATT]\nChannels = 3\nChannels = 1\n", -1);
	g_assert_cmpint(tsr_bluez_eatt_check_file(path, &e), ==, TSR_OK);
	g_assert_cmpuint(e.channels, ==, 1);
	g_assert_false(e.possible);
	unlink(path);
	g_free(path);

	/* Bounded: a file just at the limit is read, one byte more is not. */
	big = g_malloc(TSR_BLUEZ_CONF_MAX + 1);
	memset(big, '#', TSR_BLUEZ_CONF_MAX + 1);
	memcpy(big, "[GATT]\nChannels = 1\n", 20);
	big[TSR_BLUEZ_CONF_MAX - 1] = '\n';
	path = eatt_file(dir, "at-limit", big, TSR_BLUEZ_CONF_MAX);
	g_assert_cmpint(tsr_bluez_eatt_check_file(path, &e), ==, TSR_OK);
	g_assert_cmpuint(e.channels, ==, 1);
	unlink(path);
	g_free(path);
	path = eatt_file(dir, "over-limit", big, TSR_BLUEZ_CONF_MAX + 1);
	memset(&e, 0x5a, sizeof(e));
	g_assert_cmpint(tsr_bluez_eatt_check_file(path, &e), ==, TSR_ERR_LIMIT);
	g_assert_cmpuint(e.channels, ==, 0x5a5a5a5a); /* untouched */
	unlink(path);
	g_free(path);
	g_free(big);
	/* A directory or a FIFO is no file (the FIFO, with no writer, is not
	 * waited on); nor are NULLs. */
	g_assert_cmpint(tsr_bluez_eatt_check_file(dir, &e), ==, TSR_ERR_TRANSPORT_IO);
	path = g_build_filename(dir, "fifo", NULL);
	g_assert_cmpint(mkfifo(path, 0600), ==, 0);
	g_assert_cmpint(tsr_bluez_eatt_check_file(path, &e), ==, TSR_ERR_TRANSPORT_IO);
	unlink(path);
	g_free(path);
	g_assert_cmpint(tsr_bluez_eatt_check_file(NULL, &e), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_bluez_eatt_check_file(dir, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	g_assert_cmpint(tsr_ble_bluez_eatt_check(dir, NULL), ==, TSR_ERR_INVALID_ARGUMENT);
	/* The public entry, with a file named. */
	path = eatt_file(dir, "public", "[GATT]\nChannels = 1\n", -1);
	g_assert_cmpint(tsr_ble_bluez_eatt_check(path, &e), ==, TSR_OK);
	g_assert_cmpuint(e.channels, ==, 1);
	g_assert_false(e.possible);
	unlink(path);
	g_free(path);

	g_assert_cmpint(rmdir(dir), ==, 0);
	g_free(dir);
}

static void
test_eatt_cmdline(void)
{
	/* /proc/PID/cmdline: arguments each ended by a NUL. */
#define CMD(s) s, sizeof(s)
	static const struct {
		const char *cmdline;
		size_t len;
		const char *conf;
	} v[] = {
		{ CMD("/usr/libexec/bluetooth/bluetoothd"), NULL },
		{ CMD("/usr/libexec/bluetooth/bluetoothd\0-n"), NULL },
		{ CMD("/usr/libexec/bluetooth/bluetoothd\0-n\0-f\0/run/t/main.conf\0-d"),
		  "/run/t/main.conf" },
		{ CMD("bluetoothd\0--configfile\0/etc/bt.conf"), "/etc/bt.conf" },
		{ CMD("bluetoothd\0--configfile=/etc/bt.conf"), "/etc/bt.conf" },
		/* GOption takes the last. */
		{ CMD("bluetoothd\0-f\0/a.conf\0--configfile=/b.conf"), "/b.conf" },
		{ CMD("bluetoothd\0-f\0rel.conf"), "rel.conf" },
		/* -f as the last argument, or empty: none. */
		{ CMD("bluetoothd\0-n\0-f"), NULL },
		{ CMD("bluetoothd\0--configfile="), NULL },
		/* After --, options are arguments. */
		{ CMD("bluetoothd\0--\0-f\0/x.conf"), NULL },
		/* Not bluetoothd (another PID namespace, a reused PID). */
		{ CMD("/usr/bin/bluetoothd-wrapper\0-f\0/x.conf"), NULL },
		{ CMD("/bin/sh\0-f\0/x.conf"), NULL },
		/* A cut read (no final NUL) and nothing at all. */
		{ "bluetoothd\0-f\0/x.conf", sizeof("bluetoothd\0-f\0/x.conf") - 1, NULL },
		{ "", 0, NULL },
	};
#undef CMD
	char *conf;

	for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
		conf = tsr_bluez_conf_from_cmdline(v[i].cmdline, v[i].len);
		g_assert_cmpstr(conf, ==, v[i].conf);
		g_free(conf);
	}
	g_assert_null(tsr_bluez_conf_from_cmdline(NULL, 5));
	/* This process is no bluetoothd; a PID that is nobody's. */
	g_assert_null(tsr_bluez_conf_of_pid((unsigned)getpid()));
	g_assert_null(tsr_bluez_conf_of_pid(0));
}

/* The link reports what its bluetoothd's file says: the fake's process is
 * this test, no bluetoothd, so the default file. */
static void
test_eatt_link(void)
{
	fake_t *f = fake_start(true, true, false);
	tsr_ble_link_t *link = NULL;
	tsr_ble_eatt_t from_link, from_file;
	int r;

	g_assert_cmpint(tsr_ble_link_bluez_new("hci0", &link), ==, TSR_OK);
	g_assert_cmpint(tsr_ble_link_eatt(link, &from_link), ==, TSR_OK);
	r = tsr_ble_bluez_eatt_check(NULL, &from_file);
	if (r != TSR_OK) {
		/* Unreadable: the link assumes the worst. */
		g_assert_true(from_link.possible);
	} else {
		g_assert_true(from_link.possible == from_file.possible);
		g_assert_cmpuint(from_link.channels, ==, from_file.channels);
		g_assert_true(from_link.channels_set == from_file.channels_set);
	}
	tsr_ble_link_free(link);
	fake_stop(f);
}

static void
log_to_test(const char *msg, void *user)
{
	(void)user;
	g_test_message("%s", msg);
}

int
main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	tsr_log_set_handler(log_to_test, NULL);
	g_test_add_func("/ble-bluez/eatt-config", test_eatt_config);
	g_test_add_func("/ble-bluez/eatt-cmdline", test_eatt_cmdline);
	if (!g_file_test("/usr/bin/dbus-daemon", G_FILE_TEST_IS_EXECUTABLE)) {
		g_test_skip("no dbus-daemon");
		return g_test_run();
	}
	start_bus();
	g_test_add_func("/ble-bluez/no-bluetoothd", test_no_bluez);
	g_test_add_func("/ble-bluez/no-adapter", test_no_adapter);
	g_test_add_func("/ble-bluez/powered-off", test_powered_off);
	g_test_add_func("/ble-bluez/access-denied", test_denied);
	g_test_add_func("/ble-bluez/server", test_server);
	g_test_add_func("/ble-bluez/client", test_client);
	g_test_add_func("/ble-bluez/spoofed-signals", test_spoofed_signals);
	g_test_add_func("/ble-bluez/spoofed-calls", test_spoofed_calls);
	g_test_add_func("/ble-bluez/address", test_address);
	g_test_add_func("/ble-bluez/errno", test_errno);
	g_test_add_func("/ble-bluez/l2cap-abi", test_l2cap_abi);
	g_test_add_func("/ble-bluez/l2cap-server", test_l2cap_server);
	g_test_add_func("/ble-bluez/l2cap-client", test_l2cap_client);
	g_test_add_func("/ble-bluez/l2cap-fallback", test_l2cap_fallback);
	g_test_add_func("/ble-bluez/eatt-link", test_eatt_link);
	r = g_test_run();
	stop_bus();
	return r;
}
