/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera-issuer init`: an IACA root and a Document Signer following
 * ISO/IEC 18013-5 Annex B, and optionally a reader-authentication root and
 * reader certificate. */

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tessera/issuer.h>
#include <tessera/tessera.h>

#define DAY 86400

static const char init_usage[] =
    "Usage: tessera-issuer init --out DIR [--country CC] [--state ST] [--name NAME]\n"
    "                           [--ian URI|EMAIL] [--crl URI] [--not-before TIME]\n"
    "                           [--iaca-days N] [--ds-days N] [--reader] [--force]\n"
    "                           [--pkcs11-module PATH --token LABEL [--pin-file FILE]]\n"
    "\n"
    "Create a test PKI following ISO/IEC 18013-5 Annex B:\n"
    "  iaca.pem, iaca_key.pem   IACA root (CA, pathLen 0, keyCertSign + cRLSign)\n"
    "  ds.pem, ds_key.pem       Document Signer (digitalSignature, EKU 1.0.18013.5.1.2)\n"
    "with --reader also\n"
    "  reader_root.pem          reader-authentication root\n"
    "  reader.pem, reader_key.pem  reader certificate (EKU 1.0.18013.5.1.6)\n"
    "Keys are P-256, written as PKCS#8 PEM with mode 0600. With --pkcs11-module the\n"
    "DS key pair is generated on the token (sensitive, not extractable) and never\n"
    "leaves it: ds_key.p11 names it instead of ds_key.pem (module, token label,\n"
    "CKA_ID; no secret), and `issue` and `status-list` sign on the token. The\n"
    "IACA key stays a file, to be kept offline.\n"
    "\n"
    "Options:\n"
    "  -o, --out DIR          directory to write to (created if missing)\n"
    "  -c, --country CC       ISO 3166-1 alpha-2 country of both subjects (default UT);\n"
    "                         credentials' issuing_country must equal it\n"
    "  -s, --state ST         stateOrProvinceName (issuing_jurisdiction)\n"
    "  -n, --name NAME        issuing authority name (default \"Utopia Test Issuer\")\n"
    "      --ian URI|EMAIL    issuerAltName (default https://issuer.example.org)\n"
    "      --crl URI          CRL distribution point (default\n"
    "                         https://issuer.example.org/crl/iaca.crl)\n"
    "      --not-before TIME  start of validity (default: now)\n"
    "      --iaca-days N      IACA validity, at most 7305 (default 3285, 9 years)\n"
    "      --ds-days N        DS validity, at most 457 (default 457)\n"
    "  -r, --reader           also make a reader root and reader certificate\n"
    "  -f, --force            replace existing files\n"
    "      --pkcs11-module PATH  PKCS#11 module for the DS key, e.g.\n"
    "                         /usr/lib/softhsm/libsofthsm2.so\n"
    "      --token LABEL      the token's label\n"
    "      --pin-file FILE    the token's user PIN (default: $TESSERA_PIN)\n"
    "  -h, --help             show this help and exit\n";

enum {
	OPT_IAN = 256,
	OPT_CRL,
	OPT_NOT_BEFORE,
	OPT_IACA_DAYS,
	OPT_DS_DAYS,
	OPT_PKCS11_MODULE,
	OPT_TOKEN,
	OPT_PIN_FILE,
};

typedef struct out_file {
	const char *name;
	char *data;
	bool secret;
} out_file_t;

static int
make_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			cli_error(dir, "not a directory");
			return -1;
		}
		return 0;
	}
	if (mkdir(dir, 0755) != 0) {
		cli_error(dir, "%s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
free_pem(char *p)
{
	if (p == NULL)
		return;
	explicit_bzero(p, strlen(p));
	tsr_free(p);
}

static int
create(const char *what, tsr_cert_profile_t profile, const tsr_cert_params_t *params,
    const char *ca_cert, const char *ca_key, const uint8_t *subject_key,
    size_t subject_key_len, char **ret_cert, char **ret_key)
{
	int err = tsr_issuer_cert_create(profile, params, (const uint8_t *)ca_cert,
	    ca_cert ? strlen(ca_cert) : 0, (const uint8_t *)ca_key, ca_key ? strlen(ca_key) : 0,
	    subject_key, subject_key_len, ret_cert, ret_key);

	if (err != TSR_OK) {
		cli_error(what, "%s", err == TSR_ERR_INVALID_ARGUMENT ?
		    "invalid parameters (country must be two upper-case letters; validity within "
		    "the Annex B limits and the issuer's validity)" : tsr_strerror(err));
		return -1;
	}
	return 0;
}

int
cli_cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "country", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "ian", required_argument, NULL, OPT_IAN },
		{ "crl", required_argument, NULL, OPT_CRL },
		{ "not-before", required_argument, NULL, OPT_NOT_BEFORE },
		{ "iaca-days", required_argument, NULL, OPT_IACA_DAYS },
		{ "ds-days", required_argument, NULL, OPT_DS_DAYS },
		{ "reader", no_argument, NULL, 'r' },
		{ "force", no_argument, NULL, 'f' },
		{ "pkcs11-module", required_argument, NULL, OPT_PKCS11_MODULE },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "pin-file", required_argument, NULL, OPT_PIN_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *country = "UT", *state = NULL, *name = "Utopia Test Issuer";
	const char *ian = "https://issuer.example.org";
	const char *p11_module = NULL, *p11_token = NULL, *pin_file = NULL;
	const char *crl = "https://issuer.example.org/crl/iaca.crl";
	uint64_t iaca_days = 3285, ds_days = TSR_CERT_DS_MAX_DAYS;
	int64_t now = tsr_clock_now();
	bool reader = false, force = false;
	out_file_t files[7];
	size_t n_files = 0, spki_len = 0;
	cli_p11_key_t *p11_key = NULL;
	uint8_t spki[128];
	char *p11_ref = NULL;
	const char *names[8], *stale;
	size_t n_names = 0;
	tsr_cert_params_t p;
	char cn[512], *iaca = NULL, *iaca_key = NULL, *ds = NULL, *ds_key = NULL;
	char *rroot = NULL, *rroot_key = NULL, *rcert = NULL, *rkey = NULL, *path = NULL;
	int c, status = CLI_EXIT_USAGE;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:c:s:n:rfh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'c':
			country = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case OPT_IAN:
			ian = optarg;
			break;
		case OPT_CRL:
			crl = optarg;
			break;
		case OPT_NOT_BEFORE:
			if (cli_parse_time("--not-before", optarg, &now) < 0)
				return CLI_EXIT_USAGE;
			break;
		case OPT_IACA_DAYS:
			if (cli_parse_uint("--iaca-days", optarg, 1, TSR_CERT_IACA_MAX_DAYS,
			    &iaca_days) < 0)
				return CLI_EXIT_USAGE;
			break;
		case OPT_DS_DAYS:
			if (cli_parse_uint("--ds-days", optarg, 1, TSR_CERT_DS_MAX_DAYS, &ds_days) < 0)
				return CLI_EXIT_USAGE;
			break;
		case OPT_PKCS11_MODULE:
			p11_module = optarg;
			break;
		case OPT_TOKEN:
			p11_token = optarg;
			break;
		case OPT_PIN_FILE:
			pin_file = optarg;
			break;
		case 'r':
			reader = true;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			fputs(init_usage, stdout);
			return CLI_EXIT_OK;
		default:
			cli_bad_option(argv, c);
			fputs(init_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error(argv[optind], "unexpected argument");
		return CLI_EXIT_USAGE;
	}
	if (out == NULL) {
		cli_error("init", "--out DIR is required");
		fputs(init_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if ((p11_module == NULL) != (p11_token == NULL) ||
	    (pin_file != NULL && p11_module == NULL)) {
		cli_error("init", "a DS key on a token needs --pkcs11-module and --token "
		    "(and the PIN: --pin-file or TESSERA_PIN)");
		return CLI_EXIT_USAGE;
	}
	if (iaca_days * DAY <= ds_days * DAY) {
		cli_error("--iaca-days", "the IACA must outlive the DS (%llu days)",
		    (unsigned long long)ds_days);
		return CLI_EXIT_USAGE;
	}

	/* Refuse before making anything (a key on a token is a side effect). */
	names[n_names++] = "iaca.pem";
	names[n_names++] = "iaca_key.pem";
	names[n_names++] = "ds.pem";
	names[n_names++] = p11_module != NULL ? "ds_key.p11" : "ds_key.pem";
	/* The other kind of DS key, left over from an earlier init. */
	names[n_names++] = stale = p11_module != NULL ? "ds_key.pem" : "ds_key.p11";
	if (reader) {
		names[n_names++] = "reader_root.pem";
		names[n_names++] = "reader.pem";
		names[n_names++] = "reader_key.pem";
	}
	for (size_t i = 0; i < n_names && !force; i++) {
		free(path);
		if (asprintf(&path, "%s/%s", out, names[i]) < 0) {
			path = NULL;
			goto out;
		}
		if (access(path, F_OK) == 0) {
			cli_error(path, "exists (use --force to replace it)");
			goto out;
		}
	}

	memset(&p, 0, sizeof(p));
	p.country = country;
	p.state = state;
	p.organization = name;
	p.issuer_alt_name = ian;
	p.crl_uri = crl;
	p.common_name = cn;
	p.not_before = now;
	p.not_after = now + (int64_t)iaca_days * DAY;
	snprintf(cn, sizeof(cn), "%s IACA", name);
	if (create("IACA", TSR_CERT_IACA, &p, NULL, NULL, NULL, 0, &iaca, &iaca_key) < 0)
		goto out;
	snprintf(cn, sizeof(cn), "%s DS", name);
	p.not_after = now + (int64_t)ds_days * DAY;
	if (p11_module != NULL) {
		if (cli_p11_key_create(p11_module, p11_token, pin_file, &p11_key, spki,
		    sizeof(spki), &spki_len) < 0)
			goto out;
		if ((p11_ref = cli_p11_key_reference(p11_key, p11_module, p11_token)) == NULL) {
			cli_error("init", "out of memory");
			goto out;
		}
		if (create("DS", TSR_CERT_DS, &p, iaca, iaca_key, spki, spki_len, &ds, NULL) < 0)
			goto out;
	} else if (create("DS", TSR_CERT_DS, &p, iaca, iaca_key, NULL, 0, &ds, &ds_key) < 0) {
		goto out;
	}
	files[n_files++] = (out_file_t){ "iaca.pem", iaca, false };
	files[n_files++] = (out_file_t){ "iaca_key.pem", iaca_key, true };
	files[n_files++] = (out_file_t){ "ds.pem", ds, false };
	if (p11_ref != NULL)
		files[n_files++] = (out_file_t){ "ds_key.p11", p11_ref, false };
	else
		files[n_files++] = (out_file_t){ "ds_key.pem", ds_key, true };
	if (reader) {
		/* The reader root's key is not kept: this is a throw-away test PKI. */
		snprintf(cn, sizeof(cn), "%s Reader Root", name);
		p.not_after = now + (int64_t)iaca_days * DAY;
		if (create("reader root", TSR_CERT_READER_ROOT, &p, NULL, NULL, NULL, 0, &rroot,
		    &rroot_key) < 0)
			goto out;
		snprintf(cn, sizeof(cn), "%s Reader", name);
		p.not_after = now + (int64_t)(iaca_days < TSR_CERT_READER_MAX_DAYS ? iaca_days - 1 :
		    TSR_CERT_READER_MAX_DAYS) * DAY;
		if (create("reader", TSR_CERT_READER, &p, rroot, rroot_key, NULL, 0, &rcert,
		    &rkey) < 0)
			goto out;
		files[n_files++] = (out_file_t){ "reader_root.pem", rroot, false };
		files[n_files++] = (out_file_t){ "reader.pem", rcert, false };
		files[n_files++] = (out_file_t){ "reader_key.pem", rkey, true };
	}
	if (make_dir(out) < 0)
		goto out;
	for (size_t i = 0; i < n_files; i++) {
		free(path);
		if (asprintf(&path, "%s/%s", out, files[i].name) < 0) {
			path = NULL;
			goto out;
		}
		if (cli_write_file(path, files[i].data, strlen(files[i].data),
		    files[i].secret ? 0600 : 0644, true) < 0)
			goto out;
		/* Named in a file now: the token key must stay. */
		if (files[i].data == p11_ref && p11_key != NULL)
			cli_p11_key_keep(p11_key);
	}
	/* With --force, a DS key of the other kind must not shadow the new one. */
	free(path);
	if (asprintf(&path, "%s/%s", out, stale) < 0) {
		path = NULL;
		goto out;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		cli_error(path, "cannot remove the old DS key: %s", strerror(errno));
		goto out;
	}
	printf("Wrote %s/{iaca.pem, iaca_key.pem, ds.pem, %s%s} (country %s)\n", out,
	    p11_ref != NULL ? "ds_key.p11" : "ds_key.pem",
	    reader ? ", reader_root.pem, reader.pem, reader_key.pem" : "", country);
	if (p11_ref != NULL)
		printf("The DS key was generated on token '%s' and never leaves it\n", p11_token);
	status = CLI_EXIT_OK;
out:
	cli_p11_key_free(p11_key);
	free(p11_ref);
	free(path);
	tsr_free(iaca);
	free_pem(iaca_key);
	tsr_free(ds);
	free_pem(ds_key);
	tsr_free(rroot);
	free_pem(rroot_key);
	tsr_free(rcert);
	free_pem(rkey);
	return status;
}
