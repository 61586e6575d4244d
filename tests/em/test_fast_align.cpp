// fast_align's diagonal Model 2: closed forms against brute-force sums,
// the compatibility switch, and training.
#include <cmath>
#include <string>
#include <vector>

#include "lexalign/em/fast_align.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "support/catch.hpp"

namespace em = lexalign::em;

TEST_CASE("fast_align: closed-form Z and dlogZ equal brute-force sums for all m, n < 30", "[em][fast_align]") {
  double worst_z = 0, worst_d = 0;
  for (double lambda : {0.1, 0.5, 4.0, 10.0, 14.0})
    for (int m = 1; m < 30; ++m)
      for (int n = 1; n < 30; ++n)
        for (int t = 1; t <= m; ++t) {
          double z = 0, zh = 0;
          for (int s = 1; s <= n; ++s) {
            const double h = -std::abs(double(s) / n - double(t) / m);
            z += std::exp(lambda * h);
            zh += h * std::exp(lambda * h);
          }
          const double cz = em::diagonal_z(t, m, n, lambda);
          const double cd = em::diagonal_dlogz(t, m, n, lambda);
          worst_z = std::max(worst_z, std::abs(cz - z) / z);
          worst_d = std::max(worst_d, std::abs(cd - zh / z));
        }
  CHECK(worst_z < 1e-12);
  CHECK(worst_d < 1e-12);
}

TEST_CASE("fast_align: compat reproduces the swapped-argument normalisation", "[em][fast_align]") {
  // Equal lengths: no difference.
  CHECK(em::diagonal_dlogz(3, 7, 7, 4.0, true) == Approx(em::diagonal_dlogz(3, 7, 7, 4.0)).epsilon(1e-12));
  // m != n: the sum is divided by Z(t, n, m) instead of Z(t, m, n).
  for (auto [t, m, n] : {std::tuple{2, 5, 9}, std::tuple{4, 9, 5}, std::tuple{1, 3, 12}}) {
    double zh = 0, zs = 0;
    for (int s = 1; s <= n; ++s) {
      const double h = -std::abs(double(s) / n - double(t) / m);
      zh += h * std::exp(4.0 * h);
    }
    // The swapped closed form summed as the formula would, over s = 1..m with m and n exchanged.
    for (int s = 1; s <= m; ++s) zs += std::exp(4.0 * -std::abs(double(s) / m - double(t) / n));
    if (t <= n) {
      CHECK(em::diagonal_dlogz(t, m, n, 4.0, true) == Approx(zh / zs).epsilon(1e-9));
    }
    CHECK(em::diagonal_dlogz(t, m, n, 4.0, true) != Approx(em::diagonal_dlogz(t, m, n, 4.0)));
  }
}

TEST_CASE("fast_align: prior sums to one and posteriors match prior x t", "[em][fast_align]") {
  const em::fast_align_parameters p{.p0 = 0.1, .lambda = 5.0};
  for (std::size_t m : {1u, 4u, 11u})
    for (std::size_t n : {1u, 6u, 9u})
      for (std::size_t t = 1; t <= m; ++t) {
        std::vector<double> prior(n + 1);
        em::diagonal_prior(p, t, m, n, prior.data());
        double s = 0;
        for (double x : prior) s += x;
        CHECK(s == Approx(1.0).epsilon(1e-12));
        CHECK(prior[0] == Approx(0.1));
      }
}

TEST_CASE("fast_align: training raises the likelihood and keeps lambda in range; compat runs", "[em][fast_align]") {
  const std::string dir = LEXALIGN_TEST_DATA_DIR "/gold/";
  const auto c = lexalign::io::read_parallel_corpus_files(dir + "roen.src", dir + "roen.tgt");
  for (bool compat : {false, true}) {
    const auto view = em::make_view(c);
    auto t = em::lexical_table::from_cooccurrence(view);
    em::fast_align_parameters p;
    const auto r = em::train_fast_align(view, t, p, {.iterations = 5, .compat = compat});
    REQUIRE(r.log_likelihood.size() == 5);
    CHECK(r.log_likelihood.back() > r.log_likelihood.front());
    CHECK(p.lambda >= 0.1);
    CHECK(p.lambda <= 14.0);
  }
  // 1 and 2 threads give the same model.
  em::train_options o{.model = em::model_kind::fast_align, .parallel = {.threads = 1}, .block_size = 16};
  const auto a = em::train_directional(em::make_view(c), o);
  o.parallel.threads = 2;
  const auto b = em::train_directional(em::make_view(c), o);
  CHECK(a.fast_align.lambda == b.fast_align.lambda);
  REQUIRE(a.stages.size() == 1);
  CHECK(a.stages[0].stage == "em.fast_align.forward");
  CHECK(a.stages[0].result.log_likelihood == b.stages[0].result.log_likelihood);
}
