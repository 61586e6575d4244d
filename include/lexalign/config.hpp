// lexalign/config.hpp - version and every LEXALIGN_* switch, in one place.
#pragma once

#define LEXALIGN_VERSION_MAJOR 0
#define LEXALIGN_VERSION_MINOR 1
#define LEXALIGN_VERSION_PATCH 0
#define LEXALIGN_VERSION_STRING "0.1.0"

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
