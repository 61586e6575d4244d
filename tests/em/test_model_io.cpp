// Save/load round trips and force alignment with unknown words.
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"
#include "support/temp_file.hpp"

using lexalign::test::read_pairs;
using lexalign::test::toy_pairs;

namespace em = lexalign::em;

namespace {
void check_same(const em::directional_model& a, const em::directional_model& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.probability_floor == b.probability_floor);
  REQUIRE(a.table.size() == b.table.size());
  CHECK(std::equal(a.table.offsets().begin(), a.table.offsets().end(), b.table.offsets().begin()));
  CHECK(std::equal(a.table.columns().begin(), a.table.columns().end(), b.table.columns().begin()));
  CHECK(std::equal(a.table.probabilities().begin(), a.table.probabilities().end(), b.table.probabilities().begin()));
  CHECK(a.hmm.jump == b.hmm.jump);
  CHECK(a.hmm.start == b.hmm.start);
  CHECK(a.hmm.null_probability == b.hmm.null_probability);
  CHECK(a.hmm.band_above == b.hmm.band_above);
  CHECK(a.hmm.band_width == b.hmm.band_width);
  CHECK(a.fast_align.lambda == b.fast_align.lambda);
}
}  // namespace

TEST_CASE("model files round-trip exactly and force alignment reproduces training alignments", "[em][model_io]") {
  const auto c = read_pairs(toy_pairs);
  for (auto kind : {em::model_kind::ibm1, em::model_kind::fast_align, em::model_kind::hmm}) {
    const auto m = em::train(c, {.model = kind, .ibm1 = {.iterations = 4}, .hmm = {.iterations = 3}});
    std::stringstream buf;
    em::save(m, buf);
    const auto loaded = em::load(buf, "<model>");
    check_same(m.forward, loaded.forward);
    check_same(m.reverse, loaded.reverse);
    CHECK(loaded.source_vocabulary.size() == c.source_vocabulary().size());
    const auto trained = em::align(m, c, {.with_posteriors = true});
    const auto forced = em::align(loaded, c, {.with_posteriors = true});
    CHECK(trained.forward.links == forced.forward.links);
    CHECK(trained.reverse.links == forced.reverse.links);
    CHECK(trained.forward.posteriors == forced.forward.posteriors);
    // Saving the loaded model gives the same bytes.
    std::stringstream again;
    em::save(loaded, again);
    CHECK(again.str() == buf.str());
  }
}

TEST_CASE("the HMM's band settings are saved; version 1 files load with the default band", "[em][model_io][hmm]") {
  const auto c = read_pairs(toy_pairs);
  // A band that applies to the toy corpus (given sentences of 3+ tokens, W = 1);
  // no end distribution, which format versions 1 and 2 cannot hold.
  const auto m = em::train(c, {.hmm = {.iterations = 2, .band = {.above_length = 2, .width = 1}, .end_distribution = false}});
  REQUIRE(m.forward.hmm.band_above == 2);
  std::stringstream buf;
  em::save(m, buf);
  const std::string v3 = buf.str();
  CHECK(v3.rfind("lexalign-em-model 3\n", 0) == 0);
  // Version 2 is version 3 without the class-jump, end and fertility lines.
  auto drop_lines = [](std::string text, std::initializer_list<const char*> keys) {
    for (const char* key : keys)
      for (std::size_t p; (p = text.find(std::string("\n") + key + " ")) != std::string::npos;)
        text.erase(p + 1, text.find('\n', p + 1) - p);
    return text;
  };
  std::string v2 = drop_lines(v3, {"hmm_classes", "class_jump", "hmm_end", "fertility"});
  v2.replace(0, std::string("lexalign-em-model 3").size(), "lexalign-em-model 2");
  REQUIRE(v2.find("fertility") == std::string::npos);
  CHECK(v2.find("\nband 2 1\n") != std::string::npos);
  buf.seekg(0);
  const auto loaded = em::load(buf, "<model>");
  std::istringstream in2(v2);
  const auto loaded2 = em::load(in2, "<v2>");
  CHECK(loaded2.forward.hmm.band_above == 2);
  CHECK(loaded2.reverse.hmm.band_width == 1);
  CHECK(loaded2.forward.hmm.jump == loaded.forward.hmm.jump);
  CHECK(loaded.forward.hmm.band_above == 2);
  CHECK(loaded.forward.hmm.band_width == 1);
  CHECK(loaded.reverse.hmm.band_width == 1);
  // Force alignment with the loaded band reproduces training-time decoding.
  const auto trained = em::align(m, c, {.with_posteriors = true});
  CHECK(em::align(loaded, c, {.with_posteriors = true}).forward.posteriors == trained.forward.posteriors);

  // The same file in format version 1: no band lines.
  std::string v1 = v2;
  v1.replace(0, std::string("lexalign-em-model 2").size(), "lexalign-em-model 1");
  for (std::size_t p; (p = v1.find("\nband ")) != std::string::npos;) v1.erase(p + 1, v1.find('\n', p + 1) - p);
  REQUIRE(v1.find("band") == std::string::npos);
  std::istringstream in1(v1);
  const auto old = em::load(in1, "<v1>");
  const em::hmm_band_options defaults;
  CHECK(old.forward.hmm.band_above == defaults.above_length);
  CHECK(old.forward.hmm.band_width == defaults.width);
  CHECK(old.reverse.hmm.band_above == defaults.above_length);
  CHECK(old.forward.hmm.jump == loaded.forward.hmm.jump);  // everything else as saved
  auto defaults_model = m;
  for (auto* d : {&defaults_model.forward, &defaults_model.reverse}) {
    d->hmm.band_above = defaults.above_length;
    d->hmm.band_width = defaults.width;
  }
  CHECK(em::align(old, c, {.with_posteriors = true}).forward.posteriors ==
        em::align(defaults_model, c, {.with_posteriors = true}).forward.posteriors);
  // A width of 0 is refused.
  std::string zero = v2;
  zero.replace(zero.find("\nband 2 1\n"), 10, "\nband 2 0\n");
  std::istringstream in0(zero);
  CHECK_THROWS_AS(em::load(in0, "<zero>"), lexalign::parse_error);
}

TEST_CASE("force alignment handles unknown words and longer sentences", "[em][model_io]") {
  const auto c = read_pairs(toy_pairs);
  const auto m = em::train(c);
  lexalign::test::temp_file file("");
  em::save(m, file.path());
  const auto loaded = em::load(file.path());
  const auto fresh = read_pairs("the green house is blue and the flower is blue ||| la maison verte est bleue et la fleur est bleue\n");
  const auto mapped = lexalign::map_to_vocabularies(fresh, loaded.source_vocabulary, loaded.target_vocabulary,
                                                    lexalign::unknown_words::shared_id);
  CHECK(mapped.unknown_source_tokens == 2);  // green, and
  CHECK(mapped.unknown_target_tokens == 2);  // verte, et
  const auto out = em::align(loaded, fresh, {.method = em::decoding::viterbi});
  REQUIRE(out.forward.links.size() == 1);
  const auto& links = out.forward.links[0].sure;
  CHECK(!links.empty());
  for (const auto& l : links) {
    CHECK(l.source < 11);
    CHECK(l.target < 11);
  }
  // Known words still align: maison (1) <- house (2).
  CHECK(std::find(links.begin(), links.end(), lexalign::link{2, 1}) != links.end());
}

TEST_CASE("malformed model files give file:line errors", "[em][model_io]") {
  const auto c = read_pairs(toy_pairs);
  const auto m = em::train(c, {.hmm = {.iterations = 1}});
  std::stringstream buf;
  em::save(m, buf);
  const std::string good = buf.str();
  auto error_of = [](const std::string& text) -> std::string {
    std::istringstream in(text);
    try {
      em::load(in, "m.txt");
    } catch (const lexalign::parse_error& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(error_of("not-a-model 1\n") == "m.txt:1: expected 'lexalign-em-model', found 'not-a-model'");
  CHECK(error_of("lexalign-em-model 4\n") ==
        "m.txt:1: unsupported model format version 4 (this build reads version 1 to 3)");
  CHECK(error_of("lexalign-em-model 0\n").find("m.txt:1: unsupported") == 0);
  CHECK(error_of(good.substr(0, good.find('\n', good.size() / 2) + 1)).find("unexpected end of file") != std::string::npos);
  std::string bad = good;
  const auto pos = bad.find("probability_floor ");
  bad.replace(pos, bad.find('\n', pos) - pos, "probability_floor x");
  const std::size_t line = static_cast<std::size_t>(std::count(good.begin(), good.begin() + static_cast<long>(pos), '\n')) + 1;
  CHECK(error_of(bad) == "m.txt:" + std::to_string(line) + ": bad number 'x'");
}
