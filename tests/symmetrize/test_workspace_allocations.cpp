// A warm symmetrize::workspace (and output vector) makes combine() allocation
// free.  The workspace holds std::vectors, so this counts global operator new
// calls (replaced for this test executable only).
#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

#include "lexalign/symmetrize/symmetrize.hpp"
#include "support/catch.hpp"

// AddressSanitizer brings its own operator new, and mixing it with ours is
// reported as an alloc-dealloc mismatch: under ASan the test only runs the
// code, without counting.
#if defined(__SANITIZE_ADDRESS__)
#define LEXALIGN_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LEXALIGN_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef LEXALIGN_COUNT_ALLOCATIONS
#define LEXALIGN_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<std::size_t> global_allocations{0};
}

#if LEXALIGN_COUNT_ALLOCATIONS
void* operator new(std::size_t n) {
  ++global_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

TEST_CASE("a warm workspace makes combine allocation free", "[symmetrize][memory]") {
  namespace sym = lexalign::symmetrize;
  using L = lexalign::link;
  std::mt19937 rng(3);
  std::vector<std::vector<L>> fwd, rev;
  for (int k = 0; k < 200; ++k) {
    const auto n = static_cast<std::uint32_t>(1 + rng() % 40), m = static_cast<std::uint32_t>(1 + rng() % 40);
    std::vector<L> f, r;
    for (std::uint32_t j = 0; j < m; ++j) f.push_back({static_cast<std::uint32_t>((j * n / m + rng() % 3) % n), j});
    for (std::uint32_t i = 0; i < n; ++i) r.push_back({i, static_cast<std::uint32_t>((i * m / n + rng() % 3) % m)});
    lexalign::normalize_links(f);
    fwd.push_back(f);
    rev.push_back(r);
  }
  fwd.push_back({{0, 0}, {1000000, 5}});  // a sparse sentence (hash path)
  rev.push_back({{0, 0}, {1000001, 5}});
  for (sym::semantics s : {sym::semantics::atools, sym::semantics::moses})
    for (sym::heuristic h : {sym::heuristic::grow, sym::heuristic::grow_diag_final, sym::heuristic::grow_diag_final_and,
                             sym::heuristic::union_}) {
      sym::workspace ws;
      std::vector<L> out;
      out.reserve(200);
      for (std::size_t k = 0; k < fwd.size(); ++k) sym::combine(fwd[k], rev[k], {.method = h, .order = s}, ws, out);
      const std::size_t before = global_allocations.load();
      std::size_t links = 0;
      for (std::size_t k = 0; k < fwd.size(); ++k) {
        sym::combine(fwd[k], rev[k], {.method = h, .order = s}, ws, out);
        links += out.size();
      }
      const std::size_t after = global_allocations.load();
      if (LEXALIGN_COUNT_ALLOCATIONS) CHECK(after == before);
      CHECK(links > 0);
    }
}
