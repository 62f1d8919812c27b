/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* What the command-line tools (`tessera`, `tessera-issuer`) share. */
#ifndef TESSERA_CLI_COMMON_H
#define TESSERA_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses every command uses. */
#define CLI_EXIT_OK 0    /* success */
#define CLI_EXIT_USAGE 2 /* bad usage, unreadable or malformed input, I/O error */

/* No input we read is legitimately anywhere near this large. */
#define CLI_MAX_INPUT ((size_t)16 * 1024 * 1024)

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/* A command of a tool: `tessera-issuer init ...`. run() gets argv from the
 * command's name on, with getopt reset. */
typedef struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
} cli_command_t;

/* The command called name in commands[0..n), or NULL. */
const cli_command_t *cli_find_command(const cli_command_t *commands, size_t n,
    const char *name);

/* Prints "<program>: <what>: <message>" on stderr. */
void cli_error(const char *what, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Reports an unknown option or a missing argument after getopt_long()
 * returned '?' or ':' (opterr must be 0). */
void cli_bad_option(char *const *argv, int c);

/* Reads a whole non-empty file ("-" is stdin) of at most `limit` bytes; prints why
 * and returns -1 on failure (*ret_data untouched). The buffer is
 * NUL-terminated one byte past *ret_len (PEM parsers like that) and freed
 * with cli_free_data(). */
int cli_read_file(const char *path, size_t limit, uint8_t **ret_data, size_t *ret_len);
/* Wipes and frees what cli_read_file() returned (files may hold keys). */
void cli_free_data(uint8_t *data, size_t len);

/*
 * Writes a file atomically: a temporary file in the same directory with
 * mode set before any byte is written (0600 for keys), synced, then renamed
 * over `path` ("-" writes stdout). Without overwrite an existing file is an
 * error. Prints why and returns -1 on failure; nothing is left behind.
 */
int cli_write_file(const char *path, const void *data, size_t len, unsigned mode,
    bool overwrite);

/* RFC 3339 in UTC; prints why and returns -1 on failure. */
int cli_parse_time(const char *opt, const char *text, int64_t *ret_time);
/* A decimal unsigned integer in [min, max]; prints why and returns -1. */
int cli_parse_uint(const char *opt, const char *text, uint64_t min, uint64_t max,
    uint64_t *ret_value);

#endif /* TESSERA_CLI_COMMON_H */
