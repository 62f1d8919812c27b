/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Reading another process's memory for secrets (issue #10), shared by the
 * memory scans of the `tessera` CLI processes (test-cli-secret-scan) and
 * of the two GUI apps (test-app-secret-scan):
 *  - a child started under ptrace (PTRACE_TRACEME, PTRACE_O_TRACEEXIT), so
 *    that it stops when it calls exit, with its memory still whole, and can
 *    be stopped on demand while it runs;
 *  - a snapshot of every readable and writable mapping of it, read through
 *    /proc/PID/mem (the test is its tracer);
 *  - the ephemeral private scalars of a session, found among the process's
 *    mbedTLS big numbers by their public key, and the secrets the library
 *    derives from them (SK, the ECDH secrets, the EMacKey);
 *  - the frames of the local transport (uint32 big-endian length prefix),
 *    so that a test can sit between a reader and a holder and hold the
 *    response back while both sessions are alive.
 * Every function aborts the test on failure.
 */
#ifndef TSR_TEST_PROCESS_SCAN_H
#define TSR_TEST_PROCESS_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>

#include <tessera/tessera.h>

#include "crypto/crypto-internal.h"
#include "engagement/engagement.h"
#include "session/session.h"

/* For a loaded machine (and an ASan build). */
#define TSR_TEST_SCAN_WAIT_MS (120 * 1000)

/* --- The traced processes --- */

typedef struct tsr_test_tracee {
	const char *name;
	pid_t pid;
	bool at_exit; /* stopped in exit, memory whole */
	bool gone;
	int status;   /* wait status once gone */
} tsr_test_tracee_t;

/*
 * Starts argv (argv[0] a path) as a traced child named name, with stdout
 * and stderr going to log_path, or only stderr when ctl_out is a
 * descriptor: then stdout is ctl_out, and stdin is ctl_in when that is one
 * (the lines a driven app and its test exchange; -1 for neither). The
 * child gets MALLOC_PERTURB_=0 (glibc would otherwise wipe freed blocks on
 * the program's behalf), LeakSanitizer off (it cannot run under ptrace),
 * and G_DEBUG without gc-friendly (which makes GLib clear what it frees).
 * Returns with the child running its program.
 */
void tsr_test_tracee_spawn(tsr_test_tracee_t *t, const char *name, const char *const *argv,
    const char *log_path, int ctl_in, int ctl_out);

/* Handles the stops t has reached, without waiting: an exec goes on, a
 * signal is passed on, and the stop in exit is kept (t->at_exit). */
void tsr_test_tracee_poll(tsr_test_tracee_t *t);

/* Polls t until it is in exit or gone; a test failure after
 * TSR_TEST_SCAN_WAIT_MS. */
void tsr_test_tracee_wait_exit(tsr_test_tracee_t *t);

/* The contents of the file at path, without the final newline, once the
 * running writer has written it (a test failure if writer exits first). */
char *tsr_test_wait_file(const char *path, tsr_test_tracee_t *writer);

/* Stops the running t, every thread of it (SIGSTOP), for a scan while it
 * lives; tsr_test_tracee_resume() lets it go on (SIGCONT). Only the main
 * thread is traced; the others are seen stopped in /proc/PID/task. */
void tsr_test_tracee_interrupt(tsr_test_tracee_t *t);
void tsr_test_tracee_resume(tsr_test_tracee_t *t);

/* Lets t, stopped in exit, finish; its exit status must be 0 (else the
 * test fails with its log). */
void tsr_test_tracee_release(tsr_test_tracee_t *t, const char *log_path);

/* --- A process's memory --- */

typedef struct tsr_test_snapshot {
	GArray *regions; /* of the private region type of process-scan.c */
	size_t total;      /* bytes of the mappings */
	size_t unreadable; /* of those, in pages that could not be read */
} tsr_test_snapshot_t;

/* Every readable and writable mapping of the traced pid (heap, stacks,
 * anonymous mappings, libraries' data; not the vvar page nor mappings over
 * 512 MiB: sanitizer shadow and reservations). Pages that cannot be read
 * (a shared file mapping past the file's end, device memory) are zeros in
 * the snapshot and counted in unreadable. */
void tsr_test_snapshot_take(pid_t pid, tsr_test_snapshot_t *snap);
void tsr_test_snapshot_free(tsr_test_snapshot_t *snap);

/* Calls fn for every occurrence of len bytes in snap, with where it is in
 * the snapshot's copy, how many bytes of its mapping come before it, and
 * how many from it to the mapping's end. */
typedef void (*tsr_test_occurrence_fn)(const uint8_t *at, size_t before, size_t rest,
    void *user);
void tsr_test_snapshot_each(const tsr_test_snapshot_t *snap, const uint8_t *bytes, size_t len,
    tsr_test_occurrence_fn fn, void *user);

/* Whether len bytes (16 to 32: a secret's half or a value's window) occur
 * anywhere in snap, as they are. */
bool tsr_test_snapshot_has_bytes(const tsr_test_snapshot_t *snap, const uint8_t *bytes,
    size_t len);

/*
 * Finds the private scalar of pub among the process's mbedTLS big numbers
 * (mbedtls_mpi {int s; size_t n; mbedtls_mpi_uint *p}: positive, 4 to 16
 * 64-bit limbs, the upper ones zero) and writes it big-endian to d. False
 * when none gives d * G = pub.
 */
bool tsr_test_snapshot_find_scalar(const tsr_test_snapshot_t *snap, const tsr_ec_pub_t *pub,
    uint8_t d[32]);

/* --- The secrets and the scan --- */

#define TSR_TEST_MAX_SECRETS 12

typedef struct tsr_test_secret {
	const char *what;
	uint8_t bytes[32];
} tsr_test_secret_t;

typedef struct tsr_test_secrets {
	tsr_test_secret_t s[TSR_TEST_MAX_SECRETS];
	size_t n;
} tsr_test_secrets_t;

/* A new 32-byte secret called what (a string that outlives all). */
tsr_test_secret_t *tsr_test_secret_add(tsr_test_secrets_t *all, const char *what);
const tsr_test_secret_t *tsr_test_secret_named(const tsr_test_secrets_t *all,
    const char *what);

/* Whether either 16-byte half of s occurs in snap, forwards or byte-reversed
 * (big numbers are little-endian limbs), so that a free() overwriting a
 * block's first 16 bytes cannot hide it. */
bool tsr_test_snapshot_has_secret(const tsr_test_snapshot_t *snap, const tsr_test_secret_t *s);

/* Scans snap for every secret of all, logs each one found and a summary
 * ("<who> <when>: N KiB in M mappings scanned ..."), returns how many were
 * found. */
unsigned tsr_test_scan_secrets(const tsr_test_snapshot_t *snap, const tsr_test_secrets_t *all,
    const char *who, const char *when);

/*
 * Adds to all, which must hold "the EReaderKey scalar", the secrets a QR
 * session (Handover null) derives from it, as session.c and
 * holder/respond.c do: "the session's ECDH secret", "SKDevice", "SKReader",
 * "the device-auth ECDH secret" (EReaderKey with SDeviceKey, device_pub)
 * and "the EMacKey" (18013-5 §9.1.3.5).
 */
void tsr_test_derive_session_secrets(tsr_test_secrets_t *all, const uint8_t *engagement,
    size_t engagement_len, const tsr_engagement_t *de, const tsr_session_establishment_t *se,
    const tsr_ec_pub_t *device_pub);

/* --- The frames between a reader and a holder --- */

/* One frame (uint32 big-endian length || message, at most 1 MiB) that src
 * sends on fd, polling both processes while it waits; NULL once src has
 * stopped sending (end of stream, or src is in exit: its descriptors close
 * only after that stop) before the frame's first byte. other may be NULL. */
uint8_t *tsr_test_frame_read(int fd, size_t *ret_len, tsr_test_tracee_t *src,
    tsr_test_tracee_t *other);
void tsr_test_frame_write(int fd, const uint8_t *msg, size_t len);

/* A Unix stream socket at path: listening (backlog 1) or connected. */
int tsr_test_unix_socket(const char *path, bool listening);

/* Accepts one connection on the listening lfd (and closes it) while
 * polling the two processes; a test failure if waiter exits first. */
int tsr_test_unix_accept(int lfd, tsr_test_tracee_t *waiter, tsr_test_tracee_t *other);

#endif /* TSR_TEST_PROCESS_SCAN_H */
