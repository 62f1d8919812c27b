/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* SessionEstablishment and SessionData as either side receives them, and
 * decryption of their data with fixed keys (never a crash, never success
 * for a forged tag). */

#include <tessera/tessera.h>

#include "fuzz-common.h"
#include "session/session.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tsr_session_establishment_t se;
	tsr_session_data_t sd;
	tsr_session_t s;
	uint8_t *again = NULL, *pt = NULL;
	size_t again_len = 0, pt_len = 0;

	memset(&s, 0, sizeof(s));
	memset(s.sk_reader, 0x11, sizeof(s.sk_reader));
	memset(s.sk_device, 0x22, sizeof(s.sk_device));
	s.send_counter = s.recv_counter = 1;
	if (tsr_session_establishment_decode(data, size, &se) == TSR_OK) {
		if (tsr_session_establishment_encode(se.e_reader_key_bytes, se.data.ptr, se.data.len,
		    &again, &again_len) == TSR_OK)
			fuzz_expect_same(again, again_len, data, size);
		free(again);
		s.role = TSR_SESSION_MDOC;
		if (tsr_session_decrypt(&s, se.data.ptr, se.data.len, &pt, &pt_len) == TSR_OK)
			abort(); /* a GCM forgery */
		tsr_session_establishment_clear(&se);
	}
	if (tsr_session_data_decode(data, size, &sd) == TSR_OK) {
		s.role = TSR_SESSION_READER;
		if (sd.has_data &&
		    tsr_session_decrypt(&s, sd.data.ptr, sd.data.len, &pt, &pt_len) == TSR_OK)
			abort();
		tsr_session_data_clear(&sd);
	}
	return 0;
}
