// Times lexalign's exact solvers on one problem file and prints one JSON line.
//
//   lexalign_ot_exact_tool emd|assignment float64|float32 PROBLEM.bin REPEATS
//
// PROBLEM.bin (little-endian): int64 m, int64 n, then float64 a[m], b[n],
// C[m*n] row-major (written by scripts/compare_pot_exact.py).  The solve is
// repeated REPEATS times (after one untimed warm-up) with a reused workspace;
// the cost copy into the solver's own buffer is included in the time.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "lexalign/ot/assignment.hpp"
#include "lexalign/ot/emd.hpp"

namespace {

template <class T>
int run(const std::string& solver, std::int64_t m, std::int64_t n, const std::vector<double>& a,
        const std::vector<double>& b, const std::vector<double>& c, int repeats) {
  const auto M = static_cast<std::size_t>(m), N = static_cast<std::size_t>(n);
  std::vector<T> ct(c.begin(), c.end()), at(a.begin(), a.end()), bt(b.begin(), b.end());
  const lexalign::matrix_view<const T> C(ct.data(), M, N);
  std::vector<double> ms;
  double cost = 0;
  std::size_t iterations = 0;
  lexalign::ot::emd_workspace<T> ews;
  lexalign::ot::emd_result<T> er;
  lexalign::ot::assignment_workspace<> aws;
  lexalign::ot::assignment_result<T> ar;
  for (int rep = 0; rep <= repeats; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    if (solver == "emd") {
      lexalign::ot::emd_into(at, bt, C, {.dense_plan = false}, ews, er);
      cost = er.cost;
      iterations = er.convergence.iterations;
    } else {
      lexalign::ot::assignment_into(C, {}, aws, ar);
      cost = ar.objective / static_cast<double>(std::min(M, N));  // = emd cost for uniform masses
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (rep > 0) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  const double median = ms.empty() ? 0.0 : ms[ms.size() / 2];
  std::printf("{\"median_ms\": %.6f, \"min_ms\": %.6f, \"cost\": %.17g, \"iterations\": %zu}\n", median,
              ms.empty() ? 0.0 : ms.front(), cost, iterations);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s emd|assignment float64|float32 PROBLEM.bin REPEATS\n", argv[0]);
    return 2;
  }
  const std::string solver = argv[1], dtype = argv[2];
  std::ifstream in(argv[3], std::ios::binary);
  std::int64_t m = 0, n = 0;
  in.read(reinterpret_cast<char*>(&m), sizeof m);
  in.read(reinterpret_cast<char*>(&n), sizeof n);
  if (!in || m <= 0 || n <= 0) {
    std::fprintf(stderr, "cannot read %s\n", argv[3]);
    return 1;
  }
  std::vector<double> a(static_cast<std::size_t>(m)), b(static_cast<std::size_t>(n)),
      c(static_cast<std::size_t>(m * n));
  in.read(reinterpret_cast<char*>(a.data()), static_cast<std::streamsize>(a.size() * sizeof(double)));
  in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(b.size() * sizeof(double)));
  in.read(reinterpret_cast<char*>(c.data()), static_cast<std::streamsize>(c.size() * sizeof(double)));
  if (!in) {
    std::fprintf(stderr, "truncated %s\n", argv[3]);
    return 1;
  }
  const int repeats = std::max(1, std::stoi(argv[4]));
  if (solver != "emd" && solver != "assignment") {
    std::fprintf(stderr, "unknown solver %s\n", solver.c_str());
    return 2;
  }
  if (dtype == "float64") return run<double>(solver, m, n, a, b, c, repeats);
  if (dtype == "float32") return run<float>(solver, m, n, a, b, c, repeats);
  std::fprintf(stderr, "unknown dtype %s\n", dtype.c_str());
  return 2;
}
