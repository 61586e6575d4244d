// lexalign/multilingual/knn.hpp - exact k nearest neighbours by cosine over
// large vocabularies, with the top-k selection fused into a blocked product.
//
//   auto r = lexalign::multilingual::knn(queries, targets, {.k = 10});
//   r.index(i, 0), r.score(i, 0)   // best target of query i and its cosine
//
// Scores are cosines, score(i, j) = <q_i, t_j> / (|q_i| |t_j|) (0 for a zero
// vector), computed in float: dot products accumulated in the order of the
// dimensions, then (dot * 1/|t_j|) * 1/|q_i|.  scored_knn subtracts a
// per-target penalty (CSLS, csls.hpp): score(i, j) = cos(q_i, t_j) - p_j.
// Each query's k best are sorted by score descending, ties by target index
// ascending; the result is the same bits for any block sizes and any thread
// count.
//
// Blocking: queries are cut into blocks of `query_block` (one task each);
// for each block, the targets are visited in tiles of `target_block`: the tile
// is packed, multiplied with the packed queries by a 4 x 16 register kernel
// into a query_block x target_block scratch tile, and every query's sorted
// top-k list is updated from it.  The similarity matrix is never stored:
// memory is O(workers * (query_block + target_block) * d + query_block *
// target_block) plus the outputs.  The workspace's buffers are sized at entry
// (no allocation per block, none at all when reused for the same shapes).
// Time O(n m d + n m log k) (insertions are rare once the lists fill up).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/validate.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

struct knn_options {
  std::size_t k = 10;              // neighbours per query (>= 1; capped at the number of targets)
  std::size_t query_block = 64;    // queries per task (>= 1); rounded up to a multiple of 4 internally
  std::size_t target_block = 512;  // targets per tile (>= 1); rounded up to a multiple of 16 internally
  parallel_options parallel{};     // threads or a caller's pool; results do not depend on it
};

inline void validate(const knn_options& o) {
  validation::at_least("knn_options.k", o.k, 1);
  validation::at_least("knn_options.query_block", o.query_block, 1);
  validation::at_most("knn_options.query_block", o.query_block, std::size_t{1} << 16);
  validation::at_least("knn_options.target_block", o.target_block, 1);
  validation::at_most("knn_options.target_block", o.target_block, std::size_t{1} << 20);
  validate(o.parallel);
}

// Row i: the k best targets of query i, best first.
struct knn_result {
  std::size_t k = 0;                  // neighbours per query = min(options.k, number of targets)
  dense_matrix<std::size_t> index;    // n x k target rows
  dense_matrix<float> score;          // n x k scores (cosines, minus the penalty for scored_knn)
};

// Reusable buffers (per worker: packed queries, packed target tile, scratch
// tile; and the inverse norms).  Sized on first use; a later call of the same
// or smaller shapes and thread count allocates nothing.
template <class Allocator = std::allocator<float>>
class knn_workspace {
 public:
  explicit knn_workspace(const Allocator& alloc = Allocator())
      : packed_q_(alloc), packed_t_(alloc), tile_(alloc), inv_q_(alloc), inv_t_(alloc) {}

  // The vectors the kernel uses (public for the callers in this area).
  std::vector<float, Allocator> packed_q_, packed_t_, tile_, inv_q_, inv_t_;
};

namespace detail {

inline constexpr std::size_t knn_mr = 4;   // queries per register block
inline constexpr std::size_t knn_nr = 16;  // targets per register block

constexpr std::size_t round_up(std::size_t x, std::size_t m) noexcept { return (x + m - 1) / m * m; }

// 1/|row| for every row (0 for a zero row), the norm accumulated in double.
template <class A>
void inverse_norms(matrix_view<const float> x, std::vector<float, A>& out) {
  out.resize(x.rows());
  for (std::size_t i = 0; i < x.rows(); ++i) {
    double s = 0;
    for (std::size_t k = 0; k < x.cols(); ++k) {
      const double v = x(i, k);
      s += v * v;
    }
    out[i] = s > 0 ? static_cast<float>(1.0 / std::sqrt(s)) : 0.0f;
  }
}

// Packs rows [r0, r0 + count) of x into panels of `width` rows, each panel
// stored dimension-major (panel[k * width + r]); missing rows are zero.
inline void pack_panels(matrix_view<const float> x, std::size_t r0, std::size_t count, std::size_t width,
                        float* out) {
  const std::size_t d = x.cols();
  const std::size_t panels = (count + width - 1) / width;
  for (std::size_t p = 0; p < panels; ++p) {
    float* panel = out + p * width * d;
    for (std::size_t r = 0; r < width; ++r) {
      const std::size_t row = p * width + r;
      if (row < count) {
        for (std::size_t k = 0; k < d; ++k) panel[k * width + r] = x(r0 + row, k);
      } else {
        for (std::size_t k = 0; k < d; ++k) panel[k * width + r] = 0.0f;
      }
    }
  }
}

// acc[r][j] = sum_k a[k * 4 + r] * b[k * 16 + j], k in order; written to
// c[r * ldc + j].
inline void micro_kernel(const float* a, const float* b, std::size_t d, float* c, std::size_t ldc) {
#if defined(__GNUC__) && defined(__AVX__)
  // 8 accumulators of 8 floats (AVX registers).
  typedef float v8 __attribute__((vector_size(32)));
  v8 c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {};
  for (std::size_t k = 0; k < d; ++k) {
    v8 b0, b1;
    std::memcpy(&b0, b + k * knn_nr, sizeof b0);
    std::memcpy(&b1, b + k * knn_nr + 8, sizeof b1);
    const float* ak = a + k * knn_mr;
    c00 += ak[0] * b0;
    c01 += ak[0] * b1;
    c10 += ak[1] * b0;
    c11 += ak[1] * b1;
    c20 += ak[2] * b0;
    c21 += ak[2] * b1;
    c30 += ak[3] * b0;
    c31 += ak[3] * b1;
  }
  std::memcpy(c, &c00, sizeof c00);
  std::memcpy(c + 8, &c01, sizeof c01);
  std::memcpy(c + ldc, &c10, sizeof c10);
  std::memcpy(c + ldc + 8, &c11, sizeof c11);
  std::memcpy(c + 2 * ldc, &c20, sizeof c20);
  std::memcpy(c + 2 * ldc + 8, &c21, sizeof c21);
  std::memcpy(c + 3 * ldc, &c30, sizeof c30);
  std::memcpy(c + 3 * ldc + 8, &c31, sizeof c31);
#elif defined(__GNUC__)
  // Baseline x86-64 / other targets: 128-bit vectors, the 16 columns in two
  // halves of 8 (8 accumulators of 4 floats each pass).  The summation order
  // of every dot product is the same as above (k ascending).
  typedef float v4 __attribute__((vector_size(16)));
  for (std::size_t h = 0; h < knn_nr; h += 8) {
    v4 c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {};
    for (std::size_t k = 0; k < d; ++k) {
      v4 b0, b1;
      std::memcpy(&b0, b + k * knn_nr + h, sizeof b0);
      std::memcpy(&b1, b + k * knn_nr + h + 4, sizeof b1);
      const float* ak = a + k * knn_mr;
      c00 += ak[0] * b0;
      c01 += ak[0] * b1;
      c10 += ak[1] * b0;
      c11 += ak[1] * b1;
      c20 += ak[2] * b0;
      c21 += ak[2] * b1;
      c30 += ak[3] * b0;
      c31 += ak[3] * b1;
    }
    std::memcpy(c + h, &c00, sizeof c00);
    std::memcpy(c + h + 4, &c01, sizeof c01);
    std::memcpy(c + ldc + h, &c10, sizeof c10);
    std::memcpy(c + ldc + h + 4, &c11, sizeof c11);
    std::memcpy(c + 2 * ldc + h, &c20, sizeof c20);
    std::memcpy(c + 2 * ldc + h + 4, &c21, sizeof c21);
    std::memcpy(c + 3 * ldc + h, &c30, sizeof c30);
    std::memcpy(c + 3 * ldc + h + 4, &c31, sizeof c31);
  }
#else
  float acc[knn_mr][knn_nr] = {};
  for (std::size_t k = 0; k < d; ++k)
    for (std::size_t r = 0; r < knn_mr; ++r)
      for (std::size_t j = 0; j < knn_nr; ++j) acc[r][j] += a[k * knn_mr + r] * b[k * knn_nr + j];
  for (std::size_t r = 0; r < knn_mr; ++r)
    for (std::size_t j = 0; j < knn_nr; ++j) c[r * ldc + j] = acc[r][j];
#endif
}

// Inserts (s, j) into the sorted list (score desc, index asc) of `filled`
// entries with capacity k; j is larger than every index already there.
inline void topk_insert(float* score, std::size_t* index, std::size_t& filled, std::size_t k, float s, std::size_t j) {
  std::size_t pos = filled < k ? filled : k - 1;
  if (filled == k && !(s > score[k - 1])) return;
  while (pos > 0 && s > score[pos - 1]) {
    score[pos] = score[pos - 1];
    index[pos] = index[pos - 1];
    --pos;
  }
  score[pos] = s;
  index[pos] = j;
  if (filled < k) ++filled;
}

inline void check_embedding_matrix(matrix_view<const float> m, const char* name) {
  if (!m.rows_contiguous() && m.cols() > 1)
    throw invalid_argument(std::string(name) + " must have contiguous rows");
  for (std::size_t i = 0; i < m.rows(); ++i)
    for (std::size_t k = 0; k < m.cols(); ++k)
      if (!std::isfinite(m(i, k))) validation::check_entry(name, i, k, m(i, k), validation::entry_rule::finite);
}

}  // namespace detail

// The k best targets of every query by cos(q_i, t_j) - penalty[j] (penalty
// empty = 0).  queries n x d and targets m x d (m >= 1, d >= 1), finite.
// Writes into `out` (reusing its storage).
template <class A>
void scored_knn_into(matrix_view<const float> queries, matrix_view<const float> targets,
                     std::span<const float> penalty, const knn_options& options, knn_workspace<A>& ws,
                     knn_result& out) {
  validate(options);
  validation::check_not_empty("targets", targets.rows(), targets.cols());
  if (queries.cols() != targets.cols())
    throw invalid_argument("queries have dimension " + std::to_string(queries.cols()) + " but targets have " +
                           std::to_string(targets.cols()));
  detail::check_embedding_matrix(queries, "queries");
  detail::check_embedding_matrix(targets, "targets");
  if (!penalty.empty()) {
    validation::check_size("penalty", penalty.size(), targets.rows(), "there are " + std::to_string(targets.rows()) + " targets");
    for (std::size_t j = 0; j < penalty.size(); ++j)
      validation::check_entry("penalty", j, penalty[j], validation::entry_rule::finite);
  }
  const std::size_t n = queries.rows(), m = targets.rows(), d = targets.cols();
  const std::size_t k = std::min(options.k, m);
  out.k = k;
  if (out.index.rows() != n || out.index.cols() != k) out.index.resize(n, k);
  if (out.score.rows() != n || out.score.cols() != k) out.score.resize(n, k);
  if (n == 0) return;

  detail::inverse_norms(queries, ws.inv_q_);
  detail::inverse_norms(targets, ws.inv_t_);
  const std::size_t qb = detail::round_up(options.query_block, detail::knn_mr);
  const std::size_t tb = detail::round_up(std::min(options.target_block, detail::round_up(m, detail::knn_nr)),
                                          detail::knn_nr);
  executor ex(options.parallel);
  const std::size_t blocks = block_count(n, qb);
  const unsigned workers = ex.workers_for(blocks);
  ws.packed_q_.resize(workers * qb * d);
  ws.packed_t_.resize(workers * tb * d);
  ws.tile_.resize(workers * qb * tb);
  const float* inv_q = ws.inv_q_.data();
  const float* inv_t = ws.inv_t_.data();
  const float* pen = penalty.empty() ? nullptr : penalty.data();

  ex.for_each_block(n, qb, [&](std::size_t, std::size_t q0, std::size_t q1, unsigned worker) {
    float* pq = ws.packed_q_.data() + worker * qb * d;
    float* pt = ws.packed_t_.data() + worker * tb * d;
    float* tile = ws.tile_.data() + worker * qb * tb;
    const std::size_t nq = q1 - q0;
    const std::size_t nq_pad = detail::round_up(nq, detail::knn_mr);
    detail::pack_panels(queries, q0, nq, detail::knn_mr, pq);
    for (std::size_t t0 = 0; t0 < m; t0 += tb) {
      const std::size_t nt = std::min(tb, m - t0);
      const std::size_t nt_pad = detail::round_up(nt, detail::knn_nr);
      detail::pack_panels(targets, t0, nt, detail::knn_nr, pt);
      for (std::size_t ip = 0; ip < nq_pad; ip += detail::knn_mr)
        for (std::size_t jp = 0; jp < nt_pad; jp += detail::knn_nr)
          detail::micro_kernel(pq + ip * d, pt + jp * d, d, tile + ip * tb + jp, tb);
      for (std::size_t r = 0; r < nq; ++r) {
        const std::size_t i = q0 + r;
        float* sc = &out.score(i, 0);
        std::size_t* ix = &out.index(i, 0);
        // Before the first tile the list is empty; afterwards it holds
        // min(k, t0) entries.
        std::size_t filled = std::min(k, t0);
        const float* row = tile + r * tb;
        const float iq = inv_q[i];
        float worst = filled == k ? sc[k - 1] : 0.0f;
        for (std::size_t c = 0; c < nt; ++c) {
          const std::size_t j = t0 + c;
          float s = row[c] * inv_t[j] * iq;
          if (pen) s -= pen[j];
          if (filled == k && !(s > worst)) continue;
          detail::topk_insert(sc, ix, filled, k, s, j);
          if (filled == k) worst = sc[k - 1];
        }
      }
    }
  });
}

template <class A>
void knn_into(matrix_view<const float> queries, matrix_view<const float> targets, const knn_options& options,
              knn_workspace<A>& ws, knn_result& out) {
  scored_knn_into(queries, targets, {}, options, ws, out);
}

inline knn_result knn(matrix_view<const float> queries, matrix_view<const float> targets,
                      const knn_options& options = {}) {
  knn_workspace<> ws;
  knn_result r;
  knn_into(queries, targets, options, ws, r);
  return r;
}

inline knn_result knn(const dense_matrix<float>& queries, const dense_matrix<float>& targets,
                      const knn_options& options = {}) {
  return knn(queries.view(), targets.view(), options);
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
