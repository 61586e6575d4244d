// lexalign/config.hpp - version and every LEXALIGN_* switch, in one place.
#pragma once

#define LEXALIGN_VERSION_MAJOR 0
#define LEXALIGN_VERSION_MINOR 2
#define LEXALIGN_VERSION_PATCH 0
#define LEXALIGN_VERSION_STRING "0.2.0"

// Inline ABI namespace: lexalign::v0::x is reachable as lexalign::x.
#define LEXALIGN_NAMESPACE_BEGIN \
  namespace lexalign {           \
  inline namespace v0 {
#define LEXALIGN_NAMESPACE_END \
  }                            \
  }

// LEXALIGN_ASSERT checks preconditions on the caller's *code* (not data: bad
// data throws lexalign::error).  On by default in debug builds; define
// LEXALIGN_ENABLE_ASSERTS=1 or 0 to force it.
#ifndef LEXALIGN_ENABLE_ASSERTS
#ifdef NDEBUG
#define LEXALIGN_ENABLE_ASSERTS 0
#else
#define LEXALIGN_ENABLE_ASSERTS 1
#endif
#endif

#if LEXALIGN_ENABLE_ASSERTS
#include <cstdio>
#include <cstdlib>
#define LEXALIGN_ASSERT(cond, msg)                                                       \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: lexalign assertion failed: %s (%s)\n", __FILE__, __LINE__, \
                   #cond, msg);                                                          \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
#else
#define LEXALIGN_ASSERT(cond, msg) ((void)0)
#endif

// Largest sentence length (tokens) the readers accept by default; see
// io::read_options::max_sentence_length.  Far above any natural sentence, it
// catches files with missing line breaks before they allocate quadratic tables.
#ifndef LEXALIGN_DEFAULT_MAX_SENTENCE_LENGTH
#define LEXALIGN_DEFAULT_MAX_SENTENCE_LENGTH 10000
#endif

// ---------------------------------------------------------------------------
// Code generation switches.  Each can be overridden by defining it before the
// first lexalign include (or on the compiler's command line).

// __builtin_shufflevector (GCC >= 12, Clang): vector halves without a trip
// through memory.
#ifndef LEXALIGN_HAS_SHUFFLEVECTOR
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define LEXALIGN_HAS_SHUFFLEVECTOR 1
#endif
#endif
#endif
#ifndef LEXALIGN_HAS_SHUFFLEVECTOR
#define LEXALIGN_HAS_SHUFFLEVECTOR 0
#endif

// LEXALIGN_HAVE_VECTOR_EXT: 1 when GCC/Clang generic vector types are used by
// the hand-vectorised kernels (ot/detail/simd.hpp), 0 for plain loops.
#ifndef LEXALIGN_HAVE_VECTOR_EXT
#if defined(__GNUC__) || defined(__clang__)
#define LEXALIGN_HAVE_VECTOR_EXT 1
#else
#define LEXALIGN_HAVE_VECTOR_EXT 0
#endif
#endif

// LEXALIGN_VECTOR_BYTES: width of those vector types, by default the widest
// registers the *consumer's* flags enable (64 with AVX-512, 32 with AVX, else
// 16).  Sums depend on it (never on the thread count).
#ifndef LEXALIGN_VECTOR_BYTES
#if defined(__AVX512F__)
#define LEXALIGN_VECTOR_BYTES 64
#elif defined(__AVX__)
#define LEXALIGN_VECTOR_BYTES 32
#else
#define LEXALIGN_VECTOR_BYTES 16
#endif
#endif

// LEXALIGN_FORCE_INLINE: the small kernels' inlining.  Forced only in
// optimised builds (NDEBUG or __OPTIMIZE__), plain `inline` otherwise so that
// debug and sanitizer builds stay debuggable and compile fast.
#ifndef LEXALIGN_FORCE_INLINE
#if (defined(__GNUC__) || defined(__clang__)) && (defined(NDEBUG) || defined(__OPTIMIZE__))
#define LEXALIGN_FORCE_INLINE inline __attribute__((always_inline))
#else
#define LEXALIGN_FORCE_INLINE inline
#endif
#endif
