// lexalign/core/parallel.hpp - thread count and a deterministic block loop.
//
// There is no global thread pool and no global setting: every parallel
// algorithm takes `threads` in its options (0 = std::thread::hardware_concurrency()).
// Work is split into fixed-size blocks that do not depend on the thread count,
// so a caller that reduces per-block partial results in block order gets the
// same floating-point answer with 1 or N threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

// Resolves a requested thread count: 0 means "all hardware threads".
inline unsigned resolve_threads(unsigned requested) noexcept {
  if (requested != 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1u : hw;
}

// Number of blocks of `block_size` items needed to cover `n` items.
constexpr std::size_t block_count(std::size_t n, std::size_t block_size) noexcept {
  return block_size == 0 ? 0 : (n + block_size - 1) / block_size;
}

// Calls body(block_index, begin, end, worker_index) for every block
// [begin, end) of at most `block_size` items in [0, n), on up to `threads`
// threads (0 = all).  worker_index < resolve_threads(threads) identifies the
// calling thread so that callers can keep one scratch buffer per worker.
// Blocks are handed out dynamically; the block boundaries never depend on the
// thread count.  The first exception thrown by `body` is rethrown here after
// all workers stop.
template <class Body>
void for_each_block(unsigned threads, std::size_t n, std::size_t block_size, Body&& body) {
  const std::size_t blocks = block_count(n, block_size);
  if (blocks == 0) return;
  const unsigned workers =
      static_cast<unsigned>(std::min<std::size_t>(resolve_threads(threads), blocks));
  if (workers <= 1) {
    for (std::size_t b = 0; b < blocks; ++b)
      body(b, b * block_size, std::min(n, (b + 1) * block_size), 0u);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&](unsigned worker) {
    try {
      for (;;) {
        const std::size_t b = next.fetch_add(1, std::memory_order_relaxed);
        if (b >= blocks) return;
        body(b, b * block_size, std::min(n, (b + 1) * block_size), worker);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next.store(blocks, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

LEXALIGN_NAMESPACE_END
