// The HMM's cost on one long sentence pair (issue 11, item 3): forward-backward
// with jump counts (one E-step's work on the pair) and Viterbi, for an l x l
// pair of tokens drawn from the roen gold set's vocabulary, l = 250 ... 2000.
//   hmm_long_pair/L      the default options (exact up to band.above_length
//                        tokens, banded above)
//   hmm_long_pair_exact/L  the exact HMM (band.above_length = max)
// The exact HMM grows as l^3 (m l^2 with m = l), the banded one as
// m l (2 width + 1), i.e. l^2 here, linear in l per generated token.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/io/corpus_reader.hpp"

namespace em = lexalign::em;

namespace {

// One pair of l tokens per side, drawn (fixed LCG) from the roen tokens.
lexalign::parallel_corpus long_pair(std::size_t l) {
  static const auto roen = lexalign::io::read_parallel_corpus_files(LEXALIGN_BENCH_DATA_DIR "/gold/roen.src",
                                                                    LEXALIGN_BENCH_DATA_DIR "/gold/roen.tgt");
  std::uint64_t x = 12345;
  auto next = [&](std::size_t n) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((x >> 33) % n);
  };
  std::vector<std::string> s, t;
  const auto& sv = roen.source_vocabulary();
  const auto& tv = roen.target_vocabulary();
  for (std::size_t k = 0; k < l; ++k) {
    s.emplace_back(sv.word(static_cast<lexalign::word_id>(next(sv.size()))));
    t.emplace_back(tv.word(static_cast<lexalign::word_id>(next(tv.size()))));
  }
  lexalign::parallel_corpus c;
  c.add(s, t);
  return c;
}

void run(benchmark::State& state, const em::hmm_options& o, bool viterbi) {
  const auto l = static_cast<std::size_t>(state.range(0));
  const auto corpus = long_pair(l);
  const auto view = em::make_view(corpus);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 2});
  const auto p = em::hmm_parameters::uniform(l, o);
  const auto e = (*view.given)[0];
  const auto f = (*view.generated)[0];
  em::hmm_workspace ws;
  std::vector<int> a;
  for (auto _ : state) {
    if (viterbi)
      benchmark::DoNotOptimize(em::hmm_viterbi(p, t, e, f, o.probability_floor, ws, a));
    else
      benchmark::DoNotOptimize(em::hmm_forward_backward(p, t, e, f, o.probability_floor, ws, true, true));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<long>(l));
}

void hmm_long_pair(benchmark::State& state) { run(state, {}, false); }
void hmm_long_pair_viterbi(benchmark::State& state) { run(state, {}, true); }
void hmm_long_pair_exact(benchmark::State& state) {
  em::hmm_options o;
  o.band.above_length = std::numeric_limits<std::size_t>::max();
  run(state, o, false);
}

BENCHMARK(hmm_long_pair)->Arg(250)->Arg(500)->Arg(1000)->Arg(2000)->Arg(5000)->Unit(benchmark::kMillisecond);
BENCHMARK(hmm_long_pair_viterbi)->Arg(250)->Arg(500)->Arg(1000)->Arg(2000)->Arg(5000)->Unit(benchmark::kMillisecond);
BENCHMARK(hmm_long_pair_exact)->Arg(250)->Arg(500)->Arg(1000)->Arg(2000)->Unit(benchmark::kMillisecond);

}  // namespace
