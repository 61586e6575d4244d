// lexalign/em/distributed.hpp - EM training and decoding over a group of
// processes (MPI ranks: lexalign/mpi/communicator.hpp), each holding a shard
// of the corpus, with a model after every iteration bit-identical to
// em::train's on one process, for any number of ranks.
//
//   lexalign::mpi::environment env(argc, argv);                   // MPI_Init / MPI_Finalize
//   lexalign::mpi::communicator world;                            // MPI_COMM_WORLD
//   auto file  = lexalign::io::corpus_file::open("big.lxc");      // every rank maps the same file
//   auto model = lexalign::em::train_distributed(file.corpus(), {}, world);
//   auto out   = lexalign::em::align_distributed(model, file.corpus(), {}, world);
//
// This header needs no MPI: the group is any type with
//   int rank(), int size(),
//   sum(std::span<std::uint64_t>)                         element-wise sum over ranks, in place (mod 2^64)
//   all_gather(std::span<const T>, std::vector<T>&)       every rank's span, concatenated in rank order,
//                                                          on every rank (T = std::uint64_t and double)
//   all_to_all(std::span<const T> send, std::span<const std::uint64_t> send_counts,
//              std::vector<T>& recv, std::vector<std::uint64_t>& recv_counts)
//                                                          personalised exchange: send holds the data for
//                                                          rank 0, then rank 1, ... (send_counts[q] elements
//                                                          for rank q); recv gets what every rank sent to
//                                                          this one, in rank order (recv_counts[q] from q)
// (the concept rank_group); every rank must make the same calls in the same
// order, as with MPI collectives.
//
// How the result stays identical: rank r holds the sentence pairs of work
// blocks [B r / P, B (r+1) / P) (B = blocks of train_options.block_size), so
// that every block is the block one process would have; expected counts are
// 32.32 fixed-point integers (fixed_point_counts.hpp), summed across ranks
// exactly; per-block log-likelihoods and fast_align's per-block feature sums
// are gathered in block order and summed in that order, as one process does;
// the co-occurrence table is the union of the shards' (sorted, so the same
// layout).  Every rank then runs the same M-step on the same numbers.
//
// Memory per rank: the full model tables (and, while the table is built, the
// gathered co-occurrence keys of all ranks: 8 bytes per pair per rank) plus
// the shard's lookup cache and the pages of the shard's sentences.  For a
// table sharded by source word across the ranks see em/sharded_table.hpp.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/bitext_view.hpp"
#include "lexalign/em/fast_align.hpp"
#include "lexalign/em/fixed_point_counts.hpp"
#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/em/lookup_cache.hpp"
#include "lexalign/em/model.hpp"
#include "lexalign/em/normalize_counts.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/em/table_pruning.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

// A group of ranks with the collectives the distributed trainer needs.
template <class G>
concept rank_group = requires(G& g, std::span<std::uint64_t> u, std::span<const std::uint64_t> cu,
                              std::span<const double> cd, std::vector<std::uint64_t>& vu, std::vector<double>& vd,
                              std::vector<std::uint64_t>& counts) {
  { g.rank() } -> std::convertible_to<int>;
  { g.size() } -> std::convertible_to<int>;
  g.sum(u);
  g.all_gather(cu, vu);
  g.all_gather(cd, vd);
  g.all_to_all(cu, cu, vu, counts);
  g.all_to_all(cd, cu, vd, counts);
};

// The sentence pairs [begin, end) of one rank.
struct shard_range {
  std::size_t begin = 0, end = 0;
  std::size_t size() const noexcept { return end - begin; }
};

// Rank `rank` of `ranks`: whole blocks of `block_size` pairs, contiguous, in
// rank order, balanced to within one block.
inline shard_range shard_of(std::size_t pairs, std::size_t block_size, int rank, int ranks) {
  LEXALIGN_ASSERT(ranks > 0 && rank >= 0 && rank < ranks && block_size > 0, "em::shard_of: bad rank or block size");
  const std::size_t blocks = block_count(pairs, block_size);
  const auto r = static_cast<std::size_t>(rank), p = static_cast<std::size_t>(ranks);
  const std::size_t b0 = blocks * r / p, b1 = blocks * (r + 1) / p;
  return {std::min(pairs, b0 * block_size), std::min(pairs, b1 * block_size)};
}

// One direction of one shard: borrowed slices of the corpus's stores.
// Not copyable or movable (view() points into it).
class shard_view {
 public:
  shard_view(const parallel_corpus& corpus, shard_range r, bool reverse)
      : source_(corpus.source_sentences().slice(r.begin, r.end)),
        target_(corpus.target_sentences().slice(r.begin, r.end)),
        view_(reverse ? bitext_view{&target_, &source_, corpus.target_vocabulary().size(),
                                    corpus.source_vocabulary().size()}
                      : bitext_view{&source_, &target_, corpus.source_vocabulary().size(),
                                    corpus.target_vocabulary().size()}) {}
  shard_view(const shard_view&) = delete;
  shard_view& operator=(const shard_view&) = delete;
  const bitext_view& view() const noexcept { return view_; }

 private:
  sentence_store source_, target_;
  bitext_view view_;
};

namespace detail {

// The largest value over ranks.
template <class G>
std::uint64_t group_max(G& g, std::uint64_t v) {
  std::vector<std::uint64_t> all;
  g.all_gather(std::span<const std::uint64_t>(&v, 1), all);
  return all.empty() ? v : *std::max_element(all.begin(), all.end());
}

// The sum over ranks of per-block values, in global block order.
template <class G>
double group_ordered_sum(G& g, const std::vector<double>& blocks, std::vector<double>& all) {
  g.all_gather(std::span<const double>(blocks), all);
  return ordered_sum(all);
}

// True on every rank when the observer of any rank asked to stop.
template <class G>
bool any_stop(G& g, bool stop) {
  std::uint64_t flag = stop ? 1 : 0;
  g.sum(std::span<std::uint64_t>(&flag, 1));
  return flag != 0;
}

// record_iteration, with the stop decision shared by every rank.
template <class G, class Obs>
bool record_iteration_group(G& g, em_result& result, std::size_t it, std::size_t max_iterations, double ll, Obs& obs,
                            std::string_view stage) {
  const bool local = record_iteration(result, it, max_iterations, ll, obs, stage);
  if (!any_stop(g, local)) return false;
  result.convergence.status = solver_status::stopped_by_observer;
  return true;
}

// lexical_table::from_cooccurrence (or pruned_cooccurrence) of the whole
// corpus from the shards'.
template <class G>
lexical_table group_cooccurrence(const bitext_view& shard, const cooccurrence_pruning& pruning, G& g) {
  const std::size_t rows = shard.given_vocabulary_size + 1;
  if (pruning.active()) {  // counts matter: sum them over ranks before pruning
    std::vector<std::uint64_t> keys, counts;
    {
      const counted_keys local = cooccurrence_counts(shard);
      g.all_gather(std::span<const std::uint64_t>(local.keys), keys);
      g.all_gather(std::span<const std::uint64_t>(local.counts), counts);
    }
    std::vector<std::size_t> order(keys.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
    counted_keys total;
    for (std::size_t k = 0; k < order.size(); ++k) {
      if (!total.keys.empty() && total.keys.back() == keys[order[k]]) total.counts.back() += counts[order[k]];
      else {
        total.keys.push_back(keys[order[k]]);
        total.counts.push_back(counts[order[k]]);
      }
    }
    std::vector<std::uint64_t> words;
    {
      const std::vector<word_id> local = generated_words(shard);
      const std::vector<std::uint64_t> wide(local.begin(), local.end());
      g.all_gather(std::span<const std::uint64_t>(wide), words);
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    const std::vector<word_id> null_columns(words.begin(), words.end());
    return table_from_counts(rows, shard.generated_vocabulary_size, null_columns, total, pruning);
  }
  std::vector<std::uint64_t> keys;
  {
    const lexical_table local = lexical_table::from_cooccurrence(shard);
    keys.reserve(local.size());
    for (std::size_t r = 0; r < local.rows(); ++r)
      for (word_id c : local.columns(r)) keys.push_back((std::uint64_t{r} << 32) | c);
  }
  std::vector<std::uint64_t> all;
  g.all_gather(std::span<const std::uint64_t>(keys), all);
  keys = {};
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<std::uint64_t> offsets(rows + 1, 0);
  std::vector<word_id> columns(all.size());
  for (std::size_t k = 0; k < all.size(); ++k) {
    ++offsets[(all[k] >> 32) + 1];
    columns[k] = static_cast<word_id>(all[k] & 0xFFFFFFFFu);
  }
  for (std::size_t r = 0; r < rows; ++r) offsets[r + 1] += offsets[r];
  const double uniform =
      shard.generated_vocabulary_size == 0 ? 1.0 : 1.0 / static_cast<double>(shard.generated_vocabulary_size);
  return lexical_table::from_rows(std::move(offsets), std::move(columns), std::vector<double>(all.size(), uniform));
}

template <class G, class Obs>
em_result group_train_ibm1(const bitext_view& v, lexical_table& t, const ibm1_options& o, const lookup_cache& cache,
                           const executor& ex, G& g, std::string_view stage, Obs& obs) {
  em_result result;
  result.log_likelihood.reserve(o.iterations);
  fixed_point_counts counts;
  ibm1_estep_scratch scratch;
  std::vector<double> all;
  for (std::size_t it = 1; it <= o.iterations; ++it) {
    ibm1_expectation(v, t, counts, o.probability_floor, ex, o.block_size, &cache, &scratch);
    g.sum(counts.cells());
    const double ll = group_ordered_sum(g, scratch.block_ll, all);
    normalize_counts(t, counts, o.vb_alpha);
    if (o.prior) o.prior->apply(t);
    if (record_iteration_group(g, result, it, o.iterations, ll, obs, stage)) return result;
  }
  result.convergence.status = solver_status::max_iterations;
  return result;
}

template <class G, class Obs>
em_result group_train_hmm(const bitext_view& v, lexical_table& t, hmm_parameters& p, const hmm_options& o,
                          const lookup_cache& cache, const executor& ex, G& g, std::string_view stage, Obs& obs) {
  em_result result;
  result.log_likelihood.reserve(o.iterations);
  fixed_point_counts lexical, jumps, starts, ends;
  hmm_estep_scratch scratch;
  std::vector<double> all;
  p.null_probability = o.null_weight / (1.0 + o.null_weight);
  p.jump_smoothing = o.jump_smoothing;
  p.start_smoothing = o.start_smoothing;
  p.band_above = o.band.above_length;
  p.band_width = o.band.width;
  p.configure(o);
  for (std::size_t it = 1; it <= o.iterations; ++it) {
    hmm_expectation(v, t, p, lexical, jumps, starts, o.probability_floor, ex, o.block_size, &cache, &scratch, &ends);
    g.sum(lexical.cells());
    g.sum(jumps.cells());
    g.sum(starts.cells());
    g.sum(ends.cells());  // per-distance sums: empty when the end distribution is off
    const double ll = group_ordered_sum(g, scratch.block_ll, all);
    normalize_counts(t, lexical, o.vb_alpha);
    if (o.prior) o.prior->apply(t);
    normalize_vector(p.jump, jumps);
    normalize_vector(p.start, starts);
    if (!p.end.empty()) normalize_vector(p.end, ends);
    if (record_iteration_group(g, result, it, o.iterations, ll, obs, stage)) return result;
  }
  result.convergence.status = solver_status::max_iterations;
  return result;
}

// The length-pair histogram of the whole corpus from the shards'.
template <class G>
length_histogram group_length_pairs(const bitext_view& v, G& g) {
  std::vector<std::uint64_t> flat;
  for (const auto& [mn, cnt] : length_pairs(v)) flat.insert(flat.end(), {mn.first, mn.second, cnt});
  std::vector<std::uint64_t> all;
  g.all_gather(std::span<const std::uint64_t>(flat), all);
  length_histogram h;
  for (std::size_t k = 0; k + 2 < all.size(); k += 3) h[{all[k], all[k + 1]}] += all[k + 2];
  return h;
}

template <class G, class Obs>
em_result group_train_fast_align(const bitext_view& v, lexical_table& t, fast_align_parameters& p,
                                 const fast_align_options& o, const lookup_cache& cache, const executor& ex, G& g,
                                 std::string_view stage, Obs& obs) {
  em_result result;
  result.log_likelihood.reserve(o.iterations);
  p.p0 = o.p0;
  p.lambda = o.lambda;
  p.favor_diagonal = o.favor_diagonal;
  const length_histogram lengths = group_length_pairs(v, g);
  fixed_point_counts counts;
  const std::size_t blocks = block_count(v.size(), o.block_size);
  std::vector<emission_scratch> work(ex.workers_for(blocks));
  for (auto& w : work) w.reserve(v.given->max_length(), v.generated->max_length());
  fast_align_block_sums local, global;
  local.assign(blocks);
  for (std::size_t it = 1; it <= o.iterations; ++it) {
    fast_align_expectation(v, t, p, o, cache, ex, counts, work, local);
    g.sum(counts.cells());
    g.all_gather(std::span<const double>(local.ll), global.ll);
    g.all_gather(std::span<const double>(local.feature), global.feature);
    g.all_gather(std::span<const double>(local.nonnull), global.nonnull);
    g.all_gather(std::span<const double>(local.tokens), global.tokens);
    const double ll = ordered_sum(global.ll);
    normalize_counts(t, counts, o.vb_alpha);
    if (o.prior) o.prior->apply(t);
    if (o.optimize_tension && p.favor_diagonal && it > 1) fit_tension(p, lengths, global, o.compat);
    if (record_iteration_group(g, result, it, o.iterations, ll, obs, stage)) return result;
  }
  result.convergence.status = solver_status::max_iterations;
  return result;
}

// train_directional (pipeline.hpp) over a shard of each rank.
template <class G, class Obs>
directional_model group_train_directional(const bitext_view& v, const train_options& options,
                                          std::string_view direction, const lexical_prior* prior, const executor& ex,
                                          G& g, Obs& obs) {
  directional_model m;
  m.kind = options.model;
  m.table = group_cooccurrence(v, options.pruning, g);
  const bool use_cache =
      options.model == model_kind::fast_align ? options.fast_align.cache_lookups : options.ibm1.cache_lookups;
  const lookup_cache cache = use_cache ? lookup_cache::build(v, m.table, ex) : lookup_cache{};
  const std::string dir(direction);
  auto finish = [&](std::string name, em_result r) {
    append_stage(m.convergence, r.convergence);
    m.stages.push_back({std::move(name), std::move(r)});
    return m.convergence.status == solver_status::stopped_by_observer;
  };
  if (options.model == model_kind::fast_align) {
    fast_align_options fo = options.fast_align;
    fo.block_size = options.block_size;
    fo.prior = prior;
    m.probability_floor = fo.probability_floor;
    const std::string stage = "em.fast_align." + dir;
    finish(stage, group_train_fast_align(v, m.table, m.fast_align, fo, cache, ex, g, stage, obs));
    return m;
  }
  ibm1_options io = options.ibm1;
  io.block_size = options.block_size;
  io.prior = prior;
  m.probability_floor = io.probability_floor;
  const std::string s1 = "em.ibm1." + dir;
  if (finish(s1, group_train_ibm1(v, m.table, io, cache, ex, g, s1, obs))) return m;
  if (options.model == model_kind::hmm && options.hmm.iterations > 0) {
    m.has_hmm = true;
    hmm_options ho = options.hmm;
    ho.block_size = options.block_size;
    ho.prior = prior;
    m.probability_floor = ho.probability_floor;
    m.hmm = hmm_parameters::uniform(static_cast<std::size_t>(group_max(g, max_given_length(v))), ho);
    const std::string s2 = "em.hmm." + dir;
    finish(s2, group_train_hmm(v, m.table, m.hmm, ho, cache, ex, g, s2, obs));
  }
  return m;
}

// What the distributed trainers do not distribute (yet): the HMM's class
// jumps (their word classes are trained on the whole corpus) and Models 3/4.
// The end distribution is distributed (its per-distance counts are summed
// like the jump counts).
inline void require_distributable(const train_options& options) {
  validation::require(!options.hmm.class_jumps, "em::train_options.hmm.class_jumps", "true",
                      "off (class jumps are not distributed yet)");
  validation::require(options.model3.iterations == 0 && options.model4.iterations == 0,
                      "em::train_options.model3/model4.iterations", "> 0", "0 (Models 3/4 are not distributed yet)");
}

inline void require_group(int rank, int size) {
  if (size < 1 || rank < 0 || rank >= size)
    throw invalid_argument("em distributed: rank " + std::to_string(rank) + " of a group of " + std::to_string(size));
}

}  // namespace detail

// em::train over the ranks of `group`: every rank passes the whole corpus
// (normally the same memory-mapped corpus file, so that a rank only touches
// its shard's pages) and gets the whole model, bit-identical to
// em::train(corpus, options) on one process.  The observer is called on every
// rank (pass one on rank 0 only for progress); a stop on any rank stops all.
template <rank_group G>
model train_distributed(const parallel_corpus& corpus, const train_options& options, G& group,
                        observer_ref obs = {}) {
  validate(options);
  detail::require_distributable(options);
  detail::require_group(group.rank(), group.size());
  const executor ex(options.parallel);
  const shard_range r = shard_of(corpus.size(), options.block_size, group.rank(), group.size());
  model m;
  m.source_vocabulary = corpus.source_vocabulary();
  m.target_vocabulary = corpus.target_vocabulary();
  bool stopped = false;
  if (options.directions != directions::reverse) {
    const shard_view s(corpus, r, false);
    m.forward = detail::group_train_directional(s.view(), options, "forward", options.forward_prior, ex, group, obs);
    append_stage(m.convergence, m.forward.convergence);
    stopped = m.convergence.status == solver_status::stopped_by_observer;
  }
  if (options.directions != directions::forward && !stopped) {
    const shard_view s(corpus, r, true);
    m.reverse = detail::group_train_directional(s.view(), options, "reverse", options.reverse_prior, ex, group, obs);
    append_stage(m.convergence, m.reverse.convergence);
  }
  return m;
}

namespace detail {

// Links of a shard's sentences as words: per sentence its link count, then
// (source << 32 | target) per link.
inline void pack_links(const alignment_corpus& links, std::vector<std::uint64_t>& out) {
  out.clear();
  for (const auto& s : links) {
    out.push_back(s.sure.size());
    for (const auto& l : s.sure) out.push_back((std::uint64_t{l.source} << 32) | l.target);
  }
}

// Unpacks pack_links's words of `pairs` sentences.
inline alignment_corpus unpack_links(const std::vector<std::uint64_t>& all, std::size_t pairs) {
  alignment_corpus out(pairs);
  std::size_t pos = 0;
  for (std::size_t k = 0; k < pairs; ++k) {
    if (pos >= all.size()) throw error("em::align_distributed: ranks returned too few sentences");
    const std::size_t n = static_cast<std::size_t>(all[pos++]);
    if (n > all.size() - pos) throw error("em::align_distributed: a rank returned a truncated sentence");
    out[k].sure.reserve(n);
    for (std::size_t x = 0; x < n; ++x, ++pos)
      out[k].sure.push_back({static_cast<std::uint32_t>(all[pos] >> 32), static_cast<std::uint32_t>(all[pos])});
  }
  return out;
}

// Sends `words` to rank `root` only (a gather through all_to_all); `out` is
// the concatenation in rank order on root, empty elsewhere.
template <class G, class T>
void gather_to(G& g, int root, std::span<const T> words, std::vector<T>& out) {
  std::vector<std::uint64_t> send_counts(static_cast<std::size_t>(g.size()), 0), recv_counts;
  send_counts[static_cast<std::size_t>(root)] = words.size();
  g.all_to_all(words, std::span<const std::uint64_t>(send_counts), out, recv_counts);
}

// The shards' links, in rank (= sentence) order, on rank 0; empty elsewhere.
template <class G>
alignment_corpus group_links(const alignment_corpus& local, std::size_t pairs, G& g) {
  std::vector<std::uint64_t> packed, all;
  pack_links(local, packed);
  gather_to(g, 0, std::span<const std::uint64_t>(packed), all);
  packed = {};
  if (g.rank() != 0) return {};
  return unpack_links(all, pairs);
}

}  // namespace detail

// em::align of the training corpus over the ranks: each rank decodes its
// shard; rank 0 gets all alignments, identical to em::align(model, corpus,
// options), the other ranks get empty links (nothing is all-gathered: each
// alignment crosses the network once).  The corpus must use the model's vocabularies (the corpus
// it was trained on); posteriors (with_posteriors) are not gathered.
template <rank_group G>
bidirectional_alignments align_distributed(const model& m, const parallel_corpus& corpus,
                                           const align_options& options, G& group) {
  validate(options);
  validation::require(!options.with_posteriors, "em::align_options.with_posteriors", "true",
                      "false for em::align_distributed (posteriors are not gathered)");
  detail::require_group(group.rank(), group.size());
  if (!detail::same_words(m.source_vocabulary, corpus.source_vocabulary()) ||
      !detail::same_words(m.target_vocabulary, corpus.target_vocabulary()))
    throw invalid_argument("em::align_distributed: the corpus must use the model's vocabularies (the training corpus)");
  const shard_range r = shard_of(corpus.size(), options.block_size, group.rank(), group.size());
  const executor ex(options.parallel);
  bidirectional_alignments out;
  if (m.forward.trained()) {
    const shard_view s(corpus, r, false);
    const auto local = detail::decode_directional(m.forward, s.view(), true, options, ex);
    out.forward.links = detail::group_links(local.links, corpus.size(), group);
  }
  if (m.reverse.trained()) {
    const shard_view s(corpus, r, true);
    const auto local = detail::decode_directional(m.reverse, s.view(), false, options, ex);
    out.reverse.links = detail::group_links(local.links, corpus.size(), group);
  }
  return out;
}

}  // namespace em
LEXALIGN_NAMESPACE_END
