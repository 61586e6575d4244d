// thread_pool, executor and parallel_options: block coverage, determinism,
// exceptions, nesting, and dispatches that allocate nothing.
#include <atomic>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "lexalign/core/error.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "support/catch.hpp"
#include "support/counting_new.hpp"

namespace {

// Sums 1/(i+1) over [0, n) in blocks, reduced in block order.
double block_sum(const lexalign::executor& ex, std::size_t n, std::size_t block) {
  std::vector<double> partial(lexalign::block_count(n, block), 0.0);
  ex.for_each_block(n, block, [&](std::size_t b, std::size_t begin, std::size_t end, unsigned) {
    for (std::size_t i = begin; i < end; ++i) partial[b] += 1.0 / static_cast<double>(i + 1);
  });
  double s = 0;
  for (double p : partial) s += p;
  return s;
}

}  // namespace

TEST_CASE("thread_pool covers every item once with fixed blocks", "[parallel]") {
  for (unsigned threads : {1u, 2u, 4u, 0u}) {
    lexalign::thread_pool pool(threads);
    CHECK(pool.size() == lexalign::resolve_threads(threads));
    const std::size_t n = 1003, block = 64;
    for (int round = 0; round < 3; ++round) {  // the same pool, reused
      std::vector<std::atomic<int>> seen(n);
      std::set<std::size_t> begins;
      std::mutex m;
      pool.for_each_block(n, block, [&](std::size_t b, std::size_t begin, std::size_t end, unsigned worker) {
        CHECK(worker < pool.workers_for(lexalign::block_count(n, block)));
        CHECK(begin == b * block);
        for (std::size_t i = begin; i < end; ++i) seen[i]++;
        std::lock_guard lock(m);
        begins.insert(begin);
      });
      for (auto& s : seen) CHECK(s.load() == 1);
      CHECK(begins.size() == 16);
      CHECK(*begins.rbegin() == 960);
    }
  }
  lexalign::thread_pool pool(3);
  int calls = 0;
  pool.for_each_block(0, 8, [&](std::size_t, std::size_t, std::size_t, unsigned) { ++calls; });
  CHECK(calls == 0);
  CHECK(lexalign::resolve_threads(3) == 3);
  CHECK(lexalign::resolve_threads(0) >= 1);
}

TEST_CASE("block-order reductions give the same bits for any thread count", "[parallel]") {
  const double one = block_sum(lexalign::executor({.threads = 1}), 100000, 777);
  for (unsigned threads : {2u, 3u, 8u}) {
    lexalign::executor ex({.threads = threads});
    CHECK(ex.size() == threads);
    CHECK(block_sum(ex, 100000, 777) == one);
  }
  lexalign::thread_pool pool(4);
  lexalign::executor borrowed({.threads = 1, .pool = &pool});  // the pool wins over threads
  CHECK(borrowed.size() == 4);
  CHECK(block_sum(borrowed, 100000, 777) == one);
}

TEST_CASE("the first exception of a body reaches the caller; the pool stays usable", "[parallel]") {
  lexalign::thread_pool pool(2);
  CHECK_THROWS_AS(pool.for_each_block(100, 10,
                                      [](std::size_t b, std::size_t, std::size_t, unsigned) {
                                        if (b == 7) throw lexalign::error("boom");
                                      }),
                  lexalign::error);
  std::atomic<int> blocks{0};
  pool.for_each_block(100, 10, [&](std::size_t, std::size_t, std::size_t, unsigned) { ++blocks; });
  CHECK(blocks.load() == 10);
}

TEST_CASE("a nested loop on the same pool runs serially on the calling worker", "[parallel]") {
  lexalign::thread_pool pool(2);
  std::atomic<int> inner{0};
  std::atomic<bool> worker_mismatch{false};
  pool.for_each_block(4, 1, [&](std::size_t, std::size_t, std::size_t, unsigned outer) {
    const auto id = std::this_thread::get_id();
    pool.for_each_block(10, 3, [&](std::size_t, std::size_t begin, std::size_t end, unsigned w) {
      if (w != outer || std::this_thread::get_id() != id) worker_mismatch = true;
      inner += static_cast<int>(end - begin);
    });
  });
  CHECK(inner.load() == 40);
  CHECK_FALSE(worker_mismatch.load());
}

TEST_CASE("a dispatch on a warm pool allocates nothing", "[parallel][allocation]") {
  lexalign::thread_pool pool(3);
  std::vector<double> partial(64, 0.0);
  auto body = [&](std::size_t b, std::size_t begin, std::size_t end, unsigned) {
    double s = 0;
    for (std::size_t i = begin; i < end; ++i) s += std::sqrt(static_cast<double>(i));
    partial[b] = s;
  };
  pool.for_each_block(64 * 1000, 1000, body);  // warm
  const auto before = lexalign::test::global_new_calls();
  for (int round = 0; round < 50; ++round) pool.for_each_block(64 * 1000, 1000, body);
  if (LEXALIGN_COUNTING_NEW) CHECK(lexalign::test::global_new_calls() == before);
}

TEST_CASE("parallel_options are validated", "[parallel][validate]") {
  CHECK_NOTHROW(lexalign::validate(lexalign::parallel_options{}));
  CHECK_NOTHROW(lexalign::validate(lexalign::parallel_options{.threads = 0}));
  try {
    lexalign::validate(lexalign::parallel_options{.threads = 100000});
    FAIL("no exception");
  } catch (const lexalign::invalid_option& e) {
    CHECK(e.option() == "parallel_options.threads");
    CHECK(e.value() == "100000");
    CHECK(std::string(e.what()) == "parallel_options.threads must be <= 4096 (got 100000)");
  }
}
