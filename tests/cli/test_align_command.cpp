// `lexalign align` called directly (run_align): output, save/load, errors.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"

using lexalign::test::temp_file;

namespace {
using result = lexalign::test::command_result;
result align(std::vector<std::string> args, const std::string& stdin_text = "") {
  return lexalign::test::call_command(lexalign::cli::run_align, args, stdin_text);
}
std::string data(const std::string& name) { return std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/" + name; }
const char* toy =
    "the house ||| la maison\nthe blue house ||| la maison bleue\nthe flower ||| la fleur\n"
    "a blue flower ||| une fleur bleue\nthe house is blue ||| la maison est bleue\n";
}  // namespace

TEST_CASE("align: pairs from stdin, every direction, source-target output", "[cli][align]") {
  const auto f = align({"--input", "-", "--quiet", "--threads", "1"}, toy);
  REQUIRE(f.rc == 0);
  CHECK(f.err.empty());
  std::istringstream fo(f.out);
  const auto fwd = lexalign::io::read_pharaoh(fo, "out");
  REQUIRE(fwd.size() == 5);
  CHECK(fwd[0].sure == std::vector<lexalign::link>{{0, 0}, {1, 1}});
  const auto r = align({"--input", "-", "--quiet", "--reverse"}, toy);
  REQUIRE(r.rc == 0);
  CHECK(r.out.substr(0, r.out.find('\n')) == "0-0 1-1");
  const auto s = align({"--input", "-", "--symmetrize", "grow-diag-final-and"}, toy);
  REQUIRE(s.rc == 0);
  CHECK(s.err.find("em.hmm.reverse  iteration 5/5") != std::string::npos);  // progress on stderr
  // Thread count does not change the output.
  CHECK(align({"--input", "-", "--quiet", "--threads", "2", "--symmetrize", "union"}, toy).out ==
        align({"--input", "-", "--quiet", "--threads", "1", "--symmetrize", "union"}, toy).out);
}

TEST_CASE("align: two files, the pipeline beats GIZA++'s AER on roen", "[cli][align]") {
  const auto r = align({"--source", data("roen.src"), "--target", data("roen.tgt"), "--symmetrize",
                        "grow-diag-final-and", "--quiet"});
  REQUIRE(r.rc == 0);
  std::istringstream in(r.out);
  const auto hyp = lexalign::io::read_pharaoh(in, "out");
  const auto gold = lexalign::io::read_pharaoh_file(data("roen.gold"));
  REQUIRE(hyp.size() == gold.size());
  double a = 0, s = 0, as = 0;
  for (std::size_t k = 0; k < hyp.size(); ++k) {
    a += double(hyp[k].sure.size());
    s += double(gold[k].sure.size());
    for (const auto& l : hyp[k].sure)
      as += std::binary_search(gold[k].sure.begin(), gold[k].sure.end(), l) ? 1 : 0;
  }
  const double aer = 1 - 2 * as / (a + s);  // roen has sure links only
  CHECK(aer < 0.421);
}

TEST_CASE("align: save, then force-align with unknown words", "[cli][align]") {
  temp_file model("", ".model");
  const auto t = align({"--input", "-", "--quiet", "--save-model", model.path(), "--symmetrize", "intersect"}, toy);
  REQUIRE(t.rc == 0);
  const auto same = align({"--input", "-", "--quiet", "--model-file", model.path(), "--symmetrize", "intersect"}, toy);
  REQUIRE(same.rc == 0);
  CHECK(same.out == t.out);
  const auto fresh = align({"--input", "-", "--model-file", model.path()}, "the red house ||| la maison rouge\n");
  REQUIRE(fresh.rc == 0);
  CHECK(fresh.err.find("1 unknown source and 1 unknown target tokens") != std::string::npos);
  CHECK(fresh.out.find("2-1") != std::string::npos);  // house - maison
}

TEST_CASE("align: the HMM band options, saved with the model", "[cli][align][hmm]") {
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  temp_file plain("", ".model"), banded("", ".model"), post_trained("", ".post"), post_loaded("", ".post");
  REQUIRE(align({"--input", "-", "--quiet", "--save-model", plain.path()}, toy).rc == 0);
  CHECK(slurp(plain.path()).find("\nband 256 32\n") != std::string::npos);  // the defaults
  const auto b = align({"--input", "-", "--quiet", "--band-above", "2", "--band-width", "1", "--save-model",
                        banded.path(), "--write-posteriors", post_trained.path()},
                       toy);
  REQUIRE(b.rc == 0);
  CHECK(slurp(banded.path()).find("\nband 2 1\n") != std::string::npos);
  // The loaded model decodes with its own band: the same posteriors.
  const auto forced = align(
      {"--input", "-", "--quiet", "--model-file", banded.path(), "--write-posteriors", post_loaded.path()}, toy);
  REQUIRE(forced.rc == 0);
  CHECK(forced.out == b.out);
  CHECK(slurp(post_loaded.path()) == slurp(post_trained.path()));
  CHECK_FALSE(slurp(post_trained.path()).empty());
  CHECK(align({"--input", "-", "--quiet", "--band-width", "0"}, toy).rc == 2);
}

TEST_CASE("align: posteriors file and lower-casing", "[cli][align]") {
  temp_file post("", ".post");
  const auto r = align({"--input", "-", "--quiet", "--write-posteriors", post.path()}, toy);
  REQUIRE(r.rc == 0);
  std::ifstream in(post.path());
  std::string first;
  std::getline(in, first);
  CHECK(first.rfind("0-0:", 0) == 0);
  const auto lc = align({"--input", "-", "--quiet", "--lowercase"}, "The House ||| LA maison\nthe house ||| la maison\n");
  CHECK(lc.rc == 0);
}

TEST_CASE("align: usage and input errors", "[cli][align]") {
  CHECK(align({}).rc == lexalign::cli::exit_usage);
  CHECK(align({"--input", "-", "--source", "x"}).rc == lexalign::cli::exit_usage);
  CHECK(align({"--input", "-", "--model", "ibm9"}).rc == lexalign::cli::exit_usage);
  CHECK(align({"--input", "-", "--symmetrize", "sideways"}).rc == lexalign::cli::exit_usage);
  CHECK(align({"--input", "-", "--threshold", "2"}).rc == lexalign::cli::exit_usage);
  const auto bad = align({"--input", "-", "--quiet"}, "a b ||| c\nno separator here\n");
  CHECK(bad.rc == lexalign::cli::exit_bad_input);
  CHECK(bad.err == "<stdin>:2: missing ' ||| ' between source and target (--bad-lines skip skips such lines)\n");
  temp_file broken("lexalign-em-model 1\nsource_vocabulary x\n", ".model");
  const auto m = align({"--input", "-", "--model-file", broken.path()}, toy);
  CHECK(m.rc == lexalign::cli::exit_bad_input);
  CHECK(m.err.find(broken.path() + ":2: bad number 'x'") != std::string::npos);
  CHECK(align({"--help"}).out.find("usage: lexalign align") == 0);
}
