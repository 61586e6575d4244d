// lexalign/em/lexical_table.hpp - t(f|e) stored sparsely over co-occurring
// pairs, and the deterministic count accumulator the E-steps share.
//
// Direction vocabulary used throughout lexalign::em: a *directional* model
// generates each token f_j of the "generated" side from one token of the
// "given" side (or from NULL).  The forward model of a parallel corpus has
// given = source, generated = target; the reverse model swaps them.
//
// Rows: row 0 is NULL, row e+1 is given-side word id e.  A row holds the
// generated-side ids that co-occur with it in at least one sentence pair
// (every generated word co-occurs with NULL), sorted, with one probability
// each.  Memory: 12 bytes per co-occurring pair plus 8 per row.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/parallel.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// Both sides of a corpus as one directional model sees them (no copy).
struct bitext_view {
  const sentence_store* given = nullptr;
  const sentence_store* generated = nullptr;
  std::size_t given_vocabulary_size = 0;
  std::size_t generated_vocabulary_size = 0;

  std::size_t size() const noexcept { return given->size(); }
};

// given = source, generated = target (reverse = false), or swapped.
inline bitext_view make_view(const parallel_corpus& corpus, bool reverse = false) {
  if (!reverse)
    return {&corpus.source_sentences(), &corpus.target_sentences(), corpus.source_vocabulary().size(),
            corpus.target_vocabulary().size()};
  return {&corpus.target_sentences(), &corpus.source_sentences(), corpus.target_vocabulary().size(),
          corpus.source_vocabulary().size()};
}

class lexical_table {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  static constexpr std::size_t null_row = 0;

  lexical_table() = default;

  // The co-occurrence structure of `view`, every probability set to
  // 1/|generated vocabulary| (GIZA++'s uniform start).
  static lexical_table from_cooccurrence(const bitext_view& view) {
    lexical_table t;
    const std::size_t rows = view.given_vocabulary_size + 1;
    // Sorted unique (row, f) keys, merged chunk by chunk to bound memory.
    std::vector<std::uint64_t> all, chunk, merged;
    auto flush = [&] {
      std::sort(chunk.begin(), chunk.end());
      chunk.erase(std::unique(chunk.begin(), chunk.end()), chunk.end());
      merged.clear();
      merged.reserve(all.size() + chunk.size());
      std::set_union(all.begin(), all.end(), chunk.begin(), chunk.end(), std::back_inserter(merged));
      all.swap(merged);
      chunk.clear();
    };
    constexpr std::size_t chunk_limit = std::size_t{1} << 22;
    std::vector<word_id> fs;
    for (std::size_t k = 0; k < view.size(); ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      fs.assign(f.begin(), f.end());
      std::sort(fs.begin(), fs.end());
      fs.erase(std::unique(fs.begin(), fs.end()), fs.end());
      for (word_id g : e) {
        if (g >= view.given_vocabulary_size) throw invalid_argument("lexical_table: given-side id out of range");
        for (word_id w : fs) chunk.push_back((std::uint64_t{g + 1u} << 32) | w);
      }
      if (chunk.size() >= chunk_limit) flush();
    }
    flush();
    // NULL row: every generated word.
    std::vector<char> seen(view.generated_vocabulary_size, 0);
    for (std::size_t k = 0; k < view.size(); ++k)
      for (word_id w : (*view.generated)[k]) {
        if (w >= view.generated_vocabulary_size)
          throw invalid_argument("lexical_table: generated-side id out of range");
        seen[w] = 1;
      }
    std::size_t null_count = 0;
    for (char s : seen) null_count += s != 0;
    t.offsets_.assign(rows + 1, 0);
    t.columns_.resize(null_count + all.size());
    std::size_t pos = 0;
    for (std::size_t w = 0; w < seen.size(); ++w)
      if (seen[w]) t.columns_[pos++] = static_cast<word_id>(w);
    t.offsets_[1] = pos;
    for (std::uint64_t key : all) {
      t.columns_[pos++] = static_cast<word_id>(key & 0xFFFFFFFFu);
      ++t.offsets_[(key >> 32) + 1];
    }
    // offsets_[r+1] currently holds the count of row r (r >= 1): prefix-sum.
    for (std::size_t r = 1; r < rows; ++r) t.offsets_[r + 1] += t.offsets_[r];
    const double uniform =
        view.generated_vocabulary_size == 0 ? 1.0 : 1.0 / static_cast<double>(view.generated_vocabulary_size);
    t.probabilities_.assign(t.columns_.size(), uniform);
    return t;
  }

  // Builds a table from explicit rows (used by model loading).
  static lexical_table from_rows(std::vector<std::uint64_t> offsets, std::vector<word_id> columns,
                                 std::vector<double> probabilities) {
    if (offsets.empty() || offsets.front() != 0 || offsets.back() != columns.size() ||
        columns.size() != probabilities.size())
      throw invalid_argument("lexical_table::from_rows: inconsistent offsets, columns and probabilities");
    for (std::size_t r = 0; r + 1 < offsets.size(); ++r) {
      if (offsets[r] > offsets[r + 1]) throw invalid_argument("lexical_table::from_rows: offsets decrease");
      for (std::uint64_t p = offsets[r] + 1; p < offsets[r + 1]; ++p)
        if (columns[p - 1] >= columns[p])
          throw invalid_argument("lexical_table::from_rows: columns of a row are not strictly increasing");
    }
    lexical_table t;
    t.offsets_ = std::move(offsets);
    t.columns_ = std::move(columns);
    t.probabilities_ = std::move(probabilities);
    return t;
  }

  std::size_t rows() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::size_t size() const noexcept { return columns_.size(); }
  static constexpr std::size_t row_of(word_id given) noexcept { return std::size_t{given} + 1; }

  std::size_t row_begin(std::size_t row) const noexcept { return offsets_[row]; }
  std::size_t row_end(std::size_t row) const noexcept { return offsets_[row + 1]; }
  std::span<const word_id> columns(std::size_t row) const noexcept {
    return {columns_.data() + offsets_[row], offsets_[row + 1] - offsets_[row]};
  }
  std::span<const double> probabilities(std::size_t row) const noexcept {
    return {probabilities_.data() + offsets_[row], offsets_[row + 1] - offsets_[row]};
  }
  std::span<double> probabilities() noexcept { return probabilities_; }
  std::span<const double> probabilities() const noexcept { return probabilities_; }
  std::span<const word_id> columns() const noexcept { return columns_; }
  std::span<const std::uint64_t> offsets() const noexcept { return offsets_; }

  // Flat index of (row, f), or npos when the pair never co-occurred.
  std::size_t find(std::size_t row, word_id f) const noexcept {
    if (row + 1 >= offsets_.size()) return npos;
    const word_id* b = columns_.data() + offsets_[row];
    const word_id* e = columns_.data() + offsets_[row + 1];
    const word_id* it = std::lower_bound(b, e, f);
    return (it != e && *it == f) ? static_cast<std::size_t>(it - columns_.data()) : npos;
  }

  // t(f|row), or `fallback` for a pair the table does not hold.
  double probability(std::size_t row, word_id f, double fallback = 0.0) const noexcept {
    const std::size_t k = find(row, f);
    return k == npos ? fallback : probabilities_[k];
  }

  std::size_t memory_bytes() const noexcept {
    return offsets_.capacity() * sizeof(std::uint64_t) + columns_.capacity() * sizeof(word_id) +
           probabilities_.capacity() * sizeof(double);
  }

 private:
  std::vector<std::uint64_t> offsets_;
  std::vector<word_id> columns_;
  std::vector<double> probabilities_;
};

// The flat table index of every (given position incl. NULL, generated
// position) cell of every sentence pair, computed once per training run so
// the E-steps skip the binary searches: 4 bytes per cell, cell (j, i) of pair
// k at offsets[k] + j*(l+1) + i (i = 0 NULL).  Empty when the table has 2^32-1
// entries or more.
struct lookup_cache {
  static constexpr std::uint32_t missing = 0xFFFFFFFFu;
  std::vector<std::uint64_t> offsets;
  std::vector<std::uint32_t> index;

  bool empty() const noexcept { return offsets.empty(); }
  std::size_t memory_bytes() const noexcept {
    return offsets.capacity() * sizeof(std::uint64_t) + index.capacity() * sizeof(std::uint32_t);
  }

  static lookup_cache build(const bitext_view& view, const lexical_table& t, unsigned threads) {
    lookup_cache c;
    if (t.size() >= missing) return c;
    c.offsets.resize(view.size() + 1, 0);
    for (std::size_t k = 0; k < view.size(); ++k)
      c.offsets[k + 1] = c.offsets[k] + (*view.generated)[k].size() * ((*view.given)[k].size() + 1);
    c.index.resize(c.offsets.back());
    for_each_block(threads, view.size(), 256, [&](std::size_t, std::size_t begin, std::size_t end, unsigned) {
      for (std::size_t k = begin; k < end; ++k) {
        const auto e = (*view.given)[k];
        const auto f = (*view.generated)[k];
        const std::size_t l1 = e.size() + 1;
        std::uint32_t* out = c.index.data() + c.offsets[k];
        for (std::size_t j = 0; j < f.size(); ++j)
          for (std::size_t i = 0; i < l1; ++i) {
            const std::size_t row = i == 0 ? lexical_table::null_row : lexical_table::row_of(e[i - 1]);
            const std::size_t x = row < t.rows() ? t.find(row, f[j]) : lexical_table::npos;
            out[j * l1 + i] = x == lexical_table::npos ? missing : static_cast<std::uint32_t>(x);
          }
      }
    });
    return c;
  }
};

// Expected counts in 32.32 fixed point.  Integer addition is associative, so
// the totals are bit-identical whatever the number of threads or the order in
// which sentence blocks are processed; each added value is rounded to the
// nearest 2^-32 (about 2.3e-10), far below the 1e-7 probability floor.  One
// cell holds up to 2^32 expected occurrences.
class fixed_point_counts {
 public:
  static constexpr double scale = 4294967296.0;  // 2^32

  void assign(std::size_t n) { cells_.assign(n, 0); }
  std::size_t size() const noexcept { return cells_.size(); }
  void clear() noexcept { std::fill(cells_.begin(), cells_.end(), std::uint64_t{0}); }

  static std::uint64_t encode(double v) noexcept {
    return v <= 0.0 ? 0u : static_cast<std::uint64_t>(v * scale + 0.5);
  }
  // Thread-safe when `concurrent`; a plain add otherwise.
  void add(std::size_t k, double v, bool concurrent) noexcept {
    const std::uint64_t x = encode(v);
    if (x == 0) return;
    if (concurrent) std::atomic_ref<std::uint64_t>(cells_[k]).fetch_add(x, std::memory_order_relaxed);
    else cells_[k] += x;
  }
  double value(std::size_t k) const noexcept { return static_cast<double>(cells_[k]) / scale; }
  std::uint64_t raw(std::size_t k) const noexcept { return cells_[k]; }

 private:
  std::vector<std::uint64_t> cells_;
};

// Digamma for x > 0 (asymptotic series after upward recursion to x >= 6).
inline double digamma(double x) noexcept {
  double r = 0.0;
  while (x < 6.0) {
    r -= 1.0 / x;
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))));
}

// M-step shared by the models.  vb_alpha == 0 (default): maximum likelihood,
// t(f|e) = c(e,f) / sum_f' c(e,f').  vb_alpha > 0: mean-field variational
// Bayes with a symmetric Dirichlet(vb_alpha) prior over each row's
// co-occurring words (as fast_align -v), t(f|e) = exp(psi(c(e,f)+alpha) -
// psi(sum_f' c(e,f') + n_e alpha)): rare words stop acting as garbage
// collectors.  A row without counts keeps its previous probabilities.
inline void normalize_counts(lexical_table& t, const fixed_point_counts& counts, double vb_alpha = 0.0) {
  auto p = t.probabilities();
  for (std::size_t r = 0; r < t.rows(); ++r) {
    std::uint64_t total = 0;
    for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) total += counts.raw(k);
    if (total == 0) continue;
    if (vb_alpha > 0.0) {
      const double n = static_cast<double>(t.row_end(r) - t.row_begin(r));
      const double d = digamma(static_cast<double>(total) / fixed_point_counts::scale + n * vb_alpha);
      for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) p[k] = std::exp(digamma(counts.value(k) + vb_alpha) - d);
    } else {
      const double inv = 1.0 / static_cast<double>(total);
      for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) p[k] = static_cast<double>(counts.raw(k)) * inv;
    }
  }
}

// A prior q(f|e) with weights w(e) laid out on one lexical table's structure,
// mixed into the table after every M-step (embedding_prior.hpp builds one).
struct lexical_prior {
  std::vector<float> q;        // one value per table entry (0: not a candidate)
  std::vector<double> weight;  // w per row (0: row untouched)

  // t <- (t + w q) / (1 + w) row by row.
  void apply(lexical_table& t) const {
    if (q.size() != t.size() || weight.size() != t.rows())
      throw invalid_argument("lexical_prior::apply: the prior was built for another table");
    auto p = t.probabilities();
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const double w = weight[r];
      if (w <= 0) continue;
      double total = 0.0;  // sum of t + w q over the row (1 + w up to rounding)
      for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) total += p[k] + w * double(q[k]);
      const double inv = 1.0 / total;
      for (std::size_t k = t.row_begin(r); k < t.row_end(r); ++k) p[k] = (p[k] + w * double(q[k])) * inv;
    }
  }
};

// Sum of per-block partials in block order (deterministic).
inline double ordered_sum(const std::vector<double>& partials) noexcept {
  double s = 0.0;
  for (double v : partials) s += v;
  return s;
}

}  // namespace em
LEXALIGN_NAMESPACE_END
