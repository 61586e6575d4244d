// lexalign/bayes/distributed.hpp - the approximate distributed Gibbs sampler:
// each rank samples its shard of the corpus against a snapshot of the other
// ranks' counts, and the ranks' counts are merged after every sweep
// (Newman et al.'s AD-LDA scheme applied to the Gibbs aligner of
// bayes/gibbs_aligner.hpp).
//
//   lexalign::mpi::communicator world;                        // or any em::rank_group
//   auto out = lexalign::bayes::train_and_align_distributed(corpus, {.seed = 1}, world);
//   // rank 0: out.forward.links / out.reverse.links for the whole corpus
//
// Chain x of a direction exists on every rank, over that rank's shard
// (em::shard_of, whole blocks of gibbs_options::block_size).  Its collapsed
// conditionals use the Dirichlet parameters alpha + (the other ranks' counts
// of chain x at the last merge) and the chain's own live counts: the
// mechanism of bayes::align's model priors (detail::apply_priors), refreshed
// after every sweep.  After a sweep every rank contributes its chain's
// counts (lexical entries, jump bins, fertility cells: integers), they are
// summed over the ranks, and "others" = total - own becomes the next
// sweep's snapshot.  Within a sweep a rank does not see the other ranks'
// moves: that is the approximation (exact with one rank).
//
// Deterministic per (seed, number of ranks): rank 0's chains use the streams
// of the single-process sampler (so one rank reproduces
// bayes::train_and_align with one thread exactly), rank r > 0 streams
// derived from (seed, r).  Threads: a rank samples its chains one after the
// other (gibbs_options::parallel is used for decoding only).
//
// Output: rank 0 gets every pair's links (gibbs_result::forward/reverse
// .links, in corpus order); other ranks empty links.  Not produced:
// posteriors, marginals, the model (keep_model) and per-link probabilities.
// The marginals of the last sweeps are accumulated as in the single-process
// sampler (accumulate_sweeps, marginal_cache_bytes per rank's shard).
//
// Memory per rank: the shard's chains as in the single-process sampler, plus
// per chain the snapshot of the other ranks' lexical counts (sparse, 12 bytes
// per non-zero entry of the merged table) and, during a merge, every rank's
// non-zero lexical entries (16 bytes each): the merged count table is held by
// every rank.
//
// Uses the sampler's kernel (bayes::detail: make_problem, apply_priors,
// finish_problem, initialize_links, rebuild_lexical, rebuild_structure,
// sweep, decode); bayes/gibbs_aligner.hpp itself is unchanged.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/em/distributed.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {
namespace detail {

// The stream of chain `x` of direction `reverse` on rank `rank`.
inline std::uint64_t distributed_stream(std::uint64_t seed, int rank, std::size_t x, bool reverse) {
  const std::uint64_t s = rank == 0 ? seed : stream_seed(seed, 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(rank));
  return stream_seed(s, 2 * x + (reverse ? 1 : 0));
}

// One chain's own counts as flat integers: lexical (row << 32 | f, n) sorted
// by key, then the jump bins and fertility cells (dense).
inline void own_lexical(const chain_state& c, std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& counts) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> e;
  for (std::size_t f = 0; f < c.lexical.rows(); ++f)
    c.lexical.for_each(f, [&](word_id row, std::uint32_t n) {
      if (n != 0) e.push_back({(std::uint64_t{row} << 32) | f, n});
    });
  std::sort(e.begin(), e.end());
  keys.resize(e.size());
  counts.resize(e.size());
  for (std::size_t k = 0; k < e.size(); ++k) {
    keys[k] = e[k].first;
    counts[k] = e[k].second;
  }
}

// The other ranks' counts of every chain: (every rank's counts) - (own), in
// two collectives for all chains: one all_gather of the lexical entries
// (per rank, per chain: n, n keys, n counts) and one sum of the dense jump
// bins and fertility cells.
// `stop` is or-ed over the ranks (carried by the dense sum).
template <class G>
std::vector<directional_counts> others_counts(const direction_problem& p, const std::vector<chain_state>& chains,
                                              stage st, G& g, bool& stop) {
  const std::size_t S = chains.size();
  std::vector<directional_counts> out(S);
  std::vector<std::uint64_t> packed, all, keys, counts;
  for (const chain_state& c : chains) {
    own_lexical(c, keys, counts);
    packed.push_back(keys.size());
    packed.insert(packed.end(), keys.begin(), keys.end());
    packed.insert(packed.end(), counts.begin(), counts.end());
  }
  g.all_gather(std::span<const std::uint64_t>(packed), all);
  packed = {};
  // Per chain: the other ranks' entries (positions in `all`).
  std::vector<std::vector<std::uint64_t>> others(S);  // positions of keys; count at +n
  std::vector<std::vector<std::uint64_t>> count_at(S);
  std::size_t pos = 0;
  for (int q = 0; q < g.size(); ++q)
    for (std::size_t x = 0; x < S; ++x) {
      if (pos >= all.size()) throw error("bayes distributed: a rank sent too few counts");
      const std::size_t n = static_cast<std::size_t>(all[pos++]);
      if (n > (all.size() - pos) / 2) throw error("bayes distributed: a rank sent truncated counts");
      if (q != g.rank())
        for (std::size_t k = 0; k < n; ++k) {
          others[x].push_back(pos + k);
          count_at[x].push_back(pos + n + k);
        }
      pos += 2 * n;
    }
  for (std::size_t x = 0; x < S; ++x) {
    auto& idx = others[x];
    std::vector<std::uint64_t> order(idx.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::uint64_t a, std::uint64_t b) { return all[idx[a]] < all[idx[b]]; });
    auto& lex = out[x].lexical;
    lex.offsets.assign(1, 0);
    std::size_t row = 0;
    for (std::size_t k = 0; k < order.size();) {
      const std::uint64_t key = all[idx[order[k]]];
      std::uint64_t n = 0;
      for (; k < order.size() && all[idx[order[k]]] == key; ++k) n += all[count_at[x][order[k]]];
      const auto r = static_cast<std::size_t>(key >> 32);
      for (; row < r; ++row) lex.offsets.push_back(lex.columns.size());
      lex.columns.push_back(static_cast<word_id>(key & 0xFFFFFFFFu));
      lex.values.push_back(static_cast<float>(n));
    }
    for (; row < p.rows; ++row) lex.offsets.push_back(lex.columns.size());
    if (lex.size() == 0) lex = {};  // no prior: the single-process path
  }
  // Jump bins (from the HMM stage) and fertility cells (fertility stage): dense sums.
  const std::size_t J = st == stage::ibm1 ? 0 : p.jump_bins();
  const std::size_t F = st == stage::fertility ? p.given_vocabulary * p.fertility_bins : 0;
  std::vector<std::uint64_t> total;
  total.reserve(S * (J + F));
  for (const chain_state& c : chains) {
    total.insert(total.end(), c.jump.begin(), c.jump.begin() + static_cast<std::ptrdiff_t>(J));
    total.insert(total.end(), c.fertility.begin(), c.fertility.begin() + static_cast<std::ptrdiff_t>(F));
  }
  total.push_back(stop ? 1 : 0);
  g.sum(std::span<std::uint64_t>(total));
  stop = total.back() != 0;
  for (std::size_t x = 0; x < S; ++x) {
    const std::uint64_t* t = total.data() + x * (J + F);
    bool any_jump = false, any_fertility = false;
    out[x].jump.resize(J);
    for (std::size_t b = 0; b < J; ++b) {
      out[x].jump[b] = static_cast<double>(t[b] - chains[x].jump[b]);
      any_jump = any_jump || out[x].jump[b] != 0.0;
    }
    out[x].fertility.resize(F);
    for (std::size_t b = 0; b < F; ++b) {
      out[x].fertility[b] = static_cast<float>(t[J + b] - chains[x].fertility[b]);
      any_fertility = any_fertility || out[x].fertility[b] != 0.0f;
    }
    if (!any_jump) out[x].jump.clear();
    if (!any_fertility) out[x].fertility.clear();
  }
  return out;
}

// Sets the problem's Dirichlet parameters to alpha + `others`.
inline void set_snapshot(direction_problem& p, const directional_counts& others, const gibbs_options& o,
                         const executor& ex) {
  p.jump_prior.clear();
  p.fertility_prior.clear();
  p.lexical_prior = {};
  p.has_lexical_prior = false;
  p.row_base.assign(p.rows, 0.0);
  apply_priors(p, others, p.given_vocabulary, p.generated_vocabulary);
  finish_problem(p, o, ex);
}

// One direction over the rank's shard.
template <class G>
em::decoded_alignments distributed_direction(const parallel_corpus& corpus, bool reverse, const gibbs_options& o,
                                             const sweep_schedule& s, const em::directional_model* em_model,
                                             const executor& ex, G& g, observer_ref obs, bool& stopped,
                                             std::vector<convergence_info>& records) {
  const em::shard_range range = em::shard_of(corpus.size(), o.block_size, g.rank(), g.size());
  const em::shard_view shard(corpus, range, reverse);
  const std::size_t S = o.samplers;
  std::vector<direction_problem> problems(S);
  std::vector<chain_state> chains(S);
  for (std::size_t x = 0; x < S; ++x) {
    problems[x] = make_problem(shard.view(), o);
    finish_problem(problems[x], o, ex);
    chains[x].rng.seed(distributed_stream(o.seed, g.rank(), x, reverse));
  }
  const stage last = last_stage(s);
  const std::size_t last_sweeps = last == stage::fertility ? s.fertility : last == stage::hmm ? s.hmm : s.ibm1;
  const std::size_t K = std::min(last_sweeps, o.accumulate_sweeps == automatic
                                                  ? std::max<std::size_t>(1, last_sweeps / 4)
                                                  : o.accumulate_sweeps);
  std::vector<std::uint32_t> cells;
  marginal_accumulator acc;
  {
    const std::size_t n = problems[0].index_offset.empty() ? 0 : problems[0].index_offset.back();
    // Every rank decides the same way (the largest shard decides).
    const bool fits = K > 0 && em::detail::group_max(g, n * sizeof(std::uint32_t)) <= o.marginal_cache_bytes;
    if (fits) {
      cells.assign(n, 0);
      acc = {cells.data(), std::floor(4294967295.0 / static_cast<double>(S * K)), false};
    }
  }
  sentence_scratch scratch;
  scratch.reserve(shard.view().given->max_length(), shard.view().generated->max_length());
  {
    em::hmm_workspace ws;
    for (std::size_t x = 0; x < S; ++x) {
      initialize_links(problems[x], chains[x], o, em_model, ws);
      rebuild_lexical(problems[x], chains[x]);
    }
  }
  records.assign(S, {});
  const char* direction = reverse ? "reverse" : "forward";
  const double tokens = static_cast<double>(std::max<std::size_t>(1, chains[0].links.size()));
  // Merges the chains' counts (every rank) and agrees on `stop`.
  auto merge = [&](stage st, bool& stop) {
    const std::vector<directional_counts> others = others_counts(problems[0], chains, st, g, stop);
    for (std::size_t x = 0; x < S; ++x) set_snapshot(problems[x], others[x], o, ex);
  };
  const std::pair<stage, std::size_t> stages[] = {{stage::ibm1, s.ibm1}, {stage::hmm, s.hmm}, {stage::fertility, s.fertility}};
  for (const auto& [st, n] : stages) {
    if (n == 0 || stopped) continue;
    for (std::size_t x = 0; x < S; ++x) {
      chains[x].lexical.compact();
      rebuild_structure(problems[x], chains[x], st, scratch);
    }
    bool no_stop = false;
    merge(st, no_stop);
    const char* sname = st == stage::ibm1 ? "ibm1" : st == stage::hmm ? "hmm" : "fertility";
    for (std::size_t it = 1; it <= n && !stopped; ++it) {
      bool stop = false;
      const bool add = !cells.empty() && st == last && it + K > n;
      for (std::size_t x = 0; x < S; ++x) {
        const std::size_t changed = sweep(problems[x], chains[x], st, scratch, add ? &acc : nullptr);
        ++records[x].iterations;
        records[x].error = static_cast<double>(changed) / tokens;
        if (obs) {
          const std::string label = std::string("bayes.") + sname + "." + direction + "." + std::to_string(x);
          const iteration_event ev{label, it, records[x].error, std::numeric_limits<double>::quiet_NaN(), n};
          if (obs(ev) == observer_action::stop) stop = true;
        }
      }
      merge(st, stop);  // the next sweep's snapshot (and the final one); a stop on any rank stops all
      stopped = stop;
    }
  }
  for (auto& r : records)
    r.status = stopped ? solver_status::stopped_by_observer : solver_status::max_iterations;
  for (std::size_t x = 0; x < S; ++x) {
    rebuild_structure(problems[x], chains[x], last, scratch);
    chains[x].lexical.compact();
  }
  if (stopped) cells.clear();
  em::decoded_alignments out;
  if (!cells.empty() || S == 1 || g.size() == 1) {  // one rank: every chain has the same (empty) snapshot
    out = decode(problems[0], chains, last, !reverse, ex, o.block_size, cells);
  } else {
    // Each chain's conditionals with its own snapshot, averaged, then the
    // argmax rule of decode (NULL only if strictly more probable).
    std::vector<std::vector<float>> sum, one;
    for (std::size_t x = 0; x < S; ++x) {
      const std::vector<chain_state> single(1, chains[x]);
      decode(problems[x], single, last, !reverse, ex, o.block_size, cells, &one);
      if (sum.empty()) sum = std::move(one);
      else
        for (std::size_t k = 0; k < sum.size(); ++k)
          for (std::size_t c = 0; c < sum[k].size(); ++c) sum[k][c] += one[k][c];
    }
    const auto& view = shard.view();
    out.links.resize(view.size());
    for (std::size_t k = 0; k < view.size(); ++k) {
      const std::size_t l1 = (*view.given)[k].size() + 1;
      const std::size_t m = (*view.generated)[k].size();
      if (sum[k].empty()) continue;
      for (std::size_t j = 0; j < m; ++j) {
        const float* q = sum[k].data() + j * l1;
        std::size_t best = 1;
        for (std::size_t x = 2; x < l1; ++x)
          if (q[x] > q[best]) best = x;
        if (q[0] > q[best]) continue;
        const auto i = static_cast<std::uint32_t>(best - 1), jj = static_cast<std::uint32_t>(j);
        out.links[k].sure.push_back(reverse ? link{jj, i} : link{i, jj});
      }
      std::sort(out.links[k].sure.begin(), out.links[k].sure.end());
    }
  }
  em::decoded_alignments gathered;
  gathered.links = em::detail::group_links(out.links, corpus.size(), g);
  gathered.convergence = {solver_status::max_iterations, 1, 0.0};
  return gathered;
}

}  // namespace detail

// bayes::train_and_align over the ranks of `group` (any em::rank_group, e.g.
// mpi::communicator), each rank sampling its shard against a snapshot of the
// other ranks' counts merged after every sweep (see the top of this file).
// Every rank passes the whole corpus; rank 0 gets the alignments of all
// pairs.  Refused: keep_model, keep_marginals and the lexical priors
// (forward_lexical_prior / reverse_lexical_prior).
template <em::rank_group G>
gibbs_result train_and_align_distributed(const parallel_corpus& corpus, const gibbs_options& options, G& group,
                                         observer_ref obs = {}) {
  validate(options);
  validation::require(!options.keep_model, "bayes::gibbs_options.keep_model", "true",
                      "false for the distributed sampler (the model is not gathered)");
  validation::require(!options.keep_marginals, "bayes::gibbs_options.keep_marginals", "true",
                      "false for the distributed sampler (marginals are not gathered)");
  validation::require(options.forward_lexical_prior == nullptr && options.reverse_lexical_prior == nullptr,
                      "bayes::gibbs_options.forward_lexical_prior/reverse_lexical_prior", "set",
                      "null for the distributed sampler");
  em::detail::require_group(group.rank(), group.size());
  const executor ex(options.parallel);
  gibbs_result result;
  result.schedule = detail::resolve_schedule(options, corpus.size());
  std::optional<em::model> em_model;
  bool stopped = false;
  if (options.init == initialization::em) {
    em::train_options eo = options.em_init;
    eo.parallel = options.parallel;
    prefixed_observer<observer_ref> prefixed("bayes.init", obs);
    em_model = em::train_distributed(corpus, eo, group, prefixed);
    stopped = em_model->convergence.status == solver_status::stopped_by_observer;
  }
  result.forward = detail::distributed_direction(corpus, false, options, result.schedule,
                                                 em_model ? &em_model->forward : nullptr, ex, group, obs, stopped,
                                                 result.chains.forward);
  result.reverse = detail::distributed_direction(corpus, true, options, result.schedule,
                                                 em_model ? &em_model->reverse : nullptr, ex, group, obs, stopped,
                                                 result.chains.reverse);
  detail::summarise_chains(result);
  return result;
}

}  // namespace bayes
LEXALIGN_NAMESPACE_END
