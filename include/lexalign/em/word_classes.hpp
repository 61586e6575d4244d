// lexalign/em/word_classes.hpp - mkcls-style word classes: exchange
// clustering that maximises the class-bigram log-likelihood (Kneser & Ney
// 1993; Och 1999), deterministic for a seed and for any thread count, and the
// class file format (one "word<TAB>class" line per word, classes from 1, as
// mkcls writes them).
//
// Model.  Every sentence w_1..w_n is read as the bigrams (<s>,w_1), (w_1,w_2),
// ..., (w_n,<s>), where the boundary <s> has a class of its own that never
// changes.  With c(w) the class of w, N(.) counts and f(x) = x log x,
//
//   log P = sum_{bigrams} log [ N(c,c')/N(c) * N(w')/N(c') ]
//         = sum_{c,c'} f(N(c,c')) - 2 sum_c f(N(c)) + sum_w f(N(w)) + f(#sentences)
//
// (the boundary counted as a class; each token is the left end of one bigram
// and the right end of one).  Only the first two sums depend on the classes.
//
// Algorithm.  Words are ranked by frequency (ties: lower id first) and dealt
// round-robin into the classes.  Each pass visits the words in an order
// shuffled with the seed (std::mt19937_64, our own Fisher-Yates, so the order
// is the same with every standard library) in batches of batch_size words:
// for each word of a batch, the class that raises log P most is found against
// the counts at the start of the batch (in parallel: the only parallel part);
// then, in batch order, each proposed move is re-scored against the current
// counts and applied when it still gains more than min_gain.  Batches do not
// depend on the thread count, so the result is bit-identical for any thread
// count; batch_size = 1 is the classic sequential exchange algorithm.  The
// log-likelihood never decreases.  Passes stop when no word moved (status
// converged) or after `iterations` passes (max_iterations).
//
// Cost: a pass is O(V C k + tokens) for V word types, C classes and k the
// classes next to a word (at most C + 1: a move's gain only changes the
// counts of classes next to the word, the others are skipped); memory
// O(C^2 + V + distinct bigrams).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/core/vocabulary.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

struct word_class_options {
  std::size_t classes = 50;          // C: number of classes (GIZA++/Moses use mkcls -c50); >= 1
  std::size_t iterations = 20;       // at most this many exchange passes over the vocabulary; >= 1
  std::uint64_t seed = 1;            // the visiting order of each pass (std::mt19937_64)
  std::size_t batch_size = 256;      // words scored against the same counts; 1 = sequential exchange; >= 1
  double min_gain = 1e-9;            // a move is applied when it raises log P by more than this; finite, >= 0
  parallel_options parallel = {};    // threads or a caller's pool; results do not depend on it
};

inline void validate(const word_class_options& o) {
  validation::at_least("em::word_class_options.classes", o.classes, 1);
  validation::at_most("em::word_class_options.classes", o.classes, std::size_t{1} << 20);
  validation::at_least("em::word_class_options.iterations", o.iterations, 1);
  validation::at_least("em::word_class_options.batch_size", o.batch_size, 1);
  validation::finite("em::word_class_options.min_gain", o.min_gain);
  validation::non_negative("em::word_class_options.min_gain", o.min_gain);
  validate(o.parallel);
}

// A class for every word id of one vocabulary.
struct word_classes {
  std::vector<std::uint32_t> class_of;  // class of word id w (0-based, < count)
  std::size_t count = 0;                // number of classes

  std::size_t size() const noexcept { return class_of.size(); }
  // The class of w; words beyond the map (unknown words) get class 0.
  std::uint32_t operator()(word_id w) const noexcept { return w < class_of.size() ? class_of[w] : 0u; }
  // Every word in class 0: the models then behave as without classes.
  static word_classes single(std::size_t vocabulary_size) { return {std::vector<std::uint32_t>(vocabulary_size, 0u), 1}; }
  friend bool operator==(const word_classes&, const word_classes&) = default;
};

// What train_word_classes returns.
struct word_class_result {
  word_classes classes;
  double log_likelihood = 0.0;  // log P of the text under the final classes (natural log)
  // error: fraction of word types moved in the last pass.
  convergence_info convergence;
};

namespace detail {

inline double xlogx(double x) noexcept { return x > 0.0 ? x * std::log(x) : 0.0; }

// The corpus as counts: word frequencies and, per word, its distinct left and
// right neighbours (other words; the boundary is id V) with counts, in CSR.
struct bigram_graph {
  std::size_t words = 0;  // V; the boundary is id V
  std::vector<std::int64_t> frequency;       // N(w), w < V
  std::vector<std::int64_t> self;            // N(w, w)
  std::vector<std::size_t> left_offsets, right_offsets;
  std::vector<std::uint32_t> left_word, right_word;  // neighbour ids (may be V)
  std::vector<std::int64_t> left_count, right_count;
  std::int64_t sentences = 0;
  std::int64_t empty_sentences = 0;          // bigrams (<s>, <s>)

  static bigram_graph build(const sentence_store& text, std::size_t vocabulary_size) {
    bigram_graph g;
    const auto V = static_cast<std::uint32_t>(vocabulary_size);
    g.words = vocabulary_size;
    g.frequency.assign(vocabulary_size, 0);
    g.self.assign(vocabulary_size, 0);
    std::vector<std::uint64_t> keys;  // (left << 32) | right
    keys.reserve(text.token_count() + text.size());
    for (std::size_t k = 0; k < text.size(); ++k) {
      const auto s = text[k];
      std::uint32_t prev = V;
      for (word_id w : s) {
        if (w >= vocabulary_size) throw invalid_argument("train_word_classes: word id out of range");
        ++g.frequency[w];
        keys.push_back((std::uint64_t{prev} << 32) | w);
        prev = w;
      }
      keys.push_back((std::uint64_t{prev} << 32) | V);
      ++g.sentences;
    }
    std::sort(keys.begin(), keys.end());
    // Distinct bigrams with counts.
    std::vector<std::uint64_t> uniq;
    std::vector<std::int64_t> cnt;
    for (std::size_t i = 0; i < keys.size();) {
      std::size_t j = i;
      while (j < keys.size() && keys[j] == keys[i]) ++j;
      uniq.push_back(keys[i]);
      cnt.push_back(static_cast<std::int64_t>(j - i));
      i = j;
    }
    keys.clear();
    keys.shrink_to_fit();
    // Right neighbours: grouped by left word already (sorted by key).
    g.right_offsets.assign(vocabulary_size + 1, 0);
    g.left_offsets.assign(vocabulary_size + 1, 0);
    for (std::size_t i = 0; i < uniq.size(); ++i) {
      const auto a = static_cast<std::uint32_t>(uniq[i] >> 32), b = static_cast<std::uint32_t>(uniq[i] & 0xFFFFFFFFu);
      if (a == b) {
        if (a == V) g.empty_sentences += cnt[i];
        else g.self[a] += cnt[i];
        continue;
      }
      if (a < V) ++g.right_offsets[a + 1];
      if (b < V) ++g.left_offsets[b + 1];
    }
    for (std::size_t w = 0; w < vocabulary_size; ++w) {
      g.right_offsets[w + 1] += g.right_offsets[w];
      g.left_offsets[w + 1] += g.left_offsets[w];
    }
    g.right_word.resize(g.right_offsets.back());
    g.right_count.resize(g.right_offsets.back());
    g.left_word.resize(g.left_offsets.back());
    g.left_count.resize(g.left_offsets.back());
    std::vector<std::size_t> rpos(g.right_offsets.begin(), g.right_offsets.end() - 1),
        lpos(g.left_offsets.begin(), g.left_offsets.end() - 1);
    for (std::size_t i = 0; i < uniq.size(); ++i) {
      const auto a = static_cast<std::uint32_t>(uniq[i] >> 32), b = static_cast<std::uint32_t>(uniq[i] & 0xFFFFFFFFu);
      if (a == b) continue;
      if (a < V) {
        g.right_word[rpos[a]] = b;
        g.right_count[rpos[a]++] = cnt[i];
      }
      if (b < V) {
        g.left_word[lpos[b]] = a;
        g.left_count[lpos[b]++] = cnt[i];
      }
    }
    return g;
  }
};

// The clustering state: class of each word (the boundary is class C), the
// (C+1) x (C+1) class-bigram counts and the class counts.
struct exchange_state {
  std::size_t C = 0;  // real classes; index C is the boundary
  std::vector<std::uint32_t> cls;   // V + 1 entries (boundary last)
  std::vector<std::int64_t> pair;   // (C+1)^2, N(c, c') at c*(C+1)+c'
  std::vector<std::int64_t> unigram;// C+1

  std::int64_t at(std::size_t a, std::size_t b) const noexcept { return pair[a * (C + 1) + b]; }

  void recount(const bigram_graph& g) {
    const std::size_t K = C + 1;
    pair.assign(K * K, 0);
    unigram.assign(K, 0);
    for (std::size_t w = 0; w < g.words; ++w) {
      unigram[cls[w]] += g.frequency[w];
      pair[cls[w] * K + cls[w]] += g.self[w];
      for (std::size_t x = g.right_offsets[w]; x < g.right_offsets[w + 1]; ++x)
        pair[cls[w] * K + cls[g.right_word[x]]] += g.right_count[x];
    }
    unigram[C] = g.sentences;
    pair[C * K + C] += g.empty_sentences;
    // Bigrams starting at the boundary: the left neighbour lists of words.
    for (std::size_t w = 0; w < g.words; ++w)
      for (std::size_t x = g.left_offsets[w]; x < g.left_offsets[w + 1]; ++x)
        if (g.left_word[x] == g.words) pair[C * K + cls[w]] += g.left_count[x];
  }

  // The class-dependent part of log P: sum f(N(c,c')) - 2 sum f(N(c)).
  double objective() const noexcept {
    double s = 0.0;
    for (auto v : pair) s += xlogx(static_cast<double>(v));
    for (auto v : unigram) s -= 2.0 * xlogx(static_cast<double>(v));
    return s;
  }
};

// Per-thread scratch for scoring one word's moves.
struct exchange_scratch {
  std::vector<std::int64_t> left, right;  // C+1: the word's neighbours by class (self bigrams excluded)
  std::vector<std::uint32_t> touched;     // the classes c with left[c] or right[c] != 0, increasing
};

// L_w and R_w into sc.
inline void neighbour_classes(const bigram_graph& g, const exchange_state& st, std::size_t w, exchange_scratch& sc) {
  sc.left.assign(st.C + 1, 0);
  sc.right.assign(st.C + 1, 0);
  for (std::size_t x = g.left_offsets[w]; x < g.left_offsets[w + 1]; ++x) sc.left[st.cls[g.left_word[x]]] += g.left_count[x];
  for (std::size_t x = g.right_offsets[w]; x < g.right_offsets[w + 1]; ++x)
    sc.right[st.cls[g.right_word[x]]] += g.right_count[x];
  sc.touched.clear();
  for (std::size_t c = 0; c <= st.C; ++c)
    if (sc.left[c] != 0 || sc.right[c] != 0) sc.touched.push_back(static_cast<std::uint32_t>(c));
}

// Change of log P when word w (neighbours in sc) moves from class a to b.
inline double exchange_gain(const bigram_graph& g, const exchange_state& st, std::size_t w, std::uint32_t a,
                            std::uint32_t b, const exchange_scratch& sc) {
  if (a == b) return 0.0;
  const std::int64_t s = g.self[w], n = g.frequency[w];
  double d = 0.0;
  auto change = [&](std::size_t x, std::size_t y, std::int64_t delta) {
    const auto v = static_cast<double>(st.at(x, y));
    d += xlogx(v + static_cast<double>(delta)) - xlogx(v);
  };
  auto delta_of = [&](std::size_t x, std::size_t y) {
    std::int64_t v = 0;
    if (x == a) v -= sc.right[y];
    if (x == b) v += sc.right[y];
    if (y == a) v -= sc.left[x];
    if (y == b) v += sc.left[x];
    if (x == a && y == a) v -= s;
    if (x == b && y == b) v += s;
    return v;
  };
  auto visit = [&](std::size_t c) {
    change(a, c, delta_of(a, c));
    change(b, c, delta_of(b, c));
    if (c != a && c != b) {
      change(c, a, delta_of(c, a));
      change(c, b, delta_of(c, b));
    }
  };
  // Every class c from 0 to K-1 in order, skipping those whose four terms
  // are exactly 0 (no neighbour of w in c, and c not a or b): the same sum,
  // bit for bit, in O(classes next to w) instead of O(C).
  const std::size_t lo = std::min(a, b), hi = std::max(a, b);
  bool lo_done = false, hi_done = false;
  for (const std::uint32_t c : sc.touched) {
    if (!lo_done && lo <= c) {
      if (lo != c) visit(lo);
      lo_done = true;
    }
    if (!hi_done && hi <= c) {
      if (hi != c) visit(hi);
      hi_done = true;
    }
    visit(c);
  }
  if (!lo_done) visit(lo);
  if (!hi_done) visit(hi);
  const auto na = static_cast<double>(st.unigram[a]), nb = static_cast<double>(st.unigram[b]);
  const auto nw = static_cast<double>(n);
  d -= 2.0 * (xlogx(na - nw) - xlogx(na) + xlogx(nb + nw) - xlogx(nb));
  return d;
}

// Applies the move of w (neighbours in sc) from a to b to the counts.
inline void exchange_apply(const bigram_graph& g, exchange_state& st, std::size_t w, std::uint32_t a, std::uint32_t b,
                           const exchange_scratch& sc) {
  const std::size_t K = st.C + 1;
  for (std::size_t c = 0; c < K; ++c) {
    st.pair[a * K + c] -= sc.right[c];
    st.pair[b * K + c] += sc.right[c];
    st.pair[c * K + a] -= sc.left[c];
    st.pair[c * K + b] += sc.left[c];
  }
  st.pair[a * K + a] -= g.self[w];
  st.pair[b * K + b] += g.self[w];
  st.unigram[a] -= g.frequency[w];
  st.unigram[b] += g.frequency[w];
  st.cls[w] = b;
}

// The class-independent part of log P: sum_w f(N(w)) + f(#sentences).
inline double word_entropy_term(const bigram_graph& g) {
  double s = xlogx(static_cast<double>(g.sentences));
  for (auto n : g.frequency) s += xlogx(static_cast<double>(n));
  return s;
}

// Uniform integer in [0, n) from the generator (rejection: no modulo bias).
inline std::size_t uniform_below(std::mt19937_64& rng, std::size_t n) {
  const std::uint64_t range = n, limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % range;
  std::uint64_t x;
  do x = rng();
  while (x >= limit);
  return static_cast<std::size_t>(x % range);
}

}  // namespace detail

// log P of `text` (see the top of this file) under `classes` (natural log).
inline double class_bigram_log_likelihood(const sentence_store& text, std::size_t vocabulary_size,
                                          const word_classes& classes) {
  const auto g = detail::bigram_graph::build(text, vocabulary_size);
  detail::exchange_state st;
  st.C = classes.count;
  st.cls.assign(vocabulary_size + 1, 0);
  for (std::size_t w = 0; w < vocabulary_size; ++w) st.cls[w] = classes(static_cast<word_id>(w));
  st.cls[vocabulary_size] = static_cast<std::uint32_t>(st.C);
  st.recount(g);
  return st.objective() + detail::word_entropy_term(g);
}

// Clusters the words 0..vocabulary_size-1 of `text` into options.classes
// classes.  Words that never occur keep their round-robin class.  The
// observer gets stage "em.word_classes" once per pass (objective = log P,
// error = fraction of words moved).
namespace detail {
// train_word_classes on a given executor, reporting under `stage`.
template <class Obs>
word_class_result train_word_classes(const sentence_store& text, std::size_t vocabulary_size,
                                     const word_class_options& options, const executor& ex, std::string_view stage,
                                     Obs& obs) {
  const auto g = detail::bigram_graph::build(text, vocabulary_size);
  const std::size_t V = vocabulary_size, C = options.classes;
  detail::exchange_state st;
  st.C = C;
  st.cls.assign(V + 1, 0);
  std::vector<std::uint32_t> order(V);
  for (std::size_t w = 0; w < V; ++w) order[w] = static_cast<std::uint32_t>(w);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return g.frequency[x] > g.frequency[y]; });
  for (std::size_t r = 0; r < V; ++r) st.cls[order[r]] = static_cast<std::uint32_t>(r % C);
  st.cls[V] = static_cast<std::uint32_t>(C);
  st.recount(g);

  word_class_result result;
  std::mt19937_64 rng(options.seed);
  const std::size_t B = options.batch_size;
  std::vector<std::uint32_t> proposal(std::min(B, V));
  std::vector<detail::exchange_scratch> scratch(ex.workers_for(block_count(std::min(B, V), 16)));
  detail::exchange_scratch apply_scratch;
  // Only words that occur can gain anything.
  std::vector<std::uint32_t> active;
  for (std::size_t w = 0; w < V; ++w)
    if (g.frequency[w] > 0) active.push_back(static_cast<std::uint32_t>(w));
  for (std::size_t pass = 1; pass <= options.iterations; ++pass) {
    for (std::size_t i = active.size(); i > 1; --i) std::swap(active[i - 1], active[detail::uniform_below(rng, i)]);
    std::size_t moved = 0;
    for (std::size_t begin = 0; begin < active.size(); begin += B) {
      const std::size_t n = std::min(B, active.size() - begin);
      ex.for_each_block(n, 16, [&](std::size_t, std::size_t lo, std::size_t hi, unsigned worker) {
        auto& sc = scratch[worker];
        for (std::size_t k = lo; k < hi; ++k) {
          const std::size_t w = active[begin + k];
          detail::neighbour_classes(g, st, w, sc);
          const std::uint32_t a = st.cls[w];
          std::uint32_t best = a;
          double best_gain = 0.0;
          for (std::uint32_t b = 0; b < C; ++b) {
            if (b == a) continue;
            const double gain = detail::exchange_gain(g, st, w, a, b, sc);
            if (gain > best_gain) {
              best_gain = gain;
              best = b;
            }
          }
          proposal[k] = best;
        }
      });
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t w = active[begin + k];
        const std::uint32_t a = st.cls[w], b = proposal[k];
        if (a == b) continue;
        detail::neighbour_classes(g, st, w, apply_scratch);
        if (detail::exchange_gain(g, st, w, a, b, apply_scratch) > options.min_gain) {
          detail::exchange_apply(g, st, w, a, b, apply_scratch);
          ++moved;
        }
      }
    }
    result.log_likelihood = st.objective() + detail::word_entropy_term(g);
    result.convergence.iterations = pass;
    result.convergence.error = active.empty() ? 0.0 : static_cast<double>(moved) / static_cast<double>(active.size());
    result.convergence.status = moved == 0 ? solver_status::converged : solver_status::max_iterations;
    if (notify(obs, iteration_event{stage, pass, result.convergence.error, result.log_likelihood,
                                    options.iterations}) == observer_action::stop) {
      result.convergence.status = solver_status::stopped_by_observer;
      break;
    }
    if (moved == 0) break;
  }
  result.classes.count = C;
  result.classes.class_of.assign(st.cls.begin(), st.cls.begin() + static_cast<std::ptrdiff_t>(V));
  return result;
}
}  // namespace detail

template <observer Obs = no_observer>
word_class_result train_word_classes(const sentence_store& text, std::size_t vocabulary_size,
                                     const word_class_options& options = {}, Obs&& obs = {}) {
  validate(options);
  const executor ex(options.parallel);
  return detail::train_word_classes(text, vocabulary_size, options, ex, "em.word_classes", obs);
}

// Writes one "word<TAB>class" line per word id in id order, classes from 1
// (mkcls's output format).  Throws lexalign::io_error when the file cannot be
// written.
inline void save_word_classes(const word_classes& classes, const vocabulary& vocab, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw io_error("save_word_classes: cannot open " + path + " for writing");
  for (std::size_t w = 0; w < vocab.size(); ++w)
    out << vocab.word(static_cast<word_id>(w)) << '\t' << classes(static_cast<word_id>(w)) + 1 << '\n';
  if (!out.flush()) throw io_error("save_word_classes: cannot write " + path);
}

// Reads a class file ("word<TAB>class" or "word class" per line, classes
// 1..C; blank lines are skipped) for the words of `vocab`.  Classes become
// 0-based; count = the largest class in the file, plus one extra class
// (index count-1) when some word of `vocab` is not in the file.  Throws
// lexalign::parse_error(file, line, reason) for a malformed line, a class that
// is not an integer in 1..2^20, or a word listed twice; io_error when the
// file cannot be read.
inline word_classes load_word_classes(const std::string& path, const vocabulary& vocab) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("load_word_classes: cannot open " + path);
  constexpr std::uint32_t unset = std::numeric_limits<std::uint32_t>::max();
  constexpr std::uint64_t max_class = std::uint64_t{1} << 20;
  word_classes wc;
  wc.class_of.assign(vocab.size(), unset);
  std::unordered_map<std::string, std::size_t> seen;  // words not in vocab, for duplicates
  std::vector<std::size_t> line_of(vocab.size(), 0);
  std::string line;
  std::size_t lineno = 0, largest = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    const auto sep = line.find_first_of(" \t");
    if (sep == std::string::npos || sep == 0) throw parse_error(path, lineno, "expected \"word<TAB>class\"");
    const std::string word = line.substr(0, sep);
    const auto start = line.find_first_not_of(" \t", sep);
    const auto stop = line.find_last_not_of(" \t");
    if (start == std::string::npos) throw parse_error(path, lineno, "missing class after \"" + word + "\"");
    const std::string number = line.substr(start, stop - start + 1);
    std::uint64_t c = 0;
    bool ok = !number.empty() && number.size() <= 8;
    for (char ch : number) {
      if (ch < '0' || ch > '9') {
        ok = false;
        break;
      }
      c = c * 10 + static_cast<std::uint64_t>(ch - '0');
    }
    if (!ok || c < 1 || c > max_class)
      throw parse_error(path, lineno, "class \"" + number + "\" is not an integer in 1.." + std::to_string(max_class));
    if (const auto id = vocab.find(word)) {
      if (wc.class_of[*id] != unset)
        throw parse_error(path, lineno, "word \"" + word + "\" listed twice (first on line " + std::to_string(line_of[*id]) + ")");
      wc.class_of[*id] = static_cast<std::uint32_t>(c - 1);
      line_of[*id] = lineno;
    } else if (auto [it, fresh] = seen.emplace(word, lineno); !fresh) {
      throw parse_error(path, lineno, "word \"" + word + "\" listed twice (first on line " + std::to_string(it->second) + ")");
    }
    largest = std::max<std::size_t>(largest, static_cast<std::size_t>(c));
  }
  if (in.bad()) throw io_error("load_word_classes: cannot read " + path);
  wc.count = std::max<std::size_t>(largest, 1);
  const bool missing = std::any_of(wc.class_of.begin(), wc.class_of.end(), [](std::uint32_t c) { return c == unset; });
  if (missing) {
    for (auto& c : wc.class_of)
      if (c == unset) c = static_cast<std::uint32_t>(largest);
    wc.count = largest + 1;
  }
  return wc;
}

}  // namespace em
LEXALIGN_NAMESPACE_END
