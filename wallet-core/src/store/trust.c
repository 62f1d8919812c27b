/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Trusted roots: reader roots (reader authentication) and IACAs (import). */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "crypto/crypto.h"
#include "store/store-private.h"

struct tsr_store_roots {
	tsr_store_root_t *items;
	size_t n;
};

static int
add_one(tsr_store_t *store, tsr_trust_purpose_t purpose, const tsr_x509_t *set, size_t idx,
    size_t *added)
{
	sqlite3_stmt *st = NULL;
	tsr_span_t der;
	char *subject = NULL;
	int64_t not_before = 0, not_after = 0;
	int rc, r = TSR_ERR_INTERNAL;

	if ((r = tsr_x509_der(set, idx, &der)) != TSR_OK ||
	    (r = tsr_x509_subject(set, idx, &subject)) != TSR_OK ||
	    (r = tsr_x509_validity(set, idx, &not_before, &not_after)) != TSR_OK)
		goto out;
	if ((r = tsr_store_prepare(store->db, "INSERT OR IGNORE INTO trusted_roots"
	    " (purpose, subject, not_after, der, added) VALUES (?, ?, ?, ?, ?)", &st)) != TSR_OK)
		goto out;
	sqlite3_bind_int(st, 1, (int)purpose);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, not_after);
	sqlite3_bind_blob(st, 4, der.ptr, (int)der.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, tsr_clock_now());
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "trust add");
		goto out;
	}
	*added += (size_t)sqlite3_changes(store->db);
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	free(subject);
	return r;
}

int
tsr_store_trust_add(tsr_store_t *store, tsr_trust_purpose_t purpose, const uint8_t *cert,
    size_t len, size_t *ret_count)
{
	tsr_x509_t *set = NULL;
	size_t added = 0;
	int r = TSR_ERR_INTERNAL;

	if (store == NULL || cert == NULL || len == 0 ||
	    (purpose != TSR_TRUST_READER_ROOT && purpose != TSR_TRUST_IACA))
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_x509_new(&set)) != TSR_OK)
		return r;
	if ((r = tsr_x509_add(set, cert, len)) != TSR_OK)
		goto out;
	if (tsr_x509_count(set) == 0) {
		r = TSR_ERR_CERT_PARSE;
		goto out;
	}
	if ((r = tsr_store_begin(store)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < tsr_x509_count(set); i++)
		if ((r = add_one(store, purpose, set, i, &added)) != TSR_OK)
			goto out;
	if ((r = tsr_store_commit(store)) != TSR_OK)
		goto out;
	if (ret_count != NULL)
		*ret_count = added;
	r = TSR_OK;
out:
	tsr_store_rollback(store);
	tsr_x509_free(set);
	return r;
}

int
tsr_store_trust_list(tsr_store_t *store, tsr_trust_purpose_t purpose,
    tsr_store_roots_t **ret_roots)
{
	tsr_store_roots_t *roots = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL || ret_roots == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((roots = calloc(1, sizeof(*roots))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_store_prepare(store->db, "SELECT id, purpose, subject, not_after, der"
	    " FROM trusted_roots WHERE ?1 = 0 OR purpose = ?1 ORDER BY id", &st)) != TSR_OK)
		goto fail;
	sqlite3_bind_int(st, 1, (int)purpose);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tsr_store_root_t *e;
		char *subject = NULL;
		uint8_t *der = NULL;
		size_t der_len = 0;

		if (roots->n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			tsr_store_root_t *p = realloc(roots->items, ncap * sizeof(*p));

			if (p == NULL) {
				r = TSR_ERR_NO_MEMORY;
				goto fail;
			}
			roots->items = p;
			cap = ncap;
		}
		if ((r = tsr_store_column_text(st, 2, &subject)) != TSR_OK ||
		    (r = tsr_store_column_blob(st, 4, &der, &der_len)) != TSR_OK ||
		    subject == NULL || der == NULL) {
			free(subject);
			free(der);
			r = r != TSR_OK ? r : TSR_ERR_STORE_CORRUPT;
			goto fail;
		}
		e = &roots->items[roots->n++];
		e->id = sqlite3_column_int64(st, 0);
		e->purpose = (tsr_trust_purpose_t)sqlite3_column_int(st, 1);
		e->subject = subject;
		e->not_after = sqlite3_column_int64(st, 3);
		e->der = der;
		e->der_len = der_len;
	}
	if (rc != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "trust list");
		goto fail;
	}
	sqlite3_finalize(st);
	*ret_roots = roots;
	return TSR_OK;
fail:
	sqlite3_finalize(st);
	tsr_store_roots_free(roots);
	return r;
}

size_t
tsr_store_roots_count(const tsr_store_roots_t *roots)
{
	return roots ? roots->n : 0;
}

const tsr_store_root_t *
tsr_store_roots_get(const tsr_store_roots_t *roots, size_t idx)
{
	return roots && idx < roots->n ? &roots->items[idx] : NULL;
}

void
tsr_store_roots_free(tsr_store_roots_t *roots)
{
	if (roots == NULL)
		return;
	for (size_t i = 0; i < roots->n; i++) {
		free((char *)(uintptr_t)roots->items[i].subject);
		free((uint8_t *)(uintptr_t)roots->items[i].der);
	}
	free(roots->items);
	free(roots);
}

int
tsr_store_trust_remove(tsr_store_t *store, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_begin(store)) != TSR_OK)
		return r;
	if ((r = tsr_store_prepare(store->db, "DELETE FROM trusted_roots WHERE id = ?", &st)) !=
	    TSR_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "trust remove");
		goto out;
	}
	if (sqlite3_changes(store->db) == 0) {
		r = TSR_ERR_NOT_FOUND;
		goto out;
	}
	r = tsr_store_commit(store);
out:
	sqlite3_finalize(st);
	tsr_store_rollback(store);
	return r;
}
