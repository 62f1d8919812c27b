/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "verifier-error.h"

G_DEFINE_QUARK (verifier-error-quark, verifier_error)
