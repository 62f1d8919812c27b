/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera-issuer issue`: one credential (or a batch) for device keys. */

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <tessera/attest.h>
#include <tessera/issuer.h>
#include <tessera/tessera.h>

#define MAX_KEY_FILES 64
/* A pending state is ~1 KiB; its request at most 64 KiB. */
#define MAX_PENDING ((size_t)80 * 1024)
#define MAX_EVIDENCE ((size_t)64 * 1024)
/* What a used pending file holds instead of its secret. */
#define PENDING_USED "tessera-issuer: used pending state"

static const char issue_usage[] =
    "Usage: tessera-issuer issue --pki DIR --doctype DOCTYPE --claims FILE\n"
    "                            --device-key FILE [--device-key FILE ...] --out FILE\n"
    "                            [--signed TIME] [--valid-from TIME] [--valid-until TIME]\n"
    "                            [--expected-update TIME] [--digest SHA-256|SHA-384|SHA-512]\n"
    "                            [--status-list URI --status-index N]\n"
    "                            [--format issuer-signed|document] [--batch N]\n"
    "                            [--allow-unknown] [--pin-file FILE]\n"
    "       tessera-issuer issue ... --device-key RESPONSE --pending FILE\n"
    "                            [--require-attestation]\n"
    "\n"
    "Issue an ISO/IEC 18013-5 credential signed by DIR/ds.pem with DIR/ds_key.pem,\n"
    "or with the PKCS#11 token key that DIR/ds_key.p11 names.\n"
    "DOCTYPE is org.iso.18013.5.1.mDL, eu.europa.ec.eudi.pid.1, eu.europa.ec.av.1\n"
    "(checked against their data element tables) or any other docType (then every\n"
    "element is unknown: --allow-unknown is needed).\n"
    "\n"
    "Options:\n"
    "  -p, --pki DIR             directory with ds.pem and ds_key.pem (from init)\n"
    "  -d, --doctype DOCTYPE     the docType\n"
    "  -c, --claims FILE         claims JSON: namespace -> element -> value; typed\n"
    "                            values {\"$full-date\": \"YYYY-MM-DD\"},\n"
    "                            {\"$tdate\": \"YYYY-MM-DDThh:mm:ssZ\"}, {\"$bytes\": \"hex\"},\n"
    "                            {\"$b64\": \"base64\"}\n"
    "  -k, --device-key FILE     the holder's public key: SPKI PEM/DER, certificate,\n"
    "                            JWK or JWK Set, COSE_Key or array of COSE_Keys;\n"
    "                            repeat for a batch\n"
    "  -o, --out FILE            where to write the CBOR (never partially)\n"
    "      --signed TIME         validityInfo.signed (default: now)\n"
    "      --valid-from TIME     (default: signed)\n"
    "      --valid-until TIME    (default: validFrom + 365 days; within the DS certificate)\n"
    "      --expected-update TIME\n"
    "      --digest ALG          SHA-256 (default), SHA-384 or SHA-512\n"
    "      --status-list URI     add MSO status.status_list {idx, uri} (2nd edition)\n"
    "      --status-index N      its idx (a batch uses N, N+1, ...)\n"
    "      --format FORMAT       issuer-signed (default): IssuerSigned {nameSpaces,\n"
    "                            issuerAuth}; document: Document without deviceSigned\n"
    "      --batch N             issue N single-use credentials, one per device key\n"
    "                            (N keys in total); output: a CBOR array\n"
    "      --allow-unknown       accept elements and namespaces not in the doctype table\n"
    "      --force               replace an existing output file\n"
    "      --pin-file FILE       the token's user PIN when the DS key is on a PKCS#11\n"
    "                            token (default: $TESSERA_PIN)\n"
    "\n"
    "Attested provisioning (docs/provisioning.md):\n"
    "  -P, --pending FILE        the pending state `tessera-issuer challenge` wrote;\n"
    "                            --device-key is then the wallet's response\n"
    "                            (`tessera wallet provision-respond`). The TPM\n"
    "                            attestation must verify (every failing check is\n"
    "                            named); one credential per attested key (N keys: a\n"
    "                            batch of N). The pending state is then marked used:\n"
    "                            a response is good for one issue.\n"
    "      --require-attestation refuse device keys that are not proven TPM-resident\n"
    "                            (a plain public key is refused)\n"
    "  -h, --help                show this help and exit\n"
    "\n"
    "Exit status: 0 issued, 1 refused (every violated rule is listed), 2 usage or\n"
    "input error.\n";

enum {
	OPT_SIGNED = 256,
	OPT_VALID_FROM,
	OPT_VALID_UNTIL,
	OPT_EXPECTED_UPDATE,
	OPT_DIGEST,
	OPT_STATUS_LIST,
	OPT_STATUS_INDEX,
	OPT_FORMAT,
	OPT_BATCH,
	OPT_ALLOW_UNKNOWN,
	OPT_FORCE,
	OPT_REQUIRE_ATTESTATION,
	OPT_TPM_CA,
	OPT_PKCS11,
	OPT_PIN_FILE,
};

typedef struct issue_opts {
	const char *pki, *claims, *out, *pending, *pin_file;
	const char *key_files[MAX_KEY_FILES];
	size_t n_key_files;
	uint64_t batch;
	bool has_batch, has_status_index, force, require_attestation;
	tsr_issue_params_t params;
} issue_opts_t;

static int
parse_args(int argc, char **argv, issue_opts_t *o)
{
	static const struct option longopts[] = {
		{ "pki", required_argument, NULL, 'p' },
		{ "doctype", required_argument, NULL, 'd' },
		{ "claims", required_argument, NULL, 'c' },
		{ "device-key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "signed", required_argument, NULL, OPT_SIGNED },
		{ "valid-from", required_argument, NULL, OPT_VALID_FROM },
		{ "valid-until", required_argument, NULL, OPT_VALID_UNTIL },
		{ "expected-update", required_argument, NULL, OPT_EXPECTED_UPDATE },
		{ "digest", required_argument, NULL, OPT_DIGEST },
		{ "status-list", required_argument, NULL, OPT_STATUS_LIST },
		{ "status-index", required_argument, NULL, OPT_STATUS_INDEX },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "allow-unknown", no_argument, NULL, OPT_ALLOW_UNKNOWN },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "pending", required_argument, NULL, 'P' },
		{ "require-attestation", no_argument, NULL, OPT_REQUIRE_ATTESTATION },
		{ "tpm-ca", required_argument, NULL, OPT_TPM_CA },
		{ "pkcs11-module", required_argument, NULL, OPT_PKCS11 },
		{ "token", required_argument, NULL, OPT_PKCS11 },
		{ "pin-file", required_argument, NULL, OPT_PIN_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	tsr_issue_params_t *p = &o->params;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:d:c:k:o:P:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->pki = optarg;
			break;
		case 'd':
			p->doc_type = optarg;
			break;
		case 'c':
			o->claims = optarg;
			break;
		case 'k':
			if (o->n_key_files == MAX_KEY_FILES) {
				cli_error("--device-key", "at most %d files (put several keys in one "
				    "file: a JWK Set, a CBOR array or several PEM blocks)",
				    MAX_KEY_FILES);
				return -1;
			}
			o->key_files[o->n_key_files++] = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case OPT_SIGNED:
			if (cli_parse_time("--signed", optarg, &p->signed_at) < 0)
				return -1;
			break;
		case OPT_VALID_FROM:
			if (cli_parse_time("--valid-from", optarg, &p->valid_from) < 0)
				return -1;
			break;
		case OPT_VALID_UNTIL:
			if (cli_parse_time("--valid-until", optarg, &p->valid_until) < 0)
				return -1;
			break;
		case OPT_EXPECTED_UPDATE:
			if (cli_parse_time("--expected-update", optarg, &p->expected_update) < 0)
				return -1;
			break;
		case OPT_DIGEST:
			if (strcmp(optarg, "SHA-256") != 0 && strcmp(optarg, "SHA-384") != 0 &&
			    strcmp(optarg, "SHA-512") != 0) {
				cli_error("--digest", "expected SHA-256, SHA-384 or SHA-512");
				return -1;
			}
			p->digest_alg = optarg;
			break;
		case OPT_STATUS_LIST:
			p->status_uri = optarg;
			break;
		case OPT_STATUS_INDEX:
			if (cli_parse_uint("--status-index", optarg, 0, UINT32_MAX, &p->status_idx) < 0)
				return -1;
			o->has_status_index = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "issuer-signed") == 0) {
				p->format = TSR_ISSUE_ISSUER_SIGNED;
			} else if (strcmp(optarg, "document") == 0) {
				p->format = TSR_ISSUE_DOCUMENT;
			} else {
				cli_error("--format", "expected issuer-signed or document");
				return -1;
			}
			break;
		case OPT_BATCH:
			if (cli_parse_uint("--batch", optarg, 1, 10000, &o->batch) < 0)
				return -1;
			o->has_batch = true;
			break;
		case OPT_ALLOW_UNKNOWN:
			p->allow_unknown = true;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'P':
			o->pending = optarg;
			break;
		case OPT_REQUIRE_ATTESTATION:
			o->require_attestation = true;
			break;
		case OPT_TPM_CA:
			/* The EK certificate travels in the request, which only
			 * `challenge` sees; the pending state vouches for it after. */
			cli_error("--tpm-ca", "give the TPM manufacturer CAs to `tessera-issuer "
			    "challenge`: the endorsement-key certificate is checked when the "
			    "challenge is made");
			return -1;
		case OPT_PKCS11:
			cli_error(argv[optind - 1], "is an option of `init`; `issue` finds the "
			    "token in DIR/ds_key.p11 (give its PIN with --pin-file)");
			return -1;
		case OPT_PIN_FILE:
			o->pin_file = optarg;
			break;
		case 'h':
			fputs(issue_usage, stdout);
			return 1;
		default:
			cli_bad_option(argv, c);
			fputs(issue_usage, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		cli_error(argv[optind], "unexpected argument");
		return -1;
	}
	if (o->pki == NULL || p->doc_type == NULL || o->claims == NULL || o->n_key_files == 0 ||
	    o->out == NULL) {
		cli_error("issue", "--pki, --doctype, --claims, --device-key and --out are required");
		fputs(issue_usage, stderr);
		return -1;
	}
	if (o->has_status_index != (p->status_uri != NULL)) {
		cli_error("issue", "--status-list and --status-index go together");
		return -1;
	}
	if (o->pending != NULL && o->n_key_files != 1) {
		cli_error("--pending", "goes with exactly one --device-key: the wallet's "
		    "provisioning response");
		return -1;
	}
	return 0;
}

/* --- Attested provisioning --- */

/* A pending state file, locked against a concurrent issue with the same one. */
typedef struct pending_file {
	int fd;
	uint8_t *data;
	size_t len;
	bool used; /* marked used by this run */
} pending_file_t;

static void
pending_close(pending_file_t *pf)
{
	if (pf->fd >= 0)
		close(pf->fd); /* drops the lock */
	cli_free_data(pf->data, pf->len);
	pf->fd = -1;
	pf->data = NULL;
	pf->len = 0;
}

/* 0 ok, -1 usage/I-O error, 1 refused (already used). */
static int
pending_open(const char *path, pending_file_t *pf)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	ssize_t n;

	if ((pf->fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		cli_error(path, "%s", strerror(errno));
		return -1;
	}
	if (flock(pf->fd, LOCK_EX | LOCK_NB) != 0) {
		cli_error(path, "in use by another tessera-issuer");
		return -1;
	}
	if ((buf = malloc(MAX_PENDING + 1)) == NULL) {
		cli_error(path, "out of memory");
		return -1;
	}
	while (len <= MAX_PENDING) {
		n = read(pf->fd, buf + len, MAX_PENDING + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cli_error(path, "%s", strerror(errno));
			cli_free_data(buf, MAX_PENDING + 1);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > MAX_PENDING) {
		cli_error(path, "too large for a pending state");
		cli_free_data(buf, MAX_PENDING + 1);
		return -1;
	}
	pf->data = buf;
	pf->len = len;
	if (len >= sizeof(PENDING_USED) - 1 &&
	    memcmp(buf, PENDING_USED, sizeof(PENDING_USED) - 1) == 0) {
		cli_error(path, "this challenge was already used to issue credentials; a "
		    "provisioning response is good for one issue (a replayed response?). "
		    "Make a new challenge");
		return 1;
	}
	return 0;
}

static int
pending_rewrite(pending_file_t *pf, const char *path, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t off = 0;

	if (ftruncate(pf->fd, 0) != 0 || lseek(pf->fd, 0, SEEK_SET) != 0)
		goto fail;
	while (off < len) {
		ssize_t n = write(pf->fd, p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(pf->fd) != 0)
		goto fail;
	return 0;
fail:
	cli_error(path, "%s", strerror(errno ? errno : EIO));
	return -1;
}

/* Replaces the secret with a marker: the response cannot be used again. */
static int
pending_mark_used(pending_file_t *pf, const char *path)
{
	char marker[128], when[32];

	if (tsr_time_format(tsr_clock_now(), when) != TSR_OK)
		strcpy(when, "?");
	snprintf(marker, sizeof(marker), "%s (%s)\n", PENDING_USED, when);
	if (pending_rewrite(pf, path, marker, strlen(marker)) < 0)
		return -1;
	pf->used = true;
	return 0;
}

/* After a failed write of the credentials: make the state usable again. */
static void
pending_restore(pending_file_t *pf, const char *path)
{
	if (pf->used && pending_rewrite(pf, path, pf->data, pf->len) == 0)
		pf->used = false;
}

/* Whether a file that is not a key looks like a provisioning response. */
static bool
looks_like_evidence(const uint8_t *data, size_t len)
{
	static const char key[] = "certifications";

	return len > 0 && (data[0] & 0xe0) == 0xa0 &&
	    memmem(data, len, key, sizeof(key) - 1) != NULL;
}

/*
 * Verifies the response against the pending state and adds the attested
 * keys. Returns 0, 1 when refused (reasons printed), -1 on other errors.
 */
static int
attested_keys(const issue_opts_t *o, const pending_file_t *pf, tsr_device_keys_t *keys,
    tsr_attest_result_t **ret_result)
{
	tsr_attest_result_t *result = NULL;
	uint8_t *evidence = NULL;
	size_t evidence_len = 0;
	uint32_t flags = 0;
	int err, r = -1;

	if (cli_read_file(o->key_files[0], MAX_EVIDENCE, &evidence, &evidence_len) < 0)
		return -1;
	/* The challenge's lifetime runs on the clock, whatever --signed says. */
	err = tsr_attest_evidence_verify(pf->data, pf->len, evidence, evidence_len,
	    tsr_clock_now(), &result, &flags);
	if (err == TSR_ERR_VERIFY) {
		cli_print_attest_flags("refusing to issue, the TPM attestation does not verify; "
		    "nothing written", flags);
		r = 1;
		goto out;
	}
	if (err != TSR_OK) {
		/* Which of the two is malformed cannot be told apart here. */
		cli_error(o->key_files[0], "not a provisioning response for the challenge of "
		    "%s: %s", o->pending, tsr_strerror(err));
		goto out;
	}
	for (size_t i = 0; i < tsr_attest_result_key_count(result); i++) {
		const uint8_t *k;
		size_t k_len;

		if ((err = tsr_attest_result_key(result, i, &k, &k_len)) != TSR_OK ||
		    (err = tsr_device_keys_add(keys, k, k_len)) != TSR_OK) {
			cli_error(o->key_files[0], "attested key %zu: %s", i, tsr_strerror(err));
			goto out;
		}
	}
	printf("TPM attestation verified: %zu device key%s (EK certificate from ",
	    tsr_attest_result_key_count(result),
	    tsr_attest_result_key_count(result) == 1 ? "" : "s");
	fputs(tsr_attest_result_ek_issuer(result), stdout);
	fputs(")\n", stdout);
	*ret_result = result;
	result = NULL;
	r = 0;
out:
	tsr_attest_result_free(result);
	cli_free_data(evidence, evidence_len);
	return r;
}

/* Reads the plain device keys of every --device-key file. */
static int
plain_keys(const issue_opts_t *o, tsr_device_keys_t *keys)
{
	uint8_t *data = NULL;
	size_t data_len = 0;
	int err;

	for (size_t i = 0; i < o->n_key_files; i++) {
		if (cli_read_file(o->key_files[i], CLI_MAX_INPUT, &data, &data_len) < 0)
			return -1;
		err = tsr_device_keys_add(keys, data, data_len);
		if (err != TSR_OK && looks_like_evidence(data, data_len)) {
			cli_error(o->key_files[i], "a provisioning response: give the pending "
			    "state of its challenge with --pending");
		} else if (err != TSR_OK) {
			cli_error(o->key_files[i], "not a usable device key (SPKI, certificate, JWK "
			    "or COSE_Key): %s", tsr_strerror(err));
		}
		cli_free_data(data, data_len);
		if (err != TSR_OK)
			return -1;
	}
	return 0;
}

int
cli_cmd_issue(int argc, char **argv)
{
	issue_opts_t o;
	pending_file_t pf = { .fd = -1 };
	cli_ds_t *ds = NULL;
	tsr_claims_t *claims = NULL;
	tsr_device_keys_t *keys = NULL;
	tsr_attest_result_t *attested = NULL;
	uint8_t *json = NULL, *out = NULL;
	size_t json_len = 0, out_len = 0, n_keys;
	char *error = NULL, *report = NULL;
	bool batch;
	int err, status = CLI_EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	if ((err = parse_args(argc, argv, &o)) != 0)
		return err > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if ((err = tsr_device_keys_new(&keys)) != TSR_OK)
		goto out;
	if (o.pending == NULL) {
		if (plain_keys(&o, keys) < 0)
			goto out;
		if (o.require_attestation) {
			cli_error("--require-attestation", "refusing to issue; nothing written: "
			    "%s %s plain public key%s, with no proof that %s in a TPM. Attested "
			    "provisioning: the wallet runs `tessera wallet provision-request`, "
			    "the issuer `tessera-issuer challenge`, the wallet `tessera wallet "
			    "provision-respond`, then `issue --device-key RESPONSE --pending FILE`",
			    o.n_key_files == 1 ? o.key_files[0] : "--device-key",
			    tsr_device_keys_count(keys) == 1 ? "is a" : "holds",
			    tsr_device_keys_count(keys) == 1 ? "" : "s",
			    tsr_device_keys_count(keys) == 1 ? "it lives" : "they live");
			status = CLI_EXIT_REFUSED;
			goto out;
		}
	}
	if (cli_ds_open(o.pki, o.pin_file, &ds) < 0)
		goto out;
	if (cli_read_file(o.claims, CLI_MAX_INPUT, &json, &json_len) < 0)
		goto out;
	if ((err = tsr_claims_from_json((const char *)json, json_len, &claims, &error)) !=
	    TSR_OK) {
		cli_error(o.claims, "%s", error ? error : tsr_strerror(err));
		goto out;
	}
	if (o.pending != NULL) {
		if ((err = pending_open(o.pending, &pf)) != 0) {
			status = err > 0 ? CLI_EXIT_REFUSED : CLI_EXIT_USAGE;
			goto out;
		}
		if ((err = attested_keys(&o, &pf, keys, &attested)) != 0) {
			status = err > 0 ? CLI_EXIT_REFUSED : CLI_EXIT_USAGE;
			goto out;
		}
	}
	n_keys = tsr_device_keys_count(keys);
	/* A response proving N keys asks for N credentials, one per key. */
	batch = o.has_batch || (attested != NULL && n_keys > 1);
	if (!batch && n_keys != 1) {
		cli_error("--device-key", "%zu keys given; use --batch %zu to issue one "
		    "credential per key", n_keys, n_keys);
		goto out;
	}
	if (o.has_batch && n_keys != o.batch) {
		cli_error("--batch", "%llu credentials need %llu device keys, got %zu",
		    (unsigned long long)o.batch, (unsigned long long)o.batch, n_keys);
		goto out;
	}
	if (batch) {
		err = tsr_issuer_issue_batch(cli_ds_issuer(ds), &o.params, claims, keys, &out,
		    &out_len, &report);
	} else {
		const uint8_t *k;
		size_t k_len;

		if ((err = tsr_device_keys_get(keys, 0, &k, &k_len)) == TSR_OK)
			err = tsr_issuer_issue(cli_ds_issuer(ds), &o.params, claims, k, k_len, &out,
			    &out_len, &report);
	}
	if (err == TSR_ERR_INVALID_ARGUMENT && report != NULL) {
		cli_print_report("refusing to issue; nothing written", report);
		status = CLI_EXIT_REFUSED;
		goto out;
	}
	if (err != TSR_OK) {
		cli_error("issue", "%s", tsr_strerror(err));
		cli_ds_explain(ds, err);
		goto out;
	}
	if (attested != NULL) {
		/* Belt and braces: every key signed for is an attested one. */
		for (size_t i = 0; i < n_keys; i++) {
			const uint8_t *k;
			size_t k_len;

			if (tsr_device_keys_get(keys, i, &k, &k_len) != TSR_OK ||
			    !tsr_attest_result_has_key(attested, k, k_len)) {
				cli_error("issue", "internal error: key %zu is not attested", i);
				goto out;
			}
		}
		/* Used before the credentials exist, so that no second run can
		 * issue with it even if this one is interrupted after writing. */
		if (pending_mark_used(&pf, o.pending) < 0)
			goto out;
	}
	if (cli_write_file(o.out, out, out_len, 0644, o.force) < 0) {
		pending_restore(&pf, o.pending);
		goto out;
	}
	if (batch)
		printf("Issued %zu %s credentials to %s", n_keys, o.params.doc_type, o.out);
	else
		printf("Issued %s to %s", o.params.doc_type, o.out);
	if (cli_ds_token(ds) != NULL)
		printf(" (signed on token '%s')", cli_ds_token(ds));
	putchar('\n');
	if (attested != NULL)
		printf("Marked %s used: it cannot issue again\n", o.pending);
	status = CLI_EXIT_OK;
out:
	tsr_free(error);
	tsr_free(report);
	if (out != NULL) {
		explicit_bzero(out, out_len);
		tsr_free(out);
	}
	cli_free_data(json, json_len);
	pending_close(&pf);
	tsr_attest_result_free(attested);
	tsr_device_keys_free(keys);
	tsr_claims_free(claims);
	cli_ds_free(ds);
	return status;
}
