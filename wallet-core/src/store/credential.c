/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Credentials: import (checked, then one transaction), list, show, delete. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "base/log.h"
#include "crypto/crypto.h"
#include "mdoc/mdoc.h"
#include "reader/reader-private.h"
#include "securearea/securearea-private.h"
#include "store/store-private.h"

#define TABLE "credentials"

/* Reasons that do not apply to a credential at rest: device authentication
 * belongs to a presentation, and a credential that becomes valid later is
 * normal for a batch. */
#define IMPORT_IGNORED_REASONS                                                       \
	(TSR_REASON_DEVICE_AUTH | TSR_REASON_DEVICE_AUTH_MISSING |                       \
	    TSR_REASON_KEY_AUTHORIZATION | TSR_REASON_MSO_NOT_YET_VALID)

struct tsr_store_list {
	tsr_store_summary_t *items;
	size_t n;
};

typedef struct element_copy {
	char *name_space;
	char *identifier;
	const uint8_t *value;
	size_t value_len;
} element_copy_t;

struct tsr_store_credential {
	tsr_store_summary_t summary;
	char *doc_type;
	char *issuer_subject;
	uint8_t *bytes; /* the IssuerSigned, plaintext */
	size_t len;
	tsr_cbor_doc_t *doc;
	tsr_issuer_signed_t is;
	element_copy_t *elements;
	size_t n_elements;
};

/* The SELECT list that fills a summary (columns 0..11). */
#define SUMMARY_COLUMNS                                                                \
	"c.id, c.doc_type, c.issuer_subject, c.signed_at, c.valid_from, c.valid_until,"  \
	" c.expected_update, c.imported_at, c.key_id, k.sa_kind, c.uses_remaining,"      \
	" k.attestation_state"

static int
read_summary(sqlite3_stmt *st, tsr_store_summary_t *s, char **ret_doc_type,
    char **ret_issuer)
{
	char *doc_type = NULL, *issuer = NULL;
	int r;

	if ((r = tsr_store_column_text(st, 1, &doc_type)) != TSR_OK ||
	    (r = tsr_store_column_text(st, 2, &issuer)) != TSR_OK)
		goto fail;
	if (doc_type == NULL || issuer == NULL) {
		r = TSR_ERR_STORE_CORRUPT;
		goto fail;
	}
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->doc_type = doc_type;
	s->issuer_subject = issuer;
	s->signed_at = sqlite3_column_int64(st, 3);
	s->valid_from = sqlite3_column_int64(st, 4);
	s->valid_until = sqlite3_column_int64(st, 5);
	s->expected_update = sqlite3_column_int64(st, 6);
	s->imported_at = sqlite3_column_int64(st, 7);
	s->key_id = sqlite3_column_int64(st, 8);
	s->key_storage = (tsr_sa_kind_t)sqlite3_column_int(st, 9);
	s->uses_remaining = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 :
									   sqlite3_column_int64(st, 10);
	s->key_attested = sqlite3_column_int(st, 11) != 0;
	*ret_doc_type = doc_type;
	*ret_issuer = issuer;
	return TSR_OK;
fail:
	free(doc_type);
	free(issuer);
	return r;
}

/* Decodes an IssuerSigned or a Document into doc and points is_bytes at
 * the IssuerSigned's bytes. */
static int
decode_credential(const tsr_cbor_item_t *root, tsr_document_t *doc, tsr_span_t *is_bytes)
{
	const tsr_cbor_item_t *is_item;
	int r;

	memset(doc, 0, sizeof(*doc));
	if (!tsr_cbor_is(root, TSR_CBOR_MAP))
		return TSR_ERR_MDOC_MALFORMED;
	if (tsr_cbor_map_find_tstr(root, "issuerAuth") != NULL) {
		if ((r = tsr_issuer_signed_decode(root, &doc->issuer_signed)) != TSR_OK)
			return r;
		doc->doc_type = doc->issuer_signed.mso.doc_type;
		*is_bytes = root->raw;
		return TSR_OK;
	}
	if ((is_item = tsr_cbor_map_find_tstr(root, "issuerSigned")) == NULL)
		return TSR_ERR_MDOC_MALFORMED;
	if ((r = tsr_document_decode(root, false, doc)) != TSR_OK)
		return r;
	*is_bytes = is_item->raw;
	return TSR_OK;
}

/* The wallet's trusted IACAs as a verifier's anchors (none: no chain check). */
static int
load_iacas(tsr_store_t *store, tsr_verifier_t *verifier, size_t *ret_count)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	int rc, r = TSR_ERR_INTERNAL;

	if ((r = tsr_store_prepare(store->db, "SELECT der FROM trusted_roots WHERE purpose = ?"
	    " ORDER BY id", &st)) != TSR_OK)
		return r;
	sqlite3_bind_int(st, 1, TSR_TRUST_IACA);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *der = sqlite3_column_blob(st, 0);
		int len = sqlite3_column_bytes(st, 0);

		if (der == NULL || len <= 0 ||
		    tsr_verifier_add_trust_anchor(verifier, der, (size_t)len) != TSR_OK) {
			/* Checked when added: a bad one now means a damaged store. */
			r = TSR_ERR_STORE_CORRUPT;
			goto out;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "load IACAs");
		goto out;
	}
	*ret_count = n;
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	return r;
}

/* The id of the wallet key whose public key is pub. */
static int
find_key(tsr_store_t *store, const tsr_ec_pub_t *pub, int64_t *ret_key_id)
{
	sqlite3_stmt *st = NULL;
	uint8_t point[64];
	int rc, r = TSR_ERR_INTERNAL;

	if (pub->curve != TSR_CURVE_P256)
		return TSR_ERR_STORE_FOREIGN_KEY;
	memcpy(point, pub->x, 32);
	memcpy(point + 32, pub->y, 32);
	if ((r = tsr_store_prepare(store->db, "SELECT id FROM keys WHERE public_point = ?",
	    &st)) != TSR_OK)
		return r;
	sqlite3_bind_blob(st, 1, point, sizeof(point), SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_key_id = sqlite3_column_int64(st, 0);
		r = TSR_OK;
	} else {
		r = rc == SQLITE_DONE ? TSR_ERR_STORE_FOREIGN_KEY :
					tsr_store_db_error(store->db, rc, "find key");
	}
	sqlite3_finalize(st);
	return r;
}

static int
insert_credential(tsr_store_t *store, int64_t key_id, const tsr_mso_t *mso,
    const char *issuer_subject, const tsr_store_import_options_t *options,
    tsr_span_t is_bytes, int64_t *ret_id)
{
	uint8_t fingerprint[32], *sealed = NULL;
	size_t sealed_len = 0;
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc, r = TSR_ERR_INTERNAL;

	if ((r = tsr_store_fingerprint(store->data_key, is_bytes.ptr, is_bytes.len,
	    fingerprint)) != TSR_OK)
		return r;
	if ((r = tsr_store_prepare(store->db, "SELECT 1 FROM credentials WHERE fingerprint = ?",
	    &st)) != TSR_OK)
		return r;
	sqlite3_bind_blob(st, 1, fingerprint, sizeof(fingerprint), SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_ROW)
		return TSR_ERR_STORE_DUPLICATE;
	if (rc != SQLITE_DONE)
		return tsr_store_db_error(store->db, rc, "duplicate check");

	if ((r = tsr_store_next_id(store, TABLE, &id)) != TSR_OK ||
	    (r = tsr_store_seal(store->data_key, TABLE, id, is_bytes.ptr, is_bytes.len, &sealed,
	    &sealed_len)) != TSR_OK)
		goto out;
	if ((r = tsr_store_prepare(store->db,
	    "INSERT INTO credentials (id, key_id, doc_type, issuer_subject, signed_at, valid_from,"
	    " valid_until, expected_update, uses_remaining, imported_at, fingerprint, payload)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st)) != TSR_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, key_id);
	sqlite3_bind_text(st, 3, (const char *)mso->doc_type.ptr, (int)mso->doc_type.len,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 4, issuer_subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, mso->signed_at);
	sqlite3_bind_int64(st, 6, mso->valid_from);
	sqlite3_bind_int64(st, 7, mso->valid_until);
	if (mso->has_expected_update)
		sqlite3_bind_int64(st, 8, mso->expected_update);
	if (options != NULL && options->uses > 0 && options->uses != TSR_STORE_USES_UNLIMITED)
		sqlite3_bind_int64(st, 9, options->uses);
	sqlite3_bind_int64(st, 10, tsr_clock_now());
	sqlite3_bind_blob(st, 11, fingerprint, sizeof(fingerprint), SQLITE_STATIC);
	sqlite3_bind_blob(st, 12, sealed, (int)sealed_len, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "insert credential");
		goto out;
	}
	if (sqlite3_last_insert_rowid(store->db) != id) {
		r = TSR_ERR_INTERNAL;
		goto out;
	}
	*ret_id = id;
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	free(sealed);
	return r;
}

/* A credential decoded and verified for import. */
typedef struct checked_credential {
	tsr_document_t doc;
	tsr_verified_doc_t vdoc;
	tsr_span_t is_bytes; /* the IssuerSigned's bytes, inside the caller's CBOR */
} checked_credential_t;

static void
checked_credential_clear(checked_credential_t *c)
{
	tsr_verified_doc_clear(&c->vdoc);
	tsr_document_clear(&c->doc);
}

/* A verifier with the wallet's IACAs, and the reasons an import ignores. */
static int
import_verifier_new(tsr_store_t *store, tsr_verifier_t **ret_verifier, uint32_t *ret_ignored)
{
	tsr_verifier_t *verifier = NULL;
	size_t n_iacas = 0;
	int r;

	if ((r = tsr_verifier_new(&verifier)) != TSR_OK ||
	    (r = load_iacas(store, verifier, &n_iacas)) != TSR_OK) {
		tsr_verifier_free(verifier);
		return r;
	}
	*ret_ignored = IMPORT_IGNORED_REASONS;
	/* Without configured IACAs the wallet takes the issuer on trust (the
	 * signature must still verify under the DS certificate it carries). */
	if (n_iacas == 0)
		*ret_ignored |= TSR_REASON_UNTRUSTED_ISSUER;
	*ret_verifier = verifier;
	return TSR_OK;
}

/* Decodes and verifies one credential (an IssuerSigned or Document item). */
static int
check_credential(tsr_verifier_t *verifier, uint32_t ignored, const tsr_cbor_item_t *item,
    checked_credential_t *c, uint32_t *ret_reasons)
{
	tsr_verify_ctx_t ctx;
	int r;

	memset(c, 0, sizeof(*c));
	*ret_reasons = 0;
	if ((r = decode_credential(item, &c->doc, &c->is_bytes)) != TSR_OK)
		return r;
	memset(&ctx, 0, sizeof(ctx));
	ctx.verifier = verifier;
	ctx.now = tsr_clock_now();
	if ((r = tsr_verify_document(&ctx, &c->doc, &c->vdoc)) != TSR_OK)
		return r;
	if ((*ret_reasons = c->vdoc.reasons & ~ignored) != 0) {
		tsr_debug("store: import refused, reasons %#x", (unsigned)*ret_reasons);
		return TSR_ERR_VERIFY;
	}
	return c->vdoc.ds_subject != NULL ? TSR_OK : TSR_ERR_INTERNAL;
}

/*
 * Checks the n credentials in items and stores them in one transaction:
 * all or none. ids gets their ids; *ret_failed the index of the one that
 * failed (SIZE_MAX: none in particular).
 */
static int
import_items(tsr_store_t *store, const tsr_cbor_item_t *items, size_t n,
    const tsr_store_import_options_t *options, int64_t *ids, size_t *ret_failed,
    uint32_t *ret_reasons)
{
	tsr_verifier_t *verifier = NULL;
	checked_credential_t *checked;
	uint32_t ignored = 0;
	size_t i;
	int64_t key_id = 0;
	int r;

	*ret_failed = SIZE_MAX;
	*ret_reasons = 0;
	/* Zeroed: the ones never checked clear as empty. */
	if ((checked = calloc(n, sizeof(*checked))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = import_verifier_new(store, &verifier, &ignored)) != TSR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((r = check_credential(verifier, ignored, &items[i], &checked[i],
		    ret_reasons)) != TSR_OK) {
			*ret_failed = i;
			goto out;
		}
	}
	if ((r = tsr_store_begin(store)) != TSR_OK)
		goto out;
	for (i = 0; i < n; i++) {
		const tsr_mso_t *mso = &checked[i].doc.issuer_signed.mso;

		if ((r = find_key(store, &mso->device_key, &key_id)) != TSR_OK ||
		    (r = insert_credential(store, key_id, mso, checked[i].vdoc.ds_subject, options,
		    checked[i].is_bytes, &ids[i])) != TSR_OK) {
			/* A database failure is not the credential's. */
			if (r == TSR_ERR_STORE_FOREIGN_KEY || r == TSR_ERR_STORE_DUPLICATE)
				*ret_failed = i;
			goto out;
		}
	}
	r = tsr_store_commit(store);
out:
	tsr_store_rollback(store);
	for (i = 0; i < n; i++)
		checked_credential_clear(&checked[i]);
	free(checked);
	tsr_verifier_free(verifier);
	return r;
}

int
tsr_store_import(tsr_store_t *store, const uint8_t *cred, size_t len,
    const tsr_store_import_options_t *options, int64_t *ret_id, uint32_t *ret_reasons)
{
	tsr_cbor_doc_t *cbor = NULL;
	uint32_t reasons = 0;
	size_t failed;
	int64_t id = 0;
	int r;

	if (store == NULL || cred == NULL || len == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	if (len > TSR_BUF_MAX)
		return TSR_ERR_LIMIT;
	if ((r = tsr_store_unlock(store)) == TSR_OK &&
	    (r = tsr_cbor_decode(cred, len, NULL, &cbor)) == TSR_OK &&
	    (r = import_items(store, tsr_cbor_doc_root(cbor), 1, options, &id, &failed,
	    &reasons)) == TSR_OK && ret_id != NULL)
		*ret_id = id;
	if (ret_reasons != NULL)
		*ret_reasons = r == TSR_ERR_VERIFY ? reasons : 0;
	tsr_cbor_doc_free(cbor);
	return r;
}

bool
tsr_store_is_batch(const uint8_t *data, size_t len)
{
	return data != NULL && len > 0 && (data[0] & 0xe0) == 0x80; /* major type 4 */
}

int
tsr_store_import_batch(tsr_store_t *store, const uint8_t *batch, size_t len,
    const tsr_store_import_options_t *options, int64_t **ret_ids, size_t *ret_n,
    size_t *ret_failed, uint32_t *ret_reasons)
{
	tsr_store_import_options_t batch_options = { .uses = 1 }; /* single-use by default */
	tsr_cbor_doc_t *cbor = NULL;
	const tsr_cbor_item_t *root;
	int64_t *ids = NULL;
	uint32_t reasons = 0;
	size_t n = 0, failed = SIZE_MAX;
	int r;

	if (store == NULL || batch == NULL || len == 0)
		return TSR_ERR_INVALID_ARGUMENT;
	if (len > TSR_BUF_MAX)
		return TSR_ERR_LIMIT;
	if ((r = tsr_store_unlock(store)) != TSR_OK ||
	    (r = tsr_cbor_decode(batch, len, NULL, &cbor)) != TSR_OK)
		goto out;
	root = tsr_cbor_doc_root(cbor);
	if (!tsr_cbor_is(root, TSR_CBOR_ARRAY) || root->u.list.count == 0) {
		r = TSR_ERR_MDOC_MALFORMED;
		goto out;
	}
	if (root->u.list.count > TSR_STORE_BATCH_MAX) {
		r = TSR_ERR_LIMIT;
		goto out;
	}
	if ((ids = calloc(root->u.list.count, sizeof(*ids))) == NULL) {
		r = TSR_ERR_NO_MEMORY;
		goto out;
	}
	if (options != NULL && options->uses != 0)
		batch_options.uses = options->uses;
	if ((r = import_items(store, root->u.list.items, root->u.list.count, &batch_options, ids,
	    &failed, &reasons)) != TSR_OK)
		goto out;
	n = root->u.list.count;
	if (ret_ids != NULL) {
		*ret_ids = ids;
		ids = NULL;
	}
out:
	if (ret_n != NULL)
		*ret_n = n;
	if (ret_failed != NULL)
		*ret_failed = r == TSR_OK ? SIZE_MAX : failed;
	if (ret_reasons != NULL)
		*ret_reasons = r == TSR_ERR_VERIFY ? reasons : 0;
	free(ids);
	tsr_cbor_doc_free(cbor);
	return r;
}

int
tsr_store_list(tsr_store_t *store, tsr_store_list_t **ret_list)
{
	tsr_store_list_t *list = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	char *doc_type, *issuer;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL || ret_list == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((list = calloc(1, sizeof(*list))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_store_prepare(store->db, "SELECT " SUMMARY_COLUMNS
	    " FROM credentials c JOIN keys k ON k.id = c.key_id ORDER BY c.id", &st)) != TSR_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (list->n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			tsr_store_summary_t *p = realloc(list->items, ncap * sizeof(*p));

			if (p == NULL) {
				r = TSR_ERR_NO_MEMORY;
				goto fail;
			}
			list->items = p;
			cap = ncap;
		}
		if ((r = read_summary(st, &list->items[list->n], &doc_type, &issuer)) != TSR_OK)
			goto fail;
		list->n++;
	}
	if (rc != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "list");
		goto fail;
	}
	sqlite3_finalize(st);
	*ret_list = list;
	return TSR_OK;
fail:
	sqlite3_finalize(st);
	tsr_store_list_free(list);
	return r;
}

size_t
tsr_store_list_count(const tsr_store_list_t *list)
{
	return list ? list->n : 0;
}

const tsr_store_summary_t *
tsr_store_list_get(const tsr_store_list_t *list, size_t idx)
{
	return list && idx < list->n ? &list->items[idx] : NULL;
}

void
tsr_store_list_free(tsr_store_list_t *list)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->n; i++) {
		free((char *)(uintptr_t)list->items[i].doc_type);
		free((char *)(uintptr_t)list->items[i].issuer_subject);
	}
	free(list->items);
	free(list);
}

void
tsr_store_credential_free(tsr_store_credential_t *cred)
{
	if (cred == NULL)
		return;
	for (size_t i = 0; i < cred->n_elements; i++) {
		free(cred->elements[i].name_space);
		free(cred->elements[i].identifier);
	}
	free(cred->elements);
	tsr_issuer_signed_clear(&cred->is);
	tsr_cbor_doc_free(cred->doc);
	tsr_free_secret(cred->bytes, cred->len);
	free(cred->doc_type);
	free(cred->issuer_subject);
	free(cred);
}

static int
fill_elements(tsr_store_credential_t *cred)
{
	size_t n = 0;
	int r;

	for (size_t i = 0; i < cred->is.n_ns; i++)
		n += cred->is.ns[i].n_items;
	if (n == 0)
		return TSR_OK;
	if ((cred->elements = calloc(n, sizeof(*cred->elements))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (size_t i = 0; i < cred->is.n_ns; i++) {
		for (size_t j = 0; j < cred->is.ns[i].n_items; j++) {
			const tsr_issuer_item_t *item = &cred->is.ns[i].items[j];
			element_copy_t *e = &cred->elements[cred->n_elements++];

			if ((r = tsr_span_strdup(cred->is.ns[i].name, &e->name_space)) != TSR_OK ||
			    (r = tsr_span_strdup(item->element_id, &e->identifier)) != TSR_OK)
				return r;
			e->value = item->value->raw.ptr;
			e->value_len = item->value->raw.len;
		}
	}
	return TSR_OK;
}

int
tsr_store_show(tsr_store_t *store, int64_t id, tsr_store_credential_t **ret_cred)
{
	tsr_store_credential_t *cred = NULL;
	sqlite3_stmt *st = NULL;
	const void *sealed;
	int rc, n, r = TSR_ERR_INTERNAL;

	if (store == NULL || ret_cred == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_unlock(store)) != TSR_OK)
		return r;
	if ((cred = calloc(1, sizeof(*cred))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_store_prepare(store->db, "SELECT " SUMMARY_COLUMNS ", c.payload"
	    " FROM credentials c JOIN keys k ON k.id = c.key_id WHERE c.id = ?", &st)) != TSR_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? TSR_ERR_NOT_FOUND :
					tsr_store_db_error(store->db, rc, "show");
		goto fail;
	}
	if ((r = read_summary(st, &cred->summary, &cred->doc_type, &cred->issuer_subject)) !=
	    TSR_OK)
		goto fail;
	sealed = sqlite3_column_blob(st, 12);
	n = sqlite3_column_bytes(st, 12);
	if (sealed == NULL || n <= 0) {
		r = TSR_ERR_STORE_CORRUPT;
		goto fail;
	}
	if ((r = tsr_store_unseal(store->data_key, TABLE, id, sealed, (size_t)n, &cred->bytes,
	    &cred->len)) != TSR_OK)
		goto fail;
	/* It was checked at import: failing now means a damaged store. */
	if (tsr_cbor_decode(cred->bytes, cred->len, NULL, &cred->doc) != TSR_OK ||
	    tsr_issuer_signed_decode(tsr_cbor_doc_root(cred->doc), &cred->is) != TSR_OK) {
		r = TSR_ERR_STORE_CORRUPT;
		goto fail;
	}
	if ((r = fill_elements(cred)) != TSR_OK)
		goto fail;
	sqlite3_finalize(st);
	*ret_cred = cred;
	return TSR_OK;
fail:
	sqlite3_finalize(st);
	tsr_store_credential_free(cred);
	return r;
}

const tsr_store_summary_t *
tsr_store_credential_summary(const tsr_store_credential_t *cred)
{
	return cred ? &cred->summary : NULL;
}

const uint8_t *
tsr_store_credential_issuer_signed(const tsr_store_credential_t *cred, size_t *ret_len)
{
	if (cred == NULL)
		return NULL;
	if (ret_len != NULL)
		*ret_len = cred->len;
	return cred->bytes;
}

size_t
tsr_store_credential_element_count(const tsr_store_credential_t *cred)
{
	return cred ? cred->n_elements : 0;
}

int
tsr_store_credential_element(const tsr_store_credential_t *cred, size_t idx,
    tsr_store_element_t *ret_element)
{
	if (cred == NULL || ret_element == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if (idx >= cred->n_elements)
		return TSR_ERR_NOT_FOUND;
	ret_element->name_space = cred->elements[idx].name_space;
	ret_element->identifier = cred->elements[idx].identifier;
	ret_element->value = cred->elements[idx].value;
	ret_element->value_len = cred->elements[idx].value_len;
	return TSR_OK;
}

int
tsr_store_delete(tsr_store_t *store, int64_t id, bool *ret_key_deleted)
{
	uint8_t *ref = NULL;
	size_t ref_len = 0;
	sqlite3_stmt *st = NULL;
	int64_t key_id = 0;
	bool key_unused = false;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	/* Deleting a key needs the secure area. */
	if ((r = tsr_store_unlock(store)) != TSR_OK)
		return r;
	if ((r = tsr_store_begin(store)) != TSR_OK)
		return r;
	if ((r = tsr_store_prepare(store->db, "SELECT c.key_id, k.ref,"
	    " (SELECT count(*) FROM credentials o WHERE o.key_id = c.key_id AND o.id != c.id)"
	    " FROM credentials c JOIN keys k ON k.id = c.key_id WHERE c.id = ?", &st)) != TSR_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? TSR_ERR_NOT_FOUND :
					tsr_store_db_error(store->db, rc, "delete");
		goto out;
	}
	key_id = sqlite3_column_int64(st, 0);
	if ((r = tsr_store_column_blob(st, 1, &ref, &ref_len)) != TSR_OK)
		goto out;
	key_unused = sqlite3_column_int64(st, 2) == 0;
	sqlite3_finalize(st);
	st = NULL;

	if ((r = tsr_store_prepare(store->db, "DELETE FROM credentials WHERE id = ?", &st)) !=
	    TSR_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "delete");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (key_unused) {
		if ((r = tsr_store_prepare(store->db, "DELETE FROM keys WHERE id = ?", &st)) !=
		    TSR_OK)
			goto out;
		sqlite3_bind_int64(st, 1, key_id);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			r = tsr_store_db_error(store->db, rc, "delete key");
			goto out;
		}
		/* A token key is destroyed only once the rows are gone, so that a
		 * failed commit changes nothing; it is written down as pending in
		 * the same transaction, so that a crash between the commit and
		 * its destruction leaves a pending row, which the next unlock
		 * destroys (store.c), rather than a key nobody can name. */
		if (ref != NULL && tsr_secure_area_names_keys(store->sa) &&
		    (r = tsr_store_pending_key_insert(store, ref, ref_len)) != TSR_OK)
			goto out;
	}
	if ((r = tsr_store_commit(store)) != TSR_OK)
		goto out;
	if (key_unused && ref != NULL) {
		int dr = tsr_secure_area_delete_key(store->sa, ref, ref_len);

		/* KEY_INVALID: already gone. Otherwise the pending row stays and a
		 * later unlock tries again. */
		if (dr != TSR_OK && dr != TSR_ERR_SA_KEY_INVALID)
			tsr_debug("store: the deleted key stays pending: %s", tsr_strerror(dr));
		else if (tsr_secure_area_names_keys(store->sa) &&
		    (tsr_store_begin(store) != TSR_OK ||
		    tsr_store_pending_key_drop(store, ref, ref_len) != TSR_OK ||
		    tsr_store_commit(store) != TSR_OK))
			tsr_debug("store: the deleted key's pending row stays");
		tsr_store_rollback(store);
	}
	/* Old page images of the deleted row may still sit in the WAL: copy
	 * the WAL into the database (where secure_delete zeroed the row) and
	 * truncate it. Best effort: a reader may keep it busy. */
	if (sqlite3_wal_checkpoint_v2(store->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) !=
	    SQLITE_OK)
		tsr_debug("store: WAL checkpoint after delete: %s", sqlite3_errmsg(store->db));
	if (ret_key_deleted != NULL)
		*ret_key_deleted = key_unused;
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	tsr_store_rollback(store);
	free(ref);
	return r;
}

int
tsr_store_credential_use(tsr_store_t *store, int64_t id, int64_t *ret_remaining)
{
	sqlite3_stmt *st = NULL;
	int64_t remaining = -1;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_begin(store)) != TSR_OK)
		return r;
	if ((r = tsr_store_prepare(store->db, "SELECT uses_remaining FROM credentials WHERE id = ?",
	    &st)) != TSR_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		r = rc == SQLITE_DONE ? TSR_ERR_NOT_FOUND :
					tsr_store_db_error(store->db, rc, "use");
		goto out;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		remaining = sqlite3_column_int64(st, 0);
		if (remaining <= 0) {
			r = TSR_ERR_STORE_USED_UP;
			goto out;
		}
		sqlite3_finalize(st);
		st = NULL;
		if ((r = tsr_store_prepare(store->db, "UPDATE credentials SET uses_remaining ="
		    " uses_remaining - 1 WHERE id = ?", &st)) != TSR_OK)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
			r = tsr_store_db_error(store->db, rc, "use");
			goto out;
		}
		remaining--;
	}
	if ((r = tsr_store_commit(store)) != TSR_OK)
		goto out;
	if (ret_remaining != NULL)
		*ret_remaining = remaining;
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	tsr_store_rollback(store);
	return r;
}

void
tsr_cert_summary_init(tsr_cert_summary_t *summary)
{
	if (summary != NULL)
		memset(summary, 0, sizeof(*summary));
}

void
tsr_cert_summary_free(tsr_cert_summary_t *summary)
{
	if (summary == NULL)
		return;
	free(summary->subject);
	free(summary->issuer);
	free(summary->serial);
	memset(summary, 0, sizeof(*summary));
}

static int
serial_hex(const tsr_x509_info_t *info, char **ret)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = info->serial_len, o = 0;
	char *s;

	if ((s = malloc(1 + (n > 0 ? 3 * n : 2))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (info->serial_negative)
		s[o++] = '-';
	if (n == 0) {
		s[o++] = '0';
		s[o++] = '0';
	}
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			s[o++] = ':';
		s[o++] = hex[info->serial[i] >> 4];
		s[o++] = hex[info->serial[i] & 0x0f];
	}
	s[o] = '\0';
	*ret = s;
	return TSR_OK;
}

int
tsr_store_credential_ds_cert(const tsr_store_credential_t *cred, tsr_cert_summary_t *ret_summary)
{
	const tsr_x509_t *chain;
	tsr_cert_summary_t s;
	tsr_x509_info_t info;
	tsr_ec_pub_t pub;
	tsr_span_t der;
	int r = TSR_ERR_INTERNAL;

	memset(&s, 0, sizeof(s));
	if (cred == NULL || ret_summary == NULL) {
		r = TSR_ERR_INVALID_ARGUMENT;
		goto fail;
	}
	chain = cred->is.issuer_auth.x5chain;
	if (chain == NULL || tsr_x509_count(chain) == 0) {
		r = TSR_ERR_NOT_FOUND;
		goto fail;
	}
	if ((r = tsr_x509_der(chain, 0, &der)) != TSR_OK ||
	    (r = tsr_x509_cert_info(der.ptr, der.len, &info)) != TSR_OK ||
	    (r = tsr_x509_subject(chain, 0, &s.subject)) != TSR_OK ||
	    (r = tsr_x509_issuer(chain, 0, &s.issuer)) != TSR_OK ||
	    (r = tsr_x509_validity(chain, 0, &s.not_before, &s.not_after)) != TSR_OK ||
	    (r = serial_hex(&info, &s.serial)) != TSR_OK)
		goto fail;
	/* A malformed country is a profile matter for the verifier, not ours. */
	if (tsr_x509_subject_country(chain, 0, s.country) != TSR_OK)
		s.country[0] = '\0';
	if (tsr_x509_public_key(chain, 0, &pub) == TSR_OK && tsr_curve_name(pub.curve) != NULL)
		snprintf(s.key_algorithm, sizeof(s.key_algorithm), "EC %s",
		    tsr_curve_name(pub.curve));
	else
		snprintf(s.key_algorithm, sizeof(s.key_algorithm), "unknown");
	if (info.sig_ecdsa)
		snprintf(s.signature_algorithm, sizeof(s.signature_algorithm), "ECDSA with %s",
		    info.sig_hash == TSR_HASH_SHA384 ? "SHA-384" :
		    info.sig_hash == TSR_HASH_SHA512 ? "SHA-512" : "SHA-256");
	else
		snprintf(s.signature_algorithm, sizeof(s.signature_algorithm), "unknown");
	s.chain_length = tsr_x509_count(chain);
	*ret_summary = s;
	return TSR_OK;
fail:
	tsr_cert_summary_free(&s);
	return r;
}
