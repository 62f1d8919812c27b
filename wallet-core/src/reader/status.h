/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Token Status List (draft-ietf-oauth-status-list), CWT form, as the 18013-5
 * 2nd edition MSO `status.status_list {idx, uri}` references it: decoding a
 * Status List Token and looking up one entry. Signature and trust are
 * checked by the verifier (status.c) at verification time.
 */
#ifndef TSR_READER_STATUS_H
#define TSR_READER_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdoc/mdoc.h"

/* CWT claim keys (RFC 8392) and the status list claims. */
#define TSR_CWT_SUB 2
#define TSR_CWT_EXP 4
#define TSR_CWT_IAT 6
#define TSR_CWT_STATUS_LIST 65533
#define TSR_CWT_TTL 65534
/* COSE header "typ" (RFC 9596) */
#define TSR_COSE_HDR_TYP 16
#define TSR_STATUS_LIST_TYP "application/statuslist+cwt"

/* Same limit as <tessera/issuer.h>: entries in one list. */
#ifndef TSR_STATUS_LIST_MAX_ENTRIES
#define TSR_STATUS_LIST_MAX_ENTRIES ((size_t)16 * 1024 * 1024)
#endif

/* Status values (draft §7.1). */
#define TSR_STATUS_VALID 0x00
#define TSR_STATUS_INVALID 0x01
#define TSR_STATUS_SUSPENDED 0x02

typedef struct tsr_status_list {
	tsr_cbor_doc_t *doc;        /* the whole token */
	tsr_cose_msg_t msg;         /* its COSE_Sign1 (x5chain owned here) */
	tsr_cbor_doc_t *claims_doc; /* the decoded payload */
	char *uri;                  /* sub */
	int64_t iat;
	bool has_exp, has_ttl;
	int64_t exp, ttl;
	unsigned bits;              /* 1, 2, 4 or 8 */
	uint8_t *lst;               /* decompressed */
	size_t lst_len;
	size_t n_entries;           /* lst_len * 8 / bits */
} tsr_status_list_t;

/*
 * Decodes a Status List Token: COSE_Sign1 (untagged, tag 18, or inside
 * CWT tag 61), typ "application/statuslist+cwt" when present, claims with
 * sub, iat and status_list {bits, lst}; lst is inflated (zlib) with the
 * output bounded by TSR_STATUS_LIST_MAX_ENTRIES. Does not verify the
 * signature. TSR_ERR_MDOC_MALFORMED, a CBOR/COSE code, TSR_ERR_LIMIT or
 * TSR_ERR_NO_MEMORY; *ret untouched on failure.
 */
int tsr_status_list_decode(const uint8_t *ptr, size_t len, tsr_status_list_t *ret);
void tsr_status_list_clear(tsr_status_list_t *list);
/* The status of entry idx (TSR_ERR_NOT_FOUND beyond the list). */
int tsr_status_list_get(const tsr_status_list_t *list, uint64_t idx, unsigned *ret_status);

/* Reads MSO.status.status_list {idx, uri}: false when absent or malformed. */
bool tsr_mso_status_ref(const tsr_mso_t *mso, uint64_t *ret_idx, tsr_span_t *ret_uri);

#endif /* TSR_READER_STATUS_H */
