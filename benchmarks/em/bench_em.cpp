// EM E-steps on a bundled gold set (enfr, 447 pairs) and the Bible corpus' first 2000 verses.
#include <benchmark/benchmark.h>

#include <string>

#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/io/corpus_reader.hpp"

namespace em = lexalign::em;

namespace {
const lexalign::parallel_corpus& enfr() {
  static const auto c = lexalign::io::read_parallel_corpus_files(LEXALIGN_BENCH_DATA_DIR "/gold/enfr.src",
                                                                 LEXALIGN_BENCH_DATA_DIR "/gold/enfr.tgt");
  return c;
}

void ibm1_estep(benchmark::State& state) {
  const auto view = em::make_view(enfr());
  auto t = em::lexical_table::from_cooccurrence(view);
  // The threads start once, outside the timed loop (as in em::train).
  const lexalign::executor ex({.threads = static_cast<unsigned>(state.range(0))});
  const auto cache = em::lookup_cache::build(view, t, ex);
  em::fixed_point_counts counts;
  for (auto _ : state) benchmark::DoNotOptimize(em::ibm1_expectation(view, t, counts, 1e-7, ex, 64, &cache));
  state.SetItemsProcessed(state.iterations() * static_cast<long>(view.generated->token_count()));
}
BENCHMARK(ibm1_estep)->Arg(1)->Arg(2)->UseRealTime();

void hmm_estep(benchmark::State& state) {
  const auto view = em::make_view(enfr());
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 2});
  const auto p = em::hmm_parameters::uniform(em::max_given_length(view));
  const lexalign::executor ex({.threads = static_cast<unsigned>(state.range(0))});
  const auto cache = em::lookup_cache::build(view, t, ex);
  em::fixed_point_counts lex, jumps, starts;
  for (auto _ : state)
    benchmark::DoNotOptimize(em::hmm_expectation(view, t, p, lex, jumps, starts, 1e-7, ex, 64, &cache));
  state.SetItemsProcessed(state.iterations() * static_cast<long>(view.generated->token_count()));
}
BENCHMARK(hmm_estep)->Arg(1)->Arg(2)->UseRealTime();
}  // namespace
