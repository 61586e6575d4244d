// lexalign/em/synthetic_corpus.hpp - a synthetic parallel corpus of any size
// sampled from a trained alignment model, for scale measurements
// (docs/scale.md).  Not a test fixture: nothing here is needed to align.
//
// The generative story, per sentence pair (every draw from one explicitly
// seeded xoshiro256** stream, so a seed gives the same corpus everywhere):
//   1. (source length I, target length J): a uniformly drawn pair of the
//      profile's lengths (the verse pairs of the corpus the model was
//      trained on), so the joint length distribution is the real one;
//   2. I source words from a Pitman-Yor process (discount d, concentration
//      theta) whose base distribution is the profile's source unigram
//      distribution, mixed with brand-new word types at rate `new_types`:
//      a new "table" opens with probability (theta + d K) / (theta + n)
//      (K tables, n tokens so far), else the word is an existing one w with
//      probability proportional to n_w - d t_w (t_w tables serve w).  The
//      number of distinct words then keeps growing as Heaps' law n^d says,
//      where the original corpus' vocabulary saturates;
//   3. each target position j: an alignment a_j from the model's HMM (start
//      distribution, jumps from the previous real position, NULL with the
//      HMM's p0; the jump and start smoothing as in training) or, for a
//      model without HMM (or with class-conditioned jumps, not modelled
//      here), uniform over NULL and the I positions (IBM1), then
//      the target word from the model's translation table t(f | e_{a_j})
//      (row NULL for a_j = NULL), its entries below `min_probability`
//      dropped and the rest renormalised (the largest entry always kept);
//   4. a new source type k translates like a "template" word of the model
//      (a source word with a non-empty row, chosen by a hash of (seed, k)),
//      except that the template's most probable translation is replaced by
//      a new target type k: new source words get new target words.
// New types are written "__s<k>" and "__t<k>" (k from 0); a model whose
// vocabulary already holds such a word is refused.
//
// The pairs are delivered in internal ids (model source ids, then
// source_vocabulary_size + k for new source type k; the same on the target
// side) to a sink; write_synthetic_corpus_file maps them to ids of first
// appearance and writes a corpus file in one streaming pass (byte-identical
// to `lexalign corpus build` of the same pairs written as text).
//
// Memory: the model, the profile, cumulative sampling tables (one double
// per kept table entry, one per (I, previous position, position) triple of
// the lengths seen), two counters per source type and a reservoir of at most
// `reservoir` past source tokens (4 bytes each): a uniform pick from a
// uniform sample of the past tokens is a uniform pick of a past token, which
// is all the Pitman-Yor step needs.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lexalign/bayes/detail/random.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/hmm.hpp"
#include "lexalign/em/model.hpp"
#include "lexalign/io/corpus_file.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

struct synthetic_corpus_options {
  std::size_t pairs = 1000;          // sentence pairs to generate (> 0)
  std::uint64_t seed = 1;            // the corpus is a function of (model, profile, options)
  double discount = 0.6;             // Pitman-Yor d in [0, 1): the Heaps exponent
  double concentration = 100.0;      // Pitman-Yor theta > -d
  double new_types = 0.25;           // share of the base distribution's draws that are new types, [0, 1]
  double min_probability = 1e-3;     // table entries below are not sampled, (0, 1)
  bool hmm_alignment = true;         // use the model's HMM jumps if it has them (else IBM1's uniform)
  std::size_t reservoir = std::size_t{1} << 24;  // past source tokens kept for the Pitman-Yor step (> 0)
};

inline void validate(const synthetic_corpus_options& o) {
  using validation::fail_option;
  using validation::format_value;
  const std::string n = "em::synthetic_corpus_options.";
  if (o.pairs == 0) fail_option(n + "pairs", "0", "> 0");
  if (!(o.discount >= 0.0 && o.discount < 1.0)) fail_option(n + "discount", format_value(o.discount), "in [0, 1)");
  if (!(o.concentration > -o.discount) || !std::isfinite(o.concentration))
    fail_option(n + "concentration", format_value(o.concentration), "finite and > -discount");
  if (!(o.new_types >= 0.0 && o.new_types <= 1.0)) fail_option(n + "new_types", format_value(o.new_types), "in [0, 1]");
  if (!(o.min_probability > 0.0 && o.min_probability < 1.0))
    fail_option(n + "min_probability", format_value(o.min_probability), "in (0, 1)");
  if (o.reservoir == 0) fail_option(n + "reservoir", "0", "> 0");
}

// What the generator takes from the original corpus: its (source length,
// target length) pairs (both > 0) and the source unigram counts by model id.
struct corpus_profile {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> lengths;
  std::vector<std::uint64_t> source_counts;  // index: the model's source word id
};

// The profile of `corpus` for a model with source vocabulary `model_source`:
// pairs with an empty side are left out; words the model does not know are
// not counted (a model trained on `corpus` knows them all).
inline corpus_profile profile_of(const parallel_corpus& corpus, const vocabulary& model_source) {
  corpus_profile p;
  p.source_counts.assign(model_source.size(), 0);
  const bool same = &corpus.source_vocabulary() == &model_source;
  std::vector<std::int64_t> map;
  if (!same) {
    map.assign(corpus.source_vocabulary().size(), -1);
    for (std::size_t w = 0; w < map.size(); ++w) {
      const auto id = model_source.find(corpus.source_vocabulary().word(static_cast<word_id>(w)));
      if (id) map[w] = static_cast<std::int64_t>(*id);
    }
  }
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    const auto s = corpus.source(k), t = corpus.target(k);
    if (s.empty() || t.empty()) continue;
    if (s.size() > 0xffffffffu || t.size() > 0xffffffffu) throw invalid_argument("profile_of: sentence too long");
    p.lengths.emplace_back(static_cast<std::uint32_t>(s.size()), static_cast<std::uint32_t>(t.size()));
    for (word_id w : s) {
      if (same) {
        ++p.source_counts[w];
      } else if (map[w] >= 0) {
        ++p.source_counts[static_cast<std::size_t>(map[w])];
      }
    }
  }
  return p;
}

// What a generation produced (besides the pairs).
struct synthetic_corpus_stats {
  std::size_t pairs = 0;
  std::uint64_t source_tokens = 0, target_tokens = 0;
  std::size_t new_source_types = 0;  // "__s<k>" types created
  std::size_t source_types = 0;      // distinct source words used (model words + new types)
  std::size_t target_types = 0;      // distinct target words used
};

namespace detail {

// Index of the first c[i] > u in an increasing cumulative array (clamped).
inline std::size_t draw_cumulative(std::span<const double> c, double u) noexcept {
  const auto it = std::upper_bound(c.begin(), c.end(), u * c.back());
  const auto k = static_cast<std::size_t>(it - c.begin());
  return k < c.size() ? k : c.size() - 1;
}

class synthetic_sampler {
 public:
  synthetic_sampler(const model& m, const corpus_profile& profile, const synthetic_corpus_options& o)
      : m_(m), p_(profile), o_(o), rng_(bayes::detail::stream_seed(o.seed, 0)) {
    validate(o);
    const auto& d = m.forward;
    if (!d.trained()) throw invalid_argument("synthetic corpus: the model has no forward direction");
    vs_ = m.source_vocabulary.size();
    vt_ = m.target_vocabulary.size();
    if (d.table.rows() != vs_ + 1) throw invalid_argument("synthetic corpus: table rows do not match the vocabulary");
    if (p_.lengths.empty()) throw invalid_argument("synthetic corpus: the profile has no sentence pair");
    if (p_.source_counts.size() != vs_)
      throw invalid_argument("synthetic corpus: the profile's counts do not match the model's source vocabulary");
    for (const auto& [i, j] : p_.lengths)
      if (i == 0 || j == 0) throw invalid_argument("synthetic corpus: a profile length is 0");
    for (const auto* v : {&m.source_vocabulary, &m.target_vocabulary})
      for (std::size_t w = 0; w < v->size(); ++w)
        if (reserved(v->word(static_cast<word_id>(w))))
          throw invalid_argument("synthetic corpus: the model's vocabulary holds the reserved word '" +
                                 std::string(v->word(static_cast<word_id>(w))) + "'");
    build_rows();
    build_unigram();
    build_alignment();
  }

  // The next pair, in internal ids.
  void next(std::vector<word_id>& src, std::vector<word_id>& tgt) {
    const auto [I, J] = p_.lengths[rng_.below(p_.lengths.size())];
    src.resize(I);
    for (auto& w : src) w = draw_source();
    tgt.resize(J);
    std::size_t prev = static_cast<std::size_t>(-1);  // last real position
    for (auto& f : tgt) {
      const std::size_t a = draw_position(I, prev);    // 0 NULL, else position + 1
      if (a != 0) prev = a - 1;
      f = draw_target(a == 0 ? static_cast<std::size_t>(-1) : src[a - 1]);
    }
  }

  std::size_t source_vocabulary_size() const noexcept { return vs_; }
  std::size_t target_vocabulary_size() const noexcept { return vt_; }
  std::size_t new_source_types() const noexcept { return new_count_; }
  static bool reserved(std::string_view w) noexcept {
    if (w.size() < 4 || w[0] != '_' || w[1] != '_' || (w[2] != 's' && w[2] != 't')) return false;
    return std::all_of(w.begin() + 3, w.end(), [](char c) { return c >= '0' && c <= '9'; });
  }
  static std::string new_word(char side, std::size_t k) { return std::string("__") + side + std::to_string(k); }

 private:
  // Per table row: the kept entries' columns and cumulative probabilities.
  void build_rows() {
    const auto& t = m_.forward.table;
    row_begin_.assign(vs_ + 2, 0);
    std::vector<std::pair<double, word_id>> e;
    for (std::size_t r = 0; r <= vs_; ++r) {
      const auto cols = t.columns(r);
      const auto probs = t.probabilities(r);
      e.clear();
      double top = -1.0;
      std::size_t top_k = 0;
      for (std::size_t k = 0; k < cols.size(); ++k) {
        if (probs[k] > top) top = probs[k], top_k = k;
      }
      for (std::size_t k = 0; k < cols.size(); ++k)
        if (k == top_k || probs[k] >= o_.min_probability) e.emplace_back(probs[k], cols[k]);
      // Most probable first (ties: lower id), so that entry 0 is the one a
      // new source type replaces.
      std::sort(e.begin(), e.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
      double c = 0.0;
      for (const auto& [pr, w] : e) {
        c += pr;
        cum_.push_back(c);
        col_.push_back(w);
      }
      row_begin_[r + 1] = cum_.size();
      if (r > 0 && !e.empty()) templates_.push_back(static_cast<word_id>(r - 1));
    }
    if (row_begin_[1] == 0) throw invalid_argument("synthetic corpus: the model's NULL row is empty");
    if (templates_.empty()) throw invalid_argument("synthetic corpus: the model's table has no entry");
  }

  void build_unigram() {
    double c = 0.0;
    for (std::size_t w = 0; w < vs_; ++w) {
      c += static_cast<double>(p_.source_counts[w]);
      unigram_.push_back(c);
    }
    if (!(c > 0.0) && o_.new_types < 1.0)
      throw invalid_argument("synthetic corpus: the profile has no source word the model knows");
    count_.assign(vs_, 0);
    tables_.assign(vs_, 0);
  }

  // Cumulative start and transition distributions per source length.
  void build_alignment() {
    std::size_t max_i = 0;
    for (const auto& [i, j] : p_.lengths) max_i = std::max<std::size_t>(max_i, i);
    hmm_ = o_.hmm_alignment && m_.forward.has_hmm;
    const auto& hp = m_.forward.hmm;
    if (hmm_ && hp.jump_classes != 0) hmm_ = false;  // class jumps: the shared jumps are not the model's
    start_.assign(max_i + 1, {});
    trans_.assign(max_i + 1, {});
    null_.assign(max_i + 1, 0.0);
    hmm_workspace ws;
    const std::vector<word_id> dummy(max_i, 0);
    std::vector<std::size_t> lengths_seen(max_i + 1, 0);
    for (const auto& [i, j] : p_.lengths) lengths_seen[i] = 1;
    for (std::size_t l = 1; l <= max_i; ++l) {
      if (!lengths_seen[l]) continue;
      if (!hmm_) {
        null_[l] = 1.0 / static_cast<double>(l + 1);
        continue;
      }
      null_[l] = hp.null_probability;
      hmm_transitions(hp, std::span<const word_id>(dummy.data(), l), ws);
      auto& s = start_[l];
      double c = 0.0;
      for (std::size_t i = 0; i < l; ++i) s.push_back(c += ws.pi[i]);
      auto& t = trans_[l];
      for (std::size_t r = 0; r < l; ++r) {
        c = 0.0;
        for (std::size_t i = 0; i < l; ++i) t.push_back(c += ws.trans[r * l + i]);
      }
    }
  }

  std::size_t draw_position(std::size_t I, std::size_t prev) {
    if (rng_.uniform() < null_[I]) return 0;
    if (!hmm_) return 1 + rng_.below(I);
    if (prev == static_cast<std::size_t>(-1)) return 1 + draw_cumulative(start_[I], rng_.uniform());
    return 1 + draw_cumulative(std::span<const double>(trans_[I]).subspan(prev * I, I), rng_.uniform());
  }

  word_id draw_source() {
    word_id w;
    const double n = static_cast<double>(tokens_);
    if (tokens_ == 0 || rng_.uniform() * (o_.concentration + n) < o_.concentration + o_.discount * static_cast<double>(tables_total_)) {
      // A new table, its word from the base distribution.
      if (unigram_.empty() || unigram_.back() <= 0.0 || rng_.uniform() < o_.new_types) {
        w = static_cast<word_id>(vs_ + new_count_++);
        count_.push_back(0);
        tables_.push_back(0);
      } else {
        w = static_cast<word_id>(draw_cumulative(unigram_, rng_.uniform()));
      }
      ++tables_[w];
      ++tables_total_;
    } else {
      // An existing table: word w with probability proportional to n_w - d t_w,
      // by rejection from a uniform past token (proportional to n_w).
      for (;;) {
        w = reservoir_[rng_.below(reservoir_.size())];
        const double nw = static_cast<double>(count_[w]);
        if (rng_.uniform() * nw < nw - o_.discount * static_cast<double>(tables_[w])) break;
      }
    }
    ++count_[w];
    ++tokens_;
    if (reservoir_.size() < o_.reservoir) {
      reservoir_.push_back(w);
    } else {
      const auto k = rng_.below(tokens_);  // Algorithm R: a uniform sample of all tokens so far
      if (k < reservoir_.size()) reservoir_[k] = w;
    }
    return w;
  }

  // e: internal source id, or -1 for NULL.
  word_id draw_target(std::size_t e) {
    if (e == static_cast<std::size_t>(-1)) return draw_row(0);
    if (e < vs_) return draw_row(e + 1);
    const std::size_t k = e - vs_;
    std::uint64_t h = bayes::detail::stream_seed(o_.seed, k + 1);
    const word_id tmpl = templates_[bayes::detail::splitmix64(h) % templates_.size()];
    const std::size_t r = tmpl + 1u;
    const auto c = std::span<const double>(cum_).subspan(row_begin_[r], row_begin_[r + 1] - row_begin_[r]);
    const std::size_t i = draw_cumulative(c, rng_.uniform());
    return i == 0 ? static_cast<word_id>(vt_ + k) : col_[row_begin_[r] + i];
  }

  word_id draw_row(std::size_t r) {
    const auto c = std::span<const double>(cum_).subspan(row_begin_[r], row_begin_[r + 1] - row_begin_[r]);
    return col_[row_begin_[r] + draw_cumulative(c, rng_.uniform())];
  }

  const model& m_;
  const corpus_profile& p_;
  synthetic_corpus_options o_;
  bayes::detail::xoshiro256ss rng_;
  std::size_t vs_ = 0, vt_ = 0;
  std::vector<std::size_t> row_begin_;
  std::vector<double> cum_;
  std::vector<word_id> col_;
  std::vector<word_id> templates_;
  std::vector<double> unigram_;
  std::vector<std::uint64_t> count_, tables_;
  std::uint64_t tokens_ = 0, tables_total_ = 0;
  std::size_t new_count_ = 0;
  std::vector<word_id> reservoir_;
  bool hmm_ = false;
  std::vector<std::vector<double>> start_, trans_;
  std::vector<double> null_;
};

}  // namespace detail

// Generates options.pairs pairs; sink(std::span<const word_id> source,
// std::span<const word_id> target) gets each in internal ids (see above);
// word_of(side, id) spells them.
template <class Sink>
synthetic_corpus_stats generate_synthetic_corpus(const model& m, const corpus_profile& profile,
                                                 const synthetic_corpus_options& options, Sink&& sink) {
  detail::synthetic_sampler s(m, profile, options);
  synthetic_corpus_stats st;
  std::vector<word_id> src, tgt;
  std::vector<char> seen_s(s.source_vocabulary_size(), 0), seen_t(s.target_vocabulary_size(), 0);
  for (std::size_t k = 0; k < options.pairs; ++k) {
    s.next(src, tgt);
    for (word_id w : src) {
      if (w >= seen_s.size()) seen_s.resize(w + 1u, 0);
      st.source_types += seen_s[w] == 0;
      seen_s[w] = 1;
    }
    for (word_id w : tgt) {
      if (w >= seen_t.size()) seen_t.resize(w + 1u, 0);
      st.target_types += seen_t[w] == 0;
      seen_t[w] = 1;
    }
    st.source_tokens += src.size();
    st.target_tokens += tgt.size();
    sink(std::span<const word_id>(src), std::span<const word_id>(tgt));
  }
  st.pairs = options.pairs;
  st.new_source_types = s.new_source_types();
  return st;
}

// The spelling of an internal id of generate_synthetic_corpus: a model word,
// or "__s<k>" / "__t<k>" for new type k.
inline std::string synthetic_word(const vocabulary& model_side, char side, word_id id) {
  if (id < model_side.size()) return std::string(model_side.word(id));
  return detail::synthetic_sampler::new_word(side, id - model_side.size());
}

// Generates the corpus straight into a corpus file (io/corpus_file.hpp), ids
// by first appearance: the file `lexalign corpus build` makes of the same
// pairs written as text.  Returns the file's summary and the generation's.
inline std::pair<io::corpus_file_summary, synthetic_corpus_stats> write_synthetic_corpus_file(
    const model& m, const corpus_profile& profile, const synthetic_corpus_options& options, const std::string& path,
    std::size_t buffer_bytes = std::size_t{1} << 20) {
  validate(options);
  io::detail::corpus_file_writer w(path, buffer_bytes);
  constexpr word_id none = static_cast<word_id>(-1);
  std::vector<word_id> out_s, out_t;  // internal id -> file id
  std::vector<word_id> fs, ft;
  auto map = [&](std::vector<word_id>& table, vocabulary& v, const vocabulary& side, char tag, word_id id) {
    if (id >= table.size()) table.resize(std::max<std::size_t>(id + 1u, table.size() * 2), none);
    if (table[id] == none) table[id] = v.add(synthetic_word(side, tag, id));
    return table[id];
  };
  const auto st = generate_synthetic_corpus(m, profile, options, [&](auto src, auto tgt) {
    fs.clear();
    ft.clear();
    for (word_id x : src) fs.push_back(map(out_s, w.source_vocabulary(), m.source_vocabulary, 's', x));
    for (word_id x : tgt) ft.push_back(map(out_t, w.target_vocabulary(), m.target_vocabulary, 't', x));
    w.add_ids(fs, ft);
  });
  return {w.finish(), st};
}

}  // namespace em
LEXALIGN_NAMESPACE_END
