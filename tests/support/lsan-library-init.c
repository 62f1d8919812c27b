/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * LeakSanitizer over the shared libraries' constructors, for the GUI apps'
 * test programs in the ASan tree only (tests/meson.build adds this file;
 * docs/assurance.md "Sanitizers in CI").
 *
 * GLib's constructor allocates the first block of its quark table. Once a
 * process has 2048 quarks, GLib copies the table to a bigger block and
 * drops the old one for good, on purpose (gquark.c: lock-free readers may
 * still be using it). GStreamer's types take the verifier app past 2048, so
 * LeakSanitizer reports that block at exit. With the fast unwinder (the slow
 * one makes the GTK tests time out) its stack is g_malloc() and nothing
 * more, the same as every g_malloc() leak of the apps', so no suppression
 * can tell them apart.
 *
 * So leak checking is paused while the libraries initialise: from the
 * executable's .preinit_array, which the dynamic loader runs before any
 * library's constructor, to a constructor of the executable's, which it runs
 * after all of them. None of Tessera's code runs in between (libtessera has
 * no constructor). Allocations made then are still checked for every other
 * error, and everything allocated from main() on is leak-checked as before.
 */

#include <sanitizer/lsan_interface.h>

static void
pause_leak_checks(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	__lsan_disable();
}

__attribute__((used, section(".preinit_array"))) static void (*const pause_leak_checks_entry)(
    int, char **, char **) = pause_leak_checks;

__attribute__((constructor)) static void
resume_leak_checks(void)
{
	__lsan_enable();
}
