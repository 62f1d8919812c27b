/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Allocation and random-source failure injection (libfido2's fuzz/wrap.c
 * idea, made exhaustive). This program is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup, so every
 * allocation made by the static wallet-core layers it links (and by this
 * file) goes through the wrappers below; those of shared libraries do not
 * (see below). Each operation is run once to count its allocations, then once
 * for every N in 1..count with the Nth allocation failing: it must return a
 * negative code (TSR_ERR_NO_MEMORY where the failure is an allocation), never
 * crash, and leave nothing behind (the sanitizer tree's LeakSanitizer
 * checks that at exit). The random source is swept the same way through
 * tsr_random_set().
 *
 * The shared libraries' own allocations are reached another way. Debian's
 * libmbedcrypto and libmbedx509 (built without MBEDTLS_PLATFORM_MEMORY)
 * call calloc() through their PLT, and libcbor (built without
 * CBOR_CUSTOM_ALLOC) malloc() and realloc(). The test rewrites those slots
 * of the libraries' GOTs to hooks of its own (hook_install()), which count
 * and fail only that library's allocations; everything else in the process
 * allocates as before. The same sweeps then fail the library's Nth
 * allocation instead of ours.
 */

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cbor.h>
#include <tessera/tessera.h>

#include "cbor/codec.h"
#include "crypto/tpm-crypto.h"
#include "test-support.h"

#define ANNEX_D_NOW "2021-01-01T00:00:00Z"

/* --- The allocation wrappers --- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *ptr, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
char *__wrap_strdup(const char *s);

static bool armed;          /* count (and maybe fail) allocations */
static unsigned long count; /* allocations seen since arming */
static unsigned long fail_at; /* 0: never fail */
static bool failed;         /* the fail_at-th allocation was refused */

/* Under a sanitizer, TSR_FI_TRACE=1 prints where each refused allocation
 * was asked for (to find the code behind a failing sweep). */
void __sanitizer_print_stack_trace(void) __attribute__((weak));
static bool trace;

/* Whose allocations the sweep fails: those of the wallet-core layers
 * (through the --wrap wrappers) or those of one shared library (through
 * its GOT, see below). */
typedef enum fi_target {
	TARGET_CORE,
	TARGET_MBEDTLS,
	TARGET_LIBCBOR,
} fi_target_t;

static fi_target_t target = TARGET_CORE;
static const char *const target_names[] = {
	[TARGET_CORE] = "wallet-core",
	[TARGET_MBEDTLS] = "mbedTLS",
	[TARGET_LIBCBOR] = "libcbor",
};

static bool
refuse_from(fi_target_t from)
{
	if (!armed || from != target)
		return false;
	if (++count == fail_at) {
		failed = true;
		if (trace && __sanitizer_print_stack_trace != NULL)
			__sanitizer_print_stack_trace();
		return true;
	}
	return false;
}

void *
__wrap_malloc(size_t size)
{
	return refuse_from(TARGET_CORE) ? NULL : __real_malloc(size);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return refuse_from(TARGET_CORE) ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *ptr, size_t size)
{
	return refuse_from(TARGET_CORE) ? NULL : __real_realloc(ptr, size);
}

char *
__wrap_strdup(const char *s)
{
	return refuse_from(TARGET_CORE) ? NULL : __real_strdup(s);
}

/* --- A shared library's allocations: its GOT entries --- */

/* What each hook forwards to: whatever the slot held (libc's function, or
 * the sanitizer's interceptor). */
static void *(*real_calloc)(size_t, size_t);
static void *(*real_malloc)(size_t);
static void *(*real_realloc)(void *, size_t);

/* mbedTLS allocates with calloc() only (and frees with free()). */
static void *
mbedtls_calloc_hook(size_t n, size_t size)
{
	return refuse_from(TARGET_MBEDTLS) ? NULL : real_calloc(n, size);
}

/* libcbor (0.8, built without CBOR_CUSTOM_ALLOC, so no cbor_set_allocs())
 * allocates with malloc() and realloc(). */
static void *
libcbor_malloc_hook(size_t size)
{
	return refuse_from(TARGET_LIBCBOR) ? NULL : real_malloc(size);
}

static void *
libcbor_realloc_hook(void *ptr, size_t size)
{
	return refuse_from(TARGET_LIBCBOR) ? NULL : real_realloc(ptr, size);
}

/* One GOT slot to point at a hook: the symbol it is for, the hook, and the
 * function the hook forwards to. Function pointers are handled as bytes
 * (memcpy), since ISO C has no conversion between function and object
 * pointers. */
typedef struct got_hook {
	const char *symbol;
	const void *hook; /* address of a function pointer to the hook */
	void *real;       /* address of the function pointer to forward to */
	size_t ptr_size;
} got_hook_t;

typedef struct hooked_library {
	const char *const *sonames; /* parts of the names of the objects to rewrite */
	const got_hook_t *hooks;
	size_t n_hooks;
	unsigned slots; /* GOT slots rewritten */
} hooked_library_t;

static void *(*const mbedtls_calloc_ptr)(size_t, size_t) = mbedtls_calloc_hook;
static void *(*const libcbor_malloc_ptr)(size_t) = libcbor_malloc_hook;
static void *(*const libcbor_realloc_ptr)(void *, size_t) = libcbor_realloc_hook;

static const char *const mbedtls_sonames[] = { "libmbedcrypto.so", "libmbedx509.so", NULL };
static const got_hook_t mbedtls_hooks[] = {
	{ "calloc", &mbedtls_calloc_ptr, &real_calloc, sizeof(real_calloc) },
};
static hooked_library_t mbedtls_library = { mbedtls_sonames, mbedtls_hooks,
	G_N_ELEMENTS(mbedtls_hooks), 0 };

static const char *const libcbor_sonames[] = { "libcbor.so", NULL };
static const got_hook_t libcbor_hooks[] = {
	{ "malloc", &libcbor_malloc_ptr, &real_malloc, sizeof(real_malloc) },
	{ "realloc", &libcbor_realloc_ptr, &real_realloc, sizeof(real_realloc) },
};
static hooked_library_t libcbor_library = { libcbor_sonames, libcbor_hooks,
	G_N_ELEMENTS(libcbor_hooks), 0 };

/* Rewrites the GOT slots that the relocations rela[0..len) give to one of
 * lib's hooked symbols. [relro, relro_end) is the object's RELRO range,
 * read-only once relocated; the rest of its GOT (a lazily bound .got.plt,
 * libcbor's) stays writable. */
static void
hook_relocs(hooked_library_t *lib, ElfW(Addr) base, const ElfW(Rela) *rela, size_t len,
    const ElfW(Sym) *symtab, const char *strtab, uintptr_t relro, uintptr_t relro_end)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < len / sizeof(*rela); i++) {
		const ElfW(Sym) *sym = &symtab[ELF64_R_SYM(rela[i].r_info)];
		void *slot = (void *)(base + rela[i].r_offset);
		uintptr_t start = (uintptr_t)slot & ~(uintptr_t)(page - 1);
		bool read_only = (uintptr_t)slot >= relro && (uintptr_t)slot < relro_end;
		const got_hook_t *h = NULL;
		void *real;

		if (ELF64_R_SYM(rela[i].r_info) == 0)
			continue;
		for (size_t k = 0; k < lib->n_hooks; k++)
			if (strcmp(strtab + sym->st_name, lib->hooks[k].symbol) == 0)
				h = &lib->hooks[k];
		if (h == NULL)
			continue;
		/* The hook forwards to what the dynamic linker binds the symbol
		 * to (libc's function, or the sanitizer's interceptor), not to
		 * the slot's content: a lazily bound slot still holds the
		 * address of its PLT stub. */
		real = dlsym(RTLD_DEFAULT, h->symbol);
		g_assert_nonnull(real);
		memcpy(h->real, &real, h->ptr_size);
		if (read_only)
			g_assert_cmpint(mprotect((void *)start, (size_t)page,
			    PROT_READ | PROT_WRITE), ==, 0);
		memcpy(slot, h->hook, h->ptr_size);
		if (read_only)
			g_assert_cmpint(mprotect((void *)start, (size_t)page, PROT_READ), ==, 0);
		lib->slots++;
	}
}

static ElfW(Addr)
dyn_ptr(ElfW(Addr) base, ElfW(Addr) value)
{
	/* glibc relocates these .dynamic entries in place on x86-64; add the
	 * base where it did not. */
	return value < base ? base + value : value;
}

static bool
is_library(const hooked_library_t *lib, const char *name)
{
	for (const char *const *s = lib->sonames; *s != NULL; s++)
		if (strstr(name, *s) != NULL)
			return true;
	return false;
}

static int
hook_object(struct dl_phdr_info *info, size_t size, void *data)
{
	hooked_library_t *lib = data;
	const ElfW(Dyn) *dyn = NULL;
	const ElfW(Rela) *jmprel = NULL, *rela = NULL;
	const ElfW(Sym) *symtab = NULL;
	const char *strtab = NULL;
	size_t jmprel_len = 0, rela_len = 0;
	uintptr_t relro = 0, relro_end = 0;

	(void)size;
	if (info->dlpi_name == NULL || !is_library(lib, info->dlpi_name))
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(info->dlpi_addr + ph->p_vaddr);
		if (ph->p_type == PT_GNU_RELRO) {
			relro = info->dlpi_addr + ph->p_vaddr;
			relro_end = relro + ph->p_memsz;
		}
	}
	g_assert_nonnull(dyn);
	for (; dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_JMPREL:
			jmprel = (const void *)dyn_ptr(info->dlpi_addr, dyn->d_un.d_ptr);
			break;
		case DT_PLTRELSZ:
			jmprel_len = dyn->d_un.d_val;
			break;
		case DT_RELA:
			rela = (const void *)dyn_ptr(info->dlpi_addr, dyn->d_un.d_ptr);
			break;
		case DT_RELASZ:
			rela_len = dyn->d_un.d_val;
			break;
		case DT_SYMTAB:
			symtab = (const void *)dyn_ptr(info->dlpi_addr, dyn->d_un.d_ptr);
			break;
		case DT_STRTAB:
			strtab = (const void *)dyn_ptr(info->dlpi_addr, dyn->d_un.d_ptr);
			break;
		default:
			break;
		}
	}
	g_assert_nonnull(symtab);
	g_assert_nonnull(strtab);
	if (jmprel != NULL)
		hook_relocs(lib, info->dlpi_addr, jmprel, jmprel_len, symtab, strtab, relro,
		    relro_end);
	if (rela != NULL)
		hook_relocs(lib, info->dlpi_addr, rela, rela_len, symtab, strtab, relro,
		    relro_end);
	return 0;
}

/* The number of GOT slots of lib pointing at its hooks, at least
 * min_slots, or 0 when lib is not a shared library of this process (a
 * statically linked one has no GOT slots to rewrite). */
static unsigned
hook_install(hooked_library_t *lib, unsigned min_slots)
{
	if (lib->slots == 0)
		dl_iterate_phdr(hook_object, lib);
	return lib->slots >= min_slots ? lib->slots : 0;
}

static void
arm(unsigned long n)
{
	count = 0;
	fail_at = n;
	failed = false;
	armed = true;
}

static void
disarm(void)
{
	armed = false;
}

/* --- The random-source wrapper --- */

static unsigned long rng_calls, rng_fail_at;
static bool rng_failed;

static int
failing_random(void *user, uint8_t *out, size_t len)
{
	(void)user;
	if (++rng_calls == rng_fail_at) {
		rng_failed = true;
		return -1;
	}
	/* Not for keys anyone keeps: a test pattern is enough. */
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(rng_calls * 131 + i * 7 + 1);
	return 0;
}

static void
rng_arm(unsigned long n)
{
	rng_calls = 0;
	rng_fail_at = n;
	rng_failed = false;
	tsr_random_set(failing_random, NULL);
}

static void
rng_disarm(void)
{
	tsr_random_set(NULL, NULL);
}

/* --- The Annex D material --- */

typedef struct vectors {
	uint8_t *response, *issuer_signed, *request, *transcript, *device_key, *iaca,
	    *reader_key, *reader_root, *ds_cert;
	size_t response_len, issuer_signed_len, request_len, transcript_len, device_key_len,
	    iaca_len, reader_key_len, reader_root_len, ds_cert_len;
} vectors_t;

static vectors_t v;

static void
load_vectors(void)
{
	v.response = tsr_test_load("annex-d/device_response.cbor", &v.response_len);
	v.issuer_signed = tsr_test_load("annex-d/issuer_signed.cbor", &v.issuer_signed_len);
	v.request = tsr_test_load("annex-d/device_request.cbor", &v.request_len);
	v.transcript = tsr_test_load("annex-d/session_transcript_bytes.cbor", &v.transcript_len);
	v.device_key = tsr_test_load("annex-d/static_device_key.pem", &v.device_key_len);
	v.iaca = tsr_test_load("annex-d/iaca_cert.pem", &v.iaca_len);
	v.reader_key = tsr_test_load("annex-d/ephemeral_reader_key.pem", &v.reader_key_len);
	v.reader_root = tsr_test_load("annex-d/reader_root_cert.pem", &v.reader_root_len);
	v.ds_cert = tsr_test_load("annex-d/ds_cert.der", &v.ds_cert_len);
}

static void
free_vectors(void)
{
	g_free(v.response);
	g_free(v.issuer_signed);
	g_free(v.request);
	g_free(v.transcript);
	g_free(v.device_key);
	g_free(v.iaca);
	g_free(v.reader_key);
	g_free(v.reader_root);
	g_free(v.ds_cert);
}

/*
 * An operation under test: set_up and tear_down run disarmed; op runs armed
 * and returns its code. The sweep checks that every injected failure turns
 * into an error and that the unfailed run succeeds.
 */
typedef struct op {
	const char *name;
	void *(*set_up)(void);
	int (*run)(void *state);
	void (*tear_down)(void *state);
} op_t;

/* The mbedTLS sweeps count the failures that come out as another error
 * than TSR_ERR_NO_MEMORY (false verdicts included). */
static bool require_no_memory;
static unsigned long not_no_memory;
/* Fail every stride-th allocation only: 1 but for mbedTLS's (see
 * nomem_mbedtls()). */
static unsigned long stride = 1;
static unsigned long cases;

static unsigned long
sweep(const op_t *op, bool random_source)
{
	unsigned long n, total = 0, no_memory = 0;
	void *state;
	int r;

	for (n = 1;; n += stride) {
		state = op->set_up ? op->set_up() : NULL;
		if (random_source)
			rng_arm(n);
		else
			arm(n);
		r = op->run(state);
		disarm();
		if (random_source)
			rng_disarm();
		if (op->tear_down)
			op->tear_down(state);
		if (!(random_source ? rng_failed : failed)) {
			/* Nothing left to fail: the operation must have worked. */
			if (r != TSR_OK)
				g_error("%s: fails (%s) with nothing injected", op->name,
				    tsr_strerror(r));
			total = random_source ? rng_calls : count;
			break;
		}
		cases++;
		if (r >= 0)
			g_error("%s: %s %lu failed, yet it returned %d", op->name,
			    random_source ? "random draw" : "allocation", n, r);
		if (r == TSR_ERR_NO_MEMORY || r == TSR_ERR_RANDOM)
			no_memory++;
		else if (require_no_memory)
			not_no_memory++;
		if (r != TSR_ERR_NO_MEMORY && r != TSR_ERR_RANDOM)
			g_test_message("%s: %s %lu failed: %s", op->name,
			    random_source ? "random draw" : "allocation", n, tsr_strerror(r));
	}
	g_test_message("%s: %lu %s %s, one in %lu failed in turn, %lu reported as %s", op->name,
	    total, random_source ? "our" : target_names[target], random_source ? "random draws" : "allocations",
	    stride, no_memory, random_source ? "TSR_ERR_RANDOM" : "TSR_ERR_NO_MEMORY");
	return total;
}

/* --- Strict CBOR decoding of the Annex D DeviceResponse --- */

static int
run_cbor_decode(void *state)
{
	tsr_cbor_doc_t *doc = NULL;
	int r;

	(void)state;
	r = tsr_cbor_decode(v.response, v.response_len, NULL, &doc);
	tsr_cbor_doc_free(doc);
	return r;
}

static const op_t cbor_decode_op = { "cbor decode", NULL, run_cbor_decode, NULL };

static void
nomem_cbor_decode(void)
{
	g_assert_cmpuint(sweep(&cbor_decode_op, false), >, 0);
}

/* --- tsr_verifier_verify of the Annex D DeviceResponse --- */

/* Failed runs that still gave a verdict: the genuine document called
 * invalid, and the reasons it was given. */
static unsigned long false_verdicts;
static uint32_t false_verdict_reasons;

static void *
verifier_set_up(void)
{
	tsr_verifier_t *ver = NULL;

	g_assert_cmpint(tsr_verifier_new(&ver), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_add_trust_anchor(ver, v.iaca, v.iaca_len), ==, TSR_OK);
	g_assert_cmpint(tsr_verifier_set_transcript(ver, v.transcript, v.transcript_len), ==,
	    TSR_OK);
	g_assert_cmpint(tsr_verifier_set_reader_key(ver, v.reader_key, v.reader_key_len), ==,
	    TSR_OK);
	tsr_verifier_set_time(ver, tsr_test_time(ANNEX_D_NOW));
	return ver;
}

static int
run_verify(void *state)
{
	tsr_verify_result_t *result = NULL;
	int r;

	r = tsr_verifier_verify(state, v.response, v.response_len, &result);
	/* An allocation failure is not a forgery: no verdict either way. */
	if ((r == TSR_OK || r == TSR_ERR_VERIFY) && !tsr_verify_result_valid(result)) {
		uint32_t reasons = tsr_verify_result_reasons(result);

		for (size_t i = 0; i < tsr_verify_result_doc_count(result); i++)
			reasons |= tsr_verified_doc_reasons(tsr_verify_result_doc(result, i));
		false_verdict_reasons |= reasons;
		false_verdicts++;
		r = TSR_ERR_INTERNAL;
	}
	tsr_verify_result_free(result);
	return r;
}

static void
verifier_tear_down(void *state)
{
	tsr_verifier_free(state);
}

static const op_t verify_op = { "verifier verify", verifier_set_up, run_verify,
	verifier_tear_down };

static void
nomem_verify(void)
{
	g_assert_cmpuint(sweep(&verify_op, false), >, 0);
}

/* --- The TPM endorsement-key chain check (attested provisioning) --- */

/* tsr_tpm_ek_cert_verify() with the Annex D DS certificate standing in for
 * an EK certificate and its IACA for the TPM manufacturer's CA: a genuine
 * chain, so a verdict of untrusted is a false one. */
static int
run_ek_chain(void *state)
{
	const uint8_t *cas[] = { v.iaca };
	const size_t ca_lens[] = { v.iaca_len };
	uint32_t flags = 0;
	int r;

	(void)state;
	r = tsr_tpm_ek_cert_verify(v.ds_cert, v.ds_cert_len, cas, ca_lens, 1,
	    tsr_test_time(ANNEX_D_NOW), &flags);
	if (r == TSR_ERR_VERIFY) {
		false_verdict_reasons |= flags;
		false_verdicts++;
		r = TSR_ERR_INTERNAL;
	}
	return r;
}

static const op_t ek_chain_op = { "EK chain check", NULL, run_ek_chain, NULL };

static void
nomem_ek_chain(void)
{
	g_assert_cmpuint(sweep(&ek_chain_op, false), >, 0);
}

/* --- The holder: presentation analysis and response --- */

typedef struct holder_state {
	tsr_device_key_t *key;
	tsr_presentation_t *p;
} holder_state_t;

static void *
key_set_up(void)
{
	holder_state_t *s = g_new0(holder_state_t, 1);

	g_assert_cmpint(tsr_device_key_new_from_pem(v.device_key, v.device_key_len, &s->key), ==,
	    TSR_OK);
	return s;
}

static int
run_presentation_build(void *state)
{
	holder_state_t *s = state;
	int r;

	if ((r = tsr_presentation_new(v.request, v.request_len, v.transcript, v.transcript_len,
	    &s->p)) != TSR_OK)
		return r;
	tsr_presentation_set_time(s->p, tsr_test_time(ANNEX_D_NOW));
	if ((r = tsr_presentation_add_reader_root(s->p, v.reader_root, v.reader_root_len)) !=
	    TSR_OK ||
	    (r = tsr_presentation_add_credential(s->p, v.issuer_signed, v.issuer_signed_len,
	    s->key, "cred-1")) != TSR_OK)
		return r;
	return tsr_presentation_analyze(s->p);
}

static void *
presentation_set_up(void)
{
	holder_state_t *s = key_set_up();

	g_assert_cmpint(run_presentation_build(s), ==, TSR_OK);
	tsr_presentation_consent_all(s->p, true);
	return s;
}

static void
holder_tear_down(void *state)
{
	holder_state_t *s = state;

	tsr_presentation_free(s->p);
	tsr_device_key_free(s->key);
	g_free(s);
}

static int
respond(holder_state_t *s, tsr_device_auth_kind_t kind)
{
	uint8_t *resp = NULL;
	size_t len = 0;
	int r;

	r = tsr_presentation_respond(s->p, kind, &resp, &len);
	if (r == TSR_OK && resp == NULL)
		r = TSR_ERR_INTERNAL;
	tsr_free(resp);
	return r;
}

static int
run_respond_mac(void *state)
{
	return respond(state, TSR_DEVICE_AUTH_MAC);
}

static int
run_respond_signature(void *state)
{
	return respond(state, TSR_DEVICE_AUTH_SIGNATURE);
}

static const op_t build_op = { "presentation new/add/analyze", key_set_up,
	run_presentation_build, holder_tear_down };
static const op_t mac_op = { "presentation respond (MAC)", presentation_set_up, run_respond_mac,
	holder_tear_down };
static const op_t sig_op = { "presentation respond (signature)", presentation_set_up,
	run_respond_signature, holder_tear_down };

static void
nomem_presentation(void)
{
	g_assert_cmpuint(sweep(&build_op, false), >, 0);
	g_assert_cmpuint(sweep(&mac_op, false), >, 0);
	g_assert_cmpuint(sweep(&sig_op, false), >, 0);
}

/* --- Session establishment, both sides --- */

typedef struct session_state {
	tsr_holder_session_t *holder;
	tsr_reader_session_t *reader;
	uint8_t *request, *establishment;
	size_t request_len, establishment_len;
} session_state_t;

static int
run_sessions_new(void *state)
{
	session_state_t *s = state;
	char *uri = NULL;
	int r;

	if ((r = tsr_holder_session_new(NULL, &s->holder)) != TSR_OK)
		return r;
	if ((r = tsr_holder_session_qr_uri(s->holder, &uri)) != TSR_OK)
		return r;
	r = tsr_reader_session_new(uri, &s->reader);
	tsr_free(uri);
	return r;
}

static int
build_request(session_state_t *s)
{
	tsr_request_builder_t *b = NULL;
	const uint8_t *st = NULL;
	size_t st_len = 0;
	int r;

	tsr_reader_session_transcript(s->reader, &st, &st_len);
	if ((r = tsr_request_builder_new(&b)) == TSR_OK &&
	    (r = tsr_request_builder_add_template(b, "driving-licence")) == TSR_OK)
		r = tsr_request_builder_build(b, st, st_len, &s->request, &s->request_len);
	tsr_request_builder_free(b);
	return r;
}

static void *
sessions_set_up(void)
{
	session_state_t *s = g_new0(session_state_t, 1);

	g_assert_cmpint(run_sessions_new(s), ==, TSR_OK);
	g_assert_cmpint(build_request(s), ==, TSR_OK);
	return s;
}

static void *
established_set_up(void)
{
	session_state_t *s = sessions_set_up();

	g_assert_cmpint(tsr_reader_session_establish(s->reader, s->request, s->request_len,
	    &s->establishment, &s->establishment_len), ==, TSR_OK);
	return s;
}

static void
session_tear_down(void *state)
{
	session_state_t *s = state;

	tsr_holder_session_free(s->holder);
	tsr_reader_session_free(s->reader);
	tsr_free(s->request);
	tsr_free(s->establishment);
	g_free(s);
}

static int
run_request_build(void *state)
{
	session_state_t *s = state;

	tsr_free(s->request);
	s->request = NULL;
	return build_request(s);
}

static int
run_reader_establish(void *state)
{
	session_state_t *s = state;
	uint8_t *msg = NULL;
	size_t len = 0;
	int r;

	r = tsr_reader_session_establish(s->reader, s->request, s->request_len, &msg, &len);
	tsr_free(msg);
	return r;
}

static int
run_holder_establish(void *state)
{
	session_state_t *s = state;
	uint8_t *request = NULL;
	size_t len = 0;
	int r;

	r = tsr_holder_session_establish(s->holder, s->establishment, s->establishment_len,
	    &request, &len);
	tsr_free(request);
	return r;
}

static const op_t session_new_op = { "holder and reader session new", NULL, run_sessions_new,
	session_tear_down };
static const op_t request_op = { "request builder", sessions_set_up, run_request_build,
	session_tear_down };
static const op_t reader_establish_op = { "reader session establish", sessions_set_up,
	run_reader_establish, session_tear_down };
static const op_t holder_establish_op = { "holder session establish", established_set_up,
	run_holder_establish, session_tear_down };

static void *
session_new_state(void)
{
	return g_new0(session_state_t, 1);
}

static void
nomem_session(void)
{
	op_t new_op = session_new_op;

	new_op.set_up = session_new_state;
	g_assert_cmpuint(sweep(&new_op, false), >, 0);
	g_assert_cmpuint(sweep(&request_op, false), >, 0);
	g_assert_cmpuint(sweep(&reader_establish_op, false), >, 0);
	g_assert_cmpuint(sweep(&holder_establish_op, false), >, 0);
}

/* --- The random source failing: every draw of each operation in turn --- */

static void
random_failures(void)
{
	op_t new_op = session_new_op;

	new_op.set_up = session_new_state;
	g_assert_cmpuint(sweep(&new_op, true), >, 0);
	/* The reader draws nothing here (its key came with the session); the
	 * holder neither: both sweeps end at once and must simply succeed. */
	sweep(&reader_establish_op, true);
	sweep(&holder_establish_op, true);
	/* ECDSA takes its k (or its blinding) from the source. */
	g_assert_cmpuint(sweep(&sig_op, true), >, 0);
}

/* --- A shared library's own allocations failing --- */

/*
 * Sweeps ops with lib's allocations failing one in stride at a time and
 * returns the number of allocations lib made in their unfailed runs. Every
 * failure must come out as TSR_ERR_NO_MEMORY: not as a verdict about the
 * document, nor as another error.
 */
static unsigned long
library_sweep(fi_target_t lib_target, const op_t *const *ops, size_t n_ops)
{
	unsigned long total = 0;

	cases = 0;
	target = lib_target;
	require_no_memory = true;
	false_verdicts = not_no_memory = 0;
	false_verdict_reasons = 0;
	for (size_t i = 0; i < n_ops; i++)
		total += sweep(ops[i], false);
	target = TARGET_CORE;
	require_no_memory = false;
	g_test_message("%s: %lu allocations, one in %lu failed (%lu cases): %lu not reported as "
	    "TSR_ERR_NO_MEMORY, of which %lu verdicts of invalid (reasons 0x%x)",
	    target_names[lib_target], total, stride, cases, not_no_memory, false_verdicts,
	    (unsigned)false_verdict_reasons);
	g_assert_cmpuint(false_verdicts, ==, 0);
	g_assert_cmpuint(not_no_memory, ==, 0);
	return total;
}

static void
nomem_mbedtls(void)
{
	op_t new_op = session_new_op;
	const op_t *ops[] = { &verify_op, &ek_chain_op, &mac_op, &sig_op, &new_op,
		&reader_establish_op, &holder_establish_op };
	unsigned slots = hook_install(&mbedtls_library, 2);

	if (slots == 0) {
		g_test_skip("mbedTLS is not a shared library here: its calloc cannot be hooked");
		return;
	}
	g_test_message("mbedTLS: %u GOT slots hooked", slots);
	new_op.set_up = session_new_state;
	/* Fail every stride-th allocation only: a verification makes some
	 * 20,000 of them, most of them the same big-number growth inside one
	 * scalar multiplication. */
	stride = g_getenv("TSR_FI_MBEDTLS_STRIDE") != NULL ?
	    MAX(1, g_ascii_strtoull(g_getenv("TSR_FI_MBEDTLS_STRIDE"), NULL, 10)) : 31;
	/* No signature, certificate chain, device authentication, key or
	 * decoding is ever judged bad for want of memory (findings 13 and
	 * 14), and no failure is reported as another error. */
	g_assert_cmpuint(library_sweep(TARGET_MBEDTLS, ops, G_N_ELEMENTS(ops)), >, 0);
	stride = 1;
}

static void
nomem_libcbor(void)
{
	op_t new_op = session_new_op;
	const op_t *ops[] = { &cbor_decode_op, &verify_op, &build_op, &mac_op, &sig_op, &new_op,
		&request_op, &reader_establish_op, &holder_establish_op };
	unsigned slots = hook_install(&libcbor_library, 1);
	cbor_item_t *probe;

	if (slots == 0) {
		g_test_skip("libcbor is not a shared library here: its malloc cannot be hooked");
		return;
	}
	g_test_message("libcbor: %u GOT slots hooked", slots);
	/* The hook does reach libcbor: an item it builds is refused. */
	arm(0);
	target = TARGET_LIBCBOR;
	probe = cbor_build_uint8(1);
	g_assert_nonnull(probe);
	g_assert_cmpuint(count, ==, 1);
	cbor_decref(&probe);
	arm(1);
	probe = cbor_build_uint8(1);
	disarm();
	target = TARGET_CORE;
	g_assert_null(probe);
	g_assert_true(failed);
	new_op.set_up = session_new_state;
	/* Whatever libcbor allocates while decoding and encoding credentials,
	 * requests and responses is failed in turn. (wallet-core uses only its
	 * callback decoder, cbor_stream_decode(), and its head encoders, which
	 * work in the caller's buffers: the count is expected to be 0, and
	 * would show here if an allocating call came in.) */
	library_sweep(TARGET_LIBCBOR, ops, G_N_ELEMENTS(ops));
}

int
main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	trace = g_getenv("TSR_FI_TRACE") != NULL;
	load_vectors();
	g_test_add_func("/failure-injection/nomem_cbor_decode", nomem_cbor_decode);
	g_test_add_func("/failure-injection/nomem_verify", nomem_verify);
	g_test_add_func("/failure-injection/nomem_ek_chain", nomem_ek_chain);
	g_test_add_func("/failure-injection/nomem_presentation", nomem_presentation);
	g_test_add_func("/failure-injection/nomem_session", nomem_session);
	g_test_add_func("/failure-injection/random_failures", random_failures);
	g_test_add_func("/failure-injection/nomem_mbedtls", nomem_mbedtls);
	g_test_add_func("/failure-injection/nomem_libcbor", nomem_libcbor);
	r = g_test_run();
	free_vectors();
	return r;
}
