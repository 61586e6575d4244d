// Times one extract/ method over a stack of similarity matrices and prints
// one JSON line.
//
//   lexalign_extract_tool argmax|itermax|matching|softmax|softmax32|entmax|touch MATRICES.npy REPEATS [LINKS_OUT]
//
// softmax32: the softmax extraction on float matrices (float32 arithmetic,
// extract::softmax_precision::as_input); MATRICES.npy is then read as float
// (write it as float32).
// `touch` is the floor: it only reads every entry once (a vectorised OR of
// the exponent bits, extract's finiteness check),
// the least any method must do, so NumPy's time over it bounds the ratio
// any implementation could reach on the same (cold or hot) matrices.
//
// MATRICES.npy: a float64 array of shape (K, m, n) (read with io::read_npy).
// One repetition extracts the links of all K matrices with a reused
// workspace and result; after one untimed warm-up, REPEATS repetitions are
// timed (LEXALIGN_EXTRACT_CALLS=C: C calls per repetition, cycling over
// the K matrices).  Prints the median and minimum wall time per matrix in
// microseconds, the median CPU time of the process per matrix (less
// sensitive to a loaded machine: time spent descheduled is not counted) and
// the total number of links.  LINKS_OUT, when given, receives the links of
// every matrix, one Pharaoh line per matrix.
//
// The matrices are copied into memory laid out as NumPy lays out the same
// stack in compare_extract.py: NumPy (>= 1.16, on Linux) asks for
// transparent huge pages (madvise MADV_HUGEPAGE) for every array of 4 MiB
// or more, so its cold 200 x 100 x 100 stack (16 MB) costs far fewer TLB
// misses than a plain std::vector would; the tool does the same for its
// stack of 4 MiB or more (and for smaller ones, like NumPy, nothing).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/entmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/matching.hpp"
#include "lexalign/extract/softmax.hpp"
#include "lexalign/io/npy.hpp"
#include "numpy_like_copy.hpp"

namespace ex = lexalign::extract;

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: %s argmax|itermax|matching|softmax|softmax32|entmax|touch MATRICES.npy REPEATS [LINKS_OUT]\n", argv[0]);
    return 2;
  }
  const std::string method = argv[1];
  const auto stack = lexalign::io::read_npy(argv[2]);
  const bool f32 = stack.dtype.find("f4") != std::string::npos;  // touch reads the floats
  const auto stackf = method == "softmax32" || (method == "touch" && f32) ? lexalign::io::read_npy<float>(argv[2]) : lexalign::io::npy_array<float>{};
  if (stack.rank() != 3) {
    std::fprintf(stderr, "%s: expected a (K, m, n) array\n", argv[2]);
    return 2;
  }
  const std::size_t K = stack.shape[0], m = stack.shape[1], n = stack.shape[2];
  const int repeats = std::stoi(argv[3]);
  // Calls per repetition: K, or LEXALIGN_EXTRACT_CALLS cycling over the K
  // matrices (compare_extract.py --hot: a few matrices that stay in cache).
  const char* calls_env = std::getenv("LEXALIGN_EXTRACT_CALLS");
  const std::size_t calls = calls_env ? static_cast<std::size_t>(std::stoul(calls_env)) : K;
  const numpy_like_copy<double> mats(stack.data);
  const numpy_like_copy<float> matsf(stackf.data);
  ex::workspace<> ws;
  ex::matching_workspace<> mws;
  std::vector<ex::extract_result> results(K);
  volatile int sink = 0;
  // The method resolved once (no string compare inside the timed loop).
  const std::string names[] = {"argmax", "itermax", "matching", "softmax", "softmax32", "entmax", "touch"};
  int which = -1;
  for (int q = 0; q < 7; ++q)
    if (method == names[q]) which = q;
  if (which < 0) throw std::runtime_error("unknown method " + method);
  auto one = [&](std::size_t k) {
    const lexalign::matrix_view<const double> s(mats.data + k * m * n, m, n);
    switch (which) {
      case 0: ex::argmax_into(s, {}, ws, results[k]); break;
      case 1: ex::itermax_into(s, {}, ws, results[k]); break;
      case 2: ex::matching_into(s, {}, mws, results[k]); break;
      case 3: ex::softmax_into(s, {}, ws, results[k]); break;
      case 4:
        ex::softmax_into(lexalign::matrix_view<const float>(matsf.data + k * m * n, m, n), {}, ws, results[k]);
        break;
      case 5: ex::entmax_into(s, {}, ws, results[k]); break;
      default:
        if (f32) sink = sink + ex::detail::all_finite(matsf.data + k * m * n, m * n);
        else sink = sink + ex::detail::all_finite(mats.data + k * m * n, m * n);
    }
  };
  auto cpu_us = [] {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) * 1e-3;
  };
  std::vector<double> us, cpu;
  for (int rep = 0; rep <= repeats; ++rep) {
    const double c0 = cpu_us();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t c = 0; c < calls; ++c) one(c % K);
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = cpu_us();
    if (rep > 0) {
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / static_cast<double>(calls));
      cpu.push_back((c1 - c0) / static_cast<double>(calls));
    }
  }
  std::sort(us.begin(), us.end());
  std::sort(cpu.begin(), cpu.end());
  std::size_t links = 0;
  for (const auto& r : results) links += r.size();
  std::printf("{\"median_us\": %.4f, \"min_us\": %.4f, \"median_cpu_us\": %.4f, \"links\": %zu}\n",
              us.empty() ? 0.0 : us[us.size() / 2], us.empty() ? 0.0 : us.front(),
              cpu.empty() ? 0.0 : cpu[cpu.size() / 2], links);
  if (argc == 5) {
    std::FILE* f = std::fopen(argv[4], "w");
    if (!f) return 1;
    for (const auto& r : results) {
      for (std::size_t q = 0; q < r.size(); ++q)
        std::fprintf(f, "%s%u-%u", q ? " " : "", r.links()[q].source, r.links()[q].target);
      std::fprintf(f, "\n");
    }
    std::fclose(f);
  }
  return 0;
}
