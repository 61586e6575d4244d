// Threads: one executor per call, results bit-identical for 1, 2, 3 threads
// and a caller's pool; a multi-threaded steady-state iteration on a warm
// workspace allocates nothing (global operator new counted).
#include <cmath>
#include <cstddef>
#include <vector>

#include "lexalign/core/thread_pool.hpp"
#include "lexalign/ot/barycenter.hpp"
#include "lexalign/ot/gromov_wasserstein.hpp"
#include "lexalign/ot/partial.hpp"
#include "lexalign/ot/sinkhorn.hpp"
#include "lexalign/ot/unbalanced.hpp"
#include "ot_test_util.hpp"
#include "support/catch.hpp"
#include "support/counting_new.hpp"  // the only includer in test_ot

namespace ot = lexalign::ot;
using ot_test::max_abs_diff;

namespace {
template <class R>
void check_same(const R& x, const R& y) {
  CHECK(x.convergence == y.convergence);
  CHECK(max_abs_diff(x.f, y.f) == 0.0);
  CHECK(max_abs_diff(x.g, y.g) == 0.0);
  CHECK(x.cost == y.cost);
  CHECK(std::vector<double>(x.plan.data(), x.plan.data() + x.plan.size()) ==
        std::vector<double>(y.plan.data(), y.plan.data() + y.plan.size()));
}
}  // namespace

TEST_CASE("entropic solvers: bit-identical results for 1, 2, 3 threads and a caller's pool", "[ot][threads]") {
  // 300 rows: 5 row blocks of 64, so threads really share the work
  const auto C = ot_test::random_cost(300, 120, 21);
  const auto a = ot_test::uniform(300), b = ot_test::uniform(120), b7 = ot_test::uniform(120, 0.7);
  lexalign::thread_pool pool(3);
  std::vector<lexalign::parallel_options> configs{{.threads = 2}, {.threads = 3}, {.pool = &pool}};
  for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
    INFO("method " << static_cast<int>(method));
    const auto s1 = ot::sinkhorn(a, b, C, {.epsilon = 0.02, .method = method});
    const auto u1 = ot::sinkhorn_unbalanced(a, b7, C, {.sinkhorn = {.epsilon = 0.02, .method = method}});
    for (const auto& par : configs) {
      check_same(s1, ot::sinkhorn(a, b, C, {.epsilon = 0.02, .method = method, .parallel = par}));
      check_same(u1, ot::sinkhorn_unbalanced(a, b7, C, {.sinkhorn = {.epsilon = 0.02, .method = method, .parallel = par}}));
    }
    lexalign::dense_matrix<double> H(2, 120);
    for (std::size_t j = 0; j < 120; ++j) H(0, j) = H(1, 119 - j) = (1.0 + static_cast<double>(j % 7)) / 480.0;
    const auto y1 = ot::barycenter(H, C, {.epsilon = 0.05, .method = method, .max_iterations = 50});
    for (const auto& par : configs) {
      const auto y = ot::barycenter(H, C, {.epsilon = 0.05, .method = method, .max_iterations = 50, .parallel = par});
      CHECK(y.convergence == y1.convergence);
      CHECK(max_abs_diff(y.weights, y1.weights) == 0.0);
    }
  }
  const auto p1 = ot::partial(a, b7, C, {.epsilon = 0.02, .mass = 0.5});
  for (const auto& par : configs) check_same(p1, ot::partial(a, b7, C, {.epsilon = 0.02, .mass = 0.5, .parallel = par}));
  lexalign::dense_matrix<double> C1(40, 40), C2(30, 30);
  for (std::size_t i = 0; i < 40; ++i)
    for (std::size_t j = 0; j < 40; ++j) C1(i, j) = std::abs(double(i) - double(j)) / 40;
  for (std::size_t i = 0; i < 30; ++i)
    for (std::size_t j = 0; j < 30; ++j) C2(i, j) = std::pow((double(i) - double(j)) / 30, 2);
  const auto g1 = ot::gromov_wasserstein(C1, C2, ot_test::uniform(40), ot_test::uniform(30),
                                         {.max_iterations = 30, .inner = {.epsilon = 0.01}});
  for (const auto& par : configs)
    check_same(g1, ot::gromov_wasserstein(C1, C2, ot_test::uniform(40), ot_test::uniform(30),
                                          {.max_iterations = 30, .inner = {.epsilon = 0.01}, .parallel = par}));
}

TEST_CASE("multi-threaded steady-state sinkhorn on a warm workspace and a pool allocates nothing",
          "[ot][threads][allocation]") {
  const auto C = ot_test::random_cost(256, 200, 23);
  const auto a = ot_test::uniform(256), b = ot_test::uniform(200);
  for (unsigned threads : {2u, 3u}) {
    lexalign::thread_pool pool(threads);
    for (auto method : {ot::sinkhorn_method::scaling, ot::sinkhorn_method::log}) {
      INFO("threads " << threads << " method " << static_cast<int>(method));
      ot::sinkhorn_workspace<double> ws;
      const ot::sinkhorn_options o{.epsilon = 0.01, .method = method, .max_iterations = 60, .tolerance = 0,
                                   .parallel = {.pool = &pool}};
      ot::sinkhorn(a, b, C, o, ws);  // warms the workspace (and the pool)
      std::vector<std::size_t> seen;
      seen.reserve(16);
      const auto r = ot::sinkhorn(a, b, C, o, ws, [&](const lexalign::iteration_event&) {
        seen.push_back(lexalign::test::global_new_calls());
      });
      REQUIRE(seen.size() == 6);
      // between the first and the last check: 50 iterations on 4 row blocks, 2 or 3 workers
      if (LEXALIGN_COUNTING_NEW) CHECK(seen.back() == seen.front());
      CHECK(r.convergence.iterations == 60);
    }
  }
}
