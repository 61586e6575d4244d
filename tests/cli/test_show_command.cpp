// `lexalign show`: the command around io::write_alignment_html.
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"
#include "support/xml_check.hpp"

using lexalign::test::temp_file;

namespace {
lexalign::test::command_result run(const std::vector<std::string>& words, const std::string& stdin_text = "") {
  return lexalign::test::call_command(lexalign::cli::run_command, words, stdin_text);
}
}  // namespace

TEST_CASE("show draws gold marks, posteriors and worst-first selections", "[cli][show]") {
  temp_file src("the house\nthe blue house\n"), tgt("la maison\nla maison bleue\n");
  temp_file hyp("0-0 1-1\n0-0 1-2 2-1\n"), gold("0-0 1-1\n0-0 1-2 2-1 1?1\n");
  // Every hypothesis link of pair 0 is sure; pair 1 has 3 sure hits; against a
  // gold with one link more than the hypothesis in pair 0, pair 0 is worse.
  temp_file gold2("0-0 1-1 0?1\n0-0 1-2 2-1\n"), hyp2("0-0\n0-0 1-2 2-1\n");
  const auto r = run({"show", "--source", src.path(), "--target", tgt.path(), "--alignment", hyp.path(), "--gold",
                      gold.path()});
  REQUIRE(r.rc == 0);
  CHECK(lexalign::test::xml_problem(r.out).empty());
  CHECK(lexalign::test::count_of(r.out, "<svg") >= 2);
  CHECK(lexalign::test::count_of(r.out, "class=\"sure\"") >= 5);  // 5 sure hits (+ the legend's)
  CHECK(r.out.find("class=\"wrong\"") != std::string::npos);      // the legend shows every mark

  const auto worst = run({"show", "--source", src.path(), "--target", tgt.path(), "--alignment", hyp2.path(),
                          "--gold", gold2.path(), "--worst", "1"});
  REQUIRE(worst.rc == 0);
  CHECK(lexalign::test::count_of(worst.out, "class=\"missed\"") >= 1);  // pair 0 misses 1-1
  CHECK(worst.out.find("bleue") == std::string::npos);                  // pair 1 is not drawn

  temp_file post("0-0:0.9000 1-1:0.2500\n0-0:1.0000\n");
  const auto shaded = run({"show", "--source", src.path(), "--target", tgt.path(), "--posteriors", post.path()});
  REQUIRE(shaded.rc == 0);
  CHECK(lexalign::test::xml_problem(shaded.out).empty());
  CHECK(shaded.out.find("0.25") != std::string::npos);
}

TEST_CASE("show rejects bad command lines and bad files", "[cli][show]") {
  temp_file src("the house\n"), tgt("la maison\n"), hyp("0-0\n"), bad_post("0-0:1.5\n"), outside("0-5\n");
  CHECK(run({"show", "--source", src.path(), "--target", tgt.path()}).rc == 2);  // neither --alignment nor --posteriors
  CHECK(run({"show", "--source", src.path(), "--target", tgt.path(), "--alignment", hyp.path(), "--worst", "1"}).rc ==
        2);  // --worst needs --gold
  CHECK(run({"show", "--source", src.path(), "--target", tgt.path(), "--alignment", hyp.path(), "--ids", "x"}).rc == 2);
  const auto p = run({"show", "--source", src.path(), "--target", tgt.path(), "--posteriors", bad_post.path()});
  CHECK(p.rc == 1);
  CHECK(p.err.find(bad_post.path() + ":1:") != std::string::npos);
  const auto o = run({"show", "--source", src.path(), "--target", tgt.path(), "--alignment", outside.path()});
  CHECK(o.rc == 1);
  CHECK(o.err.find("outside") != std::string::npos);
}
