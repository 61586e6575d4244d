// Word classes (em/word_classes.hpp): the class-bigram likelihood against a
// literal count of the bigrams, exchange gains against recomputation,
// local optimality, determinism for any thread count, the class file.
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "lexalign/em/word_classes.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"
#include "support/temp_file.hpp"
#include "support/thrown.hpp"

namespace em = lexalign::em;
using lexalign::word_id;

namespace {

lexalign::sentence_store store(const std::vector<std::vector<word_id>>& sentences) {
  lexalign::sentence_store s;
  for (const auto& x : sentences) s.push_back(x);
  return s;
}

// log P by counting the bigram tokens <s> w1 .. wn <s> literally:
// sum over bigrams of log[N(c,c')/N_left(c) * N(w')/N_right(c')].
double brute_log_likelihood(const std::vector<std::vector<word_id>>& text, const std::vector<std::uint32_t>& cls) {
  const long boundary = -1;
  auto class_of = [&](long w) { return w == boundary ? -1L : static_cast<long>(cls[static_cast<std::size_t>(w)]); };
  std::vector<std::pair<long, long>> bigrams;
  for (const auto& s : text) {
    long prev = boundary;
    for (word_id w : s) {
      bigrams.emplace_back(prev, static_cast<long>(w));
      prev = static_cast<long>(w);
    }
    bigrams.emplace_back(prev, boundary);
  }
  std::map<std::pair<long, long>, double> cc;
  std::map<long, double> left, right, word;
  for (auto [u, v] : bigrams) {
    cc[{class_of(u), class_of(v)}] += 1;
    left[class_of(u)] += 1;
    right[class_of(v)] += 1;
    word[v] += 1;
  }
  double ll = 0.0;
  for (auto [u, v] : bigrams)
    ll += std::log(cc[{class_of(u), class_of(v)}] / left[class_of(u)] * word[v] / right[class_of(v)]);
  return ll;
}

const std::vector<std::vector<word_id>> small_text = {
    {0, 1, 2, 1, 1}, {3, 4, 0, 0}, {}, {5, 2, 3, 1, 4, 4, 4}, {2}, {0, 5, 6, 5, 0, 1}, {6, 6}};
constexpr std::size_t small_vocab = 8;  // word 7 never occurs

}  // namespace

TEST_CASE("word classes: log-likelihood and exchange gains match a literal count", "[em][word_classes]") {
  const auto text = store(small_text);
  const auto g = em::detail::bigram_graph::build(text, small_vocab);
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const std::size_t C = 1 + trial % 4;
    em::word_classes wc{std::vector<std::uint32_t>(small_vocab), C};
    for (auto& c : wc.class_of) c = static_cast<std::uint32_t>(rng() % C);
    const double ll = em::class_bigram_log_likelihood(text, small_vocab, wc);
    CHECK(ll == Approx(brute_log_likelihood(small_text, wc.class_of)).epsilon(1e-12));

    em::detail::exchange_state st;
    st.C = C;
    st.cls.assign(wc.class_of.begin(), wc.class_of.end());
    st.cls.push_back(static_cast<std::uint32_t>(C));
    st.recount(g);
    em::detail::exchange_scratch sc;
    for (std::size_t w = 0; w < small_vocab; ++w)
      for (std::uint32_t b = 0; b < C; ++b) {
        em::detail::neighbour_classes(g, st, w, sc);
        const double gain = em::detail::exchange_gain(g, st, w, st.cls[w], b, sc);
        auto moved = wc.class_of;
        moved[w] = b;
        const double expected = brute_log_likelihood(small_text, moved) - brute_log_likelihood(small_text, wc.class_of);
        CHECK(gain == Approx(expected).margin(1e-9));
      }
    // Applying a move updates the counts as recounting would.
    em::detail::neighbour_classes(g, st, 1, sc);
    const auto target = static_cast<std::uint32_t>((st.cls[1] + 1) % C);
    em::detail::exchange_apply(g, st, 1, st.cls[1], target, sc);
    auto fresh = st;
    fresh.recount(g);
    CHECK(fresh.pair == st.pair);
    CHECK(fresh.unigram == st.unigram);
  }
}

TEST_CASE("word classes: sequential exchange ends where no single move gains", "[em][word_classes]") {
  const auto text = store(small_text);
  const auto r = em::train_word_classes(text, small_vocab, {.classes = 3, .iterations = 50, .batch_size = 1});
  REQUIRE(r.convergence.status == lexalign::solver_status::converged);
  REQUIRE(r.classes.count == 3);
  const double ll = brute_log_likelihood(small_text, r.classes.class_of);
  CHECK(r.log_likelihood == Approx(ll).epsilon(1e-12));
  for (std::size_t w = 0; w < 7; ++w)  // every word that occurs
    for (std::uint32_t b = 0; b < 3; ++b) {
      auto moved = r.classes.class_of;
      moved[w] = b;
      CHECK(brute_log_likelihood(small_text, moved) <= ll + 1e-9);
    }
  // Never worse than the round-robin start (frequency ranks dealt into classes).
  const auto start = em::train_word_classes(text, small_vocab, {.classes = 3, .iterations = 1, .batch_size = 1000});
  CHECK(r.log_likelihood >= brute_log_likelihood(small_text, {0, 1, 2, 0, 1, 2, 0, 1}) - 1e-9);
  CHECK(start.log_likelihood <= r.log_likelihood + 1e-9);
}

TEST_CASE("word classes: identical for any thread count, seed-dependent order", "[em][word_classes]") {
  const std::string dir = LEXALIGN_TEST_DATA_DIR "/gold/";
  const auto corpus = lexalign::io::read_parallel_corpus_files(dir + "roen.src", dir + "roen.tgt");
  const auto& text = corpus.source_sentences();
  const std::size_t V = corpus.source_vocabulary().size();
  em::word_class_options o{.classes = 10, .iterations = 3, .batch_size = 64};
  const auto one = em::train_word_classes(text, V, o);
  std::vector<double> passes;
  o.parallel.threads = 3;
  const auto three = em::train_word_classes(text, V, o, [&](const lexalign::iteration_event& ev) {
    CHECK(ev.stage == "em.word_classes");
    passes.push_back(ev.objective);
  });
  CHECK(one.classes == three.classes);
  CHECK(one.log_likelihood == three.log_likelihood);
  REQUIRE(passes.size() == three.convergence.iterations);
  for (std::size_t k = 1; k < passes.size(); ++k) CHECK(passes[k] >= passes[k - 1]);  // never decreases
  const auto start = em::class_bigram_log_likelihood(
      text, V, em::word_classes{std::vector<std::uint32_t>(V, 0), 1});  // one class: the floor
  CHECK(one.log_likelihood > start);
  o.parallel.threads = 1;
  o.seed = 2;
  const auto other = em::train_word_classes(text, V, o);
  CHECK(std::isfinite(other.log_likelihood));
  CHECK(!(other.classes == one.classes));
}

TEST_CASE("word classes: class file round trip and errors", "[em][word_classes][io]") {
  using lexalign::test::message_of;
  const auto corpus = lexalign::test::read_pairs(lexalign::test::toy_pairs);
  const auto& vocab = corpus.source_vocabulary();
  const auto r = em::train_word_classes(corpus.source_sentences(), vocab.size(), {.classes = 3});
  lexalign::test::temp_file file("");
  em::save_word_classes(r.classes, vocab, file.path());
  const auto back = em::load_word_classes(file.path(), vocab);
  CHECK(back == r.classes);

  // mkcls's own shape: classes from 1, tabs or spaces, blank lines, unknown words ignored.
  lexalign::test::temp_file partial("the\t2\n\nhouse 1\nzebra\t4\r\n");
  const auto p = em::load_word_classes(partial.path(), vocab);
  CHECK(p.count == 5);  // 4 in the file + one class for the words it does not list
  CHECK(p(*vocab.find("the")) == 1);
  CHECK(p(*vocab.find("house")) == 0);
  CHECK(p(*vocab.find("blue")) == 4);

  auto error_of = [&](const std::string& text) {
    lexalign::test::temp_file bad(text);
    const std::string m = message_of<lexalign::parse_error>([&] { em::load_word_classes(bad.path(), vocab); });
    return m.substr(m.find(':') == std::string::npos ? 0 : m.find(bad.path()) + bad.path().size());
  };
  CHECK(error_of("the 1\nhouse\n") == ":2: expected \"word<TAB>class\"");
  CHECK(error_of("the 1\nhouse \n") == ":2: missing class after \"house\"");
  CHECK(error_of("the x1\n") == ":1: class \"x1\" is not an integer in 1..1048576");
  CHECK(error_of("the 0\n") == ":1: class \"0\" is not an integer in 1..1048576");
  CHECK(error_of("the -3\n") == ":1: class \"-3\" is not an integer in 1..1048576");
  CHECK(error_of("the 1\n\nthe 2\n") == ":3: word \"the\" listed twice (first on line 1)");
  CHECK(error_of("zz 1\nzz 2\n") == ":2: word \"zz\" listed twice (first on line 1)");
  CHECK(message_of<lexalign::io_error>([&] { em::load_word_classes("/nonexistent/classes", vocab); })
            .find("/nonexistent/classes") != std::string::npos);
}

TEST_CASE("word classes: options are validated", "[em][word_classes]") {
  using lexalign::test::rejected_option;
  const auto text = store(small_text);
  CHECK(rejected_option([&] { em::train_word_classes(text, small_vocab, {.classes = 0}); }) ==
        "em::word_class_options.classes");
  CHECK(rejected_option([&] { em::train_word_classes(text, small_vocab, {.iterations = 0}); }) ==
        "em::word_class_options.iterations");
  CHECK(rejected_option([&] { em::train_word_classes(text, small_vocab, {.batch_size = 0}); }) ==
        "em::word_class_options.batch_size");
  CHECK(rejected_option([&] { em::train_word_classes(text, small_vocab, {.min_gain = -1.0}); }) ==
        "em::word_class_options.min_gain");
  CHECK(lexalign::test::message_of([&] { em::train_word_classes(store({{9}}), 3); }).find("out of range") !=
        std::string::npos);
}
