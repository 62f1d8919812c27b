/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>

#include <tessera/err.h>
#include <tessera/securearea.h>
#include <tessera/session.h>
#include <tessera/store.h>
#include <tessera/transport.h>

/* One row per code in err.h, in the same order. */
static const struct {
	int code;
	const char *name;
	const char *text;
} errors[] = {
	{ TSR_OK, "TSR_OK", "success" },
	{ TSR_ERR_INTERNAL, "TSR_ERR_INTERNAL", "a bug: an invariant did not hold" },
	{ TSR_ERR_INVALID_ARGUMENT, "TSR_ERR_INVALID_ARGUMENT", "NULL or out-of-range argument" },
	{ TSR_ERR_NO_MEMORY, "TSR_ERR_NO_MEMORY", "an allocation failed" },
	{ TSR_ERR_IO, "TSR_ERR_IO", "reading or writing a file failed" },
	{ TSR_ERR_LIMIT, "TSR_ERR_LIMIT", "input exceeds a configured limit" },
	{ TSR_ERR_UNSUPPORTED, "TSR_ERR_UNSUPPORTED", "valid but not supported by this build" },
	{ TSR_ERR_NOT_FOUND, "TSR_ERR_NOT_FOUND", "the requested item does not exist" },
	{ TSR_ERR_RANDOM, "TSR_ERR_RANDOM", "the random source failed" },
	{ TSR_ERR_BAD_TIME, "TSR_ERR_BAD_TIME", "a date or time string is malformed" },
	{ TSR_ERR_CBOR_TRUNCATED, "TSR_ERR_CBOR_TRUNCATED", "CBOR: input ends inside an item" },
	{ TSR_ERR_CBOR_TRAILING, "TSR_ERR_CBOR_TRAILING", "CBOR: bytes follow the top-level item" },
	{ TSR_ERR_CBOR_INDEFINITE, "TSR_ERR_CBOR_INDEFINITE", "CBOR: indefinite-length item" },
	{ TSR_ERR_CBOR_DUPLICATE_KEY, "TSR_ERR_CBOR_DUPLICATE_KEY", "CBOR: a map holds the same key twice" },
	{ TSR_ERR_CBOR_NOT_PREFERRED, "TSR_ERR_CBOR_NOT_PREFERRED", "CBOR: integer or length not in its shortest form" },
	{ TSR_ERR_CBOR_DEPTH, "TSR_ERR_CBOR_DEPTH", "CBOR: nesting deeper than the limit" },
	{ TSR_ERR_CBOR_MALFORMED, "TSR_ERR_CBOR_MALFORMED", "CBOR: reserved or invalid initial byte" },
	{ TSR_ERR_CBOR_TOO_LARGE, "TSR_ERR_CBOR_TOO_LARGE", "CBOR: item larger or longer than the limit" },
	{ TSR_ERR_CBOR_BAD_UTF8, "TSR_ERR_CBOR_BAD_UTF8", "CBOR: text string is not valid UTF-8" },
	{ TSR_ERR_CBOR_UNSUPPORTED_SIMPLE, "TSR_ERR_CBOR_UNSUPPORTED_SIMPLE", "CBOR: simple value other than false/true/null/undefined" },
	{ TSR_ERR_CBOR_TYPE, "TSR_ERR_CBOR_TYPE", "CBOR: an item has the wrong type for its place" },
	{ TSR_ERR_CBOR_MISSING_KEY, "TSR_ERR_CBOR_MISSING_KEY", "CBOR: a mandatory map key is absent" },
	{ TSR_ERR_CBOR_UNKNOWN_KEY, "TSR_ERR_CBOR_UNKNOWN_KEY", "CBOR: a map key the definition does not allow" },
	{ TSR_ERR_CBOR_VALUE, "TSR_ERR_CBOR_VALUE", "CBOR: a value is out of its allowed range" },
	{ TSR_ERR_CRYPTO, "TSR_ERR_CRYPTO", "the crypto library failed" },
	{ TSR_ERR_CRYPTO_BAD_KEY, "TSR_ERR_CRYPTO_BAD_KEY", "a key is malformed, off-curve or of the wrong kind" },
	{ TSR_ERR_CRYPTO_BAD_SIGNATURE, "TSR_ERR_CRYPTO_BAD_SIGNATURE", "a signature does not verify" },
	{ TSR_ERR_CRYPTO_DECRYPT, "TSR_ERR_CRYPTO_DECRYPT", "authenticated decryption failed" },
	{ TSR_ERR_CRYPTO_UNSUPPORTED_ALG, "TSR_ERR_CRYPTO_UNSUPPORTED_ALG", "algorithm or curve not supported" },
	{ TSR_ERR_CERT_PARSE, "TSR_ERR_CERT_PARSE", "a certificate could not be parsed" },
	{ TSR_ERR_CERT_UNTRUSTED, "TSR_ERR_CERT_UNTRUSTED", "a chain does not end at a trust anchor" },
	{ TSR_ERR_CERT_EXPIRED, "TSR_ERR_CERT_EXPIRED", "a certificate is past its notAfter" },
	{ TSR_ERR_CERT_NOT_YET_VALID, "TSR_ERR_CERT_NOT_YET_VALID", "a certificate is before its notBefore" },
	{ TSR_ERR_CERT_PROFILE, "TSR_ERR_CERT_PROFILE", "key usage, EKU or another profile rule is violated" },
	{ TSR_ERR_CRYPTO_BAD_MAC, "TSR_ERR_CRYPTO_BAD_MAC", "a MAC tag does not match" },
	{ TSR_ERR_COSE_MALFORMED, "TSR_ERR_COSE_MALFORMED", "COSE: a COSE structure is malformed" },
	{ TSR_ERR_COSE_ALG, "TSR_ERR_COSE_ALG", "COSE: missing, unknown or mismatched algorithm" },
	{ TSR_ERR_COSE_NO_X5CHAIN, "TSR_ERR_COSE_NO_X5CHAIN", "COSE: a certificate chain is required but absent" },
	{ TSR_ERR_COSE_KEY, "TSR_ERR_COSE_KEY", "COSE: a COSE_Key is malformed or unsupported" },
	{ TSR_ERR_MDOC_MALFORMED, "TSR_ERR_MDOC_MALFORMED", "mdoc: a structure does not follow its CDDL" },
	{ TSR_ERR_MDOC_VERSION, "TSR_ERR_MDOC_VERSION", "mdoc: unsupported structure version" },
	{ TSR_ERR_VERIFY, "TSR_ERR_VERIFY", "verification failed; see the reason flags" },
	{ TSR_ERR_SA_UNAVAILABLE, "TSR_ERR_SA_UNAVAILABLE", "secure area: the TPM, token or module cannot be reached" },
	{ TSR_ERR_SA_PIN_INCORRECT, "TSR_ERR_SA_PIN_INCORRECT", "secure area: wrong PIN or passphrase" },
	{ TSR_ERR_SA_PIN_LOCKED, "TSR_ERR_SA_PIN_LOCKED", "secure area: locked after too many wrong PINs" },
	{ TSR_ERR_SA_PIN_REQUIRED, "TSR_ERR_SA_PIN_REQUIRED", "secure area: a PIN is required" },
	{ TSR_ERR_SA_KEY_INVALID, "TSR_ERR_SA_KEY_INVALID", "secure area: key reference invalid, from another device, or deleted" },
	{ TSR_ERR_SA_TOKEN_NOT_FOUND, "TSR_ERR_SA_TOKEN_NOT_FOUND", "secure area: no token with that label" },
	{ TSR_ERR_SA_DEVICE, "TSR_ERR_SA_DEVICE", "secure area: the device reported an error" },
	{ TSR_ERR_SA_NOT_SUPPORTED, "TSR_ERR_SA_NOT_SUPPORTED", "secure area: not supported by this back-end" },
	{ TSR_ERR_STORE_DATABASE, "TSR_ERR_STORE_DATABASE", "store: the database cannot be read or written" },
	{ TSR_ERR_STORE_NEWER, "TSR_ERR_STORE_NEWER", "store: written by a newer version of Tessera" },
	{ TSR_ERR_STORE_CORRUPT, "TSR_ERR_STORE_CORRUPT", "store: not a Tessera wallet, or damaged" },
	{ TSR_ERR_STORE_BUSY, "TSR_ERR_STORE_BUSY", "store: in use by another process" },
	{ TSR_ERR_STORE_EXISTS, "TSR_ERR_STORE_EXISTS", "store: a wallet already exists there" },
	{ TSR_ERR_STORE_NO_WALLET, "TSR_ERR_STORE_NO_WALLET", "store: no wallet there" },
	{ TSR_ERR_STORE_LOCKED, "TSR_ERR_STORE_LOCKED", "store: the wallet is locked (PIN or passphrase needed)" },
	{ TSR_ERR_STORE_FOREIGN_KEY, "TSR_ERR_STORE_FOREIGN_KEY", "store: the credential's device key is not a key of this wallet" },
	{ TSR_ERR_STORE_DUPLICATE, "TSR_ERR_STORE_DUPLICATE", "store: the credential is already in the wallet" },
	{ TSR_ERR_STORE_USED_UP, "TSR_ERR_STORE_USED_UP", "store: a single-use credential has no uses left" },
	{ TSR_ERR_SESSION_STATE, "TSR_ERR_SESSION_STATE", "session: call out of the protocol's order, or session ended" },
	{ TSR_ERR_SESSION_PEER_ERROR, "TSR_ERR_SESSION_PEER_ERROR", "session: the peer ended the session with an error" },
	{ TSR_ERR_SESSION_TERMINATED, "TSR_ERR_SESSION_TERMINATED", "session: the peer ended the session" },
	{ TSR_ERR_TRANSPORT_TIMEOUT, "TSR_ERR_TRANSPORT_TIMEOUT", "transport: nothing happened within the timeout" },
	{ TSR_ERR_TRANSPORT_CLOSED, "TSR_ERR_TRANSPORT_CLOSED", "transport: the connection is closed or the peer went away" },
	{ TSR_ERR_TRANSPORT_CONNECT, "TSR_ERR_TRANSPORT_CONNECT", "transport: no peer listens at the address" },
	{ TSR_ERR_TRANSPORT_ADDRESS, "TSR_ERR_TRANSPORT_ADDRESS", "transport: the address cannot be used (too long or its directory is missing)" },
	{ TSR_ERR_TRANSPORT_IN_USE, "TSR_ERR_TRANSPORT_IN_USE", "transport: the address is already in use" },
	{ TSR_ERR_TRANSPORT_PERMISSION, "TSR_ERR_TRANSPORT_PERMISSION", "transport: permission denied" },
	{ TSR_ERR_TRANSPORT_PROTOCOL, "TSR_ERR_TRANSPORT_PROTOCOL", "transport: the peer broke the transport protocol" },
	{ TSR_ERR_TRANSPORT_IO, "TSR_ERR_TRANSPORT_IO", "transport: the operating system reported an I/O error" },
	{ TSR_ERR_TRANSPORT_BLE_IDENT, "TSR_ERR_TRANSPORT_BLE_IDENT", "transport: the BLE reader's Ident does not match the engagement (wrong reader)" },
	{ TSR_ERR_TRANSPORT_BLE_NO_ADAPTER, "TSR_ERR_TRANSPORT_BLE_NO_ADAPTER", "transport: no Bluetooth adapter" },
	{ TSR_ERR_TRANSPORT_BLE_POWERED_OFF, "TSR_ERR_TRANSPORT_BLE_POWERED_OFF", "transport: the Bluetooth adapter is powered off" },
	{ TSR_ERR_TRANSPORT_BLE_NO_BLUEZ, "TSR_ERR_TRANSPORT_BLE_NO_BLUEZ", "transport: bluetoothd is not running (no org.bluez on the system bus)" },
	{ TSR_ERR_TRANSPORT_BLE_PERMISSION, "TSR_ERR_TRANSPORT_BLE_PERMISSION", "transport: bluetoothd refused the request (permission denied)" },
};

const char *
tsr_strerror(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == err)
			return errors[i].text;
	return "unknown error";
}

const char *
tsr_strerror_name(int err)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		if (errors[i].code == err)
			return errors[i].name;
	return "TSR_ERR_UNKNOWN";
}
