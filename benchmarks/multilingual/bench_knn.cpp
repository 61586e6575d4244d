// Exact k-NN / CSLS retrieval by cosine: the blocked kernel with fused top-k
// (multilingual/knn.hpp) on synthetic float vectors.  The NumPy reference
// (blocked matrix products + argpartition) is scripts/knn_numpy.py;
// scripts/knn_benchmark.sh runs both in one go and prints the ratio.
//
//   build/bench/benchmarks/bench_multilingual --benchmark_filter=knn/2000/50000 \
//       --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
//
// Arguments: queries, targets, dimension, threads.  Counter `pairs/s` =
// query-target similarities scored per CPU second (queries x targets / CPU time; one
// thread: compare with scripts/knn_numpy.py, which reports the same).
#include <benchmark/benchmark.h>

#include <random>
#include <span>

#include "lexalign/core/thread_pool.hpp"
#include "lexalign/multilingual/csls.hpp"
#include "lexalign/multilingual/knn.hpp"

namespace ml = lexalign::multilingual;

namespace {

lexalign::dense_matrix<float> random_vectors(std::size_t n, std::size_t d, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> nd;
  lexalign::dense_matrix<float> m(n, d);
  for (std::size_t i = 0; i < n * d; ++i) m.data()[i] = nd(gen);
  return m;
}

void knn(benchmark::State& state) {
  const auto nq = static_cast<std::size_t>(state.range(0)), nt = static_cast<std::size_t>(state.range(1));
  const auto d = static_cast<std::size_t>(state.range(2));
  const auto q = random_vectors(nq, d, 1), t = random_vectors(nt, d, 2);
  lexalign::thread_pool pool(static_cast<unsigned>(state.range(3)));
  ml::knn_options o{.k = 10, .parallel = {.pool = &pool}};
  ml::knn_workspace<> ws;
  ml::knn_result r;
  for (auto _ : state) {
    ml::knn_into(q.view(), t.view(), o, ws, r);
    benchmark::DoNotOptimize(r.index.data());
  }
  state.counters["pairs/s"] = benchmark::Counter(double(nq) * double(nt), benchmark::Counter::kIsIterationInvariantRate);
}

// CSLS for `queries` sources: r_T of the queries, r_S of every target (over
// all `queries` sources here: the sources are the queries), then the search.
void csls(benchmark::State& state) {
  const auto nq = static_cast<std::size_t>(state.range(0)), nt = static_cast<std::size_t>(state.range(1));
  const auto d = static_cast<std::size_t>(state.range(2));
  const auto q = random_vectors(nq, d, 1), t = random_vectors(nt, d, 2);
  lexalign::thread_pool pool(static_cast<unsigned>(state.range(3)));
  ml::csls_options o{.search = {.k = 10, .parallel = {.pool = &pool}}};
  ml::knn_workspace<> ws;
  ml::knn_result r;
  for (auto _ : state) {
    const auto terms = ml::compute_csls_terms(q.view(), t.view(), o, ws);
    ml::csls_knn_into(q.view(), std::span<const float>(terms.r_source), t.view(),
                      std::span<const float>(terms.r_target), o, ws, r);
    benchmark::DoNotOptimize(r.index.data());
  }
  state.counters["pairs/s"] = benchmark::Counter(3.0 * double(nq) * double(nt), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(knn)->Args({2000, 50000, 300, 1})->Args({50000, 50000, 300, 1})->Args({50000, 50000, 300, 2})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(csls)->Args({2000, 2000, 300, 1})->Args({50000, 50000, 300, 1})->Unit(benchmark::kMillisecond);
