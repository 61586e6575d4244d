// Distributed EM (em/distributed.hpp) over an in-process group of N threads:
// the model after training, its log-likelihoods and its alignments are
// bit-identical to em::train / em::align on one process, for any N.
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/em/distributed.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/em/sharded_table.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"
#include "support/thread_group.hpp"
#include "support/thrown.hpp"

namespace em = lexalign::em;
using lexalign::test::run_ranks;
using lexalign::test::thread_group;

namespace {

// The first 96 pairs of the bundled en-fr gold set (kept small for sanitizer builds).
const lexalign::parallel_corpus& enfr() {
  static const lexalign::parallel_corpus c = [] {
    const auto all = lexalign::io::read_parallel_corpus_files(std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/enfr.src",
                                                              std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/enfr.tgt");
    lexalign::parallel_corpus sub;
    auto words = [](auto ids, const lexalign::vocabulary& v) {
      std::vector<std::string> w;
      for (auto id : ids) w.push_back(v.word(id));
      return w;
    };
    for (std::size_t k = 0; k < 96; ++k)
      sub.add(words(all.source(k), all.source_vocabulary()), words(all.target(k), all.target_vocabulary()));
    return sub;
  }();
  return c;
}

std::string saved(const em::model& m) {
  std::ostringstream out;
  em::save(m, out);  // 17 significant digits: equal text = equal doubles
  return out.str();
}

std::vector<double> likelihoods(const em::model& m) {
  std::vector<double> v;
  for (const auto* d : {&m.forward, &m.reverse})
    for (const auto& s : d->stages) v.insert(v.end(), s.result.log_likelihood.begin(), s.result.log_likelihood.end());
  return v;
}

void require_identical(const em::model& a, const em::model& b) {
  REQUIRE(saved(a) == saved(b));
  REQUIRE(likelihoods(a) == likelihoods(b));  // bitwise: == on doubles
  REQUIRE(a.convergence.iterations == b.convergence.iterations);
  for (auto d : {&em::model::forward, &em::model::reverse}) {
    const auto pa = (a.*d).table.probabilities();
    const auto pb = (b.*d).table.probabilities();
    REQUIRE(std::vector<double>(pa.begin(), pa.end()) == std::vector<double>(pb.begin(), pb.end()));
    REQUIRE((a.*d).hmm.jump == (b.*d).hmm.jump);
    REQUIRE((a.*d).fast_align.lambda == (b.*d).fast_align.lambda);
  }
}

}  // namespace

TEST_CASE("shards are contiguous runs of whole blocks covering the corpus in rank order", "[scale][distributed]") {
  for (std::size_t pairs : {0u, 1u, 5u, 63u, 64u, 65u, 447u, 1000u})
    for (std::size_t bs : {1u, 7u, 64u})
      for (int ranks = 1; ranks <= 5; ++ranks) {
        std::size_t next = 0, smallest = pairs, largest = 0;
        for (int r = 0; r < ranks; ++r) {
          const auto s = em::shard_of(pairs, bs, r, ranks);
          REQUIRE(s.begin == next);
          REQUIRE(s.begin % bs == 0);
          REQUIRE((s.end % bs == 0 || s.end == pairs));
          next = s.end;
          smallest = std::min(smallest, s.size());
          largest = std::max(largest, s.size());
        }
        REQUIRE(next == pairs);
        REQUIRE(largest - smallest <= bs + bs);  // within a block (plus the last, partial one)
      }
}

TEST_CASE("distributed IBM1+HMM, IBM1 and fast_align models are bit-identical for 2 to 4 ranks",
          "[scale][distributed][em]") {
  em::train_options o;
  o.block_size = 8;  // 12 blocks for 96 pairs: every rank has several
  o.ibm1.iterations = 2;
  o.hmm.iterations = 2;
  o.fast_align.iterations = 3;
  for (auto kind : {em::model_kind::hmm, em::model_kind::ibm1, em::model_kind::fast_align}) {
    o.model = kind;
    CAPTURE(static_cast<int>(kind));
    const em::model one = em::train(enfr(), o);
    const std::vector<int> rank_counts = kind == em::model_kind::hmm ? std::vector<int>{2, 3, 4}
                                         : kind == em::model_kind::ibm1 ? std::vector<int>{3}
                                                                        : std::vector<int>{2, 4};
    for (int ranks : rank_counts) {
      CAPTURE(ranks);
      const auto models = run_ranks(ranks, [&](thread_group& g) { return em::train_distributed(enfr(), o, g); });
      for (const auto& m : models) require_identical(one, m);
    }
  }
}

TEST_CASE("fast_align compat, one direction and two threads per rank stay identical", "[scale][distributed][em]") {
  em::train_options o;
  o.model = em::model_kind::fast_align;
  o.fast_align.compat = true;
  o.fast_align.iterations = 3;
  o.directions = em::directions::reverse;
  o.block_size = 8;
  const em::model one = em::train(enfr(), o);
  o.parallel.threads = 2;
  const auto models = run_ranks(3, [&](thread_group& g) { return em::train_distributed(enfr(), o, g); });
  for (const auto& m : models) require_identical(one, m);
  CHECK_FALSE(models[0].forward.trained());
}

TEST_CASE("the HMM's end distribution is distributed: the model is bit-identical",
          "[scale][distributed][em]") {
  em::train_options o;
  o.block_size = 8;
  o.ibm1.iterations = 1;
  o.hmm.iterations = 2;
  for (bool ends : {true}) {  // off: the other tests
    CAPTURE(ends);
    o.hmm.end_distribution = ends;
    const em::model one = em::train(enfr(), o);
    REQUIRE(one.forward.hmm.end.empty() == !ends);
    const auto models = run_ranks(2, [&](thread_group& g) { return em::train_distributed(enfr(), o, g); });
    for (const auto& m : models) {
      require_identical(one, m);
      REQUIRE(m.forward.hmm.end == one.forward.hmm.end);
      REQUIRE(m.reverse.hmm.end == one.reverse.hmm.end);
    }
  }
}

TEST_CASE("without the lookup cache the model is the same", "[scale][distributed]") {
  em::train_options o;
  o.block_size = 8;
  o.ibm1.iterations = 2;
  o.hmm.iterations = 1;
  const em::model one = em::train(enfr(), o);
  o.ibm1.cache_lookups = false;
  o.fast_align.cache_lookups = false;
  require_identical(one, em::train(enfr(), o));
  const auto models = run_ranks(2, [&](thread_group& g) { return em::train_distributed(enfr(), o, g); });
  for (const auto& m : models) require_identical(one, m);
}

TEST_CASE("more ranks than blocks: idle ranks still give the same model", "[scale][distributed][em]") {
  lexalign::parallel_corpus c;
  c.add(std::vector<std::string>{"a", "b"}, std::vector<std::string>{"x", "y"});
  c.add(std::vector<std::string>{"a"}, std::vector<std::string>{"x"});
  c.add(std::vector<std::string>{"b", "c"}, std::vector<std::string>{"y", "z", "x"});
  em::train_options o;
  o.block_size = 1;
  const em::model one = em::train(c, o);
  const auto models = run_ranks(4, [&](thread_group& g) { return em::train_distributed(c, o, g); });
  for (const auto& m : models) require_identical(one, m);
}

TEST_CASE("distributed decoding gathers the single-process alignments on rank 0 only", "[scale][distributed][em]") {
  em::train_options o;
  o.block_size = 16;
  o.ibm1.iterations = 2;
  o.hmm.iterations = 1;
  const em::model m = em::train(enfr(), o);
  for (auto method : {em::decoding::posterior, em::decoding::viterbi}) {
    em::align_options ao;
    ao.method = method;
    ao.block_size = 16;
    const auto one = em::align(m, enfr(), ao);
    const auto all = run_ranks(3, [&](thread_group& g) { return em::align_distributed(m, enfr(), ao, g); });
    REQUIRE(all[0].forward.links == one.forward.links);
    REQUIRE(all[0].reverse.links == one.reverse.links);
    for (std::size_t r = 1; r < all.size(); ++r) {
      CHECK(all[r].forward.links.empty());
      CHECK(all[r].reverse.links.empty());
    }
  }
  em::align_options with_post;
  with_post.with_posteriors = true;
  CHECK(lexalign::test::message_of<lexalign::invalid_option>([&] {
          run_ranks(1, [&](thread_group& g) { return em::align_distributed(m, enfr(), with_post, g); });
        }).find("with_posteriors") != std::string::npos);
  // What is not distributed yet is refused, not silently ignored.
  em::train_options classes, fertility;
  classes.hmm.class_jumps = true;
  fertility.model3.iterations = 1;
  for (const auto& [opt, name] : {std::pair{&classes, "class_jumps"}, std::pair{&fertility, "model3"}}) {
    const em::train_options* refused = opt;
    CHECK(lexalign::test::message_of<lexalign::invalid_option>([&] {
            run_ranks(1, [&](thread_group& g) { return em::train_distributed(enfr(), *refused, g); });
          }).find(name) != std::string::npos);
  }
}

TEST_CASE("an observer's stop on one rank stops every rank at the same iteration", "[scale][distributed][em]") {
  em::train_options o;
  o.block_size = 16;
  const auto models = run_ranks(3, [&](thread_group& g) {
    auto stop_at_2 = [&](const lexalign::iteration_event& e) {
      return g.rank() == 1 && e.iteration == 2 ? lexalign::observer_action::stop : lexalign::observer_action::proceed;
    };
    return em::train_distributed(enfr(), o, g, stop_at_2);
  });
  for (const auto& m : models) {
    CHECK(m.convergence.status == lexalign::solver_status::stopped_by_observer);
    CHECK(m.forward.stages.size() == 1);
    CHECK(m.forward.stages[0].result.log_likelihood.size() == 2);
    CHECK_FALSE(m.reverse.trained());
  }
}

TEST_CASE("a table sharded by given word: each rank holds its rows, the gathered model and the alignments are "
          "bit-identical", "[scale][distributed][sharded]") {
  struct setup {
    em::model_kind kind;
    int ranks;
    std::size_t round_pairs;  // 0: one round; else rounds of whole blocks (ranks may differ in their count)
    bool ends;
  };
  em::train_options o;
  o.block_size = 8;
  o.ibm1.iterations = 1;
  o.hmm.iterations = 2;
  o.fast_align.iterations = 2;
  em::align_options ao;
  ao.block_size = 8;
  // (IBM1 alone: the first stage of hmm here, and mpi.ibm1_np3_sharded.)
  for (const setup& s : {setup{em::model_kind::hmm, 2, 0, false}, setup{em::model_kind::hmm, 4, 16, true},
                         setup{em::model_kind::fast_align, 3, 24, false}}) {
    CAPTURE(static_cast<int>(s.kind), s.ranks, s.round_pairs, s.ends);
    o.model = s.kind;
    o.hmm.end_distribution = s.ends;
    const em::model one = em::train(enfr(), o);
    const auto aligned = em::align(one, enfr(), ao);
    struct out {
      em::sharded_model part;
      em::model whole;
      em::bidirectional_alignments links;
    };
    const auto results = run_ranks(s.ranks, [&](thread_group& g) {
      out r;
      const em::shard_table_options so{.round_pairs = s.round_pairs};
      r.part = em::train_sharded(enfr(), o, so, g);
      r.links = em::align_sharded(r.part, enfr(), ao, so, g);
      r.whole = em::gather_model(r.part, g);
      return r;
    });
    require_identical(one, results[0].whole);
    REQUIRE(results[0].links.forward.links == aligned.forward.links);
    REQUIRE(results[0].links.reverse.links == aligned.reverse.links);
    for (auto d : {&em::model::forward, &em::model::reverse}) {
      const auto& full = (one.*d).table;
      std::size_t held = 0, largest = 0;
      for (int r = 0; r < s.ranks; ++r) {
        const auto& t = (results[static_cast<std::size_t>(r)].part.part.*d).table;
        REQUIRE(t.rows() == full.rows());
        for (std::size_t row = 0; row < t.rows(); ++row) {
          if (em::row_owner(row, s.ranks) != r) {
            REQUIRE(t.columns(row).empty());
            continue;
          }
          const auto a = t.columns(row), b = full.columns(row);
          REQUIRE(std::vector<lexalign::word_id>(a.begin(), a.end()) == std::vector<lexalign::word_id>(b.begin(), b.end()));
        }
        held += t.size();
        largest = std::max(largest, t.size());
      }
      REQUIRE(held == full.size());  // every entry on exactly one rank
      CHECK(largest < full.size());
    }
    for (std::size_t r = 1; r < results.size(); ++r) {
      CHECK_FALSE(results[r].whole.forward.trained());
      CHECK(results[r].links.forward.links.empty());
      REQUIRE(results[r].part.part.forward.hmm.jump == one.forward.hmm.jump);  // parameters on every rank
    }
  }
}

TEST_CASE("train_sharded refuses what it does not shard", "[scale][distributed][sharded]") {
  em::train_options pruned;
  pruned.pruning.max_candidates = 5;
  CHECK(lexalign::test::message_of<lexalign::invalid_option>([&] {
          run_ranks(1, [&](thread_group& g) { return em::train_sharded(enfr(), pruned, {}, g).rank; });
        }).find("pruning") != std::string::npos);
  em::train_options o;
  o.ibm1.iterations = 1;
  o.hmm.iterations = 0;
  const auto sm = run_ranks(1, [&](thread_group& g) { return em::train_sharded(enfr(), o, {}, g); });
  CHECK(lexalign::test::message_of<lexalign::invalid_argument>([&] {
          run_ranks(2, [&](thread_group& g) { return em::align_sharded(sm[0], enfr(), {}, {}, g).forward.links.size(); });
        }).find("rank 0 of 1") != std::string::npos);
}
