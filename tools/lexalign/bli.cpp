// tools/lexalign/bli.cpp - `lexalign bli`: bilingual lexicon induction
// evaluation of two word-vector files in one space (docs/multilingual/bli.md).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/io/embeddings.hpp"
#include "lexalign/multilingual/bli.hpp"
#include "lexalign/multilingual/embedding_file.hpp"

namespace lexalign::cli {

int run_bli(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  arguments a("lexalign bli --source S.vec --target T.vec --dictionary D [options]",
              "Bilingual lexicon induction: for every dictionary source word with vectors (and at least\n"
              "one reference translation with vectors), retrieves the 10 best target words over the\n"
              "whole target vocabulary and reports precision at 1, 5 and 10 (correct when any\n"
              "reference is among them) and the dictionary's coverage. The two files must already be\n"
              "in one space (lexalign map).");
  a.option("source", "S", "source word vectors (word2vec/fastText text format)", {.required = true})
      .option("target", "T", "target word vectors, in the source's space", {.required = true})
      .option("dictionary", "D", "test dictionary, 'source target' per line", {.required = true})
      .option("retrieval", "R", "csls or nn (nearest neighbour by cosine)", {.default_value = "csls"})
      .option("max-words", "N", "keep the first N words of each file (0 = all)", {.default_value = "0"})
      .option("threads", "N", "worker threads, 0 = all (the result does not depend on it)", {.default_value = "1"})
      .flag("json", "print one JSON object");
  return guarded(err, "bli", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    const std::string method = a.value("retrieval");
    if (method != "csls" && method != "nn") throw usage_error("--retrieval needs csls or nn, got '" + io::excerpt(method) + "'");
    const std::size_t max_words = a.integer("max-words", 0, 1'000'000'000);
    const auto threads = static_cast<unsigned>(a.integer("threads", 0, 4096));
    at_most_one_stdin({a.value("source"), a.value("target"), a.value("dictionary")});
    io::word_embeddings src, tgt;
    {
      input s(a.value("source"), in);
      src = io::read_embeddings(s.stream(), s.name());
    }
    {
      input t(a.value("target"), in);
      tgt = io::read_embeddings(t.stream(), t.name());
    }
    multilingual::dictionary dict;
    {
      input d(a.value("dictionary"), in);
      dict = multilingual::read_dictionary(d.stream(), d.name());
    }
    if (max_words) {
      multilingual::keep_first_words(src, max_words);
      multilingual::keep_first_words(tgt, max_words);
    }
    thread_pool pool(threads);
    multilingual::bli_options o;
    o.method = method == "nn" ? multilingual::retrieval::nearest_neighbor : multilingual::retrieval::csls;
    o.csls.search.parallel = {.pool = &pool};
    const auto r = multilingual::evaluate_bli(src, tgt, dict, o);
    char buf[512];
    if (a.has("json")) {
      std::snprintf(buf, sizeof buf,
                    "{\"retrieval\": \"%s\", \"dictionary_sources\": %zu, \"usable_pairs\": %zu, \"queries\": %zu, "
                    "\"coverage\": %.6f, \"p_at_1\": %.6f, \"p_at_5\": %.6f, \"p_at_10\": %.6f}\n",
                    method.c_str(), r.dictionary_sources, r.usable_pairs, r.queries, r.coverage, r.precision_at_1,
                    r.precision_at_5, r.precision_at_10);
    } else {
      std::snprintf(buf, sizeof buf,
                    "retrieval           %s\ndictionary words    %zu\nusable pairs        %zu\n"
                    "queries             %zu\ncoverage            %.4f\nP@1                 %.4f\n"
                    "P@5                 %.4f\nP@10                %.4f\n",
                    method.c_str(), r.dictionary_sources, r.usable_pairs, r.queries, r.coverage, r.precision_at_1,
                    r.precision_at_5, r.precision_at_10);
    }
    out << buf;
    return exit_ok;
  });
}

}  // namespace lexalign::cli
