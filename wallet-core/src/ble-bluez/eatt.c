/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Whether bluetoothd may open Enhanced ATT bearers (docs/ble.md, "EATT").
 *
 * Nothing at run time says whether a connection has EATT bearers: BlueZ
 * shows none on D-Bus, the kernel lists L2CAP sockets in
 * /proc/net/bluetooth/l2cap without their PSM (only debugfs, root's, has
 * it), and a process cannot look at another one's sockets. What decides
 * it is known, though: bluetoothd opens and accepts EATT bearers when its
 * [GATT] Channels is above 1 (BlueZ 5.56 on, default 3). The kernel's
 * enable_ecred says nothing: the VM's kernel has it N and bluetoothd 5.66
 * opens EATT bearers all the same (docs/ble.md, "EATT"). The file is read
 * as bluetoothd reads it: GKeyFile, the integer clamped to 1..5, and a
 * missing, unreadable-as-key-file or keyless file leaving the default.
 */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "ble-bluez/bluez-private.h"

/* [GATT] Channels bounds, as bluetoothd clamps them (src/main.c). */
#define CHANNELS_MIN 1
#define CHANNELS_MAX 5

/*
 * Reads at most max bytes of the regular file path into a NUL-terminated
 * buffer (g_free()). TSR_OK, TSR_ERR_NOT_FOUND (no such file),
 * TSR_ERR_LIMIT (longer than max), TSR_ERR_TRANSPORT_IO (not a regular
 * file, or any other failure). ret untouched on failure.
 */
static int
read_bounded(const char *path, size_t max, char **ret, size_t *ret_len)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd, e;

	/* Non-blocking: a FIFO put there must not hold the caller. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		e = errno;
		tsr_debug("bluez: %s: %s", path, g_strerror(e));
		return e == ENOENT || e == ENOTDIR ? TSR_ERR_NOT_FOUND : TSR_ERR_TRANSPORT_IO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		tsr_debug("bluez: %s is no regular file", path);
		close(fd);
		return TSR_ERR_TRANSPORT_IO;
	}
	/* One byte more than allowed tells a file that is too long. */
	buf = g_malloc(max + 2);
	while (len <= max) {
		n = read(fd, buf + len, max + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tsr_debug("bluez: %s: %s", path, g_strerror(errno));
			close(fd);
			g_free(buf);
			return TSR_ERR_TRANSPORT_IO;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > max) {
		tsr_debug("bluez: %s is longer than %zu bytes", path, max);
		g_free(buf);
		return TSR_ERR_LIMIT;
	}
	buf[len] = '\0';
	*ret = buf;
	*ret_len = len;
	return TSR_OK;
}

/* [GATT] Channels of a main.conf's text; false when bluetoothd would keep
 * its default (no such key, not an integer, or not a key file). */
static bool
channels_of_text(const char *text, size_t len, unsigned *ret)
{
	GKeyFile *kf = g_key_file_new();
	GError *err = NULL;
	gint val;
	bool found = false;

	/* As bluetoothd's load_config(). */
	g_key_file_set_list_separator(kf, ',');
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &err)) {
		tsr_debug("bluez: main.conf is no key file (%s): bluetoothd's defaults", err->message);
		g_error_free(err);
		goto out;
	}
	val = g_key_file_get_integer(kf, "GATT", "Channels", &err);
	if (err != NULL) {
		tsr_debug("bluez: [GATT] Channels: %s", err->message);
		g_error_free(err);
		goto out;
	}
	*ret = (unsigned)CLAMP(val, CHANNELS_MIN, CHANNELS_MAX);
	found = true;
out:
	g_key_file_free(kf);
	return found;
}

int
tsr_bluez_eatt_check_file(const char *main_conf, tsr_ble_eatt_t *ret)
{
	tsr_ble_eatt_t e;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (main_conf == NULL || ret == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	memset(&e, 0, sizeof(e));
	e.channels = TSR_BLUEZ_DEFAULT_CHANNELS;
	r = read_bounded(main_conf, TSR_BLUEZ_CONF_MAX, &text, &len);
	if (r != TSR_OK && r != TSR_ERR_NOT_FOUND)
		return r;
	/* A missing file is what bluetoothd runs without: its defaults. */
	if (r == TSR_OK)
		e.channels_set = channels_of_text(text, len, &e.channels);
	g_free(text);
	e.possible = e.channels > 1;
	*ret = e;
	return TSR_OK;
}

TSR_EXPORT int
tsr_ble_bluez_eatt_check(const char *main_conf, tsr_ble_eatt_t *ret)
{
	return tsr_bluez_eatt_check_file(main_conf != NULL ? main_conf : TSR_BLUEZ_MAIN_CONF, ret);
}

char *
tsr_bluez_conf_from_cmdline(const char *cmdline, size_t len)
{
	static const char long_opt[] = "--configfile";
	const char *end = cmdline + len, *arg, *next, *base;
	char *found = NULL;
	size_t n;

	/* The kernel ends every argument with a NUL; a last one without it
	 * (a cut read) is not taken. */
	if (cmdline == NULL || len == 0 || cmdline[len - 1] != '\0')
		return NULL;
	base = strrchr(cmdline, '/');
	if (strcmp(base != NULL ? base + 1 : cmdline, "bluetoothd") != 0)
		return NULL;
	for (arg = cmdline + strlen(cmdline) + 1; arg < end; arg = next) {
		next = arg + strlen(arg) + 1;
		n = sizeof(long_opt) - 1;
		if (strcmp(arg, "--") == 0)
			break;
		if (strncmp(arg, long_opt, n) == 0 && arg[n] == '=') {
			g_free(found);
			found = g_strdup(arg + n + 1);
		} else if ((strcmp(arg, "-f") == 0 || strcmp(arg, long_opt) == 0) && next < end) {
			g_free(found);
			found = g_strdup(next);
			next += strlen(next) + 1;
		}
	}
	/* GOption takes the last one; an empty one opens nothing. */
	if (found != NULL && found[0] == '\0') {
		g_free(found);
		found = NULL;
	}
	return found;
}

char *
tsr_bluez_conf_of_pid(unsigned pid)
{
	char proc[64], *cmdline = NULL, *conf;
	size_t len = 0;

	snprintf(proc, sizeof(proc), "/proc/%u/cmdline", pid);
	if (read_bounded(proc, TSR_BLUEZ_CMDLINE_MAX, &cmdline, &len) != TSR_OK)
		return NULL;
	conf = tsr_bluez_conf_from_cmdline(cmdline, len);
	g_free(cmdline);
	/* A relative path is bluetoothd's, from its working directory. */
	if (conf != NULL && conf[0] != '/') {
		char *abs = g_strdup_printf("/proc/%u/cwd/%s", pid, conf);

		g_free(conf);
		conf = abs;
	}
	return conf;
}
