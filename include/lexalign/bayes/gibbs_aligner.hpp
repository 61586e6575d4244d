// lexalign/bayes/gibbs_aligner.hpp - Bayesian word alignment by collapsed
// Gibbs sampling: lexical, HMM-jump and fertility components with Dirichlet
// priors (the model of eflomal, Östling & Tiedemann 2016), both directions.
//
//   auto corpus = lexalign::io::read_parallel_corpus_files("x.en", "x.fr");
//   auto out = lexalign::bayes::train_and_align(corpus, {.seed = 42, .parallel = {.threads = 2}});
//   // out.forward.links / out.reverse.links: alignment_corpus, source-target order
//   // out.forward.posteriors[k][n]: averaged marginal probability of links[k].sure[n]
//   auto m = lexalign::bayes::train(corpus, {.seed = 42});      // the counts only
//   auto more = lexalign::bayes::align(m, new_pairs, {.seed = 1});  // new text, the counts as priors
//
// Observer stages: "bayes.<ibm1|hmm|fertility>.<forward|reverse>.<sampler>"
// after every sweep of every chain (error = fraction of the chain's links
// that changed in the sweep, objective NaN), and "bayes.init.em.ibm1.forward"
// ... for the EM initialisation.  Calls are serialised; with one thread the
// chains run forward 0, 1, ..., then reverse 0, 1, ...; with several threads
// the chains' events interleave.  A stop ends the whole call: every chain
// ends after its current sweep (with one thread: the chains after the one
// that stopped run no sweep), the alignment is decoded from the chains'
// final states, and convergence.status is stopped_by_observer.
//
// Each direction runs options.samplers independent chains (seeded from
// options.seed), staged IBM1 -> HMM -> fertility.  At the end, every token's
// exact conditional distribution P(a_j | all other links) is computed in each
// chain's final state; these are averaged over the chains and each generated
// token is linked to the argmax (NULL only if strictly more probable than
// every position).  Chains and directions run in parallel; every chain has
// its own random stream, so the output is identical for any thread count.
//
// Memory: the corpus is not copied (unless a model's vocabulary has to be
// mapped); each chain holds one 4-byte link per generated token, its
// non-zero lexical counts in small hash tables (detail/count_table.hpp, 8
// bytes a slot, at most half full), 4-byte row totals, jump bins and
// fertility cells; a chain that has finished sampling keeps its links packed
// (1 byte each when no sentence has 255 or more given words, else 2 or 4)
// until it is decoded.  With one worker the directions run one after the other,
// so only one direction's chains (and sums) exist at a time; with more, all
// chains run at once.  docs/bayes_profile.md has the measurements.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <atomic>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lexalign/bayes/detail/random.hpp"
#include "lexalign/bayes/detail/sampler.hpp"
#include "lexalign/bayes/gibbs_options.hpp"
#include "lexalign/bayes/model.hpp"
#include "lexalign/bayes/schedule.hpp"
#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/corpus_mapping.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/parallel.hpp"
#include "lexalign/core/status.hpp"
#include "lexalign/em/lexical_table.hpp"
#include "lexalign/em/pipeline.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace bayes {

struct gibbs_result {
  // Links in source-target order; posteriors[k][n] = averaged marginal of links[k].sure[n].
  em::decoded_alignments forward;  // each target token linked to at most one source token
  em::decoded_alignments reverse;  // each source token linked to at most one target token
  sweep_schedule schedule;         // sweeps scheduled per chain
  std::optional<bayes::model> model;  // with options.keep_model
  // Each chain's record, chain x of each direction at [x]: iterations =
  // sweeps run (all stages), error = fraction of its links that changed in
  // its last sweep, status max_iterations (the schedule ran to its end) or
  // stopped_by_observer.
  struct chain_records {
    std::vector<convergence_info> forward, reverse;
  } chains;
  // The summary: status stopped_by_observer if any chain stopped (else
  // max_iterations), iterations = the most sweeps any chain ran, error = the
  // largest of the chains' errors.
  convergence_info convergence;
  // With gibbs_options::keep_marginals: pair k's averaged conditional
  // distributions, generated-token major with NULL first: entry
  // [j * (l + 1) + 0] is P(a_j = NULL), [j * (l + 1) + i + 1] is P(a_j = i),
  // for the l given and the generated tokens of that direction (forward:
  // given = source, generated = target; reverse: the other way round).
  // What decoding took its argmax of; empty pairs stay empty.
  std::vector<std::vector<float>> forward_marginals, reverse_marginals;
};

namespace detail {

inline sweep_schedule resolve_schedule(const gibbs_options& o, std::size_t sentences) {
  const sweep_schedule d = default_schedule(sentences, o.model, o.schedule_scale);
  sweep_schedule s{o.ibm1_sweeps == automatic ? d.ibm1 : o.ibm1_sweeps,
                   o.hmm_sweeps == automatic ? d.hmm : o.hmm_sweeps,
                   o.fertility_sweeps == automatic ? d.fertility : o.fertility_sweeps};
  if (o.model < stage::hmm) s.hmm = 0;
  if (o.model < stage::fertility) s.fertility = 0;
  return s;
}

// A direction's problem without priors.
inline direction_problem make_problem(const em::bitext_view& view, const gibbs_options& o) {
  direction_problem p;
  p.view = view;
  p.generated_base = view.generated->size() == 0 ? nullptr : (*view.generated)[0].data();
  p.rows = view.given_vocabulary_size + 1;
  p.given_vocabulary = view.given_vocabulary_size;
  p.generated_vocabulary = view.generated_vocabulary_size;
  p.lexical_alpha = o.lexical_alpha;
  p.null_alpha = o.null_alpha;
  p.jump_alpha = o.jump_alpha;
  p.fertility_alpha = o.fertility_alpha;
  p.null_prior = o.null_prior;
  p.max_jump = o.max_jump;
  p.fertility_bins = o.fertility_bins;
  return p;
}

// Adds a model's counts as pseudo-counts.  The view's ids must be the model's
// ids, extended by new words (ids >= the model's vocabulary sizes).
inline void apply_priors(direction_problem& p, const directional_counts& m, std::size_t model_given,
                         std::size_t model_generated) {
  if (!m.jump.empty()) {
    if (m.jump.size() != p.jump_bins()) throw invalid_argument("bayes: model jump table does not match max_jump");
    p.jump_prior = m.jump;
  }
  // The model's rows are rows of this problem (new words only add rows).
  std::vector<double> row_prior(p.rows, 0.0);
  for (std::size_t r = 0; r < p.rows && r <= model_given && r < m.lexical.rows(); ++r)
    row_prior[r] = m.lexical.row_total(r);
  (void)model_generated;  // the model's columns are model ids, below model_generated
  p.lexical_prior = m.lexical;
  p.has_lexical_prior = m.lexical.size() != 0;
  p.row_base = std::move(row_prior);  // finished by finish_problem
  if (!m.fertility.empty()) {
    p.fertility_prior.assign(p.given_vocabulary * p.fertility_bins, 0.0f);
    const std::size_t n = std::min(m.fertility.size(), model_given * p.fertility_bins);
    std::copy(m.fertility.begin(), m.fertility.begin() + static_cast<std::ptrdiff_t>(n), p.fertility_prior.begin());
  }
}

// Adds per-entry lexical pseudo-counts (and their row sums to the
// normalisers); `counts` has one value per entry of the co-occurrence table
// of the problem's view, which is built here only to read them.
inline void add_lexical_pseudo_counts(direction_problem& p, const std::vector<float>& counts, const char* which) {
  const em::lexical_table t = em::lexical_table::from_cooccurrence(p.view);
  if (counts.size() != t.size())
    throw invalid_argument(std::string("bayes::gibbs_options::") + which + " has " + std::to_string(counts.size()) +
                           " values, the co-occurrence table " + std::to_string(t.size()));
  if (p.row_base.size() != p.rows) p.row_base.assign(p.rows, 0.0);
  sparse_rows<float> merged;
  merged.offsets.assign(1, 0);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const auto cols = t.columns(r);
    for (std::size_t x = 0; x < cols.size(); ++x) {
      const float v = counts[t.row_begin(r) + x];
      if (!(v >= 0.0f) || !std::isfinite(v))
        throw invalid_argument(std::string("bayes::gibbs_options::") + which + " holds a negative or non-finite value");
      const float total = v + (p.has_lexical_prior ? p.lexical_prior.value(r, cols[x], 0.0f) : 0.0f);
      p.row_base[r] += v;
      if (total == 0.0f) continue;
      merged.columns.push_back(cols[x]);
      merged.values.push_back(total);
    }
    merged.offsets.push_back(merged.columns.size());
  }
  p.lexical_prior = std::move(merged);
  p.has_lexical_prior = p.lexical_prior.size() != 0;
}

// Sentence k's first cell in the marginal accumulator.
inline void build_offsets(direction_problem& p) {
  const auto& v = p.view;
  p.index_offset.assign(v.size() + 1, 0);
  for (std::size_t k = 0; k < v.size(); ++k)
    p.index_offset[k + 1] = p.index_offset[k] + (*v.generated)[k].size() * ((*v.given)[k].size() + 1);
}

inline void finish_problem(direction_problem& p, const gibbs_options&, const executor&) {
  if (p.generated_vocabulary >= 0xFFFFFFFFu)
    throw invalid_argument("bayes: more than 2^32-2 generated word types in one direction");
  build_offsets(p);
  if (p.row_base.size() != p.rows) p.row_base.assign(p.rows, 0.0);
  const auto V = static_cast<double>(std::max<std::size_t>(1, p.generated_vocabulary));
  for (std::size_t r = 0; r < p.rows; ++r) p.row_base[r] += (r == 0 ? p.null_alpha : p.lexical_alpha) * V;
  p.jump_alphas.assign(p.jump_bins(), p.jump_alpha);
  for (std::size_t b = 0; b < p.jump_prior.size(); ++b) p.jump_alphas[b] += p.jump_prior[b];
  p.jump_base = 0.0;
  for (double v : p.jump_alphas) p.jump_base += v;
}

// Initial links of one chain.
inline void initialize_links(const direction_problem& p, chain_state& c, const gibbs_options& o,
                             const em::directional_model* em_model, em::hmm_workspace& ws) {
  c.links.assign(p.view.generated->token_count(), 0);
  std::vector<double> q;
  for (std::size_t k = 0; k < p.view.size(); ++k) {
    const auto e = (*p.view.given)[k];
    const auto f = (*p.view.generated)[k];
    std::uint32_t* a = c.links.data() + p.link_offset(f);
    if (e.empty()) continue;
    if (em_model) {
      const double* post = nullptr;
      if (em_model->has_hmm) {
        em::hmm_forward_backward(em_model->hmm, em_model->table, e, f, em_model->probability_floor, ws);
        post = ws.gamma.data();
      } else {
        em::ibm1_posteriors(em_model->table, e, f, em_model->probability_floor, q);
        post = q.data();
      }
      for (std::size_t j = 0; j < f.size(); ++j) {
        const double* pj = post + j * (e.size() + 1);
        double sum = 0.0;
        for (std::size_t x = 0; x <= e.size(); ++x) sum += pj[x];
        a[j] = draw(pj, e.size() + 1, sum, c.rng);
      }
    } else {
      for (std::size_t j = 0; j < f.size(); ++j)
        a[j] = c.rng.uniform() < o.null_prior ? 0u : static_cast<std::uint32_t>(1 + c.rng.below(e.size()));
    }
  }
}

inline stage last_stage(const sweep_schedule& s) {
  return s.fertility ? stage::fertility : s.hmm ? stage::hmm : stage::ibm1;
}

// Runs one chain through the schedule; the last `accumulate` sweeps add their
// conditionals to `acc` (when set).  Ends early once `stop` is set (by this
// chain's observer call or another's).
inline convergence_info run_chain(const direction_problem& p, chain_state& c, const gibbs_options& o,
                                  const sweep_schedule& s, const em::directional_model* em_model, const char* direction,
                                  std::size_t sampler, observer_ref obs, std::mutex& observer_mutex,
                                  std::atomic<bool>& stop, const marginal_accumulator* acc, std::size_t accumulate) {
  convergence_info info;
  sentence_scratch scratch;
  scratch.reserve(p.view.given->max_length(), p.view.generated->max_length());
  {
    em::hmm_workspace ws;
    initialize_links(p, c, o, em_model, ws);
  }
  const double tokens = static_cast<double>(std::max<std::size_t>(1, c.links.size()));
  const std::pair<stage, std::size_t> stages[] = {
      {stage::ibm1, s.ibm1}, {stage::hmm, s.hmm}, {stage::fertility, s.fertility}};
  rebuild_lexical(p, c);  // the lexical counts follow the links through every stage
  for (const auto& [st, n] : stages) {
    if (n == 0 || stop.load(std::memory_order_relaxed)) continue;
    c.lexical.compact();  // most of the random start's word pairs are gone after a stage
    rebuild_structure(p, c, st, scratch);
    const char* sname = st == stage::ibm1 ? "ibm1" : st == stage::hmm ? "hmm" : "fertility";
    const std::string label = std::string("bayes.") + sname + "." + direction + "." + std::to_string(sampler);
    for (std::size_t it = 1; it <= n; ++it) {
      if (stop.load(std::memory_order_relaxed)) break;
      const bool add = acc && st == last_stage(s) && it + accumulate > n;
      const std::size_t changed = sweep(p, c, st, scratch, add ? acc : nullptr);
      ++info.iterations;
      info.error = static_cast<double>(changed) / tokens;
      if (obs) {
        std::lock_guard<std::mutex> lock(observer_mutex);
        const iteration_event ev{label, it, info.error, std::numeric_limits<double>::quiet_NaN(), n};
        if (obs(ev) == observer_action::stop) stop.store(true, std::memory_order_relaxed);
      }
    }
  }
  info.status = stop.load(std::memory_order_relaxed) ? solver_status::stopped_by_observer
                                                     : solver_status::max_iterations;
  // Leave the counts consistent with the final stage for decoding, at their smallest.
  rebuild_structure(p, c, last_stage(s), scratch);
  c.lexical.compact();
  return info;
}

// Averages the chains' conditional distributions (accumulated during the
// last sweeps when `acc` is not empty, else those of the final states) and
// decodes.
inline em::decoded_alignments decode(const direction_problem& p, const std::vector<chain_state>& chains, stage st,
                                     bool source_is_given, const executor& ex, std::size_t block_size,
                                     const std::vector<std::uint32_t>& acc,
                                     std::vector<std::vector<float>>* marginals = nullptr) {
  em::decoded_alignments out;
  const auto& view = p.view;
  out.links.resize(view.size());
  out.posteriors.resize(view.size());
  if (marginals) marginals->assign(view.size(), {});
  const unsigned workers = ex.workers_for(block_count(view.size(), block_size));
  struct work_area {
    sentence_scratch s;
    std::vector<double> acc;
    std::vector<std::uint32_t> links;  // a packed chain's links of one sentence
    std::vector<std::pair<link, float>> chosen;  // the sentence's links and probabilities, then sorted
  };
  std::vector<work_area> work(workers);
  const double inv_chains = 1.0 / static_cast<double>(chains.size());
  ex.for_each_block(view.size(), block_size, [&](std::size_t, std::size_t begin, std::size_t end, unsigned w) {
    work_area& wa = work[w];
    for (std::size_t k = begin; k < end; ++k) {
      const auto e = (*view.given)[k];
      const auto f = (*view.generated)[k];
      auto& links = out.links[k].sure;
      auto& post = out.posteriors[k];
      if (e.empty() || f.empty()) continue;
      const std::size_t l1 = e.size() + 1;
      wa.acc.assign(f.size() * l1, 0.0);
      if (!acc.empty()) {
        const std::uint32_t* cell = acc.data() + p.index_offset[k];
        for (std::size_t j = 0; j < f.size(); ++j) {
          std::uint64_t total = 0;
          for (std::size_t x = 0; x < l1; ++x) total += cell[j * l1 + x];
          const double inv = total == 0 ? 0.0 : 1.0 / static_cast<double>(total);
          for (std::size_t x = 0; x < l1; ++x) wa.acc[j * l1 + x] = static_cast<double>(cell[j * l1 + x]) * inv;
        }
      }
      if (acc.empty()) {
        // Each chain's conditionals through the sweep's fast path (the same
        // weights as conditional() up to rounding; no link moves).  The jump
        // weights are the chain's: refilled per chain (2 max_jump + 1 bins).
        for (const chain_state& c : chains) {
          sentence_scratch& s = wa.s;
          begin_sweep(p, c, s);
          const std::uint32_t* a = c.links_at(p.link_offset(f), f.size(), wa.links);
          const bool fast = begin_sentence(p, c, st, e, f, a, s);
          for (std::size_t j = 0; j < f.size(); ++j) {
            neighbours nb;
            const double sum = sweep_conditional(p, c, st, e, f, a, j, s, fast, nb);
            const double scale = inv_chains / sum;
            for (std::size_t y = 0; y < l1; ++y) wa.acc[j * l1 + y] += s.weight[y] * scale;
          }
          end_sentence(e, s, fast);
        }
      }
      if (marginals) (*marginals)[k].assign(wa.acc.begin(), wa.acc.end());
      auto& tmp = wa.chosen;
      tmp.clear();
      for (std::size_t j = 0; j < f.size(); ++j) {
        const double* q = wa.acc.data() + j * l1;
        std::size_t best = 1;
        for (std::size_t x = 2; x < l1; ++x)
          if (q[x] > q[best]) best = x;
        if (q[0] > q[best]) continue;  // NULL
        const auto i = static_cast<std::uint32_t>(best - 1);
        const auto jj = static_cast<std::uint32_t>(j);
        tmp.push_back({source_is_given ? link{i, jj} : link{jj, i}, static_cast<float>(q[best])});
      }
      // Sorted links with their probabilities, each vector allocated once at its size.
      std::sort(tmp.begin(), tmp.end(), [](const auto& u, const auto& v) { return u.first < v.first; });
      links.resize(tmp.size());
      post.resize(tmp.size());
      for (std::size_t n = 0; n < tmp.size(); ++n) {
        links[n] = tmp[n].first;
        post[n] = tmp[n].second;
      }
    }
  });
  return out;
}

// The chains' final counts averaged, as a model direction.
inline directional_counts average_counts(const direction_problem& p, const std::vector<chain_state>& chains,
                                         stage st) {
  directional_counts m;
  const double inv = 1.0 / static_cast<double>(chains.size());
  auto& lex = m.lexical;
  lex.offsets.assign(1, 0);
  // The chains' tables are stored by generated word: gather (row, f, n) and sort by row.
  struct entry {
    std::uint32_t row;
    word_id f;
    std::uint32_t n;
  };
  std::vector<entry> entries;
  for (const auto& c : chains)
    for (std::size_t f = 0; f < c.lexical.rows(); ++f)
      c.lexical.for_each(f, [&](word_id row, std::uint32_t n) {
        entries.push_back({static_cast<std::uint32_t>(row), static_cast<word_id>(f), n});
      });
  std::sort(entries.begin(), entries.end(),
            [](const entry& a, const entry& b) { return a.row != b.row ? a.row < b.row : a.f < b.f; });
  std::size_t at = 0;
  for (std::size_t r = 0; r < p.rows; ++r) {
    while (at < entries.size() && entries[at].row == r) {
      std::uint64_t sum = 0;
      const word_id f = entries[at].f;
      for (; at < entries.size() && entries[at].row == r && entries[at].f == f; ++at) sum += entries[at].n;
      lex.columns.push_back(f);
      lex.values.push_back(static_cast<float>(static_cast<double>(sum) * inv));
    }
    lex.offsets.push_back(lex.columns.size());
  }
  if (st >= stage::hmm) {
    m.jump.assign(p.jump_bins(), 0.0);
    for (const auto& c : chains)
      for (std::size_t b = 0; b < m.jump.size(); ++b) m.jump[b] += c.jump[b] * inv;
  }
  if (st == stage::fertility) {
    m.fertility.assign(p.given_vocabulary * p.fertility_bins, 0.0f);
    for (std::size_t x = 0; x < m.fertility.size(); ++x) {
      double s = 0.0;
      for (const auto& c : chains) s += c.fertility[x];
      m.fertility[x] = static_cast<float>(s * inv);
    }
  }
  return m;
}

struct run_output {
  em::decoded_alignments forward, reverse;
  directional_counts forward_counts, reverse_counts;
  std::vector<convergence_info> forward_chains, reverse_chains;
  std::vector<std::vector<float>> forward_marginals, reverse_marginals;  // with keep_marginals
};

// Samples both directions of two prepared problems and decodes them.
// `stop` may already be set (a stop during the EM initialisation).
inline run_output run(const direction_problem& fwd, const direction_problem& rev, const gibbs_options& o,
                      const sweep_schedule& s, const em::model* em_model, const executor& ex, observer_ref obs,
                      std::atomic<bool>& stop) {
  const std::size_t S = o.samplers;
  std::vector<chain_state> chains_f(S), chains_r(S);
  for (std::size_t x = 0; x < S; ++x) {
    chains_f[x].rng.seed(stream_seed(o.seed, 2 * x));
    chains_r[x].rng.seed(stream_seed(o.seed, 2 * x + 1));
  }
  std::mutex observer_mutex;
  // Marginals accumulated over the last sweeps, when they fit.
  const stage st = last_stage(s);
  const std::size_t last_sweeps = st == stage::fertility ? s.fertility : st == stage::hmm ? s.hmm : s.ibm1;
  const std::size_t K = std::min(last_sweeps, o.accumulate_sweeps == automatic
                                                  ? std::max<std::size_t>(1, last_sweeps / 4)
                                                  : o.accumulate_sweeps);
  std::vector<std::uint32_t> acc_f, acc_r;
  marginal_accumulator af, ar;
  const bool concurrent = ex.workers_for(2 * S) > 1;
  auto setup = [&](const direction_problem& p, std::vector<std::uint32_t>& cells, marginal_accumulator& a) {
    const std::size_t n = p.index_offset.empty() ? 0 : p.index_offset.back();
    if (K == 0 || n * sizeof(std::uint32_t) > o.marginal_cache_bytes) return;
    cells.assign(n, 0);
    a = {cells.data(), std::floor(4294967295.0 / static_cast<double>(S * K)), concurrent};
  };
  // Task t of `dirs` directions from `first`: with both, direction t % 2 and
  // sampler t / 2 (so both directions start at once).
  run_output out;
  out.forward_chains.resize(S);
  out.reverse_chains.resize(S);
  auto run_chains = [&](std::size_t first, std::size_t dirs) {
    ex.for_each_block(dirs * S, 1, [&](std::size_t t, std::size_t, std::size_t, unsigned) {
      const bool reverse = dirs == 2 ? (t % 2) == 1 : first == 1;
      const std::size_t x = dirs == 2 ? t / 2 : t;
      const em::directional_model* m = em_model ? (reverse ? &em_model->reverse : &em_model->forward) : nullptr;
      if (reverse)
        out.reverse_chains[x] = run_chain(rev, chains_r[x], o, s, m, "reverse", x, obs, observer_mutex, stop,
                                          acc_r.empty() ? nullptr : &ar, K);
      else
        out.forward_chains[x] = run_chain(fwd, chains_f[x], o, s, m, "forward", x, obs, observer_mutex, stop,
                                          acc_f.empty() ? nullptr : &af, K);
      (reverse ? chains_r : chains_f)[x].pack();  // only decoded from now on
    });
  };
  // Decodes one direction and releases its chains and sums.
  auto finish = [&](bool reverse) {
    auto& chains = reverse ? chains_r : chains_f;
    auto& acc = reverse ? acc_r : acc_f;
    const direction_problem& p = reverse ? rev : fwd;
    if (stop.load()) acc.clear();  // the accumulated marginals are incomplete: decode the final states
    (reverse ? out.reverse : out.forward) =
        decode(p, chains, st, !reverse, ex, o.block_size, acc,
               o.keep_marginals ? &(reverse ? out.reverse_marginals : out.forward_marginals) : nullptr);
    if (o.keep_model) (reverse ? out.reverse_counts : out.forward_counts) = average_counts(p, chains, st);
    std::vector<chain_state>().swap(chains);
    std::vector<std::uint32_t>().swap(acc);
  };
  if (concurrent) {  // both directions at once: every chain may run in parallel
    setup(fwd, acc_f, af);
    setup(rev, acc_r, ar);
    run_chains(0, 2);
    finish(false);
    finish(true);
  } else {  // one worker: one direction after the other, so only one direction's state is held
    setup(fwd, acc_f, af);
    run_chains(0, 1);
    finish(false);
    setup(rev, acc_r, ar);
    run_chains(1, 1);
    finish(true);
  }
  return out;
}

// The EM model of initialization::em, trained on `ex`; sets `stop` when the
// observer stopped it.
inline em::model train_em_for_init(const parallel_corpus& corpus, const gibbs_options& o, const executor& ex,
                                   observer_ref obs, std::atomic<bool>& stop) {
  prefixed_observer<observer_ref> prefixed("bayes.init", obs);
  em::model m = em::detail::train(corpus, o.em_init, ex, prefixed);
  if (m.convergence.status == solver_status::stopped_by_observer) stop.store(true);
  return m;
}

// The run's record from its chains' (result.chains): stopped if any chain
// was, the most sweeps any chain made, the smallest finite error.
inline void summarise_chains(gibbs_result& result) {
  result.convergence = {};
  for (const auto* v : {&result.chains.forward, &result.chains.reverse})
    for (const convergence_info& c : *v) {
      if (c.status == solver_status::stopped_by_observer) result.convergence.status = c.status;
      result.convergence.iterations = std::max(result.convergence.iterations, c.iterations);
      if (!std::isnan(c.error) && !(result.convergence.error >= c.error)) result.convergence.error = c.error;
    }
}

// Fills the result's records from the chains'.
inline void record_chains(gibbs_result& result, run_output& out) {
  result.chains.forward = std::move(out.forward_chains);
  result.chains.reverse = std::move(out.reverse_chains);
  summarise_chains(result);
}

}  // namespace detail

// Trains on a parallel corpus in both directions and decodes it (the chains'
// averaged marginals); with options.keep_model, result.model holds the counts.
inline gibbs_result train_and_align(const parallel_corpus& corpus, const gibbs_options& options = {},
                                    observer_ref obs = {}) {
  validate(options);
  const executor ex(options.parallel);
  gibbs_result result;
  result.schedule = detail::resolve_schedule(options, corpus.size());
  detail::direction_problem fwd = detail::make_problem(em::make_view(corpus, false), options);
  detail::direction_problem rev = detail::make_problem(em::make_view(corpus, true), options);
  if (options.forward_lexical_prior)
    detail::add_lexical_pseudo_counts(fwd, *options.forward_lexical_prior, "forward_lexical_prior");
  if (options.reverse_lexical_prior)
    detail::add_lexical_pseudo_counts(rev, *options.reverse_lexical_prior, "reverse_lexical_prior");
  detail::finish_problem(fwd, options, ex);
  detail::finish_problem(rev, options, ex);
  std::atomic<bool> stop{false};
  std::optional<em::model> em_model;
  if (options.init == initialization::em) em_model = detail::train_em_for_init(corpus, options, ex, obs, stop);
  auto out = detail::run(fwd, rev, options, result.schedule, em_model ? &*em_model : nullptr, ex, obs, stop);
  result.forward = std::move(out.forward);
  result.reverse = std::move(out.reverse);
  result.forward_marginals = std::move(out.forward_marginals);
  result.reverse_marginals = std::move(out.reverse_marginals);
  detail::record_chains(result, out);
  if (options.keep_model) {
    model m;
    m.source_vocabulary = corpus.source_vocabulary();
    m.target_vocabulary = corpus.target_vocabulary();
    m.max_jump = options.max_jump;
    m.fertility_bins = options.fertility_bins;
    m.training_sentences = corpus.size();
    m.forward = std::move(out.forward_counts);
    m.reverse = std::move(out.reverse_counts);
    result.model = std::move(m);
  }
  return result;
}

// Trains on a parallel corpus: the chains' averaged final counts with the
// vocabularies (train_and_align with keep_model, without the alignments).
inline model train(const parallel_corpus& corpus, gibbs_options options = {}, observer_ref obs = {}) {
  options.keep_model = true;
  return std::move(*train_and_align(corpus, options, obs).model);
}

// Aligns new sentence pairs using a trained model's counts as priors: the
// corpus is mapped onto the model's vocabularies with unknown_words::extend
// (core/corpus_mapping.hpp: each new word its own id and its own Dirichlet
// row), the new text is sampled (briefly: the schedule defaults to the one of
// the model's training corpus size) with alpha + model counts as Dirichlet
// parameters, then decoded as train_and_align() does.  options.max_jump and
// fertility_bins are taken from the model.  With keep_model, result.model
// holds model counts + the new text's counts over the extended vocabularies
// (continued training).
inline gibbs_result align(const model& trained, const parallel_corpus& corpus, gibbs_options options = {},
                          observer_ref obs = {}) {
  options.max_jump = trained.max_jump;
  options.fertility_bins = trained.fertility_bins;
  validate(options);
  const executor ex(options.parallel);
  const model& model = trained;
  gibbs_result result;
  result.schedule =
      detail::resolve_schedule(options, std::max<std::size_t>(model.training_sentences, corpus.size()));
  const mapped_corpus mapped =
      map_to_vocabularies(corpus, model.source_vocabulary, model.target_vocabulary, unknown_words::extend);
  const std::size_t ns = model.source_vocabulary.size(), nt = model.target_vocabulary.size();
  detail::direction_problem fwd = detail::make_problem(em::make_view(mapped, false), options);
  detail::direction_problem rev = detail::make_problem(em::make_view(mapped, true), options);
  detail::apply_priors(fwd, model.forward, ns, nt);
  detail::apply_priors(rev, model.reverse, nt, ns);
  detail::finish_problem(fwd, options, ex);
  detail::finish_problem(rev, options, ex);
  std::atomic<bool> stop{false};
  std::optional<em::model> em_model;
  const bool need_vocabularies = options.init == initialization::em || options.keep_model;
  const vocabulary source_vocabulary =
      need_vocabularies ? extended_vocabulary(model.source_vocabulary, mapped.new_source_words) : vocabulary{};
  const vocabulary target_vocabulary =
      need_vocabularies ? extended_vocabulary(model.target_vocabulary, mapped.new_target_words) : vocabulary{};
  if (options.init == initialization::em) {
    parallel_corpus pc;
    // EM initialisation needs a parallel_corpus; build one over the mapped ids.
    pc.source_vocabulary() = source_vocabulary;
    pc.target_vocabulary() = target_vocabulary;
    for (std::size_t k = 0; k < mapped.size(); ++k) pc.add_ids(mapped.source[k], mapped.target[k]);
    em_model = detail::train_em_for_init(pc, options, ex, obs, stop);
  }
  auto out = detail::run(fwd, rev, options, result.schedule, em_model ? &*em_model : nullptr, ex, obs, stop);
  result.forward = std::move(out.forward);
  result.reverse = std::move(out.reverse);
  result.forward_marginals = std::move(out.forward_marginals);
  result.reverse_marginals = std::move(out.reverse_marginals);
  detail::record_chains(result, out);
  if (options.keep_model) {
    bayes::model m;
    m.source_vocabulary = source_vocabulary;
    m.target_vocabulary = target_vocabulary;
    m.max_jump = model.max_jump;
    m.fertility_bins = model.fertility_bins;
    m.training_sentences = model.training_sentences + corpus.size();
    auto merge = [&](const directional_counts& prior, directional_counts&& fresh, std::size_t given_model) {
      directional_counts r;
      const auto& pl = prior.lexical;
      const auto& fl = fresh.lexical;
      auto& rl = r.lexical;
      rl.offsets.assign(1, 0);
      for (std::size_t row = 0; row < fl.rows(); ++row) {
        // Union of the prior's row (if any) and the fresh row, both sorted.
        std::size_t a = row < pl.rows() ? pl.offsets[row] : 0, ae = row < pl.rows() ? pl.offsets[row + 1] : 0;
        std::size_t b = fl.offsets[row], be = fl.offsets[row + 1];
        while (a < ae || b < be) {
          if (b == be || (a < ae && pl.columns[a] < fl.columns[b])) {
            rl.columns.push_back(pl.columns[a]);
            rl.values.push_back(pl.values[a++]);
          } else if (a == ae || fl.columns[b] < pl.columns[a]) {
            rl.columns.push_back(fl.columns[b]);
            rl.values.push_back(fl.values[b++]);
          } else {
            rl.columns.push_back(fl.columns[b]);
            rl.values.push_back(pl.values[a++] + fl.values[b++]);
          }
        }
        rl.offsets.push_back(rl.columns.size());
      }
      for (std::size_t row = fl.rows(); row < pl.rows(); ++row) {  // cannot happen: vocabularies only grow
        rl.offsets.push_back(rl.columns.size());
      }
      r.jump = std::move(fresh.jump);
      if (!prior.jump.empty()) {
        if (r.jump.empty()) r.jump.assign(prior.jump.size(), 0.0);
        for (std::size_t x = 0; x < r.jump.size(); ++x) r.jump[x] += prior.jump[x];
      }
      r.fertility = std::move(fresh.fertility);
      if (!prior.fertility.empty()) {
        if (r.fertility.empty()) r.fertility.assign(prior.fertility.size(), 0.0f);
        const std::size_t n = std::min(prior.fertility.size(), given_model * model.fertility_bins);
        for (std::size_t x = 0; x < n; ++x) r.fertility[x] += prior.fertility[x];
      }
      return r;
    };
    m.forward = merge(model.forward, std::move(out.forward_counts), ns);
    m.reverse = merge(model.reverse, std::move(out.reverse_counts), nt);
    result.model = std::move(m);
  }
  return result;
}

}  // namespace bayes
LEXALIGN_NAMESPACE_END
