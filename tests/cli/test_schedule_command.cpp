// `lexalign align --schedule` and the HMM class/end switches through the command.
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "support/catch.hpp"
#include "support/command_call.hpp"
#include "support/temp_file.hpp"

namespace {
using result = lexalign::test::command_result;
result align(std::vector<std::string> args, const std::string& stdin_text = "") {
  return lexalign::test::call_command(lexalign::cli::run_align, args, stdin_text);
}
const char* toy =
    "the house ||| la maison\nthe blue house ||| la maison bleue\nthe flower ||| la fleur\n"
    "a blue flower ||| une fleur bleue\nthe house is blue ||| la maison est bleue\n";
}  // namespace

TEST_CASE("align --schedule: Models 3 and 4 through the command, saved and reused", "[cli][align][schedule]") {
  const std::vector<std::string> base = {"--input", "-", "--schedule", "1x3,h3,3x2,4x2", "--classes", "3"};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const auto r = align(with({"--symmetrize", "grow-diag-final-and"}), toy);
  REQUIRE(r.rc == 0);
  CHECK(r.err.find("em.model3.forward") != std::string::npos);
  CHECK(r.err.find("em.model4.reverse") != std::string::npos);
  std::istringstream in(r.out);
  const auto links = lexalign::io::read_pharaoh(in, "out");
  REQUIRE(links.size() == 5);
  CHECK(links[0].sure == std::vector<lexalign::link>{{0, 0}, {1, 1}});
  // Same output for any thread count.
  CHECK(align(with({"--quiet", "--threads", "1"}), toy).out == align(with({"--quiet", "--threads", "3"}), toy).out);
  // A saved model aligns the same way (force alignment with the Model 4 tables).
  lexalign::test::temp_file model("", ".model");
  const auto saved = align(with({"--quiet", "--save-model", model.path()}), toy);
  REQUIRE(saved.rc == 0);
  const auto reused = align({"--input", "-", "--quiet", "--model-file", model.path()}, toy);
  REQUIRE(reused.rc == 0);
  CHECK(reused.out == saved.out);
}

TEST_CASE("align --schedule: bad schedules are usage errors that say what is wrong", "[cli][align][schedule]") {
  auto err = [&](const std::string& schedule, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--input", "-", "--quiet", "--schedule", schedule};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = align(args, toy);
    CHECK(r.rc != 0);
    CHECK(r.out.empty());
    return r.err;
  };
  CHECK(err("1x5,2x5,h5").find("item \"2x5\"") != std::string::npos);
  CHECK(err("h5,1x5").find("in the order 1, h, 3, 4") != std::string::npos);
  CHECK(err("1x5,3x3").find("preceded by h") != std::string::npos);
  CHECK(err("1x5,,h5").find("single commas") != std::string::npos);
  CHECK(err("1xfive").find("iteration count") != std::string::npos);
  CHECK(err("1x5,h5", {"--model", "fast_align"}).find("exclude each other") != std::string::npos);
}

TEST_CASE("align --class-jumps --end-distribution run and are deterministic", "[cli][align][schedule]") {
  const std::vector<std::string> args = {"--input", "-", "--quiet", "--class-jumps", "--classes", "2", "--end-distribution"};
  auto one = args, two = args;
  one.insert(one.end(), {"--threads", "1"});
  two.insert(two.end(), {"--threads", "2"});
  const auto a = align(one, toy), b = align(two, toy);
  REQUIRE(a.rc == 0);
  CHECK(a.out == b.out);
  CHECK(align({"--input", "-", "--quiet", "--classes", "0"}, toy).rc != 0);
}

TEST_CASE("align: the end distribution is on by default; --no-end-distribution turns it off", "[cli][align][schedule]") {
  auto model_text = [&](std::vector<std::string> extra) {
    lexalign::test::temp_file model("", ".model");
    std::vector<std::string> args = {"--input", "-", "--quiet", "--save-model", model.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = align(args, toy);
    REQUIRE(r.rc == 0);
    std::ifstream file(model.path(), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), {});
  };
  const std::string by_default = model_text({}), on = model_text({"--end-distribution"}),
                    off = model_text({"--no-end-distribution"});
  CHECK(by_default == on);
  CHECK(by_default != off);
  const auto both = align({"--input", "-", "--quiet", "--end-distribution", "--no-end-distribution"}, toy);
  CHECK(both.rc != 0);
  CHECK(both.err.find("exclude each other") != std::string::npos);
}
