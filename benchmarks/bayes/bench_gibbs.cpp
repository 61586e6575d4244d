// Throughput of one Gibbs sweep (per stage) and of the whole aligner on the
// roen gold set (5.6k target tokens).  items/s = generated tokens sampled.
#include <benchmark/benchmark.h>

#include <string>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/io/corpus_reader.hpp"

namespace {

const lexalign::parallel_corpus& roen() {
  static const auto c = lexalign::io::read_parallel_corpus_files(std::string(LEXALIGN_BENCH_DATA_DIR) + "/gold/roen.src",
                                                                 std::string(LEXALIGN_BENCH_DATA_DIR) + "/gold/roen.tgt");
  return c;
}

void BM_sweep(benchmark::State& state) {
  namespace bd = lexalign::bayes::detail;
  const auto st = static_cast<lexalign::bayes::stage>(state.range(0));
  const auto& c = roen();
  lexalign::bayes::gibbs_options o;
  bd::direction_problem p = bd::make_problem(lexalign::em::make_view(c, false), o);
  bd::finish_problem(p, o, lexalign::executor(o.parallel));
  bd::chain_state ch;
  ch.rng.seed(1);
  lexalign::em::hmm_workspace ws;
  bd::initialize_links(p, ch, o, nullptr, ws);
  bd::sentence_scratch s;
  s.reserve(c.source_sentences().max_length(), c.target_sentences().max_length());
  bd::rebuild_counts(p, ch, st, s);
  for (auto _ : state) benchmark::DoNotOptimize(bd::sweep(p, ch, st, s));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(c.target_sentences().token_count()));
}
BENCHMARK(BM_sweep)->Arg(1)->Arg(2)->Arg(3)->ArgName("stage")->Unit(benchmark::kMillisecond);

void BM_align_roen(benchmark::State& state) {
  const auto& c = roen();
  for (auto _ : state)
    benchmark::DoNotOptimize(lexalign::bayes::train_and_align(c, {.schedule_scale = 0.25, .samplers = 1, .seed = 1}));
}
BENCHMARK(BM_align_roen)->Unit(benchmark::kMillisecond);

}  // namespace
