// lexalign/io/alignment_html.hpp - sentence pairs as alignment matrices in one
// self-contained HTML page of inline SVG (no scripts, nothing fetched), for
// people to judge alignments by looking at them (docs/show.md).
//
//   std::ofstream out("show.html");
//   lexalign::io::write_alignment_html(out, {.corpus = corpus, .hypothesis = links, .gold = &gold},
//                                      {.worst_first = true, .count = 20});
//
// Each sentence pair is a matrix: source tokens down the left (rows), target
// tokens along the top (columns), one cell per (source, target) pair.
// Without gold, a link is a filled square whose opacity is its posterior
// when posteriors are given.  With gold, the marks are (Okabe-Ito colours,
// told apart by shape too, so that they survive colour blindness and grey
// print):
//   sure hit       link on a sure gold link        filled square, blue
//   possible hit   link on a possible gold link    filled circle, sky blue
//   wrong          link not in the gold set        cross, vermillion
//   missed         sure gold link without a link   hollow square, orange
//   possible only  possible gold link, no link     small hollow circle, reddish purple
// with a legend and each pair's precision, recall and AER (metrics/aer.hpp).
// The page is well-formed XML (XHTML): every token is escaped, control
// characters and invalid UTF-8 become U+FFFD.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/alignment.hpp"
#include "lexalign/core/corpus.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/metrics/aer.hpp"
#include "lexalign/metrics/alignment_scores.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace io {

struct alignment_html_options {
  std::vector<std::size_t> sentences = {};  // these sentence pairs (0-based ids, in this order); empty: all
  bool worst_first = false;            // order by AER, worst first (needs gold; undefined AER last)
  std::size_t count = 0;               // at most this many pairs (after ordering); 0: no limit
  std::size_t cell_size = 16;          // pixels per matrix cell; in [6, 64]
  std::size_t max_label = 24;          // longer tokens are cut to this many characters and '...'; >= 2
  std::string title = "lexalign alignments";
  metrics::score_options score = {};   // how P/R/AER are computed
};

// Throws lexalign::invalid_option for a value out of range.
inline void validate(const alignment_html_options& o) {
  validation::at_least("io::alignment_html_options.cell_size", o.cell_size, 6);
  validation::at_most("io::alignment_html_options.cell_size", o.cell_size, 64);
  validation::at_least("io::alignment_html_options.max_label", o.max_label, 2);
}

// What to draw.  `posteriors[k][n]` is the posterior of hypothesis[k].sure[n]
// (em::decoded_alignments::posteriors); hypotheses use `sure` only.
struct alignment_html_input {
  const parallel_corpus& corpus;
  const alignment_corpus& hypothesis;
  const alignment_corpus* gold = nullptr;
  const std::vector<std::vector<float>>* posteriors = nullptr;
};

namespace detail {

// Text for XML: & < > " ' escaped, control characters (but tab) and invalid
// UTF-8 replaced by U+FFFD; at most `max_chars` code points (then "...").
inline std::string xml_text(std::string_view s, std::size_t max_chars = std::numeric_limits<std::size_t>::max()) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size());
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    ++chars;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default:
          if (c < 0x20 && c != '\t') out += replacement;
          else if (c == 0x7F) out += replacement;
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (no overlongs, surrogates or > U+10FFFF).
    std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (c >= 0xF5) n = 0;
    bool ok = n > 0 && i + n <= s.size();
    std::uint32_t cp = ok ? (c & (0x7F >> n)) : 0;
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok) ok = !(n == 3 && cp < 0x800) && !(n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
                 !(cp >= 0xD800 && cp <= 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF;
    if (!ok) {
      out += replacement;
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

inline std::string fixed(double x, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

// The Okabe-Ito colours used by the marks.
inline constexpr std::string_view colour_sure = "#0072B2", colour_possible = "#56B4E9", colour_wrong = "#D55E00",
                                  colour_missed = "#E69F00", colour_possible_only = "#CC79A7", colour_link = "#000000";

enum class mark { link, sure_hit, possible_hit, wrong, missed, possible_only };

// One mark centred in the cell at (x, y) of size c; `opacity` shades a link.
inline void draw_mark(std::ostream& out, mark k, double x, double y, double c, double opacity, std::string_view tip) {
  const double pad = c * 0.12, s = c - 2 * pad, cx = x + c / 2, cy = y + c / 2;
  const std::string op = opacity < 1.0 ? " fill-opacity=\"" + fixed(opacity, 3) + "\"" : std::string();
  auto title = [&] {
    if (!tip.empty()) out << "<title>" << tip << "</title>";
  };
  switch (k) {
    case mark::link:
    case mark::sure_hit:
      out << "<rect class=\"" << (k == mark::link ? "link" : "sure") << "\" x=\"" << fixed(x + pad, 1) << "\" y=\""
          << fixed(y + pad, 1) << "\" width=\"" << fixed(s, 1) << "\" height=\"" << fixed(s, 1) << "\" fill=\""
          << (k == mark::link ? colour_link : colour_sure) << "\"" << op << ">";
      title();
      out << "</rect>\n";
      break;
    case mark::possible_hit:
      out << "<circle class=\"possible\" cx=\"" << fixed(cx, 1) << "\" cy=\"" << fixed(cy, 1) << "\" r=\""
          << fixed(s / 2, 1) << "\" fill=\"" << colour_possible << "\"" << op << ">";
      title();
      out << "</circle>\n";
      break;
    case mark::wrong: {
      const double a = pad + c * 0.05, w = std::max(1.5, c / 7);
      out << "<path class=\"wrong\" d=\"M" << fixed(x + a, 1) << ',' << fixed(y + a, 1) << "L" << fixed(x + c - a, 1)
          << ',' << fixed(y + c - a, 1) << "M" << fixed(x + c - a, 1) << ',' << fixed(y + a, 1) << "L"
          << fixed(x + a, 1) << ',' << fixed(y + c - a, 1) << "\" stroke=\"" << colour_wrong << "\" stroke-width=\""
          << fixed(w, 1) << "\" stroke-linecap=\"round\"" << (opacity < 1.0 ? " stroke-opacity=\"" + fixed(opacity, 3) + "\"" : "")
          << ">";
      title();
      out << "</path>\n";
      break;
    }
    case mark::missed:
      out << "<rect class=\"missed\" x=\"" << fixed(x + pad + 1, 1) << "\" y=\"" << fixed(y + pad + 1, 1)
          << "\" width=\"" << fixed(s - 2, 1) << "\" height=\"" << fixed(s - 2, 1) << "\" fill=\"none\" stroke=\""
          << colour_missed << "\" stroke-width=\"2\">";
      title();
      out << "</rect>\n";
      break;
    case mark::possible_only:
      out << "<circle class=\"possible-only\" cx=\"" << fixed(cx, 1) << "\" cy=\"" << fixed(cy, 1) << "\" r=\""
          << fixed(c * 0.2, 1) << "\" fill=\"none\" stroke=\"" << colour_possible_only << "\" stroke-width=\"1.5\">";
      title();
      out << "</circle>\n";
      break;
  }
}

inline void legend(std::ostream& out, bool with_gold, bool with_posteriors) {
  struct entry {
    mark k;
    double opacity;
    std::string_view label;
  };
  std::vector<entry> entries;
  if (with_gold) {
    entries = {{mark::sure_hit, 1.0, "link on a sure gold link"},
               {mark::possible_hit, 1.0, "link on a possible gold link"},
               {mark::wrong, 1.0, "link not in the gold alignment"},
               {mark::missed, 1.0, "sure gold link missed"},
               {mark::possible_only, 1.0, "possible gold link, not linked"}};
  } else {
    entries = {{mark::link, 1.0, "link"}};
  }
  if (with_posteriors)
    for (double p : {0.25, 0.5, 0.75})
      entries.push_back({with_gold ? mark::sure_hit : mark::link, p,
                         p == 0.25 ? "posterior 0.25" : p == 0.5 ? "posterior 0.5" : "posterior 0.75"});
  const double c = 16, row = 22;
  out << "<svg class=\"legend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\""
      << fixed(row * static_cast<double>(entries.size()) + 6, 0) << "\" role=\"img\" aria-label=\"legend\">\n";
  for (std::size_t n = 0; n < entries.size(); ++n) {
    const double y = 3 + row * static_cast<double>(n);
    out << "<rect x=\"2\" y=\"" << fixed(y, 1) << "\" width=\"" << fixed(c, 1) << "\" height=\"" << fixed(c, 1)
        << "\" fill=\"none\" stroke=\"#cccccc\"/>\n";
    draw_mark(out, entries[n].k, 2, y, c, entries[n].opacity, {});
    out << "<text x=\"26\" y=\"" << fixed(y + 12.5, 1) << "\">" << entries[n].label << "</text>\n";
  }
  out << "</svg>\n";
}

inline bool contains(const std::vector<link>& sorted, const link& x) {
  return std::binary_search(sorted.begin(), sorted.end(), x);
}

}  // namespace detail

// Writes the page.  Throws lexalign::invalid_option for bad options,
// lexalign::invalid_argument when the inputs disagree (counts of pairs,
// posteriors per link, a link outside its sentence, a sentence id out of
// range, worst_first without gold).
inline void write_alignment_html(std::ostream& out, const alignment_html_input& in,
                                 const alignment_html_options& options = {}) {
  validate(options);
  const std::size_t pairs = in.corpus.size();
  auto fail = [](const std::string& what) { throw invalid_argument("io::write_alignment_html: " + what); };
  if (in.hypothesis.size() != pairs)
    fail(std::to_string(in.hypothesis.size()) + " alignments for " + std::to_string(pairs) + " sentence pairs");
  if (in.gold && in.gold->size() != pairs)
    fail(std::to_string(in.gold->size()) + " gold alignments for " + std::to_string(pairs) + " sentence pairs");
  if (in.posteriors) {
    if (in.posteriors->size() != pairs)
      fail(std::to_string(in.posteriors->size()) + " posterior lines for " + std::to_string(pairs) + " sentence pairs");
    for (std::size_t k = 0; k < pairs; ++k)
      if ((*in.posteriors)[k].size() != in.hypothesis[k].sure.size())
        fail("sentence pair " + std::to_string(k) + " has " + std::to_string(in.hypothesis[k].sure.size()) +
             " links but " + std::to_string((*in.posteriors)[k].size()) + " posteriors");
  }
  if (options.worst_first && !in.gold) fail("worst_first needs a gold alignment");
  for (std::size_t k = 0; k < pairs; ++k) {
    const std::size_t l = in.corpus.source(k).size(), m = in.corpus.target(k).size();
    for (const alignment_corpus* a : {&in.hypothesis, in.gold}) {
      if (!a) continue;
      for (const auto* links : {&(*a)[k].sure, &(*a)[k].possible})
        for (const link& x : *links)
          if (x.source >= l || x.target >= m)
            fail("link " + std::to_string(x.source) + "-" + std::to_string(x.target) + " of sentence pair " +
                 std::to_string(k) + " is outside its " + std::to_string(l) + " x " + std::to_string(m) + " tokens");
    }
  }
  // Which pairs, in which order.
  std::vector<std::size_t> ids = options.sentences;
  for (std::size_t id : ids)
    if (id >= pairs) fail("sentence id " + std::to_string(id) + " is out of range (" + std::to_string(pairs) + " pairs)");
  if (ids.empty())
    for (std::size_t k = 0; k < pairs; ++k) ids.push_back(k);
  std::vector<metrics::alignment_counts> counts(pairs);
  if (in.gold) {
    metrics::scorer scorer(options.score);
    for (std::size_t k : ids) counts[k] = scorer.add((*in.gold)[k], in.hypothesis[k]);
  }
  if (options.worst_first) {
    auto key = [&](std::size_t k) {
      const auto s = metrics::scores(counts[k]);
      return s.aer_defined ? s.aer : -1.0;
    };
    std::stable_sort(ids.begin(), ids.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
  }
  if (options.count > 0 && ids.size() > options.count) ids.resize(options.count);

  const bool with_gold = in.gold != nullptr, with_post = in.posteriors != nullptr;
  out << "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
         "<meta charset=\"utf-8\"/>\n<title>"
      << detail::xml_text(options.title) << "</title>\n"
      << "<style>\nbody { font-family: sans-serif; margin: 1.5em; color: #222222; }\n"
         "section { margin: 1.5em 0 2.5em 0; }\nh2 { font-size: 1.1em; margin: 0 0 0.3em 0; }\n"
         "p.scores { margin: 0 0 0.6em 0; font-family: monospace; }\n"
         "svg text { font-family: sans-serif; font-size: 12px; fill: #222222; }\n</style>\n</head>\n<body>\n"
      << "<h1>" << detail::xml_text(options.title) << "</h1>\n";
  out << "<p class=\"summary\">" << ids.size() << " of " << pairs << " sentence pairs"
      << (options.worst_first ? ", worst AER first" : "") << ". Rows: source tokens; columns: target tokens.</p>\n";
  detail::legend(out, with_gold, with_post);

  const double c = static_cast<double>(options.cell_size);
  const auto& sv = in.corpus.source_vocabulary();
  const auto& tv = in.corpus.target_vocabulary();
  std::vector<std::string> src, tgt;
  std::vector<link> hyp_sorted, gold_sure, gold_possible;
  for (std::size_t k : ids) {
    src.clear();
    tgt.clear();
    std::size_t src_chars = 0, tgt_chars = 0;
    auto label = [&](std::string_view w, std::size_t& longest) {
      std::size_t n = 0;  // characters shown (about: code points of the token)
      for (unsigned char ch : w) n += (ch & 0xC0) != 0x80;
      longest = std::max(longest, std::min(n, options.max_label + 3));
      return detail::xml_text(w, options.max_label);
    };
    for (word_id w : in.corpus.source(k)) src.push_back(label(sv.word(w), src_chars));
    for (word_id w : in.corpus.target(k)) tgt.push_back(label(tv.word(w), tgt_chars));
    const std::size_t l = src.size(), m = tgt.size();
    const double left = 8 + 7.0 * static_cast<double>(src_chars), top = 8 + 5.5 * static_cast<double>(tgt_chars);
    const double width = left + c * static_cast<double>(m) + 8, height = top + c * static_cast<double>(l) + 8;

    out << "<section id=\"pair-" << k << "\">\n<h2>Sentence pair " << k << " (" << l << " x " << m
        << " tokens)</h2>\n";
    if (with_gold) {
      const auto s = metrics::scores(counts[k]);
      auto num = [](bool defined, double x) { return defined ? detail::fixed(x, 3) : std::string("n/a"); };
      out << "<p class=\"scores\">P " << num(s.precision_defined, s.precision) << " &#160; R "
          << num(s.recall_defined, s.recall) << " &#160; AER " << num(s.aer_defined, s.aer) << " &#160; (links "
          << counts[k].hypothesis << ", gold sure " << counts[k].sure << ", gold sure+possible " << counts[k].possible
          << ")</p>\n";
    }
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << detail::fixed(width, 0) << "\" height=\""
        << detail::fixed(height, 0) << "\" viewBox=\"0 0 " << detail::fixed(width, 0) << ' '
        << detail::fixed(height, 0) << "\" role=\"img\" aria-label=\"alignment matrix of sentence pair " << k
        << "\">\n";
    // Grid, then labels.
    out << "<g stroke=\"#dddddd\" stroke-width=\"1\">\n";
    for (std::size_t r = 0; r <= l; ++r) {
      const double y = top + c * static_cast<double>(r);
      out << "<line x1=\"" << detail::fixed(left, 1) << "\" y1=\"" << detail::fixed(y, 1) << "\" x2=\""
          << detail::fixed(left + c * static_cast<double>(m), 1) << "\" y2=\"" << detail::fixed(y, 1) << "\"/>\n";
    }
    for (std::size_t j = 0; j <= m; ++j) {
      const double x = left + c * static_cast<double>(j);
      out << "<line x1=\"" << detail::fixed(x, 1) << "\" y1=\"" << detail::fixed(top, 1) << "\" x2=\""
          << detail::fixed(x, 1) << "\" y2=\"" << detail::fixed(top + c * static_cast<double>(l), 1) << "\"/>\n";
    }
    out << "</g>\n";
    for (std::size_t r = 0; r < l; ++r)
      out << "<text class=\"source\" x=\"" << detail::fixed(left - 4, 1) << "\" y=\""
          << detail::fixed(top + c * (static_cast<double>(r) + 0.5) + 4, 1) << "\" text-anchor=\"end\">" << src[r]
          << "</text>\n";
    for (std::size_t j = 0; j < m; ++j) {
      const double x = left + c * (static_cast<double>(j) + 0.5) + 4, y = top - 4;
      out << "<text class=\"target\" transform=\"translate(" << detail::fixed(x, 1) << ',' << detail::fixed(y, 1)
          << ") rotate(-60)\">" << tgt[j] << "</text>\n";
    }
    // Marks.
    const auto& hyp = in.hypothesis[k].sure;
    hyp_sorted = hyp;
    std::sort(hyp_sorted.begin(), hyp_sorted.end());
    if (with_gold) {
      gold_sure = (*in.gold)[k].sure;
      gold_possible = (*in.gold)[k].possible;
      if (options.score.all_sure) {
        gold_sure.insert(gold_sure.end(), gold_possible.begin(), gold_possible.end());
        gold_possible.clear();
      }
      std::sort(gold_sure.begin(), gold_sure.end());
      std::sort(gold_possible.begin(), gold_possible.end());
    }
    auto cell_x = [&](const link& x) { return left + c * static_cast<double>(x.target); };
    auto cell_y = [&](const link& x) { return top + c * static_cast<double>(x.source); };
    auto tip = [&](const link& x, std::string_view what, double post) {
      std::string t = src[x.source] + " - " + tgt[x.target] + ": " + std::string(what);
      if (post >= 0) t += ", posterior " + detail::fixed(post, 3);
      return t;
    };
    for (std::size_t n = 0; n < hyp.size(); ++n) {
      const link& x = hyp[n];
      const double post = with_post ? std::clamp(static_cast<double>((*in.posteriors)[k][n]), 0.0, 1.0) : -1.0;
      const double opacity = with_post ? std::max(0.15, post) : 1.0;
      detail::mark kind = detail::mark::link;
      std::string_view what = "link";
      if (with_gold) {
        if (detail::contains(gold_sure, x)) kind = detail::mark::sure_hit, what = "link, sure gold";
        else if (detail::contains(gold_possible, x)) kind = detail::mark::possible_hit, what = "link, possible gold";
        else kind = detail::mark::wrong, what = "link, not in gold";
      }
      detail::draw_mark(out, kind, cell_x(x), cell_y(x), c, opacity, tip(x, what, post));
    }
    if (with_gold) {
      for (const link& x : gold_sure)
        if (!detail::contains(hyp_sorted, x))
          detail::draw_mark(out, detail::mark::missed, cell_x(x), cell_y(x), c, 1.0, tip(x, "sure gold, missed", -1));
      for (const link& x : gold_possible)
        if (!detail::contains(hyp_sorted, x))
          detail::draw_mark(out, detail::mark::possible_only, cell_x(x), cell_y(x), c, 1.0,
                            tip(x, "possible gold, not linked", -1));
    }
    out << "</svg>\n</section>\n";
  }
  out << "</body>\n</html>\n";
}

// The page as a string.
inline std::string alignment_html(const alignment_html_input& in, const alignment_html_options& options = {}) {
  std::ostringstream out;
  write_alignment_html(out, in, options);
  return out.str();
}

}  // namespace io
LEXALIGN_NAMESPACE_END
