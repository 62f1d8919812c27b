/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* --transport SPEC: which transport carries a session's messages. */

#include "cli.h"

#include <string.h>
#include <time.h>

#include <tessera/tessera.h>

static const char local_prefix[] = "local:";

int
cli_transport_open(const char *spec, bool listen, int timeout_ms, tsr_transport_t **ret)
{
	const char *path;
	int64_t deadline;
	int r;

	if (strncmp(spec, local_prefix, sizeof(local_prefix) - 1) != 0 ||
	    spec[sizeof(local_prefix) - 1] == '\0') {
		cli_error(spec, "unknown transport (expected local:PATH; BLE is not built yet)");
		return -1;
	}
	path = spec + sizeof(local_prefix) - 1;
	if (listen) {
		r = tsr_transport_local_listen(path, timeout_ms, ret);
	} else {
		/* The holder may not be listening yet: retry until the deadline. */
		deadline = (int64_t)time(NULL) + timeout_ms / 1000 + 1;
		do {
			r = tsr_transport_local_connect(path, 1000, ret);
			if (r == TSR_ERR_TRANSPORT_CONNECT) {
				struct timespec pause = { 0, 100 * 1000 * 1000 };
				nanosleep(&pause, NULL);
			}
		} while (r == TSR_ERR_TRANSPORT_CONNECT && (int64_t)time(NULL) < deadline);
	}
	if (r != TSR_OK) {
		cli_error(spec, "%s", tsr_strerror(r));
		return -1;
	}
	return 0;
}
