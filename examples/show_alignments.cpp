// Renders alignment matrices (io/alignment_html.hpp): trains the default
// model (IBM1 x5 then HMM x5) forward on a bundled gold set (default roen),
// decodes it with posteriors and writes one self-contained HTML page
// comparing the links with the gold ones (what `lexalign show` is meant to
// do, docs/show.md).
//
//   example_show_alignments [OUT.html [SET [ID...]]]      SET: roen, enfr, zhen
//
// Without ids: the 3 pairs with the worst AER.  Default OUT: show_alignments.html.
// Checks: the page is written and holds one matrix per chosen pair.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/alignment_html.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"

#ifndef LEXALIGN_EXAMPLE_DATA_DIR
#define LEXALIGN_EXAMPLE_DATA_DIR "data"
#endif

namespace em = lexalign::em;
namespace io = lexalign::io;

int main(int argc, char** argv) {
  const std::string dir = std::string(LEXALIGN_EXAMPLE_DATA_DIR) + "/gold/";
  const std::string path = argc > 1 ? argv[1] : "show_alignments.html";
  const std::string set = argc > 2 ? argv[2] : "roen";
  try {
    const auto corpus = io::read_parallel_corpus_files(dir + set + ".src", dir + set + ".tgt");
    const auto gold = io::read_pharaoh_file(dir + set + ".gold");
    const auto model = em::train(corpus, {.directions = em::directions::forward, .parallel = {.threads = 2}});
    const auto out = em::align(model, corpus, {.with_posteriors = true, .parallel = {.threads = 2}});
    io::alignment_html_options options{.title = set + ": IBM1+HMM forward, posterior >= 0.5, vs gold"};
    for (int k = 3; k < argc; ++k) options.sentences.push_back(static_cast<std::size_t>(std::stoul(argv[k])));
    if (options.sentences.empty()) {
      options.worst_first = true;
      options.count = 3;
    }
    const std::string page = io::alignment_html(
        {.corpus = corpus, .hypothesis = out.forward.links, .gold = &gold, .posteriors = &out.forward.posteriors},
        options);
    std::ofstream(path) << page;
    std::size_t matrices = 0;
    for (std::size_t p = page.find("<section"); p != std::string::npos; p = page.find("<section", p + 1)) ++matrices;
    const std::size_t expected = options.sentences.empty() ? options.count : options.sentences.size();
    std::printf("wrote %zu sentence pairs to %s\n", matrices, path.c_str());
    std::printf("checks: %s\n", matrices == expected ? "ok" : "FAILED");
    return matrices == expected ? EXIT_SUCCESS : EXIT_FAILURE;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "example_show_alignments: %s\n", e.what());
    return EXIT_FAILURE;
  }
}
