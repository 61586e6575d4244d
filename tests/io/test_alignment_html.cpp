// The alignment-matrix page (io/alignment_html.hpp): well-formed XML with the
// expected cells, marks, legend and scores; selection; escaping; errors.
#include <cstdlib>
#include <string>
#include <vector>

#include "lexalign/core/error.hpp"
#include "lexalign/io/alignment_html.hpp"
#include "support/aligner_fixtures.hpp"
#include "support/catch.hpp"
#include "support/temp_file.hpp"
#include "support/xml_check.hpp"

namespace io = lexalign::io;
using L = lexalign::link;  // (a using-declaration of `link` would clash with POSIX link())
using lexalign::test::count_of;
using lexalign::test::rejected_option;
using lexalign::test::xml_problem;

namespace {

// Pair 0: tokens that need escaping; pair 1: plain.
lexalign::parallel_corpus corpus() {
  lexalign::parallel_corpus c;
  c.add(std::vector<std::string>{"x<y", "R&D"}, std::vector<std::string>{"\"q\"", "'d'", "z"});
  c.add(std::vector<std::string>{"a", "b"}, std::vector<std::string>{"c", "d"});
  return c;
}

lexalign::sentence_alignment links(std::vector<L> sure, std::vector<L> possible = {}) {
  return {std::move(sure), std::move(possible)};
}

// Pair 0: 0-0 hits a sure link, 1-1 a possible one, 0-1 is wrong, 1-2 (sure) is
// missed.  Pair 1: nothing linked, 0-0 (sure) missed, 1-1 possible only.
const lexalign::alignment_corpus hypothesis = {links({{0, 0}, {0, 1}, {1, 1}}), links({})};
const lexalign::alignment_corpus gold = {links({{0, 0}, {1, 2}}, {{1, 1}}), links({{0, 0}}, {{1, 1}})};

// The part of the page after the legend (the sentence pairs).
std::string pairs_part(const std::string& page) { return page.substr(page.find("<section")); }

}  // namespace

TEST_CASE("alignment page with gold: well-formed, every mark, legend and P/R/AER", "[io][html]") {
  const auto c = corpus();
  const std::vector<std::vector<float>> post = {{0.9f, 0.3f, 0.6f}, {}};
  const std::string page = io::alignment_html({.corpus = c, .hypothesis = hypothesis, .gold = &gold, .posteriors = &post});
  INFO(page);
  CHECK(xml_problem(page).empty());
  CHECK(xml_problem(page) == "");
  // Self-contained: no scripts, nothing fetched.
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("href=") == std::string::npos);
  CHECK(page.find("src=") == std::string::npos);
  // Legend: every kind of mark, explained.
  for (const char* label : {"link on a sure gold link", "link on a possible gold link", "link not in the gold alignment",
                            "sure gold link missed", "possible gold link, not linked", "posterior 0.5"})
    CHECK(page.find(label) != std::string::npos);
  const std::string body = pairs_part(page);
  CHECK(count_of(body, "<section") == 2);
  CHECK(count_of(body, "<svg") == 2);
  CHECK(count_of(body, "class=\"sure\"") == 1);
  CHECK(count_of(body, "class=\"possible\"") == 1);
  CHECK(count_of(body, "class=\"wrong\"") == 1);
  CHECK(count_of(body, "class=\"missed\"") == 2);
  CHECK(count_of(body, "class=\"possible-only\"") == 1);
  // Cells where they belong (16 px, 12% padding): pair 0's labels are 3
  // characters long, so its matrix starts at x = 8 + 7 * 3 = 29, y = 8 + 5.5 * 3.
  CHECK(body.find("<rect class=\"sure\" x=\"30.9\" y=\"26.4\" width=\"12.2\" height=\"12.2\"") != std::string::npos);
  CHECK(body.find("<rect class=\"missed\" x=\"63.9\" y=\"43.4\"") != std::string::npos);
  CHECK(body.find("<title>x&lt;y - &quot;q&quot;: link, sure gold, posterior 0.900</title>") != std::string::npos);
  CHECK(body.find("<title>x&lt;y - &#39;d&#39;: link, not in gold, posterior 0.300</title>") != std::string::npos);
  CHECK(body.find("<title>R&amp;D - z: sure gold, missed</title>") != std::string::npos);
  CHECK(body.find("<title>b - d: possible gold, not linked</title>") != std::string::npos);
  // Shade = posterior.
  CHECK(body.find("fill-opacity=\"0.600\"") != std::string::npos);
  CHECK(body.find("stroke-opacity=\"0.300\"") != std::string::npos);
  // Tokens on both axes, escaped.
  CHECK(count_of(body, "class=\"source\"") == 4);
  CHECK(count_of(body, "class=\"target\"") == 5);
  for (const char* token : {">x&lt;y</text>", ">R&amp;D</text>", ">&quot;q&quot;</text>", ">&#39;d&#39;</text>"})
    CHECK(body.find(token) != std::string::npos);
  // P = 2/3, R = 1/2, AER = 1 - (1 + 2) / (3 + 2); pair 1: nothing linked.
  CHECK(body.find("P 0.667 &#160; R 0.500 &#160; AER 0.400") != std::string::npos);
  CHECK(body.find("P n/a &#160; R 0.000 &#160; AER 1.000") != std::string::npos);
  // Grid lines: (l+1) + (m+1) per pair.
  CHECK(count_of(body, "<line ") == (3 + 4) + (3 + 3));
}

TEST_CASE("alignment page without gold: links shaded by posterior, no scores", "[io][html]") {
  const auto c = corpus();
  const std::string page = io::alignment_html({.corpus = c, .hypothesis = hypothesis});
  CHECK(xml_problem(page) == "");
  const std::string body = pairs_part(page);
  CHECK(count_of(body, "class=\"link\"") == 3);
  CHECK(body.find("AER") == std::string::npos);
  CHECK(body.find("opacity") == std::string::npos);
  CHECK(page.find("link on a sure gold link") == std::string::npos);
  CHECK(page.find(">link</text>") != std::string::npos);
}

TEST_CASE("alignment page: pick sentences by id, worst AER first, count", "[io][html]") {
  const auto c = corpus();
  auto order = [&](const io::alignment_html_options& o) {
    const std::string page = io::alignment_html({.corpus = c, .hypothesis = hypothesis, .gold = &gold}, o);
    CHECK(xml_problem(page) == "");
    std::vector<std::size_t> ids;
    for (std::size_t p = page.find("<section id=\"pair-"); p != std::string::npos;
         p = page.find("<section id=\"pair-", p + 1))
      ids.push_back(static_cast<std::size_t>(std::stoul(page.substr(p + 18))));
    return ids;
  };
  CHECK(order({}) == std::vector<std::size_t>{0, 1});
  CHECK(order({.sentences = {1}}) == std::vector<std::size_t>{1});
  CHECK(order({.sentences = {1, 0}}) == std::vector<std::size_t>{1, 0});
  CHECK(order({.worst_first = true}) == std::vector<std::size_t>{1, 0});  // AER 1.0, then 0.4
  CHECK(order({.worst_first = true, .count = 1}) == std::vector<std::size_t>{1});
  CHECK(order({.count = 1}) == std::vector<std::size_t>{0});
}

TEST_CASE("alignment page: control characters, invalid UTF-8 and long tokens stay well-formed", "[io][html]") {
  lexalign::parallel_corpus c;
  const std::string long_token(40, 'w');
  c.add(std::vector<std::string>{"bad\x01" "ctl", "\xC3(x", "caf\xC3\xA9"},
        std::vector<std::string>{long_token, "\xF0\x9F\x98\x80", "\xED\xA0\x80"});
  const lexalign::alignment_corpus h = {links({{0, 0}, {2, 1}})};
  const std::string page = io::alignment_html({.corpus = c, .hypothesis = h}, {.max_label = 10, .title = "a < b & c"});
  CHECK(xml_problem(page) == "");
  CHECK(page.find("<title>a &lt; b &amp; c</title>") != std::string::npos);
  CHECK(page.find("bad\xEF\xBF\xBD" "ctl") != std::string::npos);
  CHECK(page.find("\xEF\xBF\xBD(x") != std::string::npos);
  CHECK(page.find("caf\xC3\xA9") != std::string::npos);
  CHECK(page.find("\xF0\x9F\x98\x80") != std::string::npos);  // a valid 4-byte character stays
  CHECK(page.find("\xED\xA0\x80") == std::string::npos);      // a UTF-16 surrogate does not
  CHECK(page.find(std::string(10, 'w') + "...<") != std::string::npos);
  CHECK(page.find(std::string(11, 'w')) == std::string::npos);
}

TEST_CASE("alignment page: xmllint accepts it (when installed)", "[io][html]") {
  if (std::system("command -v xmllint > /dev/null 2>&1") != 0) {
    WARN("xmllint not installed (scripts/setup.sh installs libxml2-utils); skipped");
    return;
  }
  const auto c = corpus();
  const std::vector<std::vector<float>> post = {{0.9f, 0.3f, 0.6f}, {}};
  const lexalign::test::temp_file f(
      io::alignment_html({.corpus = c, .hypothesis = hypothesis, .gold = &gold, .posteriors = &post}), ".xhtml");
  CHECK(std::system(("xmllint --noout '" + f.path() + "'").c_str()) == 0);
  // And the checker itself rejects what xmllint rejects.
  CHECK(xml_problem("<a><b></a></b>") != "");
  CHECK(xml_problem("<a>x & y</a>") != "");
  CHECK(xml_problem("<a t=x/>") != "");
  CHECK(xml_problem("<a>1 < 2</a>") != "");
  CHECK(xml_problem("<a t=\"1\" t=\"2\"/>") != "");
  CHECK(xml_problem("<a>&amp;&#160;</a>") == "");
}

TEST_CASE("alignment page: options and inputs are checked", "[io][html]") {
  const auto c = corpus();
  auto render = [&](io::alignment_html_options o) {
    return [&c, o] { io::alignment_html({.corpus = c, .hypothesis = hypothesis, .gold = &gold}, o); };
  };
  CHECK(rejected_option(render({.cell_size = 5})) == "io::alignment_html_options.cell_size");
  CHECK(rejected_option(render({.cell_size = 65})) == "io::alignment_html_options.cell_size");
  CHECK(rejected_option(render({.max_label = 1})) == "io::alignment_html_options.max_label");
  CHECK(rejected_option(render({})) == "no error");
  CHECK_THROWS_AS(io::alignment_html({.corpus = c, .hypothesis = hypothesis}, {.worst_first = true}),
                  lexalign::invalid_argument);
  CHECK_THROWS_AS(render({.sentences = {2}})(), lexalign::invalid_argument);
  const lexalign::alignment_corpus outside = {links({{2, 0}}), links({})};
  CHECK_THROWS_AS(io::alignment_html({.corpus = c, .hypothesis = outside}), lexalign::invalid_argument);
  const lexalign::alignment_corpus one = {links({})};
  CHECK_THROWS_AS(io::alignment_html({.corpus = c, .hypothesis = one}), lexalign::invalid_argument);
  const std::vector<std::vector<float>> short_post = {{0.5f}, {}};
  CHECK_THROWS_AS(io::alignment_html({.corpus = c, .hypothesis = hypothesis, .posteriors = &short_post}),
                  lexalign::invalid_argument);
}
