/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* What the `tessera wallet` subcommands share (cmd-wallet*.c). */
#ifndef TESSERA_WALLET_CLI_H
#define TESSERA_WALLET_CLI_H

#include "cli.h"

/* Exit status of a wallet command that failed for a reason other than
 * usage: refused import, wrong PIN, no TPM, ... */
#define WALLET_EXIT_FAIL 1

#define MAX_SECRET 256

typedef struct wallet_opts {
	const char *store;
	const char *pin_file;
	const char *tcti;
	const char *secure_area;
	const char *pkcs11_module;
	const char *token;
	const char *uses;
	bool json;
	char **args; /* positional arguments (argv pointers) */
	size_t n_args;
	/* provision-request / provision-respond */
	size_t provision_keys;
	const char *out;
	const char *challenge;
	/* trust add */
	tsr_trust_purpose_t trust_purpose;
	/* present only */
	const char *credential;
	const char *transport, *ble_mode;
	bool ble_l2cap;
	cli_present_config_t present;
	const char *now;
} wallet_opts_t;

/* Where a PIN or passphrase comes from, read once. */
typedef struct secret_src {
	bool loaded;
	bool have;
	char value[MAX_SECRET];
	bool confirm; /* a new passphrase typed on a terminal: ask twice */
	const char *pin_file;
} secret_src_t;

/* Wipes a secret read from a file, the environment or the terminal. */
void wallet_secret_wipe(secret_src_t *s);
/* Opens the wallet; *ret_path receives the path in use (free()). */
int wallet_open(const wallet_opts_t *o, secret_src_t *secret, tsr_store_t **ret_store,
    char **ret_path);
/* Explains a store error in words fit for the wallet's secure area. */
void wallet_report(const char *path, tsr_store_t *store, const wallet_opts_t *o, int err);
/* Unlocks, reporting a failure; -1 on failure. */
int wallet_unlock(const char *path, tsr_store_t *store, const wallet_opts_t *o);
/* Lower-case hex. */
void wallet_put_hex(FILE *f, const uint8_t *p, size_t len);

/* provision-request and provision-respond (cmd-wallet-provision.c). */
int run_provision_request(const wallet_opts_t *o);
int run_provision_respond(const wallet_opts_t *o);
/* trust add|list|remove (cmd-wallet-trust.c). */
int run_trust(const wallet_opts_t *o);

#endif /* TESSERA_WALLET_CLI_H */
