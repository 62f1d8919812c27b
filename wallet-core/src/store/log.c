/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * The presentation log. Each entry is one sealed CBOR array:
 *
 *   [time, reader / null, reader_trust, docType / null, credential_id,
 *    requested: [* [namespace, identifier]], shared: [* [namespace, identifier]],
 *    outcome]
 *
 * Nothing of an entry but its id is in the clear.
 */

#include <stdlib.h>
#include <string.h>

#include <tessera/tessera.h>

#include "cbor/codec.h"
#include "store/store-private.h"

#define TABLE "presentation_log"
#define MAX_LOG_STRING 4096
#define MAX_LOG_ITEMS 1024

struct tsr_store_log {
	tsr_store_log_entry_t *entries;
	size_t n;
};

static bool
valid_string(const char *s)
{
	return s == NULL || strlen(s) <= MAX_LOG_STRING;
}

static void
put_opt_tstr(tsr_cbor_enc_t *enc, const char *s)
{
	if (s == NULL || s[0] == '\0')
		tsr_cbor_put_null(enc);
	else
		tsr_cbor_put_tstr(enc, s);
}

static int
put_items(tsr_cbor_enc_t *enc, const tsr_store_item_t *items, size_t n)
{
	if (n > MAX_LOG_ITEMS)
		return TSR_ERR_LIMIT;
	if (n > 0 && items == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_put_array(enc, n);
	for (size_t i = 0; i < n; i++) {
		if (items[i].name_space == NULL || items[i].identifier == NULL ||
		    !valid_string(items[i].name_space) || !valid_string(items[i].identifier))
			return TSR_ERR_INVALID_ARGUMENT;
		tsr_cbor_put_array(enc, 2);
		tsr_cbor_put_tstr(enc, items[i].name_space);
		tsr_cbor_put_tstr(enc, items[i].identifier);
	}
	return TSR_OK;
}

static int
encode_entry(const tsr_store_log_entry_t *e, uint8_t **ret_ptr, size_t *ret_len)
{
	tsr_cbor_enc_t enc;
	int r = TSR_ERR_INTERNAL;

	if (!valid_string(e->reader) || !valid_string(e->doc_type))
		return TSR_ERR_LIMIT;
	if (e->reader_trust < TSR_READER_ANONYMOUS || e->reader_trust > TSR_READER_INVALID ||
	    e->outcome < TSR_PRESENTATION_SHARED || e->outcome > TSR_PRESENTATION_FAILED ||
	    e->credential_id < 0)
		return TSR_ERR_INVALID_ARGUMENT;
	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 8);
	tsr_cbor_put_int(&enc, e->time != 0 ? e->time : tsr_clock_now());
	put_opt_tstr(&enc, e->reader);
	tsr_cbor_put_uint(&enc, (uint64_t)e->reader_trust);
	put_opt_tstr(&enc, e->doc_type);
	tsr_cbor_put_uint(&enc, (uint64_t)e->credential_id);
	if ((r = put_items(&enc, e->requested, e->n_requested)) != TSR_OK ||
	    (r = put_items(&enc, e->shared, e->n_shared)) != TSR_OK)
		goto out;
	tsr_cbor_put_uint(&enc, (uint64_t)e->outcome);
	r = tsr_cbor_enc_finish(&enc, ret_ptr, ret_len);
out:
	tsr_cbor_enc_free(&enc);
	return r;
}

int
tsr_store_log_append(tsr_store_t *store, const tsr_store_log_entry_t *entry, int64_t *ret_id)
{
	uint8_t *pt = NULL, *sealed = NULL;
	size_t pt_len = 0, sealed_len = 0;
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL || entry == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = encode_entry(entry, &pt, &pt_len)) != TSR_OK)
		return r;
	if ((r = tsr_store_unlock(store)) != TSR_OK)
		goto out;
	if ((r = tsr_store_begin(store)) != TSR_OK ||
	    (r = tsr_store_next_id(store, TABLE, &id)) != TSR_OK ||
	    (r = tsr_store_seal(store->data_key, TABLE, id, pt, pt_len, &sealed, &sealed_len)) !=
	    TSR_OK ||
	    (r = tsr_store_prepare(store->db, "INSERT INTO presentation_log (id, entry)"
	    " VALUES (?, ?)", &st)) != TSR_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_blob(st, 2, sealed, (int)sealed_len, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "log append");
		goto out;
	}
	if ((r = tsr_store_commit(store)) != TSR_OK)
		goto out;
	if (ret_id != NULL)
		*ret_id = id;
	r = TSR_OK;
out:
	sqlite3_finalize(st);
	tsr_store_rollback(store);
	tsr_free_secret(pt, pt_len);
	free(sealed);
	return r;
}

static void
free_string(const char *s)
{
	if (s != NULL)
		tsr_free_secret((char *)(uintptr_t)s, strlen(s));
}

static void
free_items(const tsr_store_item_t *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free_string(items[i].name_space);
		free_string(items[i].identifier);
	}
	free((tsr_store_item_t *)(uintptr_t)items);
}

static void
entry_clear(tsr_store_log_entry_t *e)
{
	free_string(e->reader);
	free_string(e->doc_type);
	free_items(e->requested, e->n_requested);
	free_items(e->shared, e->n_shared);
	memset(e, 0, sizeof(*e));
}

void
tsr_store_log_free(tsr_store_log_t *log)
{
	if (log == NULL)
		return;
	for (size_t i = 0; i < log->n; i++)
		entry_clear(&log->entries[i]);
	free(log->entries);
	free(log);
}

static int
opt_tstr_dup(const tsr_cbor_item_t *item, const char **ret)
{
	char *s = NULL;
	int r;

	if (tsr_cbor_is(item, TSR_CBOR_NULL)) {
		s = strdup("");
		r = s ? TSR_OK : TSR_ERR_NO_MEMORY;
	} else {
		r = tsr_cbor_tstr_dup(item, &s);
	}
	if (r == TSR_OK)
		*ret = s;
	return r;
}

static int
decode_items(const tsr_cbor_item_t *list, const tsr_store_item_t **ret_items, size_t *ret_n)
{
	tsr_store_item_t *items;
	size_t n = 0;
	int r = TSR_OK;

	if (!tsr_cbor_is(list, TSR_CBOR_ARRAY) || list->u.list.count > MAX_LOG_ITEMS)
		return TSR_ERR_STORE_CORRUPT;
	if ((items = calloc(list->u.list.count + 1, sizeof(*items))) == NULL)
		return TSR_ERR_NO_MEMORY;
	for (; n < list->u.list.count; n++) {
		const tsr_cbor_item_t *pair = &list->u.list.items[n];
		char *ns = NULL, *id = NULL;

		if (!tsr_cbor_is(pair, TSR_CBOR_ARRAY) || pair->u.list.count != 2) {
			r = TSR_ERR_STORE_CORRUPT;
			break;
		}
		if ((r = tsr_cbor_tstr_dup(&pair->u.list.items[0], &ns)) != TSR_OK ||
		    (r = tsr_cbor_tstr_dup(&pair->u.list.items[1], &id)) != TSR_OK) {
			free(ns);
			break;
		}
		items[n].name_space = ns;
		items[n].identifier = id;
	}
	if (r != TSR_OK) {
		free_items(items, n);
		return r == TSR_ERR_NO_MEMORY ? r : TSR_ERR_STORE_CORRUPT;
	}
	*ret_items = items;
	*ret_n = n;
	return TSR_OK;
}

static int
decode_entry(int64_t id, const uint8_t *pt, size_t len, tsr_store_log_entry_t *e)
{
	tsr_cbor_doc_t *doc = NULL;
	const tsr_cbor_item_t *a;
	int64_t v;
	int r = TSR_ERR_STORE_CORRUPT;

	memset(e, 0, sizeof(*e));
	if (tsr_cbor_decode(pt, len, NULL, &doc) != TSR_OK)
		return TSR_ERR_STORE_CORRUPT;
	a = tsr_cbor_doc_root(doc);
	if (!tsr_cbor_is(a, TSR_CBOR_ARRAY) || a->u.list.count != 8)
		goto fail;
	e->id = id;
	if (!tsr_cbor_get_int(&a->u.list.items[0], &e->time))
		goto fail;
	if ((r = opt_tstr_dup(&a->u.list.items[1], &e->reader)) != TSR_OK)
		goto fail;
	if (!tsr_cbor_get_int(&a->u.list.items[2], &v) || v < 0 || v > TSR_READER_INVALID) {
		r = TSR_ERR_STORE_CORRUPT;
		goto fail;
	}
	e->reader_trust = (tsr_reader_trust_t)v;
	if ((r = opt_tstr_dup(&a->u.list.items[3], &e->doc_type)) != TSR_OK)
		goto fail;
	if (!tsr_cbor_get_int(&a->u.list.items[4], &e->credential_id)) {
		r = TSR_ERR_STORE_CORRUPT;
		goto fail;
	}
	if ((r = decode_items(&a->u.list.items[5], &e->requested, &e->n_requested)) != TSR_OK ||
	    (r = decode_items(&a->u.list.items[6], &e->shared, &e->n_shared)) != TSR_OK)
		goto fail;
	if (!tsr_cbor_get_int(&a->u.list.items[7], &v) || v < TSR_PRESENTATION_SHARED ||
	    v > TSR_PRESENTATION_FAILED) {
		r = TSR_ERR_STORE_CORRUPT;
		goto fail;
	}
	e->outcome = (tsr_presentation_outcome_t)v;
	tsr_cbor_doc_free(doc);
	return TSR_OK;
fail:
	if (r != TSR_ERR_NO_MEMORY)
		r = TSR_ERR_STORE_CORRUPT;
	entry_clear(e);
	tsr_cbor_doc_free(doc);
	return r;
}

int
tsr_store_log_list(tsr_store_t *store, tsr_store_log_t **ret_log)
{
	tsr_store_log_t *log = NULL;
	sqlite3_stmt *st = NULL;
	uint8_t *pt = NULL;
	size_t cap = 0, pt_len = 0;
	int rc, r = TSR_ERR_INTERNAL;

	if (store == NULL || ret_log == NULL)
		return TSR_ERR_INVALID_ARGUMENT;
	if ((r = tsr_store_unlock(store)) != TSR_OK)
		return r;
	if ((log = calloc(1, sizeof(*log))) == NULL)
		return TSR_ERR_NO_MEMORY;
	if ((r = tsr_store_prepare(store->db, "SELECT id, entry FROM presentation_log ORDER BY id",
	    &st)) != TSR_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const void *sealed = sqlite3_column_blob(st, 1);
		int n = sqlite3_column_bytes(st, 1);

		if (log->n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			tsr_store_log_entry_t *p = realloc(log->entries, ncap * sizeof(*p));

			if (p == NULL) {
				r = TSR_ERR_NO_MEMORY;
				goto fail;
			}
			log->entries = p;
			cap = ncap;
		}
		if (sealed == NULL || n <= 0) {
			r = TSR_ERR_STORE_CORRUPT;
			goto fail;
		}
		if ((r = tsr_store_unseal(store->data_key, TABLE, id, sealed, (size_t)n, &pt,
		    &pt_len)) != TSR_OK)
			goto fail;
		r = decode_entry(id, pt, pt_len, &log->entries[log->n]);
		tsr_free_secret(pt, pt_len + 1);
		pt = NULL;
		if (r != TSR_OK)
			goto fail;
		log->n++;
	}
	if (rc != SQLITE_DONE) {
		r = tsr_store_db_error(store->db, rc, "log list");
		goto fail;
	}
	sqlite3_finalize(st);
	*ret_log = log;
	return TSR_OK;
fail:
	sqlite3_finalize(st);
	tsr_store_log_free(log);
	return r;
}

size_t
tsr_store_log_count(const tsr_store_log_t *log)
{
	return log ? log->n : 0;
}

const tsr_store_log_entry_t *
tsr_store_log_get(const tsr_store_log_t *log, size_t idx)
{
	return log && idx < log->n ? &log->entries[idx] : NULL;
}
