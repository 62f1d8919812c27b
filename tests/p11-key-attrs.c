/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Test helper for tests/cli/test-issuer-cli.py: what a PKCS#11 token says
 * about the private key with a given CKA_ID, straight from the module (not
 * through libtessera, whose PKCS#11 code is what is being checked):
 *
 *   p11-key-attrs MODULE TOKEN_LABEL PIN ID_HEX
 *
 * prints one "name=value" per line: count (private keys with that CKA_ID),
 * token, private, sensitive, extractable, always_sensitive,
 * never_extractable, sign (0 or 1), label (CKA_LABEL) and value
 * (readable or refused).
 * Exit status 0, or 2 when the module or token cannot be used.
 */

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static int
fail(const char *what, CK_RV rv)
{
	fprintf(stderr, "p11-key-attrs: %s: CKR 0x%lx\n", what, (unsigned long)rv);
	return 2;
}

static int
hex_decode(const char *hex, unsigned char *out, size_t cap, size_t *ret_len)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	*ret_len = n / 2;
	return 0;
}

static int
attr_bool(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h,
    CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL v = CK_FALSE;
	CK_ATTRIBUTE a = { type, &v, sizeof(v) };

	if (fl->C_GetAttributeValue(s, h, &a, 1) != CKR_OK)
		return -1;
	return v == CK_TRUE;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		CK_ATTRIBUTE_TYPE type;
	} bools[] = {
		{ "token", CKA_TOKEN },
		{ "private", CKA_PRIVATE },
		{ "sensitive", CKA_SENSITIVE },
		{ "extractable", CKA_EXTRACTABLE },
		{ "always_sensitive", CKA_ALWAYS_SENSITIVE },
		{ "never_extractable", CKA_NEVER_EXTRACTABLE },
		{ "sign", CKA_SIGN },
	};
	CK_RV (*get_list)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST_PTR fl = NULL;
	CK_SLOT_ID slots[64];
	CK_ULONG n_slots = 64, count = 0;
	CK_TOKEN_INFO info;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE objs[4];
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	unsigned char id[64], value[256];
	size_t id_len, label_len;
	CK_RV rv;
	void *dl, *sym;
	bool found = false;

	if (argc != 5 || hex_decode(argv[4], id, sizeof(id), &id_len) < 0) {
		fprintf(stderr, "usage: p11-key-attrs MODULE TOKEN_LABEL PIN ID_HEX\n");
		return 2;
	}
	if ((dl = dlopen(argv[1], RTLD_NOW)) == NULL ||
	    (sym = dlsym(dl, "C_GetFunctionList")) == NULL) {
		fprintf(stderr, "p11-key-attrs: %s: cannot load\n", argv[1]);
		return 2;
	}
	memcpy(&get_list, &sym, sizeof(get_list));
	if ((rv = get_list(&fl)) != CKR_OK)
		return fail("C_GetFunctionList", rv);
	if ((rv = fl->C_Initialize(NULL)) != CKR_OK)
		return fail("C_Initialize", rv);
	if ((rv = fl->C_GetSlotList(CK_TRUE, slots, &n_slots)) != CKR_OK)
		return fail("C_GetSlotList", rv);
	label_len = strlen(argv[2]);
	for (CK_ULONG i = 0; i < n_slots && !found; i++) {
		if (fl->C_GetTokenInfo(slots[i], &info) != CKR_OK || label_len > 32 ||
		    memcmp(info.label, argv[2], label_len) != 0)
			continue;
		found = true;
		for (size_t j = label_len; j < 32; j++)
			found = found && info.label[j] == ' ';
		if (found && (rv = fl->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL,
		    &s)) != CKR_OK)
			return fail("C_OpenSession", rv);
	}
	if (!found) {
		fprintf(stderr, "p11-key-attrs: no token '%s'\n", argv[2]);
		return 2;
	}
	if ((rv = fl->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[3], strlen(argv[3]))) != CKR_OK)
		return fail("C_Login", rv);
	{
		CK_ATTRIBUTE tmpl[] = {
			{ CKA_CLASS, &cls, sizeof(cls) },
			{ CKA_ID, id, id_len },
		};

		if ((rv = fl->C_FindObjectsInit(s, tmpl, 2)) != CKR_OK ||
		    (rv = fl->C_FindObjects(s, objs, 4, &count)) != CKR_OK ||
		    (rv = fl->C_FindObjectsFinal(s)) != CKR_OK)
			return fail("C_FindObjects", rv);
	}
	printf("count=%lu\n", (unsigned long)count);
	if (count >= 1) {
		CK_ATTRIBUTE a = { CKA_VALUE, value, sizeof(value) };
		char label[65] = "";
		CK_ATTRIBUTE l = { CKA_LABEL, label, sizeof(label) - 1 };

		for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
			printf("%s=%d\n", bools[i].name, attr_bool(fl, s, objs[0], bools[i].type));
		if (fl->C_GetAttributeValue(s, objs[0], &l, 1) == CKR_OK)
			label[l.ulValueLen] = '\0';
		printf("label=%s\n", label);
		rv = fl->C_GetAttributeValue(s, objs[0], &a, 1);
		printf("value=%s\n", rv == CKR_OK ? "readable" : "refused");
	}
	fl->C_Logout(s);
	fl->C_CloseSession(s);
	fl->C_Finalize(NULL);
	return 0;
}
