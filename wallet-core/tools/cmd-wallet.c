/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* `tessera wallet`: create a wallet, make device keys, import, list, show
 * and delete credentials, read the presentation log. */

#include "cli.h"
#include "wallet-cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <tessera/store.h>
#include <tessera/tessera.h>


static const char wallet_usage[] =
    "Usage: tessera wallet COMMAND [OPTIONS]\n"
    "\n"
    "The holder's wallet: device keys in a TPM, a PKCS#11 token or (as the\n"
    "fallback) passphrase-protected software keys, and credentials in an\n"
    "encrypted store.\n"
    "\n"
    "Commands:\n"
    "  init       create a wallet\n"
    "  keygen     create a device key (to have a credential issued to)\n"
    "  import     check a credential and add it to the wallet\n"
    "  list       list the credentials\n"
    "  show       show one credential and its data\n"
    "  delete     delete a credential (and its device key when unused)\n"
    "  log        show the presentation log\n"
    "  present    show a QR code and answer a reader, with consent\n"
    "  provision-request   new TPM keys, and the request proving them to an issuer\n"
    "  provision-respond   answer the issuer's challenge (TPM attestation)\n"
    "  trust      add, list or remove trusted reader roots and IACAs\n"
    "\n"
    "Options of every command:\n"
    "  -s, --store PATH     the wallet (default $XDG_DATA_HOME/tessera/wallet.db)\n"
    "  -p, --pin-file FILE  read the token PIN or wallet passphrase from FILE\n"
    "                       (otherwise $TESSERA_PIN, otherwise a prompt on the terminal)\n"
    "      --tcti TCTI      TPM: use this TCTI instead of the recorded one\n"
    "  -j, --json           print JSON (keygen, import, list, show, log)\n"
    "  -h, --help           show the help of the command\n"
    "\n"
    "Run 'tessera wallet COMMAND --help' for the options of a command.\n";

static const char init_usage[] =
    "Usage: tessera wallet init [--secure-area tpm2|pkcs11|software] [--tcti TCTI]\n"
    "                           [--pkcs11-module PATH --token LABEL] [--pin-file FILE]\n"
    "                           [--store PATH]\n"
    "\n"
    "Create a wallet. Its device keys live in the secure area chosen here:\n"
    "  tpm2      a TPM 2.0 (TCTI from --tcti, $TESSERA_TCTI or device:/dev/tpmrm0)\n"
    "  pkcs11    a PKCS#11 token (--pkcs11-module and --token; its user PIN)\n"
    "  software  keys encrypted under a passphrase; not hardware-backed\n"
    "Without --secure-area, tpm2 is used when a TCTI is given or /dev/tpmrm0\n"
    "exists, and software otherwise.\n"
    "\n"
    "Options:\n"
    "  -a, --secure-area KIND  tpm2, pkcs11 or software\n"
    "      --tcti TCTI         TPM: the TCTI, e.g. swtpm:host=127.0.0.1,port=2321\n"
    "  -m, --pkcs11-module P   PKCS#11: the module, e.g. /usr/lib/softhsm/libsofthsm2.so\n"
    "  -t, --token LABEL       PKCS#11: the token's label\n"
    "  -p, --pin-file FILE     the token PIN or the new wallet passphrase\n"
    "  -s, --store PATH        where to create the wallet\n"
    "  -h, --help              show this help and exit\n";

static const char keygen_usage[] =
    "Usage: tessera wallet keygen [--pin-file FILE] [--store PATH] [--json]\n"
    "\n"
    "Create a P-256 device key in the wallet's secure area and print its public\n"
    "key as a COSE_Key (hex), to have a credential issued to it.\n";

static const char import_usage[] =
    "Usage: tessera wallet import FILE [--uses N] [--pin-file FILE] [--store PATH] [--json]\n"
    "\n"
    "Check a credential (an IssuerSigned or a Document, CBOR) and add it: the\n"
    "issuer's signature, the chain to a trusted IACA if the wallet has any, the\n"
    "MSO's validity, every element's digest, and that it is bound to a device\n"
    "key of this wallet. On any failure nothing is added.\n"
    "FILE may also be a batch (a CBOR array of them, `tessera-issuer issue\n"
    "--batch`): every credential is checked, then all are added, or none.\n"
    "\n"
    "  -u, --uses N   a single-use (batch) credential: it may be presented N times\n"
    "                 (default for a batch: 1)\n";

static const char list_usage[] =
    "Usage: tessera wallet list [--store PATH] [--json]\n"
    "\n"
    "List the credentials (this needs no PIN or passphrase).\n";

static const char show_usage[] =
    "Usage: tessera wallet show ID [--pin-file FILE] [--store PATH] [--json]\n"
    "\n"
    "Show a credential and its data elements.\n";

static const char delete_usage[] =
    "Usage: tessera wallet delete ID [--pin-file FILE] [--store PATH]\n"
    "\n"
    "Delete a credential, and its device key when no other credential uses it.\n";

static const char present_usage[] =
    "Usage: tessera wallet present [--credential ID] --transport SPEC [--ble-mode MODE]\n"
    "                              [--ble-l2cap]\n"
    "                              [--qr-png FILE] [--qr-uri-file FILE]\n"
    "                              [--consent all|none|FILE] [--strict]\n"
    "                              [--device-auth mac|signature] [--now TIME]\n"
    "                              [--timeout SECONDS] [--pin-file FILE] [--store PATH]\n"
    "\n"
    "Show the engagement QR code (on the terminal, and as a PNG with --qr-png),\n"
    "wait for a reader, show what it asks and who it is (judged against the\n"
    "wallet's trusted reader roots), ask for consent, answer, and record the\n"
    "presentation in the log; the same for every further request the reader\n"
    "sends in the session, until it ends the session. --strict refuses readers\n"
    "that are not trusted.\n"
    "Without --consent, asks on the terminal.\n"
    "\n"
    "Transports: ble (or ble:ADAPTER, e.g. ble:hci1) is 18013-5 BLE through\n"
    "BlueZ, in --ble-mode peripheral (this device advertises; the default) or\n"
    "central (the reader advertises); local:PATH is the local transport (a Unix\n"
    "socket, for same-machine use and tests). --ble-l2cap offers (peripheral) or\n"
    "uses (central) an L2CAP channel for the messages (18013-5 2nd edition),\n"
    "keeping to GATT when the reader does not; when bluetoothd may use EATT\n"
    "(its [GATT] Channels above 1), which reorders GATT, it does so unasked.\n";

static const char provision_request_usage[] =
    "Usage: tessera wallet provision-request --out FILE [--keys N] [--store PATH]\n"
    "\n"
    "Create N (default 1) device keys in the wallet's TPM and write the\n"
    "provisioning request for an issuer: the TPM's EK certificate, an\n"
    "attestation key and the new keys (docs/provisioning.md).\n";

static const char provision_respond_usage[] =
    "Usage: tessera wallet provision-respond --challenge FILE --out FILE [--store PATH]\n"
    "\n"
    "Answer the issuer's challenge: activate its credential with the TPM's EK and\n"
    "certify the requested keys with the attestation key over its nonce. The\n"
    "issuer then issues credentials to those keys.\n";

static const char trust_usage[] =
    "Usage: tessera wallet trust add FILE [--purpose reader-root|iaca] [--store PATH]\n"
    "       tessera wallet trust list [--json] [--store PATH]\n"
    "       tessera wallet trust remove ID [--store PATH]\n"
    "\n"
    "The certificates the wallet trusts. Reader roots (the default purpose) decide\n"
    "whether a reader is shown as trusted when it asks for data; IACAs, once any is\n"
    "added, are the only issuers whose credentials 'import' accepts.\n";

static const char log_usage[] =
    "Usage: tessera wallet log [--pin-file FILE] [--store PATH] [--json]\n"
    "\n"
    "Show the presentation log: when, to which reader, what was asked and shared.\n";

void
wallet_secret_wipe(secret_src_t *s)
{
	explicit_bzero(s->value, sizeof(s->value));
	s->have = false;
}

static int
read_pin_file(secret_src_t *s)
{
	uint8_t *data = NULL;
	size_t len = 0;

	if (cli_read_file(s->pin_file, MAX_SECRET, &data, &len) < 0)
		return -1;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len >= sizeof(s->value) || memchr(data, '\0', len) != NULL) {
		cli_error(s->pin_file, "not a PIN or passphrase (too long, or holds a NUL byte)");
		cli_free_data(data, len);
		return -1;
	}
	memcpy(s->value, data, len);
	s->value[len] = '\0';
	cli_free_data(data, len);
	s->have = true;
	return 0;
}

/* Reads one line from the terminal without echo. */
static int
prompt_tty(const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	size_t len = 0;
	bool restore = false;
	char c;
	int fd, r = -1;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
		return -1;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	if (write(fd, prompt, strlen(prompt)) < 0)
		goto out;
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		if (c == '\n' || c == '\r')
			break;
		if (len + 1 >= cap)
			goto out;
		buf[len++] = c;
	}
	buf[len] = '\0';
	r = 0;
out:
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		r = -1;
	close(fd);
	if (r != 0)
		explicit_bzero(buf, cap);
	return r;
}

static int
secret_cb(void *user, const char *purpose, char *buf, size_t cap)
{
	secret_src_t *s = user;
	const char *env;
	char prompt[320], again[MAX_SECRET];

	if (!s->loaded) {
		s->loaded = true;
		if (s->pin_file != NULL) {
			if (read_pin_file(s) < 0)
				return -1;
		} else if ((env = getenv("TESSERA_PIN")) != NULL) {
			if (strlen(env) >= sizeof(s->value))
				return -1;
			memcpy(s->value, env, strlen(env) + 1);
			s->have = true;
		}
	}
	if (!s->have) {
		/* Asked each time it is needed: nothing else to go on. */
		snprintf(prompt, sizeof(prompt), "%s: ", purpose && purpose[0] ? purpose :
									     "PIN or passphrase");
		if (prompt_tty(prompt, buf, cap) != 0)
			return -1;
		if (s->confirm) {
			if (prompt_tty("Again: ", again, sizeof(again)) != 0)
				return -1;
			if (strcmp(again, buf) != 0) {
				explicit_bzero(again, sizeof(again));
				explicit_bzero(buf, cap);
				cli_error("wallet", "the passphrases differ");
				return -1;
			}
			explicit_bzero(again, sizeof(again));
		}
		return 0;
	}
	if (strlen(s->value) >= cap)
		return -1;
	memcpy(buf, s->value, strlen(s->value) + 1);
	return 0;
}

static const char *
kind_name(tsr_sa_kind_t kind)
{
	switch (kind) {
	case TSR_SA_TPM2:
		return "tpm2";
	case TSR_SA_PKCS11:
		return "pkcs11";
	case TSR_SA_SOFTWARE:
		return "software";
	default:
		return "unknown";
	}
}

static const char *
kind_text(tsr_sa_kind_t kind)
{
	switch (kind) {
	case TSR_SA_TPM2:
		return "TPM 2.0";
	case TSR_SA_PKCS11:
		return "PKCS#11 token";
	case TSR_SA_SOFTWARE:
		return "software (not hardware-backed)";
	default:
		return "unknown";
	}
}

/* Explains a failure in the user's terms. kind and location name the
 * secure area (location: the TCTI or token label), path the wallet. */
static void
report(const char *path, tsr_sa_kind_t kind, const char *location, const char *module, int err)
{
	switch (err) {
	case TSR_ERR_SA_UNAVAILABLE:
		if (kind == TSR_SA_TPM2)
			cli_error("wallet", "no TPM reachable at TCTI '%s' (give another with --tcti "
			    "or TESSERA_TCTI)", location ? location : "device:/dev/tpmrm0");
		else if (kind == TSR_SA_PKCS11)
			cli_error("wallet", "PKCS#11 module '%s' cannot be loaded or initialised",
			    module ? module : "(none)");
		else
			cli_error("wallet", "the secure area cannot be reached");
		break;
	case TSR_ERR_SA_TOKEN_NOT_FOUND:
		cli_error("wallet", "PKCS#11 token '%s' not found%s%s", location ? location : "",
		    module ? " in " : "", module ? module : "");
		break;
	case TSR_ERR_SA_PIN_INCORRECT:
		cli_error("wallet", "wrong PIN or passphrase");
		break;
	case TSR_ERR_SA_PIN_LOCKED:
		cli_error("wallet", "the PIN is locked after too many wrong attempts");
		break;
	case TSR_ERR_STORE_LOCKED:
	case TSR_ERR_SA_PIN_REQUIRED:
		cli_error("wallet", "the wallet is locked: its PIN or passphrase is needed "
		    "(--pin-file, TESSERA_PIN, or run on a terminal)");
		break;
	case TSR_ERR_SA_KEY_INVALID:
		cli_error("wallet", "the secure area refuses this wallet's keys: they were made "
		    "by another TPM or token, or are damaged");
		break;
	case TSR_ERR_STORE_NEWER:
		cli_error(path, "this wallet was written by a newer version of Tessera (its "
		    "store schema is newer than version %d); upgrade tessera to use it",
		    TSR_STORE_SCHEMA_VERSION);
		break;
	case TSR_ERR_STORE_NO_WALLET:
		cli_error(path, "no wallet here (create one with 'tessera wallet init')");
		break;
	case TSR_ERR_STORE_EXISTS:
		cli_error(path, "already exists (a wallet or another file); left as it is");
		break;
	case TSR_ERR_STORE_BUSY:
		cli_error(path, "the wallet is in use by another process; try again");
		break;
	case TSR_ERR_STORE_CORRUPT:
		cli_error(path, "not a Tessera wallet, or damaged");
		break;
	case TSR_ERR_STORE_DATABASE:
		cli_error(path, "the wallet database cannot be read or written");
		break;
	case TSR_ERR_STORE_FOREIGN_KEY:
		cli_error("import", "the credential is bound to a device key that is not in "
		    "this wallet");
		break;
	case TSR_ERR_STORE_DUPLICATE:
		cli_error("import", "the credential is already in the wallet");
		break;
	case TSR_ERR_UNSUPPORTED:
		cli_error("wallet", "this secure area is not built into this tessera");
		break;
	default:
		cli_error("wallet", "%s", tsr_strerror(err));
		break;
	}
}

static char *
resolve_path(const wallet_opts_t *o)
{
	char *path = NULL;

	if (o->store != NULL) {
		if ((path = strdup(o->store)) == NULL)
			cli_error("wallet", "out of memory");
		return path;
	}
	if (tsr_store_default_path(&path) != TSR_OK) {
		cli_error("wallet", "no wallet path: set XDG_DATA_HOME or HOME, or use --store");
		return NULL;
	}
	return path;
}

/* Opens the wallet; *ret_path receives the path in use (free()). */
int
wallet_open(const wallet_opts_t *o, secret_src_t *secret, tsr_store_t **ret_store,
    char **ret_path)
{
	tsr_store_options_t options;
	char *path;
	int err;

	if ((path = resolve_path(o)) == NULL)
		return -1;
	memset(&options, 0, sizeof(options));
	options.secret = secret_cb;
	options.secret_user = secret;
	options.tpm_tcti = o->tcti;
	options.pkcs11_module = o->pkcs11_module;
	if ((err = tsr_store_open(path, &options, ret_store)) != TSR_OK) {
		report(path, 0, NULL, NULL, err);
		free(path);
		return -1;
	}
	*ret_path = path;
	return 0;
}

void
wallet_report(const char *path, tsr_store_t *store, const wallet_opts_t *o, int err)
{
	report(path, tsr_store_sa_kind(store), tsr_store_sa_location(store), o->pkcs11_module,
	    err);
}

/* Unlocks, reporting a failure. */
int
wallet_unlock(const char *path, tsr_store_t *store, const wallet_opts_t *o)
{
	int err;

	if ((err = tsr_store_unlock(store)) != TSR_OK) {
		wallet_report(path, store, o, err);
		return -1;
	}
	return 0;
}

void
wallet_put_hex(FILE *f, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", p[i]);
}

static void
put_time_json(FILE *f, int64_t t)
{
	char buf[21];

	if (tsr_time_format(t, buf) == TSR_OK)
		fprintf(f, "\"%s\"", buf);
	else
		fprintf(f, "%lld", (long long)t);
}

static bool
parse_id(const char *s, int64_t *ret_id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0)
		return false;
	*ret_id = v;
	return true;
}

/* A credential id from the command line; says what is wrong if it is not one. */
static bool
parse_credential_id(const char *s, int64_t *ret_id)
{
	if (parse_id(s, ret_id))
		return true;
	cli_error(s, "not a credential id (see 'tessera wallet list')");
	return false;
}

/* Reports a failed lookup of credential `arg`: missing, or a store error. */
static void
report_credential_error(const wallet_opts_t *o, const char *arg, const char *path,
    tsr_store_t *store, int err)
{
	if (err == TSR_ERR_NOT_FOUND)
		cli_error(arg, "no such credential");
	else
		wallet_report(path, store, o, err);
}

/* --- init --- */

static bool
tpm_present(const wallet_opts_t *o)
{
	return o->tcti != NULL || getenv("TESSERA_TCTI") != NULL ||
	    access("/dev/tpmrm0", F_OK) == 0;
}

static int
run_init(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_sa_config_t config;
	tsr_secure_area_t *sa = NULL;
	tsr_store_t *store = NULL;
	char *path = NULL;
	const char *location;
	int err, status = WALLET_EXIT_FAIL;

	memset(&config, 0, sizeof(config));
	if (o->secure_area == NULL)
		config.kind = tpm_present(o) ? TSR_SA_TPM2 : TSR_SA_SOFTWARE;
	else if (strcmp(o->secure_area, "tpm2") == 0)
		config.kind = TSR_SA_TPM2;
	else if (strcmp(o->secure_area, "pkcs11") == 0)
		config.kind = TSR_SA_PKCS11;
	else if (strcmp(o->secure_area, "software") == 0)
		config.kind = TSR_SA_SOFTWARE;
	else {
		cli_error("--secure-area", "'%s' is not tpm2, pkcs11 or software", o->secure_area);
		fputs(init_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (config.kind == TSR_SA_PKCS11 && (o->pkcs11_module == NULL || o->token == NULL)) {
		cli_error("init", "a PKCS#11 wallet needs --pkcs11-module and --token");
		fputs(init_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	config.tpm_tcti = o->tcti;
	config.pkcs11_module = o->pkcs11_module;
	config.pkcs11_token_label = o->token;
	config.secret = secret_cb;
	config.secret_user = &secret;
	/* A new passphrase typed on a terminal is asked twice. */
	secret.confirm = config.kind == TSR_SA_SOFTWARE;
	if ((path = resolve_path(o)) == NULL)
		goto out;
	location = config.kind == TSR_SA_TPM2 ?
	    (o->tcti ? o->tcti : getenv("TESSERA_TCTI") ? getenv("TESSERA_TCTI") :
							 "device:/dev/tpmrm0") :
	    o->token;
	if ((err = tsr_store_create(path, &config, &store)) != TSR_OK) {
		report(path, config.kind, location, o->pkcs11_module, err);
		goto out;
	}
	if (tsr_store_secure_area(store, &sa) != TSR_OK)
		sa = NULL;
	printf("Created wallet %s\n", path);
	printf("Secure area: %s\n", sa ? tsr_secure_area_describe(sa) : kind_text(config.kind));
	if (o->secure_area == NULL && config.kind == TSR_SA_SOFTWARE)
		printf("No TPM was found (no /dev/tpmrm0, no --tcti): the keys are software keys "
		    "protected by the passphrase.\n");
	status = CLI_EXIT_OK;
out:
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}

/* --- keygen --- */

static int
run_keygen(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_secure_area_t *sa = NULL;
	tsr_store_t *store = NULL;
	uint8_t *cose = NULL;
	size_t cose_len = 0;
	int64_t id = 0;
	char *path = NULL;
	int err, status = WALLET_EXIT_FAIL;

	if (wallet_open(o, &secret, &store, &path) < 0)
		goto out;
	if ((err = tsr_store_create_key(store, NULL, &id, &cose, &cose_len)) != TSR_OK) {
		wallet_report(path, store, o, err);
		goto out;
	}
	if (tsr_store_secure_area(store, &sa) != TSR_OK)
		sa = NULL;
	if (o->json) {
		printf("{\"id\": %lld, \"secureArea\": \"%s\", \"coseKey\": \"", (long long)id,
		    kind_name(tsr_store_sa_kind(store)));
		wallet_put_hex(stdout, cose, cose_len);
		printf("\"}\n");
	} else {
		printf("Created device key %lld in %s\n", (long long)id,
		    sa ? tsr_secure_area_describe(sa) : kind_text(tsr_store_sa_kind(store)));
		printf("Public key (COSE_Key, hex): ");
		wallet_put_hex(stdout, cose, cose_len);
		putchar('\n');
	}
	status = CLI_EXIT_OK;
out:
	tsr_free(cose);
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}

/* --- import --- */

static void
put_reasons(FILE *f, uint32_t reasons, bool json)
{
	bool first = true;

	for (unsigned bit = 0; bit < 32; bit++) {
		const char *name;

		if (!(reasons & (1u << bit)) || (name = tsr_reason_name(1u << bit)) == NULL)
			continue;
		if (json)
			fprintf(f, "%s\"%s\"", first ? "" : ", ", name);
		else
			fprintf(f, "%s%s (%s)", first ? "" : ", ", name, tsr_reason_text(1u << bit));
		first = false;
	}
}

/* Prints what was imported as id, read back from the store: a line, or
 * the members of a JSON object. */
static int
put_imported(tsr_store_t *store, int64_t id, bool json)
{
	tsr_store_credential_t *cred = NULL;
	const tsr_store_summary_t *s;

	if (tsr_store_show(store, id, &cred) != TSR_OK) {
		cli_error("import", "imported as %lld but cannot be read back", (long long)id);
		return -1;
	}
	s = tsr_store_credential_summary(cred);
	if (json) {
		printf("\"id\": %lld, \"docType\": ", (long long)id);
		cli_put_json_string(stdout, s->doc_type);
		printf(", \"issuer\": ");
		cli_put_json_string(stdout, s->issuer_subject);
		printf(", \"keyId\": %lld", (long long)s->key_id);
	} else {
		printf("Imported credential %lld: ", (long long)id);
		cli_put_text(stdout, s->doc_type);
		printf(" from ");
		cli_put_text(stdout, s->issuer_subject);
		printf(", bound to device key %lld\n", (long long)s->key_id);
	}
	tsr_store_credential_free(cred);
	return 0;
}

static int
run_import(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_import_options_t options = { 0 };
	tsr_store_t *store = NULL;
	uint8_t *data = NULL;
	size_t len = 0, n = 0, failed = SIZE_MAX;
	uint32_t reasons = 0;
	int64_t id = 0, uses = 0, *ids = NULL;
	char *path = NULL, what[64];
	bool batch;
	int err, status = WALLET_EXIT_FAIL;

	if (o->uses != NULL) {
		if (!parse_id(o->uses, &uses) || uses > UINT32_MAX) {
			cli_error("--uses", "'%s' is not a positive count", o->uses);
			return CLI_EXIT_USAGE;
		}
		options.uses = (uint32_t)uses;
	}
	if (cli_read_file(o->args[0], CLI_MAX_INPUT, &data, &len) < 0)
		return CLI_EXIT_USAGE;
	batch = tsr_store_is_batch(data, len);
	if (wallet_open(o, &secret, &store, &path) < 0)
		goto out;
	if (batch) {
		err = tsr_store_import_batch(store, data, len, &options, &ids, &n, &failed,
		    &reasons);
	} else {
		err = tsr_store_import(store, data, len, &options, &id, &reasons);
		ids = &id;
		n = err == TSR_OK ? 1 : 0;
		failed = 0;
	}
	/* Which credential a failure is about, for the messages. */
	if (batch && failed != SIZE_MAX)
		snprintf(what, sizeof(what), "credential %zu of the batch", failed + 1);
	else
		snprintf(what, sizeof(what), "the credential");
	if (err == TSR_ERR_VERIFY) {
		if (o->json) {
			printf("{\"imported\": false, \"reasons\": [");
			put_reasons(stdout, reasons, true);
			printf("]}\n");
		}
		/* cli_error() with the reasons spelled out on the same line. */
		fprintf(stderr, "tessera: %s: refused, %s does not verify: ", o->args[0], what);
		put_reasons(stderr, reasons, false);
		fputc('\n', stderr);
		goto out;
	}
	if (err != TSR_OK) {
		bool malformed = err <= TSR_ERR_CBOR_TRUNCATED && err >= TSR_ERR_MDOC_VERSION;

		/* A batch's failing credential first: the array itself was fine. */
		if (batch && failed != SIZE_MAX)
			cli_error(o->args[0], "%s%s: %s; nothing was imported", what,
			    malformed ? " is not an IssuerSigned or Document" : "",
			    tsr_strerror(err));
		else if (malformed)
			cli_error(o->args[0], "%s: %s",
			    batch ? "not an array of IssuerSigned or Document" :
				    "not an IssuerSigned or Document",
			    tsr_strerror(err));
		else
			wallet_report(path, store, o, err);
		goto out;
	}
	/* JSON: {"imported": true, "id": ...} for one credential; for a batch
	 * {"imported": true, "credentials": [{"id": ...}, ...]}. */
	if (o->json)
		printf("{\"imported\": true%s", batch ? ", \"credentials\": [" : ", ");
	for (size_t i = 0; i < n; i++) {
		if (o->json && batch)
			printf("%s{", i > 0 ? ", " : "");
		if (put_imported(store, ids[i], o->json) < 0)
			goto out;
		if (o->json && batch)
			putchar('}');
	}
	if (o->json)
		printf("%s}\n", batch ? "]" : "");
	status = CLI_EXIT_OK;
out:
	if (ids != &id)
		tsr_free(ids);
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	cli_free_data(data, len);
	free(path);
	return status;
}

/* --- list, show --- */

static void
put_summary_json(FILE *f, const tsr_store_summary_t *s)
{
	fprintf(f, "{\"id\": %lld, \"docType\": ", (long long)s->id);
	cli_put_json_string(f, s->doc_type);
	fprintf(f, ", \"issuer\": ");
	cli_put_json_string(f, s->issuer_subject);
	fprintf(f, ", \"signed\": ");
	put_time_json(f, s->signed_at);
	fprintf(f, ", \"validFrom\": ");
	put_time_json(f, s->valid_from);
	fprintf(f, ", \"validUntil\": ");
	put_time_json(f, s->valid_until);
	fprintf(f, ", \"expectedUpdate\": ");
	if (s->expected_update != 0)
		put_time_json(f, s->expected_update);
	else
		fputs("null", f);
	fprintf(f, ", \"imported\": ");
	put_time_json(f, s->imported_at);
	fprintf(f, ", \"keyId\": %lld, \"keyStorage\": \"%s\", \"keyAttested\": %s,"
	    " \"usesRemaining\": ", (long long)s->key_id, kind_name(s->key_storage),
	    s->key_attested ? "true" : "false");
	if (s->uses_remaining < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", (long long)s->uses_remaining);
	fputc('}', f);
}

static const char *
validity_state(const tsr_store_summary_t *s, int64_t now)
{
	if (now > s->valid_until)
		return "expired";
	if (now < s->valid_from)
		return "not yet valid";
	if (s->uses_remaining == 0)
		return "used up";
	return "valid";
}

static int
run_list(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_list_t *list = NULL;
	tsr_store_t *store = NULL;
	char *path = NULL;
	size_t n;
	int64_t now = tsr_clock_now();
	int err, status = WALLET_EXIT_FAIL;

	if (wallet_open(o, &secret, &store, &path) < 0)
		goto out;
	if ((err = tsr_store_list(store, &list)) != TSR_OK) {
		wallet_report(path, store, o, err);
		goto out;
	}
	n = tsr_store_list_count(list);
	if (o->json) {
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ",\n " : "", stdout);
			put_summary_json(stdout, tsr_store_list_get(list, i));
		}
		fputs("]\n", stdout);
	} else if (n == 0) {
		printf("No credentials in %s\n", path);
	} else {
		for (size_t i = 0; i < n; i++) {
			const tsr_store_summary_t *s = tsr_store_list_get(list, i);

			printf("%lld  ", (long long)s->id);
			cli_put_text(stdout, s->doc_type);
			printf("\n    issuer:      ");
			cli_put_text(stdout, s->issuer_subject);
			printf("\n    valid:       ");
			cli_put_time(stdout, s->valid_from);
			printf(" .. ");
			cli_put_time(stdout, s->valid_until);
			printf(" (%s)\n    device key:  %lld, %s%s\n", validity_state(s, now),
			    (long long)s->key_id, kind_text(s->key_storage),
			    s->key_attested ? " (attested)" : "");
			if (s->uses_remaining >= 0)
				printf("    uses left:   %lld\n", (long long)s->uses_remaining);
		}
	}
	status = CLI_EXIT_OK;
out:
	tsr_store_list_free(list);
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}

static int
run_show(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_credential_t *cred = NULL;
	const tsr_store_summary_t *s;
	tsr_store_element_t e;
	tsr_store_t *store = NULL;
	const char *last_ns = NULL;
	char *path = NULL, *json = NULL;
	int64_t id = 0;
	size_t n;
	int err, status = WALLET_EXIT_FAIL;

	if (!parse_credential_id(o->args[0], &id))
		return CLI_EXIT_USAGE;
	if (wallet_open(o, &secret, &store, &path) < 0)
		goto out;
	if ((err = tsr_store_show(store, id, &cred)) != TSR_OK) {
		report_credential_error(o, o->args[0], path, store, err);
		goto out;
	}
	s = tsr_store_credential_summary(cred);
	n = tsr_store_credential_element_count(cred);
	if (o->json) {
		printf("{\"credential\": ");
		put_summary_json(stdout, s);
		printf(",\n \"nameSpaces\": {");
		for (size_t i = 0; i < n; i++) {
			if (tsr_store_credential_element(cred, i, &e) != TSR_OK)
				continue;
			if (last_ns == NULL || strcmp(last_ns, e.name_space) != 0) {
				printf("%s\n  ", last_ns ? "},\n " : "");
				cli_put_json_string(stdout, e.name_space);
				printf(": {");
				last_ns = e.name_space;
			} else {
				printf(",");
			}
			printf("\n    ");
			cli_put_json_string(stdout, e.identifier);
			printf(": ");
			if (tsr_cbor_to_json(e.value, e.value_len, &json) == TSR_OK) {
				fputs(json, stdout);
				explicit_bzero(json, strlen(json));
				tsr_free(json);
				json = NULL;
			} else {
				fputs("null", stdout);
			}
		}
		printf("%s}}\n", last_ns ? "}" : "");
	} else {
		printf("Credential %lld: ", (long long)id);
		cli_put_text(stdout, s->doc_type);
		printf("\n  issuer:      ");
		cli_put_text(stdout, s->issuer_subject);
		printf("\n  signed:      ");
		cli_put_time(stdout, s->signed_at);
		printf("\n  valid:       ");
		cli_put_time(stdout, s->valid_from);
		printf(" .. ");
		cli_put_time(stdout, s->valid_until);
		printf(" (%s)\n  device key:  %lld, %s\n", validity_state(s, tsr_clock_now()),
		    (long long)s->key_id, kind_text(s->key_storage));
		if (s->key_attested)
			printf("  key attested: its TPM certified it for an issuer's challenge\n");
		if (s->uses_remaining >= 0)
			printf("  uses left:   %lld\n", (long long)s->uses_remaining);
		for (size_t i = 0; i < n; i++) {
			if (tsr_store_credential_element(cred, i, &e) != TSR_OK)
				continue;
			if (last_ns == NULL || strcmp(last_ns, e.name_space) != 0) {
				printf("  ");
				cli_put_text(stdout, e.name_space);
				printf(":\n");
				last_ns = e.name_space;
			}
			printf("    ");
			cli_put_text(stdout, e.identifier);
			putchar(':');
			cli_put_value_human(stdout, e.value, e.value_len, "\n      - ");
			putchar('\n');
		}
	}
	status = CLI_EXIT_OK;
out:
	tsr_store_credential_free(cred);
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}

/* --- delete --- */

static int
run_delete(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_t *store = NULL;
	bool key_deleted = false;
	char *path = NULL;
	int64_t id = 0;
	int err, status = WALLET_EXIT_FAIL;

	if (!parse_credential_id(o->args[0], &id))
		return CLI_EXIT_USAGE;
	if (wallet_open(o, &secret, &store, &path) < 0)
		goto out;
	if ((err = tsr_store_delete(store, id, &key_deleted)) != TSR_OK) {
		report_credential_error(o, o->args[0], path, store, err);
		goto out;
	}
	printf("Deleted credential %lld%s\n", (long long)id,
	    key_deleted ? " and its device key" : "");
	status = CLI_EXIT_OK;
out:
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}

/* --- log --- */

static const char *
trust_name(tsr_reader_trust_t t)
{
	switch (t) {
	case TSR_READER_TRUSTED:
		return "trusted";
	case TSR_READER_UNTRUSTED:
		return "untrusted";
	case TSR_READER_INVALID:
		return "invalid";
	case TSR_READER_ANONYMOUS:
	default:
		return "anonymous";
	}
}

static const char *
outcome_name(tsr_presentation_outcome_t o)
{
	switch (o) {
	case TSR_PRESENTATION_SHARED:
		return "shared";
	case TSR_PRESENTATION_DECLINED:
		return "declined";
	case TSR_PRESENTATION_FAILED:
	default:
		return "failed";
	}
}

static void
put_items(FILE *f, const tsr_store_item_t *items, size_t n, bool json)
{
	if (json)
		fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (json) {
			fputs(i ? ", [" : "[", f);
			cli_put_json_string(f, items[i].name_space);
			fputs(", ", f);
			cli_put_json_string(f, items[i].identifier);
			fputc(']', f);
		} else {
			fputs(i ? ", " : "", f);
			cli_put_text(f, items[i].identifier);
		}
	}
	if (json)
		fputc(']', f);
	else if (n == 0)
		fputs("(nothing)", f);
}

static int
run_log(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_log_t *log = NULL;
	tsr_store_t *store = NULL;
	char *path = NULL;
	size_t n;
	int err, status = WALLET_EXIT_FAIL;

	if (wallet_open(o, &secret, &store, &path) < 0)
		goto out;
	if (wallet_unlock(path, store, o) < 0)
		goto out;
	if ((err = tsr_store_log_list(store, &log)) != TSR_OK) {
		wallet_report(path, store, o, err);
		goto out;
	}
	n = tsr_store_log_count(log);
	if (o->json)
		fputc('[', stdout);
	else if (n == 0)
		printf("No presentations recorded\n");
	for (size_t i = 0; i < n; i++) {
		const tsr_store_log_entry_t *e = tsr_store_log_get(log, i);

		if (o->json) {
			fprintf(stdout, "%s{\"id\": %lld, \"time\": ", i ? ",\n " : "",
			    (long long)e->id);
			put_time_json(stdout, e->time);
			fputs(", \"reader\": ", stdout);
			cli_put_json_string(stdout, e->reader);
			fprintf(stdout, ", \"readerTrust\": \"%s\", \"docType\": ",
			    trust_name(e->reader_trust));
			cli_put_json_string(stdout, e->doc_type);
			fprintf(stdout, ", \"credentialId\": %lld, \"requested\": ",
			    (long long)e->credential_id);
			put_items(stdout, e->requested, e->n_requested, true);
			fputs(", \"shared\": ", stdout);
			put_items(stdout, e->shared, e->n_shared, true);
			fprintf(stdout, ", \"outcome\": \"%s\"}", outcome_name(e->outcome));
		} else {
			cli_put_time(stdout, e->time);
			printf("  %s  reader: ", outcome_name(e->outcome));
			if (e->reader[0] != '\0') {
				cli_put_text(stdout, e->reader);
				printf(" (%s)", trust_name(e->reader_trust));
			} else {
				fputs("anonymous (no reader authentication)", stdout);
			}
			printf("\n    document:  ");
			cli_put_text(stdout, e->doc_type[0] ? e->doc_type : "-");
			printf("\n    requested: ");
			put_items(stdout, e->requested, e->n_requested, false);
			printf("\n    shared:    ");
			put_items(stdout, e->shared, e->n_shared, false);
			putchar('\n');
		}
	}
	if (o->json)
		fputs("]\n", stdout);
	status = CLI_EXIT_OK;
out:
	tsr_store_log_free(log);
	tsr_store_free(store);
	wallet_secret_wipe(&secret);
	free(path);
	return status;
}

/* --- dispatch --- */

typedef struct subcommand {
	const char *name;
	const char *usage;
	size_t n_args; /* positional arguments it takes */
	int (*run)(const wallet_opts_t *o);
} subcommand_t;

/* The credentials to offer: one, or every credential of the wallet. */
static int
load_credentials(const wallet_opts_t *o, const char *path, tsr_store_t *store,
    tsr_store_credential_t ***ret_stored, tsr_device_key_t ***ret_keys,
    cli_credential_t **ret_creds, size_t *ret_n)
{
	tsr_store_list_t *list = NULL;
	size_t n = 0;
	int64_t only = 0;
	int err, status = -1;

	if (o->credential != NULL && !parse_credential_id(o->credential, &only))
		return -1;
	if ((err = tsr_store_list(store, &list)) != TSR_OK) {
		wallet_report(path, store, o, err);
		return -1;
	}
	n = tsr_store_list_count(list);
	*ret_stored = calloc(n ? n : 1, sizeof(**ret_stored));
	*ret_keys = calloc(n ? n : 1, sizeof(**ret_keys));
	*ret_creds = calloc(n ? n : 1, sizeof(**ret_creds));
	*ret_n = 0;
	if (*ret_stored == NULL || *ret_keys == NULL || *ret_creds == NULL) {
		cli_error("wallet", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const tsr_store_summary_t *s = tsr_store_list_get(list, i);
		size_t k = *ret_n;
		size_t len = 0;
		const uint8_t *bytes;

		if (only != 0 && s->id != only)
			continue;
		if ((err = tsr_store_show(store, s->id, &(*ret_stored)[k])) != TSR_OK ||
		    (err = tsr_store_device_key(store, s->key_id, NULL, &(*ret_keys)[k])) !=
		    TSR_OK) {
			wallet_report(path, store, o, err);
			goto out;
		}
		bytes = tsr_store_credential_issuer_signed((*ret_stored)[k], &len);
		(*ret_creds)[k] = (cli_credential_t){ .issuer_signed = bytes,
			.issuer_signed_len = len, .key = (*ret_keys)[k],
			.label = tsr_store_credential_summary((*ret_stored)[k])->doc_type,
			.id = s->id };
		*ret_n = k + 1;
	}
	if (*ret_n == 0) {
		cli_error(path, only ? "no credential with that id" : "no credentials to present");
		goto out;
	}
	status = 0;
out:
	tsr_store_list_free(list);
	return status;
}

static int
run_present(const wallet_opts_t *o)
{
	secret_src_t secret = { .pin_file = o->pin_file };
	tsr_store_credential_t **stored = NULL;
	tsr_device_key_t **keys = NULL;
	cli_credential_t *creds = NULL;
	tsr_store_roots_t *roots = NULL;
	cli_bytes_t *root_bytes = NULL;
	cli_present_config_t cfg = o->present;
	tsr_store_t *store = NULL;
	char *path = NULL;
	size_t n = 0, n_roots;
	int err, status = WALLET_EXIT_FAIL;

	if (o->now != NULL && tsr_time_parse(o->now, &cfg.now) != TSR_OK) {
		cli_error("--now", "'%s' is not a UTC time like 2021-01-01T00:00:00Z", o->now);
		return CLI_EXIT_USAGE;
	}
	cfg.has_now = o->now != NULL;
	if (wallet_open(o, &secret, &store, &path) < 0 || wallet_unlock(path, store, o) < 0)
		goto out;
	if (load_credentials(o, path, store, &stored, &keys, &creds, &n) < 0)
		goto out;
	/* The reader roots this wallet trusts judge who is asking. */
	if ((err = tsr_store_trust_list(store, TSR_TRUST_READER_ROOT, &roots)) != TSR_OK) {
		wallet_report(path, store, o, err);
		goto out;
	}
	n_roots = tsr_store_roots_count(roots);
	if ((root_bytes = calloc(n_roots ? n_roots : 1, sizeof(*root_bytes))) == NULL)
		goto out;
	for (size_t i = 0; i < n_roots; i++) {
		const tsr_store_root_t *root = tsr_store_roots_get(roots, i);

		root_bytes[i].ptr = (uint8_t *)(uintptr_t)root->der;
		root_bytes[i].len = root->der_len;
	}
	cfg.reader_roots = root_bytes;
	cfg.n_reader_roots = n_roots;
	cfg.log = store;
	status = cli_present_session(&cfg, creds, n);
out:
	for (size_t i = 0; i < n; i++) {
		tsr_device_key_free(keys[i]);
		tsr_store_credential_free(stored[i]);
	}
	free(keys);
	free(stored);
	free(creds);
	free(root_bytes);
	tsr_store_roots_free(roots);
	wallet_secret_wipe(&secret);
	tsr_store_free(store);
	free(path);
	return status;
}

static const subcommand_t subcommands[] = {
	{ "init", init_usage, 0, run_init },
	{ "keygen", keygen_usage, 0, run_keygen },
	{ "import", import_usage, 1, run_import },
	{ "list", list_usage, 0, run_list },
	{ "show", show_usage, 1, run_show },
	{ "delete", delete_usage, 1, run_delete },
	{ "log", log_usage, 0, run_log },
	{ "present", present_usage, 0, run_present },
	{ "provision-request", provision_request_usage, 0, run_provision_request },
	{ "provision-respond", provision_respond_usage, 0, run_provision_respond },
	/* 1 or 2 positional arguments: run_trust() checks them. */
	{ "trust", trust_usage, SIZE_MAX, run_trust },
};

static const subcommand_t *
find_subcommand(const char *name)
{
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

enum {
	OPT_TCTI = 256,
	OPT_CREDENTIAL,
	OPT_TRANSPORT,
	OPT_BLE_MODE,
	OPT_BLE_L2CAP,
	OPT_QR_PNG,
	OPT_QR_URI_FILE,
	OPT_CONSENT,
	OPT_STRICT,
	OPT_DEVICE_AUTH,
	OPT_NOW,
	OPT_TIMEOUT,
	OPT_KEYS,
	OPT_OUT,
	OPT_CHALLENGE,
	OPT_PURPOSE,
};

static int
run_subcommand(const subcommand_t *sub, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "pin-file", required_argument, NULL, 'p' },
		{ "tcti", required_argument, NULL, OPT_TCTI },
		{ "credential", required_argument, NULL, OPT_CREDENTIAL },
		{ "transport", required_argument, NULL, OPT_TRANSPORT },
		{ "ble-mode", required_argument, NULL, OPT_BLE_MODE },
		{ "ble-l2cap", no_argument, NULL, OPT_BLE_L2CAP },
		{ "qr-png", required_argument, NULL, OPT_QR_PNG },
		{ "qr-uri-file", required_argument, NULL, OPT_QR_URI_FILE },
		{ "consent", required_argument, NULL, OPT_CONSENT },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "device-auth", required_argument, NULL, OPT_DEVICE_AUTH },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "keys", required_argument, NULL, OPT_KEYS },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "challenge", required_argument, NULL, OPT_CHALLENGE },
		{ "purpose", required_argument, NULL, OPT_PURPOSE },
		{ "secure-area", required_argument, NULL, 'a' },
		{ "pkcs11-module", required_argument, NULL, 'm' },
		{ "token", required_argument, NULL, 't' },
		{ "uses", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	wallet_opts_t o;
	bool present_only = false, provision_only = false;
	int c, status;

	memset(&o, 0, sizeof(o));
	o.present.device_auth = TSR_DEVICE_AUTH_MAC;
	o.present.timeout_s = 60;
	o.provision_keys = 1;
	o.trust_purpose = TSR_TRUST_READER_ROOT;
	if ((o.args = calloc((size_t)argc, sizeof(*o.args))) == NULL) {
		cli_error("wallet", "out of memory");
		return CLI_EXIT_USAGE;
	}
	optind = 0;
	opterr = 0;
	/* Positional arguments may come anywhere (GNU getopt permutes). */
	while ((c = getopt_long(argc, argv, ":s:p:a:m:t:u:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.store = optarg;
			break;
		case 'p':
			o.pin_file = optarg;
			break;
		case OPT_TCTI:
			o.tcti = optarg;
			break;
		case OPT_CREDENTIAL: o.credential = optarg; present_only = true; break;
		case OPT_TRANSPORT: o.transport = optarg; present_only = true; break;
		case OPT_BLE_MODE: o.ble_mode = optarg; present_only = true; break;
		case OPT_BLE_L2CAP: o.ble_l2cap = true; present_only = true; break;
		case OPT_QR_PNG: o.present.qr_png = optarg; present_only = true; break;
		case OPT_QR_URI_FILE: o.present.qr_uri_file = optarg; present_only = true; break;
		case OPT_CONSENT: o.present.consent = optarg; present_only = true; break;
		case OPT_STRICT: o.present.strict = true; present_only = true; break;
		case OPT_NOW: o.now = optarg; present_only = true; break;
		case OPT_PURPOSE:
			if (strcmp(optarg, "reader-root") == 0) {
				o.trust_purpose = TSR_TRUST_READER_ROOT;
			} else if (strcmp(optarg, "iaca") == 0) {
				o.trust_purpose = TSR_TRUST_IACA;
			} else {
				cli_error("--purpose", "'%s': expected reader-root or iaca", optarg);
				goto usage;
			}
			break;
		case OPT_KEYS:
			provision_only = true;
			o.provision_keys = (size_t)strtoul(optarg, NULL, 10);
			break;
		case OPT_OUT: o.out = optarg; provision_only = true; break;
		case OPT_CHALLENGE: o.challenge = optarg; provision_only = true; break;
		case OPT_DEVICE_AUTH:
			present_only = true;
			if (strcmp(optarg, "mac") == 0) {
				o.present.device_auth = TSR_DEVICE_AUTH_MAC;
			} else if (strcmp(optarg, "signature") == 0) {
				o.present.device_auth = TSR_DEVICE_AUTH_SIGNATURE;
			} else {
				cli_error("--device-auth", "'%s': expected mac or signature", optarg);
				goto usage;
			}
			break;
		case OPT_TIMEOUT:
			present_only = true;
			o.present.timeout_s = atoi(optarg);
			if (o.present.timeout_s <= 0 || o.present.timeout_s > 3600) {
				cli_error("--timeout", "'%s': expected 1 to 3600 seconds", optarg);
				goto usage;
			}
			break;
		case 'a':
			o.secure_area = optarg;
			break;
		case 'm':
			o.pkcs11_module = optarg;
			break;
		case 't':
			o.token = optarg;
			break;
		case 'u':
			o.uses = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			fputs(sub->usage, stdout);
			status = CLI_EXIT_OK;
			goto out;
		default:
			cli_bad_option(argv, c);
			goto usage;
		}
	}
	for (int i = optind; i < argc; i++)
		o.args[o.n_args++] = argv[i];
	if (sub->n_args != SIZE_MAX && o.n_args != sub->n_args) {
		cli_error(sub->name, o.n_args < sub->n_args ? "missing argument" :
							      "unexpected argument");
		goto usage;
	}
	if ((o.secure_area != NULL || o.token != NULL) && strcmp(sub->name, "init") != 0) {
		cli_error(sub->name, "--secure-area and --token are options of 'init' only");
		goto usage;
	}
	if (present_only && strcmp(sub->name, "present") != 0) {
		cli_error(sub->name, "--credential, --transport, --ble-mode, --ble-l2cap, --qr-png, "
		    "--qr-uri-file, "
		    "--consent, --strict, --device-auth, --now and --timeout are options of "
		    "'present' only");
		goto usage;
	}
	if (provision_only && strncmp(sub->name, "provision-", 10) != 0) {
		cli_error(sub->name, "--keys, --out and --challenge are options of "
		    "'provision-request' and 'provision-respond' only");
		goto usage;
	}
	if (strncmp(sub->name, "provision-", 10) == 0 && (o.out == NULL ||
	    (strcmp(sub->name, "provision-respond") == 0) != (o.challenge != NULL))) {
		cli_error(sub->name, "give --out (and --challenge to respond)");
		goto usage;
	}
	if (strcmp(sub->name, "present") == 0 && (o.transport == NULL ||
	    cli_transport_parse(o.transport, o.ble_mode, o.ble_l2cap,
	    &o.present.transport) < 0)) {
		if (o.transport == NULL)
			cli_error(sub->name, "which transport? (--transport ble or local:PATH)");
		goto usage;
	}
	if (o.uses != NULL && strcmp(sub->name, "import") != 0) {
		cli_error(sub->name, "--uses is an option of 'import' only");
		goto usage;
	}
	status = sub->run(&o);
	goto out;
usage:
	fputs(sub->usage, stderr);
	status = CLI_EXIT_USAGE;
out:
	free(o.args);
	return status;
}

int
cli_cmd_wallet(int argc, char **argv)
{
	const subcommand_t *sub;

	if (argc < 2) {
		cli_error("wallet", "which command?");
		fputs(wallet_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0 &&
		    (sub = find_subcommand(argv[2])) != NULL) {
			fputs(sub->usage, stdout);
			return CLI_EXIT_OK;
		}
		fputs(wallet_usage, stdout);
		return CLI_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		/* 'tessera wallet --store W list', as git would take it. */
		cli_error(argv[1], "options go after the command: tessera wallet COMMAND "
		    "[OPTIONS]");
		fputs(wallet_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	if ((sub = find_subcommand(argv[1])) == NULL) {
		cli_error(argv[1], "unknown wallet command");
		fputs(wallet_usage, stderr);
		return CLI_EXIT_USAGE;
	}
	return run_subcommand(sub, argc - 1, argv + 1);
}
