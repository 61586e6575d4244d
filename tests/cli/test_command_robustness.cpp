// The command on the corpora people really have: bad lines, BOMs, output
// paths checked before training, integer options, help, progress.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"

using Catch::Matchers::Contains;
using lexalign::test::temp_file;

namespace {

using result = lexalign::test::command_result;
result run(std::vector<std::string> words, const std::string& stdin_text = "") {
  return lexalign::test::call_command(lexalign::cli::run_command, words, stdin_text);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

const std::string toy =
    "the house ||| la maison\nthe blue house ||| la maison bleue\nthe flower ||| la fleur\n"
    "a blue flower ||| une fleur bleue\nthe house is blue ||| la maison est bleue\n";

std::string missing_dir_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / "lexalign_no_such_dir" / name).string();
}

}  // namespace

TEST_CASE("skipping bad lines keeps the output line-parallel with the input", "[cli][messy]") {
  const std::string messy = "the house ||| la maison\n"
                            "no separator on this line\n"
                            "the blue house ||| la maison bleue\n"
                            " ||| la fleur\n"
                            "the flower ||| la fleur\n"
                            "a b c d e f g h ||| x\n"
                            "a blue flower ||| une fleur bleue\n";
  for (const char* model : {"hmm", "ibm1", "fast_align", "bayes"}) {
    const auto r = run({"align", "--input", "-", "--model", model, "--bad-lines", "skip", "--max-sentence-length",
                        "6", "--symmetrize", "grow-diag-final-and", "--threads", "1", "--sweep-scale", "0.01"},
                       messy);
    INFO(model << ": " << r.err);
    REQUIRE(r.rc == 0);
    const auto out = lines_of(r.out);
    REQUIRE(out.size() == 7);
    CHECK(out[1].empty());
    CHECK(out[3].empty());
    CHECK(out[5].empty());
    CHECK_FALSE(out[0].empty());
    CHECK_FALSE(out[6].empty());
    CHECK_THAT(r.err, Contains("<stdin>:2: missing ' ||| ' between source and target (skipped)\n"));
    CHECK_THAT(r.err, Contains("<stdin>:4: empty source sentence (skipped)\n"));
    CHECK_THAT(r.err, Contains("<stdin>:6: source sentence is longer than the limit of 6 tokens (it has 8) (skipped)\n"));
    CHECK_THAT(r.err, Contains("lexalign align: skipped 3 bad lines\n"));
  }
  // Two files, and the baseline: the same policy.
  temp_file src("a b\n\nc\n"), tgt("x y\nz\n\xFF\n");
  const auto two = run({"align", "--source", src.path(), "--target", tgt.path(), "--bad-lines", "skip", "--quiet"});
  REQUIRE(two.rc == 0);
  CHECK(lines_of(two.out).size() == 3);
  CHECK_THAT(two.err, Contains(src.path() + ":2: empty source sentence (skipped)"));
  CHECK_THAT(two.err, Contains(tgt.path() + ":3: invalid UTF-8 at byte 1"));
  CHECK_THAT(two.err, Contains("skipped 2 bad lines"));
  const auto base = run({"baseline", "--source", src.path(), "--target", tgt.path(), "--bad-lines", "skip"});
  REQUIRE(base.rc == 0);
  CHECK(base.out == "0-0 1-1\n\n\n");
  CHECK_THAT(base.err, Contains(tgt.path() + ":3: invalid UTF-8 at byte 1"));
  CHECK(run({"baseline", "--source", src.path(), "--target", tgt.path()}).rc == 1);  // default: error
}

TEST_CASE("score, symmetrize and show read --source/--target under the same text options", "[cli][messy]") {
  // Line 2: an empty source sentence; line 3: 3 tokens a side.
  temp_file src("a b\n\nc d e\nf\n"), tgt("x y\nz\nu v w\ng\n");
  temp_file gold("0-0 1-1\n0-0\n0-0 1-1 2-2\n0-0\n"), gold_empty("0-0 1-1\n\n0-0 1-1 2-2\n0-0\n");
  temp_file test("0-0 1-1\n\n0-0 2-2\n0-0\n");
  const std::vector<std::string> text{"--source", src.path(), "--target", tgt.path()};
  auto with = [&](std::vector<std::string> w, std::vector<std::string> more) {
    w.insert(w.end(), text.begin(), text.end());
    w.insert(w.end(), more.begin(), more.end());
    return run(w);
  };
  const std::vector<std::string> skip{"--bad-lines", "skip", "--max-sentence-length", "2"};
  const std::string skipped2 = src.path() + ":2: empty source sentence (skipped)\n";
  const std::string skipped3 = src.path() + ":3: source sentence is longer than the limit of 2 tokens (it has 3) (skipped)\n";

  // score: a skipped pair is left out of the scores.
  const std::vector<std::string> score{"score", "--gold", gold.path(), "--test", test.path()};
  const auto s_err = with(score, {});
  CHECK(s_err.rc == 1);
  CHECK_THAT(s_err.err, Contains(src.path() + ":2: empty source sentence (--allow-empty accepts it"));
  const auto s_skip = with(score, skip);
  REQUIRE(s_skip.rc == 0);
  CHECK_THAT(s_skip.out, Contains("sentences               2\n"));
  CHECK_THAT(s_skip.out, Contains("aer                     0.0000\n"));
  CHECK_THAT(s_skip.err, Contains(skipped2));
  CHECK_THAT(s_skip.err, Contains(skipped3));
  CHECK_THAT(s_skip.err, Contains("lexalign score: skipped 2 bad lines\n"));
  const auto s_empty = with({"score", "--gold", gold_empty.path(), "--test", test.path()}, {"--allow-empty"});
  REQUIRE(s_empty.rc == 0);
  CHECK_THAT(s_empty.out, Contains("sentences               4\n"));
  const auto s_long = with({"score", "--gold", gold_empty.path(), "--test", test.path()},
                           {"--allow-empty", "--max-sentence-length", "2"});
  CHECK(s_long.rc == 1);
  CHECK_THAT(s_long.err, Contains(src.path() + ":3: source sentence is longer than the limit of 2 tokens"));
  CHECK_THAT(s_long.err, Contains("--max-sentence-length"));
  CHECK(run({"score", "--gold", gold.path(), "--test", test.path(), "--allow-empty"}).rc == 2);  // no text to apply to

  // symmetrize: a skipped pair gets an empty line.
  const std::vector<std::string> sym{"symmetrize", "--forward", test.path(), "--reverse", test.path(),
                                     "--heuristic", "union"};
  CHECK(with(sym, {}).rc == 1);
  const auto y_skip = with(sym, skip);
  REQUIRE(y_skip.rc == 0);
  CHECK(y_skip.out == "0-0 1-1\n\n\n0-0\n");
  CHECK_THAT(y_skip.err, Contains(skipped2));
  CHECK_THAT(y_skip.err, Contains("lexalign symmetrize: skipped 2 bad lines\n"));
  const auto y_empty = with(sym, {"--allow-empty"});
  REQUIRE(y_empty.rc == 0);
  CHECK(y_empty.out == "0-0 1-1\n\n0-0 2-2\n0-0\n");
  CHECK(with(sym, {"--allow-empty", "--max-sentence-length", "2"}).rc == 1);
  CHECK(run({"symmetrize", "--forward", test.path(), "--heuristic", "invert", "--bad-lines", "skip"}).rc == 2);

  // show: a skipped pair is drawn empty (the gold's link on the empty pair is dropped).
  const std::vector<std::string> show{"show", "--alignment", test.path(), "--gold", gold.path()};
  const auto w_err = with(show, {});
  CHECK(w_err.rc == 1);
  CHECK_THAT(w_err.err, Contains(src.path() + ":2: empty source sentence (--allow-empty accepts it"));
  const auto w_skip = with(show, skip);
  REQUIRE(w_skip.rc == 0);
  CHECK_THAT(w_skip.out, Contains("</html>"));
  CHECK_THAT(w_skip.err, Contains(skipped3));
  CHECK_THAT(w_skip.err, Contains("lexalign show: skipped 2 bad lines\n"));
  const auto w_empty = with({"show", "--alignment", test.path(), "--gold", gold_empty.path()}, {"--allow-empty"});
  REQUIRE(w_empty.rc == 0);
  CHECK(w_empty.err.empty());
  const auto w_long = with({"show", "--alignment", test.path()}, {"--allow-empty", "--max-sentence-length", "2"});
  CHECK(w_long.rc == 1);
  CHECK_THAT(w_long.err, Contains("--max-sentence-length"));
}

TEST_CASE("empty and over-long lines: errors name the command-line flags", "[cli][messy]") {
  const std::string with_empty = "the house ||| la maison\n\nthe flower ||| la fleur\n";
  const auto e = run({"align", "--input", "-", "--quiet"}, with_empty);
  CHECK(e.rc == 1);
  CHECK(e.err ==
        "<stdin>:2: empty line (an empty source and target sentence) (--allow-empty accepts it, --bad-lines skip "
        "skips it)\n");
  const auto blank_ok = run({"align", "--input", "-", "--quiet", "--allow-empty"}, with_empty);
  REQUIRE(blank_ok.rc == 0);
  CHECK(lines_of(blank_ok.out).size() == 3);
  CHECK(lines_of(blank_ok.out)[1].empty());
  const auto empty_side = run({"align", "--input", "-", "--quiet"}, "a ||| \nb ||| c\n");
  CHECK(empty_side.rc == 1);
  CHECK_THAT(empty_side.err, Contains("<stdin>:1: empty target sentence (--allow-empty accepts it"));
  CHECK_THAT(empty_side.err, !Contains("corpus_read_options"));
  const auto allowed = run({"align", "--input", "-", "--quiet", "--allow-empty"}, "a ||| \nb ||| c\n");
  REQUIRE(allowed.rc == 0);
  CHECK(allowed.out == "\n0-0\n");
  const auto too_long = run({"align", "--input", "-", "--quiet", "--max-sentence-length", "2"}, "a b c ||| x\n");
  CHECK(too_long.rc == 1);
  CHECK_THAT(too_long.err, Contains("<stdin>:1: source sentence is longer than the limit of 2 tokens (it has 3)"));
  CHECK_THAT(too_long.err, Contains("--max-sentence-length"));
}

TEST_CASE("a UTF-8 BOM at the start of any input is dropped", "[cli][messy][bom]") {
  const std::string bom = "\xEF\xBB\xBF";
  const auto plain = run({"align", "--input", "-", "--quiet", "--threads", "1"}, toy);
  const auto with_bom = run({"align", "--input", "-", "--quiet", "--threads", "1"}, bom + toy);
  REQUIRE(with_bom.rc == 0);
  CHECK(with_bom.out == plain.out);
  temp_file src(bom + "a b c\n"), tgt(bom + "x y\n");
  const auto b = run({"baseline", "--source", src.path(), "--target", tgt.path()});
  REQUIRE(b.rc == 0);
  CHECK(b.out == "0-0 2-1\n");
  temp_file gold(bom + "0-0 1-1\n");
  const auto s = run({"score", "--gold", gold.path(), "--test", "-", "--source", src.path(), "--target", tgt.path()},
                     bom + "0-0 1-1\n");
  REQUIRE(s.rc == 0);
  CHECK_THAT(s.out, Contains("aer                     0.0000"));
  const auto sym = run({"symmetrize", "--forward", "-", "--heuristic", "invert"}, bom + "1-0\n");
  CHECK(sym.out == "0-1\n");
}

TEST_CASE("error messages quote a short, escaped excerpt", "[cli][messy]") {
  const std::string huge(200 * 1024, 'z');
  const auto m = run({"align", "--input", "-", "--model", huge}, toy);
  CHECK(m.rc == 2);
  CHECK(m.err.size() < 300);
  CHECK_THAT(m.err, Contains("(204800 bytes)"));
  temp_file gold("0-0\n");
  const auto bin = run({"score", "--gold", gold.path(), "--test", "-"}, "0-\x01\x02\xFF" + huge + "\n");
  CHECK(bin.rc == 1);
  CHECK(bin.err.size() < 300);
  CHECK_THAT(bin.err, Contains("<stdin>:1: malformed link '0-\\x01\\x02\\xff"));
  CHECK(bin.err.find('\x01') == std::string::npos);
}

TEST_CASE("output paths are checked before the corpus is read or a model trained", "[cli][failfast]") {
  for (const char* option : {"--output", "--save-model", "--write-posteriors"}) {
    const std::string bad = missing_dir_path("out.txt");
    const auto start = std::chrono::steady_clock::now();
    // The corpus is broken on purpose: the path error must come first.
    const auto r = run({"align", "--input", "-", option, bad}, "no separator\n");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(option << ": " << r.err);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, Contains("cannot open '" + bad + "' for writing (" + std::string(option) + ")"));
    CHECK_THAT(r.err, !Contains("iteration"));
    CHECK_THAT(r.err, !Contains("sentence pairs"));
    CHECK(seconds < 5);
  }
  // A writable path passes the check and leaves no file behind when the run fails later.
  const auto fresh = (std::filesystem::temp_directory_path() / "lexalign_failfast_probe.align").string();
  std::filesystem::remove(fresh);
  CHECK(run({"align", "--input", "-", "--output", fresh, "--quiet"}, "no separator\n").rc == 1);
  CHECK_FALSE(std::filesystem::exists(fresh));
  // An existing file is not truncated by the check when the run fails.
  temp_file existing("keep me\n");
  CHECK(run({"align", "--input", "-", "--output", existing.path(), "--quiet"}, "no separator\n").rc == 1);
  std::ifstream kept(existing.path());
  std::string line;
  std::getline(kept, line);
  CHECK(line == "keep me");
  // And a good run writes it.
  REQUIRE(run({"align", "--input", "-", "--output", existing.path(), "--quiet"}, toy).rc == 0);
  std::ifstream written(existing.path());
  std::getline(written, line);
  CHECK(line == "0-0 1-1");
}

TEST_CASE("integer options are integers, with ranges printed as integers", "[cli][arguments]") {
  const auto seed = run({"align", "--input", "-", "--model", "bayes", "--seed", "1.9"}, toy);
  CHECK(seed.rc == 2);
  CHECK_THAT(seed.err, Contains("--seed needs an integer from 0 to 18446744073709551615, got '1.9'"));
  for (const char* bad : {"-1", "1e3", "+3", " 2", "0x10", "", "99999999999999999999999"}) {
    const auto r = run({"align", "--input", "-", "--threads", bad}, toy);
    INFO(bad);
    CHECK(r.rc == 2);
    CHECK_THAT(r.err, Contains("--threads needs an integer from 0 to 4096"));
  }
  const auto samplers = run({"align", "--input", "-", "--model", "bayes", "--samplers", "0"}, toy);
  CHECK(samplers.rc == 2);
  CHECK_THAT(samplers.err, Contains("--samplers needs an integer from 1 to 1000, got '0'"));
  CHECK_THAT(run({"align", "--input", "-", "--ibm1-iterations", "2.5"}, toy).err,
             Contains("--ibm1-iterations needs an integer from 0 to 1000000, got '2.5'"));
  CHECK_THAT(run({"align", "--input", "-", "--max-sentence-length", "0"}, toy).err,
             Contains("--max-sentence-length needs an integer from 1 to 100000000, got '0'"));
  CHECK_THAT(run({"align", "--input", "-", "--threshold", "2"}, toy).err,
             Contains("--threshold needs a number from 0 to 1, got '2'"));
  // Options are checked before any input is read: a bad value with a missing file is a usage error.
  CHECK(run({"align", "--input", "/nonexistent/corpus", "--threads", "x"}).rc == 2);
  // The largest seed is accepted.
  CHECK(run({"align", "--input", "-", "--model", "bayes", "--seed", "18446744073709551615", "--quiet",
             "--sweep-scale", "0.01"},
            toy)
            .rc == 0);
}

TEST_CASE("help: 'lexalign help CMD' and 'lexalign CMD --help' print that command's help", "[cli][help]") {
  for (const char* cmd : {"align", "score", "symmetrize", "baseline"}) {
    const auto h = run({"help", cmd});
    const auto h2 = run({cmd, "--help"});
    INFO(cmd);
    CHECK(h.rc == 0);
    CHECK(h.out.rfind(std::string("usage: lexalign ") + cmd, 0) == 0);
    CHECK(h.out == h2.out);
  }
  CHECK_THAT(run({"help", "align"}).out, Contains("--bad-lines POLICY"));
  CHECK_THAT(run({"help", "align"}).out, Contains("--seed N"));
  const auto general = run({"help"});
  CHECK(general.rc == 0);
  CHECK_THAT(general.out, Contains("usage: lexalign <command>"));
  CHECK(run({"help", "frobnicate"}).rc == 2);
  CHECK(run({"frobnicate"}).rc == 2);
  CHECK(run({}).rc == 2);
  const auto v = run({"--version"});
  CHECK(v.rc == 0);
  CHECK(v.out.rfind("lexalign ", 0) == 0);
  CHECK_THAT(v.out, Contains(" build, "));
}

TEST_CASE("progress: stage, count, rate, time left and a closing summary, silenced by --quiet", "[cli][progress]") {
  const auto r = run({"align", "--input", "-", "--symmetrize", "grow-diag-final-and", "--threads", "1"}, toy);
  REQUIRE(r.rc == 0);
  CHECK_THAT(r.err, Contains("[lexalign align] 5 sentence pairs, 14 source and 14 target tokens\n"));
  CHECK_THAT(r.err, Contains("[lexalign align] em.ibm1.forward  iteration 1/5"));
  CHECK_THAT(r.err, Contains("[lexalign align] em.hmm.reverse  iteration 5/5"));
  CHECK_THAT(r.err, Contains(" it/s"));
  CHECK_THAT(r.err, Contains(" s left"));
  CHECK_THAT(r.err, Contains("[lexalign align] decode: 5 pairs in "));
  CHECK_THAT(r.err, Contains("[lexalign align] symmetrize: 5 pairs, "));
  CHECK_THAT(r.err, Contains("[lexalign align] done: 5 pairs, "));
  CHECK_THAT(r.err, Contains(" MB\n"));  // peak memory
  CHECK(r.err.find('\r') == std::string::npos);  // not a terminal: plain lines
  const std::size_t links = std::count(r.out.begin(), r.out.end(), '-');
  CHECK_THAT(r.err, Contains("done: 5 pairs, " + std::to_string(links) + " links"));

  const auto q = run({"align", "--input", "-", "--symmetrize", "grow-diag-final-and", "--quiet"}, toy);
  REQUIRE(q.rc == 0);
  CHECK(q.err.empty());
  CHECK(q.out == r.out);

  const auto b = run({"align", "--input", "-", "--model", "bayes", "--sweep-scale", "0.01", "--threads", "1"}, toy);
  REQUIRE(b.rc == 0);
  CHECK_THAT(b.err, Contains("[lexalign align] bayes: planned sweeps ibm1 "));
  CHECK(b.err.find("planned sweeps") < b.err.find("bayes.ibm1.forward"));  // the schedule comes first
  CHECK_THAT(b.err, Contains("bayes.fertility.forward.1  iteration 1/"));
  CHECK_THAT(b.err, Contains("done: 5 pairs"));
  CHECK(run({"align", "--input", "-", "--model", "bayes", "--sweep-scale", "0.01", "--quiet"}, toy).err.empty());
}

TEST_CASE("progress within an EM iteration: pairs done, rate and time left; silenced by --quiet", "[cli][progress]") {
  // A corpus of 200 pairs is 4 work blocks; the test settings ask for a
  // progress event after every block and print every one of them.
  std::string corpus;
  for (int k = 0; k < 40; ++k) corpus += toy;
  ::setenv("LEXALIGN_PROGRESS_CELLS", "1", 1);
  ::setenv("LEXALIGN_PROGRESS_INTERVAL_MS", "0", 1);
  const auto r = run({"align", "--input", "-", "--threads", "2", "--symmetrize", "union"}, corpus);
  const auto q = run({"align", "--input", "-", "--threads", "2", "--symmetrize", "union", "--quiet"}, corpus);
  const auto f = run({"align", "--input", "-", "--model", "fast_align", "--threads", "1"}, corpus);
  ::unsetenv("LEXALIGN_PROGRESS_CELLS");
  ::unsetenv("LEXALIGN_PROGRESS_INTERVAL_MS");
  const auto plain = run({"align", "--input", "-", "--threads", "1", "--symmetrize", "union"}, corpus);  // default: 2^22 cells per event
  REQUIRE(r.rc == 0);
  for (const char* stage : {"em.ibm1.forward", "em.hmm.forward", "em.ibm1.reverse", "em.hmm.reverse"})
    for (const char* at : {"  pairs 64/200 (32%)", "  pairs 128/200 (64%)", "  pairs 192/200 (96%)"})
      CHECK_THAT(r.err, Contains(std::string("[lexalign align] ") + stage + "  iteration 5/5" + at));
  CHECK_THAT(r.err, Contains("[lexalign align] em.decode.reverse  iteration 1/1  pairs 192/200 (96%)"));
  // 3 per iteration and per decoding, each with a rate and the time left
  CHECK(count_of(r.err, " pairs/s  ~") == 4 * 5 * 3 + 2 * 3);
  CHECK_THAT(f.err, Contains("em.fast_align.forward  iteration 1/5  pairs 64/200"));
  REQUIRE(q.rc == 0);
  CHECK(q.err.empty());
  CHECK(q.out == r.out);
  CHECK(plain.out == r.out);  // progress events do not change the result
  CHECK(plain.err.find(" pairs/s") == std::string::npos);
  // On a terminal a progress line overwrites the previous one.
  std::ostringstream term;
  lexalign::cli::progress_reporter t(term, "align", false, true, std::chrono::milliseconds(0), 1);
  CHECK(t.progress_interval() == 1);
  t({"em.ibm1.forward", 1, 0.0, 0.0, 2, 10, 20});
  t({"em.ibm1.forward", 1, 0.0, -1.0, 2});
  CHECK(count_of(term.str(), "\r") == 2);
  CHECK(count_of(term.str(), "\n") == 0);
  CHECK_THAT(term.str(), Contains("pairs 10/20 (50%)"));
  CHECK(lexalign::cli::progress_reporter(term, "align", true, true).progress_interval() == 0);  // quiet: none
}

TEST_CASE("progress_reporter: at most one line per interval, one updating line on a terminal", "[cli][progress]") {
  std::ostringstream plain;
  lexalign::cli::progress_reporter p(plain, "align", false, false, std::chrono::hours(1));
  for (std::size_t k = 1; k <= 100; ++k) p({"em.ibm1.forward", k, 0.0, -1.0, 100});
  CHECK(count_of(plain.str(), "\n") == 2);  // the first and the last
  std::ostringstream term;
  lexalign::cli::progress_reporter t(term, "align", false, true, std::chrono::milliseconds(0));
  for (std::size_t k = 1; k <= 3; ++k) t({"em.ibm1.forward", k, 0.0, -1.0, 3});
  CHECK(count_of(term.str(), "\r") == 3);
  CHECK(count_of(term.str(), "\n") == 1);  // only after the stage's last iteration
  std::ostringstream quiet;
  lexalign::cli::progress_reporter q(quiet, "align", true, false);
  q({"em.ibm1.forward", 1, 0.0, -1.0, 3});
  q.summary(1, 1);
  CHECK(quiet.str().empty());
}

TEST_CASE("symmetrize: pairs done and a closing summary on long runs, silent on short ones and with --quiet",
          "[cli][progress]") {
  // 600 pairs of one link each; the test setting prints at every 256th pair.
  std::string fwd;
  for (int k = 0; k < 600; ++k) fwd += "0-0 1-1\n";
  temp_file f(fwd), r(fwd);
  const std::vector<std::string> cmd{"symmetrize", "--forward", f.path(), "--reverse", r.path()};
  ::setenv("LEXALIGN_PROGRESS_INTERVAL_MS", "0", 1);
  const auto loud = run(cmd);
  auto quiet_cmd = cmd;
  quiet_cmd.push_back("--quiet");
  const auto quiet = run(quiet_cmd);
  ::unsetenv("LEXALIGN_PROGRESS_INTERVAL_MS");
  const auto plain = run(cmd);  // default: at most one line per 2 s, and this run is shorter
  REQUIRE(loud.rc == 0);
  CHECK_THAT(loud.err, Contains("[lexalign symmetrize] symmetrize  pairs 256  "));
  CHECK_THAT(loud.err, Contains("[lexalign symmetrize] symmetrize  pairs 512  "));
  CHECK(count_of(loud.err, " pairs/s") == 2);
  CHECK_THAT(loud.err, Contains("[lexalign symmetrize] done: 600 pairs, 1200 links, "));
  REQUIRE(quiet.rc == 0);
  CHECK(quiet.err.empty());
  CHECK(plain.err.empty());
  CHECK(quiet.out == loud.out);
  CHECK(plain.out == loud.out);
  CHECK(lines_of(plain.out).size() == 600);
}
