// lexalign/extract/ot_extract.hpp - OTAlign's extraction: links from an
// optimal-transport plan between the two sentences' tokens.
//
//   namespace ex = lexalign::extract;
//   auto S = ex::similarity(x, y, {.scaling = ex::similarity_scaling::shifted});   // (cos+1)/2
//   auto r = ex::ot_extract(S, {.plan = ex::ot_plan::unbalanced, .threshold = 0.3});
//   auto r2 = ex::ot_extract(S, ex::norm_masses(x), ex::norm_masses(y), {.plan = ex::ot_plan::partial});
//
// As OTAlign (Arase, Bao & Yokoi 2023, code 79fefaa0) does it:
//   1. C = 1 - minmax(Distort(S, kappa)), minmax(X) = (X - min + 1e-10) / (max - min + 1e-10);
//   2. masses a, b: uniform (all ones, not normalised) or given (OTAlign's
//      "norm": the L2 norm of each word vector, see norm_masses);
//   3. a plan P:
//      balanced        entropic (log-domain Sinkhorn) on a, b rescaled to sum 1;
//      balanced_exact  exact OT (network simplex) on the same;
//      partial         entropic partial OT moving s = fraction · min(sum a, sum b) of the raw masses;
//      partial_exact   exact partial OT: one dummy point per side (cost 0 to the
//                      real points, a large cost between the dummies) absorbs the rest;
//      unbalanced      entropic KL-relaxed OT on the raw masses (KL weight tau);
//   4. links are the cells with P > 0 and minmax(P) > threshold, scored by
//      minmax(P) (P > 0: with threshold 0, OTAlign's "any positive mass" rule
//      for the exact solvers).
// The solver's convergence record is in the result.  See docs/extract/ot_extract.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/extract/distortion.hpp"
#include "lexalign/extract/result.hpp"
#include "lexalign/extract/similarity.hpp"  // minmax_normalize
#include "lexalign/ot/emd.hpp"
#include "lexalign/ot/partial.hpp"
#include "lexalign/ot/sinkhorn.hpp"
#include "lexalign/ot/unbalanced.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

enum class ot_plan { balanced, balanced_exact, partial, partial_exact, unbalanced };

struct ot_extract_options {
  ot_plan plan = ot_plan::balanced;
  // SimAlign's distortion applied to S before the minmax (OTAlign: kappa per data set).
  distortion_options distortion{};
  // Links are the cells of the minmax-normalised plan above it.  OTAlign
  // searches it on dev data; 0.5 is our middle-of-the-range default.
  double threshold = 0.5;
  // partial / partial_exact: the transported fraction tau of min(sum a, sum b)
  // (OTAlign searches 50 values in (0, 1)).
  double transported_fraction = 0.5;
  // balanced: OTAlign's log-domain Sinkhorn, epsilon 0.1, stopThr 1e-6, 1000 iterations.
  ot::sinkhorn_options sinkhorn{.epsilon = 0.1, .method = ot::sinkhorn_method::log, .max_iterations = 1000,
                                .tolerance = 1e-6};
  // partial: epsilon 0.1 as OTAlign; `mass` must stay 0 (set by transported_fraction).
  ot::partial_options partial{.epsilon = 0.1, .tolerance = 1e-6};
  // unbalanced: POT's sinkhorn_stabilized_unbalanced as OTAlign calls it,
  // epsilon 0.1; marginal_relaxation is OTAlign's tau (searched in (0, 1)).
  ot::unbalanced_options unbalanced{
      .sinkhorn = {.epsilon = 0.1, .method = ot::sinkhorn_method::log, .max_iterations = 1000, .tolerance = 1e-6},
      .marginal_relaxation = 0.5};
  // balanced_exact and partial_exact.
  ot::emd_options emd{};
};

inline void validate(const ot_extract_options& o) {
  const auto p = static_cast<int>(o.plan);
  validation::require(p >= 0 && p <= 4, "extract::ot_extract_options.plan", std::to_string(p),
                      "balanced, balanced_exact, partial, partial_exact or unbalanced");
  validate(o.distortion);
  validation::require(o.threshold >= 0 && o.threshold < 1, "extract::ot_extract_options.threshold",
                      validation::format_value(o.threshold), "in [0, 1)");
  validation::require(o.transported_fraction > 0 && o.transported_fraction <= 1,
                      "extract::ot_extract_options.transported_fraction",
                      validation::format_value(o.transported_fraction), "in (0, 1]");
  validate(o.sinkhorn);
  validate(o.partial);
  validation::require(o.partial.mass == 0, "extract::ot_extract_options.partial.mass",
                      validation::format_value(o.partial.mass), "0 (the mass is transported_fraction · min(sum a, sum b))");
  validate(o.unbalanced);
  validate(o.emd);
}

// The result: links and scores (the normalised plan entries), plus the
// solver's convergence record and the mass the plan moves.
struct ot_extract_result : extract_result {
  convergence_info convergence;
  double transported_mass = 0;
};

// Buffers reused across calls: with a warm workspace and result (one earlier
// call of the same or larger size), no observer and one thread, a call
// allocates nothing, whichever the plan (the entropic solvers write into
// `entropic_result` through ot::sinkhorn_into / partial_into /
// sinkhorn_unbalanced_into, the exact ones into `exact_result`).
template <class Allocator = std::allocator<double>>
struct ot_extract_workspace {
  explicit ot_extract_workspace(const Allocator& alloc = Allocator())
      : base(alloc), cost(alloc), plan(alloc), a(alloc), b(alloc), entropic(alloc), exact(alloc), exact_result(alloc),
        entropic_result{std::vector<double, Allocator>(alloc), std::vector<double, Allocator>(alloc),
                        dense_matrix<double, Allocator>(alloc), 0.0, convergence_info{}},
        padded_cost(alloc), padded_a(alloc), padded_b(alloc) {}
  workspace<Allocator> base;
  dense_matrix<double, Allocator> cost;  // C = 1 - minmax(Distort(S))
  dense_matrix<double, Allocator> plan;  // the plan P of the last call (m x n, before minmax)
  std::vector<double, Allocator> a, b;
  ot::entropic_workspace<double, Allocator> entropic;
  ot::emd_workspace<double, Allocator> exact;
  ot::emd_result<double, Allocator> exact_result;
  ot::ot_result<double, Allocator> entropic_result;
  // partial_exact: the cost and masses with the dummy row and column.
  dense_matrix<double, Allocator> padded_cost;
  std::vector<double, Allocator> padded_a, padded_b;
};

// OTAlign's "norm" masses: the L2 norm of every row (word vector).
template <lexalign::matrix M>
std::vector<double> norm_masses(const M& vectors) {
  require_rank_two(vectors, "vectors");
  std::vector<double> out(rows(vectors), 0.0);
  for (std::size_t i = 0; i < out.size(); ++i) {
    double s = 0;
    for (std::size_t k = 0; k < cols(vectors); ++k) {
      const double x = static_cast<double>(at(vectors, i, k));
      s += x * x;
    }
    out[i] = std::sqrt(s);
  }
  return out;
}

namespace detail {

// The size message is built only when the size is wrong (no allocation in
// the normal case); rank and emptiness are checked first, as load_weights does.
template <class V, class WA>
void load_masses(const V& v, std::size_t expected, std::vector<double, WA>& out, const char* name) {
  if (has_rank_one(v) && size(v) != 0 && size(v) != expected) {
    const std::string what = std::string("the similarity has ") + std::to_string(expected) +
                             (name[0] == 'a' ? " rows" : " columns");
    validation::check_size(name, size(v), expected, what);
  }
  validation::load_weights(v, out, name);
}

}  // namespace detail

// With explicit masses a (one per row of S) and b (one per column).
template <lexalign::matrix M, lexalign::vector VA, lexalign::vector VB, class WAlloc, observer Obs = no_observer>
void ot_extract_into(const M& similarity, const VA& a_in, const VB& b_in, const ot_extract_options& opt,
                     ot_extract_workspace<WAlloc>& ws, ot_extract_result& out, Obs obs = {}) {
  validate(opt);
  detail::load_matrix(similarity, "similarity", ws.base);
  const std::size_t m = ws.base.rows, n = ws.base.cols;
  detail::load_masses(a_in, m, ws.a, "a");
  detail::load_masses(b_in, n, ws.b, "b");
  // C = 1 - minmax(Distort(S)).
  ws.cost.resize(m, n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j)
      ws.cost(i, j) = ws.base(i, j) * distortion_factor(i, j, m, n, opt.distortion.kappa);
  minmax_normalize(ws.cost);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) ws.cost(i, j) = 1.0 - ws.cost(i, j);

  double sum_a = 0, sum_b = 0;
  for (double x : ws.a) sum_a += x;
  for (double x : ws.b) sum_b += x;
  prefixed_observer<Obs> pobs("ot_extract", obs);
  auto take_plan = [&](const auto& plan) {
    ws.plan.resize(m, n);
    double mass = 0;
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        ws.plan(i, j) = static_cast<double>(plan(i, j));
        mass += ws.plan(i, j);
      }
    out.transported_mass = mass;
  };
  // The entropic solvers into ws.entropic_result; without an observer no
  // stage names are built per event (no allocation).
  auto entropic = [&](auto&& solve) {
    if constexpr (std::is_same_v<Obs, no_observer>)
      solve(no_observer{});
    else
      solve(std::ref(pobs));
    out.convergence = ws.entropic_result.convergence;
    take_plan(ws.entropic_result.plan);
  };
  auto exact = [&](auto&& a, auto&& b, const auto& cost) {
    ot::emd_options eo = opt.emd;
    eo.dense_plan = true;
    if constexpr (std::is_same_v<Obs, no_observer>)  // no stage names built per event: no allocation
      ot::emd_into(a, b, cost, eo, ws.exact, ws.exact_result);
    else
      ot::emd_into(a, b, cost, eo, ws.exact, ws.exact_result, std::ref(pobs));
    out.convergence = ws.exact_result.convergence;
  };
  switch (opt.plan) {
    case ot_plan::balanced: {
      for (double& x : ws.a) x /= sum_a;
      for (double& x : ws.b) x /= sum_b;
      entropic([&](auto o) { ot::sinkhorn_into(ws.a, ws.b, ws.cost, opt.sinkhorn, ws.entropic, ws.entropic_result, o); });
      break;
    }
    case ot_plan::balanced_exact: {
      for (double& x : ws.a) x /= sum_a;
      for (double& x : ws.b) x /= sum_b;
      exact(ws.a, ws.b, ws.cost);
      take_plan(ws.exact_result.plan);
      break;
    }
    case ot_plan::partial: {
      ot::partial_options po = opt.partial;
      po.mass = opt.transported_fraction * std::min(sum_a, sum_b);
      entropic([&](auto o) { ot::partial_into(ws.a, ws.b, ws.cost, po, ws.entropic, ws.entropic_result, o); });
      break;
    }
    case ot_plan::partial_exact: {
      // Dummy row m and column n: a real point's mass may go to the other
      // side's dummy at cost 0; the dummies take the untransported mass
      // (sum b - s and sum a - s) and never trade with each other.
      const double s = opt.transported_fraction * std::min(sum_a, sum_b);
      auto& c = ws.padded_cost;
      c.resize(m + 1, n + 1);
      for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) c(i, j) = ws.cost(i, j);
        c(i, n) = 0.0;
      }
      for (std::size_t j = 0; j < n; ++j) c(m, j) = 0.0;
      c(m, n) = 1e6;  // far above any real cost (C is in [0, 1])
      ws.padded_a.assign(ws.a.begin(), ws.a.end());
      ws.padded_b.assign(ws.b.begin(), ws.b.end());
      ws.padded_a.push_back(sum_b - s);
      ws.padded_b.push_back(sum_a - s);
      exact(ws.padded_a, ws.padded_b, c);
      const auto& p = ws.exact_result.plan;
      ws.plan.resize(m, n);
      double mass = 0;
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) mass += (ws.plan(i, j) = static_cast<double>(p(i, j)));
      out.transported_mass = mass;
      break;
    }
    case ot_plan::unbalanced: {
      entropic([&](auto o) {
        ot::sinkhorn_unbalanced_into(ws.a, ws.b, ws.cost, opt.unbalanced, ws.entropic, ws.entropic_result, o);
      });
      break;
    }
  }
  // minmax(P) > threshold, among the cells that carry mass (with threshold 0
  // this is OTAlign's "any positive mass" rule for the exact solvers;
  // minmax alone would lift empty cells to 1e-10 / (max - min + 1e-10)).
  double lo = ws.plan(0, 0), hi = lo;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      lo = std::min(lo, ws.plan(i, j));
      hi = std::max(hi, ws.plan(i, j));
    }
  const double scale = 1.0 / (hi - lo + 1e-10);
  out.clear();
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const double p = ws.plan(i, j), v = (p - lo + 1e-10) * scale;
      if (p > 0 && v > opt.threshold) out.push(i, j, v);
    }
}

template <lexalign::matrix M, lexalign::vector VA, lexalign::vector VB, observer Obs = no_observer>
ot_extract_result ot_extract(const M& similarity, const VA& a, const VB& b, const ot_extract_options& opt = {},
                             Obs obs = {}) {
  ot_extract_workspace<> ws;
  ot_extract_result out;
  ot_extract_into(similarity, a, b, opt, ws, out, std::move(obs));
  return out;
}

// Uniform masses (all ones, as OTAlign's "uniform").
template <lexalign::matrix M, observer Obs = no_observer>
ot_extract_result ot_extract(const M& similarity, const ot_extract_options& opt = {}, Obs obs = {}) {
  require_rank_two(similarity, "similarity");
  const std::vector<double> a(rows(similarity), 1.0), b(cols(similarity), 1.0);
  return ot_extract(similarity, a, b, opt, std::move(obs));
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
