// `lexalign map` and `lexalign bli` through the command, on small synthetic
// languages: rotated, shuffled copies of one point cloud.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"

using lexalign::test::temp_file;

namespace {

lexalign::test::command_result run(const std::vector<std::string>& words, const std::string& stdin_text = "") {
  return lexalign::test::call_command(lexalign::cli::run_command, words, stdin_text);
}

// K languages of n words in d dimensions: word "<prefix><i>" of language l is
// cloud point i rotated by a fixed random rotation, rows shuffled after the first 10.
std::vector<std::string> languages(std::size_t K, std::size_t n, std::size_t d) {
  std::mt19937 gen(3);
  std::normal_distribution<double> nd;
  std::vector<std::vector<double>> cloud(n, std::vector<double>(d));
  for (auto& p : cloud)
    for (auto& v : p) v = nd(gen);
  std::vector<std::string> out;
  for (std::size_t l = 0; l < K; ++l) {
    // Random orthogonal matrix by Gram-Schmidt.
    std::vector<std::vector<double>> q(d, std::vector<double>(d));
    for (std::size_t i = 0; i < d; ++i) {
      for (auto& v : q[i]) v = nd(gen);
      for (std::size_t j = 0; j < i; ++j) {
        double dot = 0;
        for (std::size_t k = 0; k < d; ++k) dot += q[i][k] * q[j][k];
        for (std::size_t k = 0; k < d; ++k) q[i][k] -= dot * q[j][k];
      }
      double nn = 0;
      for (double v : q[i]) nn += v * v;
      for (auto& v : q[i]) v /= std::sqrt(nn);
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::shuffle(order.begin() + 10, order.end(), gen);
    std::ostringstream s;
    s << n << ' ' << d << '\n';
    for (std::size_t r = 0; r < n; ++r) {
      const std::size_t i = order[r];
      s << char('a' + l) << i;
      for (std::size_t k = 0; k < d; ++k) {
        double v = 0;
        for (std::size_t c = 0; c < d; ++c) v += cloud[i][c] * q[c][k];
        s << ' ' << v;
      }
      s << '\n';
    }
    out.push_back(s.str());
  }
  return out;
}

std::string dictionary(char from, char to, std::size_t first, std::size_t last) {
  std::string d;
  for (std::size_t i = first; i < last; ++i) d += from + std::to_string(i) + " " + to + std::to_string(i) + "\n";
  return d;
}

struct temp_dir {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("lexalign_map_test_" + std::to_string(std::random_device{}()));
  ~temp_dir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("map (supervised, unsupervised) then bli reaches P@1 = 1 on rotated copies", "[cli][map][bli]") {
  const auto langs = languages(3, 40, 5);
  temp_file a(langs[0], ".vec"), b(langs[1], ".vec"), c(langs[2], ".vec");
  temp_file train(dictionary('a', 'b', 0, 15)), test(dictionary('a', 'b', 0, 40) + "a999 b1\n");
  temp_dir dir;
  const auto sup = run({"map", "--inputs", a.path() + "," + b.path(), "--method", "supervised", "--dictionary",
                        train.path(), "--output-dir", dir.path.string(), "--refinement", "2"});
  REQUIRE(sup.rc == 0);
  const std::string stem_a = (dir.path / std::filesystem::path(a.path()).stem()).string();
  const std::string stem_b = (dir.path / std::filesystem::path(b.path()).stem()).string();
  CHECK(sup.out.find(stem_a + ".vec") != std::string::npos);
  CHECK(std::filesystem::exists(stem_a + ".matrix"));
  const auto bli = run({"bli", "--source", stem_a + ".vec", "--target", stem_b + ".vec", "--dictionary", test.path()});
  REQUIRE(bli.rc == 0);
  CHECK(bli.out.find("dictionary words    41") != std::string::npos);
  CHECK(bli.out.find("queries             40") != std::string::npos);
  CHECK(bli.out.find("P@1                 1.0000") != std::string::npos);
  const auto json = run({"bli", "--source", stem_a + ".vec", "--target", stem_b + ".vec", "--dictionary", test.path(),
                         "--retrieval", "nn", "--json"});
  REQUIRE(json.rc == 0);
  CHECK(json.out.find("\"p_at_1\": 1.000000") != std::string::npos);
  // Before mapping, the raw files do not translate.
  const auto raw = run({"bli", "--source", a.path(), "--target", b.path(), "--dictionary", test.path(), "--json"});
  CHECK(raw.out.find("\"p_at_1\": 1.000000") == std::string::npos);

  const auto uns = run({"map", "--inputs", a.path() + "," + b.path(), "--method", "unsupervised", "--output-dir",
                        dir.path.string(), "--gw-words", "40", "--gw-epsilon", "0.05", "--gw-iterations", "10",
                        "--wp-epochs", "1", "--wp-iterations", "1", "--wp-batch", "20", "--refinement", "1", "--threads", "2"});
  REQUIRE(uns.rc == 0);
  const auto bli2 = run({"bli", "--source", stem_a + ".vec", "--target", stem_b + ".vec", "--dictionary", test.path()});
  CHECK(bli2.out.find("P@1                 1.0000") != std::string::npos);

  const auto bar = run({"map", "--inputs", a.path() + "," + b.path() + "," + c.path(), "--method", "barycenter",
                        "--output-dir", dir.path.string(), "--gw-words", "40", "--gw-epsilon", "0.05", "--gw-iterations",
                        "10", "--wp-epochs", "1", "--wp-iterations", "1", "--wp-batch", "20", "--refinement", "1",
                        "--bary-rounds", "2", "--report-transitivity", (dir.path / "transitivity.tsv").string(),
                        "--transitivity-words", "0"});
  REQUIRE(bar.rc == 0);
  const std::string stem_c = (dir.path / std::filesystem::path(c.path()).stem()).string();
  temp_file bc(dictionary('b', 'c', 0, 40));
  const auto bli3 = run({"bli", "--source", stem_b + ".vec", "--target", stem_c + ".vec", "--dictionary", bc.path()});
  CHECK(bli3.out.find("P@1                 1.0000") != std::string::npos);
  // Exact maps of one cloud: every X -> P -> Y agrees with X -> Y (6 ordered triples of 3 inputs, all 40 words).
  {
    std::ifstream f(dir.path / "transitivity.tsv");
    std::string line;
    std::vector<std::string> rows;
    while (std::getline(f, line)) rows.push_back(line);
    REQUIRE(rows.size() == 7);
    CHECK(rows[0] == "source\tpivot\ttarget\tagreement\twords");
    const std::string na = std::filesystem::path(a.path()).stem().string(),
                      nb = std::filesystem::path(b.path()).stem().string(),
                      nc = std::filesystem::path(c.path()).stem().string();
    CHECK(rows[1] == na + "\t" + nb + "\t" + nc + "\t1.0000\t40");
    for (std::size_t r = 1; r < 7; ++r) CHECK(rows[r].find("\t1.0000\t40") != std::string::npos);
    CHECK(bar.err.find("transitivity: mean 1.0000 over 6 ordered triples") != std::string::npos);
  }
  // Two inputs have no pivot.
  CHECK(run({"map", "--inputs", a.path() + "," + b.path(), "--method", "supervised", "--dictionary", train.path(),
             "--output-dir", dir.path.string(), "--report-transitivity", (dir.path / "t2.tsv").string()}).rc == 2);

  // Supervised hub maps (b -> a and c -> a dictionaries), then the barycenter.
  temp_file ba(dictionary('b', 'a', 0, 12)), ca(dictionary('c', 'a', 0, 12));
  const auto sbar = run({"map", "--inputs", a.path() + "," + b.path() + "," + c.path(), "--method", "barycenter",
                         "--hub-dictionaries", ba.path() + "," + ca.path(), "--output-dir", dir.path.string(),
                         "--refinement", "1", "--bary-rounds", "2"});
  REQUIRE(sbar.rc == 0);
  const auto bli4 = run({"bli", "--source", stem_b + ".vec", "--target", stem_c + ".vec", "--dictionary", bc.path()});
  CHECK(bli4.out.find("P@1                 1.0000") != std::string::npos);
  CHECK(run({"map", "--inputs", a.path() + "," + b.path() + "," + c.path(), "--method", "hub", "--hub-dictionaries",
             ba.path(), "--output-dir", dir.path.string()}).rc == 2);  // one file per non-hub input
}

TEST_CASE("map and bli reject bad command lines and bad files", "[cli][map][bli]") {
  const auto langs = languages(2, 20, 4);
  temp_file a(langs[0], ".vec"), b(langs[1], ".vec"), d(dictionary('a', 'b', 0, 5)), bad_dict("a1 b1 x\n");
  temp_file bad_vec("w 1 2 3 4\nv 1 2\n", ".vec"), three_d("x 1 2 3\ny 3 2 1\n", ".vec");
  temp_dir dir;
  const std::string out = dir.path.string();
  CHECK(run({"map", "--inputs", a.path() + "," + b.path(), "--method", "supervised", "--output-dir", out}).rc == 2);
  CHECK(run({"map", "--inputs", a.path(), "--method", "hub", "--output-dir", out}).rc == 2);
  CHECK(run({"map", "--inputs", a.path() + "," + b.path(), "--method", "magic", "--output-dir", out}).rc == 2);
  CHECK(run({"map", "--inputs", a.path() + "," + b.path() + "," + a.path(), "--method", "unsupervised",
             "--output-dir", out}).rc == 2);
  CHECK(run({"map", "--inputs", a.path() + "," + b.path(), "--method", "hub", "--normalize", "zscore", "--output-dir",
             out}).rc == 2);
  const auto v = run({"map", "--inputs", bad_vec.path() + "," + b.path(), "--method", "supervised", "--dictionary",
                      d.path(), "--output-dir", out});
  CHECK(v.rc == 1);
  CHECK(v.err.find(bad_vec.path() + ":2:") != std::string::npos);
  const auto dim = run({"map", "--inputs", a.path() + "," + three_d.path(), "--method", "supervised", "--dictionary",
                        d.path(), "--output-dir", out});
  CHECK(dim.rc == 1);
  CHECK(dim.err.find("dimension") != std::string::npos);
  const auto dd = run({"bli", "--source", a.path(), "--target", b.path(), "--dictionary", bad_dict.path()});
  CHECK(dd.rc == 1);
  CHECK(dd.err.find(bad_dict.path() + ":1:") != std::string::npos);
  CHECK(run({"bli", "--source", a.path(), "--target", b.path(), "--dictionary", d.path(), "--retrieval", "x"}).rc == 2);
  CHECK(run({"bli", "--source", a.path(), "--target", three_d.path(), "--dictionary", d.path()}).rc == 1);
  const auto help = run({"help", "bli"});
  CHECK(help.rc == 0);
  CHECK(help.out.find("usage: lexalign bli") != std::string::npos);
}
