/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>
#include <string.h>

#include <tessera/err.h>

#include "cbor/codec.h"

bool
tsr_cbor_is(const tsr_cbor_item_t *item, tsr_cbor_type_t type)
{
	return item != NULL && item->type == type;
}

bool
tsr_cbor_tstr_eq(const tsr_cbor_item_t *item, const char *s)
{
	size_t n = strlen(s);

	return tsr_cbor_is(item, TSR_CBOR_TSTR) && item->u.str.len == n &&
	    memcmp(item->u.str.ptr, s, n) == 0;
}

const tsr_cbor_item_t *
tsr_cbor_map_find_tstr(const tsr_cbor_item_t *map, const char *key)
{
	if (!tsr_cbor_is(map, TSR_CBOR_MAP))
		return NULL;
	for (size_t i = 0; i < map->u.list.count; i++)
		if (tsr_cbor_tstr_eq(tsr_cbor_map_key(map, i), key))
			return tsr_cbor_map_value(map, i);
	return NULL;
}

bool
tsr_cbor_get_int(const tsr_cbor_item_t *item, int64_t *ret_value)
{
	if (item == NULL || item->u.uint > (uint64_t)INT64_MAX)
		return false;
	if (item->type == TSR_CBOR_UINT)
		*ret_value = (int64_t)item->u.uint;
	else if (item->type == TSR_CBOR_NEGINT)
		*ret_value = -1 - (int64_t)item->u.uint;
	else
		return false;
	return true;
}

const tsr_cbor_item_t *
tsr_cbor_map_find_int(const tsr_cbor_item_t *map, int64_t key)
{
	int64_t k;

	if (!tsr_cbor_is(map, TSR_CBOR_MAP))
		return NULL;
	for (size_t i = 0; i < map->u.list.count; i++)
		if (tsr_cbor_get_int(tsr_cbor_map_key(map, i), &k) && k == key)
			return tsr_cbor_map_value(map, i);
	return NULL;
}

bool
tsr_cbor_map_keys_within(const tsr_cbor_item_t *map, const char *const *tstr_keys,
    const int64_t *int_keys, size_t n_int_keys)
{
	if (!tsr_cbor_is(map, TSR_CBOR_MAP))
		return false;
	for (size_t i = 0; i < map->u.list.count; i++) {
		const tsr_cbor_item_t *key = tsr_cbor_map_key(map, i);
		bool known = false;
		int64_t k;

		if (key->type == TSR_CBOR_TSTR && tstr_keys != NULL) {
			for (size_t j = 0; tstr_keys[j] != NULL && !known; j++)
				known = tsr_cbor_tstr_eq(key, tstr_keys[j]);
		} else if (tsr_cbor_get_int(key, &k)) {
			for (size_t j = 0; j < n_int_keys && !known; j++)
				known = int_keys[j] == k;
		}
		if (!known)
			return false;
	}
	return true;
}

int
tsr_cbor_tstr_dup(const tsr_cbor_item_t *item, char **ret_str)
{
	char *s;

	if (!tsr_cbor_is(item, TSR_CBOR_TSTR) ||
	    memchr(item->u.str.ptr, '\0', item->u.str.len) != NULL)
		return TSR_ERR_CBOR_TYPE;
	if ((s = malloc(item->u.str.len + 1)) == NULL)
		return TSR_ERR_NO_MEMORY;
	if (item->u.str.len > 0)
		memcpy(s, item->u.str.ptr, item->u.str.len);
	s[item->u.str.len] = '\0';
	*ret_str = s;
	return TSR_OK;
}

const tsr_cbor_item_t *
tsr_cbor_untag(const tsr_cbor_item_t *item, uint64_t number)
{
	if (!tsr_cbor_is(item, TSR_CBOR_TAG) || item->u.tag.number != number)
		return NULL;
	return item->u.tag.content;
}

bool
tsr_cbor_equal(const tsr_cbor_item_t *a, const tsr_cbor_item_t *b)
{
	return a != NULL && b != NULL && a->raw.len == b->raw.len &&
	    memcmp(a->raw.ptr, b->raw.ptr, a->raw.len) == 0;
}
