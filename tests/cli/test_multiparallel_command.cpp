// `lexalign align --multiparallel` through the command: a small synthetic
// 3-language corpus, the direct alignment against plain `lexalign align`,
// the pivot alignment against it, --pairs-dir, and the errors.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"

using lexalign::test::temp_file;

namespace {

lexalign::test::command_result run(const std::vector<std::string>& words) {
  return lexalign::test::call_command(lexalign::cli::run_command, words, "");
}

// Language l, verse k: concepts in a random order, word "<letter l><concept>".
std::string text(std::size_t l, std::size_t verses, std::size_t empty_line = ~std::size_t{0}) {
  std::mt19937 gen(7);
  std::string out;
  for (std::size_t k = 0; k < verses; ++k) {
    std::vector<int> c;
    for (int x = 0; x < 8; ++x)
      if (gen() % 2 || x == int(k % 8)) c.push_back(x);
    for (std::size_t s = 0; s <= l; ++s) std::shuffle(c.begin(), c.end(), gen);  // a different order per language
    if (k != empty_line)
      for (std::size_t n = 0; n < c.size(); ++n) out += (n ? " " : "") + std::string(1, char('a' + l)) + std::to_string(c[n]);
    out += '\n';
  }
  return out;
}

lexalign::alignment_corpus parse(const std::string& s) {
  std::istringstream in(s);
  return lexalign::io::read_pharaoh(in, "out");
}

std::vector<std::string> base(const temp_file& a, const temp_file& b, const temp_file& c) {
  return {"align", "--multiparallel", "--corpus", "a=" + a.path(), "--corpus", "b=" + b.path(), "--corpus",
          "c-x=" + c.path(), "--pair", "a-b", "--model", "ibm1", "--quiet", "--threads", "2"};
}

}  // namespace

TEST_CASE("align --multiparallel: direct = plain align, pivots add links, pairs-dir", "[cli][align][multiparallel]") {
  const temp_file a(text(0, 30)), b(text(1, 30)), c(text(2, 30, 3));
  auto args = base(a, b, c);
  args.insert(args.end(), {"--pivot-method", "none"});
  const auto direct = run(args);
  REQUIRE(direct.rc == 0);
  const auto plain = run({"align", "--source", a.path(), "--target", b.path(), "--model", "ibm1", "--symmetrize",
                          "grow-diag-final-and", "--quiet"});
  REQUIRE(plain.rc == 0);
  CHECK(direct.out == plain.out);

  args = base(a, b, c);
  const auto votes = run(args);
  REQUIRE(votes.rc == 0);
  const auto d = parse(direct.out), v = parse(votes.out);
  REQUIRE(v.size() == 30);
  std::size_t added = 0;
  for (std::size_t k = 0; k < 30; ++k) {
    for (const auto& l : d[k].sure) CHECK(std::binary_search(v[k].sure.begin(), v[k].sure.end(), l));  // union
    added += v[k].sure.size() - d[k].sure.size();
  }
  CHECK(v[3].sure == d[3].sure);  // the pivot lacks verse 3
  args.insert(args.end(), {"--combine", "refine"});
  const auto refined = run(args);
  REQUIRE(refined.rc == 0);
  const auto rf = parse(refined.out);
  REQUIRE(rf.size() == 30);
  CHECK(rf[3].sure == d[3].sure);  // no pivot: the direct links stay
  args.resize(args.size() - 2);

  // --pairs-dir: written on the first run, read on the second (same output).
  const auto dir = std::filesystem::temp_directory_path() / ("lexalign_mp_" + std::to_string(std::random_device{}()));
  args.insert(args.end(), {"--pairs-dir", dir.string()});
  const auto first = run(args);
  REQUIRE(first.rc == 0);
  CHECK(first.out == votes.out);
  for (const char* f : {"a-b.align", "a-c-x.align", "c-x-b.align"}) CHECK(std::filesystem::exists(dir / f));
  auto loud = args;
  loud.erase(std::find(loud.begin(), loud.end(), "--quiet"));
  const auto second = run(loud);
  REQUIRE(second.rc == 0);
  CHECK(second.out == votes.out);
  CHECK(second.err.find("read a-c-x from") != std::string::npos);
  // A pair file with a link outside its verse: file and line named.
  {
    std::ofstream f(dir / "a-c-x.align");
    f << "99-0\n" << std::string(29, '\n');  // 30 lines, the first out of range
  }
  const auto bad = run(args);
  CHECK(bad.rc == 1);
  CHECK(bad.err.find("a-c-x.align:1: link 99-0 is out of range") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("align --multiparallel: errors", "[cli][align][multiparallel]") {
  const temp_file a(text(0, 6)), b(text(1, 6)), c(text(2, 6)), short_c(text(2, 5));
  // Unequal line counts: the file is named.
  auto r = run({"align", "--multiparallel", "--corpus", "a=" + a.path(), "--corpus", "b=" + b.path(), "--corpus",
                "c=" + short_c.path(), "--pair", "a-b", "--quiet"});
  CHECK(r.rc == 1);
  CHECK(r.err.find(short_c.path() + ":6: has 5 lines, but '" + a.path() + "' has 6") != std::string::npos);
  // The pair is not among the corpora.
  r = run({"align", "--multiparallel", "--corpus", "a=" + a.path(), "--corpus", "b=" + b.path(), "--corpus",
           "c=" + c.path(), "--pair", "a-z", "--quiet"});
  CHECK(r.rc == 2);
  CHECK(r.err.find("--pair 'a-z' is not two of the corpora's languages (a, b, c)") != std::string::npos);
  // Fewer than three corpora.
  r = run({"align", "--multiparallel", "--corpus", "a=" + a.path(), "--corpus", "b=" + b.path(), "--pair", "a-b"});
  CHECK(r.rc == 2);
  CHECK(r.err.find("at least three --corpus") != std::string::npos);
  // Malformed or repeated --corpus, bad method, bad combination.
  r = run({"align", "--multiparallel", "--corpus", "a", "--corpus", "b=" + b.path(), "--corpus", "c=" + c.path(),
           "--pair", "a-b"});
  CHECK(r.rc == 2);
  CHECK(r.err.find("--corpus needs LANG=FILE") != std::string::npos);
  r = run({"align", "--multiparallel", "--corpus", "a=" + a.path(), "--corpus", "a=" + b.path(), "--corpus",
           "c=" + c.path(), "--pair", "a-c"});
  CHECK(r.rc == 2);
  CHECK(r.err.find("language 'a' given twice") != std::string::npos);
  r = run({"align", "--multiparallel", "--corpus", "a=" + a.path(), "--corpus", "b=" + b.path(), "--corpus",
           "c=" + c.path(), "--pair", "a-b", "--pivot-method", "louvain"});
  CHECK(r.rc == 2);
  r = run({"align", "--multiparallel", "--corpus", "a=" + a.path(), "--corpus", "b=" + b.path(), "--corpus",
           "c=" + c.path(), "--pair", "a-b", "--combine", "intersection", "--only-unaligned"});
  CHECK(r.rc == 2);
  CHECK(r.err.find("--only-unaligned goes with --combine union") != std::string::npos);
  // Help.
  r = run({"align", "--multiparallel", "--help"});
  CHECK(r.rc == 0);
  CHECK(r.out.find("usage: lexalign align --multiparallel") != std::string::npos);
}
