/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera-issuer issue`: one credential (or a batch) for device keys. */

#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#define MAX_KEY_FILES 64

static const char issue_usage[] =
    "Usage: tessera-issuer issue --pki DIR --doctype DOCTYPE --claims FILE\n"
    "                            --device-key FILE [--device-key FILE ...] --out FILE\n"
    "                            [--signed TIME] [--valid-from TIME] [--valid-until TIME]\n"
    "                            [--expected-update TIME] [--digest SHA-256|SHA-384|SHA-512]\n"
    "                            [--status-list URI --status-index N]\n"
    "                            [--format issuer-signed|document] [--batch N]\n"
    "                            [--allow-unknown]\n"
    "\n"
    "Issue an ISO/IEC 18013-5 credential signed by DIR/ds.pem with DIR/ds_key.pem.\n"
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
    "      --require-attestation, --tpm-ca DIR\n"
    "                            accept only TPM-attested device keys (not available yet)\n"
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
	OPT_ATTESTATION,
	OPT_PKCS11,
};

typedef struct issue_opts {
	const char *pki, *claims, *out;
	const char *key_files[MAX_KEY_FILES];
	size_t n_key_files;
	uint64_t batch;
	bool has_batch, has_status_index, force;
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
		{ "require-attestation", no_argument, NULL, OPT_ATTESTATION },
		{ "tpm-ca", required_argument, NULL, OPT_ATTESTATION },
		{ "pkcs11-module", required_argument, NULL, OPT_PKCS11 },
		{ "token", required_argument, NULL, OPT_PKCS11 },
		{ "pin-file", required_argument, NULL, OPT_PKCS11 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	tsr_issue_params_t *p = &o->params;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:d:c:k:o:h", longopts, NULL)) != -1) {
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
		case OPT_ATTESTATION:
			/* Hook: attested provisioning. With the TPM attestation library,
			 * --device-key may be a provisioning response; it is verified
			 * against --tpm-ca (TPM2_Certify chain, nonce from `challenge`)
			 * before its keys reach tsr_device_keys_add(). */
			cli_error("--require-attestation", "attested provisioning is not "
			    "available in this build yet");
			return -1;
		case OPT_PKCS11:
			cli_error("--pkcs11-module", "a DS key on a PKCS#11 token is not "
			    "available in this build yet");
			return -1;
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
	return 0;
}

int
cli_cmd_issue(int argc, char **argv)
{
	issue_opts_t o;
	tsr_issuer_t *issuer = NULL;
	tsr_claims_t *claims = NULL;
	tsr_device_keys_t *keys = NULL;
	uint8_t *cert = NULL, *key = NULL, *json = NULL, *data = NULL, *out = NULL;
	size_t cert_len = 0, key_len = 0, json_len = 0, data_len = 0, out_len = 0, n_keys;
	char *error = NULL, *report = NULL;
	int err, status = CLI_EXIT_USAGE;

	memset(&o, 0, sizeof(o));
	if ((err = parse_args(argc, argv, &o)) != 0)
		return err > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	if (cli_read_in_dir(o.pki, "ds.pem", &cert, &cert_len) < 0 ||
	    cli_read_in_dir(o.pki, "ds_key.pem", &key, &key_len) < 0)
		goto out;
	if ((err = tsr_issuer_new(cert, cert_len, key, key_len, &issuer)) != TSR_OK) {
		cli_error(o.pki, "cannot use ds.pem / ds_key.pem: %s", tsr_strerror(err));
		goto out;
	}
	if (cli_read_file(o.claims, CLI_MAX_INPUT, &json, &json_len) < 0)
		goto out;
	if ((err = tsr_claims_from_json((const char *)json, json_len, &claims, &error)) !=
	    TSR_OK) {
		cli_error(o.claims, "%s", error ? error : tsr_strerror(err));
		goto out;
	}
	if ((err = tsr_device_keys_new(&keys)) != TSR_OK)
		goto out;
	for (size_t i = 0; i < o.n_key_files; i++) {
		if (cli_read_file(o.key_files[i], CLI_MAX_INPUT, &data, &data_len) < 0)
			goto out;
		err = tsr_device_keys_add(keys, data, data_len);
		cli_free_data(data, data_len);
		data = NULL;
		if (err != TSR_OK) {
			cli_error(o.key_files[i], "not a usable device key (SPKI, certificate, JWK "
			    "or COSE_Key): %s", tsr_strerror(err));
			goto out;
		}
	}
	n_keys = tsr_device_keys_count(keys);
	if (!o.has_batch && n_keys != 1) {
		cli_error("--device-key", "%zu keys given; use --batch %zu to issue one "
		    "credential per key", n_keys, n_keys);
		goto out;
	}
	if (o.has_batch && n_keys != o.batch) {
		cli_error("--batch", "%llu credentials need %llu device keys, got %zu",
		    (unsigned long long)o.batch, (unsigned long long)o.batch, n_keys);
		goto out;
	}
	if (o.has_batch) {
		err = tsr_issuer_issue_batch(issuer, &o.params, claims, keys, &out, &out_len,
		    &report);
	} else {
		const uint8_t *k;
		size_t k_len;

		if ((err = tsr_device_keys_get(keys, 0, &k, &k_len)) == TSR_OK)
			err = tsr_issuer_issue(issuer, &o.params, claims, k, k_len, &out, &out_len,
			    &report);
	}
	if (err == TSR_ERR_INVALID_ARGUMENT && report != NULL) {
		cli_print_report("refusing to issue; nothing written", report);
		status = CLI_EXIT_REFUSED;
		goto out;
	}
	if (err != TSR_OK) {
		cli_error("issue", "%s", tsr_strerror(err));
		goto out;
	}
	if (cli_write_file(o.out, out, out_len, 0644, o.force) < 0)
		goto out;
	if (o.has_batch)
		printf("Issued %zu %s credentials to %s\n", n_keys, o.params.doc_type, o.out);
	else
		printf("Issued %s to %s\n", o.params.doc_type, o.out);
	status = CLI_EXIT_OK;
out:
	tsr_free(error);
	tsr_free(report);
	if (out != NULL) {
		explicit_bzero(out, out_len);
		tsr_free(out);
	}
	cli_free_data(cert, cert_len);
	cli_free_data(key, key_len);
	cli_free_data(json, json_len);
	cli_free_data(data, data_len);
	tsr_device_keys_free(keys);
	tsr_claims_free(claims);
	tsr_issuer_free(issuer);
	return status;
}
