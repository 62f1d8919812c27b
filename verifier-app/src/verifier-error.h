/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The app's GError domain: libtessera's codes are mapped into it at the
 * boundary, each with a message a person at the counter can act on. */
#define VERIFIER_ERROR (verifier_error_quark ())

typedef enum {
	VERIFIER_ERROR_FAILED,
	VERIFIER_ERROR_NO_QR,               /* no QR code could be read */
	VERIFIER_ERROR_NOT_ENGAGEMENT,      /* a QR code, but not an mdoc: engagement */
	VERIFIER_ERROR_NO_TRUST,            /* no trusted issuer configured */
	VERIFIER_ERROR_TRANSPORT_UNAVAILABLE, /* e.g. the wallet offers no BLE */
	VERIFIER_ERROR_BLUETOOTH,           /* no usable Bluetooth on this computer */
	VERIFIER_ERROR_CONNECT,             /* the wallet could not be reached */
	VERIFIER_ERROR_TIMEOUT,             /* the wallet did not answer in time */
	VERIFIER_ERROR_HOLDER_GONE,         /* the wallet went away mid-session */
	VERIFIER_ERROR_DECLINED,            /* the holder ended the session without answering */
	VERIFIER_ERROR_SESSION_ENDED,       /* the holder ended the session before a further request */
	VERIFIER_ERROR_PROTOCOL,            /* the session broke (decryption, decoding) */
	VERIFIER_ERROR_READER_IDENTITY,     /* the reader certificate or key is unusable */
	VERIFIER_ERROR_REQUEST,             /* nothing to ask for, or the request failed */
	VERIFIER_ERROR_CERTIFICATE,         /* an imported file holds no usable certificate */
	VERIFIER_ERROR_STATUS_LIST,         /* an imported file is not a status list */
} VerifierError;

GQuark verifier_error_quark (void);

G_END_DECLS
