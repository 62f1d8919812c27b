/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stddef.h>

#include <tessera/reader.h>

/* Names are an interface (JSON, the verifier app): never rename one. */
static const struct {
	uint32_t flag;
	const char *name;
	const char *text;
} reasons[] = {
	{ TSR_REASON_MALFORMED, "malformed", "structure is malformed" },
	{ TSR_REASON_NO_X5CHAIN, "no_x5chain", "issuer certificate missing" },
	{ TSR_REASON_UNTRUSTED_ISSUER, "untrusted_issuer", "untrusted issuer" },
	{ TSR_REASON_DS_CERT_EXPIRED, "ds_cert_expired", "DS certificate expired" },
	{ TSR_REASON_DS_CERT_NOT_YET_VALID, "ds_cert_not_yet_valid",
	    "DS certificate not yet valid" },
	{ TSR_REASON_DS_CERT_PROFILE, "ds_cert_profile",
	    "DS certificate is not a document signer certificate" },
	{ TSR_REASON_ISSUER_SIGNATURE, "issuer_signature", "issuer signature invalid" },
	{ TSR_REASON_UNSUPPORTED_ALG, "unsupported_algorithm", "unsupported algorithm" },
	{ TSR_REASON_MSO_EXPIRED, "mso_expired", "MSO expired" },
	{ TSR_REASON_MSO_NOT_YET_VALID, "mso_not_yet_valid", "MSO not yet valid" },
	{ TSR_REASON_MSO_VALIDITY, "mso_validity", "MSO validity dates inconsistent" },
	{ TSR_REASON_DOCTYPE_MISMATCH, "doctype_mismatch",
	    "document type differs from the signed one" },
	{ TSR_REASON_DIGEST_MISMATCH, "digest_mismatch",
	    "a data element does not match its signed digest" },
	{ TSR_REASON_DIGEST_MISSING, "digest_missing",
	    "a data element has no signed digest" },
	{ TSR_REASON_COUNTRY_MISMATCH, "country_mismatch",
	    "issuing country differs from the issuer certificate" },
	{ TSR_REASON_DEVICE_AUTH, "device_auth", "device authentication failed" },
	{ TSR_REASON_DEVICE_AUTH_MISSING, "device_auth_missing",
	    "device authentication could not be checked" },
	{ TSR_REASON_KEY_AUTHORIZATION, "key_authorization",
	    "device-signed data element not authorised by the issuer" },
	{ TSR_REASON_RESPONSE_STATUS, "response_status", "response reports an error status" },
	{ TSR_REASON_NO_DOCUMENTS, "no_documents", "response contains no document" },
	{ TSR_REASON_REVOKED, "revoked", "revoked by its issuer" },
	{ TSR_REASON_TRANSCRIPT, "transcript", "session transcript missing, or the reader key is not its EReaderKey" },
};

const char *
tsr_reason_name(uint32_t flag)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].flag == flag)
			return reasons[i].name;
	return NULL;
}

const char *
tsr_reason_text(uint32_t flag)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].flag == flag)
			return reasons[i].text;
	return NULL;
}
