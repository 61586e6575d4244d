// lexalign/multilingual/multiparallel_corpus.hpp - multiparallel word
// alignment of a whole corpus: K line-parallel texts (the same verse in K
// languages), a target pair (x, y); every needed language pair is aligned by
// a bilingual aligner, then each verse's alignment graph improves x-y by
// pivot votes or link prediction (multiparallel.hpp; Imani, Jalili Sabet,
// Dufter, Yvon & Schuetze 2021, "Graph Algorithms for Multiparallel Word
// Alignment").
//
//   namespace ml = lexalign::multilingual;
//   ml::multiparallel_corpus c;
//   c.add_language("en", en_lines);            // each: a range of tokenized lines (ranges of strings);
//   c.add_language("es", es_lines);            // an empty line = the verse is missing in that language
//   c.add_language("de", de_lines);
//   auto r = ml::multiparallel_align(c, 0, 1, {.method = ml::pivot_method::votes,
//                                              .parallel = {.threads = 2}});
//   // r.links[k]: the improved en-es links of verse k; r.direct[k]: the direct ones;
//   // r.pairs: every pairwise alignment computed (reusable: improve_alignment)
//
// Steps (docs/multilingual/multiparallel.md):
//  1. pairs_needed(): (x, y), and (x, p), (p, y) for every other language p
//     (options.all_pairs: every pair, which changes only the Adamic-Adar
//     degrees).
//  2. align_pairs(): each pair is aligned by the pair_aligner on the verses
//     where both sides have text (default: gibbs_pair_aligner(), the Gibbs
//     sampler, both directions, grow-diag-final-and; the best statistical
//     aligner of the library on the bundled gold sets).  Pairs run one
//     after another, each on all the threads.
//  3. improve_alignment(): per verse (verses in parallel), the graph of all
//     pairwise links; the candidates are the pivot-composed links with
//     enough votes (pivot_method::votes) or the pairs whose Adamic-Adar score
//     reaches the threshold (pivot_method::adamic_adar, needs Boost.Graph);
//     the result is the direct links united with, intersected with or
//     replaced by the candidates, or refined (direct links without any pivot
//     support dropped, candidates added for unaligned tokens) (options.combine).  A verse empty in x or y
//     gets no links; a pivot without the verse does not vote.
//
// Observer stages: "multiparallel.<a>-<b>.<the aligner's stage>" (e.g.
// "multiparallel.en-de.bayes.hmm.forward.0") while pair a-b is aligned, then
// "multiparallel.graph" once (iteration 1, error and objective NaN) after the
// graph step.  A stop ends the call: no later pair is aligned, the graph step
// does not run (links stays empty, pairs holds the pairs aligned so far) and
// convergence.status is stopped_by_observer.
//
// Deterministic: the default aligners give the same output for any thread
// count, and each verse's graph step writes only its own line.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/core/vocabulary.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/multilingual/multiparallel.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

// K line-parallel texts: text[l][k] is verse k in language l (word ids of
// vocabularies[l]); an empty verse means the language lacks it.
struct multiparallel_corpus {
  std::vector<std::string> languages;
  std::vector<vocabulary> vocabularies;
  std::vector<sentence_store> text;

  std::size_t language_count() const noexcept { return languages.size(); }
  std::size_t size() const noexcept { return text.empty() ? 0 : text.front().size(); }  // verses

  // Adds a language from a range of lines, each a range of tokens
  // (convertible to std::string_view).  Throws invalid_argument when the
  // name is empty or taken, or the line count differs from the languages
  // added before.
  template <class Lines>
  std::size_t add_language(std::string name, const Lines& lines) {
    if (name.empty()) throw invalid_argument("multiparallel_corpus: empty language name");
    if (std::find(languages.begin(), languages.end(), name) != languages.end())
      throw invalid_argument("multiparallel_corpus: language '" + name + "' added twice");
    vocabulary vocab;
    sentence_store store;
    for (const auto& line : lines) {
      for (const auto& w : line) store.push_token(vocab.add(std::string_view(w)));
      store.end_sentence();
    }
    if (!text.empty() && store.size() != size())
      throw invalid_argument("multiparallel_corpus: language '" + name + "' has " + std::to_string(store.size()) +
                             " lines, '" + languages.front() + "' has " + std::to_string(size()));
    languages.push_back(std::move(name));
    vocabularies.push_back(std::move(vocab));
    text.push_back(std::move(store));
    return languages.size() - 1;
  }

  // The index of a language, or nullopt.
  std::optional<std::size_t> find(std::string_view name) const {
    for (std::size_t l = 0; l < languages.size(); ++l)
      if (languages[l] == name) return l;
    return std::nullopt;
  }
};

// The alignment of languages a (link.source) and b (link.target): one line
// per verse of the corpus, empty where either side lacks the verse.
struct corpus_pair_alignment {
  std::size_t a = 0;
  std::size_t b = 0;
  alignment_corpus links;
};

// Aligns a bilingual corpus (no empty side) and returns one line per pair,
// links source-target.  It must give the same output for any thread count
// for multiparallel_align to be deterministic.
using pair_aligner =
    std::function<alignment_corpus(const parallel_corpus& corpus, const parallel_options& parallel, observer_ref obs)>;

// The Gibbs sampler (bayes/gibbs_aligner.hpp), both directions, symmetrized.
// Its options.parallel is replaced by the driver's.
inline pair_aligner gibbs_pair_aligner(bayes::gibbs_options options = {},
                                       symmetrize::symmetrize_options combine = {}) {
  validate(options);
  symmetrize::validate(combine);
  return [options, combine](const parallel_corpus& corpus, const parallel_options& parallel, observer_ref obs) {
    auto o = options;
    o.parallel = parallel;
    auto r = bayes::train_and_align(corpus, o, obs);
    if (r.forward.links.size() != corpus.size() || r.reverse.links.size() != corpus.size())
      return alignment_corpus(corpus.size());  // stopped by the observer: the driver drops this pair
    return symmetrize::combine(r.forward.links, r.reverse.links, combine);
  };
}

// lexalign's EM aligners (em/pipeline.hpp: IBM1, fast_align, IBM1 + HMM),
// both directions, symmetrized.  The options' parallel is replaced by the driver's.
inline pair_aligner em_pair_aligner(em::train_options training = {}, em::align_options decoding = {},
                                    symmetrize::symmetrize_options combine = {}) {
  training.directions = em::directions::both;
  em::validate(training);
  em::validate(decoding);
  symmetrize::validate(combine);
  return [training, decoding, combine](const parallel_corpus& corpus, const parallel_options& parallel,
                                       observer_ref obs) {
    auto t = training;
    auto d = decoding;
    t.parallel = parallel;
    d.parallel = parallel;
    auto r = em::train_and_align(corpus, t, d, obs);
    if (r.forward.links.size() != corpus.size() || r.reverse.links.size() != corpus.size())
      return alignment_corpus(corpus.size());  // stopped by the observer: the driver drops this pair
    return symmetrize::combine(r.forward.links, r.reverse.links, combine);
  };
}

enum class pivot_method {
  votes,        // pivot composition x-p-y, voted over the pivots
  adamic_adar,  // link prediction: Adamic-Adar score of common neighbours (Boost.Graph)
};

enum class direct_combination {
  unite,      // direct links plus the candidates (adds links: recall)
  intersect,  // direct links the candidates confirm (removes links: precision)
  replace,    // the candidates alone
  // The direct links some pivot supports (a vote, or a positive Adamic-Adar
  // score; all of them in a verse no pivot has), plus the candidates for
  // tokens of x or y without a direct link: removes and adds.
  refine,
};

struct multiparallel_options {
  pivot_method method = pivot_method::votes;
  direct_combination combine = direct_combination::unite;
  // votes: pivots that must compose a link; 0 = a majority of the verse's
  // pivots that have links to both x and y.
  std::size_t min_votes = 0;
  // adamic_adar: a pair (i, j) is a candidate when sum over common
  // neighbours z of 1/ln deg(z) reaches this (> 0).
  double threshold = 2.0;
  // Add candidates only for tokens of x or y without a direct link (unite only).
  bool only_unaligned = false;
  // Align every pair of languages, not only those with x or y (more
  // alignments; only the Adamic-Adar degrees change).
  bool all_pairs = false;
  parallel_options parallel = {};   // threads or a caller's pool; results do not depend on it
  std::size_t block_size = 64;      // verses per work block of the graph step
};

inline void validate(const multiparallel_options& o) {
  validation::require(o.method == pivot_method::votes || o.method == pivot_method::adamic_adar,
                      "multiparallel_options.method", std::to_string(static_cast<int>(o.method)),
                      "votes or adamic_adar");
  validation::require(o.combine == direct_combination::unite || o.combine == direct_combination::intersect ||
                          o.combine == direct_combination::replace || o.combine == direct_combination::refine,
                      "multiparallel_options.combine", std::to_string(static_cast<int>(o.combine)),
                      "unite, intersect, replace or refine");
  validation::positive("multiparallel_options.threshold", o.threshold);
  validation::require(!o.only_unaligned || o.combine == direct_combination::unite, "multiparallel_options.only_unaligned",
                      "true", "false unless combine is unite");
#if !LEXALIGN_HAS_LINK_PREDICTION
  validation::require(o.method != pivot_method::adamic_adar, "multiparallel_options.method", "adamic_adar",
                      "votes: Adamic-Adar link prediction needs Boost.Graph (configure with "
                      "-DLEXALIGN_WITH_BOOST_GRAPH=ON; Debian: libboost-graph-dev)");
#endif
  validation::at_least("multiparallel_options.block_size", o.block_size, 1);
  validate(o.parallel);
}

struct multiparallel_result {
  alignment_corpus links;    // the improved x-y alignment, one line per verse (links in `sure`)
  alignment_corpus direct;   // the direct x-y alignment it started from
  std::vector<corpus_pair_alignment> pairs;  // every pairwise alignment computed, in pairs_needed() order
  // iterations = pairs aligned + 1 for the graph step; status max_iterations,
  // or stopped_by_observer; error NaN.
  convergence_info convergence = {};
};

namespace detail {

inline void check_pair(const multiparallel_corpus& c, std::size_t x, std::size_t y) {
  const std::size_t K = c.language_count();
  if (K < 3) throw invalid_argument("multiparallel alignment needs at least 3 languages, got " + std::to_string(K));
  if (c.vocabularies.size() != K || c.text.size() != K)
    throw invalid_argument("multiparallel_corpus: languages, vocabularies and text differ in size");
  for (std::size_t l = 1; l < K; ++l)
    if (c.text[l].size() != c.size())
      throw invalid_argument("multiparallel_corpus: language '" + c.languages[l] + "' has " +
                             std::to_string(c.text[l].size()) + " lines, '" + c.languages[0] + "' has " +
                             std::to_string(c.size()));
  if (x >= K || y >= K || x == y)
    throw invalid_argument("the target pair must be two different languages of the " + std::to_string(K) + ", got " +
                           std::to_string(x) + " and " + std::to_string(y));
}

// The bilingual corpus of the verses where both a and b have text, and their indices.
inline parallel_corpus pair_corpus(const multiparallel_corpus& c, std::size_t a, std::size_t b,
                                   std::vector<std::size_t>& verses) {
  parallel_corpus out;
  verses.clear();
  std::vector<std::string_view> wa, wb;
  for (std::size_t k = 0; k < c.size(); ++k) {
    const auto sa = c.text[a][k], sb = c.text[b][k];
    if (sa.empty() || sb.empty()) continue;
    wa.clear();
    wb.clear();
    for (word_id w : sa) wa.push_back(c.vocabularies[a].word(w));
    for (word_id w : sb) wb.push_back(c.vocabularies[b].word(w));
    out.add(wa, wb);
    verses.push_back(k);
  }
  return out;
}

}  // namespace detail

// The pairs multiparallel_align aligns for the target pair (x, y), in its
// order: (x, y) first, then (x, p) and (p, y) for every other p in index
// order; with all_pairs, then every remaining (p, q), p < q.
inline std::vector<std::pair<std::size_t, std::size_t>> pairs_needed(std::size_t languages, std::size_t x, std::size_t y,
                                                                     bool all_pairs = false) {
  std::vector<std::pair<std::size_t, std::size_t>> out{{x, y}};
  for (std::size_t p = 0; p < languages; ++p)
    if (p != x && p != y) {
      out.emplace_back(x, p);
      out.emplace_back(p, y);
    }
  if (all_pairs)
    for (std::size_t p = 0; p < languages; ++p)
      for (std::size_t q = p + 1; q < languages; ++q)
        if (p != x && p != y && q != x && q != y) out.emplace_back(p, q);
  return out;
}

// Aligns the given pairs of languages with `aligner`, one after another, each
// on the verses where both have text.  Observer stages
// "multiparallel.<a>-<b>.<aligner's stage>"; after a stop the pairs not yet
// aligned are left out of the result and `stopped` is set.
inline std::vector<corpus_pair_alignment> align_pairs(const multiparallel_corpus& c,
                                                      const std::vector<std::pair<std::size_t, std::size_t>>& pairs,
                                                      const pair_aligner& aligner, const parallel_options& parallel,
                                                      bool& stopped, observer_ref obs = {}) {
  validate(parallel);
  if (!aligner) throw invalid_argument("align_pairs: no pair_aligner");
  std::optional<thread_pool> own;
  parallel_options par = parallel;
  if (!par.pool && resolve_threads(par.threads) > 1) {
    own.emplace(resolve_threads(par.threads));
    par.pool = &*own;
  }
  std::vector<corpus_pair_alignment> out;
  stopped = false;
  std::vector<std::size_t> verses;
  for (const auto& [a, b] : pairs) {
    if (a >= c.language_count() || b >= c.language_count() || a == b)
      throw invalid_argument("align_pairs: no language pair " + std::to_string(a) + "-" + std::to_string(b));
    const parallel_corpus pc = detail::pair_corpus(c, a, b, verses);
    corpus_pair_alignment pa{a, b, alignment_corpus(c.size())};
    if (!pc.empty()) {
      bool stop_seen = false;
      struct stop_watch {  // forwards to obs, remembers a stop, keeps obs's progress interval
        observer_ref obs;
        bool* seen;
        observer_action operator()(const iteration_event& ev) {
          const auto act = obs(ev);
          if (act == observer_action::stop) *seen = true;
          return act;
        }
        std::size_t progress_interval() const { return obs.progress_interval(); }
      } forward{obs, &stop_seen};
      prefixed_observer<stop_watch> named("multiparallel." + c.languages[a] + "-" + c.languages[b], forward);
      alignment_corpus got = obs ? aligner(pc, par, named) : aligner(pc, par, {});
      if (got.size() != pc.size())
        throw invalid_argument("pair_aligner returned " + std::to_string(got.size()) + " lines for " +
                               std::to_string(pc.size()) + " sentence pairs");
      for (std::size_t n = 0; n < verses.size(); ++n) pa.links[verses[n]] = std::move(got[n]);
      if (stop_seen) {
        stopped = true;
        return out;  // the interrupted pair is not kept
      }
    }
    out.push_back(std::move(pa));
  }
  return out;
}

// The graph step alone: the improved x-y alignment from pairwise alignments
// (pairs must include (x, y) or (y, x); any others are used as given).
// Links are checked against the verse lengths (invalid_argument).
inline alignment_corpus improve_alignment(const multiparallel_corpus& c, const std::vector<corpus_pair_alignment>& pairs,
                                          std::size_t x, std::size_t y, const multiparallel_options& options = {}) {
  validate(options);
  detail::check_pair(c, x, y);
  const std::size_t V = c.size(), K = c.language_count();
  bool has_direct = false;
  for (const auto& p : pairs) {
    if (p.a >= K || p.b >= K || p.a == p.b)
      throw invalid_argument("improve_alignment: no language pair " + std::to_string(p.a) + "-" + std::to_string(p.b));
    if (p.links.size() != V)
      throw invalid_argument("improve_alignment: the " + c.languages[p.a] + "-" + c.languages[p.b] + " alignment has " +
                             std::to_string(p.links.size()) + " lines for " + std::to_string(V) + " verses");
    has_direct |= (p.a == x && p.b == y) || (p.a == y && p.b == x);
  }
  if (!has_direct) throw invalid_argument("improve_alignment: no " + c.languages[x] + "-" + c.languages[y] + " alignment");
  alignment_corpus out(V);
  executor ex(options.parallel);
  const unsigned workers = ex.workers_for(block_count(V, options.block_size));
  std::vector<multiparallel_verse> scratch(workers);
  std::vector<std::string> errors(workers);
  ex.for_each_block(V, options.block_size, [&](std::size_t, std::size_t begin, std::size_t end, unsigned w) {
    auto& v = scratch[w];
    try {
      for (std::size_t k = begin; k < end; ++k) {
        const std::size_t nx = c.text[x].length(k), ny = c.text[y].length(k);
        if (nx == 0 || ny == 0) continue;
        v.lengths.resize(K);
        for (std::size_t l = 0; l < K; ++l) v.lengths[l] = c.text[l].length(k);
        v.alignments.resize(pairs.size());
        for (std::size_t n = 0; n < pairs.size(); ++n) {
          v.alignments[n].a = pairs[n].a;
          v.alignments[n].b = pairs[n].b;
          const auto& line = pairs[n].links[k];
          v.alignments[n].links.assign(line.sure.begin(), line.sure.end());
          v.alignments[n].links.insert(v.alignments[n].links.end(), line.possible.begin(), line.possible.end());
        }
        const auto pv = pivot_vote_counts(v, x, y);  // checks the verse's links
        const auto direct = detail::oriented_links(v, x, y);
        // candidate: enough votes / score; supported: any vote / a positive score.
        std::vector<unsigned char> candidate(nx * ny, 0), supported(nx * ny, 0);
        if (options.method == pivot_method::votes) {
          const std::size_t need = required_votes(options.min_votes, pv.voters);
          for (std::size_t q = 0; q < nx * ny; ++q) {
            candidate[q] = pv.voters > 0 && pv.votes[q] >= need;
            supported[q] = pv.votes[q] > 0;
          }
        } else {
#if LEXALIGN_HAS_LINK_PREDICTION
          const auto s = adamic_adar(v, x, y);
          for (std::size_t i = 0; i < nx; ++i)
            for (std::size_t j = 0; j < ny; ++j) {
              candidate[i * ny + j] = s(i, j) >= options.threshold;
              supported[i * ny + j] = s(i, j) > 0;
            }
#endif
        }
        auto& res = out[k].sure;
        if (options.combine == direct_combination::intersect) {
          for (const auto& l : direct)
            if (candidate[l.source * ny + l.target]) res.push_back(l);
          continue;
        }
        const bool refine = options.combine == direct_combination::refine;
        if (options.combine == direct_combination::unite) res = direct;
        if (refine)  // the direct links some pivot supports (all of them when no pivot has the verse)
          for (const auto& l : direct)
            if (pv.voters == 0 || supported[l.source * ny + l.target]) res.push_back(l);
        std::vector<unsigned char> xa(nx, 0), ya(ny, 0);
        for (const auto& l : direct) xa[l.source] = ya[l.target] = 1;
        const bool only_unaligned = options.only_unaligned || refine;
        for (std::size_t i = 0; i < nx; ++i)
          for (std::size_t j = 0; j < ny; ++j)
            if (candidate[i * ny + j] && !(only_unaligned && xa[i] && ya[j]))
              res.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
        normalize_links(res);
      }
    } catch (const std::exception& e) {
      if (errors[w].empty()) errors[w] = e.what();
    }
  });
  for (const auto& e : errors)
    if (!e.empty()) throw invalid_argument("improve_alignment: " + e);
  return out;
}

// Aligns every needed pair with `aligner` (default: gibbs_pair_aligner())
// and improves x-y verse by verse.  Throws invalid_argument for fewer than 3
// languages, a bad pair or unequal line counts; invalid_option for options.
inline multiparallel_result multiparallel_align(const multiparallel_corpus& c, std::size_t x, std::size_t y,
                                                const multiparallel_options& options = {},
                                                const pair_aligner& aligner = {}, observer_ref obs = {}) {
  validate(options);
  detail::check_pair(c, x, y);
  multiparallel_result r;
  std::optional<thread_pool> own;
  multiparallel_options o = options;
  if (!o.parallel.pool && resolve_threads(o.parallel.threads) > 1) {
    own.emplace(resolve_threads(o.parallel.threads));
    o.parallel.pool = &*own;
  }
  bool stopped = false;
  r.pairs = align_pairs(c, pairs_needed(c.language_count(), x, y, o.all_pairs), aligner ? aligner : gibbs_pair_aligner(),
                        o.parallel, stopped, obs);
  r.convergence.iterations = r.pairs.size();
  if (stopped) {
    r.convergence.status = solver_status::stopped_by_observer;
    return r;
  }
  r.direct = r.pairs.front().links;
  r.links = improve_alignment(c, r.pairs, x, y, o);
  r.convergence.iterations += 1;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (obs(iteration_event{"multiparallel.graph", 1, nan, nan, 1}) == observer_action::stop)
    r.convergence.status = solver_status::stopped_by_observer;
  return r;
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
