// awesome-align's softmax and 1.5-entmax extraction against definitions
// written out independently (exp / sum, and entmax by bisection on tau).
#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <random>

#include "lexalign/extract/entmax.hpp"
#include "lexalign/extract/softmax.hpp"
#include "reference.hpp"
#include "support/catch.hpp"

namespace ex = lexalign::extract;
using extract_test::mat;

TEST_CASE("softmax extraction keeps the cells above the threshold in both directions", "[extract][softmax]") {
  std::mt19937 rng(21);
  std::normal_distribution<double> g(0.0, 3.0);
  ex::workspace<> ws;
  ex::extract_result r;
  for (auto [m, n] : {std::pair<std::size_t, std::size_t>{1, 1}, {1, 6}, {6, 1}, {5, 5}, {7, 12}, {20, 15}, {9, 37}})
    for (double threshold : {0.0, 0.001, 0.1, 0.3})  // 0: the two-exponential path
      for (int rep = 0; rep < 5; ++rep) {
        mat s(m, n);
        for (std::size_t i = 0; i < m; ++i)
          for (std::size_t j = 0; j < n; ++j) s(i, j) = g(rng);
        const mat pxy = extract_test::softmax_rows(s);
        const mat pyx = extract_test::transpose(extract_test::softmax_rows(extract_test::transpose(s)));
        ex::softmax_into(s, {.threshold = threshold}, ws, r);
        std::vector<lexalign::link> expected;
        std::vector<double> scores;
        for (std::size_t i = 0; i < m; ++i)
          for (std::size_t j = 0; j < n; ++j)
            if (pxy(i, j) > threshold && pyx(i, j) > threshold) {
              expected.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
              scores.push_back(2 * pxy(i, j) * pyx(i, j) / (pxy(i, j) + pyx(i, j)));
            }
        CHECK(r.alignment.sure == expected);
        REQUIRE(r.scores.size() == scores.size());
        for (std::size_t k = 0; k < scores.size(); ++k) CHECK(r.scores[k] == Approx(scores[k]).epsilon(1e-12));
      }
}

TEST_CASE("softmax scores every link with its own row when rows without links come first, between and last",
          "[extract][softmax]") {
  // Rows 0, 1, 3, 6 and 7 are flat (every probability 1/8, under 0.3);
  // rows 2, 4 and 5 have one peak each.  The links are scored in one loop
  // that finds each link's row from the rows' starts, so empty rows before,
  // between and after the links are where it could go wrong.
  const std::size_t m = 8, n = 8;
  mat s(m, n);
  lexalign::dense_matrix<float> f(m, n);
  const std::size_t peak[m] = {n, n, 5, n, 0, 7, n, n};  // n: a flat row
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      s(i, j) = j == peak[i] ? 4.0 + static_cast<double>(i) / 4 : 0.0;
      f(i, j) = static_cast<float>(s(i, j));
    }
  const mat pxy = extract_test::softmax_rows(s);
  const mat pyx = extract_test::transpose(extract_test::softmax_rows(extract_test::transpose(s)));
  const std::vector<lexalign::link> expected = {{2, 5}, {4, 0}, {5, 7}};
  ex::workspace<> ws;
  for (const bool float32 : {false, true}) {
    INFO((float32 ? "float32" : "double"));
    const auto r = float32 ? ex::softmax(f, {.threshold = 0.3}, ws) : ex::softmax(s, {.threshold = 0.3}, ws);
    CHECK(r.alignment.sure == expected);
    REQUIRE(r.scores.size() == expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      const std::size_t i = expected[k].source, j = expected[k].target;
      const double a = pxy(i, j), b = pyx(i, j);
      CHECK(r.scores[k] == Approx(2 * a * b / (a + b)).epsilon(float32 ? 1e-6 : 1e-12));
    }
  }
}

TEST_CASE("softmax extraction is stable for large dot products", "[extract][softmax]") {
  mat s(2, 2);
  s(0, 0) = 1000; s(0, 1) = 990; s(1, 0) = 995; s(1, 1) = 2000;
  const auto r = ex::softmax(s);
  CHECK(r.alignment.sure == std::vector<lexalign::link>{{0, 0}, {1, 1}});
  const double a = 1 / (1 + std::exp(-10.0)), b = 1 / (1 + std::exp(-5.0));
  CHECK(r.scores[0] == Approx(2 * a * b / (a + b)).epsilon(1e-12));
}

TEST_CASE("softmax falls back to per-row and per-column maxima when a sum would underflow", "[extract][softmax]") {
  // Row 2 and column 5 lie 800 below the global maximum: exp(S - max S) is
  // 0 there, so their probabilities need their own maxima (the fallback);
  // cell (2, 5), the largest of both, is a link.
  std::mt19937 rng(24);
  std::normal_distribution<double> g(0.0, 2.0);
  mat s(5, 19);
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 19; ++j) s(i, j) = g(rng) - (i == 2 || j == 5 ? 800.0 : 0.0);
  s(2, 5) = -780;
  // The definition, each row shifted by its own maximum (softmax is shift
  // invariant; unshifted, exp(-780) would underflow in the reference too).
  auto softmax_rows = [](const mat& x) {
    mat p(x.rows(), x.cols());
    for (std::size_t i = 0; i < x.rows(); ++i) {
      double mx = x(i, 0), z = 0;
      for (std::size_t j = 0; j < x.cols(); ++j) mx = std::max(mx, x(i, j));
      for (std::size_t j = 0; j < x.cols(); ++j) z += std::exp(x(i, j) - mx);
      for (std::size_t j = 0; j < x.cols(); ++j) p(i, j) = std::exp(x(i, j) - mx) / z;
    }
    return p;
  };
  const mat pxy = softmax_rows(s);
  const mat pyx = extract_test::transpose(softmax_rows(extract_test::transpose(s)));
  const auto r = ex::softmax(s);
  std::vector<lexalign::link> expected;
  for (std::size_t i = 0; i < 5; ++i)
    for (std::size_t j = 0; j < 19; ++j)
      if (pxy(i, j) > 1e-3 && pyx(i, j) > 1e-3) expected.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
  CHECK(r.alignment.sure == expected);
  CHECK(std::find(expected.begin(), expected.end(), lexalign::link{2, 5}) != expected.end());
  mat bad = s;
  bad(3, 17) = std::numeric_limits<double>::infinity();
  CHECK_THROWS_WITH(ex::softmax(bad), "similarity(3, 17) is infinite");
}

#if LEXALIGN_HAVE_VECTOR_EXT
TEST_CASE("softmax's exp of non-positive arguments is within 1e-15 of std::exp", "[extract][softmax]") {
  using vd = lexalign::ot::detail::vd_t;
  constexpr std::size_t W = sizeof(vd) / sizeof(double);
  std::mt19937_64 rng(25);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double worst = 0;
  for (int rep = 0; rep < 20000; ++rep) {
    vd x, y;
    for (std::size_t l = 0; l < W; ++l) x[l] = rep % 2 ? -708.3 * u(rng) : -4 * u(rng);
    ex::detail::exp_nonpositive(y, x);
    for (std::size_t l = 0; l < W; ++l) worst = std::max(worst, std::abs(y[l] - std::exp(x[l])) / std::exp(x[l]));
  }
  CHECK(worst < 1e-15);
  // Edge arguments, W lanes at a time whatever the vector width: exp(0) = 1,
  // exp(-inf) = 0, below the smallest normal result 0, exp(-ln 2) = 1/2,
  // the smallest argument and those near it stay normal.
  const double probe[] = {0,       -std::numeric_limits<double>::infinity(),
                          -708.5,  -std::log(2.0),
                          lexalign::ot::detail::vexp_lowest, -708.39,
                          -708.0,  -707.7};
  const double want[] = {1.0, 0.0, 0.0, 0.5, std::exp(probe[4]), std::exp(-708.39), std::exp(-708.0), std::exp(-707.7)};
  constexpr std::size_t N = std::size(probe);
  for (std::size_t start = 0; start < N; start += W) {
    vd x{}, y;
    for (std::size_t l = 0; l < W; ++l) x[l] = start + l < N ? probe[start + l] : 0.0;
    ex::detail::exp_nonpositive(y, x);
    for (std::size_t l = 0; l < W && start + l < N; ++l) {
      INFO("argument " << probe[start + l]);
      CHECK(y[l] == Approx(want[start + l]).epsilon(1e-15).margin(0));
      if (want[start + l] > 0) CHECK(std::fpclassify(y[l]) == FP_NORMAL);
    }
  }
}
#endif

#if LEXALIGN_HAVE_VECTOR_EXT
TEST_CASE("softmax's float32 exp of non-positive arguments is within 3e-7 of std::exp", "[extract][softmax][float32]") {
  using vf = lexalign::ot::detail::vf_t;
  constexpr std::size_t W = sizeof(vf) / sizeof(float);
  std::mt19937_64 rng(26);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  double worst = 0;
  for (int rep = 0; rep < 20000; ++rep) {
    vf x, y;
    for (std::size_t l = 0; l < W; ++l) x[l] = rep % 2 ? -87.3f * u(rng) : -4.0f * u(rng);
    ex::detail::exp_nonpositive(y, x);
    for (std::size_t l = 0; l < W; ++l) {
      const double want = std::exp(static_cast<double>(x[l]));
      worst = std::max(worst, std::abs(static_cast<double>(y[l]) - want) / want);
    }
  }
  CHECK(worst < 3e-7);
  // exp(0) = 1, exp(-inf) = 0, below the smallest normal float result 0,
  // exp(-ln 2) = 1/2, the smallest normal argument stays normal.
  const float probe[] = {0.0f, -std::numeric_limits<float>::infinity(), -87.5f, -100.0f, -std::log(2.0f), -87.3f};
  constexpr std::size_t N = std::size(probe);
  for (std::size_t start = 0; start < N; start += W) {
    vf x{}, y;
    for (std::size_t l = 0; l < W; ++l) x[l] = start + l < N ? probe[start + l] : 0.0f;
    ex::detail::exp_nonpositive(y, x);
    for (std::size_t l = 0; l < W && start + l < N; ++l) {
      INFO("argument " << probe[start + l]);
      const double want = probe[start + l] < -87.34f ? 0.0 : std::exp(static_cast<double>(probe[start + l]));
      CHECK(static_cast<double>(y[l]) == Approx(want).epsilon(3e-7).margin(0));
      if (want > 0) CHECK(std::fpclassify(y[l]) == FP_NORMAL);
    }
  }
}
#endif

// The literal float32 transcription of awesome-align's extraction (torch
// float32: exp(x - max) / sum per row and per column, then > threshold),
// with float arithmetic throughout.
static std::vector<lexalign::link> softmax_links_float32(const lexalign::dense_matrix<float>& s, float threshold,
                                                         std::vector<double>* margin = nullptr) {
  const std::size_t m = s.rows(), n = s.cols();
  lexalign::dense_matrix<float> pr(m, n), pc(m, n);
  for (std::size_t i = 0; i < m; ++i) {
    float mx = s(i, 0), z = 0;
    for (std::size_t j = 0; j < n; ++j) mx = std::max(mx, s(i, j));
    for (std::size_t j = 0; j < n; ++j) z += std::exp(s(i, j) - mx);
    for (std::size_t j = 0; j < n; ++j) pr(i, j) = std::exp(s(i, j) - mx) / z;
  }
  for (std::size_t j = 0; j < n; ++j) {
    float mx = s(0, j), z = 0;
    for (std::size_t i = 0; i < m; ++i) mx = std::max(mx, s(i, j));
    for (std::size_t i = 0; i < m; ++i) z += std::exp(s(i, j) - mx);
    for (std::size_t i = 0; i < m; ++i) pc(i, j) = std::exp(s(i, j) - mx) / z;
  }
  std::vector<lexalign::link> out;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (pr(i, j) > threshold && pc(i, j) > threshold)
        out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
      // how close the cell is to the threshold, relatively
      if (margin)
        margin->push_back(std::min(std::abs(pr(i, j) - threshold), std::abs(pc(i, j) - threshold)) / threshold);
    }
  return out;
}

TEST_CASE("softmax on float matrices computes in float32 like the reference", "[extract][softmax][float32]") {
  std::mt19937 rng(27);
  std::normal_distribution<float> g(0.0f, 3.0f);
  ex::workspace<> ws;
  ex::extract_result r, rd;
  int compared = 0;
  for (auto [m, n] : {std::pair<std::size_t, std::size_t>{1, 1}, {1, 6}, {6, 1}, {5, 5}, {7, 12}, {20, 15}, {9, 37},
                      {17, 33}, {40, 50}})
    for (double threshold : {0.001, 0.1, 0.3})
      for (int rep = 0; rep < 5; ++rep) {
        lexalign::dense_matrix<float> s(m, n);
        for (std::size_t i = 0; i < m; ++i)
          for (std::size_t j = 0; j < n; ++j)
            s(i, j) = rep == 4 ? std::round(g(rng)) : g(rng);  // integer ties in the last repetition
        std::vector<double> margin;
        const auto expected = softmax_links_float32(s, static_cast<float>(threshold), &margin);
        ex::softmax_into(s, {.threshold = threshold}, ws, r);
        // Two float32 computations may disagree only on cells within a few
        // float rounding errors of the threshold; skip those (rare) cases.
        if (*std::min_element(margin.begin(), margin.end()) < 1e-5) continue;
        ++compared;
        CHECK(r.alignment.sure == expected);
        // The double path on the same (float-representable) values: scores
        // agree to float precision.
        lexalign::dense_matrix<double> d(m, n);
        for (std::size_t i = 0; i < m; ++i)
          for (std::size_t j = 0; j < n; ++j) d(i, j) = s(i, j);
        ex::softmax_into(d, {.threshold = threshold}, ws, rd);
        REQUIRE(rd.alignment.sure == r.alignment.sure);
        for (std::size_t k = 0; k < r.size(); ++k) CHECK(r.scores[k] == Approx(rd.scores[k]).epsilon(2e-6));
        // precision = float64 on float input is the double path; float32 on
        // double input the float one.
        const auto double_scores = rd.scores;
        ex::softmax_into(s, {.threshold = threshold, .precision = ex::softmax_precision::float64}, ws, rd);
        CHECK(rd.scores == double_scores);
        ex::softmax_into(d, {.threshold = threshold, .precision = ex::softmax_precision::float32}, ws, rd);
        CHECK(rd.alignment.sure == r.alignment.sure);
        CHECK(rd.scores == r.scores);
      }
  CHECK(compared > 100);
}

TEST_CASE("softmax links at every width and column position (vector tails), with ties and lowest entries",
          "[extract][softmax]") {
  // n = 1..40 covers every width of the last vector (8 doubles, 16 floats
  // with AVX-512) and links in it; some cells are the lowest finite value
  // (exp gives 0 there), the last repetition has integer ties.  Against the
  // literal transcriptions (double; float32), skipping matrices with a cell
  // within rounding of the threshold.
  std::mt19937 rng(33);
  std::normal_distribution<double> g(0.0, 2.5);
  ex::workspace<> ws;
  ex::extract_result r;
  int compared = 0, compared32 = 0;
  for (std::size_t n = 1; n <= 40; ++n)
    for (std::size_t m : {1u, 3u, 9u})
      for (double threshold : {0.001, 0.1})
        for (int rep = 0; rep < 3; ++rep) {
          mat s(m, n);
          lexalign::dense_matrix<float> f(m, n);
          for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
              const double v = rep == 2 ? std::round(g(rng)) : g(rng);
              const bool lowest = (i * 7 + j * 3 + static_cast<std::size_t>(rep)) % 11 == 5 && n > 1;
              s(i, j) = lowest ? std::numeric_limits<double>::lowest() : v;
              f(i, j) = lowest ? std::numeric_limits<float>::lowest() : static_cast<float>(v);
            }
          const mat pxy = extract_test::softmax_rows(s);
          const mat pyx = extract_test::transpose(extract_test::softmax_rows(extract_test::transpose(s)));
          std::vector<lexalign::link> expected;
          double margin = 1;
          for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
              if (pxy(i, j) > threshold && pyx(i, j) > threshold)
                expected.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
              margin = std::min(margin, std::min(std::abs(pxy(i, j) - threshold), std::abs(pyx(i, j) - threshold)) / threshold);
            }
          INFO(m << "x" << n << " threshold " << threshold << " rep " << rep);
          if (margin > 1e-9) {
            ex::softmax_into(s, {.threshold = threshold}, ws, r);
            CHECK(r.alignment.sure == expected);
            ++compared;
          }
          std::vector<double> margins;
          const auto expected32 = softmax_links_float32(f, static_cast<float>(threshold), &margins);
          if (*std::min_element(margins.begin(), margins.end()) > 1e-5) {
            ex::softmax_into(f, {.threshold = threshold}, ws, r);
            CHECK(r.alignment.sure == expected32);
            ++compared32;
          }
        }
  CHECK(compared > 600);
  CHECK(compared32 > 500);
}

TEST_CASE("softmax's float32 path falls back to double when a sum would underflow in float", "[extract][softmax][float32]") {
  // Row 1 and column 3 lie 120 below the rest: exp(S - max S) underflows in
  // float32 (below -87.3) there, so they need their own maxima; cell (1, 3),
  // the largest of both, is a link; the result equals the double
  // computation.
  std::mt19937 rng(28);
  std::normal_distribution<float> g(0.0f, 2.0f);
  lexalign::dense_matrix<float> s(4, 9);
  lexalign::dense_matrix<double> d(4, 9);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 9; ++j) d(i, j) = s(i, j) = g(rng) - (i == 1 || j == 3 ? 120.0f : 0.0f);
  d(1, 3) = s(1, 3) = -100.0f;
  const auto rf = ex::softmax(s), rd = ex::softmax(d);
  REQUIRE(rf.alignment.sure == rd.alignment.sure);
  for (std::size_t k = 0; k < rf.size(); ++k) CHECK(rf.scores[k] == Approx(rd.scores[k]).epsilon(1e-12));
  CHECK(std::find(rf.links().begin(), rf.links().end(), lexalign::link{1, 3}) != rf.links().end());
  lexalign::dense_matrix<float> bad = s;
  bad(2, 7) = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(ex::softmax(bad), "similarity(2, 7) is NaN");
}

TEST_CASE("entmax15 equals the bisection solution and sums to one", "[extract][entmax]") {
  std::mt19937 rng(22);
  std::normal_distribution<double> g(0.0, 2.0);
  std::vector<double> z, p, scratch;
  for (std::size_t len : {1u, 2u, 3u, 10u, 50u})
    for (int rep = 0; rep < 20; ++rep) {
      z.resize(len);
      for (auto& x : z) x = rep % 3 == 0 ? std::round(g(rng)) : g(rng);  // ties every third
      p.resize(len);
      scratch.resize(len);
      ex::entmax15(z.data(), len, 1, p.data(), scratch.data());
      const auto q = extract_test::entmax15_bisect(z);
      double sum = 0;
      for (std::size_t k = 0; k < len; ++k) {
        CHECK(p[k] == Approx(q[k]).margin(1e-9));
        sum += p[k];
      }
      CHECK(sum == Approx(1.0).epsilon(1e-12));
    }
}

TEST_CASE("entmax extraction keeps the cells in both supports", "[extract][entmax]") {
  std::mt19937 rng(23);
  std::normal_distribution<double> g(0.0, 2.0);
  ex::workspace<> ws;
  ex::extract_result r;
  for (auto [m, n] : {std::pair<std::size_t, std::size_t>{1, 1}, {1, 5}, {4, 4}, {6, 11}, {15, 9}})
    for (int rep = 0; rep < 6; ++rep) {
      mat s(m, n);
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) s(i, j) = g(rng);
      ex::entmax_into(s, {}, ws, r);
      mat pr(m, n), pc(m, n);
      for (std::size_t i = 0; i < m; ++i) {
        std::vector<double> z(n);
        for (std::size_t j = 0; j < n; ++j) z[j] = s(i, j);
        const auto q = extract_test::entmax15_bisect(z);
        for (std::size_t j = 0; j < n; ++j) pr(i, j) = q[j];
      }
      for (std::size_t j = 0; j < n; ++j) {
        std::vector<double> z(m);
        for (std::size_t i = 0; i < m; ++i) z[i] = s(i, j);
        const auto q = extract_test::entmax15_bisect(z);
        for (std::size_t i = 0; i < m; ++i) pc(i, j) = q[i];
      }
      std::vector<lexalign::link> expected;
      for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j)
          if (pr(i, j) > 1e-12 && pc(i, j) > 1e-12)
            expected.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
      CHECK(r.alignment.sure == expected);
    }
}

TEST_CASE("softmax and entmax reject bad thresholds", "[extract][softmax][errors]") {
  const mat s(2, 2, 0.0);
  CHECK_THROWS_WITH(ex::softmax(s, {.threshold = -0.1}),
                    "extract::softmax_options.threshold must be in [0, 1) (got -0.1)");
  CHECK_THROWS_WITH(ex::softmax(s, {.precision = static_cast<ex::softmax_precision>(7)}),
                    "extract::softmax_options.precision must be as_input, float64 or float32 (got 7)");
  CHECK_THROWS_WITH(ex::entmax(s, {.threshold = 1}), "extract::entmax_options.threshold must be in [0, 1) (got 1)");
}
