/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Secret hygiene (issue #10): after a whole presentation (holder and
 * reader, deviceMac, so the software secure area does an ECDH) and a
 * signature by the software secure area, the secrets involved must not be
 * left anywhere in the process's memory once the objects holding them are
 * freed. The test scans every readable and writable mapping of the process
 * (heap, anonymous mappings, the stack, libraries' data; that covers freed
 * heap blocks and the allocations of mbedTLS, libcbor and SQLite too) for:
 *
 *   session:  SKDevice, SKReader, the EDeviceKey and EReaderKey private
 *             scalars, the session's ECDH secret, the device-auth ECDH
 *             secret (SDeviceKey with EReaderKey) and the EMacKey;
 *   wallet:   the data key, the software secure area's passphrase-derived
 *             key M, its sealing key, the device key's wrapping key, the
 *             device key's private scalar, and the passphrase.
 *
 * The test recomputes the secrets the library does not expose from the
 * formats documented in session.c, holder/respond.c and software.c, and
 * keeps them (and all its scratch space) in a mapping of its own that the
 * scan skips. A secret counts as found when either 16-byte half of it
 * occurs, forwards or byte-reversed (mbedTLS keeps big numbers as
 * little-endian limbs), so the 16 bytes a free() overwrites with its list
 * pointers do not hide it.
 *
 * The same presentation runs again over the simulated BLE link (GATT with
 * a 185-byte ATT_MTU, so the response crosses in many chunks, and L2CAP):
 * each message is sent on one side's BLE transport and received, chunked
 * and reassembled, on the other's. The transports and the links are freed
 * with the sessions, so the scan after the session also covers what the
 * BLE code (GATT state machine, reassembly buffers, L2CAP framing) left.
 *
 * Controls, so that the scan cannot pass by seeing nothing: while the
 * objects are alive the scan must find SKDevice, the EDeviceKey scalar, the
 * data key and M where the library keeps them, and a block the test frees
 * without wiping must be found. MALLOC_PERTURB_ must be unset or 0, as
 * glibc would otherwise overwrite freed blocks for the library (meson.build
 * sets it to 0 for this test).
 */

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <mbedtls/bignum.h>

#include <tessera/tessera.h>

#include "cose/cose.h"
#include "credential-builder.h"
#include "session-secrets.h"
#include "crypto/crypto-internal.h"
#include "mdoc/mdoc.h"
#include "session/session.h"
#include "store/store-private.h"
#include "swtpm.h"
#include "test-support.h"

#define PASSPHRASE "a passphrase of more than sixteen bytes"
#define DAY 86400
#define VAULT_SIZE (1024 * 1024)
#define MAX_SECRETS 32
#define MAX_REGION ((size_t)512 * 1024 * 1024)

/* --- The vault: the test's own copies, never scanned --- */

typedef struct secret {
	char what[64];
	uint8_t bytes[256];
	size_t len;
	bool session; /* freed with the sessions, before the wallet */
} secret_t;

typedef struct vault {
	secret_t secrets[MAX_SECRETS];
	size_t n;
	uint8_t scratch[4096];
	uint8_t rev[256];
	/* The needles: 16-byte halves, forwards and reversed. */
	uint8_t needles[MAX_SECRETS * 4][16];
	size_t needle_secret[MAX_SECRETS * 4];
	size_t n_needles;
	/* Needles by their first two bytes. */
	uint8_t first[65536 / 8];
	size_t found[MAX_SECRETS];
	size_t regions, bytes;
	bool heap, stack;
	char where[MAX_SECRETS][96];
} vault_t;

static vault_t *vault;

static secret_t *
secret_add(const char *what, const uint8_t *bytes, size_t len, bool session)
{
	secret_t *s;

	g_assert_cmpuint(vault->n, <, MAX_SECRETS);
	g_assert_cmpuint(len, >=, 16);
	g_assert_cmpuint(len, <=, sizeof(s->bytes));
	s = &vault->secrets[vault->n++];
	g_strlcpy(s->what, what, sizeof(s->what));
	if (bytes != NULL)
		memcpy(s->bytes, bytes, len);
	s->len = len;
	s->session = session;
	return s;
}

static void
needle_add(const uint8_t *p, size_t secret)
{
	size_t i = vault->n_needles++;

	memcpy(vault->needles[i], p, 16);
	vault->needle_secret[i] = secret;
	vault->first[(p[0] << 8 | p[1]) / 8] |= (uint8_t)(1u << ((p[0] << 8 | p[1]) % 8));
}

static void
needles_build(void)
{
	uint8_t *rev = vault->rev;

	vault->n_needles = 0;
	memset(vault->first, 0, sizeof(vault->first));
	for (size_t i = 0; i < vault->n; i++) {
		const secret_t *s = &vault->secrets[i];

		for (size_t j = 0; j < s->len; j++)
			rev[j] = s->bytes[s->len - 1 - j];
		needle_add(s->bytes, i);
		needle_add(s->bytes + s->len - 16, i);
		needle_add(rev, i);
		needle_add(rev + s->len - 16, i);
	}
}

/* --- The scan --- */

/* Reads memory the sanitizer may consider poisoned (freed blocks): not
 * instrumented, and no libc calls that a sanitizer intercepts. */
__attribute__((no_sanitize_address, noinline)) static void
scan_range(const uint8_t *p, size_t len, const char *name)
{
	if (len < 16)
		return;
	for (size_t i = 0; i + 16 <= len; i++) {
		unsigned k = (unsigned)p[i] << 8 | p[i + 1];

		if (!(vault->first[k / 8] & (1u << (k % 8))))
			continue;
		for (size_t n = 0; n < vault->n_needles; n++) {
			const uint8_t *nd = vault->needles[n];
			size_t j = 0;

			while (j < 16 && p[i + j] == nd[j])
				j++;
			if (j == 16) {
				size_t s = vault->needle_secret[n];

				if (vault->found[s]++ == 0)
					g_snprintf(vault->where[s], sizeof(vault->where[s]),
					    "%s+0x%zx", name, i);
			}
		}
	}
}

/* Scans every rw mapping but the vault; returns the number of secrets
 * (among those selected) found. */
static size_t
scan(bool sessions_only, const char *when)
{
	char line[512];
	FILE *maps;
	size_t hits = 0;

	needles_build();
	memset(vault->found, 0, sizeof(vault->found));
	vault->regions = vault->bytes = 0;
	vault->heap = vault->stack = false;
	maps = fopen("/proc/self/maps", "r");
	g_assert_nonnull(maps);
	while (fgets(line, sizeof(line), maps) != NULL) {
		unsigned long start, end;
		char perms[8] = "", name[256] = "";

		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255[^\n]", &start, &end, perms,
		    name) < 3)
			continue;
		if (perms[0] != 'r' || perms[1] != 'w')
			continue;
		if (end - start > MAX_REGION || strstr(name, "[vvar]") || strstr(name, "[vsyscall]"))
			continue;
		if ((uintptr_t)vault >= start && (uintptr_t)vault < end)
			continue;
		g_strstrip(name);
		scan_range((const uint8_t *)start, end - start, name[0] != '\0' ? name : "anon");
		vault->regions++;
		vault->bytes += end - start;
		vault->heap |= strcmp(name, "[heap]") == 0;
		vault->stack |= strcmp(name, "[stack]") == 0;
	}
	fclose(maps);
	/* The heap itself may be mmap()ed regions under a sanitizer. */
	g_assert_true(vault->stack);
	g_assert_cmpuint(vault->regions, >, 10);
	for (size_t i = 0; i < vault->n; i++) {
		if (sessions_only && !vault->secrets[i].session)
			continue;
		if (vault->found[i] > 0) {
			g_test_message("%s: %s found %zu times (first at %s)", when,
			    vault->secrets[i].what, vault->found[i], vault->where[i]);
			hits++;
		}
	}
	return hits;
}

static bool
found(const char *what)
{
	for (size_t i = 0; i < vault->n; i++)
		if (strcmp(vault->secrets[i].what, what) == 0)
			return vault->found[i] > 0;
	g_assert_not_reached();
	return false;
}

/* --- Recomputing the secrets --- */

static void
add_scalar(const char *what, const tsr_ec_key_t *key)
{
	secret_t *s = secret_add(what, NULL, 32, true);

	g_assert_nonnull(key);
	g_assert_cmpint(mbedtls_mpi_write_binary(&key->kp.d, s->bytes, 32), ==, 0);
}

/* A key's PKCS#8 PEM, as text: the form in which keys cross the crypto
 * layer's PEM functions. The first 48 characters encode the DER header,
 * the same for every P-256 key; characters 48..63 of the first line and
 * 0..23 of the second encode the private scalar. */
static void
add_pem(const char *what, const tsr_ec_key_t *key, bool session)
{
	char *pem = NULL, name[64];
	const char *line1, *line2;

	g_assert_cmpint(tsr_ec_key_to_pem(key, &pem), ==, TSR_OK);
	line1 = strchr(pem, '\n');
	g_assert_nonnull(line1);
	line1++;
	line2 = line1 + 65;
	g_assert_cmpuint(strlen(line1), >, 65 + 24);
	g_assert_cmpint(line1[64], ==, '\n');
	g_snprintf(name, sizeof(name), "%s (PEM line 1)", what);
	secret_add(name, (const uint8_t *)line1 + 48, 16, session);
	g_snprintf(name, sizeof(name), "%s (PEM line 2)", what);
	secret_add(name, (const uint8_t *)line2, 24, session);
	tsr_free_secret(pem, strlen(pem));
}

/* The software secure area's keys for the wallet key ref
 * (session-secrets.c), recomputed straight into the vault. */
static void
add_software_secrets(const tsr_store_t *store, const uint8_t *ref, size_t ref_len)
{
	tsr_test_software_key_t *k = (tsr_test_software_key_t *)(void *)vault->scratch;
	tsr_ec_key_t *key = NULL;

	G_STATIC_ASSERT(sizeof(*k) <= sizeof(vault->scratch));
	tsr_test_software_key(store, PASSPHRASE, ref, ref_len, k);
	secret_add("the software area's key M", k->m, 32, false);
	secret_add("the software area's sealing key", k->seal, 32, false);
	secret_add("the device key's wrapping key", k->wrap, 32, false);
	/* The PKCS#8 itself is not searched for: its header is the same in
	 * every P-256 key and the rest is the public key, but the scalar is. */
	secret_add("the device key's private scalar", k->der + k->d_offset, 32, false);
	g_assert_cmpint(tsr_ec_key_parse(k->der, k->der_len, &key), ==, TSR_OK);
	add_pem("the device key", key, false);
	tsr_ec_key_free(key);
	memset(k, 0, sizeof(*k));
	secret_add("the wallet passphrase", (const uint8_t *)PASSPHRASE, strlen(PASSPHRASE),
	    false);
}

/* The session's ECDH secret, the device-auth one and the EMacKey
 * (session-secrets.c), computed straight into the vault. */
static void
add_derived_secrets(const tsr_reader_session_t *reader, const tsr_holder_session_t *holder,
    const uint8_t *device_cose, size_t device_cose_len)
{
	tsr_test_session_secrets_t *k = (tsr_test_session_secrets_t *)(void *)vault->scratch;

	G_STATIC_ASSERT(sizeof(*k) <= sizeof(vault->scratch));
	tsr_test_session_secrets(reader, holder, device_cose, device_cose_len, k);
	secret_add("the session's ECDH secret", k->z_session, 32, true);
	secret_add("the device-auth ECDH secret", k->z_auth, 32, true);
	secret_add("the EMacKey", k->emac_key, 32, true);
	memset(k, 0, sizeof(*k));
}

/* --- The simulated BLE link (the BLE cases) --- */

#define BLE_WAIT_MS 30000

typedef struct ble_case {
	bool ble;
	bool l2cap;
} ble_case_t;

typedef struct ble_pair {
	tsr_ble_link_t *holder_radio, *reader_radio;
	tsr_transport_t *holder, *reader;
} ble_pair_t;

/* Both ends in peripheral server mode, from the engagement's UUID. */
static void
ble_pair_start(ble_pair_t *p, const tsr_reader_session_t *reader, bool l2cap)
{
	tsr_ble_sim_config_t sim = { .mtu = 185 };
	tsr_engagement_ble_t seen;
	tsr_ble_config_t hc, rc;

	g_assert_cmpint(tsr_reader_session_ble(reader, &seen), ==, TSR_OK);
	g_assert_true(seen.peripheral_server);
	tsr_ble_config_init(&hc, TSR_BLE_ROLE_HOLDER, TSR_BLE_MODE_PERIPHERAL_SERVER, seen.uuid);
	tsr_ble_config_init(&rc, TSR_BLE_ROLE_READER, TSR_BLE_MODE_PERIPHERAL_SERVER, seen.uuid);
	hc.l2cap = rc.l2cap = l2cap;
	g_assert_cmpint(tsr_ble_sim_pair_new(&sim, &p->holder_radio, &p->reader_radio), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_transport_ble_new(&hc, p->holder_radio, &p->holder), ==, TSR_OK);
	g_assert_cmpint(tsr_transport_ble_new(&rc, p->reader_radio, &p->reader), ==, TSR_OK);
}

static void
ble_pair_free(ble_pair_t *p)
{
	tsr_transport_free(p->holder);
	tsr_transport_free(p->reader);
	tsr_ble_link_free(p->holder_radio);
	tsr_ble_link_free(p->reader_radio);
	memset(p, 0, sizeof(*p));
}

typedef struct ble_receive {
	tsr_transport_t *t;
	uint8_t *msg;
	size_t len;
	int r;
} ble_receive_t;

static gpointer
ble_receive_thread(gpointer data)
{
	ble_receive_t *rx = data;

	rx->r = tsr_transport_receive(rx->t, BLE_WAIT_MS, &rx->msg, &rx->len);
	return NULL;
}

/* msg sent on from and received on to, by a thread of its own as the peer
 * would (the first message also makes the connection); the received copy,
 * which must be msg. */
static uint8_t *
ble_carry(tsr_transport_t *from, tsr_transport_t *to, const uint8_t *msg, size_t len,
    size_t *ret_len)
{
	ble_receive_t rx = { .t = to };
	GThread *th = g_thread_new("ble-receive", ble_receive_thread, &rx);

	g_assert_cmpint(tsr_transport_send(from, msg, len, BLE_WAIT_MS), ==, TSR_OK);
	g_thread_join(th);
	g_assert_cmpint(rx.r, ==, TSR_OK);
	g_assert_cmpmem(rx.msg, rx.len, msg, len);
	*ret_len = rx.len;
	return rx.msg;
}

/* --- The test --- */

static void
control_unwiped_block(void)
{
	uint8_t *block = malloc(64);
	size_t before = vault->n;

	g_assert_nonnull(block);
	secret_add("the control block", NULL, 32, true);
	g_assert_cmpint(tsr_random_bytes(vault->secrets[before].bytes, 32), ==, TSR_OK);
	memcpy(block, vault->secrets[before].bytes, 32);
	memcpy(block + 32, vault->secrets[before].bytes, 32);
	/* Keeps the compiler from dropping the stores to a block about to be
	 * freed (exactly what a wipe without mbedtls_platform_zeroize risks). */
	__asm__ volatile("" : : "r"(block) : "memory");
	free(block);
	scan(true, "control");
	g_assert_true(found("the control block"));
	vault->n = before;
}

/* data: a ble_case_t, whether the session's messages cross the simulated
 * BLE link, and over L2CAP. */
static void
test_presentation_and_wallet(gconstpointer data)
{
	const ble_case_t *c = data;
	tsr_engagement_ble_t offer = { .peripheral_server = true };
	ble_pair_t link = { 0 };
	tsr_ble_info_t info;
	uint8_t *carried = NULL, *end = NULL;
	size_t carried_len = 0, end_len = 0;
	static const uint8_t msg[] = "a secure-area signature";
	g_autofree char *dir = g_dir_make_tmp("tsr-scan-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "wallet.db", NULL);
	const char *data_dir = g_getenv("TSR_TEST_DATA");
	tsr_sa_config_t config = { .kind = TSR_SA_SOFTWARE, .secret = tsr_test_secret_cb,
		.secret_user = (void *)(uintptr_t)PASSPHRASE };
	tsr_store_t *store = NULL;
	tsr_secure_area_t *sa = NULL;
	tsr_device_key_t *key = NULL;
	tsr_holder_session_t *holder = NULL;
	tsr_reader_session_t *reader = NULL;
	tsr_request_builder_t *b = NULL;
	tsr_presentation_t *p = NULL;
	tsr_verifier_t *v = NULL;
	tsr_verify_result_t *result = NULL;
	uint8_t *cose = NULL, *cred = NULL, *request = NULL, *est = NULL, *dev_request = NULL,
	    *response = NULL, *smsg = NULL, *received = NULL, *ref = NULL, sig[64];
	size_t cose_len = 0, cred_len = 0, request_len = 0, est_len = 0, dev_request_len = 0,
	    response_len = 0, smsg_len = 0, received_len = 0, ref_len = 0, iaca_len = 0;
	const uint8_t *st = NULL;
	size_t st_len = 0;
	g_autofree uint8_t *iaca = NULL;
	char *uri = NULL;
	int64_t key_id = 0, cred_id = 0, now = tsr_clock_now();
	bool ended = true;
	const tsr_session_t *hk, *rk;
	size_t hits;

	g_assert_nonnull(data_dir);
	if (g_getenv("MALLOC_PERTURB_") != NULL && atoi(g_getenv("MALLOC_PERTURB_")) != 0) {
		g_test_skip("MALLOC_PERTURB_ wipes freed blocks: the scan would prove nothing");
		return;
	}
	/* Each case starts with an empty vault. */
	memset(vault, 0, sizeof(*vault));
	control_unwiped_block();

	/* The wallet, its key and credential; a signature by the secure area. */
	g_assert_cmpint(tsr_store_create(path, &config, &store), ==, TSR_OK);
	g_assert_cmpint(tsr_store_create_key(store, NULL, &key_id, &cose, &cose_len), ==, TSR_OK);
	g_assert_cmpint(tsr_test_credential_build_cose(data_dir, cose, cose_len, now - DAY,
	    now - DAY, now + 365 * DAY, &cred, &cred_len), ==, TSR_OK);
	g_assert_cmpint(tsr_store_import(store, cred, cred_len, NULL, &cred_id, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_key_get(store, key_id, &ref, &ref_len, NULL, NULL), ==, TSR_OK);
	g_assert_cmpint(tsr_store_secure_area(store, &sa), ==, TSR_OK);
	g_assert_cmpint(tsr_secure_area_sign(sa, ref, ref_len, NULL, msg, sizeof(msg), sig), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_store_device_key(store, key_id, NULL, &key), ==, TSR_OK);
	secret_add("the data key", store->data_key, 32, false);
	add_software_secrets(store, ref, ref_len);
	tsr_free(ref);

	/* A QR session and a deviceMac presentation of two elements. */
	if (c->ble)
		g_assert_cmpint(tsr_random_bytes(offer.uuid, sizeof(offer.uuid)), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_new(c->ble ? &offer : NULL, &holder), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_qr_uri(holder, &uri), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_new(uri, &reader), ==, TSR_OK);
	if (c->ble)
		ble_pair_start(&link, reader, c->l2cap);
	tsr_reader_session_transcript(reader, &st, &st_len);
	g_assert_cmpint(tsr_request_builder_new(&b), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_add_template(b, "mdl-full"), ==, TSR_OK);
	g_assert_cmpint(tsr_request_builder_build(b, st, st_len, &request, &request_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_reader_session_establish(reader, request, request_len, &est, &est_len),
	    ==, TSR_OK);
	if (c->ble) {
		carried = ble_carry(link.reader, link.holder, est, est_len, &carried_len);
		tsr_free(est);
		est = carried;
		est_len = carried_len;
	}
	g_assert_cmpint(tsr_holder_session_establish(holder, est, est_len, &dev_request,
	    &dev_request_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_transcript(holder, &st, &st_len), ==, TSR_OK);
	g_assert_cmpint(tsr_presentation_new(dev_request, dev_request_len, st, st_len, &p), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_presentation_add_credential(p, cred, cred_len, key, "cred"), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_presentation_analyze(p), ==, TSR_OK);
	for (size_t i = 0; i < tsr_presentation_element_count(p, 0); i++) {
		tsr_requested_element_t e;

		g_assert_cmpint(tsr_presentation_element(p, 0, i, &e), ==, TSR_OK);
		g_assert_cmpint(tsr_presentation_consent(p, 0, i,
		    strcmp(e.identifier, "family_name") == 0 ||
		    strcmp(e.identifier, "expiry_date") == 0), ==, TSR_OK);
	}
	g_assert_cmpint(tsr_presentation_respond(p, TSR_DEVICE_AUTH_MAC, &response,
	    &response_len), ==, TSR_OK);
	g_assert_cmpint(tsr_holder_session_respond(holder, response, response_len, false, &smsg,
	    &smsg_len), ==, TSR_OK);
	if (c->ble) {
		carried = ble_carry(link.holder, link.reader, smsg, smsg_len, &carried_len);
		tsr_free(smsg);
		smsg = carried;
		smsg_len = carried_len;
	}
	g_assert_cmpint(tsr_reader_session_receive(reader, smsg, smsg_len, &received,
	    &received_len, &ended), ==, TSR_OK);
	iaca = tsr_test_load("store/iaca.pem", &iaca_len);
	g_assert_cmpint(tsr_verifier_new(&v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(v, iaca, iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_reader_session_prepare_verifier(reader, v), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_verify(v, received, received_len, &result), ==, TSR_OK);
	g_assert_true(tsr_verify_result_valid(result));

	/* The session's secrets, from where the library keeps them. */
	hk = tsr_holder_session_keys(holder);
	rk = tsr_reader_session_keys(reader);
	g_assert_cmpmem(hk->sk_device, 32, rk->sk_device, 32);
	g_assert_cmpmem(hk->sk_reader, 32, rk->sk_reader, 32);
	secret_add("SKDevice", hk->sk_device, 32, true);
	secret_add("SKReader", hk->sk_reader, 32, true);
	add_scalar("the EDeviceKey private scalar", tsr_holder_session_key(holder));
	add_scalar("the EReaderKey private scalar", tsr_reader_session_key(reader));
	add_pem("the EReaderKey", tsr_reader_session_key(reader), true);
	add_derived_secrets(reader, holder, cose, cose_len);

	/* Controls: alive, they are where the library keeps them. */
	scan(false, "alive");
	g_assert_true(found("SKDevice"));
	g_assert_true(found("the EDeviceKey private scalar"));
	g_assert_true(found("the data key"));
	g_assert_true(found("the software area's key M"));

	if (c->ble) {
		/* The reader ends the session (status 20), then the link. */
		g_assert_cmpint(tsr_reader_session_terminate(reader, &end, &end_len), ==, TSR_OK);
		carried = ble_carry(link.reader, link.holder, end, end_len, &carried_len);
		g_assert_cmpint(tsr_holder_session_receive(holder, carried, carried_len,
		    &dev_request, &dev_request_len), ==, TSR_ERR_SESSION_TERMINATED);
		g_assert_cmpint(tsr_transport_ble_info(link.holder, &info), ==, TSR_OK);
		g_assert_true(info.l2cap == c->l2cap);
		g_test_message("over the simulated BLE link (%s): %" G_GUINT64_FORMAT
		    " chunks sent by the holder, %" G_GUINT64_FORMAT " received",
		    c->l2cap ? "L2CAP" : "GATT, ATT_MTU 185", info.chunks_sent,
		    info.chunks_received);
		g_assert_cmpint(tsr_transport_close(link.reader), ==, TSR_OK);
		ble_pair_free(&link);
		tsr_free(carried);
		tsr_free(end);
	}

	/* The sessions and everything of the presentation go. */
	tsr_verify_result_free(result);
	tsr_verifier_free(v);
	tsr_presentation_free(p);
	tsr_holder_session_free(holder);
	tsr_reader_session_free(reader);
	tsr_request_builder_free(b);
	tsr_free(uri);
	tsr_free(request);
	tsr_free(est);
	tsr_free(dev_request);
	tsr_free(response);
	tsr_free(smsg);
	tsr_free(received);
	hits = scan(true, "after the session");
	g_assert_cmpuint(hits, ==, 0);

	/* Then the wallet. */
	tsr_device_key_free(key);
	tsr_store_free(store);
	hits = scan(false, "after the wallet");
	g_test_message("%zu secrets searched for (%zu needles) in %zu mappings, %zu KiB%s; none "
	    "left after free", vault->n, vault->n_needles, vault->regions, vault->bytes / 1024,
	    vault->heap ? " including [heap] and [stack]" : " including [stack]");
	g_assert_cmpuint(hits, ==, 0);

	tsr_free(cose);
	free(cred);
	tsr_test_rmrf(dir);
}

int
main(int argc, char **argv)
{
	static const ble_case_t local = { false, false }, gatt = { true, false },
		l2cap = { true, true };
	int r;

	g_test_init(&argc, &argv, NULL);
	g_setenv("TESSERA_PBKDF2_ITERATIONS", "1000", TRUE);
	vault = mmap(NULL, VAULT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	g_assert_true(vault != MAP_FAILED);
	g_assert_cmpuint(sizeof(*vault), <=, VAULT_SIZE);
	g_test_add_data_func("/secret-scan/presentation_and_software_area", &local,
	    test_presentation_and_wallet);
	g_test_add_data_func("/secret-scan/ble/gatt", &gatt, test_presentation_and_wallet);
	g_test_add_data_func("/secret-scan/ble/l2cap", &l2cap, test_presentation_and_wallet);
	r = g_test_run();
	munmap(vault, VAULT_SIZE);
	return r;
}
