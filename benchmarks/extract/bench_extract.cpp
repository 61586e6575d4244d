// Google Benchmark: each extract/ method on random m x n similarity matrices
// (m = n = 20, 50, 100), warm workspace and result, one thread.  Similarity
// from 768-d embeddings as a separate row.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/entmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/matching.hpp"
#include "lexalign/extract/ot_extract.hpp"
#include "lexalign/extract/similarity.hpp"
#include "lexalign/extract/softmax.hpp"

namespace ex = lexalign::extract;

namespace {
lexalign::dense_matrix<double> random_matrix(std::size_t m, std::size_t n, double scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0.0, 1.0);
  lexalign::dense_matrix<double> s(m, n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) s(i, j) = scale * g(rng);
  return s;
}

// scale 0.2: (cos+1)/2-like spread for SimAlign's methods; 8: dot products
// of transformer states for awesome-align's.
template <class R = ex::extract_result, class F>
void run(benchmark::State& state, F&& f, double scale = 0.2) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto s = random_matrix(n, n, scale, static_cast<unsigned>(n));
  R r;
  f(s, r);
  for (auto _ : state) {
    f(s, r);
    benchmark::DoNotOptimize(r.scores.data());
  }
  state.counters["links"] = static_cast<double>(r.size());
}
}  // namespace

static void BM_argmax(benchmark::State& state) {
  ex::workspace<> ws;
  run(state, [&](const auto& s, auto& r) { ex::argmax_into(s, {}, ws, r); });
}
static void BM_itermax(benchmark::State& state) {
  ex::workspace<> ws;
  run(state, [&](const auto& s, auto& r) { ex::itermax_into(s, {}, ws, r); });
}
static void BM_matching(benchmark::State& state) {
  ex::matching_workspace<> ws;
  run(state, [&](const auto& s, auto& r) { ex::matching_into(s, {}, ws, r); });
}
static void BM_softmax(benchmark::State& state) {
  ex::workspace<> ws;
  run(state, [&](const auto& s, auto& r) { ex::softmax_into(s, {}, ws, r); }, 8.0);
}
static void BM_entmax(benchmark::State& state) {
  ex::workspace<> ws;
  run(state, [&](const auto& s, auto& r) { ex::entmax_into(s, {}, ws, r); }, 8.0);
}
static void BM_ot_balanced(benchmark::State& state) {
  ex::ot_extract_workspace<> ws;
  run<ex::ot_extract_result>(state, [&](const auto& s, auto& r) {
    const std::vector<double> a(s.rows(), 1.0), b(s.cols(), 1.0);
    ex::ot_extract_into(s, a, b, {}, ws, r);
  });
}
static void BM_ot_unbalanced(benchmark::State& state) {
  ex::ot_extract_workspace<> ws;
  run<ex::ot_extract_result>(state, [&](const auto& s, auto& r) {
    const std::vector<double> a(s.rows(), 1.0), b(s.cols(), 1.0);
    ex::ot_extract_into(s, a, b, {.plan = ex::ot_plan::unbalanced}, ws, r);
  });
}
static void BM_ot_exact(benchmark::State& state) {
  ex::ot_extract_workspace<> ws;
  run<ex::ot_extract_result>(state, [&](const auto& s, auto& r) {
    const std::vector<double> a(s.rows(), 1.0), b(s.cols(), 1.0);
    ex::ot_extract_into(s, a, b, {.plan = ex::ot_plan::balanced_exact}, ws, r);
  });
}
static void BM_cosine_768(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto x = random_matrix(n, 768, 1.0, 1), y = random_matrix(n, 768, 1.0, 2);
  ex::workspace<> ws;
  lexalign::dense_matrix<double> out;
  for (auto _ : state) {
    ex::similarity_into(x, y, {}, ws, out);
    benchmark::DoNotOptimize(out.data());
  }
}

BENCHMARK(BM_argmax)->Arg(20)->Arg(50)->Arg(100);
BENCHMARK(BM_itermax)->Arg(20)->Arg(50)->Arg(100);
BENCHMARK(BM_matching)->Arg(20)->Arg(50)->Arg(100);
BENCHMARK(BM_softmax)->Arg(20)->Arg(50)->Arg(100);
BENCHMARK(BM_entmax)->Arg(20)->Arg(50)->Arg(100);
BENCHMARK(BM_ot_balanced)->Arg(20)->Arg(50)->Arg(100);
BENCHMARK(BM_ot_unbalanced)->Arg(20)->Arg(50)->Arg(100);
BENCHMARK(BM_ot_exact)->Arg(20)->Arg(50)->Arg(100);
BENCHMARK(BM_cosine_768)->Arg(20)->Arg(50)->Arg(100);
