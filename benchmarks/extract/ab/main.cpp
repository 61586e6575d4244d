// In-process A/B of two revisions of extract/ (scripts/extract_ab.sh).
//
//   extract_ab METHOD MATRICES.npy HOT ROUNDS
//
// METHOD: softmax, softmax32, argmax, itermax or matching.  MATRICES.npy: a
// (K, m, n) stack (read as double and as float).  HOT = 0: every call takes
// the next of the K matrices (cold); HOT = h: the first h are cycled (in
// cache).  One round times K calls of revision A and K of revision B, in
// alternating order; prints the minimum, first quartile and median wall
// microseconds per call of each side and the ratio of the medians (B / A).
// Both sides run in the same process, on the same memory, within
// milliseconds of each other: on a shared machine whose speed drifts from
// minute to minute (and from process to process, with where the pages
// land) this separates code changes of a few percent that separate runs of
// two binaries cannot.  An A/A run (the same revision twice) shows what is
// left: on the development VM, medians within 0.98–1.15 of each other
// (code placement), so a step under 10 % needs more than one run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "lexalign/io/npy.hpp"
#include "../tool/numpy_like_copy.hpp"

std::size_t run_a(int, const double*, const float*, std::size_t, std::size_t, std::size_t, std::size_t);
std::size_t run_b(int, const double*, const float*, std::size_t, std::size_t, std::size_t, std::size_t);

namespace {

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s softmax|softmax32|argmax|itermax|matching MATRICES.npy HOT ROUNDS\n", argv[0]);
    return 2;
  }
  const std::string names[] = {"softmax", "softmax32", "argmax", "itermax", "matching"};
  int method = -1;
  for (int q = 0; q < 5; ++q)
    if (argv[1] == names[q]) method = q;
  if (method < 0) {
    std::fprintf(stderr, "unknown method %s\n", argv[1]);
    return 2;
  }
  const auto stack = lexalign::io::read_npy(argv[2]);
  const auto stackf = lexalign::io::read_npy<float>(argv[2]);
  if (stack.rank() != 3) {
    std::fprintf(stderr, "%s: expected a (K, m, n) array\n", argv[2]);
    return 2;
  }
  const std::size_t K = stack.shape[0], m = stack.shape[1], n = stack.shape[2];
  const std::size_t hot = std::strtoul(argv[3], nullptr, 10), rounds = std::strtoul(argv[4], nullptr, 10);
  const std::size_t k = hot ? std::min(hot, K) : K;
  const numpy_like_copy<double> dcopy(stack.data);  // the extract tool's memory layout
  const numpy_like_copy<float> fcopy(stackf.data);
  const double* d = dcopy.data;
  const float* f = fcopy.data;
  std::size_t links_a = 0, links_b = 0;
  auto time = [&](auto run, std::size_t& links) {
    const auto t0 = std::chrono::steady_clock::now();
    links = run(method, d, f, k, m, n, K);
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
           static_cast<double>(K);
  };
  time(run_a, links_a);  // warm-up: workspaces sized, code paged in
  time(run_b, links_b);
  std::vector<double> a, b;
  for (std::size_t r = 0; r < rounds; ++r) {
    if (r % 2) {
      b.push_back(time(run_b, links_b));
      a.push_back(time(run_a, links_a));
    } else {
      a.push_back(time(run_a, links_a));
      b.push_back(time(run_b, links_b));
    }
  }
  std::printf("%-9s m=%zu n=%zu %s  A: min %.3f q25 %.3f med %.3f | B: min %.3f q25 %.3f med %.3f | B/A %.3f%s\n",
              argv[1], m, n, hot ? ("hot " + std::to_string(k)).c_str() : "cold", quantile(a, 0), quantile(a, 0.25),
              quantile(a, 0.5), quantile(b, 0), quantile(b, 0.25), quantile(b, 0.5), quantile(b, 0.5) / quantile(a, 0.5),
              links_a == links_b ? "" : "  LINKS DIFFER");
  return links_a == links_b ? 0 : 1;
}
