// Counts the global operator new calls of one test executable, for the
// no-allocation tests of code whose buffers are plain std::vectors.
//
// Include in exactly ONE .cpp of a test executable: it replaces the global
// operator new / delete of that whole program.  Under AddressSanitizer (which
// brings its own operator new; mixing the two is reported as an alloc-dealloc
// mismatch) nothing is replaced and LEXALIGN_COUNTING_NEW is 0: tests then run
// the code without counting.
//
//   const auto before = lexalign::test::global_new_calls();
//   run_iterations();
//   if (LEXALIGN_COUNTING_NEW) CHECK(lexalign::test::global_new_calls() == before);
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define LEXALIGN_COUNTING_NEW 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LEXALIGN_COUNTING_NEW 0
#endif
#endif
#ifndef LEXALIGN_COUNTING_NEW
#define LEXALIGN_COUNTING_NEW 1
#endif

namespace lexalign::test {
inline std::atomic<std::size_t> global_new_counter{0};
// Global operator new calls so far (0 forever when not counting).
inline std::size_t global_new_calls() noexcept { return global_new_counter.load(); }
}  // namespace lexalign::test

#if LEXALIGN_COUNTING_NEW
void* operator new(std::size_t n) {
  lexalign::test::global_new_counter.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 false positive on replaced operators
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif
