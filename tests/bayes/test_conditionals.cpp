// The sampler's conditional distributions against brute-force enumeration of
// the collapsed joint, computed here independently from its definition
// (Dirichlet-multinomial marginals via lgamma), on tiny sentences with
// repeated words, clamped jumps, the ">= B-1" fertility bin and priors.
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"

namespace bayes = lexalign::bayes;
namespace bd = lexalign::bayes::detail;
using lexalign::word_id;

namespace {

lexalign::parallel_corpus read(const std::string& text) {
  std::istringstream in(text);
  return lexalign::io::read_parallel_corpus(in, "<pairs>");
}

// Log Dirichlet-multinomial marginal of counts n under parameters a (sum A).
double log_dirmult(const std::vector<double>& a, const std::vector<double>& n) {
  double A = 0.0, N = 0.0, s = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    A += a[k];
    N += n[k];
    s += std::lgamma(a[k] + n[k]) - std::lgamma(a[k]);
  }
  return s + std::lgamma(A) - std::lgamma(A + N);
}

struct setting {
  double lexical_alpha = 0.3, null_alpha = 0.2, jump_alpha = 0.5, fertility_alpha = 0.4, null_prior = 0.3;
  std::size_t max_jump = 2, bins = 3;
  const bayes::directional_counts* prior = nullptr;  // optional pseudo-counts
};

// The collapsed joint of all links (0 = NULL, i+1 = position i) of a
// directional corpus, up to a constant, straight from the model definition.
double log_joint(const std::vector<std::vector<word_id>>& E, const std::vector<std::vector<word_id>>& F,
                 const std::vector<std::vector<std::uint32_t>>& links, std::size_t given_vocab, std::size_t gen_vocab,
                 const setting& s, bayes::stage st) {
  double lp = 0.0;
  // Lexical: one Dirichlet(alpha + prior) per row over the whole generated vocabulary.
  std::map<std::size_t, std::vector<double>> lex;  // row -> counts over f
  std::size_t nulls = 0;
  for (std::size_t k = 0; k < E.size(); ++k)
    for (std::size_t j = 0; j < F[k].size(); ++j) {
      const std::size_t row = links[k][j] == 0 ? 0 : E[k][links[k][j] - 1] + 1;
      auto& v = lex[row];
      v.resize(gen_vocab, 0.0);
      v[F[k][j]] += 1.0;
      nulls += links[k][j] == 0;
    }
  for (const auto& [row, n] : lex) {
    std::vector<double> a(gen_vocab, row == 0 ? s.null_alpha : s.lexical_alpha);
    if (s.prior)
      for (std::size_t f = 0; f < gen_vocab; ++f) a[f] += s.prior->lexical.value(row, static_cast<word_id>(f));
    lp += log_dirmult(a, n);
  }
  lp += static_cast<double>(nulls) * std::log(s.null_prior);
  if (st >= bayes::stage::hmm) {
    const std::size_t bins = 2 * s.max_jump + 1;
    std::vector<double> n(bins, 0.0), a(bins, s.jump_alpha);
    if (s.prior && !s.prior->jump.empty())
      for (std::size_t b = 0; b < bins; ++b) a[b] += s.prior->jump[b];
    auto bin = [&](long d) {
      const long m = static_cast<long>(s.max_jump);
      return static_cast<std::size_t>(std::max(-m, std::min(m, d)) + m);
    };
    for (std::size_t k = 0; k < E.size(); ++k) {
      if (F[k].empty()) continue;
      long prev = -1;
      for (std::size_t j = 0; j < F[k].size(); ++j)
        if (links[k][j] != 0) {
          n[bin(static_cast<long>(links[k][j]) - 1 - prev)] += 1;
          prev = static_cast<long>(links[k][j]) - 1;
        }
      n[bin(static_cast<long>(E[k].size()) - prev)] += 1;
    }
    lp += log_dirmult(a, n);
  }
  if (st == bayes::stage::fertility) {
    std::vector<std::vector<double>> n(given_vocab, std::vector<double>(s.bins, 0.0));
    for (std::size_t k = 0; k < E.size(); ++k)
      for (std::size_t i = 0; i < E[k].size(); ++i) {
        std::size_t phi = 0;
        for (auto x : links[k]) phi += x == i + 1;
        n[E[k][i]][std::min(phi, s.bins - 1)] += 1;
      }
    for (std::size_t t = 0; t < given_vocab; ++t) {
      std::vector<double> a(s.bins, s.fertility_alpha);
      if (s.prior && !s.prior->fertility.empty() && (t + 1) * s.bins <= s.prior->fertility.size())
        for (std::size_t b = 0; b < s.bins; ++b) a[b] += s.prior->fertility[t * s.bins + b];
      lp += log_dirmult(a, n[t]);
    }
  }
  return lp;
}

const char* toy =
    "a b a c ||| x y x z w\n"
    "b c ||| y z\n"
    "a a a ||| x x x x x\n"
    "c b a d e f ||| w z y x v x\n"
    "d ||| v u\n";

// Compares the kernel with enumeration for every token of the forward direction.
void check_all_tokens(const lexalign::parallel_corpus& c, const setting& s, bayes::stage st,
                      const bayes::model* model, std::uint64_t seed) {
  bayes::gibbs_options o{.lexical_alpha = s.lexical_alpha, .null_alpha = s.null_alpha, .jump_alpha = s.jump_alpha,
                         .fertility_alpha = s.fertility_alpha, .null_prior = s.null_prior, .max_jump = s.max_jump,
                         .fertility_bins = s.bins};
  const lexalign::mapped_corpus mapped =
      model ? lexalign::map_to_vocabularies(c, model->source_vocabulary, model->target_vocabulary,
                                            lexalign::unknown_words::extend)
            : lexalign::mapped_corpus{};
  const auto view = model ? lexalign::em::make_view(mapped, false) : lexalign::em::make_view(c, false);
  bd::direction_problem p = bd::make_problem(view, o);
  if (model)
    bd::apply_priors(p, model->forward, model->source_vocabulary.size(), model->target_vocabulary.size());
  bd::finish_problem(p, o, lexalign::executor(o.parallel));
  bd::chain_state ch;
  ch.rng.seed(seed);
  {
    lexalign::em::hmm_workspace ws;
    bd::initialize_links(p, ch, o, nullptr, ws);
  }
  bd::sentence_scratch scratch;
  bd::rebuild_counts(p, ch, st, scratch);

  std::vector<std::vector<word_id>> E, F;
  std::vector<std::vector<std::uint32_t>> L;
  for (std::size_t k = 0; k < view.size(); ++k) {
    const auto e = (*view.given)[k];
    const auto f = (*view.generated)[k];
    E.emplace_back(e.begin(), e.end());
    F.emplace_back(f.begin(), f.end());
    const std::uint32_t* a = ch.links.data() + p.link_offset(f);
    L.emplace_back(a, a + f.size());
  }
  std::size_t checked = 0;
  for (std::size_t k = 0; k < view.size(); ++k) {
    const auto e = (*view.given)[k];
    const auto f = (*view.generated)[k];
    const std::uint32_t* a = ch.links.data() + p.link_offset(f);
    bd::sentence_fertility(e.size(), a, f.size(), scratch);
    std::vector<double> w(e.size() + 1);
    // The sweep's fast path (position caches, row lists, jump weights) on the same state.
    bd::sentence_scratch fast_scratch;
    bd::begin_sweep(p, ch, fast_scratch);
    const bool fast = bd::begin_sentence(p, ch, st, e, f, a, fast_scratch);
    for (std::size_t j = 0; j < f.size(); ++j) {
      bd::neighbours nb;
      const double sum = bd::conditional(p, ch, st, e, f, a, scratch.fertility.data(), j, w.data(), nb);
      bd::neighbours nb_fast;
      const double fast_sum = bd::sweep_conditional(p, ch, st, e, f, a, j, fast_scratch, fast, nb_fast);
      std::vector<double> lj(e.size() + 1);
      auto links = L;
      for (std::size_t x = 0; x <= e.size(); ++x) {
        links[k][j] = static_cast<std::uint32_t>(x);
        lj[x] = log_joint(E, F, links, view.given_vocabulary_size, view.generated_vocabulary_size, s, st);
      }
      double mx = lj[0];
      for (double v : lj) mx = std::max(mx, v);
      double z = 0.0;
      for (double v : lj) z += std::exp(v - mx);
      for (std::size_t x = 0; x <= e.size(); ++x) {
        INFO("sentence " << k << " token " << j << " candidate " << x << " stage " << static_cast<int>(st));
        CHECK(w[x] / sum == Approx(std::exp(lj[x] - mx) / z).epsilon(1e-9).margin(1e-12));
        CHECK(fast_scratch.weight[x] / fast_sum == Approx(std::exp(lj[x] - mx) / z).epsilon(1e-9).margin(1e-12));
      }
      ++checked;
    }
    bd::end_sentence(e, fast_scratch, fast);
  }
  CHECK(checked == c.target_sentences().token_count());
}

}  // namespace

TEST_CASE("conditionals equal brute-force enumeration of the collapsed joint", "[bayes][conditional]") {
  const auto c = read(toy);
  const setting s;
  for (auto st : {bayes::stage::ibm1, bayes::stage::hmm, bayes::stage::fertility})
    for (std::uint64_t seed : {1u, 2u, 3u}) check_all_tokens(c, s, st, nullptr, seed);
}

TEST_CASE("conditionals with eflomal's defaults and wide jumps match enumeration", "[bayes][conditional]") {
  const auto c = read(toy);
  setting s;
  s.lexical_alpha = s.null_alpha = 0.001;
  s.fertility_alpha = 0.5;
  s.null_prior = 0.2;
  s.max_jump = 100;
  s.bins = 8;
  for (auto st : {bayes::stage::hmm, bayes::stage::fertility}) check_all_tokens(c, s, st, nullptr, 7);
}

TEST_CASE("conditionals with model counts as priors match enumeration", "[bayes][conditional][priors]") {
  const auto c = read(toy);
  // A model over a vocabulary that knows some of the words (others are new),
  // with arbitrary lexical, jump and fertility pseudo-counts.
  bayes::model m;
  for (const char* w : {"a", "b", "zz"}) m.source_vocabulary.add(w);
  for (const char* w : {"x", "y", "q"}) m.target_vocabulary.add(w);
  m.max_jump = 2;
  m.fertility_bins = 3;
  auto& d = m.forward;
  // rows: NULL, a, b, zz; columns over x y q
  d.lexical.offsets = {0, 2, 4, 5, 6};
  d.lexical.columns = {0, 2, 0, 1, 1, 2};
  d.lexical.values = {0.5f, 3.0f, 4.0f, 0.25f, 2.0f, 1.0f};
  d.jump = {0.5, 1.0, 2.0, 7.0, 0.25};
  d.fertility = {1.0f, 2.0f, 0.5f, 0.0f, 3.0f, 1.0f, 2.0f, 0.0f, 0.0f};
  setting s;
  s.prior = &d;
  for (auto st : {bayes::stage::ibm1, bayes::stage::hmm, bayes::stage::fertility})
    for (std::uint64_t seed : {4u, 5u}) check_all_tokens(c, s, st, &m, seed);
}

TEST_CASE("sweeps keep the incremental counts equal to counts rebuilt from the links", "[bayes][conditional]") {
  const auto c = read(toy);
  bayes::gibbs_options o{.max_jump = 2, .fertility_bins = 3};
  bd::direction_problem p = bd::make_problem(lexalign::em::make_view(c, true), o);
  bd::finish_problem(p, o, lexalign::executor(o.parallel));
  for (auto st : {bayes::stage::ibm1, bayes::stage::hmm, bayes::stage::fertility}) {
    bd::chain_state ch;
    ch.rng.seed(11);
    lexalign::em::hmm_workspace ws;
    bd::initialize_links(p, ch, o, nullptr, ws);
    bd::sentence_scratch scratch;
    bd::rebuild_counts(p, ch, st, scratch);
    std::size_t changed = 0;
    for (int it = 0; it < 20; ++it) changed += bd::sweep(p, ch, st, scratch);
    CHECK(changed > 0);
    bd::chain_state fresh = ch;
    bd::rebuild_counts(p, fresh, st, scratch);
    CHECK(fresh.lexical == ch.lexical);
    CHECK(fresh.row_total == ch.row_total);
    CHECK(fresh.jump == ch.jump);
    CHECK(fresh.jump_total == ch.jump_total);
    CHECK(fresh.fertility == ch.fertility);
  }
}

TEST_CASE("the draw follows the weights", "[bayes][conditional]") {
  bd::xoshiro256ss rng(123);
  const double w[4] = {0.1, 0.0, 0.6, 0.3};
  std::size_t n[4] = {0, 0, 0, 0};
  const std::size_t draws = 200000;
  for (std::size_t k = 0; k < draws; ++k) ++n[bd::draw(w, 4, 1.0, rng)];
  CHECK(n[1] == 0);
  for (std::size_t x : {0u, 2u, 3u})
    CHECK(static_cast<double>(n[x]) / static_cast<double>(draws) == Approx(w[x]).margin(0.005));
}

namespace {
// sweep() (fast path, sentence caches) against conditional() + draw +
// move_link token by token, for `sweeps` sweeps of every stage.
void check_sweep_against_reference(const lexalign::parallel_corpus& c, int sweeps) {
  // max_jump 2: the toy's sentences take the general path in the jump stages; 100: the fast path.
  for (std::size_t max_jump : {std::size_t{2}, std::size_t{100}})
    for (auto st : {bayes::stage::ibm1, bayes::stage::hmm, bayes::stage::fertility}) {
      INFO("max_jump " << max_jump << " stage " << static_cast<int>(st));
      bayes::gibbs_options o{.max_jump = max_jump, .fertility_bins = 3};
      bd::direction_problem p = bd::make_problem(lexalign::em::make_view(c, false), o);
      bd::finish_problem(p, o, lexalign::executor(o.parallel));
      bd::chain_state fast;
      fast.rng.seed(21);
      lexalign::em::hmm_workspace ws;
      bd::initialize_links(p, fast, o, nullptr, ws);
      bd::sentence_scratch s;
      bd::rebuild_counts(p, fast, st, s);
      bd::chain_state slow = fast;
      for (int it = 0; it < sweeps; ++it) {
        bd::sweep(p, fast, st, s);
        // Reference: conditional() without caches, then draw and move, token by token.
        for (std::size_t k = 0; k < p.view.size(); ++k) {
          const auto e = (*p.view.given)[k];
          const auto f = (*p.view.generated)[k];
          if (e.empty() || f.empty()) continue;
          std::uint32_t* a = slow.links.data() + p.link_offset(f);
          std::vector<std::uint32_t> fert(e.size(), 0);
          for (std::size_t j = 0; j < f.size(); ++j)
            if (a[j]) ++fert[a[j] - 1];
          std::vector<double> w(e.size() + 1);
          for (std::size_t j = 0; j < f.size(); ++j) {
            bd::neighbours nb;
            const double sum = bd::conditional(p, slow, st, e, f, a, fert.data(), j, w.data(), nb);
            const std::uint32_t to = bd::draw(w.data(), w.size(), sum, slow.rng);
            bd::move_link(p, slow, st, e, f, a, fert.data(), j, to, nb);
          }
        }
        REQUIRE(fast.links == slow.links);
      }
      CHECK(fast.lexical == slow.lexical);
      CHECK(fast.jump == slow.jump);
      CHECK(fast.fertility == slow.fertility);
    }
}
}  // namespace

TEST_CASE("sweep (fast path and caches) follows a plain reference sweep draw for draw, every stage",
          "[bayes][conditional]") {
  check_sweep_against_reference(read(toy), 30);
}

TEST_CASE("sweep follows the reference draw for draw with large tables and repeated words", "[bayes][conditional]") {
  // "y" co-occurs with 60 given words: its table outgrows the scan limit of
  // the short sentences (4 l + 16 slots), which then read it once per
  // sentence by look-ups; every sentence repeats y (and some repeat x), so
  // the sentence's cached counts are read and updated by moves.
  std::ostringstream text;
  for (int k = 0; k < 60; ++k)
    text << 'w' << k << " v" << k % 7 << " ||| y y z" << k % 5 << (k % 3 == 0 ? " x x\n" : "\n");
  check_sweep_against_reference(read(text.str()), 12);
}

TEST_CASE("a finished chain's packed links read back exactly at 1, 2 and 4 bytes a link", "[bayes][memory]") {
  for (std::uint32_t top : {200u, 255u, 256u, 65535u, 65536u, 3000000u}) {
    bd::chain_state c;
    for (std::uint32_t t = 0; t < 50; ++t) c.links.push_back((t * 2654435761u) % (top + 1));
    c.links.push_back(top);
    const auto original = c.links;
    c.pack();
    INFO("largest link " << top);
    CHECK(c.links.empty());
    CHECK(c.packed_width == (top < 256u ? 1u : top < 65536u ? 2u : 4u));
    CHECK(c.packed.size() == original.size() * c.packed_width);
    std::vector<std::uint32_t> buffer;
    for (std::size_t offset : {std::size_t{0}, std::size_t{7}, original.size() - 1}) {
      const std::size_t m = std::min<std::size_t>(9, original.size() - offset);
      const std::uint32_t* a = c.links_at(offset, m, buffer);
      for (std::size_t t = 0; t < m; ++t) CHECK(a[t] == original[offset + t]);
    }
  }
}

namespace {
// The index a draw from running sums `cum` (total `sum`) must return with
// generator `rng` (not advanced): the number of cum[k] <= u, k < n - 1,
// for u = uniform * sum from a copy of rng.
std::size_t index_of_draw(const std::vector<double>& cum, double sum, const bd::xoshiro256ss& rng) {
  bd::xoshiro256ss copy = rng;
  const double u = copy.uniform() * sum;
  std::size_t count = 0;
  for (std::size_t k = 0; k + 1 < cum.size(); ++k)
    if (cum[k] <= u) ++count;
  return count;
}
}  // namespace

TEST_CASE("draw_cumulative's vector count equals a literal scalar count", "[bayes][conditional]") {
  // Nondecreasing running sums with ties (zero weights), every length from
  // 1 to 41 (the vector loop's step is 4, its tail scalar), u drawn by the
  // same generator: the index must be the number of running sums <= u.
  bd::xoshiro256ss gen(7);
  for (std::size_t n = 1; n <= 41; ++n)
    for (int rep = 0; rep < 200; ++rep) {
      std::vector<double> cum(n);
      double run = 0.0;
      for (std::size_t x = 0; x < n; ++x) {
        const std::uint64_t r = gen.next();
        run += (r & 3) == 0 ? 0.0 : static_cast<double>(r >> 40) * 0x1.0p-20;
        cum[x] = run;
      }
      const double sum = cum[n - 1] > 0.0 ? cum[n - 1] : 1.0;
      bd::xoshiro256ss a(static_cast<std::uint64_t>(rep) + 1000 * n);
      const std::size_t expected = index_of_draw(cum, sum, a);
      INFO("n " << n << " rep " << rep);
      REQUIRE(bd::draw_cumulative(cum.data(), n, sum, a) == expected);
    }
}

TEST_CASE("the sentence-row scan visits exactly the slots a literal filter test passes, in order",
          "[bayes][conditional]") {
  // Slot arrays of every length from 1 to 40 and of table sizes 64 and 256
  // (the vectorised scan takes 8 slots a time, its tail masked), with empty
  // slots and keys whose filter bit collides with the empty slot's (row + 1
  // = 1024, 2048: bit 0) or sits at the filter's ends (rows 0, 1022, 1023).
  // The expected calls are the definition: key not empty and bit
  // (key + 1) & 1023 of the filter set.  (The vectorised scan is compiled
  // with AVX-512 only: test_bayes_native is where this compares two codes.)
  bd::xoshiro256ss gen(11);
  const std::uint32_t special[] = {0, 1022, 1023, 2047, 1024, 3071, 31, 32, 63, 64};
  std::vector<std::size_t> lengths;
  for (std::size_t n = 1; n <= 40; ++n) lengths.push_back(n);
  lengths.push_back(64);
  lengths.push_back(256);
  for (const std::size_t n : lengths)
    for (int rep = 0; rep < 50; ++rep) {
      std::vector<bd::count_table::slot> slots(n);
      for (auto& sl : slots) {
        const std::uint64_t r = gen.next();
        if ((r & 3) == 0) continue;  // empty
        sl.key = (r & 4) ? special[(r >> 3) % 10] : static_cast<std::uint32_t>((r >> 8) % 5000);
        sl.count = static_cast<std::uint32_t>(r >> 40) + 1;
      }
      std::uint64_t filter[bd::sentence_scratch::row_filter_words] = {};
      const std::size_t rows = gen.next() % 60;
      for (std::size_t k = 0; k < rows; ++k) {
        const std::uint64_t r = gen.next();
        const std::uint32_t row = (r & 1) ? special[(r >> 1) % 10] : static_cast<std::uint32_t>((r >> 8) % 5000);
        const std::uint32_t x = row + 1;
        filter[(x >> 6) & 15] |= std::uint64_t{1} << (x & 63);
      }
      std::vector<std::pair<std::uint32_t, std::uint32_t>> expected, got;
      for (const auto& sl : slots) {
        const std::uint32_t bit = (sl.key + 1u) & 1023u;
        if (sl.key != bd::count_table::empty_key && ((filter[bit / 64] >> (bit % 64)) & 1u)) expected.emplace_back(sl.key, sl.count);
      }
      bd::for_each_sentence_row(std::span<const bd::count_table::slot>(slots), filter,
                                [&](std::uint32_t row, std::uint32_t c) { got.emplace_back(row, c); });
      INFO("n " << n << " rep " << rep);
      REQUIRE(got == expected);
    }
}

TEST_CASE("decoding from final states averages the chains' conditionals", "[bayes][conditional]") {
  // decode() reads each chain through the sweep's fast path; the reference
  // here is conditional() (no caches) averaged over the chains, normalised.
  // max_jump 2 sends the toy's longer sentences down the general path.
  std::ostringstream text;
  text << toy;
  for (int k = 0; k < 40; ++k)
    text << 'w' << k << " v" << k % 7 << " a ||| y y z" << k % 5 << (k % 3 == 0 ? " x x\n" : "\n");
  const lexalign::parallel_corpus c = read(text.str());
  for (std::size_t max_jump : {std::size_t{2}, std::size_t{100}})
    for (auto st : {bayes::stage::ibm1, bayes::stage::hmm, bayes::stage::fertility}) {
      INFO("max_jump " << max_jump << " stage " << static_cast<int>(st));
      bayes::gibbs_options o{.max_jump = max_jump, .fertility_bins = 3};
      bd::direction_problem p = bd::make_problem(lexalign::em::make_view(c, false), o);
      const lexalign::executor ex(o.parallel);
      bd::finish_problem(p, o, ex);
      std::vector<bd::chain_state> chains(3);
      for (std::size_t x = 0; x < chains.size(); ++x) {
        chains[x].rng.seed(31 + x);
        lexalign::em::hmm_workspace ws;
        bd::initialize_links(p, chains[x], o, nullptr, ws);
        bd::sentence_scratch s;
        bd::rebuild_counts(p, chains[x], st, s);
        for (int it = 0; it < 3; ++it) bd::sweep(p, chains[x], st, s);
      }
      chains[1].pack();  // decoded from packed links too
      std::vector<std::vector<float>> marginals;
      bd::decode(p, chains, st, true, ex, 7, {}, &marginals);
      REQUIRE(marginals.size() == p.view.size());
      for (std::size_t k = 0; k < p.view.size(); ++k) {
        const auto e = (*p.view.given)[k];
        const auto f = (*p.view.generated)[k];
        if (e.empty() || f.empty()) continue;
        const std::size_t l1 = e.size() + 1;
        std::vector<double> expected(f.size() * l1, 0.0);
        for (const auto& ch : chains) {
          std::vector<std::uint32_t> buffer;
          const std::uint32_t* a = ch.links_at(p.link_offset(f), f.size(), buffer);
          std::vector<std::uint32_t> fert(e.size(), 0);
          for (std::size_t j = 0; j < f.size(); ++j)
            if (a[j]) ++fert[a[j] - 1];
          std::vector<double> w(l1);
          for (std::size_t j = 0; j < f.size(); ++j) {
            bd::neighbours nb;
            const double sum = bd::conditional(p, ch, st, e, f, a, fert.data(), j, w.data(), nb);
            for (std::size_t x = 0; x < l1; ++x) expected[j * l1 + x] += w[x] / sum / 3.0;
          }
        }
        REQUIRE(marginals[k].size() == expected.size());
        for (std::size_t x = 0; x < expected.size(); ++x)
          CHECK(marginals[k][x] == Approx(expected[x]).epsilon(1e-6).margin(1e-7));
      }
    }
}

TEST_CASE("draw_blocked draws the index of the blocked running sums", "[bayes][conditional]") {
  // Literal transcription: running sums formed four weights at a time
  // (cum[x] = run + w[x], run + (w[x] + w[x+1]), run + ((w[x] + w[x+1]) +
  // w[x+2]), run + ((w[x] + w[x+1]) + (w[x+2] + w[x+3])), then one at a
  // time), the sum in the same association, and the count of running sums
  // <= u among the first n - 1.  Zero weights make ties; small and large
  // weights make the blocked sums round.
  bd::xoshiro256ss gen(11);
  for (std::size_t n = 1; n <= 41; ++n)
    for (int rep = 0; rep < 300; ++rep) {
      std::vector<double> w(n);
      for (auto& v : w) {
        const std::uint64_t r = gen.next();
        v = (r & 3) == 0 ? 0.0 : static_cast<double>(r >> 40) * ((r & 4) ? 0x1.0p-40 : 0x1.0p-3);
      }
      w[gen.next() % n] += 1.0;  // a positive sum
      std::vector<double> cum(n);
      double run = 0.0;
      std::size_t x = 0;
      for (; x + 4 <= n; x += 4) {
        const double s1 = w[x] + w[x + 1], s3 = w[x + 2] + w[x + 3];
        cum[x] = run + w[x];
        cum[x + 1] = run + s1;
        cum[x + 2] = run + (s1 + w[x + 2]);
        run += s1 + s3;
        cum[x + 3] = run;
      }
      for (; x < n; ++x) cum[x] = run += w[x];
      bd::xoshiro256ss a(static_cast<std::uint64_t>(rep) + 1000 * n);
      const std::size_t expected = index_of_draw(cum, run, a);
      INFO("n " << n << " rep " << rep);
      REQUIRE(bd::draw_blocked(w.data(), n, run, a) == expected);
    }
}
