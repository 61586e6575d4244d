// lexalign/ot/workspace.hpp - the reusable memory of the entropic solvers
// and the warm-start view of potentials.
//
//   ot::entropic_workspace<double> ws;            // or sinkhorn_workspace<double>
//   auto r1 = ot::sinkhorn(a, b, C, {.epsilon = 0.05}, ws);
//   auto r2 = ot::sinkhorn(a, b, C, {.epsilon = 0.02, .initial_f = r1.f, .initial_g = r1.g}, ws);
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

// Reusable memory for sinkhorn, sinkhorn_unbalanced and partial (and the
// inner problems of gromov_wasserstein).  Pass the same workspace to
// repeated calls (same or smaller sizes, same thread count or pool) and
// nothing is allocated after the first but the result; its contents between
// calls are unspecified.
template <class T, class Allocator = std::allocator<T>>
struct entropic_workspace {
  using allocator_type = Allocator;
  explicit entropic_workspace(const Allocator& alloc = Allocator())
      : cost(alloc), kernel(alloc), a(alloc), b(alloc), f(alloc), g(alloc), f_prev(alloc), g_prev(alloc),
        partials(alloc), scratch(alloc), w(alloc), extra(alloc), extra2(alloc) {}
  Allocator get_allocator() const { return cost.get_allocator(); }

  std::vector<T, Allocator> cost;      // dense copy of a cost that exposes no usable memory
  std::vector<T, Allocator> kernel;    // exp(-C / epsilon) (scaling forms)
  std::vector<T, Allocator> a, b;      // marginals
  std::vector<T, Allocator> f, g;      // potentials or scalings
  std::vector<T, Allocator> f_prev, g_prev;  // the last finite iterate
  std::vector<T, Allocator> partials;  // per-row-block column sums
  std::vector<T, Allocator> scratch;   // per-worker rows
  std::vector<T, Allocator> w;         // column sums
  std::vector<T, Allocator> extra;     // solver specific
  std::vector<T, Allocator> extra2;    // solver specific
};

// A view of potentials for warm starts: converts from std::vector / std::span
// of float or double.
struct potentials_view {
  const double* d = nullptr;
  const float* s = nullptr;
  std::size_t count = 0;

  potentials_view() = default;
  potentials_view(std::span<const double> x) : d(x.data()), count(x.size()) {}
  potentials_view(std::span<const float> x) : s(x.data()), count(x.size()) {}
  template <class A>
  potentials_view(const std::vector<double, A>& x) : d(x.data()), count(x.size()) {}
  template <class A>
  potentials_view(const std::vector<float, A>& x) : s(x.data()), count(x.size()) {}

  bool empty() const noexcept { return count == 0; }
  std::size_t size() const noexcept { return count; }
  double operator[](std::size_t i) const { return d ? d[i] : static_cast<double>(s[i]); }
};

}  // namespace ot
LEXALIGN_NAMESPACE_END
