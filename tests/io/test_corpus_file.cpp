// The on-disk corpus format: round trip against the in-memory reader, every
// way a file can be damaged, and training on the mapped corpus.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_file.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"
#include "support/temp_file.hpp"
#include "support/thrown.hpp"

using lexalign::io::corpus_file;
using lexalign::io::corpus_file_error;
using lexalign::test::message_of;
using lexalign::test::temp_file;

namespace {

std::string data(const std::string& name) { return std::string(LEXALIGN_TEST_DATA_DIR) + "/" + name; }

void require_same(const lexalign::parallel_corpus& a, const lexalign::parallel_corpus& b) {
  REQUIRE(a.size() == b.size());
  REQUIRE(a.source_vocabulary().size() == b.source_vocabulary().size());
  REQUIRE(a.target_vocabulary().size() == b.target_vocabulary().size());
  for (std::size_t k = 0; k < a.source_vocabulary().size(); ++k)
    REQUIRE(a.source_vocabulary().word(static_cast<lexalign::word_id>(k)) ==
            b.source_vocabulary().word(static_cast<lexalign::word_id>(k)));
  for (std::size_t k = 0; k < a.target_vocabulary().size(); ++k)
    REQUIRE(a.target_vocabulary().word(static_cast<lexalign::word_id>(k)) ==
            b.target_vocabulary().word(static_cast<lexalign::word_id>(k)));
  for (std::size_t k = 0; k < a.size(); ++k) {
    const auto s1 = a.source(k), s2 = b.source(k), t1 = a.target(k), t2 = b.target(k);
    REQUIRE(std::vector<lexalign::word_id>(s1.begin(), s1.end()) == std::vector<lexalign::word_id>(s2.begin(), s2.end()));
    REQUIRE(std::vector<lexalign::word_id>(t1.begin(), t1.end()) == std::vector<lexalign::word_id>(t2.begin(), t2.end()));
  }
  REQUIRE(a.source_sentences().token_count() == b.source_sentences().token_count());
  REQUIRE(a.target_sentences().token_count() == b.target_sentences().token_count());
}

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_bytes(const std::string& path, const std::vector<char>& b) {
  std::ofstream(path, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
}

std::string open_error(const std::string& path, lexalign::io::corpus_file_open_options o = {}) {
  return message_of<corpus_file_error>([&] { (void)corpus_file::open(path, o); });
}

}  // namespace

TEST_CASE("a corpus file holds exactly what the text reader reads", "[io][corpus_file]") {
  const auto text = lexalign::io::read_parallel_corpus_files(data("gold/enfr.src"), data("gold/enfr.tgt"));
  temp_file out("", ".lxc");
  const auto s = lexalign::io::build_corpus_file(data("gold/enfr.src"), data("gold/enfr.tgt"), out.path());
  CHECK(s.pairs == text.size());
  CHECK(s.source_tokens == text.source_sentences().token_count());
  CHECK(s.target_vocabulary_size == text.target_vocabulary().size());
  CHECK(s.file_bytes == std::filesystem::file_size(out.path()));
  for (bool map : {true, false}) {
    const auto f = corpus_file::open(out.path(), {.verify = true, .map = map});
    CHECK(f.mapped() == map);
    require_same(f.corpus(), text);
    CHECK(f.corpus().memory_bytes() == 0);  // the stores borrow the file's arrays
  }
  // The header alone.
  const auto h = corpus_file::read_summary(out.path());
  CHECK(h.checksum == s.checksum);
  CHECK(h.pairs == s.pairs);
}

TEST_CASE("a corpus file from memory, from one 'src ||| tgt' stream, with empty pairs", "[io][corpus_file]") {
  std::istringstream in("a b ||| x\n\nc ||| y y z\n");
  lexalign::io::corpus_read_options ro;
  ro.allow_empty_sentences = true;
  std::istringstream in2(in.str());
  const auto text = lexalign::io::read_parallel_corpus(in, "<t>", ro);
  temp_file a("", ".lxc"), b("", ".lxc");
  lexalign::io::build_corpus_file(in2, "<t>", a.path(), {.read = ro});
  lexalign::io::write_corpus_file(text, b.path());
  CHECK(bytes_of(a.path()) == bytes_of(b.path()));  // same ids, same layout, same checksum
  const auto f = corpus_file::open(a.path());
  require_same(f.corpus(), text);
  CHECK(f.corpus().source(1).empty());
  // A moved file keeps its corpus valid.
  corpus_file g = corpus_file::open(a.path());
  corpus_file h = std::move(g);
  require_same(h.corpus(), text);
}

TEST_CASE("an empty corpus round-trips", "[io][corpus_file]") {
  temp_file a("", ".lxc");
  lexalign::io::write_corpus_file(lexalign::parallel_corpus{}, a.path());
  const auto f = corpus_file::open(a.path());
  CHECK(f.size() == 0);
  CHECK(f.summary().file_bytes == lexalign::io::corpus_file_header_bytes + 16);
}

TEST_CASE("bad text stops the build with the reader's file:line error and leaves no temporaries", "[io][corpus_file]") {
  temp_file src("a b\n\nc\n"), tgt("x\ny\nz\n"), out("", ".lxc");
  const std::string m = message_of<lexalign::parse_error>(
      [&] { lexalign::io::build_corpus_file(src.path(), tgt.path(), out.path()); });
  CHECK(m == src.path() + ":2: empty source sentence");
  CHECK_FALSE(std::filesystem::exists(out.path() + ".tmp-target"));
  CHECK_FALSE(std::filesystem::exists(out.path() + ".tmp-soff"));
}

TEST_CASE("damaged corpus files are detected with 'path: reason'", "[io][corpus_file]") {
  temp_file good("", ".lxc"), bad("", ".lxc");
  lexalign::io::build_corpus_file(data("gold/enfr.src"), data("gold/enfr.tgt"), good.path());
  const std::vector<char> b = bytes_of(good.path());
  const std::string p = bad.path();
  auto with = [&](auto change) {
    std::vector<char> c = b;
    change(c);
    write_bytes(p, c);
    return open_error(p);
  };
  SECTION("a byte flipped anywhere in the data") {
    for (std::size_t at : {std::size_t{128}, b.size() / 3, b.size() / 2, b.size() - 9, b.size() - 1}) {
      CAPTURE(at);
      const std::string m = with([&](std::vector<char>& c) { c[at] = static_cast<char>(c[at] ^ 0x10); });
      CHECK((m == p + ": corrupt data (checksum mismatch)" || m.starts_with(p + ": corrupt ")));
      CHECK(m != "no exception");
    }
    CHECK(with([&](std::vector<char>& c) { c[b.size() / 2] = static_cast<char>(c[b.size() / 2] ^ 1); }) ==
          p + ": corrupt data (checksum mismatch)");
  }
  SECTION("a byte flipped in the header") {
    CHECK(with([](std::vector<char>& c) { c[20] ^= 1; }) == p + ": corrupt header (checksum mismatch)");
  }
  SECTION("truncated") {
    CHECK(with([](std::vector<char>& c) { c.resize(c.size() - 8); }) ==
          p + ": truncated: " + std::to_string(b.size() - 8) + " bytes, the header says " + std::to_string(b.size()));
    CHECK(with([](std::vector<char>& c) { c.resize(100); }) ==
          p + ": truncated: 100 bytes, shorter than the 128-byte header");
    CHECK(with([](std::vector<char>& c) { c.clear(); }) == p + ": truncated: 0 bytes, shorter than the 128-byte header");
  }
  SECTION("bytes appended") {
    CHECK(with([](std::vector<char>& c) { c.push_back('x'); }).starts_with(p + ": 1 bytes after the end of the corpus"));
  }
  SECTION("wrong magic: a text file") {
    CHECK(with([](std::vector<char>& c) { c.assign({'a', ' ', 'b', ' ', '|', '|', '|', ' ', 'c', '\n'}); }) ==
          p + ": not a lexalign corpus file (bad magic; build one with 'lexalign corpus build')");
  }
  SECTION("another version") {
    CHECK(with([](std::vector<char>& c) { c[8] = 2; }) ==
          p + ": unsupported corpus file version 2 (this build reads version 1)");
  }
  SECTION("without verification a flipped token byte is still caught before training") {
    std::vector<char> c = b;
    c[128 + 3] = static_cast<char>(0x7f);  // the high byte of the first source id
    write_bytes(p, c);
    const auto f = corpus_file::open(p, {.verify = false});
    CHECK(message_of<lexalign::invalid_argument>([&] { (void)lexalign::em::train(f.corpus()); }).find("out of range") !=
          std::string::npos);
    CHECK(open_error(p) == p + ": corrupt data (checksum mismatch)");
  }
  SECTION("a missing file is an io_error naming it") {
    CHECK(message_of<lexalign::io_error>([&] { (void)corpus_file::open(p + ".none"); }) ==
          "cannot open '" + p + ".none' for reading");
  }
}

TEST_CASE("training on the mapped corpus gives the in-memory model bit for bit", "[io][corpus_file]") {
  const auto text = lexalign::io::read_parallel_corpus_files(data("gold/enfr.src"), data("gold/enfr.tgt"));
  temp_file out("", ".lxc");
  lexalign::io::write_corpus_file(text, out.path());
  const auto f = corpus_file::open(out.path());
  lexalign::em::train_options o;
  o.ibm1.iterations = 2;
  o.hmm.iterations = 1;
  const auto a = lexalign::em::train(text, o);
  const auto m = lexalign::em::train(f.corpus(), o);
  REQUIRE(a.forward.table.size() == m.forward.table.size());
  for (std::size_t k = 0; k < a.forward.table.size(); ++k)
    REQUIRE(a.forward.table.probabilities()[k] == m.forward.table.probabilities()[k]);
  for (std::size_t k = 0; k < a.reverse.table.size(); ++k)
    REQUIRE(a.reverse.table.probabilities()[k] == m.reverse.table.probabilities()[k]);
}

TEST_CASE("corpus_file_build_options are validated", "[io][corpus_file]") {
  temp_file out("", ".lxc");
  std::istringstream in("a ||| b\n");
  CHECK(message_of<lexalign::invalid_option>([&] {
          lexalign::io::build_corpus_file(in, "<t>", out.path(), {.buffer_bytes = 10});
        }).find("io::corpus_file_build_options.buffer_bytes") != std::string::npos);
}
