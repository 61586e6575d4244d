// `lexalign corpus build|info`: the command around io/corpus_file.hpp.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "lexalign/io/corpus_file.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"

using lexalign::test::temp_file;

namespace {
lexalign::test::command_result run(const std::vector<std::string>& words, const std::string& stdin_text = "") {
  return lexalign::test::call_command(lexalign::cli::run_command, words, stdin_text);
}
std::string data(const std::string& name) { return std::string(LEXALIGN_TEST_DATA_DIR) + "/" + name; }
}  // namespace

TEST_CASE("corpus build writes the reader's corpus and info reads it back", "[cli][corpus]") {
  temp_file out("", ".lxc");
  const auto b = run({"corpus", "build", "--source", data("gold/enfr.src"), "--target", data("gold/enfr.tgt"),
                      "--output", out.path()});
  REQUIRE(b.rc == 0);
  const auto text = lexalign::io::read_parallel_corpus_files(data("gold/enfr.src"), data("gold/enfr.tgt"));
  CHECK(b.out.find("pairs              " + std::to_string(text.size()) + "\n") != std::string::npos);
  CHECK(b.out.find("source vocabulary  " + std::to_string(text.source_vocabulary().size()) + "\n") !=
        std::string::npos);
  const auto f = lexalign::io::corpus_file::open(out.path());
  CHECK(f.corpus().target_sentences().token_count() == text.target_sentences().token_count());

  const auto i = run({"corpus", "info", "--corpus", out.path()});
  REQUIRE(i.rc == 0);
  CHECK(i.out.starts_with(b.out));  // the same summary, then the verification line
  CHECK(i.out.find("verified           yes") != std::string::npos);
  const auto n = run({"corpus", "info", "--corpus", out.path(), "--no-verify"});
  CHECK(n.rc == 0);
  CHECK(n.out == b.out);
}

TEST_CASE("corpus build reads 'src ||| tgt' from standard input", "[cli][corpus]") {
  temp_file out("", ".lxc");
  const auto b = run({"corpus", "build", "--input", "-", "--output", out.path()}, "a b ||| x\nc ||| y z\n");
  REQUIRE(b.rc == 0);
  CHECK(b.out.find("pairs              2\n") != std::string::npos);
  CHECK(b.out.find("target tokens      3\n") != std::string::npos);
}

TEST_CASE("corpus info reports damaged files as 'path: reason'", "[cli][corpus]") {
  temp_file out("", ".lxc");
  REQUIRE(run({"corpus", "build", "--input", "-", "--output", out.path()}, "a b ||| x\nc ||| y z\n").rc == 0);
  std::vector<char> bytes;
  {
    std::ifstream in(out.path(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bytes[130] = static_cast<char>(bytes[130] ^ 4);
  std::ofstream(out.path(), std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  const auto i = run({"corpus", "info", "--corpus", out.path()});
  CHECK(i.rc == 1);
  CHECK(i.err == "lexalign corpus info: " + out.path() + ": corrupt data (checksum mismatch)\n");
  std::filesystem::resize_file(out.path(), 50);
  const auto t = run({"corpus", "info", "--corpus", out.path(), "--no-verify"});
  CHECK(t.rc == 1);
  CHECK(t.err.find(out.path() + ": truncated: 50 bytes") != std::string::npos);
}

TEST_CASE("corpus build rejects bad command lines and bad text", "[cli][corpus]") {
  temp_file src("a b\n\nc\n"), tgt("x\ny\nz\n"), out("", ".lxc");
  CHECK(run({"corpus"}).rc == 2);
  CHECK(run({"corpus", "frob"}).rc == 2);
  CHECK(run({"corpus", "build", "--output", out.path()}).rc == 2);  // no input
  CHECK(run({"corpus", "build", "--source", src.path(), "--output", out.path()}).rc == 2);
  CHECK(run({"corpus", "build", "--source", src.path(), "--target", tgt.path(), "--input", src.path(), "--output",
             out.path()})
            .rc == 2);
  const auto e = run({"corpus", "build", "--source", src.path(), "--target", tgt.path(), "--output", out.path()});
  CHECK(e.rc == 1);
  CHECK(e.err.starts_with(src.path() + ":2: empty source sentence"));
  CHECK_FALSE(std::filesystem::exists(out.path()));  // no half-written file
  const auto s = run({"corpus", "build", "--source", src.path(), "--target", tgt.path(), "--output", out.path(),
                      "--bad-lines", "skip"});
  CHECK(s.rc == 0);
  CHECK(s.out.find("pairs              3\n") != std::string::npos);
  CHECK(run({"help", "corpus"}).rc == 0);
  CHECK(run({"corpus", "build", "--help"}).out.find("usage: lexalign corpus build") != std::string::npos);
}

namespace {
std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}
}  // namespace

TEST_CASE("corpus generate samples a corpus from a model trained on the given one", "[cli][corpus]") {
  temp_file out("", ".lxc"), again("", ".lxc"), src("", ".src"), tgt("", ".tgt"), built("", ".lxc"), model("", ".model"),
      from_model("", ".lxc");
  const std::vector<std::string> base = {"corpus", "generate", "--source", data("gold/enfr.src"), "--target",
                                         data("gold/enfr.tgt"), "--ibm1-iterations", "2", "--hmm-iterations", "1",
                                         "--pairs", "300"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> w = base;
    w.insert(w.end(), extra.begin(), extra.end());
    return run(w);
  };
  const auto g = with({"--output", out.path(), "--text-source", src.path(), "--text-target", tgt.path(), "--save-model",
                       model.path()});
  REQUIRE(g.rc == 0);
  CHECK(g.out.find("pairs              300\n") != std::string::npos);
  CHECK(g.out.find("generated pairs    300\n") != std::string::npos);
  // The corpus file is what 'corpus build' makes of the text output.
  REQUIRE(run({"corpus", "build", "--source", src.path(), "--target", tgt.path(), "--output", built.path()}).rc == 0);
  CHECK(file_bytes(out.path()) == file_bytes(built.path()));
  // Same seed: the same corpus; another seed: another; a saved model gives the same corpus as training it.
  REQUIRE(with({"--output", again.path()}).rc == 0);
  CHECK(file_bytes(again.path()) == file_bytes(out.path()));
  REQUIRE(with({"--output", again.path(), "--seed", "2"}).rc == 0);
  CHECK(file_bytes(again.path()) != file_bytes(out.path()));
  REQUIRE(run({"corpus", "generate", "--source", data("gold/enfr.src"), "--target", data("gold/enfr.tgt"),
               "--model-file", model.path(), "--pairs", "300", "--output", from_model.path()})
              .rc == 0);
  CHECK(file_bytes(from_model.path()) == file_bytes(out.path()));
  const auto f = lexalign::io::corpus_file::open(out.path());
  CHECK(f.size() == 300);
}

TEST_CASE("corpus generate rejects bad command lines", "[cli][corpus]") {
  temp_file out("", ".lxc"), src("", ".src");
  const std::string s = data("gold/enfr.src"), t = data("gold/enfr.tgt");
  auto rc = [&](std::vector<std::string> extra) {
    std::vector<std::string> w = {"corpus", "generate", "--source", s, "--target", t, "--ibm1-iterations", "1",
                                  "--hmm-iterations", "0"};
    w.insert(w.end(), extra.begin(), extra.end());
    return run(w);
  };
  CHECK(rc({"--output", out.path()}).rc == 2);                                   // no --pairs
  CHECK(rc({"--pairs", "0", "--output", out.path()}).rc == 2);                    // pairs >= 1
  CHECK(rc({"--pairs", "5"}).rc == 2);                                            // no output
  CHECK(rc({"--pairs", "5", "--text-source", src.path()}).rc == 2);               // text sides go together
  CHECK(rc({"--pairs", "5", "--output", out.path(), "--discount", "1"}).rc == 2);  // discount < 1
  CHECK(rc({"--pairs", "5", "--output", out.path(), "--new-types", "-0.1"}).rc == 2);
  CHECK(rc({"--pairs", "5", "--output", out.path(), "--min-probability", "1"}).rc == 2);
  CHECK(rc({"--pairs", "5", "--output", out.path(), "--model-file", out.path(), "--save-model", src.path()}).rc == 2);
  CHECK(run({"corpus", "generate", "--source", s, "--pairs", "5", "--output", out.path()}).rc == 2);
  const std::string fresh = out.path() + ".new";
  const auto missing = rc({"--pairs", "5", "--output", fresh, "--model-file", "/nonexistent/x.model"});
  CHECK(missing.rc == 1);
  CHECK(missing.err.find("/nonexistent/x.model") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(fresh));  // nothing written
  CHECK(run({"corpus", "generate", "--help"}).out.find("usage: lexalign corpus generate") != std::string::npos);
}
