// EM trainers keep their E-step buffers across iterations: once the first
// iteration has seen the longest sentence pair, an iteration allocates
// nothing (counted with support/counting_new.hpp).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/core/thread_pool.hpp"
#include "lexalign/em/fast_align.hpp"
#include "lexalign/em/fertility.hpp"
#include "lexalign/em/hmm.hpp"
#include "lexalign/em/ibm1.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"
#include "support/counting_new.hpp"  // the only includer in test_em

namespace em = lexalign::em;

namespace {

// Observer: the allocation count at each iteration's end.
struct allocation_log {
  std::vector<std::size_t>* at;
  void operator()(const lexalign::iteration_event&) const { at->push_back(lexalign::test::global_new_calls()); }
};

// Every iteration after the first allocated nothing.
void check_steady(const std::vector<std::size_t>& at, std::size_t iterations) {
  REQUIRE(at.size() == iterations);
#if LEXALIGN_COUNTING_NEW
  for (std::size_t k = 1; k < at.size(); ++k) {
    INFO("iteration " << k + 1);
    CHECK(at[k] == at[0]);
  }
#else
  WARN("operator new is not counted under AddressSanitizer");
#endif
}


// Trains IBM1, HMM and fast_align on roen for a few iterations with `parallel`
// and checks that every iteration after the first allocated nothing.
void check_stages(const lexalign::parallel_options& parallel, std::size_t block_size) {
  const std::string dir = LEXALIGN_TEST_DATA_DIR "/gold/";
  const auto c = lexalign::io::read_parallel_corpus_files(dir + "roen.src", dir + "roen.tgt");
  const auto view = em::make_view(c);
  constexpr std::size_t iterations = 4;
  // The observer's log is reserved up front so that it does not allocate either.
  std::vector<std::size_t> at;
  at.reserve(iterations);

  auto t = em::lexical_table::from_cooccurrence(view);
  const auto r1 =
      em::train_ibm1(view, t, {.iterations = iterations, .parallel = parallel, .block_size = block_size},
                     allocation_log{&at});
  CHECK(r1.log_likelihood.size() == iterations);
  check_steady(at, iterations);

  at.clear();
  auto p = em::hmm_parameters::uniform(em::max_given_length(view));
  const auto r2 =
      em::train_hmm(view, t, p, {.iterations = iterations, .parallel = parallel, .block_size = block_size},
                    allocation_log{&at});
  CHECK(r2.log_likelihood.size() == iterations);
  check_steady(at, iterations);

  // The banded HMM (most roen pairs are longer than 10 tokens) as well.
  at.clear();
  auto pb = em::hmm_parameters::uniform(em::max_given_length(view));
  const auto rb = em::train_hmm(
      view, t, pb,
      {.iterations = iterations, .parallel = parallel, .block_size = block_size, .band = {.above_length = 10, .width = 3}},
      allocation_log{&at});
  CHECK(rb.log_likelihood.size() == iterations);
  check_steady(at, iterations);

  at.clear();
  auto t2 = em::lexical_table::from_cooccurrence(view);
  em::fast_align_parameters fp;
  const auto r3 =
      em::train_fast_align(view, t2, fp, {.iterations = iterations, .parallel = parallel, .block_size = block_size},
                           allocation_log{&at});
  CHECK(r3.log_likelihood.size() == iterations);
  check_steady(at, iterations);
}

}  // namespace

TEST_CASE("IBM1, HMM and fast_align iterations allocate nothing after the first", "[em][memory]") {
  check_stages({.threads = 1}, 64);
}

TEST_CASE("multi-threaded EM iterations on a caller's pool allocate nothing after the first", "[em][memory][threads]") {
  lexalign::thread_pool pool(3);  // the threads start here, once
  check_stages({.pool = &pool}, 16);
}

// HMM with class jumps and the end distribution, then Models 3 and 4: every
// iteration after the first allocates nothing.
TEST_CASE("HMM class jumps and Models 3/4 allocate nothing after the first iteration", "[em][alloc][fertility]") {
  const std::string dir = LEXALIGN_TEST_DATA_DIR "/gold/";
  std::ifstream src_in(dir + "roen.src"), tgt_in(dir + "roen.tgt");
  std::string pairs, x, y;
  for (int k = 0; k < 20 && std::getline(src_in, x) && std::getline(tgt_in, y); ++k) pairs += x + " ||| " + y + "\n";
  std::istringstream pairs_in(pairs);
  const auto corpus = lexalign::io::read_parallel_corpus(pairs_in, "<roen 20>");
  const auto view = em::make_view(corpus);
  auto t = em::lexical_table::from_cooccurrence(view);
  em::train_ibm1(view, t, {.iterations = 2});
  const auto src = em::train_word_classes(corpus.source_sentences(), corpus.source_vocabulary().size(), {.classes = 4, .iterations = 1});
  const auto tgt = em::train_word_classes(corpus.target_sentences(), corpus.target_vocabulary().size(), {.classes = 4, .iterations = 1});
  const em::hmm_options ho{.iterations = 3, .class_jumps = true, .classes = &src.classes, .end_distribution = true};
  auto p = em::hmm_parameters::uniform(em::max_given_length(view), ho);
  std::vector<std::size_t> at;
  at.reserve(8);  // the log itself must not allocate
  em::train_hmm(view, t, p, ho, allocation_log{&at});
  check_steady(at, 3);
  auto fp = em::fertility_parameters::shaped(view, src.classes, tgt.classes);
  auto a = em::corpus_alignment::shaped(view);
  em::hmm_workspace ws;
  std::vector<int> va;
  for (std::size_t k = 0; k < corpus.size(); ++k) {
    em::hmm_viterbi(p, t, corpus.source(k), corpus.target(k), 1e-7, ws, va);
    for (std::size_t j = 0; j < va.size(); ++j) a[k][j] = va[j] + 1;
  }
  fp.model = em::fertility_model::model4;
  at.clear();
  em::train_fertility(view, t, fp, a, {.iterations = 3, .max_climb_steps = 3}, true, allocation_log{&at});
  check_steady(at, 3);
}
