// lexalign/multilingual/unsupervised.hpp - mapping two embedding spaces
// without a dictionary: an entropic Gromov-Wasserstein coupling of the most
// frequent words gives the first map (Alvarez-Melis & Jaakkola 2018), which
// Wasserstein-Procrustes refines (Grave, Joulin & Berthet 2019), followed by
// the CSLS refinement of mapping.hpp.
//
//   namespace ml = lexalign::multilingual;
//   ml::normalize_embeddings(x, ml::normalization::both);
//   ml::normalize_embeddings(z, ml::normalization::both);
//   auto r = ml::unsupervised_map(x, z, {.gw_words = 1000});
//   auto mapped = ml::apply_map(x, r.w);
//
// 1. Gromov-Wasserstein: C_x = 1 - cos among the `gw_words` first source
//    words (clipped at 0, divided by its mean), C_z likewise, uniform masses;
//    P = ot::gromov_wasserstein(C_x, C_z, p, q, options.gw).  The mutual
//    argmax pairs of P (i's best column is j and j's best row is i) give
//    W_0 = procrustes.
// 2. Wasserstein-Procrustes, `epochs` x `iterations` steps: sample `batch`
//    distinct rows among the `wp_words` first of each side; the exact
//    assignment pi maximising sum_i <x_i W, z_pi(i)>; then
//    W <- polar(W + (learning_rate / batch) sum_i x_i^T z_pi(i)), the
//    nearest orthogonal matrix (U V^T of its SVD): Grave et al.'s step,
//    W - lr/b * gradient of ||X W - P Z||^2 / 2, projected.
// 3. refine_map (mutual CSLS neighbours + Procrustes) with options.refinement.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/multilingual/mapping.hpp"
#include "lexalign/multilingual/procrustes.hpp"
#include "lexalign/ot/assignment.hpp"
#include "lexalign/ot/gromov_wasserstein.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

struct unsupervised_options {
  std::size_t gw_words = 500;  // most frequent words of each side coupled by GW (>= 2); GW costs O(N^3) per iteration
  // Entropic GW on costs of mean 1.  Lian et al. cache their couplings under
  // epsilon 1e-4; 5e-3 in the log domain with capped, warm-started inner
  // solves keeps a 500-word coupling to about a minute (see docs).  Threads: `parallel`.
  ot::gromov_wasserstein_options gw{
      .max_iterations = 100, .tolerance = 1e-9, .check_every = 10,
      .inner = {.epsilon = 5e-3, .method = ot::sinkhorn_method::log, .max_iterations = 200, .tolerance = 1e-6}};
  std::size_t wp_words = 5000;    // Wasserstein-Procrustes samples among this many first words of each side (>= 2)
  std::size_t batch = 500;        // rows per Wasserstein-Procrustes step (Grave et al.'s bsz 500), >= 1
  std::size_t epochs = 5;         // Grave et al.'s nepoch 5
  std::size_t iterations = 50;    // steps per epoch (Grave et al. use 5000 with a BLAS SVD; see docs)
  double learning_rate = 500;     // Grave et al.'s lr 500 (the step is learning_rate / batch), > 0
  std::uint64_t seed = 1;         // the batch sampler's seed
  refinement_options refinement{};  // final CSLS refinement (its threads: `parallel`)
  parallel_options parallel{};
};

inline void validate(const unsupervised_options& o) {
  validation::at_least("unsupervised_options.gw_words", o.gw_words, 2);
  validate(o.gw);
  validation::require(o.gw.parallel.threads == 1 && o.gw.parallel.pool == nullptr, "unsupervised_options.gw.parallel",
                      "non-default", "default (set unsupervised_options.parallel)");
  validation::at_least("unsupervised_options.wp_words", o.wp_words, 2);
  validation::at_least("unsupervised_options.batch", o.batch, 1);
  validation::positive("unsupervised_options.learning_rate", o.learning_rate);
  validate(o.refinement);
  validation::require(o.refinement.parallel.threads == 1 && o.refinement.parallel.pool == nullptr,
                      "unsupervised_options.refinement.parallel", "non-default",
                      "default (set unsupervised_options.parallel)");
  validate(o.parallel);
}

struct unsupervised_result {
  dense_matrix<double> w;   // d x d orthogonal: source rows x W are in the target space
  row_pairs dictionary;     // the dictionary of the last fit (the refinement's)
  double residual = 0;      // its Procrustes residual
  row_pairs gw_pairs;       // mutual-argmax pairs of the GW coupling (rows among the gw_words first)
  convergence_info gromov_wasserstein;  // the GW solve's record
  convergence_info refinement;          // the refinement's record
  // The refinement's record, unless GW failed (numerical_error) or the
  // observer stopped a stage (stopped_by_observer).
  convergence_info convergence;
};

// The orthogonal matrix nearest to r (U V^T of r = U S V^T).
inline dense_matrix<double> nearest_orthogonal(const dense_matrix<double>& r, const svd_options& options = {}) {
  const auto s = svd(r, options);
  const std::size_t d = r.cols();
  dense_matrix<double> w(r.rows(), d, 0.0);
  for (std::size_t i = 0; i < r.rows(); ++i)
    for (std::size_t j = 0; j < d; ++j) {
      double acc = 0;
      for (std::size_t k = 0; k < d; ++k) acc += s.u(i, k) * s.v(j, k);
      w(i, j) = acc;
    }
  return w;
}

// One Wasserstein-Procrustes step on given batches (rows xs of x, zs of z):
// the assignment maximising sum <x_i W, z_pi(i)>, then W <- polar(W + step *
// sum_i x_i^T z_pi(i)).  Returns the mean matched similarity.
inline double wasserstein_procrustes_step(const dense_matrix<float>& x, const dense_matrix<float>& z,
                                          std::span<const std::size_t> xs, std::span<const std::size_t> zs,
                                          double step, dense_matrix<double>& w, const svd_options& svd_opt = {}) {
  const std::size_t b = xs.size(), d = x.cols();
  dense_matrix<double> xw(b, d, 0.0), sim(b, zs.size(), 0.0);
  for (std::size_t i = 0; i < b; ++i)
    for (std::size_t k = 0; k < d; ++k) {
      const double a = x(xs[i], k);
      for (std::size_t j = 0; j < d; ++j) xw(i, j) += a * w(k, j);
    }
  for (std::size_t i = 0; i < b; ++i)
    for (std::size_t j = 0; j < zs.size(); ++j) {
      double acc = 0;
      for (std::size_t k = 0; k < d; ++k) acc += xw(i, k) * z(zs[j], k);
      sim(i, j) = acc;
    }
  const auto a = ot::assignment(sim, {.maximize = true});
  dense_matrix<double> r = w;
  double total = 0;
  std::size_t matched = 0;
  for (std::size_t i = 0; i < b; ++i) {
    const std::ptrdiff_t j = a.row_to_col[i];
    if (j < 0) continue;
    ++matched;
    total += sim(i, static_cast<std::size_t>(j));
    for (std::size_t k = 0; k < d; ++k) {
      const double xv = step * x(xs[i], k);
      if (xv == 0.0) continue;
      for (std::size_t l = 0; l < d; ++l) r(k, l) += xv * z(zs[static_cast<std::size_t>(j)], l);
    }
  }
  w = nearest_orthogonal(r, svd_opt);
  return matched ? total / double(matched) : 0.0;
}

namespace detail {
// C = 1 - cos among the first n rows, clipped at 0, divided by its mean.
inline dense_matrix<double> normalized_cosine_distances(const dense_matrix<float>& x, std::size_t n) {
  const std::size_t d = x.cols();
  std::vector<double> inv(n);
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0;
    for (std::size_t k = 0; k < d; ++k) s += double(x(i, k)) * x(i, k);
    inv[i] = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
  }
  dense_matrix<double> c(n, n, 0.0);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      double dot = 0;
      for (std::size_t k = 0; k < d; ++k) dot += double(x(i, k)) * x(j, k);
      const double v = std::max(0.0, 1.0 - dot * inv[i] * inv[j]);
      c(i, j) = c(j, i) = v;
      total += 2 * v;
    }
  const double mean = total / double(n * n);
  if (mean > 0)
    for (std::size_t i = 0; i < n * n; ++i) c.data()[i] /= mean;
  return c;
}

// Sample `b` distinct indices of [0, n) (partial Fisher-Yates on `pool`).
inline void sample_rows(std::mt19937_64& gen, std::vector<std::size_t>& pool, std::size_t b) {
  for (std::size_t i = 0; i < b; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(gen() % (pool.size() - i));
    std::swap(pool[i], pool[j]);
  }
}
}  // namespace detail

// Mutual-argmax pairs (i, j) of a coupling: j = argmax_j P(i, j) and i =
// argmax_i P(i, j) (first index on ties), sorted by i.
template <class T, class A>
row_pairs mutual_argmax_pairs(const dense_matrix<T, A>& p) {
  const std::size_t m = p.rows(), n = p.cols();
  std::vector<std::size_t> row_best(m, 0), col_best(n, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 1; j < n; ++j)
      if (p(i, j) > p(i, row_best[i])) row_best[i] = j;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 1; i < m; ++i)
      if (p(i, j) > p(col_best[j], j)) col_best[j] = i;
  row_pairs out;
  for (std::size_t i = 0; i < m; ++i)
    if (n > 0 && col_best[row_best[i]] == i) out.emplace_back(i, row_best[i]);
  return out;
}

// Observer stages: "unsupervised.gromov_wasserstein" (GW's events),
// "unsupervised.wasserstein_procrustes" (one per epoch: error NaN,
// objective = mean matched similarity of the epoch's last batch) and
// "unsupervised.refinement".
inline unsupervised_result unsupervised_map(const dense_matrix<float>& x, const dense_matrix<float>& z,
                                            const unsupervised_options& options = {}, observer_ref obs = {}) {
  validate(options);
  validation::check_not_empty("source vectors", x.rows(), x.cols());
  validation::check_not_empty("target vectors", z.rows(), z.cols());
  if (x.cols() != z.cols())
    throw invalid_argument("source vectors have dimension " + std::to_string(x.cols()) + " but target vectors have " +
                           std::to_string(z.cols()));
  if (x.rows() < 2 || z.rows() < 2) throw invalid_argument("unsupervised mapping needs at least 2 words on each side");
  for (const auto* m : {&x, &z})
    for (std::size_t i = 0; i < m->size(); ++i)
      if (!std::isfinite(m->data()[i]))
        throw invalid_argument(std::string(m == &x ? "source" : "target") + " vectors have a non-finite entry");
  unsupervised_result res;
  prefixed_observer<observer_ref> pobs("unsupervised", obs);
  // 1. GW coupling of the most frequent words.
  const std::size_t nx = std::min(options.gw_words, x.rows()), nz = std::min(options.gw_words, z.rows());
  const auto cx = detail::normalized_cosine_distances(x, nx);
  const auto cz = detail::normalized_cosine_distances(z, nz);
  const std::vector<double> p(nx, 1.0 / double(nx)), q(nz, 1.0 / double(nz));
  ot::gromov_wasserstein_options gwo = options.gw;
  gwo.parallel = options.parallel;
  bool stopped = false;
  auto gw_obs = [&](const iteration_event& ev) {
    const observer_action a = pobs(ev);
    if (a == observer_action::stop) stopped = true;
    return a;
  };
  const auto gw = ot::gromov_wasserstein(cx, cz, p, q, gwo, gw_obs);
  res.gromov_wasserstein = gw.convergence;
  res.gw_pairs = mutual_argmax_pairs(gw.plan);
  const svd_options svd_opt = options.refinement.procrustes.svd;
  if (res.gw_pairs.size() < 2 || stopped || gw.convergence.status == solver_status::numerical_error) {
    res.w = dense_matrix<double>(x.cols(), x.cols(), 0.0);
    for (std::size_t i = 0; i < x.cols(); ++i) res.w(i, i) = 1.0;
    res.convergence = gw.convergence;
    if (!stopped && res.gw_pairs.size() < 2) res.convergence.status = solver_status::numerical_error;
    if (stopped) return res;
  } else {
    res.w = procrustes_on_pairs(x, z, res.gw_pairs, options.refinement.procrustes).w;
  }
  // 2. Wasserstein-Procrustes.
  const std::size_t mx = std::min(options.wp_words, x.rows()), mz = std::min(options.wp_words, z.rows());
  const std::size_t b = std::min({options.batch, mx, mz});
  std::vector<std::size_t> pool_x(mx), pool_z(mz);
  std::iota(pool_x.begin(), pool_x.end(), std::size_t{0});
  std::iota(pool_z.begin(), pool_z.end(), std::size_t{0});
  std::mt19937_64 gen(options.seed);
  const double step = options.learning_rate / double(b);
  for (std::size_t e = 1; e <= options.epochs; ++e) {
    double sim = 0;
    for (std::size_t it = 0; it < options.iterations; ++it) {
      detail::sample_rows(gen, pool_x, b);
      detail::sample_rows(gen, pool_z, b);
      sim = wasserstein_procrustes_step(x, z, std::span<const std::size_t>(pool_x.data(), b),
                                        std::span<const std::size_t>(pool_z.data(), b), step, res.w, svd_opt);
    }
    if (pobs(iteration_event{"wasserstein_procrustes", e, std::numeric_limits<double>::quiet_NaN(), sim,
                             options.epochs}) == observer_action::stop) {
      res.convergence.status = solver_status::stopped_by_observer;
      return res;
    }
  }
  // 3. CSLS refinement.
  refinement_options ro = options.refinement;
  ro.parallel = options.parallel;
  mapping_result m;
  m.w = res.w;
  auto rm = refine_map(x, z, std::move(m), ro, observer_ref(pobs));
  res.w = std::move(rm.w);
  res.dictionary = std::move(rm.dictionary);
  res.residual = rm.residual;
  res.refinement = rm.convergence;
  if (res.convergence.status != solver_status::numerical_error) res.convergence = rm.convergence;
  return res;
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
