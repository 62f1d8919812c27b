/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * bench-verify: how fast the reader verifies the ISO/IEC 18013-5 Annex D
 * DeviceResponse, and how that compares with the cryptography it cannot
 * avoid. Verification goes through the public API (tsr_verifier_verify());
 * the primitives are timed with the internal crypto functions on the very
 * inputs verification uses (the real issuerAuth signature, DS certificate,
 * EMacKey derivation and deviceMac, and every IssuerSignedItemBytes), so
 * "verify / sum of primitives" shows what decoding and bookkeeping cost.
 *
 * Usage: bench-verify [-n N] [ANNEX_D_DIR]
 * Prints figures only: a benchmark is never a pass/fail test.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tessera/tessera.h>
#include <tessera/reader.h>

#include "cbor/codec.h"
#include "crypto/crypto.h"

#ifndef ANNEX_D_DIR
#define ANNEX_D_DIR "tests/data/annex-d"
#endif

#define MAX_ITEMS 32
#define VERIFY_AT "2021-01-01T00:00:00Z"

typedef struct blob {
	uint8_t *ptr;
	size_t len;
} blob_t;

/* Everything the primitives run on, taken from the Annex D files. */
typedef struct bench {
	blob_t response, transcript_bytes, iaca, reader_key_pem, device_key_pem;
	int64_t now;
	tsr_verifier_t *verifier;
	tsr_cbor_doc_t *doc;
	/* issuerAuth: Sig_structure, signature, DS certificate (x5chain) */
	uint8_t *sig_structure;
	size_t sig_structure_len;
	tsr_span_t issuer_sig, x5chain;
	tsr_x509_t *chain, *anchors;
	tsr_ec_pub_t ds_pub;
	/* deviceMac: ECDH, HKDF, HMAC */
	tsr_ec_key_t *reader_key;
	tsr_ec_pub_t device_pub;
	uint8_t z[TSR_EC_COORD_MAX], salt[32], emac_key[32], mac[32];
	size_t z_len;
	uint8_t *mac_structure;
	size_t mac_structure_len;
	tsr_span_t device_mac_tag;
	/* IssuerSignedItemBytes, one per disclosed element */
	tsr_span_t items[MAX_ITEMS];
	char *item_names[MAX_ITEMS];
	size_t n_items;
	const tsr_span_t *digest_input; /* for op_sha256 */
} bench_t;

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "bench-verify: %s: %s\n", what, why);
	exit(1);
}

static void
check(int err, const char *what)
{
	if (err != TSR_OK)
		die(what, tsr_strerror(err));
}

static void
load(const char *dir, const char *name, blob_t *ret)
{
	char path[4096];
	uint8_t *buf = NULL;
	size_t len = 0, n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		die(path, strerror(errno));
	do {
		if ((buf = realloc(buf, len + 65536 + 1)) == NULL)
			die(path, "out of memory");
		n = fread(buf + len, 1, 65536, f);
		len += n;
	} while (n > 0 && len < 16 * 1024 * 1024);
	if (ferror(f))
		die(path, "read error");
	fclose(f);
	buf[len] = 0; /* PEM parsers like a terminating NUL */
	ret->ptr = buf;
	ret->len = len;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef int (*op_fn)(bench_t *b);

/* One timed operation. */
typedef struct measure {
	char label[80];
	op_fn op;
	tsr_span_t input;   /* for op_sha256 */
	size_t bytes;       /* shown next to the label; 0: none */
	unsigned long runs; /* calls per round */
	bool in_sum;
	double best;        /* seconds per call in the fastest round */
} measure_t;

#define ROUNDS 10
#define MAX_MEASURES (16 + MAX_ITEMS)

/*
 * Every operation runs in every round, one after another, and each keeps the
 * mean of its fastest round: other load on the machine then slows the
 * operations alike and disturbs the ratio as little as possible.
 */
static void
run_rounds(bench_t *b, measure_t *m, size_t count)
{
	double start, t;

	for (size_t i = 0; i < count; i++) {
		b->digest_input = &m[i].input;
		check(m[i].op(b), m[i].label); /* warm-up, and it must succeed */
	}
	for (int r = 0; r < ROUNDS; r++) {
		for (size_t i = 0; i < count; i++) {
			b->digest_input = &m[i].input;
			start = now_seconds();
			for (unsigned long k = 0; k < m[i].runs; k++)
				if (m[i].op(b) != TSR_OK)
					die(m[i].label, "failed while timing");
			t = (now_seconds() - start) / (double)m[i].runs;
			if (r == 0 || t < m[i].best)
				m[i].best = t;
		}
	}
}

static measure_t *
add(measure_t *m, size_t *count, const char *label, op_fn op, unsigned long runs, bool in_sum)
{
	measure_t *x = &m[(*count)++];

	snprintf(x->label, sizeof(x->label), "%s", label);
	x->op = op;
	x->runs = runs;
	x->in_sum = in_sum;
	return x;
}

/* --- the operations --- */

static int
op_verify(bench_t *b)
{
	tsr_verify_result_t *result = NULL;
	int err = tsr_verifier_verify(b->verifier, b->response.ptr, b->response.len, &result);

	tsr_verify_result_free(result);
	return err;
}

static int
op_ecdsa_issuer_auth(bench_t *b)
{
	return tsr_ecdsa_verify(&b->ds_pub, TSR_HASH_SHA256, b->sig_structure,
	    b->sig_structure_len, b->issuer_sig.ptr, b->issuer_sig.len);
}

static int
op_x509_chain(bench_t *b)
{
	uint32_t flags = 0;

	return tsr_x509_verify_chain(b->chain, b->anchors, b->now, TSR_OID_EKU_MDL_DS, &flags,
	    NULL);
}

static int
op_x509_parse(bench_t *b)
{
	tsr_x509_t *set = NULL;
	int err = tsr_x509_new(&set);

	if (err == TSR_OK)
		err = tsr_x509_add(set, b->x5chain.ptr, b->x5chain.len);
	tsr_x509_free(set);
	return err;
}

static int
op_ecdh(bench_t *b)
{
	return tsr_ecdh(b->reader_key, &b->device_pub, b->z, &b->z_len);
}

static int
op_hkdf(bench_t *b)
{
	static const uint8_t info[] = "EMacKey";

	return tsr_hkdf_sha256(b->salt, sizeof(b->salt), b->z, b->z_len, info,
	    sizeof(info) - 1, b->emac_key, sizeof(b->emac_key));
}

static int
op_hmac(bench_t *b)
{
	return tsr_hmac_sha256(b->emac_key, sizeof(b->emac_key), b->mac_structure,
	    b->mac_structure_len, b->mac);
}

static int
op_sha256(bench_t *b)
{
	uint8_t out[32];

	return tsr_hash(TSR_HASH_SHA256, b->digest_input->ptr, b->digest_input->len, out);
}

static int
op_cbor_decode(bench_t *b)
{
	tsr_cbor_doc_t *doc = NULL;
	int err = tsr_cbor_decode(b->response.ptr, b->response.len, NULL, &doc);

	tsr_cbor_doc_free(doc);
	return err;
}

/* --- preparing the inputs --- */

static const tsr_cbor_item_t *
need(const tsr_cbor_item_t *item, const char *what)
{
	if (item == NULL)
		die("device_response.cbor", what);
	return item;
}

static const tsr_cbor_item_t *
array_at(const tsr_cbor_item_t *a, size_t i, const char *what)
{
	if (!tsr_cbor_is(a, TSR_CBOR_ARRAY) || i >= a->u.list.count)
		die("device_response.cbor", what);
	return &a->u.list.items[i];
}

static tsr_span_t
bstr(const tsr_cbor_item_t *item, const char *what)
{
	if (!tsr_cbor_is(item, TSR_CBOR_BSTR))
		die("device_response.cbor", what);
	return item->u.str;
}

/* Sig_structure = ["Signature1", protected, external_aad, payload] (RFC 9052 §4.4) */
static void
prepare_issuer_auth(bench_t *b, const tsr_cbor_item_t *issuer_auth)
{
	tsr_span_t prot = bstr(array_at(issuer_auth, 0, "issuerAuth"), "protected");
	tsr_span_t payload = bstr(array_at(issuer_auth, 2, "issuerAuth"), "payload");
	const tsr_cbor_item_t *x5 = tsr_cbor_map_find_int(array_at(issuer_auth, 1, "issuerAuth"),
	    33);
	tsr_cbor_enc_t enc;

	b->issuer_sig = bstr(array_at(issuer_auth, 3, "issuerAuth"), "signature");
	if (tsr_cbor_is(x5, TSR_CBOR_ARRAY))
		x5 = array_at(x5, 0, "x5chain");
	b->x5chain = bstr(need(x5, "no x5chain"), "x5chain");

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 4);
	tsr_cbor_put_tstr(&enc, "Signature1");
	tsr_cbor_put_bstr(&enc, prot.ptr, prot.len);
	tsr_cbor_put_bstr(&enc, NULL, 0);
	tsr_cbor_put_bstr(&enc, payload.ptr, payload.len);
	check(tsr_cbor_enc_finish(&enc, &b->sig_structure, &b->sig_structure_len), "Sig_structure");

	check(tsr_x509_new(&b->chain), "x509");
	check(tsr_x509_add(b->chain, b->x5chain.ptr, b->x5chain.len), "x5chain");
	check(tsr_x509_public_key(b->chain, 0, &b->ds_pub), "DS public key");
	check(tsr_x509_new(&b->anchors), "x509");
	check(tsr_x509_add(b->anchors, b->iaca.ptr, b->iaca.len), "iaca_cert.pem");
}

/*
 * MAC_structure = ["MAC0", protected, external_aad, DeviceAuthenticationBytes],
 * DeviceAuthenticationBytes = #6.24(bstr .cbor ["DeviceAuthentication",
 * SessionTranscript, DocType, DeviceNameSpacesBytes]) (18013-5 §9.1.3.4).
 */
static void
prepare_device_mac(bench_t *b, const tsr_cbor_item_t *document)
{
	const tsr_cbor_item_t *signed_ = need(tsr_cbor_map_find_tstr(document, "deviceSigned"),
	    "no deviceSigned");
	const tsr_cbor_item_t *device_auth = tsr_cbor_map_find_tstr(signed_, "deviceAuth");
	const tsr_cbor_item_t *mac0 = need(tsr_cbor_map_find_tstr(device_auth, "deviceMac"),
	    "no deviceMac");
	const tsr_cbor_item_t *dns = need(tsr_cbor_map_find_tstr(signed_, "nameSpaces"),
	    "no DeviceNameSpacesBytes");
	const tsr_cbor_item_t *doctype = need(tsr_cbor_map_find_tstr(document, "docType"),
	    "no docType");
	tsr_span_t prot = bstr(array_at(mac0, 0, "deviceMac"), "protected");
	tsr_cbor_doc_t *stb_doc = NULL, *st_doc = NULL;
	tsr_cbor_enc_t enc;
	uint8_t *da = NULL, *dab = NULL;
	size_t da_len, dab_len;
	tsr_ec_key_t *device_key = NULL;

	b->device_mac_tag = bstr(array_at(mac0, 3, "deviceMac"), "tag");

	check(tsr_cbor_decode(b->transcript_bytes.ptr, b->transcript_bytes.len, NULL, &stb_doc),
	    "session_transcript_bytes.cbor");
	check(tsr_cbor_decode_embedded(tsr_cbor_doc_root(stb_doc), NULL, &st_doc),
	    "SessionTranscript");
	tsr_cbor_doc_free(stb_doc);

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 4);
	tsr_cbor_put_tstr(&enc, "DeviceAuthentication");
	tsr_cbor_put_raw(&enc, tsr_cbor_doc_root(st_doc)->raw.ptr,
	    tsr_cbor_doc_root(st_doc)->raw.len);
	tsr_cbor_put_raw(&enc, doctype->raw.ptr, doctype->raw.len);
	tsr_cbor_put_raw(&enc, dns->raw.ptr, dns->raw.len);
	check(tsr_cbor_enc_finish(&enc, &da, &da_len), "DeviceAuthentication");
	tsr_cbor_doc_free(st_doc);

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_embedded(&enc, da, da_len);
	check(tsr_cbor_enc_finish(&enc, &dab, &dab_len), "DeviceAuthenticationBytes");
	free(da);

	tsr_cbor_enc_init(&enc);
	tsr_cbor_put_array(&enc, 4);
	tsr_cbor_put_tstr(&enc, "MAC0");
	tsr_cbor_put_bstr(&enc, prot.ptr, prot.len);
	tsr_cbor_put_bstr(&enc, NULL, 0);
	tsr_cbor_put_bstr(&enc, dab, dab_len);
	check(tsr_cbor_enc_finish(&enc, &b->mac_structure, &b->mac_structure_len),
	    "MAC_structure");
	free(dab);

	check(tsr_ec_key_parse(b->reader_key_pem.ptr, b->reader_key_pem.len, &b->reader_key),
	    "ephemeral_reader_key.pem");
	/* 18013-5 §9.1.3.5: deviceMac keys come from SDeviceKey (the MSO's
	 * deviceKey), not from the session's EDeviceKey. */
	check(tsr_ec_key_parse(b->device_key_pem.ptr, b->device_key_pem.len, &device_key),
	    "static_device_key.pem");
	check(tsr_ec_key_public(device_key, &b->device_pub), "SDeviceKey");
	tsr_ec_key_free(device_key);
	/* salt = SHA-256(SessionTranscriptBytes) (18013-5 §9.1.5.1) */
	check(tsr_hash(TSR_HASH_SHA256, b->transcript_bytes.ptr, b->transcript_bytes.len,
		  b->salt),
	    "SHA-256");
}

/* Every IssuerSignedItemBytes: the tag-24 items of issuerSigned.nameSpaces. */
static void
prepare_items(bench_t *b, const tsr_cbor_item_t *issuer_signed)
{
	const tsr_cbor_item_t *nss = need(tsr_cbor_map_find_tstr(issuer_signed, "nameSpaces"),
	    "no nameSpaces");

	for (size_t i = 0; i < nss->u.list.count; i++) {
		const tsr_cbor_item_t *list = tsr_cbor_map_value(nss, i);

		for (size_t j = 0; j < list->u.list.count && b->n_items < MAX_ITEMS; j++) {
			const tsr_cbor_item_t *item = array_at(list, j, "IssuerSignedItemBytes");
			tsr_cbor_doc_t *isi = NULL;
			char *name = NULL;

			check(tsr_cbor_decode_embedded(item, NULL, &isi), "IssuerSignedItem");
			check(tsr_cbor_tstr_dup(tsr_cbor_map_find_tstr(tsr_cbor_doc_root(isi),
					  "elementIdentifier"),
				  &name),
			    "elementIdentifier");
			tsr_cbor_doc_free(isi);
			b->items[b->n_items] = item->raw;
			b->item_names[b->n_items++] = name;
		}
	}
}

static void
prepare(bench_t *b, const char *dir)
{
	const tsr_cbor_item_t *document, *issuer_signed;

	load(dir, "device_response.cbor", &b->response);
	load(dir, "session_transcript_bytes.cbor", &b->transcript_bytes);
	load(dir, "iaca_cert.pem", &b->iaca);
	load(dir, "ephemeral_reader_key.pem", &b->reader_key_pem);
	load(dir, "static_device_key.pem", &b->device_key_pem);
	check(tsr_time_parse(VERIFY_AT, &b->now), "time");

	check(tsr_verifier_new(&b->verifier), "verifier");
	check(tsr_verifier_add_trust_anchor(b->verifier, b->iaca.ptr, b->iaca.len), "IACA");
	check(tsr_verifier_set_transcript(b->verifier, b->transcript_bytes.ptr,
		  b->transcript_bytes.len),
	    "transcript");
	check(tsr_verifier_set_reader_key(b->verifier, b->reader_key_pem.ptr,
		  b->reader_key_pem.len),
	    "reader key");
	tsr_verifier_set_time(b->verifier, b->now);

	check(tsr_cbor_decode(b->response.ptr, b->response.len, NULL, &b->doc),
	    "device_response.cbor");
	document = array_at(need(tsr_cbor_map_find_tstr(tsr_cbor_doc_root(b->doc), "documents"),
				"no documents"),
	    0, "documents");
	issuer_signed = need(tsr_cbor_map_find_tstr(document, "issuerSigned"), "no issuerSigned");
	prepare_issuer_auth(b, need(tsr_cbor_map_find_tstr(issuer_signed, "issuerAuth"),
				   "no issuerAuth"));
	prepare_device_mac(b, document);
	prepare_items(b, issuer_signed);

	/* The inputs must be the real ones: check what verification would. */
	check(op_verify(b), "the Annex D response does not verify");
	check(op_ecdsa_issuer_auth(b), "issuerAuth signature");
	check(op_x509_chain(b), "DS certificate chain");
	check(op_ecdh(b), "ECDH");
	check(op_hkdf(b), "HKDF");
	check(op_hmac(b), "HMAC");
	if (b->device_mac_tag.len != 32 || memcmp(b->mac, b->device_mac_tag.ptr, 32) != 0)
		die("deviceMac", "recomputed tag differs from the response's");
}

static void
row(const char *label, size_t bytes, double seconds)
{
	char text[128];

	if (bytes > 0)
		snprintf(text, sizeof(text), "%s (%zu B)", label, bytes);
	else
		snprintf(text, sizeof(text), "%s", label);
	printf("  %-58s %8.4f ms\n", text, seconds * 1e3);
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: bench-verify [-n N] [ANNEX_D_DIR]\n"
		   "  -n N    verifications to time (default 2000)\n"
		   "  ANNEX_D_DIR defaults to %s\n",
	    ANNEX_D_DIR);
}

int
main(int argc, char **argv)
{
	static measure_t m[MAX_MEASURES];
	bench_t b = { 0 };
	unsigned long n = 2000, per_round, fast;
	const char *dir = ANNEX_D_DIR;
	measure_t *verify, *x;
	size_t count = 0, first_extra;
	double sum = 0;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "hn:")) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != 0 || n == 0 || n > 100000000UL) {
				fprintf(stderr, "bench-verify: -n: '%s' is not a count\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		dir = argv[optind];
	prepare(&b, dir);
	per_round = n / ROUNDS ? n / ROUNDS : 1;
	fast = per_round * 20; /* cheap primitives get more calls for a steady mean */

	verify = add(m, &count, "verify", op_verify, per_round, false);
	add(m, &count, "ECDSA P-256 verify, issuerAuth Sig_structure", op_ecdsa_issuer_auth,
	    per_round, true)->bytes = b.sig_structure_len;
	add(m, &count, "X.509 chain DS -> IACA (incl. 1 ECDSA verify)", op_x509_chain, per_round,
	    true);
	add(m, &count, "ECDH P-256 (EReaderKey x SDeviceKey)", op_ecdh, per_round, true);
	x = add(m, &count, "SHA-256 SessionTranscriptBytes (HKDF salt)", op_sha256, fast, true);
	x->input.ptr = b.transcript_bytes.ptr;
	x->bytes = x->input.len = b.transcript_bytes.len;
	add(m, &count, "HKDF-SHA-256 -> EMacKey", op_hkdf, fast, true);
	add(m, &count, "HMAC-SHA-256 deviceMac, MAC_structure", op_hmac, fast, true)->bytes =
	    b.mac_structure_len;
	for (size_t i = 0; i < b.n_items; i++) {
		x = add(m, &count, "", op_sha256, fast, true);
		snprintf(x->label, sizeof(x->label), "SHA-256 IssuerSignedItemBytes %s",
		    b.item_names[i]);
		x->input = b.items[i];
		x->bytes = b.items[i].len;
	}
	first_extra = count;
	x = add(m, &count, "SHA-256 over the whole response", op_sha256, fast, false);
	x->input.ptr = b.response.ptr;
	x->bytes = x->input.len = b.response.len;
	add(m, &count, "strict CBOR decode of the whole response", op_cbor_decode, per_round,
	    false)->bytes = b.response.len;
	add(m, &count, "X.509 parse of the DS certificate", op_x509_parse, per_round,
	    false)->bytes = b.x5chain.len;

	printf("Annex D DeviceResponse (%zu B), 1 mDL, %zu elements, deviceMac; verified at %s\n",
	    b.response.len, b.n_items, VERIFY_AT);
	printf("%d rounds of %lu verifications, each followed by its primitives; every figure\n"
	       "is the mean of its fastest round.\n",
	    ROUNDS, per_round);
	run_rounds(&b, m, count);

	printf("\nverify (public API): %.4f ms per verify, %.0f responses/s\n",
	    verify->best * 1e3, 1.0 / verify->best);
	printf("\nprimitives verification performs (per call):\n");
	for (size_t i = 0; i < first_extra; i++) {
		if (!m[i].in_sum)
			continue;
		row(m[i].label, m[i].bytes, m[i].best);
		sum += m[i].best;
	}
	row("sum", 0, sum);
	/* What is left is CBOR decoding, checks and result building; near 0
	 * it drowns in the timing noise of the primitives. */
	printf("\nverify / sum of its primitives: %.2f (verify - sum: %+.4f ms)\n",
	    verify->best / sum, (verify->best - sum) * 1e3);
	printf("\nfor comparison (not in the sum):\n");
	for (size_t i = first_extra; i < count; i++)
		row(m[i].label, m[i].bytes, m[i].best);

	for (size_t i = 0; i < b.n_items; i++)
		free(b.item_names[i]);
	free(b.sig_structure);
	free(b.mac_structure);
	tsr_x509_free(b.chain);
	tsr_x509_free(b.anchors);
	tsr_ec_key_free(b.reader_key);
	tsr_cbor_doc_free(b.doc);
	tsr_verifier_free(b.verifier);
	free(b.response.ptr);
	free(b.transcript_bytes.ptr);
	free(b.iaca.ptr);
	tsr_free_secret(b.reader_key_pem.ptr, b.reader_key_pem.len);
	tsr_free_secret(b.device_key_pem.ptr, b.device_key_pem.len);
	return 0;
}
