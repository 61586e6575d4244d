// `lexalign extract`: the command over extract/ on its three inputs (word
// vectors, npz token embeddings, lexalign's aligners), checked against
// literal transcriptions (tests/extract/reference.hpp), cosine written out
// here, the planted links of the bundled npz, and the align command's own
// posteriors.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "extract/reference.hpp"
#include "lexalign/extract/ot_extract.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"

using lexalign::test::temp_file;
using extract_test::mat;

namespace {
lexalign::test::command_result run(const std::vector<std::string>& words, const std::string& stdin_text = "") {
  return lexalign::test::call_command(lexalign::cli::run_command, words, stdin_text);
}

// One output line "i-j[:score] ..." per pair: links -> score (NaN without scores).
std::vector<std::map<std::pair<unsigned, unsigned>, double>> parse(const std::string& text) {
  std::vector<std::map<std::pair<unsigned, unsigned>, double>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto& m = out.emplace_back();
    std::istringstream fields(line);
    std::string f;
    while (fields >> f) {
      unsigned i = 0, j = 0;
      double s = std::nan("");
      const int got = std::sscanf(f.c_str(), "%u-%u:%lf", &i, &j, &s);
      REQUIRE(got >= 2);
      m[{i, j}] = s;
    }
  }
  return out;
}

// Random vectors with two decimals (exact in the .vec text, then as float).
struct vectors {
  std::vector<std::string> words;
  std::vector<std::vector<double>> v;
  std::string text() const {
    std::string t = std::to_string(words.size()) + " " + std::to_string(v[0].size()) + "\n";
    char buf[32];
    for (std::size_t w = 0; w < words.size(); ++w) {
      t += words[w];
      for (double x : v[w]) {
        std::snprintf(buf, sizeof buf, " %.2f", x);
        t += buf;
      }
      t += '\n';
    }
    return t;
  }
};

vectors random_vectors(std::mt19937& rng, const std::string& prefix, std::size_t count, std::size_t dim) {
  vectors out;
  for (std::size_t w = 0; w < count; ++w) {
    out.words.push_back(prefix + std::to_string(w));
    std::vector<double> x(dim);
    for (auto& c : x) c = static_cast<double>(static_cast<float>(static_cast<int>(rng() % 201) - 100) / 100.0f);
    for (auto& c : x) c = static_cast<double>(static_cast<float>(c));
    out.v.push_back(x);
  }
  return out;
}

// (cos + 1) / 2 written from the definition.
mat shifted_cosine(const std::vector<std::vector<double>>& x, const std::vector<std::vector<double>>& y) {
  mat s(x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = 0; j < y.size(); ++j) {
      double d = 0, nx = 0, ny = 0;
      for (std::size_t k = 0; k < x[i].size(); ++k) {
        d += x[i][k] * y[j][k];
        nx += x[i][k] * x[i][k];
        ny += y[j][k] * y[j][k];
      }
      s(i, j) = (d / (std::sqrt(nx) * std::sqrt(ny)) + 1) / 2;
    }
  return s;
}

void check_links(const std::map<std::pair<unsigned, unsigned>, double>& got, const std::vector<lexalign::link>& want,
                 const mat& scores) {
  REQUIRE(got.size() == want.size());
  for (const auto& l : want) {
    const auto it = got.find({l.source, l.target});
    REQUIRE(it != got.end());
    CHECK(it->second == Approx(scores(l.source, l.target)).epsilon(1e-5));
  }
}
}  // namespace

TEST_CASE("extract on word vectors: argmax, itermax and distortion against transcriptions", "[cli][extract]") {
  std::mt19937 rng(7);
  const auto sv = random_vectors(rng, "s", 8, 5), tv = random_vectors(rng, "t", 8, 5);
  temp_file svec(sv.text(), ".vec"), tvec(tv.text(), ".vec");
  // Three pairs of random words from the vocabularies, of different lengths.
  std::vector<std::vector<std::size_t>> src = {{0, 3, 5, 1}, {7, 2, 2, 6, 4}, {1, 0}};
  std::vector<std::vector<std::size_t>> tgt = {{4, 1, 0, 6, 2}, {3, 5, 7}, {2, 5, 1}};
  std::string stext, ttext;
  for (std::size_t k = 0; k < src.size(); ++k) {
    for (std::size_t x = 0; x < src[k].size(); ++x) stext += (x ? " " : "") + sv.words[src[k][x]];
    for (std::size_t x = 0; x < tgt[k].size(); ++x) ttext += (x ? " " : "") + tv.words[tgt[k][x]];
    stext += '\n';
    ttext += '\n';
  }
  temp_file s(stext), t(ttext);
  auto sim = [&](std::size_t k) {
    std::vector<std::vector<double>> x, y;
    for (auto w : src[k]) x.push_back(sv.v[w]);
    for (auto w : tgt[k]) y.push_back(tv.v[w]);
    return shifted_cosine(x, y);
  };
  const std::vector<std::string> base = {"extract", "--source", s.path(), "--target", t.path(), "--source-vectors",
                                         svec.path(), "--target-vectors", tvec.path(), "--scores"};
  auto with = [&](std::vector<std::string> extra) {
    auto w = base;
    w.insert(w.end(), extra.begin(), extra.end());
    const auto r = run(w);
    INFO(r.err);
    REQUIRE(r.rc == 0);
    auto p = parse(r.out);
    REQUIRE(p.size() == src.size());
    return p;
  };
  const auto inter = with({"--method", "argmax"});
  const auto fwd = with({"--method", "fwd"});
  const auto item = with({"--method", "itermax"});
  const auto distorted = with({"--method", "argmax", "--distortion", "0.7"});
  for (std::size_t k = 0; k < src.size(); ++k) {
    const mat S = sim(k);
    const mat F = extract_test::forward_matrix(S), B = extract_test::backward_matrix(S);
    check_links(inter[k], extract_test::links_of(extract_test::hadamard(F, B)), S);
    check_links(fwd[k], extract_test::links_of(F), S);
    check_links(item[k], extract_test::links_of(extract_test::simalign_itermax(S)), S);
    // SimAlign's distortion: S(i, j) x (1 - kappa ((i / (m - 1)) - (j / (n - 1)))^2).
    mat D = S;
    const double m1 = static_cast<double>(S.rows() - 1), n1 = static_cast<double>(S.cols() - 1);
    for (std::size_t i = 0; i < S.rows(); ++i)
      for (std::size_t j = 0; j < S.cols(); ++j) {
        const double d = static_cast<double>(i) / m1 - static_cast<double>(j) / n1;
        D(i, j) = S(i, j) * (1 - 0.7 * d * d);
      }
    check_links(distorted[k], extract_test::links_of(extract_test::hadamard(extract_test::forward_matrix(D),
                                                                             extract_test::backward_matrix(D))),
                D);
  }
}

TEST_CASE("extract runs the OT plan the method names", "[cli][extract]") {
  std::mt19937 rng(11);
  const auto sv = random_vectors(rng, "s", 7, 4), tv = random_vectors(rng, "t", 6, 4);
  temp_file svec(sv.text(), ".vec"), tvec(tv.text(), ".vec");
  temp_file s("s0 s1 s2 s3 s4 s5 s6\n"), t("t0 t1 t2 t3 t4 t5\n");
  const mat S = shifted_cosine(sv.v, tv.v);
  namespace ex = lexalign::extract;
  const std::pair<const char*, ex::ot_plan> plans[] = {{"ot-balanced", ex::ot_plan::balanced},
                                                       {"ot-balanced-exact", ex::ot_plan::balanced_exact},
                                                       {"ot-partial", ex::ot_plan::partial},
                                                       {"ot-partial-exact", ex::ot_plan::partial_exact},
                                                       {"ot-unbalanced", ex::ot_plan::unbalanced}};
  std::vector<std::string> outputs;
  for (const auto& [name, plan] : plans) {
    const auto r = run({"extract", "--source", s.path(), "--target", t.path(), "--source-vectors", svec.path(),
                        "--target-vectors", tvec.path(), "--method", name, "--tau", "0.3", "--quiet"});
    INFO(name << ": " << r.err);
    REQUIRE(r.rc == 0);
    ex::ot_extract_options o;
    o.plan = plan;
    o.transported_fraction = 0.3;
    o.unbalanced.marginal_relaxation = 0.3;
    if (plan == ex::ot_plan::partial_exact) o.threshold = 0.0;
    const auto want = ex::ot_extract(S, o);
    std::string text;
    for (std::size_t k = 0; k < want.size(); ++k)
      text += (k ? " " : "") + std::to_string(want.links()[k].source) + "-" + std::to_string(want.links()[k].target);
    CHECK(r.out == text + "\n");
    outputs.push_back(r.out);
  }
  // The five plans do not all coincide (each run above used its own plan).
  std::sort(outputs.begin(), outputs.end());
  CHECK(std::unique(outputs.begin(), outputs.end()) - outputs.begin() >= 3);
}

TEST_CASE("extract on word vectors: lower-case fallback, OOV policy, dictionary mapping", "[cli][extract]") {
  // Target space = source space rotated by 90 degrees in the plane (x, y).
  temp_file svec("3 2\nthe 1 0\nhouse 0.6 0.8\nblue -0.8 0.6\n", ".vec");
  temp_file tvec("3 2\nla 0 1\nmaison -0.8 0.6\nbleue -0.6 -0.8\n", ".vec");
  temp_file dict("the la\nhouse maison\nblue bleue\n");
  temp_file s("The house blue\n"), t("bleue la maison\n");
  const std::vector<std::string> base = {"extract", "--source", s.path(), "--target", t.path(), "--source-vectors",
                                         svec.path(), "--target-vectors", tvec.path(), "--method", "argmax", "--quiet"};
  auto mapped = base;
  mapped.insert(mapped.end(), {"--dictionary", dict.path()});
  const auto r = run(mapped);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  CHECK(r.out == "0-1 1-2 2-0\n");  // "The" found as "the"; the rotation undone
  const auto unmapped = run(base);
  REQUIRE(unmapped.rc == 0);
  CHECK(unmapped.out != r.out);

  temp_file oov_src("the house red\n");
  const auto zero = run({"extract", "--source", oov_src.path(), "--target", t.path(), "--source-vectors", svec.path(),
                         "--target-vectors", tvec.path(), "--dictionary", dict.path(), "--method", "argmax"});
  REQUIRE(zero.rc == 0);
  CHECK(zero.err.find("1 of 6 tokens have no vector") != std::string::npos);
  const auto strict = run({"extract", "--source", oov_src.path(), "--target", t.path(), "--source-vectors",
                           svec.path(), "--target-vectors", tvec.path(), "--oov", "error"});
  CHECK(strict.rc == 1);
  CHECK(strict.err.find(oov_src.path() + ":1: source token 'red' has no vector") != std::string::npos);
}

TEST_CASE("extract with several methods writes each one's output, equal to a single-method run", "[cli][extract]") {
  std::mt19937 rng(8);
  const auto sv = random_vectors(rng, "s", 9, 6), tv = random_vectors(rng, "t", 9, 6);
  temp_file svec(sv.text(), ".vec"), tvec(tv.text(), ".vec");
  temp_file s("s0 s3 s5 s1\ns7 s2 s2 s6 s4\ns1 s0 s8\n"), t("t4 t1 t0 t6 t2\nt3 t5 t7\nt2 t5 t1 t8\n");
  const std::vector<std::string> base = {"extract", "--source", s.path(), "--target", t.path(), "--source-vectors",
                                         svec.path(), "--target-vectors", tvec.path(), "--scores", "--quiet"};
  auto cat = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream b;
    b << in.rdbuf();
    return b.str();
  };
  const std::vector<std::string> names = {"argmax", "itermax", "mwmf", "ot-balanced", "ot-partial-exact", "softmax"};
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, {"--distortion", "0.5"}, {"--null", "0.7", "--distortion", "0.2"},
        {"--threshold", "0.2"}}) {
    temp_file prefix("");
    std::string list;
    for (const auto& n : names) {
      if (!list.empty()) list += ',';
      list += n;
    }
    const auto all = run(cat(cat(base, extra), {"--method", list, "--similarity", "shifted", "--output", prefix.path()}));
    INFO(all.err);
    REQUIRE(all.rc == 0);
    CHECK(all.out.empty());
    for (const auto& n : names) {
      INFO(n);
      // --threshold is an error for a single method without one; in a list it
      // applies to those that take it.
      const bool takes_threshold = n != "argmax" && n != "itermax" && n != "mwmf";
      const bool threshold_set = !extra.empty() && extra[0] == "--threshold";
      const auto one = run(cat(cat(base, threshold_set && !takes_threshold ? std::vector<std::string>{} : extra),
                               {"--method", n, "--similarity", "shifted"}));
      REQUIRE(one.rc == 0);
      CHECK(slurp(prefix.path() + "." + n) == one.out);
      std::remove((prefix.path() + "." + n).c_str());
    }
  }
  auto usage = [&](std::vector<std::string> extra, const std::string& message) {
    const auto r = run(cat(base, extra));
    INFO(r.err);
    CHECK(r.rc == 2);
    CHECK(r.err.find(message) != std::string::npos);
  };
  usage({"--method", "argmax,itermax"}, "--method with several methods needs --output PREFIX");
  usage({"--method", "argmax,argmax", "--output", "x"}, "--method names 'argmax' twice");
  usage({"--method", "argmax,,itermax", "--output", "x"}, "--method has an empty name");
  usage({"--method", "argmax,softmax", "--output", "x"}, "give --similarity");
  usage({"--method", "argmax,frob", "--output", "x"}, "--method must be one of");
  usage({"--method", "argmax,itermax", "--output", "x", "--threshold", "0.1"}, "--threshold applies to");
}

TEST_CASE("extract on npz token embeddings finds the planted links", "[cli][extract]") {
  const std::string npz = std::string(LEXALIGN_TEST_DATA_DIR) + "/extract/example_embeddings.npz";
  // examples/extract_npz.cpp: the synthetic pair 0 links target word t to source {2, 0, 1}[t], pair 1 to {1, 0, 3, 2}[t].
  const std::string planted = "0-1 1-2 2-0\n0-1 1-0 2-3 3-2\n";
  for (const char* method : {"argmax", "itermax", "softmax", "entmax"}) {
    const auto r = run({"extract", "--embeddings", npz, "--method", method});
    INFO(method << ": " << r.err);
    REQUIRE(r.rc == 0);
    CHECK(r.out == planted);
  }
  const auto pooled = run({"extract", "--embeddings", npz, "--subwords", "mean", "--method", "ot-balanced"});
  REQUIRE(pooled.rc == 0);
  CHECK(pooled.out == planted);
  // With the text: its token counts must be the npz's word counts.
  temp_file s("a b c\nd e f g\n"), t("x y z\nu v w q\n"), t_bad("x y\nu v w q\n");
  const auto ok = run({"extract", "--embeddings", npz, "--source", s.path(), "--target", t.path(), "--quiet"});
  REQUIRE(ok.rc == 0);
  const auto bad = run({"extract", "--embeddings", npz, "--source", s.path(), "--target", t_bad.path()});
  CHECK(bad.rc == 1);
  CHECK(bad.err.find(npz + ": pair 0 has 3 source and 3 target words but line 1") != std::string::npos);
  temp_file one_line("a b c\n"), one_tgt("x y z\n");
  const auto count = run({"extract", "--embeddings", npz, "--source", one_line.path(), "--target", one_tgt.path()});
  CHECK(count.rc == 1);
  CHECK(count.err.find("2 sentence pairs but the text has 1") != std::string::npos);
  const auto magic = run({"extract", "--embeddings",
                          std::string(LEXALIGN_TEST_FIXTURE_DIR) + "/npy/not_a_zip.npz", "--quiet"});
  CHECK(magic.rc == 1);
  CHECK(magic.err.find("not_a_zip.npz: ") != std::string::npos);
}

namespace {
// Links with their posteriors, as `align --write-posteriors` writes them.
std::vector<std::map<std::pair<unsigned, unsigned>, double>> read_posteriors(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str());
}

// Every link the aligner's own decoding made with posterior `p` must be the
// column (target token) argmax of the one-direction posterior matrix that
// `extract` builds, with the same score.
void check_against_align(const std::vector<std::string>& align_words, const std::vector<std::string>& extract_words,
                         double min_posterior) {
  temp_file post("");
  auto aw = align_words;
  aw.insert(aw.end(), {"--write-posteriors", post.path(), "--quiet", "--threads", "1"});
  const auto a = run(aw);
  INFO(a.err);
  REQUIRE(a.rc == 0);
  const auto posteriors = read_posteriors(post.path());
  auto ew = extract_words;
  ew.insert(ew.end(), {"--direction", "forward", "--method", "rev", "--scores", "--quiet", "--threads", "1"});
  const auto e = run(ew);
  INFO(e.err);
  REQUIRE(e.rc == 0);
  const auto got = parse(e.out);
  REQUIRE(got.size() == posteriors.size());
  std::size_t checked = 0;
  for (std::size_t k = 0; k < got.size(); ++k)
    for (const auto& [l, p] : posteriors[k]) {
      if (p < min_posterior) continue;
      const auto it = got[k].find(l);
      REQUIRE(it != got[k].end());
      CHECK(it->second == Approx(p).margin(6e-5));  // align prints 4 decimals
      ++checked;
    }
  CHECK(checked > 10);
}
}  // namespace

TEST_CASE("extract on EM posteriors and Gibbs marginals agrees with the aligners' own decoding", "[cli][extract]") {
  // The first 20 pairs of the bundled English-French gold set (kept small: the test trains 5 models).
  auto head = [](const std::string& path) {
    std::ifstream in(path);
    std::string line, out;
    for (int k = 0; k < 20 && std::getline(in, line); ++k) out += line + '\n';
    return out;
  };
  const std::string dir = std::string(LEXALIGN_TEST_DATA_DIR) + "/gold/";
  temp_file src(head(dir + "enfr.src")), tgt(head(dir + "enfr.tgt"));
  const std::vector<std::string> text = {"--source", src.path(), "--target", tgt.path()};
  auto cat = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  // EM, through a saved model: align decodes P >= 0.5, which is then the argmax.
  temp_file model("");
  {
    const auto saved = run(cat({"align", "--save-model", model.path(), "--quiet"}, text));
    REQUIRE(saved.rc == 0);
  }
  check_against_align(cat({"align", "--model-file", model.path(), "--threshold", "0.5"}, text),
                      cat({"extract", "--aligner", "em", "--model-file", model.path()}, text), 0.5);
  // Trained in-process on the same text: the same model as align trains.
  check_against_align(cat({"align", "--threshold", "0.5"}, text), cat({"extract", "--aligner", "em"}, text), 0.5);
  // Gibbs: align links each target token to the argmax of the averaged
  // marginals (unless NULL wins), so every printed link is the argmax.
  const std::vector<std::string> gibbs = {"--seed", "3", "--samplers", "2", "--sweep-scale", "0.2"};
  check_against_align(cat(cat({"align", "--model", "bayes"}, gibbs), text),
                      cat(cat({"extract", "--aligner", "bayes"}, gibbs), text), 0.0);
}

TEST_CASE("extract rejects bad command lines and bad files with clear errors", "[cli][extract]") {
  temp_file svec("2 2\na 1 0\nb 0 1\n", ".vec"), tvec("2 2\nx 1 0\ny 0 1\n", ".vec"), s("a b\n"), t("x y\n");
  const std::vector<std::string> vec = {"--source", s.path(), "--target", t.path(), "--source-vectors", svec.path(),
                                        "--target-vectors", tvec.path()};
  auto usage = [&](std::vector<std::string> extra, const std::string& message) {
    std::vector<std::string> w = {"extract"};
    w.insert(w.end(), vec.begin(), vec.end());
    w.insert(w.end(), extra.begin(), extra.end());
    const auto r = run(w);
    INFO(r.err);
    CHECK(r.rc == 2);
    CHECK(r.err.find(message) != std::string::npos);
  };
  usage({"--method", "frobnicate"}, "--method must be one of");
  usage({"--method", "itermax", "--threshold", "0.1"}, "--threshold applies to softmax, entmax and ot-*");
  usage({"--method", "softmax", "--threshold", "2"}, "--threshold needs a number from 0 to 1");
  usage({"--method", "ot-partial", "--tau", "0"}, "transported_fraction");  // the library's check: (0, 1]
  usage({"--distortion", "-1"}, "--distortion needs a number");
  usage({"--null", "1.5"}, "--null needs a number");
  usage({"--masses", "norm"}, "--masses applies to the ot-* methods");
  usage({"--similarity", "euclid"}, "--similarity must be cosine, shifted or dot");
  usage({"--transform", "exp"}, "--transform must be none or log");
  usage({"--oov", "skip"}, "--oov must be zero or error");
  usage({"--subwords", "any"}, "--subwords applies to --embeddings");
  usage({"--direction", "forward"}, "--direction applies to --aligner");
  usage({"--aligner", "em"}, "give one input");
  usage({"--bad-lines", "ignore"}, "--bad-lines must be error or skip");
  CHECK(run({"extract", "--source-vectors", svec.path(), "--target-vectors", tvec.path()}).rc == 2);  // no text
  CHECK(run({"extract", "--aligner", "giza", "--source", s.path(), "--target", t.path()}).rc == 2);
  CHECK(run({"extract", "--aligner", "em", "--source", s.path()}).rc == 2);
  CHECK(run({"extract", "--source", s.path(), "--target", t.path(), "--source-vectors", svec.path()}).rc == 2);

  // Bad files: file:line: reason.
  temp_file bad_vec("2 2\na 1 zero\n", ".vec");
  const auto bv = run({"extract", "--source", s.path(), "--target", t.path(), "--source-vectors", bad_vec.path(),
                       "--target-vectors", tvec.path()});
  CHECK(bv.rc == 1);
  CHECK(bv.err.find(bad_vec.path() + ":2: bad number 'zero'") != std::string::npos);
  temp_file wide("1 3\nx 1 0 0\n", ".vec");
  const auto dim = run({"extract", "--source", s.path(), "--target", t.path(), "--source-vectors", svec.path(),
                        "--target-vectors", wide.path()});
  CHECK(dim.rc == 1);
  CHECK(dim.err.find("2-dimensional vectors but") != std::string::npos);
  temp_file s3("a b\n\na\n"), t3("x y\nx\ny x\n");
  const auto empty = run({"extract", "--source", s3.path(), "--target", t3.path(), "--source-vectors", svec.path(),
                          "--target-vectors", tvec.path()});
  CHECK(empty.rc == 1);
  CHECK(empty.err.find(s3.path() + ":2: empty") != std::string::npos);
  // --bad-lines skip: an empty line for the bad pair, a warning, a count.
  const auto skip = run({"extract", "--source", s3.path(), "--target", t3.path(), "--source-vectors", svec.path(),
                         "--target-vectors", tvec.path(), "--bad-lines", "skip", "--method", "argmax", "--quiet"});
  REQUIRE(skip.rc == 0);
  CHECK(skip.out == "0-0 1-1\n\n0-1\n");
  CHECK(skip.err.find(s3.path() + ":2: ") != std::string::npos);
  CHECK(skip.err.find("skipped 1 bad line") != std::string::npos);
  const auto allow = run({"extract", "--source", s3.path(), "--target", t3.path(), "--source-vectors", svec.path(),
                          "--target-vectors", tvec.path(), "--allow-empty", "--method", "argmax", "--quiet"});
  REQUIRE(allow.rc == 0);
  CHECK(allow.out == "0-0 1-1\n\n0-1\n");
  const auto longer = run({"extract", "--source", s3.path(), "--target", t3.path(), "--source-vectors", svec.path(),
                           "--target-vectors", tvec.path(), "--allow-empty", "--max-sentence-length", "1"});
  CHECK(longer.rc == 1);
  CHECK(longer.err.find(":1: ") != std::string::npos);
  CHECK(longer.err.find("--max-sentence-length") != std::string::npos);

  const auto help = run({"help", "extract"});
  CHECK(help.rc == 0);
  CHECK(help.out.find("usage: lexalign extract") != std::string::npos);
}
