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
