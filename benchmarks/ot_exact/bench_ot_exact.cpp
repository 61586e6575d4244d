// Google Benchmark suite for the exact solvers: ot::emd and ot::assignment
// on the problem (uniform masses, squared Euclidean cost between
// random 64-d points scaled to max 1), f64 and f32.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "lexalign/ot/assignment.hpp"
#include "lexalign/ot/emd.hpp"

namespace {

template <class T>
std::vector<T> sq_euclidean_cost(std::size_t n, unsigned seed) {
  const std::size_t d = 64;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> x(n * d), y(n * d);
  for (auto& v : x) v = u(rng);
  for (auto& v : y) v = u(rng);
  std::vector<double> c(n * n);
  double mx = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t k = 0; k < d; ++k) s += (x[i * d + k] - y[j * d + k]) * (x[i * d + k] - y[j * d + k]);
      c[i * n + j] = s;
      mx = std::max(mx, s);
    }
  std::vector<T> out(n * n);
  for (std::size_t k = 0; k < n * n; ++k) out[k] = static_cast<T>(c[k] / mx);
  return out;
}

template <class T>
void BM_emd(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto c = sq_euclidean_cost<T>(n, 42);
  const std::vector<T> w(n, static_cast<T>(1.0 / static_cast<double>(n)));
  const lexalign::matrix_view<const T> C(c.data(), n, n);
  lexalign::ot::emd_workspace<T> ws;
  lexalign::ot::emd_result<T> out;
  for (auto _ : state) {
    lexalign::ot::emd_into(w, w, C, {.dense_plan = false}, ws, out);
    benchmark::DoNotOptimize(out.cost);
  }
  state.counters["pivots"] = static_cast<double>(out.convergence.iterations);
}

template <class T>
void BM_assignment(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto c = sq_euclidean_cost<T>(n, 42);
  const lexalign::matrix_view<const T> C(c.data(), n, n);
  lexalign::ot::assignment_workspace<> ws;
  lexalign::ot::assignment_result<T> out;
  for (auto _ : state) {
    lexalign::ot::assignment_into(C, {}, ws, out);
    benchmark::DoNotOptimize(out.objective);
  }
}

}  // namespace

BENCHMARK(BM_emd<double>)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_emd<float>)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_assignment<double>)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_assignment<float>)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);
