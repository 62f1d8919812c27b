/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Shared helpers of `tessera-issuer`. */
#ifndef TESSERA_ISSUER_CLI_H
#define TESSERA_ISSUER_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli-common.h"

/* The input is well-formed but violates a rule: nothing written. */
#define CLI_EXIT_REFUSED 1

/* Reads dir/name. */
int cli_read_in_dir(const char *dir, const char *name, uint8_t **ret_data, size_t *ret_len);

/* Prints a report (one problem per line) indented under a heading. */
void cli_print_report(const char *heading, const char *report);

/* The Document Signer of a PKI directory (ds-key.c): ds.pem with
 * ds_key.pem, or with ds_key.p11 naming a key on a PKCS#11 token (its user
 * PIN from pin_file, else $TESSERA_PIN). Prints why and returns -1. */
typedef struct cli_ds cli_ds_t;
int cli_ds_open(const char *pki, const char *pin_file, cli_ds_t **ret_ds);
const struct tsr_issuer *cli_ds_issuer(const cli_ds_t *ds);
/* The token's label when the DS key is on a token, else NULL. */
const char *cli_ds_token(const cli_ds_t *ds);
/* Adds a line about a token error behind err, if there is one. */
void cli_ds_explain(const cli_ds_t *ds, int err);
void cli_ds_free(cli_ds_t *ds);

/* A new DS key pair generated on a token (init). Its SPKI (DER) goes into
 * the DS certificate. Freed without cli_p11_key_keep(), the key is deleted
 * from the token again. */
typedef struct cli_p11_key cli_p11_key_t;
int cli_p11_key_create(const char *module, const char *token, const char *pin_file,
    cli_p11_key_t **ret_key, uint8_t *spki, size_t spki_cap, size_t *ret_spki_len);
/* The text of ds_key.p11 (malloc'd), or NULL. */
char *cli_p11_key_reference(const cli_p11_key_t *key, const char *module, const char *token);
void cli_p11_key_keep(cli_p11_key_t *key);
void cli_p11_key_free(cli_p11_key_t *key);

/* Reads CA certificates: a file, or every *.pem, *.der and *.crt file of a
 * directory (cmd-challenge.c). Appends to the arrays; prints why and returns -1. */
int cli_read_certs(const char *path, uint8_t ***certs, size_t **lens, size_t *n);
void cli_free_certs(uint8_t **certs, size_t *lens, size_t n);

/* Attested provisioning (cmd-challenge.c). Names every TSR_ATTEST_* reason in
 * flags, one per line, under heading. */
void cli_print_attest_flags(const char *heading, uint32_t flags);

/* Commands: argv[0] is the command's name. They return an exit status. */
int cli_cmd_init(int argc, char **argv);
int cli_cmd_issue(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_status_list(int argc, char **argv);
int cli_cmd_challenge(int argc, char **argv);

#endif /* TESSERA_ISSUER_CLI_H */
