/*
 * Copyright (c) 2026 The Tessera authors.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * Marks a false positive of gcc's -fanalyzer where it is reported, so that
 * the library has no unexplained finding (the `gcc-analyzer` test fails on
 * any other). gcc 12's analyzer loses ownership that is handed to a list
 * or struct the caller frees later, and cannot know what a function in
 * another file returns; every use says which of these it is, in a comment
 * next to it. Other compilers see nothing.
 *
 *	// -fanalyzer: `n` belongs to the queue once linked (free_queue()).
 *	TSR_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
 *	... the code it is wrong about ...
 *	TSR_ANALYZER_END
 */
#ifndef TSR_BASE_ANALYZER_H
#define TSR_BASE_ANALYZER_H

#if defined(__GNUC__) && !defined(__clang__)
#define TSR_ANALYZER_PRAGMA(x) _Pragma(#x)
#define TSR_ANALYZER_IGNORE(warning) \
	_Pragma("GCC diagnostic push") TSR_ANALYZER_PRAGMA(GCC diagnostic ignored warning)
#define TSR_ANALYZER_END _Pragma("GCC diagnostic pop")
#else
#define TSR_ANALYZER_IGNORE(warning)
#define TSR_ANALYZER_END
#endif

#endif /* TSR_BASE_ANALYZER_H */
