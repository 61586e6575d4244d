// lexalign/core/thread_pool.hpp - a caller-owned, reusable pool of threads.
//
//   lexalign::thread_pool pool(4);                       // threads start here, once
//   auto r = ot::sinkhorn(a, b, C, {.parallel = {.pool = &pool}});
//   auto m = em::train(corpus, {.parallel = {.pool = &pool}});
//
// Threads are a resource the caller owns: the library never keeps a global
// pool, and no algorithm starts a thread inside an iteration.  An algorithm
// given `parallel_options{.threads = N}` without a pool makes one pool for
// the duration of the call (core/parallel.hpp); pass a pool to reuse threads
// across calls.
//
// for_each_block(n, block_size, body) calls body(block, begin, end, worker)
// for every block [begin, end) of at most block_size items of [0, n).  Block
// boundaries depend on n and block_size only, never on the pool's size, so a
// caller that reduces per-block partial results in block order gets the same
// bits with any number of threads.  `worker` < min(size(), blocks) names the
// executing thread (the calling thread is worker 0), for per-worker scratch.
// A dispatch allocates nothing (no std::function, no task queue).  The first
// exception thrown by a body is rethrown in the caller after every worker has
// stopped.  A body that calls for_each_block on the same pool runs that inner
// loop serially on its own thread, with its own worker index.  Calls from
// several outside threads are serialised.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
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

class thread_pool {
 public:
  // `threads` is the total concurrency, the calling thread included
  // (0 = all hardware threads); threads - 1 threads are started here.
  explicit thread_pool(unsigned threads = 0) : size_(resolve_threads(threads)) {
    threads_.reserve(size_ - 1);
    for (unsigned w = 1; w < size_; ++w) threads_.emplace_back([this, w] { worker_loop(w); });
  }
  thread_pool(const thread_pool&) = delete;
  thread_pool& operator=(const thread_pool&) = delete;
  ~thread_pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // Total concurrency (>= 1), the calling thread included.
  unsigned size() const noexcept { return size_; }

  // Workers a loop over `blocks` blocks uses: min(size(), blocks).
  unsigned workers_for(std::size_t blocks) const noexcept {
    return static_cast<unsigned>(std::min<std::size_t>(size_, blocks));
  }

  template <class Body>
  void for_each_block(std::size_t n, std::size_t block_size, Body&& body) {
    const std::size_t blocks = block_count(n, block_size);
    if (blocks == 0) return;
    auto run = [&](std::size_t b, unsigned worker) { body(b, b * block_size, std::min(n, (b + 1) * block_size), worker); };
    const unsigned workers = workers_for(blocks);
    if (workers <= 1 || current_pool() == this) {
      const unsigned self = current_pool() == this ? current_worker() : 0u;
      for (std::size_t b = 0; b < blocks; ++b) run(b, self);
      return;
    }
    using R = decltype(run);
    std::lock_guard<std::mutex> dispatch(dispatch_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = [](void* ctx, std::size_t b, unsigned worker) { (*static_cast<R*>(ctx))(b, worker); };
      context_ = &run;
      blocks_ = blocks;
      next_.store(0, std::memory_order_relaxed);
      participants_ = workers;
      running_ = workers - 1;
      failure_ = nullptr;
      ++generation_;
    }
    wake_.notify_all();
    execute(0);
    {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [&] { return running_ == 0; });
      job_ = nullptr;
      context_ = nullptr;
    }
    if (failure_) {
      std::exception_ptr e = failure_;
      failure_ = nullptr;
      std::rethrow_exception(e);
    }
  }

 private:
  static const thread_pool*& current_pool() noexcept {
    static thread_local const thread_pool* p = nullptr;
    return p;
  }
  static unsigned& current_worker() noexcept {
    static thread_local unsigned w = 0;
    return w;
  }

  // Runs blocks of the current job until none is left.
  void execute(unsigned worker) {
    const thread_pool* outer_pool = current_pool();
    const unsigned outer_worker = current_worker();
    current_pool() = this;
    current_worker() = worker;
    try {
      for (;;) {
        const std::size_t b = next_.fetch_add(1, std::memory_order_relaxed);
        if (b >= blocks_) break;
        job_(context_, b, worker);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex_);
      if (!failure_) failure_ = std::current_exception();
      next_.store(blocks_, std::memory_order_relaxed);
    }
    current_pool() = outer_pool;
    current_worker() = outer_worker;
  }

  void worker_loop(unsigned worker) {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (worker >= participants_) continue;
      }
      execute(worker);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--running_ == 0) done_.notify_one();
      }
    }
  }

  unsigned size_;
  std::vector<std::thread> threads_;
  std::mutex dispatch_;  // one loop at a time
  std::mutex mutex_;     // guards the fields below except next_
  std::condition_variable wake_, done_;
  bool stop_ = false;
  std::uint64_t generation_ = 0;
  void (*job_)(void*, std::size_t, unsigned) = nullptr;
  void* context_ = nullptr;
  std::size_t blocks_ = 0;
  unsigned participants_ = 0;
  unsigned running_ = 0;
  std::atomic<std::size_t> next_{0};
  std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

LEXALIGN_NAMESPACE_END
