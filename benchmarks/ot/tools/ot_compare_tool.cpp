// ot_compare_tool - our side of scripts/compare_pot.py.
//
//   ot_compare_tool SOLVER DTYPE N D EPS ITERS THREADS REPEATS IN.bin OUT.bin
//
// SOLVER: sinkhorn | sinkhorn_log | barycenter.  IN.bin holds float64 values:
// x (N x D), y (N x D), the cost scale for x-y, the cost scale for x-x, then 3
// histograms (3 x N).  The cost is squared Euclidean * scale between x and y
// (sinkhorn) or x and x (barycenter), computed in double (cast for f32).  Sinkhorn starts from the column potential POT's first half-iteration
// gives (so that after ITERS iterations our f equals POT's eps log u); the
// barycenter runs ITERS + 1 iterations (POT's init is our first iteration).
// Options as in 0.2: `.parallel = {.threads = THREADS}`; iterations from
// result.convergence.iterations.  Time per iteration comes from the observer (between the first and last
// check, so set-up, kernel and plan are excluded); the median over REPEATS runs
// is written (wall and process CPU time).  OUT.bin: one text line
// "ms_per_iteration X cpu_ms_per_iteration Y iterations K\n",
// then N float64 values (f for sinkhorn, the weights for the barycenter).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lexalign/ot/barycenter.hpp"
#include "lexalign/ot/cost.hpp"
#include "lexalign/ot/sinkhorn.hpp"

namespace ot = lexalign::ot;
using clk = std::chrono::steady_clock;

namespace {

double cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

struct timing_observer {
  clk::time_point* first;
  clk::time_point* last;
  double* cpu_first;
  double* cpu_last;
  std::size_t* it_first;
  std::size_t* it_last;
  void operator()(const lexalign::iteration_event& ev) const {
    const auto now = clk::now();
    const double c = cpu_ms();
    if (*it_first == 0) {
      *first = now;
      *cpu_first = c;
      *it_first = ev.iteration;
    }
    *last = now;
    *cpu_last = c;
    *it_last = ev.iteration;
  }
};

template <class T>
int run(const std::string& solver, std::size_t n, std::size_t d, double eps, std::size_t iters, unsigned threads,
        std::size_t repeats, const std::vector<double>& in, const std::string& out_path) {
  lexalign::matrix_view<const double> x(in.data(), n, d), y(in.data() + n * d, n, d);
  // sinkhorn: x to y; barycenter: x to x (POT's barycenter needs a symmetric cost)
  const bool bary = solver == "barycenter";
  const double scale = in[2 * n * d + (bary ? 1 : 0)];
  const auto C64 = ot::cost_matrix<double>(x, bary ? x : y, ot::cost_metric::sqeuclidean, scale);
  lexalign::dense_matrix<T> C(n, n);
  for (std::size_t k = 0; k < n * n; ++k) C.data()[k] = static_cast<T>(C64.data()[k]);
  std::vector<T> a(n, T(1) / static_cast<T>(n)), b = a;
  std::vector<double> ms, cms;
  std::vector<double> result;
  std::size_t iterations = 0;
  for (std::size_t rep = 0; rep < repeats; ++rep) {
    clk::time_point t0, t1;
    double c0 = 0, c1 = 0;
    std::size_t i0 = 0, i1 = 0;
    timing_observer obs{&t0, &t1, &c0, &c1, &i0, &i1};
    if (solver == "barycenter") {
      lexalign::dense_matrix<T> H(3, n);
      for (std::size_t k = 0; k < 3 * n; ++k) H.data()[k] = static_cast<T>(in[2 * n * d + 2 + k]);
      const auto r = ot::barycenter(H, C, std::vector<double>{1, 1, 1},
                                    {.epsilon = eps, .max_iterations = iters + 1, .tolerance = 0, .check_every = 1,
                                     .parallel = {.threads = threads}},
                                    obs);
      result.assign(r.weights.begin(), r.weights.end());
      iterations = r.convergence.iterations;
    } else {
      // POT's first half-iteration: g0_j = eps log b_j - eps LSE_i((u0_i - C_ij) / eps),
      // u0 = eps log(1/n) (scaling, u = 1/n) or 0 (sinkhorn_log).
      const bool log_form = solver == "sinkhorn_log";
      const double u0 = log_form ? 0.0 : eps * std::log(1.0 / static_cast<double>(n));
      std::vector<double> g0(n), mx(n, -INFINITY), s(n, 0.0);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) mx[j] = std::max(mx[j], (u0 - static_cast<double>(C(i, j))) / eps);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) s[j] += std::exp((u0 - static_cast<double>(C(i, j))) / eps - mx[j]);
      for (std::size_t j = 0; j < n; ++j) g0[j] = eps * (std::log(1.0 / static_cast<double>(n)) - mx[j] - std::log(s[j]));
      const auto r = ot::sinkhorn(a, b, C,
                                  {.epsilon = eps,
                                   .method = log_form ? ot::sinkhorn_method::log : ot::sinkhorn_method::scaling,
                                   .max_iterations = iters, .tolerance = 0, .check_every = 1, .initial_g = g0,
                                   .return_plan = false, .parallel = {.threads = threads}},
                                  obs);
      result.assign(r.f.begin(), r.f.end());
      iterations = r.convergence.iterations;
    }
    if (i1 > i0) {
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count() / static_cast<double>(i1 - i0));
      cms.push_back((c1 - c0) / static_cast<double>(i1 - i0));
    }
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cms.begin(), cms.end());
  const double med = ms.empty() ? NAN : ms[ms.size() / 2];
  const double cmed = cms.empty() ? NAN : cms[cms.size() / 2];
  std::ofstream out(out_path, std::ios::binary);
  out << "ms_per_iteration " << med << " cpu_ms_per_iteration " << cmed << " iterations " << iterations << "\n";
  out.write(reinterpret_cast<const char*>(result.data()), static_cast<std::streamsize>(result.size() * sizeof(double)));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 11) {
    std::fprintf(stderr, "usage: %s SOLVER DTYPE N D EPS ITERS THREADS REPEATS IN.bin OUT.bin\n", argv[0]);
    return 2;
  }
  const std::string solver = argv[1], dtype = argv[2];
  const std::size_t n = std::stoul(argv[3]), d = std::stoul(argv[4]);
  const double eps = std::stod(argv[5]);
  const std::size_t iters = std::stoul(argv[6]);
  const unsigned threads = static_cast<unsigned>(std::stoul(argv[7]));
  const std::size_t repeats = std::stoul(argv[8]);
  std::ifstream in(argv[9], std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "ot_compare_tool: cannot open %s\n", argv[9]);
    return 1;
  }
  const auto bytes = static_cast<std::size_t>(in.tellg());
  in.seekg(0);
  std::vector<double> values(bytes / sizeof(double));
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(double)));
  try {
    if (dtype == "f32") return run<float>(solver, n, d, eps, iters, threads, repeats, values, argv[10]);
    return run<double>(solver, n, d, eps, iters, threads, repeats, values, argv[10]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ot_compare_tool: %s\n", e.what());
    return 1;
  }
}
