// Scoring and symmetrization throughput on the bundled gold sets, in links
// per second (counter `links/s`: input links processed per second).
//
// Inputs per set: the gold alignment and, as the alignment to score or the
// two directions to symmetrize, realistic functional alignments derived from
// the gold: forward links every target word to the source word of one of its
// gold links (the diagonal position when it has none), reverse every source
// word to one target word likewise.
#include <benchmark/benchmark.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "lexalign/em/baseline.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/io/text.hpp"
#include "lexalign/metrics/aer.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"

namespace {

using lexalign::link;

struct data_set {
  lexalign::alignment_corpus gold, forward, reverse, symmetrized;
  std::vector<std::size_t> source_lengths, target_lengths;
  std::size_t gold_links = 0, forward_links = 0, reverse_links = 0, symmetrized_links = 0;
};

std::vector<std::size_t> lengths_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::size_t> out;
  std::string line;
  while (std::getline(in, line)) {
    std::size_t n = 0;
    lexalign::io::for_each_token(line, [&](std::string_view) { ++n; });
    out.push_back(n);
  }
  return out;
}

const data_set& load(const std::string& name) {
  static std::map<std::string, data_set> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  data_set d;
  const std::string base = std::string(LEXALIGN_BENCH_DATA_DIR) + "/gold/" + name;
  d.gold = lexalign::io::read_pharaoh_file(base + ".gold");
  d.source_lengths = lengths_of(base + ".src");
  d.target_lengths = lengths_of(base + ".tgt");
  for (std::size_t k = 0; k < d.gold.size(); ++k) {
    const std::size_t n = d.source_lengths[k], m = d.target_lengths[k];
    std::vector<std::int64_t> src_of(m, -1), tgt_of(n, -1);
    for (const auto* links : {&d.gold[k].sure, &d.gold[k].possible})
      for (const link& l : *links) {
        src_of[l.target] = l.source;
        tgt_of[l.source] = l.target;
      }
    lexalign::sentence_alignment f, r;
    for (std::size_t j = 0; j < m; ++j)
      f.sure.push_back({src_of[j] >= 0 ? static_cast<std::uint32_t>(src_of[j])
                                       : lexalign::em::diagonal_position(j, m, n),
                        static_cast<std::uint32_t>(j)});
    for (std::size_t i = 0; i < n; ++i)
      r.sure.push_back({static_cast<std::uint32_t>(i), tgt_of[i] >= 0 ? static_cast<std::uint32_t>(tgt_of[i])
                                                                       : lexalign::em::diagonal_position(i, n, m)});
    lexalign::normalize_links(f.sure);
    d.gold_links += d.gold[k].size();
    d.forward_links += f.sure.size();
    d.reverse_links += r.sure.size();
    d.forward.push_back(std::move(f));
    d.reverse.push_back(std::move(r));
  }
  d.symmetrized = lexalign::symmetrize::combine(d.forward, d.reverse);
  for (const auto& a : d.symmetrized) d.symmetrized_links += a.size();
  return cache.emplace(name, std::move(d)).first->second;
}

const char* set_names[] = {"enfr", "roen", "zhen"};

void set_rate(benchmark::State& state, std::size_t links_per_iteration) {
  state.counters["links/s"] = benchmark::Counter(static_cast<double>(links_per_iteration),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// Pooled scoring of the grow-diag-final-and alignment against the gold.
void BM_score(benchmark::State& state) {
  const data_set& d = load(set_names[state.range(0)]);
  lexalign::metrics::scorer sc;
  for (auto _ : state) {
    sc.reset();
    for (std::size_t k = 0; k < d.gold.size(); ++k) sc.add(d.gold[k], d.symmetrized[k]);
    benchmark::DoNotOptimize(sc.pooled());
  }
  state.SetLabel(set_names[state.range(0)]);
  set_rate(state, d.gold_links + d.symmetrized_links);
}

// The same with sentence lengths (exact unaligned-token counts, range checks).
void BM_score_with_lengths(benchmark::State& state) {
  const data_set& d = load(set_names[state.range(0)]);
  lexalign::metrics::scorer sc;
  for (auto _ : state) {
    sc.reset();
    for (std::size_t k = 0; k < d.gold.size(); ++k)
      sc.add(d.gold[k], d.symmetrized[k], d.source_lengths[k], d.target_lengths[k]);
    benchmark::DoNotOptimize(sc.pooled());
  }
  state.SetLabel(set_names[state.range(0)]);
  set_rate(state, d.gold_links + d.symmetrized_links);
}

// Symmetrization of the two directions; range(1) = heuristic, range(2) = semantics.
void BM_symmetrize(benchmark::State& state) {
  namespace sym = lexalign::symmetrize;
  const data_set& d = load(set_names[state.range(0)]);
  const auto h = static_cast<sym::heuristic>(state.range(1));
  const auto s = static_cast<sym::semantics>(state.range(2));
  sym::workspace ws;
  std::vector<link> out;
  std::size_t produced = 0;
  for (auto _ : state) {
    produced = 0;
    for (std::size_t k = 0; k < d.forward.size(); ++k) {
      sym::combine(d.forward[k].sure, d.reverse[k].sure, {.method = h, .order = s}, ws, out);
      produced += out.size();
    }
    benchmark::DoNotOptimize(produced);
  }
  state.SetLabel(std::string(set_names[state.range(0)]) + " " + std::string(sym::to_string(h)) + " " +
                 std::string(sym::to_string(s)));
  set_rate(state, d.forward_links + d.reverse_links);
}

void symmetrize_args(benchmark::internal::Benchmark* b) {
  using lexalign::symmetrize::heuristic;
  for (int set = 0; set < 3; ++set) {
    for (heuristic h : {heuristic::intersection, heuristic::grow_diag, heuristic::grow_diag_final_and})
      b->Args({set, static_cast<int>(h), 0});
    b->Args({set, static_cast<int>(heuristic::grow_diag_final_and), 1});
  }
}

}  // namespace

BENCHMARK(BM_score)->DenseRange(0, 2);
BENCHMARK(BM_score_with_lengths)->DenseRange(0, 2);
BENCHMARK(BM_symmetrize)->Apply(symmetrize_args);
