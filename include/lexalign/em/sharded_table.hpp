// lexalign/em/sharded_table.hpp - distributed EM with the lexical table
// sharded by given word across the ranks (owner-computes): no rank holds the
// whole table, and the model is still bit-identical to em::train's.
//
//   lexalign::mpi::communicator world;
//   auto f  = lexalign::io::corpus_file::open("big.lxc");
//   auto sm = lexalign::em::train_sharded(f.corpus(), {}, {}, world);       // each rank: its rows
//   auto al = lexalign::em::align_sharded(sm, f.corpus(), {}, {}, world);   // links on rank 0
//   auto m  = lexalign::em::gather_model(sm, world);                        // the whole model on rank 0
//
// Ownership: row r of a direction's table (r = 0 NULL, r = e+1 given word e)
// lives on rank r mod P (row_owner).  Word ids are given in order of first
// appearance, so frequent and rare words interleave across ranks.
//
// One iteration, per round of the rank's shard (a round = whole blocks of
// the shard; shard_table_options::round_pairs, default the whole shard):
//   1. fetch: the rank sends the (row, word) keys of the round's
//      co-occurrence table to their owners (once, when there is one round;
//      else every round); each owner answers with its current t(f|e);
//   2. the rank runs the ordinary E-step (ibm1/hmm/fast_align) of the round
//      against this local table;
//   3. it sends the round's expected counts (32.32 fixed point, integers)
//      back to the owners, which add them to their rows' counts.
// After the last round, every owner normalises its rows (the M-step is per
// row), the HMM's jump/start/end counts and fast_align's feature sums are
// summed or gathered as in em/distributed.hpp, and the log-likelihood is the
// per-block partials summed in block order.  Integer sums are exact and
// every E-step reads the values one process would read, so the model is
// bit-identical to em::train(corpus, options) for any number of ranks and
// rounds.
//
// Memory per rank: the owned rows (12 bytes per pair, 8 more for their
// counts during training) plus 8 bytes per row of the vocabulary for the row
// offsets, and for the current round its local table (12 bytes per pair it
// needs), counts (8), lookup cache (4 per cell) and exchange buffers (about
// 24 bytes per pair).  With rounds, the round's part is bounded by the
// round's size instead of the shard's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/distributed.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace em {

struct shard_table_options {
  // Sentence pairs per exchange round (rounded down to whole blocks, at
  // least one block).  0: the whole shard in one round, whose fetched row
  // structure and lookup cache are kept across iterations (fastest; the
  // round's local table is then the shard's whole co-occurrence table).
  // A positive value bounds the per-round memory at the cost of rebuilding
  // each round's structure every iteration.  Does not change the model.
  std::size_t round_pairs = 0;
};

inline void validate(const shard_table_options&) {}  // every value is valid

// The rank that owns row `row` of a directional table.
inline int row_owner(std::size_t row, int ranks) noexcept {
  return static_cast<int>(row % static_cast<std::size_t>(ranks));
}

// What a rank held for one direction (bytes; the largest over the run).
struct shard_table_memory {
  std::size_t owned_pairs = 0;   // entries of the rows this rank owns
  std::size_t owned_bytes = 0;   // their table (lexical_table::memory_bytes: 12 per entry + 8 per row of the
                                 // vocabulary); training adds 8 bytes per owned entry for the counts
  std::size_t round_pairs = 0;   // entries of the largest round's local table
  std::size_t round_bytes = 0;   // the largest round's local table, its counts, lookup cache and exchange indices
};

// What train_sharded returns on each rank.
struct sharded_model {
  // Vocabularies, parameters (HMM, fast_align), records: complete on every
  // rank.  Tables: all rows present, but only the rows this rank owns
  // (row_owner) hold entries; the others are empty.
  model part;
  int rank = 0, ranks = 1;
  shard_table_memory forward_memory, reverse_memory;
};

namespace detail {

// One round: the local co-occurrence table of its pairs with the values
// fetched from the owners, and how its entries map to the owners' rows.
struct table_round {
  lexical_table local;
  lookup_cache cache;
  std::vector<std::uint64_t> send_counts;  // per owner: entries this rank requests
  std::vector<std::uint64_t> recv_counts;  // per requester: entries this rank serves
  std::vector<std::uint64_t> order;        // request position (grouped by owner) -> local entry
  std::vector<std::uint64_t> served;       // served request -> entry of this rank's owned table
  std::size_t memory_bytes() const noexcept {
    return local.memory_bytes() + cache.memory_bytes() + 8 * (order.capacity() + served.capacity()) +
           8 * local.size();  // + its counts
  }
};

// Exchange buffers reused across rounds and iterations.
struct table_exchange {
  std::vector<std::uint64_t> words, words_in, counts_in;
  std::vector<double> values, values_in;
};

// The (row, word) keys of `t`'s entries, grouped by owner (order[] gives the
// entry of each position); send_counts per owner.
inline void keys_by_owner(const lexical_table& t, int ranks, std::vector<std::uint64_t>& keys,
                          std::vector<std::uint64_t>& order, std::vector<std::uint64_t>& send_counts) {
  const auto P = static_cast<std::size_t>(ranks);
  send_counts.assign(P, 0);
  for (std::size_t r = 0; r < t.rows(); ++r) send_counts[r % P] += t.row_end(r) - t.row_begin(r);
  std::vector<std::uint64_t> at(P, 0);
  for (std::size_t q = 1; q < P; ++q) at[q] = at[q - 1] + send_counts[q - 1];
  keys.resize(t.size());
  order.resize(t.size());
  for (std::size_t r = 0; r < t.rows(); ++r) {
    std::uint64_t& pos = at[r % P];
    const auto cols = t.columns(r);
    for (std::size_t x = 0; x < cols.size(); ++x, ++pos) {
      keys[pos] = (std::uint64_t{r} << 32) | cols[x];
      order[pos] = t.row_begin(r) + x;
    }
  }
}

// The rows this rank owns of the whole corpus's co-occurrence table
// (lexical_table::from_cooccurrence), from the shards': each rank sends its
// shard's keys to their owners, which merge them.  Values uniform.
template <class G>
lexical_table sharded_cooccurrence(const bitext_view& shard, G& g) {
  const std::size_t rows = shard.given_vocabulary_size + 1;
  std::vector<std::uint64_t> keys, counts_out, received, counts_in;
  {
    std::vector<std::uint64_t> order;
    const lexical_table local = lexical_table::from_cooccurrence(shard);
    keys_by_owner(local, g.size(), keys, order, counts_out);
  }
  g.all_to_all(std::span<const std::uint64_t>(keys), std::span<const std::uint64_t>(counts_out), received, counts_in);
  keys = {};
  std::sort(received.begin(), received.end());
  received.erase(std::unique(received.begin(), received.end()), received.end());
  received.shrink_to_fit();
  std::vector<std::uint64_t> offsets(rows + 1, 0);
  std::vector<word_id> columns(received.size());
  for (std::size_t k = 0; k < received.size(); ++k) {
    ++offsets[(received[k] >> 32) + 1];
    columns[k] = static_cast<word_id>(received[k] & 0xFFFFFFFFu);
  }
  for (std::size_t r = 0; r < rows; ++r) offsets[r + 1] += offsets[r];
  const double uniform =
      shard.generated_vocabulary_size == 0 ? 1.0 : 1.0 / static_cast<double>(shard.generated_vocabulary_size);
  const std::size_t n = received.size();
  received = {};
  return lexical_table::from_rows(std::move(offsets), std::move(columns), std::vector<double>(n, uniform));
}

// Builds a round's local table and tells the owners which of their entries
// it will ask for (collective).
template <class G>
void prepare_round(const bitext_view& v, const lexical_table& owned, bool use_cache, const executor& ex, G& g,
                   table_round& rd, table_exchange& x) {
  rd.local = lexical_table::from_cooccurrence(v, ex);
  keys_by_owner(rd.local, g.size(), x.words, rd.order, rd.send_counts);
  g.all_to_all(std::span<const std::uint64_t>(x.words), std::span<const std::uint64_t>(rd.send_counts), x.words_in,
               rd.recv_counts);
  rd.served.resize(x.words_in.size());
  for (std::size_t k = 0; k < x.words_in.size(); ++k) {
    const std::size_t row = static_cast<std::size_t>(x.words_in[k] >> 32);
    const auto f = static_cast<word_id>(x.words_in[k] & 0xFFFFFFFFu);
    const std::size_t at = row < owned.rows() ? owned.find(row, f) : lexical_table::npos;
    if (at == lexical_table::npos)
      throw error("em::train_sharded: rank " + std::to_string(g.rank()) + " was asked for row " + std::to_string(row) +
                  ", word " + std::to_string(f) + ", which it does not hold (the ranks disagree on the corpus)");
    rd.served[k] = at;
  }
  rd.cache = use_cache ? lookup_cache::build(v, rd.local, ex) : lookup_cache{};
}

// Fills the round's local table with the owners' current values (collective).
template <class G>
void fetch_values(const lexical_table& owned, G& g, table_round& rd, table_exchange& x) {
  const auto p = owned.probabilities();
  x.values.resize(rd.served.size());
  for (std::size_t k = 0; k < rd.served.size(); ++k) x.values[k] = p[rd.served[k]];
  g.all_to_all(std::span<const double>(x.values), std::span<const std::uint64_t>(rd.recv_counts), x.values_in,
               x.counts_in);
  auto local = rd.local.probabilities();
  for (std::size_t pos = 0; pos < rd.order.size(); ++pos) local[rd.order[pos]] = x.values_in[pos];
}

// Sends the round's expected counts to the owners, which add them (collective).
template <class G>
void return_counts(const fixed_point_counts& local, G& g, const table_round& rd, fixed_point_counts& owned,
                   table_exchange& x) {
  x.words.resize(rd.order.size());
  for (std::size_t pos = 0; pos < rd.order.size(); ++pos) x.words[pos] = local.raw(rd.order[pos]);
  g.all_to_all(std::span<const std::uint64_t>(x.words), std::span<const std::uint64_t>(rd.send_counts), x.words_in,
               x.counts_in);
  auto cells = owned.cells();
  for (std::size_t k = 0; k < rd.served.size(); ++k) cells[rd.served[k]] += x.words_in[k];
}

// The rounds of one rank's shard of one direction: whole blocks, the same
// number on every rank (ranks with fewer pairs run empty rounds).
class shard_rounds {
 public:
  template <class G>
  shard_rounds(const parallel_corpus& corpus, bool reverse, std::size_t block_size, const shard_table_options& so,
               G& g)
      : corpus_(corpus), reverse_(reverse) {
    shard_ = shard_of(corpus.size(), block_size, g.rank(), g.size());
    const std::size_t blocks = block_count(shard_.size(), block_size);
    const std::size_t per = so.round_pairs == 0 ? std::max<std::size_t>(blocks, 1)
                                                : std::max<std::size_t>(so.round_pairs / block_size, 1);
    round_pairs_ = per * block_size;
    const std::size_t mine = so.round_pairs == 0 ? 1 : std::max<std::size_t>((blocks + per - 1) / per, 1);
    rounds_ = static_cast<std::size_t>(group_max(g, mine));
  }
  std::size_t size() const noexcept { return rounds_; }
  shard_range shard() const noexcept { return shard_; }
  shard_range range(std::size_t i) const noexcept {
    const std::size_t b = std::min(shard_.end, shard_.begin + i * round_pairs_);
    return {b, std::min(shard_.end, b + round_pairs_)};
  }
  const parallel_corpus& corpus() const noexcept { return corpus_; }
  bool reverse() const noexcept { return reverse_; }

 private:
  const parallel_corpus& corpus_;
  bool reverse_;
  shard_range shard_;
  std::size_t round_pairs_ = 0, rounds_ = 1;
};

// Runs body(view, round) for every round: with one round, its structure is
// prepared once (kept in `kept`); else every round is prepared anew.
template <class G, class Body>
void for_each_round(const shard_rounds& rounds, const lexical_table& owned, bool use_cache, const executor& ex, G& g,
                    std::optional<shard_view>& kept_view, table_round& kept, bool& prepared, table_exchange& x,
                    shard_table_memory& mem, Body&& body) {
  auto note = [&](const table_round& rd) {
    mem.round_pairs = std::max(mem.round_pairs, rd.local.size());
    mem.round_bytes = std::max(mem.round_bytes, rd.memory_bytes());
  };
  if (rounds.size() == 1) {
    if (!prepared) {
      kept_view.emplace(rounds.corpus(), rounds.range(0), rounds.reverse());
      prepare_round(kept_view->view(), owned, use_cache, ex, g, kept, x);
      prepared = true;
      note(kept);
    }
    body(kept_view->view(), kept);
    return;
  }
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    const shard_view v(rounds.corpus(), rounds.range(i), rounds.reverse());
    table_round rd;
    prepare_round(v.view(), owned, use_cache, ex, g, rd, x);
    note(rd);
    body(v.view(), rd);
  }
}

inline void append(std::vector<double>& to, const std::vector<double>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

inline void add_cells(fixed_point_counts& total, const fixed_point_counts& part) {
  auto t = total.cells();
  for (std::size_t k = 0; k < part.size(); ++k) t[k] += part.raw(k);
}

// train_directional over a shard, with the table sharded by given word.
template <class G, class Obs>
directional_model sharded_train_directional(const parallel_corpus& corpus, bool reverse,
                                            const train_options& options, const shard_table_options& so,
                                            const executor& ex, G& g, Obs& obs, shard_table_memory& mem) {
  const std::string dir = reverse ? "reverse" : "forward";
  const shard_rounds rounds(corpus, reverse, options.block_size, so, g);
  directional_model m;
  m.kind = options.model;
  std::size_t longest = 0;
  length_histogram lengths;
  {
    const shard_view s(corpus, rounds.shard(), reverse);
    m.table = sharded_cooccurrence(s.view(), g);
    longest = static_cast<std::size_t>(group_max(g, max_given_length(s.view())));
    if (options.model == model_kind::fast_align) lengths = group_length_pairs(s.view(), g);
  }
  mem.owned_pairs = m.table.size();
  mem.owned_bytes = m.table.memory_bytes();
  const bool use_cache =
      options.model == model_kind::fast_align ? options.fast_align.cache_lookups : options.ibm1.cache_lookups;
  std::optional<shard_view> kept_view;
  table_round kept;
  bool prepared = false;
  table_exchange x;
  fixed_point_counts owned_counts, local_counts;
  std::vector<double> block_ll, all;
  auto rounds_do = [&](auto&& body) {
    for_each_round(rounds, m.table, use_cache, ex, g, kept_view, kept, prepared, x, mem, body);
  };
  auto finish = [&](std::string name, em_result r) {
    append_stage(m.convergence, r.convergence);
    m.stages.push_back({std::move(name), std::move(r)});
    return m.convergence.status == solver_status::stopped_by_observer;
  };
  auto stage_loop = [&](std::string_view stage, std::size_t iterations, auto&& estep, auto&& mstep) {
    em_result result;
    result.log_likelihood.reserve(iterations);
    for (std::size_t it = 1; it <= iterations; ++it) {
      owned_counts.assign(m.table.size());
      block_ll.clear();
      estep();
      const double ll = group_ordered_sum(g, block_ll, all);
      mstep(it);
      if (record_iteration_group(g, result, it, iterations, ll, obs, stage)) return result;
    }
    result.convergence.status = solver_status::max_iterations;
    return result;
  };

  if (options.model == model_kind::fast_align) {
    fast_align_options fo = options.fast_align;
    fo.block_size = options.block_size;
    m.probability_floor = fo.probability_floor;
    m.fast_align.p0 = fo.p0;
    m.fast_align.lambda = fo.lambda;
    m.fast_align.favor_diagonal = fo.favor_diagonal;
    std::vector<emission_scratch> work;
    fast_align_block_sums sums, local, global;
    const std::string stage = "em.fast_align." + dir;
    auto estep = [&] {
      local.assign(0);
      rounds_do([&](const bitext_view& v, table_round& rd) {
        fetch_values(m.table, g, rd, x);
        const std::size_t blocks = block_count(v.size(), fo.block_size);
        if (work.size() < ex.workers_for(blocks)) work.resize(ex.workers_for(blocks));
        for (auto& w : work) w.reserve(v.given->max_length(), v.generated->max_length());
        sums.assign(blocks);
        fast_align_expectation(v, rd.local, m.fast_align, fo, rd.cache, ex, local_counts, work, sums);
        append(local.ll, sums.ll);
        append(local.feature, sums.feature);
        append(local.nonnull, sums.nonnull);
        append(local.tokens, sums.tokens);
        return_counts(local_counts, g, rd, owned_counts, x);
      });
      block_ll = local.ll;
    };
    auto mstep = [&](std::size_t it) {
      g.all_gather(std::span<const double>(local.feature), global.feature);
      g.all_gather(std::span<const double>(local.nonnull), global.nonnull);
      g.all_gather(std::span<const double>(local.tokens), global.tokens);
      global.ll = all;  // gathered by the stage loop
      normalize_counts(m.table, owned_counts, fo.vb_alpha);
      if (fo.optimize_tension && m.fast_align.favor_diagonal && it > 1)
        fit_tension(m.fast_align, lengths, global, fo.compat);
    };
    finish(stage, stage_loop(stage, fo.iterations, estep, mstep));
    return m;
  }

  ibm1_options io = options.ibm1;
  io.block_size = options.block_size;
  m.probability_floor = io.probability_floor;
  {
    ibm1_estep_scratch scratch;
    auto estep = [&] {
      rounds_do([&](const bitext_view& v, table_round& rd) {
        fetch_values(m.table, g, rd, x);
        ibm1_expectation(v, rd.local, local_counts, io.probability_floor, ex, io.block_size, &rd.cache, &scratch);
        append(block_ll, scratch.block_ll);
        return_counts(local_counts, g, rd, owned_counts, x);
      });
    };
    auto mstep = [&](std::size_t) { normalize_counts(m.table, owned_counts, io.vb_alpha); };
    const std::string s1 = "em.ibm1." + dir;
    if (finish(s1, stage_loop(s1, io.iterations, estep, mstep))) return m;
  }
  if (options.model == model_kind::hmm && options.hmm.iterations > 0) {
    m.has_hmm = true;
    hmm_options ho = options.hmm;
    ho.block_size = options.block_size;
    m.probability_floor = ho.probability_floor;
    m.hmm = hmm_parameters::uniform(longest, ho);
    hmm_parameters& p = m.hmm;
    p.configure(ho);
    hmm_estep_scratch scratch;
    fixed_point_counts jumps, starts, ends, jump_total, start_total, end_total;
    auto estep = [&] {
      jump_total.assign(p.jump.size());
      start_total.assign(p.start.size());
      end_total.assign(p.end.size());
      rounds_do([&](const bitext_view& v, table_round& rd) {
        fetch_values(m.table, g, rd, x);
        hmm_expectation(v, rd.local, p, local_counts, jumps, starts, ho.probability_floor, ex, ho.block_size,
                        &rd.cache, &scratch, &ends);
        append(block_ll, scratch.block_ll);
        add_cells(jump_total, jumps);
        add_cells(start_total, starts);
        add_cells(end_total, ends);
        return_counts(local_counts, g, rd, owned_counts, x);
      });
    };
    auto mstep = [&](std::size_t) {
      g.sum(jump_total.cells());
      g.sum(start_total.cells());
      g.sum(end_total.cells());
      normalize_counts(m.table, owned_counts, ho.vb_alpha);
      normalize_vector(p.jump, jump_total);
      normalize_vector(p.start, start_total);
      if (!p.end.empty()) normalize_vector(p.end, end_total);
    };
    const std::string s2 = "em.hmm." + dir;
    finish(s2, stage_loop(s2, ho.iterations, estep, mstep));
  }
  return m;
}

// A directional model with the parameters of `m` and the table `t`.
inline directional_model with_table(const directional_model& m, lexical_table t) {
  directional_model d;
  d.kind = m.kind;
  d.table = std::move(t);
  d.has_hmm = m.has_hmm;
  d.fast_align = m.fast_align;
  d.hmm = m.hmm;
  d.probability_floor = m.probability_floor;
  return d;
}

// The whole table of a direction on `root` (empty elsewhere), from the owners' rows.
template <class G>
lexical_table gather_table(const lexical_table& owned, int root, G& g) {
  std::vector<std::uint64_t> keys, all_keys;
  std::vector<double> all_values;
  keys.reserve(owned.size());
  for (std::size_t r = 0; r < owned.rows(); ++r)
    for (word_id c : owned.columns(r)) keys.push_back((std::uint64_t{r} << 32) | c);
  gather_to(g, root, std::span<const std::uint64_t>(keys), all_keys);
  keys = {};
  gather_to(g, root, owned.probabilities(), all_values);
  if (g.rank() != root) return {};
  std::vector<std::uint64_t> order(all_keys.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(), [&](std::uint64_t a, std::uint64_t b) { return all_keys[a] < all_keys[b]; });
  std::vector<std::uint64_t> offsets(owned.rows() + 1, 0);
  std::vector<word_id> columns(order.size());
  std::vector<double> values(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::uint64_t key = all_keys[order[k]];
    ++offsets[(key >> 32) + 1];
    columns[k] = static_cast<word_id>(key & 0xFFFFFFFFu);
    values[k] = all_values[order[k]];
  }
  for (std::size_t r = 0; r < owned.rows(); ++r) offsets[r + 1] += offsets[r];
  return lexical_table::from_rows(std::move(offsets), std::move(columns), std::move(values));
}

}  // namespace detail

// em::train over the ranks of `group` with each direction's lexical table
// sharded by given word (row_owner): every rank passes the whole corpus and
// gets the rows it owns plus every other parameter; gather_model(result)
// is bit-identical to em::train(corpus, options) on one process.  The same
// options as train_distributed, except: no lexical priors (forward_prior /
// reverse_prior: they act on whole tables) and no pruning.
template <rank_group G>
sharded_model train_sharded(const parallel_corpus& corpus, const train_options& options,
                            const shard_table_options& sharding, G& group, observer_ref obs = {}) {
  validate(options);
  validate(sharding);
  detail::require_distributable(options);
  validation::require(options.forward_prior == nullptr && options.reverse_prior == nullptr,
                      "em::train_options.forward_prior/reverse_prior", "set",
                      "null for em::train_sharded (a prior acts on the whole table)");
  validation::require(!options.pruning.active(), "em::train_options.pruning", "active",
                      "off for em::train_sharded (pruning is not sharded yet)");
  detail::require_group(group.rank(), group.size());
  const executor ex(options.parallel);
  sharded_model out;
  out.rank = group.rank();
  out.ranks = group.size();
  model& m = out.part;
  m.source_vocabulary = corpus.source_vocabulary();
  m.target_vocabulary = corpus.target_vocabulary();
  bool stopped = false;
  if (options.directions != directions::reverse) {
    m.forward = detail::sharded_train_directional(corpus, false, options, sharding, ex, group, obs, out.forward_memory);
    append_stage(m.convergence, m.forward.convergence);
    stopped = m.convergence.status == solver_status::stopped_by_observer;
  }
  if (options.directions != directions::forward && !stopped) {
    m.reverse = detail::sharded_train_directional(corpus, true, options, sharding, ex, group, obs, out.reverse_memory);
    append_stage(m.convergence, m.reverse.convergence);
  }
  return out;
}

// em::align of the training corpus with a sharded model: each rank decodes
// its shard, round by round, against rows fetched from their owners; rank 0
// gets all alignments (identical to em::align(gather_model(...), corpus,
// options)), the others empty links.  Posteriors are not gathered.
template <rank_group G>
bidirectional_alignments align_sharded(const sharded_model& sm, const parallel_corpus& corpus,
                                       const align_options& options, const shard_table_options& sharding, G& group) {
  validate(options);
  validate(sharding);
  validation::require(!options.with_posteriors, "em::align_options.with_posteriors", "true",
                      "false for em::align_sharded (posteriors are not gathered)");
  detail::require_group(group.rank(), group.size());
  if (sm.rank != group.rank() || sm.ranks != group.size())
    throw invalid_argument("em::align_sharded: the model was trained by rank " + std::to_string(sm.rank) + " of " +
                           std::to_string(sm.ranks) + ", this is rank " + std::to_string(group.rank()) + " of " +
                           std::to_string(group.size()));
  if (!detail::same_words(sm.part.source_vocabulary, corpus.source_vocabulary()) ||
      !detail::same_words(sm.part.target_vocabulary, corpus.target_vocabulary()))
    throw invalid_argument("em::align_sharded: the corpus must use the model's vocabularies (the training corpus)");
  const executor ex(options.parallel);
  bidirectional_alignments out;
  for (bool reverse : {false, true}) {
    const directional_model& dm = reverse ? sm.part.reverse : sm.part.forward;
    if (!dm.trained()) continue;
    const detail::shard_rounds rounds(corpus, reverse, options.block_size, sharding, group);
    alignment_corpus links;
    links.reserve(rounds.shard().size());
    detail::table_exchange x;
    for (std::size_t i = 0; i < rounds.size(); ++i) {
      const shard_view v(corpus, rounds.range(i), reverse);
      detail::table_round rd;
      detail::prepare_round(v.view(), dm.table, false, ex, group, rd, x);
      detail::fetch_values(dm.table, group, rd, x);
      const directional_model local = detail::with_table(dm, std::move(rd.local));
      auto dec = detail::decode_directional(local, v.view(), !reverse, options, ex);
      for (auto& s : dec.links) links.push_back(std::move(s));
    }
    (reverse ? out.reverse : out.forward).links = detail::group_links(links, corpus.size(), group);
  }
  return out;
}

// The whole model on rank `root` (bit-identical to em::train's), from the
// owners' rows; the other ranks get an empty model.  Rank `root` then holds
// every table: call it to save the model, after decoding.
template <rank_group G>
model gather_model(const sharded_model& sm, G& group, int root = 0) {
  detail::require_group(group.rank(), group.size());
  if (root < 0 || root >= group.size()) throw invalid_argument("em::gather_model: root is not a rank of the group");
  model m;
  const bool here = group.rank() == root;
  if (here) {
    m.source_vocabulary = sm.part.source_vocabulary;
    m.target_vocabulary = sm.part.target_vocabulary;
    m.convergence = sm.part.convergence;
  }
  for (auto d : {&model::forward, &model::reverse}) {
    const directional_model& part = sm.part.*d;
    if (!part.trained()) continue;
    lexical_table t = detail::gather_table(part.table, root, group);
    if (!here) continue;
    m.*d = detail::with_table(part, std::move(t));
    (m.*d).stages = part.stages;
    (m.*d).convergence = part.convergence;
  }
  return m;
}

}  // namespace em
LEXALIGN_NAMESPACE_END
