// lexalign/extract/null.hpp - SimAlign's entropy-based NULL extension (the
// paper's, and the initial commit's --null-align p; not in the released
// package).
//
//   std::vector<double> h;                               // per sentence pair
//   extract::link_entropies_into(sim, r, ws, h);         // min(H_row, H_col) per link
//   const double t = extract::null_threshold(all_h, {.keep = 0.9});
//   extract::drop_links_above(r, h, t);
//
// Or all at once over a corpus: extract::null_extension(results, sims, opt).
//
// H_row(i) is the entropy of row i of S after L1 normalisation, divided by
// ln n; H_col(j) likewise with ln m.  A link's value is min(H_row(i),
// H_col(j)).  Over the corpus, the values of every predicted link are sorted
// and the one at position floor(keep · N) is the threshold; links above it
// are dropped.  Sentence pairs with min(m, n) <= 2 are skipped: their links
// get NaN, take no part in the threshold and are never dropped.  S must be
// non-negative (SimAlign's (cos+1)/2).  See docs/extract/null.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/extract/result.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace extract {

struct null_options {
  // SimAlign's null-align ratio p: the quantile of link entropies used as the
  // threshold.  1 keeps every link (SimAlign's default, "off").
  double keep = 1.0;
};

inline void validate(const null_options& opt) { validation::probability("extract::null_options.keep", opt.keep); }

// One value per link of `r` (min of the normalised row and column entropies),
// NaN for every link when min(m, n) <= 2.
template <lexalign::matrix M, class WAlloc, class A>
void link_entropies_into(const M& similarity, const extract_result& r, workspace<WAlloc>& ws,
                         std::vector<double, A>& out) {
  detail::load_matrix(similarity, "similarity", ws, validation::entry_rule::finite_non_negative);
  const std::size_t m = ws.rows, n = ws.cols;
  out.resize(r.size());
  if (m <= 2 || n <= 2) {
    std::fill(out.begin(), out.end(), std::numeric_limits<double>::quiet_NaN());
    return;
  }
  const double* s = ws.src;
  ws.a.assign(m, 0.0);  // row sums, then entropies
  ws.b.assign(n, 0.0);  // column sums, then entropies
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      ws.a[i] += s[i * n + j];
      ws.b[j] += s[i * n + j];
    }
  ws.c.assign(m, 0.0);
  ws.d.assign(n, 0.0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const double x = s[i * n + j];
      if (x <= 0) continue;
      const double pr = x / ws.a[i], pc = x / ws.b[j];
      ws.c[i] -= pr * std::log(pr);
      ws.d[j] -= pc * std::log(pc);
    }
  const double ln_n = std::log(static_cast<double>(n)), ln_m = std::log(static_cast<double>(m));
  for (std::size_t k = 0; k < r.size(); ++k) {
    const link l = r.alignment.sure[k];
    out[k] = std::min(ws.c[l.source] / ln_n, ws.d[l.target] / ln_m);
  }
}

// The corpus threshold: the value at floor(keep · N) of the sorted finite
// values (NaN ignored); +inf when that position is past the end.
inline double null_threshold(std::span<const double> values, const null_options& opt) {
  validate(opt);
  std::vector<double> v;
  v.reserve(values.size());
  for (double x : values)
    if (!std::isnan(x)) v.push_back(x);
  const auto pos = static_cast<std::size_t>(std::floor(opt.keep * static_cast<double>(v.size())));
  if (pos >= v.size()) return std::numeric_limits<double>::infinity();
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(pos), v.end());
  return v[pos];
}

// Removes the links whose value exceeds `threshold` (NaN values stay).
inline void drop_links_above(extract_result& r, std::span<const double> values, double threshold) {
  LEXALIGN_ASSERT(values.size() == r.size(), "one value per link");
  std::size_t w = 0;
  for (std::size_t k = 0; k < r.size(); ++k) {
    if (values[k] > threshold) continue;
    r.alignment.sure[w] = r.alignment.sure[k];
    r.scores[w] = r.scores[k];
    ++w;
  }
  r.alignment.sure.resize(w);
  r.scores.resize(w);
}

// The two passes over a corpus: results[k] was extracted from similarities[k].
template <class Range>
void null_extension(std::span<extract_result> results, const Range& similarities, const null_options& opt) {
  validate(opt);
  if (std::size(similarities) != results.size())
    throw invalid_argument("null_extension: " + std::to_string(results.size()) + " results but " +
                           std::to_string(std::size(similarities)) + " similarity matrices");
  workspace<> ws;
  std::vector<std::vector<double>> values(results.size());
  std::vector<double> all;
  std::size_t k = 0;
  for (const auto& sim : similarities) {
    link_entropies_into(sim, results[k], ws, values[k]);
    all.insert(all.end(), values[k].begin(), values[k].end());
    ++k;
  }
  const double t = null_threshold(all, opt);
  for (k = 0; k < results.size(); ++k) drop_links_above(results[k], values[k], t);
}

}  // namespace extract
LEXALIGN_NAMESPACE_END
