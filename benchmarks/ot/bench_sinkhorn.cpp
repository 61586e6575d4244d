// Entropic OT benchmarks: time per solver iteration (set-up, kernel and plan
// excluded: manual time between the first and the last observer call), next
// to one streaming read of the n x n kernel, the memory-bound floor of a
// scaling-form iteration.
//
//   build/bench/benchmarks/bench_ot --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Arguments: n, threads.  Cost: squared Euclidean between random 64-d points,
// scaled to max 1; epsilon 0.1; uniform marginals.
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <vector>

#include "lexalign/ot/barycenter.hpp"
#include "lexalign/ot/cost.hpp"
#include "lexalign/ot/sinkhorn.hpp"

namespace ot = lexalign::ot;
using clk = std::chrono::steady_clock;

namespace {

template <class T>
lexalign::dense_matrix<T> make_cost(std::size_t n, bool symmetric) {
  std::mt19937 rng(42);
  std::normal_distribution<double> g;
  lexalign::dense_matrix<double> x(n, 64), y(n, 64);
  for (std::size_t k = 0; k < n * 64; ++k) x.data()[k] = g(rng);
  for (std::size_t k = 0; k < n * 64; ++k) y.data()[k] = g(rng);
  auto c = ot::cost_matrix<double>(x, symmetric ? x : y);
  double mx = 0;
  for (std::size_t k = 0; k < n * n; ++k) mx = std::max(mx, c.data()[k]);
  lexalign::dense_matrix<T> out(n, n);
  for (std::size_t k = 0; k < n * n; ++k) out.data()[k] = static_cast<T>(c.data()[k] / mx);
  return out;
}

struct span_timer {
  clk::time_point t0, t1;
  std::size_t i0 = 0, i1 = 0;
  void operator()(const lexalign::iteration_event& ev) {
    const auto now = clk::now();
    if (i0 == 0) {
      t0 = now;
      i0 = ev.iteration;
    }
    t1 = now;
    i1 = ev.iteration;
  }
  double seconds_per_iteration() const {
    return std::chrono::duration<double>(t1 - t0).count() / static_cast<double>(i1 - i0);
  }
};

template <class T>
void BM_stream_read(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto K = make_cost<T>(n, false);
  for (auto _ : state) {
    T s = ot::detail::dot(K.data(), K.data(), n * n);  // reads each element once
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n * n * sizeof(T)));
}

template <class T>
void BM_sinkhorn(benchmark::State& state, ot::sinkhorn_method method) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  const auto C = make_cost<T>(n, false);
  std::vector<T> a(n, T(1) / static_cast<T>(n));
  ot::sinkhorn_workspace<T> ws;
  const std::size_t iters = n >= 4096 ? 6 : 11;
  for (auto _ : state) {
    span_timer t;
    auto r = ot::sinkhorn(a, a, C,
                          {.epsilon = 0.1, .method = method, .max_iterations = iters, .tolerance = 0, .check_every = 1,
                           .return_plan = false, .parallel = {.threads = threads}},
                          ws, std::ref(t));
    benchmark::DoNotOptimize(r.f.data());
    state.SetIterationTime(t.seconds_per_iteration());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n * n * sizeof(T)));
}

template <class T>
void BM_barycenter(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  const auto C = make_cost<T>(n, true);
  lexalign::dense_matrix<T> H(3, n);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.1, 1.0);
  for (std::size_t l = 0; l < 3; ++l) {
    double s = 0;
    for (std::size_t j = 0; j < n; ++j) s += static_cast<double>(H(l, j) = static_cast<T>(u(rng)));
    for (std::size_t j = 0; j < n; ++j) H(l, j) = static_cast<T>(static_cast<double>(H(l, j)) / s);
  }
  ot::barycenter_workspace<T> ws;
  const std::vector<double> lam{1, 1, 1};
  for (auto _ : state) {
    span_timer t;
    auto r = ot::barycenter(H, C, lam,
                            {.epsilon = 0.1, .max_iterations = 11, .tolerance = 0, .check_every = 1, .parallel = {.threads = threads}},
                            ws, std::ref(t));
    benchmark::DoNotOptimize(r.weights.data());
    state.SetIterationTime(t.seconds_per_iteration());
  }
}

void BM_sinkhorn_f64(benchmark::State& s, ot::sinkhorn_method m) { BM_sinkhorn<double>(s, m); }
void BM_sinkhorn_f32(benchmark::State& s, ot::sinkhorn_method m) { BM_sinkhorn<float>(s, m); }

void sizes(benchmark::internal::Benchmark* b) {
  for (int n : {512, 2048, 4096})
    for (int t : {1, 2}) b->Args({n, t});
}

}  // namespace

BENCHMARK_TEMPLATE(BM_stream_read, double)->Arg(512)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_stream_read, float)->Arg(512)->Arg(2048)->Arg(4096)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_sinkhorn_f64, scaling, ot::sinkhorn_method::scaling)->Apply(sizes)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_sinkhorn_f32, scaling, ot::sinkhorn_method::scaling)->Apply(sizes)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_sinkhorn_f64, log, ot::sinkhorn_method::log)->Apply(sizes)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_sinkhorn_f32, log, ot::sinkhorn_method::log)->Apply(sizes)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_barycenter, double)->Apply(sizes)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_barycenter, float)->Apply(sizes)->UseManualTime()->Unit(benchmark::kMillisecond);
