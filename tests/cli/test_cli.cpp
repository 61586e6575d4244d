// The lexalign command's subcommands, called directly: output, exit codes
// and error messages.
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"

using lexalign::test::temp_file;
using Catch::Matchers::Contains;

namespace {

using result = lexalign::test::command_result;
using lexalign::test::call_command;

template <class Run>
result call(Run run, std::vector<std::string> args, const std::string& stdin_text = "") {
  return call_command(run, args, stdin_text);
}

result score(std::vector<std::string> args, const std::string& stdin_text = "") {
  return call(lexalign::cli::run_score, std::move(args), stdin_text);
}
result symmetrize(std::vector<std::string> args, const std::string& stdin_text = "") {
  return call(lexalign::cli::run_symmetrize, std::move(args), stdin_text);
}
result baseline(std::vector<std::string> args, const std::string& stdin_text = "") {
  return call(lexalign::cli::run_baseline, std::move(args), stdin_text);
}

// The value printed after `key` in the text output.
std::string field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string k, v;
  while (in >> k >> v) {
    if (k == key) return v;
    std::getline(in, k);
  }
  return "<missing " + key + ">";
}

std::string data(const std::string& name) { return std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/" + name; }

}  // namespace

TEST_CASE("score: hand-computed sentence, text and JSON", "[cli][score]") {
  // The metrics test's case: P = 2/3, R = 1/2, F1 = 4/7, AER = 0.4.
  temp_file gold("0-0 1-1 1?2\n");
  const auto r = score({"--gold", gold.path(), "--test", "-"}, "0-0 1-2 2-2\n");
  REQUIRE(r.rc == 0);
  CHECK(r.err.empty());
  CHECK(field(r.out, "sentences") == "1");
  CHECK(field(r.out, "precision") == "0.6667");
  CHECK(field(r.out, "recall") == "0.5000");
  CHECK(field(r.out, "f1") == "0.5714");
  CHECK(field(r.out, "aer") == "0.4000");
  CHECK(field(r.out, "hypothesis_links") == "3");
  CHECK(field(r.out, "possible_links") == "3");
  CHECK(field(r.out, "token_counts") == "estimated");

  const auto j = score({"--gold=" + gold.path(), "--test", "-", "--json", "--all-sure"}, "0-0 1-2 2-2\n");
  REQUIRE(j.rc == 0);
  CHECK_THAT(j.out, Contains("\"aer\": 0.3333333333"));
  CHECK_THAT(j.out, Contains("\"sure_links\": 3"));
  CHECK(j.out.front() == '{');
}

TEST_CASE("score: index base, direction and sentence lengths", "[cli][score]") {
  temp_file gold("1-1 2-3\n");       // 1-based: 0-0 1-2
  temp_file test("0-0 2-1\n");       // target-source: 0-0 1-2
  temp_file src("a b c\n"), tgt("x y z w\n");
  const auto r = score({"--gold", gold.path(), "--one-based", "--test", test.path(), "--reverse", "--source",
                        src.path(), "--target", tgt.path()});
  REQUIRE(r.rc == 0);
  CHECK(field(r.out, "aer") == "0.0000");
  CHECK(field(r.out, "source_tokens") == "3");
  CHECK(field(r.out, "target_tokens") == "4");
  CHECK(field(r.out, "unaligned_source") == "1");
  CHECK(field(r.out, "unaligned_target") == "2");
  CHECK(field(r.out, "token_counts") == "exact");
  // Without --reverse the test links 0-0 2-1 miss 1-2: one right of two.
  const auto w = score({"--gold", gold.path(), "--one-based", "--test", test.path()});
  CHECK(field(w.out, "precision") == "0.5000");
}

TEST_CASE("score: undefined scores", "[cli][score]") {
  temp_file gold("\n\n");
  const auto r = score({"--gold", gold.path(), "--test", "-"}, "\n\n");
  REQUIRE(r.rc == 0);
  CHECK(field(r.out, "aer") == "undefined");
  CHECK(field(r.out, "precision") == "undefined");
  const auto j = score({"--gold", gold.path(), "--test", "-", "--json"}, "\n\n");
  CHECK_THAT(j.out, Contains("\"aer\": null"));
}

TEST_CASE("score: bad input names the file and the line", "[cli][score][errors]") {
  temp_file gold("0-0\n1-1\n");
  const auto bad = score({"--gold", gold.path(), "--test", "-"}, "0-0\n1-x\n");
  CHECK(bad.rc == 1);
  CHECK_THAT(bad.err, Contains("<stdin>:2: malformed link '1-x'"));
  const auto short_test = score({"--gold", gold.path(), "--test", "-"}, "0-0\n");
  CHECK(short_test.rc == 1);
  CHECK_THAT(short_test.err, Contains(gold.path() + ":2: '<stdin>' has only 1 lines"));
  const auto long_test = score({"--gold", gold.path(), "--test", "-"}, "0-0\n0-0\n0-0\n");
  CHECK(long_test.rc == 1);
  CHECK_THAT(long_test.err, Contains("<stdin>:3:"));
  temp_file src("a\nb\n"), tgt("x\ny\n"), gold1("0-0\n0-0\n");
  const auto range = score({"--gold", gold1.path(), "--test", "-", "--source", src.path(), "--target", tgt.path()},
                           "0-0\n0-1\n");
  CHECK(range.rc == 1);
  CHECK_THAT(range.err, Contains("<stdin>:2: link 0-1"));
  const auto missing = score({"--gold", "/nonexistent/gold", "--test", "-"});
  CHECK(missing.rc == 1);
  CHECK_THAT(missing.err, Contains("cannot open '/nonexistent/gold'"));
}

TEST_CASE("usage errors and help", "[cli][errors]") {
  CHECK(score({"--gold", "x"}).rc == 2);
  CHECK_THAT(score({"--gold", "x"}).err, Contains("missing option '--test'"));
  CHECK(score({"--gold", "x", "--test", "y", "--bogus"}).rc == 2);
  CHECK(score({"--gold", "-", "--test", "-"}).rc == 2);
  CHECK(score({"--gold"}).rc == 2);
  CHECK(score({"--gold", "a", "--gold", "b", "--test", "c"}).rc == 2);
  CHECK(score({"--json=yes", "--gold", "a", "--test", "c"}).rc == 2);
  CHECK(score({"stray"}).rc == 2);
  for (auto run : {lexalign::cli::run_score, lexalign::cli::run_symmetrize, lexalign::cli::run_baseline}) {
    const auto h = call(run, {"--help"});
    CHECK(h.rc == 0);
    CHECK_THAT(h.out, Contains("usage: lexalign "));
  }
  CHECK(symmetrize({"--forward", "-", "--reverse", "x", "--heuristic", "gdfa"}).rc == 2);
  CHECK(symmetrize({"--forward", "-", "--reverse", "x", "--semantics", "giza"}).rc == 2);
  CHECK(symmetrize({"--forward", "-"}).rc == 2);  // --reverse is needed unless inverting
}

TEST_CASE("symmetrize: heuristics and semantics", "[cli][symmetrize]") {
  // Line 1: the minimal atools/Moses example; line 2: one-word sentences; line 3: empty.
  temp_file rev("0-0 1-1\n0-0\n\n");
  const std::string fwd = "1-0 1-1\n0-0\n\n";
  const auto a = symmetrize({"--forward", "-", "--reverse", rev.path(), "--heuristic", "grow-diag"}, fwd);
  REQUIRE(a.rc == 0);
  CHECK(a.out == "0-0 1-1\n0-0\n\n");
  const auto m =
      symmetrize({"--forward", "-", "--reverse", rev.path(), "--heuristic", "grow-diag", "--semantics", "moses"}, fwd);
  CHECK(m.out == "0-0 1-0 1-1\n0-0\n\n");
  CHECK(symmetrize({"--forward", "-", "--reverse", rev.path(), "--heuristic", "union"}, fwd).out ==
        "0-0 1-0 1-1\n0-0\n\n");
  CHECK(symmetrize({"--forward", "-", "--reverse", rev.path(), "--heuristic", "intersect"}, fwd).out ==
        "1-1\n0-0\n\n");
  CHECK(symmetrize({"--forward", "-", "--reverse", rev.path(), "--heuristic", "srctotgt"}, fwd).out == fwd);
  CHECK(symmetrize({"--forward", "-", "--heuristic", "invert"}, "1-0 2-1\n").out == "0-1 1-2\n");
  // A reverse file written target-source, 1-based input.
  temp_file rev_ts("1-1 2-2\n");
  CHECK(symmetrize({"--forward", "-", "--reverse", rev_ts.path(), "--reverse-inverted", "--one-based",
                    "--heuristic", "intersect"},
                   "2-2 2-1\n")
            .out == "1-1\n");
}

TEST_CASE("symmetrize: errors", "[cli][symmetrize][errors]") {
  temp_file rev("0-0\n");
  const auto mismatch = symmetrize({"--forward", "-", "--reverse", rev.path()}, "0-0\n0-0\n");
  CHECK(mismatch.rc == 1);
  CHECK_THAT(mismatch.err, Contains("<stdin>:2: '" + rev.path() + "' has only 1 lines"));
  const auto malformed = symmetrize({"--forward", "-", "--reverse", rev.path()}, "0-0 0-0\n");
  CHECK(malformed.rc == 1);
  CHECK_THAT(malformed.err, Contains("<stdin>:1: duplicated link"));
  temp_file src("a\n"), tgt("b\n");
  const auto range = symmetrize(
      {"--forward", "-", "--reverse", rev.path(), "--source", src.path(), "--target", tgt.path()}, "0-1\n");
  CHECK(range.rc == 1);
  CHECK_THAT(range.err, Contains("<stdin>:1: link 0-1"));
}

TEST_CASE("baseline: the diagonal alignment", "[cli][baseline]") {
  temp_file src("a b c d\na\n\na b\n");
  temp_file tgt("w x\nw x y\nw\n\n");
  // 4 x 2: targets j=0,1 -> sources round(0) = 0, round(2) = 2; reverse:
  // sources i=0..3 -> targets round(i/2) = 0, 1 (0.5 rounds up), 1, 2 -> clamped 1.
  // 1 x 3: every target to source 0; reverse: source 0 -> target 0.
  CHECK(baseline({"--source", src.path(), "--target", tgt.path()}).rc == 1);  // empty lines need --allow-empty
  const auto f = baseline({"--source", src.path(), "--target", tgt.path(), "--allow-empty"});
  REQUIRE(f.rc == 0);
  CHECK(f.out == "0-0 2-1\n0-0 0-1 0-2\n\n\n");
  const auto r = baseline({"--source", src.path(), "--target", tgt.path(), "--reverse", "--allow-empty"});
  CHECK(r.out == "0-0 1-1 2-1 3-1\n0-0\n\n\n");
  temp_file shorter("a\n");
  CHECK(baseline({"--source", src.path(), "--target", shorter.path(), "--allow-empty"}).rc == 1);
}

TEST_CASE("pipeline on a bundled set: baseline, symmetrize, score", "[cli][data]") {
  const auto f = baseline({"--source", data("roen.src"), "--target", data("roen.tgt")});
  const auto r = baseline({"--source", data("roen.src"), "--target", data("roen.tgt"), "--reverse"});
  REQUIRE(f.rc == 0);
  REQUIRE(r.rc == 0);
  temp_file rf(r.out);
  const auto s = symmetrize({"--forward", "-", "--reverse", rf.path()}, f.out);
  REQUIRE(s.rc == 0);
  const auto sc = score({"--gold", data("roen.gold"), "--test", "-", "--source", data("roen.src"), "--target",
                         data("roen.tgt")},
                        s.out);
  REQUIRE(sc.rc == 0);
  CHECK(field(sc.out, "sentences") == "248");
  CHECK(field(sc.out, "source_tokens") == "5495");
  // roen has no possible links: AER = 1 - F1.
  CHECK(std::stod(field(sc.out, "aer")) == Approx(1.0 - std::stod(field(sc.out, "f1"))).margin(1e-4));
}

TEST_CASE("fuzz: random bytes never crash a subcommand", "[cli][fuzz]") {
  std::mt19937 rng(99);
  const std::string alphabet = "0123456789-?p \n\r\t:x";
  for (int trial = 0; trial < 300; ++trial) {
    std::string text;
    const int len = static_cast<int>(rng() % 200);
    for (int k = 0; k < len; ++k) text.push_back(alphabet[rng() % alphabet.size()]);
    temp_file other(text.substr(0, text.size() / 2));
    for (const char* h : {"grow-diag-final-and", "grow", "union"})
      for (const char* s : {"atools", "moses"}) {
        const auto r = symmetrize({"--forward", "-", "--reverse", other.path(), "--heuristic", h, "--semantics", s},
                                  text);
        CHECK((r.rc == 0 || r.rc == 1));
        if (r.rc == 1) CHECK_FALSE(r.err.empty());
      }
    const auto sc = score({"--gold", other.path(), "--test", "-"}, text);
    CHECK((sc.rc == 0 || sc.rc == 1));
  }
}
