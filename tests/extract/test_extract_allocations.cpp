// With a warm workspace and result, every extraction call allocates nothing.
#include <random>

#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/entmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/matching.hpp"
#include "lexalign/extract/ot_extract.hpp"
#include "lexalign/extract/similarity.hpp"
#include "lexalign/extract/softmax.hpp"
#include "lexalign/extract/subword.hpp"
#include "reference.hpp"
#include "support/catch.hpp"
#include "support/counting_new.hpp"

namespace ex = lexalign::extract;

TEST_CASE("warm extraction calls allocate nothing", "[extract][allocations]") {
  std::mt19937 rng(41);
  const auto big = extract_test::random_matrix(rng, 30, 25, 0);
  const auto small = extract_test::random_matrix(rng, 12, 17, 3);
  const auto x = extract_test::random_matrix(rng, 30, 16, 0), y = extract_test::random_matrix(rng, 25, 16, 0);
  const std::vector<int> src_map(30, 0), tgt_map(25, 1);
  ex::workspace<> ws;
  ex::matching_workspace<> mws;
  ex::extract_result r, words;
  lexalign::dense_matrix<double> sim;
  auto run = [&](const extract_test::mat& s) {
    ex::argmax_into(s, {}, ws, r);
    ex::argmax_into(s, {.direction = ex::argmax_direction::reverse}, ws, r);
    ex::itermax_into(s, {}, ws, r);
    ex::softmax_into(s, {.threshold = 0.0}, ws, r);
    ex::softmax_into(s, {}, ws, r);                                                   // one exp per cell
    ex::softmax_into(s, {.precision = ex::softmax_precision::float32}, ws, r);         // float32 copy and path
    ex::softmax_into(s, {.threshold = 1e-20, .precision = ex::softmax_precision::float32}, ws, r);  // its fallback
    ex::entmax_into(s, {}, ws, r);
    ex::matching_into(s, {}, mws, r);
    ex::similarity_into(x, y, {}, ws, sim);
    ex::argmax_into(sim, {}, ws, r);
    ex::merge_subword_links(r, src_map, tgt_map, ws, words);
  };
  run(big);  // warm up at the largest size
  r.alignment.sure.reserve(30 * 25);
  r.scores.reserve(30 * 25);
  const auto before = lexalign::test::global_new_calls();
  run(small);
  run(big);
  if (LEXALIGN_COUNTING_NEW) CHECK(lexalign::test::global_new_calls() == before);
}

TEST_CASE("warm partial_exact OT extraction pads in the workspace", "[extract][allocations][ot]") {
  // partial_exact solves a padded (m + 1) x (n + 1) problem; the padded cost
  // and masses live in the workspace, so a warm call allocates no more than
  // a warm balanced_exact call of the same size (ot::emd_into's own
  // allocations, if any, are common to both).
  std::mt19937 rng(43);
  const auto big = extract_test::random_matrix(rng, 14, 11, 0);
  const auto small = extract_test::random_matrix(rng, 6, 9, 0);
  ex::ot_extract_workspace<> ws;
  ex::ot_extract_result r;
  const std::vector<double> a_big(14, 1.0), b_big(11, 1.0), a_small(6, 1.0), b_small(9, 1.0);
  const ex::ot_extract_options balanced{.plan = ex::ot_plan::balanced_exact};
  const ex::ot_extract_options partial{.plan = ex::ot_plan::partial_exact, .threshold = 0.0};
  ex::ot_extract_into(big, a_big, b_big, balanced, ws, r);  // warm up at the largest size
  ex::ot_extract_into(big, a_big, b_big, partial, ws, r);
  r.alignment.sure.reserve(14 * 11);
  r.scores.reserve(14 * 11);
  auto count = [&](const ex::ot_extract_options& o) {
    const auto before = lexalign::test::global_new_calls();
    ex::ot_extract_into(small, a_small, b_small, o, ws, r);
    ex::ot_extract_into(big, a_big, b_big, o, ws, r);
    return lexalign::test::global_new_calls() - before;
  };
  const auto with_balanced = count(balanced);
  const auto with_partial = count(partial);
  if (LEXALIGN_COUNTING_NEW) CHECK(with_partial <= with_balanced);
}

TEST_CASE("warm OT extraction allocates nothing for every plan", "[extract][allocations][ot]") {
  // The entropic plans go through ot::sinkhorn_into / partial_into /
  // sinkhorn_unbalanced_into into the workspace's result; the exact ones
  // through ot::emd_into.  A warm call of a smaller or equal size allocates
  // nothing, uniform or explicit masses.
  std::mt19937 rng(47);
  const auto big = extract_test::random_matrix(rng, 14, 11, 0);
  const auto small = extract_test::random_matrix(rng, 6, 9, 0);
  const std::vector<double> a_big(14, 1.0), b_big(11, 1.0);
  std::vector<double> a_small(6), b_small(9);
  for (double& v : a_small) v = 0.5 + std::uniform_real_distribution<double>(0, 1)(rng);
  for (double& v : b_small) v = 0.5 + std::uniform_real_distribution<double>(0, 1)(rng);
  for (const auto plan : {ex::ot_plan::balanced, ex::ot_plan::balanced_exact, ex::ot_plan::partial,
                          ex::ot_plan::partial_exact, ex::ot_plan::unbalanced}) {
    CAPTURE(static_cast<int>(plan));
    ex::ot_extract_workspace<> ws;
    ex::ot_extract_result r;
    const ex::ot_extract_options o{.plan = plan, .threshold = 0.0};
    ex::ot_extract_into(big, a_big, b_big, o, ws, r);  // warm up at the largest size
    ex::ot_extract_into(small, a_small, b_small, o, ws, r);
    r.alignment.sure.reserve(14 * 11);
    r.scores.reserve(14 * 11);
    const auto before = lexalign::test::global_new_calls();
    ex::ot_extract_into(small, a_small, b_small, o, ws, r);
    ex::ot_extract_into(big, a_big, b_big, o, ws, r);
    ex::ot_extract_into(small, a_small, b_small, o, ws, r);
    if (LEXALIGN_COUNTING_NEW) CHECK(lexalign::test::global_new_calls() == before);
    CHECK(r.convergence.ok());
    // The warm call's links equal a fresh call's (the reused result and workspace change nothing).
    const auto fresh = ex::ot_extract(small, a_small, b_small, o);
    CHECK(r.alignment.sure == fresh.alignment.sure);
    CHECK(r.scores == fresh.scores);
  }
}
