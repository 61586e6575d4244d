// lexalign/multilingual/bli.hpp - bilingual lexicon induction (BLI)
// evaluation: precision at 1, 5 and 10 of word translation by retrieval.
//
//   auto dict = lexalign::multilingual::read_dictionary_file("en-es.dict");
//   auto r = lexalign::multilingual::evaluate_bli(mapped_en, es, dict);   // CSLS retrieval
//   r.precision_at_1, r.coverage
//
// Dictionary files: one `source target` pair per line, separated by ASCII
// spaces (blank lines are skipped; any other number of fields is a
// parse_error naming the file and line); a source word may have several
// lines (several reference translations).
//
// Semantics (as MUSE's evaluation, Conneau et al. 2018): a pair is usable when
// both words have vectors; a dictionary source word is *covered* when it has
// at least one usable pair, and is then one query.  Its reference set is the
// targets of its usable pairs.  The query's k best targets (over the whole
// target vocabulary, nearest neighbour by cosine or CSLS) count as correct at
// k when any of them is in the reference set.  coverage = covered source
// words / distinct source words of the dictionary.
#pragma once

#include <algorithm>
#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/validate.hpp"
#include "lexalign/io/embeddings.hpp"
#include "lexalign/io/text.hpp"
#include "lexalign/multilingual/csls.hpp"
#include "lexalign/multilingual/knn.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace multilingual {

// A bilingual dictionary: its pairs in file order.
using dictionary = std::vector<std::pair<std::string, std::string>>;

inline dictionary read_dictionary(std::istream& in, std::string_view name) {
  io::line_reader reader(in, std::string(name));
  std::string line;
  dictionary out;
  std::vector<std::string_view> w;
  while (reader.next(line)) {
    w.clear();
    io::for_each_token(line, [&](std::string_view t) { w.push_back(t); });
    if (w.empty()) continue;
    if (w.size() != 2) reader.fail("expected 'source target', found " + std::to_string(w.size()) + " fields");
    out.emplace_back(std::string(w[0]), std::string(w[1]));
  }
  return out;
}

inline dictionary read_dictionary_file(const std::string& path) {
  auto in = io::open_input(path);
  return read_dictionary(in, path);
}

enum class retrieval {
  nearest_neighbor,  // cosine
  csls,              // cross-domain similarity local scaling (csls.hpp)
};

struct bli_options {
  retrieval method = retrieval::csls;  // MUSE reports both; CSLS is the better one (Conneau et al. 2018)
  // csls.neighborhood: CSLS's k (10); csls.search: block sizes and threads
  // (search.k is ignored: the 10 best are retrieved for P@10).
  csls_options csls{};
};

inline void validate(const bli_options& o) {
  validation::require(o.method == retrieval::nearest_neighbor || o.method == retrieval::csls, "bli_options.method",
                      validation::format_value(static_cast<long long>(o.method)), "nearest_neighbor or csls");
  validate(o.csls);
}

struct bli_result {
  std::size_t dictionary_sources = 0;  // distinct source words in the dictionary
  std::size_t usable_pairs = 0;        // pairs with vectors on both sides
  std::size_t queries = 0;             // covered source words
  double coverage = 0;                 // queries / dictionary_sources
  double precision_at_1 = 0;           // fraction of queries with a reference among the 1 best (0 without queries)
  double precision_at_5 = 0;
  double precision_at_10 = 0;
  std::vector<std::size_t> query_rows;  // source row of each query, in first-appearance order
  knn_result neighbours;                // the 10 best targets of each query (scores: cosine or CSLS)
};

// Rows of the source and target vectors are the words of `source.words` and
// `target.words`; the vectors must already be in one space.
inline bli_result evaluate_bli(const io::word_embeddings& source, const io::word_embeddings& target,
                               const dictionary& dict, const bli_options& options = {}) {
  validate(options);
  validation::check_not_empty("source vectors", source.vectors.rows(), source.vectors.cols());
  validation::check_not_empty("target vectors", target.vectors.rows(), target.vectors.cols());
  if (source.dimension() != target.dimension())
    throw invalid_argument("source vectors have dimension " + std::to_string(source.dimension()) +
                           " but target vectors have " + std::to_string(target.dimension()));
  bli_result r;
  std::unordered_map<std::string_view, std::size_t> query_of;  // source word -> query number or npos
  std::vector<std::vector<std::size_t>> refs;
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  for (const auto& [s, t] : dict) {
    auto [it, fresh] = query_of.try_emplace(std::string_view(s), none);
    if (fresh) ++r.dictionary_sources;
    const auto srow = source.words.find(s);
    const auto trow = target.words.find(t);
    if (!srow || !trow) continue;
    ++r.usable_pairs;
    if (it->second == none) {
      it->second = r.query_rows.size();
      r.query_rows.push_back(*srow);
      refs.emplace_back();
    }
    auto& ref = refs[it->second];
    if (std::find(ref.begin(), ref.end(), *trow) == ref.end()) ref.push_back(*trow);
  }
  r.queries = r.query_rows.size();
  r.coverage = r.dictionary_sources ? double(r.queries) / double(r.dictionary_sources) : 0.0;
  const std::size_t d = source.dimension();
  dense_matrix<float> q(r.queries, d);
  for (std::size_t i = 0; i < r.queries; ++i)
    std::copy_n(source.vectors.data() + r.query_rows[i] * d, d, q.data() + i * d);
  knn_options search = options.csls.search;
  search.k = 10;
  knn_workspace<> ws;
  if (options.method == retrieval::nearest_neighbor) {
    knn_into(q.view(), target.vectors.view(), search, ws, r.neighbours);
  } else {
    csls_options co = options.csls;
    co.search = search;
    std::vector<float> r_q = mean_similarity(q.view(), target.vectors.view(), co.neighborhood, search, ws);
    std::vector<float> r_t = mean_similarity(target.vectors.view(), source.vectors.view(), co.neighborhood, search, ws);
    csls_knn_into(q.view(), std::span<const float>(r_q), target.vectors.view(), std::span<const float>(r_t), co, ws,
                  r.neighbours);
  }
  std::size_t hit1 = 0, hit5 = 0, hit10 = 0;
  for (std::size_t i = 0; i < r.queries; ++i) {
    std::size_t first = none;
    for (std::size_t c = 0; c < r.neighbours.k && first == none; ++c)
      if (std::find(refs[i].begin(), refs[i].end(), r.neighbours.index(i, c)) != refs[i].end()) first = c;
    if (first == none) continue;
    hit1 += first < 1;
    hit5 += first < 5;
    hit10 += first < 10;
  }
  if (r.queries) {
    r.precision_at_1 = double(hit1) / double(r.queries);
    r.precision_at_5 = double(hit5) / double(r.queries);
    r.precision_at_10 = double(hit10) / double(r.queries);
  }
  return r;
}

}  // namespace multilingual
LEXALIGN_NAMESPACE_END
