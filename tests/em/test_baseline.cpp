// The diagonal baseline alignment (lexalign/em/baseline.hpp).
#include <vector>

#include "lexalign/em/baseline.hpp"
#include "support/catch.hpp"

using L = lexalign::link;

TEST_CASE("diagonal baseline: one link per target token, or per source token reversed", "[em][baseline]") {
  std::vector<L> out;
  // 4 x 2: targets 0, 1 -> sources round(0) = 0, round(2) = 2.
  lexalign::em::diagonal_alignment(4, 2, false, out);
  CHECK(out == std::vector<L>{{0, 0}, {2, 1}});
  // Reverse: sources 0..3 -> targets round(i/2) = 0, 1 (0.5 rounds up), 1, 2 -> clamped to 1.
  lexalign::em::diagonal_alignment(4, 2, true, out);
  CHECK(out == std::vector<L>{{0, 0}, {1, 1}, {2, 1}, {3, 1}});
  // 1 x 3: every target to source 0; the output is sorted by source.
  lexalign::em::diagonal_alignment(1, 3, false, out);
  CHECK(out == std::vector<L>{{0, 0}, {0, 1}, {0, 2}});
  lexalign::em::diagonal_alignment(0, 3, false, out);
  CHECK(out.empty());
  lexalign::em::diagonal_alignment(3, 0, true, out);
  CHECK(out.empty());
  CHECK(lexalign::em::diagonal_position(5, 10, 3) == 2);  // round(1.5) = 2
  CHECK(lexalign::em::diagonal_position(9, 10, 3) == 2);  // round(2.7) = 3, clamped
}
