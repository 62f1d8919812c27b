/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera-issuer challenge`: the issuer's answer to a wallet's
 * ProvisioningRequest in attested provisioning (docs/provisioning.md). The
 * EK certificate is checked against the TPM manufacturer CAs here; the
 * wallet's answer is checked by `issue --device-key RESPONSE --pending`. */

#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tessera/attest.h>
#include <tessera/tessera.h>

#define MAX_CERTS 256
#define MAX_REQUEST ((size_t)64 * 1024)

static const char challenge_usage[] =
    "Usage: tessera-issuer challenge --request FILE --tpm-ca CERT|DIR [--tpm-ca ...]\n"
    "                                --out FILE --pending FILE [--valid-for SECONDS]\n"
    "                                [--now TIME] [--force]\n"
    "\n"
    "Attested provisioning, step 2 of 4 (docs/provisioning.md). Check a wallet's\n"
    "provisioning request (`tessera wallet provision-request`): its TPM's\n"
    "endorsement-key certificate must chain to a trusted TPM manufacturer CA, and\n"
    "the attestation key and device keys must have the attributes of TPM-resident\n"
    "keys. Then write a challenge for the wallet (a credential only that TPM can\n"
    "activate, and a nonce) and the pending state the issuer keeps to itself.\n"
    "The wallet answers with `tessera wallet provision-respond`; `tessera-issuer\n"
    "issue --device-key RESPONSE --pending FILE` then verifies the answer and\n"
    "issues to the attested keys.\n"
    "\n"
    "Options:\n"
    "  -r, --request FILE    the wallet's ProvisioningRequest (CBOR)\n"
    "  -a, --tpm-ca CERT|DIR a trusted TPM manufacturer certificate (root or\n"
    "                        intermediate; PEM, possibly several, or DER), or a\n"
    "                        directory whose *.pem, *.der and *.crt files are all\n"
    "                        trusted; repeatable\n"
    "  -o, --out FILE        where to write the challenge for the wallet\n"
    "  -P, --pending FILE    where to write the issuer's pending state: secret\n"
    "                        (mode 0600), good for one issue\n"
    "      --valid-for SECONDS  how long the wallet has to answer (default 3600);\n"
    "                        `issue --pending` refuses a later answer\n"
    "      --now TIME        judge certificate validity at TIME (default: now)\n"
    "      --force           replace existing output files\n"
    "  -h, --help            show this help and exit\n"
    "\n"
    "Exit status: 0 written, 1 refused (every reason is named; nothing written),\n"
    "2 usage, input or I/O error.\n";

/* The wallet answers at once (its TPM takes well under a second), but the
 * files may travel by hand between an offline issuer and the wallet. */
#define DEFAULT_VALID_FOR 3600
/* A challenge a day old is a challenge someone forgot. */
#define MAX_VALID_FOR (24 * 3600)

enum {
	OPT_NOW = 256,
	OPT_FORCE,
	OPT_VALID_FOR,
};

/* --- Reasons --- */

/* A stable identifier for scripts, as the verifier's reason names are. */
static const char *
flag_id(uint32_t flag)
{
	switch (flag) {
	case TSR_ATTEST_EK_UNTRUSTED: return "ek_untrusted";
	case TSR_ATTEST_EK_EXPIRED: return "ek_expired";
	case TSR_ATTEST_EK_UNSUPPORTED: return "ek_unsupported";
	case TSR_ATTEST_AK_ATTRIBUTES: return "ak_attributes";
	case TSR_ATTEST_ACTIVATION: return "activation";
	case TSR_ATTEST_COUNT: return "count";
	case TSR_ATTEST_MALFORMED: return "malformed";
	case TSR_ATTEST_NOT_CERTIFY: return "not_certify";
	case TSR_ATTEST_NONCE: return "nonce";
	case TSR_ATTEST_NAME: return "name";
	case TSR_ATTEST_KEY_ATTRIBUTES: return "key_attributes";
	case TSR_ATTEST_SIGNATURE: return "signature";
	case TSR_ATTEST_CHALLENGE_EXPIRED: return "challenge_expired";
	default: return "unknown";
	}
}

static const char *
flag_text(uint32_t flag)
{
	switch (flag) {
	case TSR_ATTEST_EK_UNTRUSTED:
		return "the TPM's endorsement-key certificate does not chain to a trusted TPM "
		       "manufacturer CA (--tpm-ca)";
	case TSR_ATTEST_EK_EXPIRED:
		return "the endorsement-key certificate or a CA above it is outside its "
		       "validity period";
	case TSR_ATTEST_EK_UNSUPPORTED:
		return "the endorsement key is not an ECC P-256 or P-384 key";
	case TSR_ATTEST_AK_ATTRIBUTES:
		return "the attestation key is not a restricted, fixedTPM ECDSA P-256 signing key";
	case TSR_ATTEST_ACTIVATION:
		return "the activated secret is wrong: the attestation key is not in the TPM "
		       "the challenge was made for (another challenge's answer, or another TPM)";
	case TSR_ATTEST_COUNT:
		return "the response does not certify exactly the requested device keys";
	case TSR_ATTEST_MALFORMED:
		return "a certification (TPMS_ATTEST or signature) cannot be parsed";
	case TSR_ATTEST_NOT_CERTIFY:
		return "a certification is not a TPM-generated TPM2_Certify";
	case TSR_ATTEST_NONCE:
		return "a certification is not over this challenge's nonce";
	case TSR_ATTEST_NAME:
		return "a certification names another key than the requested device key";
	case TSR_ATTEST_KEY_ATTRIBUTES:
		return "a device key is not a fixedTPM, fixedParent, TPM-generated P-256 key";
	case TSR_ATTEST_SIGNATURE:
		return "the attestation key's signature over a certification does not verify";
	case TSR_ATTEST_CHALLENGE_EXPIRED:
		return "the wallet answered after the challenge's lifetime (challenge "
		       "--valid-for); make a new challenge";
	default:
		return "unknown reason";
	}
}

void
cli_print_attest_flags(const char *heading, uint32_t flags)
{
	fprintf(stderr, "tessera-issuer: %s:\n", heading);
	for (unsigned bit = 0; bit < 32; bit++) {
		uint32_t flag = 1u << bit;

		if ((flags & flag) != 0)
			fprintf(stderr, "  - %s (%s): %s\n", tsr_attest_flag_name(flag), flag_id(flag),
			    flag_text(flag));
	}
}

/* --- CA certificates --- */

/* In a directory, PEM files without a certificate (a CA's private key next
 * to its certificate, as swtpm-localca keeps them) are skipped. */
static int
add_cert(const char *path, bool in_dir, uint8_t ***certs, size_t **lens, size_t *n)
{
	static const char begin[] = "-----BEGIN ";
	static const char cert[] = "-----BEGIN CERTIFICATE-----";
	uint8_t **c;
	size_t *l;

	if (*n >= MAX_CERTS) {
		cli_error(path, "more than %d CA certificate files", MAX_CERTS);
		return -1;
	}
	if ((c = realloc(*certs, (*n + 1) * sizeof(*c))) == NULL)
		goto oom;
	*certs = c;
	if ((l = realloc(*lens, (*n + 1) * sizeof(*l))) == NULL)
		goto oom;
	*lens = l;
	if (cli_read_file(path, CLI_MAX_INPUT, &c[*n], &l[*n]) < 0)
		return -1;
	if (in_dir && memmem(c[*n], l[*n], begin, sizeof(begin) - 1) != NULL &&
	    memmem(c[*n], l[*n], cert, sizeof(cert) - 1) == NULL) {
		fprintf(stderr, "tessera-issuer: %s: no certificate in it, skipped\n", path);
		cli_free_data(c[*n], l[*n]);
		return 0;
	}
	(*n)++;
	return 0;
oom:
	cli_error(path, "out of memory");
	return -1;
}

static bool
cert_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 4 && (strcmp(name + len - 4, ".pem") == 0 ||
	    strcmp(name + len - 4, ".der") == 0 || strcmp(name + len - 4, ".crt") == 0);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
cli_read_certs(const char *path, uint8_t ***certs, size_t **lens, size_t *n)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL, *file = NULL;
	size_t n_names = 0, before = *n;
	DIR *d;
	int r = -1;

	if (stat(path, &st) != 0) {
		cli_error(path, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return add_cert(path, false, certs, lens, n);
	if ((d = opendir(path)) == NULL) {
		cli_error(path, "%s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char **grown;

		if (!cert_name(e->d_name))
			continue;
		if (n_names >= MAX_CERTS) {
			cli_error(path, "more than %d certificate files", MAX_CERTS);
			goto out;
		}
		if ((grown = realloc(names, (n_names + 1) * sizeof(*grown))) == NULL ||
		    (grown[n_names] = strdup(e->d_name)) == NULL) {
			if (grown != NULL)
				names = grown;
			cli_error(path, "out of memory");
			goto out;
		}
		names = grown;
		n_names++;
	}
	/* A stable order, for reproducible runs. */
	if (n_names > 0)
		qsort(names, n_names, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n_names; i++) {
		free(file);
		if (asprintf(&file, "%s/%s", path, names[i]) < 0) {
			file = NULL;
			goto out;
		}
		if (add_cert(file, true, certs, lens, n) < 0)
			goto out;
	}
	if (*n == before) {
		cli_error(path, "no certificate (*.pem, *.der or *.crt) in this directory");
		goto out;
	}
	r = 0;
out:
	closedir(d);
	free(file);
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	free(names);
	return r;
}

void
cli_free_certs(uint8_t **certs, size_t *lens, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cli_free_data(certs[i], lens[i]);
	free(certs);
	free(lens);
}

/* --- The command --- */

int
cli_cmd_challenge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "request", required_argument, NULL, 'r' },
		{ "tpm-ca", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "pending", required_argument, NULL, 'P' },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "valid-for", required_argument, NULL, OPT_VALID_FOR },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *request_path = NULL, *out_path = NULL, *pending_path = NULL;
	uint8_t **certs = NULL, *request = NULL, *challenge = NULL, *pending = NULL;
	size_t *lens = NULL, n_certs = 0, request_len = 0, challenge_len = 0, pending_len = 0;
	int64_t now = tsr_clock_now();
	uint64_t valid_for = DEFAULT_VALID_FOR;
	uint32_t flags = 0;
	bool force = false, wrote_pending = false;
	int c, err, status = CLI_EXIT_USAGE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:a:o:P:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			request_path = optarg;
			break;
		case 'a':
			if (cli_read_certs(optarg, &certs, &lens, &n_certs) < 0)
				goto out;
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'P':
			pending_path = optarg;
			break;
		case OPT_NOW:
			if (cli_parse_time("--now", optarg, &now) < 0)
				goto out;
			break;
		case OPT_VALID_FOR:
			if (cli_parse_uint("--valid-for", optarg, 1, MAX_VALID_FOR, &valid_for) < 0)
				goto out;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case 'h':
			fputs(challenge_usage, stdout);
			status = CLI_EXIT_OK;
			goto out;
		default:
			cli_bad_option(argv, c);
			fputs(challenge_usage, stderr);
			goto out;
		}
	}
	if (optind < argc) {
		cli_error(argv[optind], "unexpected argument");
		goto out;
	}
	if (request_path == NULL || n_certs == 0 || out_path == NULL || pending_path == NULL) {
		cli_error("challenge", "--request, --tpm-ca, --out and --pending are required");
		fputs(challenge_usage, stderr);
		goto out;
	}
	if (strcmp(out_path, pending_path) == 0) {
		cli_error("--pending", "must not be the --out file");
		goto out;
	}
	if (!force && (access(out_path, F_OK) == 0 || access(pending_path, F_OK) == 0)) {
		cli_error(access(out_path, F_OK) == 0 ? out_path : pending_path,
		    "exists (use --force to replace it)");
		goto out;
	}
	if (cli_read_file(request_path, MAX_REQUEST, &request, &request_len) < 0)
		goto out;
	err = tsr_attest_challenge_create(request, request_len, (const uint8_t *const *)certs,
	    lens, n_certs, now, (int64_t)valid_for, &challenge, &challenge_len, &pending,
	    &pending_len, &flags);
	if (err == TSR_ERR_VERIFY) {
		cli_print_attest_flags("refusing the provisioning request; nothing written",
		    flags);
		status = CLI_EXIT_REFUSED;
		goto out;
	}
	if (err != TSR_OK) {
		cli_error(request_path, "not a usable provisioning request: %s",
		    tsr_strerror(err));
		goto out;
	}
	/* The secret first: a challenge without it would be useless. */
	if (cli_write_file(pending_path, pending, pending_len, 0600, true) < 0)
		goto out;
	wrote_pending = true;
	if (cli_write_file(out_path, challenge, challenge_len, 0644, true) < 0)
		goto out;
	wrote_pending = false;
	printf("Wrote the challenge to %s and the pending state (keep it secret) to %s\n",
	    out_path, pending_path);
	status = CLI_EXIT_OK;
out:
	if (wrote_pending)
		unlink(pending_path);
	cli_free_certs(certs, lens, n_certs);
	cli_free_data(request, request_len);
	tsr_free(challenge);
	if (pending != NULL) {
		explicit_bzero(pending, pending_len);
		tsr_free(pending);
	}
	return status;
}
