// examples/cli/command_align.hpp - `lexalign align`: train IBM1 / fast_align /
// IBM1+HMM by EM on a parallel corpus (or load a saved model) and print
// Pharaoh alignments, always source-target.
//
//   lexalign align --input corpus.txt --symmetrize grow-diag-final-and > out.align
//   lexalign align --source x.en --target x.fr --save-model en-fr.model > fwd.align
//   lexalign align --input new.txt --model-file en-fr.model --symmetrize grow-diag-final-and
#pragma once

#include <charconv>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "arguments.hpp"
#include "bayes_align_options.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/em/embedding_prior.hpp"
#include "lexalign/io/embeddings.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/multilingual/procrustes.hpp"
#include "lexalign/symmetrize/symmetrize.hpp"

namespace lexalign::cli {

namespace align_detail {

// Lower-cases UTF-8 text for the scripts where case is a simple mapping:
// ASCII, Latin-1 Supplement, Latin Extended-A/B pairs used by Romanian,
// Greek and Cyrillic capitals.  Other characters and invalid bytes are kept.
inline std::uint32_t lower_code_point(std::uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if (c <= 0xDE) return c == 0xD7 ? c : c + 32;
  if (c >= 0x100 && c <= 0x137) return c | 1u;
  if (c >= 0x139 && c <= 0x148) return (c & 1u) ? c + 1 : c;
  if (c >= 0x14A && c <= 0x177) return c | 1u;
  if (c == 0x178) return 0xFF;
  if (c >= 0x179 && c <= 0x17E) return (c & 1u) ? c + 1 : c;
  if (c >= 0x218 && c <= 0x21B) return c | 1u;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

inline void append_utf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

inline std::string lowercase_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(lower_code_point(c)));
      ++i;
    } else if ((c & 0xE0) == 0xC0 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
      const std::uint32_t cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      if (cp < 0x80) {  // overlong: keep as is (the reader rejects it)
        out.append(s.substr(i, 2));
      } else {
        append_utf8(out, lower_code_point(cp));
      }
      i += 2;
    } else {
      out.push_back(s[i]);
      ++i;
    }
  }
  return out;
}

// The whole stream, lower-cased (line structure unchanged, so errors keep their line numbers).
inline std::unique_ptr<std::istringstream> lowercased(std::istream& in) {
  std::ostringstream all;
  all << in.rdbuf();
  return std::make_unique<std::istringstream>(lowercase_utf8(all.str()));
}

inline std::size_t to_count(const arguments& a, std::string_view name) {
  const std::string v = a.value(name);
  std::size_t x = 0;
  const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size())
    throw usage_error("--" + std::string(name) + " needs a non-negative integer, got '" + v + "'");
  return x;
}

inline double to_number(const arguments& a, std::string_view name, double lo, double hi) {
  const std::string v = a.value(name);
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !(x >= lo && x <= hi))
    throw usage_error("--" + std::string(name) + " needs a number in [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "], got '" + v + "'");
  return x;
}

inline void write_posteriors(std::ostream& out, const alignment_corpus& links,
                             const std::vector<std::vector<float>>& post) {
  std::string line;
  char buf[32];
  for (std::size_t k = 0; k < links.size(); ++k) {
    line.clear();
    for (std::size_t n = 0; n < links[k].sure.size(); ++n) {
      if (n) line += ' ';
      const auto& l = links[k].sure[n];
      const int len = std::snprintf(buf, sizeof buf, "%u-%u:%.4f", l.source, l.target, static_cast<double>(post[k][n]));
      line.append(buf, static_cast<std::size_t>(len));
    }
    line += '\n';
    out << line;
  }
}

// Maps `src` into `tgt`'s space with orthogonal Procrustes on the
// dictionary's pairs ("source target" per line) that both files cover.
inline std::size_t map_with_dictionary(io::word_embeddings& src, io::word_embeddings tgt, const std::string& path,
                                       std::ostream& err, bool quiet) {
  em::normalize_rows(src);
  em::normalize_rows(tgt);
  auto in = io::open_input(path);
  io::line_reader reader(in, path);
  std::string line;
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  while (reader.next(line)) {
    std::vector<std::string_view> w;
    io::for_each_token(line, [&](std::string_view t) { w.push_back(t); });
    if (w.empty()) continue;
    if (w.size() != 2) reader.fail("expected 'source target', found " + std::to_string(w.size()) + " fields");
    const auto a = src.words.find(w[0]);
    const auto b = tgt.words.find(w[1]);
    if (a && b) pairs.emplace_back(*a, *b);
  }
  if (pairs.size() < 2) throw invalid_argument("--dictionary: fewer than 2 pairs have embeddings on both sides");
  const std::size_t d = src.dimension();
  dense_matrix<double> x(pairs.size(), d), z(pairs.size(), d);
  for (std::size_t k = 0; k < pairs.size(); ++k)
    for (std::size_t i = 0; i < d; ++i) {
      x(k, i) = src.vectors(pairs[k].first, i);
      z(k, i) = tgt.vectors(pairs[k].second, i);
    }
  const auto r = multilingual::procrustes(x, z);
  dense_matrix<float> mapped(src.vectors.rows(), d, 0.0f);
  for (std::size_t w = 0; w < src.vectors.rows(); ++w)
    for (std::size_t j = 0; j < d; ++j) {
      double acc = 0;
      for (std::size_t i = 0; i < d; ++i) acc += double(src.vectors(w, i)) * r.w(i, j);
      mapped(w, j) = static_cast<float>(acc);
    }
  src.vectors = std::move(mapped);
  if (!quiet)
    err << "[lexalign align] Procrustes on " << pairs.size() << " dictionary pairs, residual " << r.residual << '\n';
  return pairs.size();
}

}  // namespace align_detail

inline int run_align(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  arguments a("lexalign align (--input PAIRS | --source S --target T) [options]",
              "Aligns a parallel corpus with EM-trained statistical models (IBM Model 1, fast_align's\n"
              "diagonal Model 2, or IBM1 then the HMM) and prints Pharaoh links (source-target, 0-based).\n"
              "Without --symmetrize it prints the forward model's alignment (each target word linked to\n"
              "at most one source word), or the reverse model's with --reverse.");
  a.option("input", "PAIRS", "'source ||| target' lines, or - for standard input");
  a.option("source", "S", "source sentences, one per line (with --target)");
  a.option("target", "T", "target sentences, one per line (with --source)");
  a.option("output", "FILE", "write the alignment here instead of standard output");
  a.option("model", "NAME", "ibm1, fast_align, hmm (IBM1 iterations, then HMM iterations) or bayes (Gibbs sampler, docs/bayes.md)", {.default_value = "hmm"});
  a.option("ibm1-iterations", "N", "IBM Model 1 EM iterations", {.default_value = "5"});
  a.option("hmm-iterations", "N", "HMM EM iterations", {.default_value = "5"});
  a.option("fast-align-iterations", "N", "fast_align EM iterations", {.default_value = "5"});
  a.option("jump-smoothing", "A", "HMM: weight of the uniform jump distribution", {.default_value = "0.4"});
  a.option("null-weight", "W", "HMM: NULL transition weight, p0 = W/(1+W)", {.default_value = "0.4"});
  a.option("p0", "P", "fast_align: NULL probability", {.default_value = "0.08"});
  a.option("tension", "L", "fast_align: initial diagonal tension", {.default_value = "4"});
  a.flag("compat", "fast_align: reproduce the reference implementation's defects");
  a.option("decode", "HOW", "posterior (links with posterior >= --threshold) or viterbi", {.default_value = "posterior"});
  a.option("threshold", "X", "posterior decoding threshold", {.default_value = "0.5"});
  a.flag("reverse", "print the reverse model's alignment (still source-target)");
  a.option("symmetrize", "HEURISTIC", "run both directions and combine them: grow-diag-final-and, intersection, union, ...");
  a.option("threads", "N", "worker threads, 0 = all (the result does not depend on it)", {.default_value = "0"});
  a.flag("lowercase", "lower-case the text before training (Latin, Greek, Cyrillic)");
  a.option("save-model", "FILE", "save the trained model (both directions, vocabularies)");
  a.option("model-file", "FILE", "align with a saved model instead of training (force alignment)");
  a.option("write-posteriors", "FILE", "write each printed link's posterior as i-j:p (single direction only)");
  a.option("source-embeddings", "VEC", "source word vectors (word2vec/fastText text) for the embedding prior");
  a.option("target-embeddings", "VEC", "target word vectors, in the same space or mapped with --dictionary");
  a.option("dictionary", "DICT", "'source target' pairs: map the source vectors onto the target space (Procrustes)");
  a.option("prior-weight", "HOW", "frequency (M/c(e)), log (M/max(.5,ln c(e))) or constant (M)", {.default_value = "frequency"});
  a.option("prior-multiplier", "M", "the prior's M (EE-GIZA++ uses 10000; 10 was best on the Bible silver set)",
           {.default_value = "10"});
  a.option("prior-temperature", "T", "softmax temperature of the CSLS scores", {.default_value = "0.1"});
  a.option("prior-top-k", "K", "candidates per word", {.default_value = "100"});
  a.flag("quiet", "no progress on standard error");
  bayes_cli::add_options(a);
  return guarded(err, "align", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    using namespace lexalign::em;
    const bool has_input = a.has("input"), has_pair = a.has("source") || a.has("target");
    if (has_input == has_pair) throw usage_error("give either --input or both --source and --target");
    if (has_pair && !(a.has("source") && a.has("target"))) throw usage_error("--source and --target go together");
    if (has_pair) at_most_one_stdin({a.value("source"), a.value("target")});
    if (a.has("model-file") && a.has("save-model")) throw usage_error("--model-file and --save-model exclude each other");
    if (a.has("symmetrize") && a.has("reverse")) throw usage_error("--symmetrize and --reverse exclude each other");
    if (a.has("symmetrize") && a.has("write-posteriors"))
      throw usage_error("--write-posteriors needs a single direction (no --symmetrize)");
    std::optional<symmetrize::heuristic> method;
    if (a.has("symmetrize")) {
      method = symmetrize::parse_heuristic(a.value("symmetrize"));
      if (!method) throw usage_error("unknown heuristic '" + a.value("symmetrize") + "'");
    }
    train_options topt;
    const std::string model_name = a.value("model");
    if (model_name == "ibm1") topt.model = model_kind::ibm1;
    else if (model_name == "fast_align" || model_name == "fast-align") topt.model = model_kind::fast_align;
    else if (model_name == "hmm") topt.model = model_kind::hmm;
    else if (model_name == "bayes") {}  // Gibbs sampler: bayes_cli below
    else throw usage_error("--model must be ibm1, fast_align, hmm or bayes, got '" + model_name + "'");
    topt.ibm1.iterations = align_detail::to_count(a, "ibm1-iterations");
    topt.hmm.iterations = align_detail::to_count(a, "hmm-iterations");
    topt.fast_align.iterations = align_detail::to_count(a, "fast-align-iterations");
    topt.hmm.jump_smoothing = align_detail::to_number(a, "jump-smoothing", 0.0, 1.0);
    topt.hmm.null_weight = align_detail::to_number(a, "null-weight", 0.0, 1e6);
    topt.fast_align.p0 = align_detail::to_number(a, "p0", 0.0, 0.999);
    topt.fast_align.lambda = align_detail::to_number(a, "tension", 0.0, 1e3);
    topt.fast_align.compat = a.has("compat");
    // One pool of threads for every stage of the command (0 = all hardware threads).
    thread_pool pool(static_cast<unsigned>(align_detail::to_count(a, "threads")));
    topt.parallel.pool = &pool;
    align_options dopt;
    const std::string how = a.value("decode");
    if (how == "posterior") dopt.method = decoding::posterior;
    else if (how == "viterbi") dopt.method = decoding::viterbi;
    else throw usage_error("--decode must be posterior or viterbi, got '" + how + "'");
    dopt.posterior_threshold = align_detail::to_number(a, "threshold", 0.0, 1.0);
    dopt.parallel.pool = &pool;
    dopt.with_posteriors = a.has("write-posteriors");
    const bool quiet = a.has("quiet");
    auto progress = [&err](const iteration_event& ev) {
      err << "[lexalign align] " << ev.stage << " iteration " << ev.iteration << "  log-likelihood " << ev.objective
          << '\n';
      err.flush();
    };
    observer_ref obs;
    if (!quiet) obs = progress;

    // Read the corpus.
    parallel_corpus corpus;
    if (has_input) {
      input src(a.value("input"), in);
      if (a.has("lowercase")) {
        auto low = align_detail::lowercased(src.stream());
        io::read_parallel_corpus(*low, src.name(), corpus);
      } else {
        io::read_parallel_corpus(src.stream(), src.name(), corpus);
      }
    } else {
      input s(a.value("source"), in), t(a.value("target"), in);
      if (a.has("lowercase")) {
        auto ls = align_detail::lowercased(s.stream());
        auto lt = align_detail::lowercased(t.stream());
        io::read_parallel_corpus(*ls, s.name(), *lt, t.name(), corpus);
      } else {
        io::read_parallel_corpus(s.stream(), s.name(), t.stream(), t.name(), corpus);
      }
    }
    corpus.shrink_to_fit();
    if (!quiet)
      err << "[lexalign align] " << corpus.size() << " sentence pairs, " << corpus.source_sentences().token_count()
          << " source and " << corpus.target_sentences().token_count() << " target tokens\n";

    // Train or load, then decode the direction(s) needed.
    const bool want_forward = method || !a.has("reverse");
    const bool want_reverse = method || a.has("reverse");
    decoded_alignments fwd, rev;
    if (bayes_cli::wanted(a)) {
      auto r = bayes_cli::run(a, corpus, pool, quiet, err);
      fwd = std::move(r.forward);
      rev = std::move(r.reverse);
    } else if (a.has("model-file")) {
      model loaded = load(a.value("model-file"));
      if (!quiet) {
        const mapped_corpus mapped = map_to_vocabularies(corpus, loaded.source_vocabulary, loaded.target_vocabulary,
                                                         unknown_words::shared_id);
        err << "[lexalign align] force alignment: " << mapped.unknown_source_tokens << " unknown source and "
            << mapped.unknown_target_tokens << " unknown target tokens\n";
      }
      if (!want_forward) loaded.forward = {};  // decode only the direction(s) printed
      if (!want_reverse) loaded.reverse = {};
      auto both = em::align(loaded, corpus, dopt);
      fwd = std::move(both.forward);
      rev = std::move(both.reverse);
    } else {
      const bool save = a.has("save-model");
      // Optional embedding prior.
      const bool use_prior = a.has("source-embeddings") || a.has("target-embeddings");
      if (use_prior && !(a.has("source-embeddings") && a.has("target-embeddings")))
        throw usage_error("--source-embeddings and --target-embeddings go together");
      if (a.has("dictionary") && !use_prior) throw usage_error("--dictionary needs --source-embeddings and --target-embeddings");
      lexical_prior prior_fwd, prior_rev;
      const lexical_prior* pf = nullptr;
      const lexical_prior* pr = nullptr;
      if (use_prior) {
        embedding_prior_options po;
        const std::string how_w = a.value("prior-weight");
        if (how_w == "frequency") po.weight = prior_weight::frequency;
        else if (how_w == "log") po.weight = prior_weight::log_frequency;
        else if (how_w == "constant") po.weight = prior_weight::constant;
        else throw usage_error("--prior-weight must be frequency, log or constant, got '" + how_w + "'");
        po.multiplier = align_detail::to_number(a, "prior-multiplier", 0.0, 1e12);
        po.temperature = align_detail::to_number(a, "prior-temperature", 1e-6, 1e6);
        po.top_k = align_detail::to_count(a, "prior-top-k");
        po.parallel.pool = &pool;
        auto se = io::read_embeddings_file(a.value("source-embeddings"));
        auto te = io::read_embeddings_file(a.value("target-embeddings"));
        if (a.has("dictionary")) align_detail::map_with_dictionary(se, te, a.value("dictionary"), err, quiet);
        if (want_forward || save) {
          const auto v = make_view(corpus, false);
          prior_fwd = make_embedding_prior(lexical_table::from_cooccurrence(v), v, corpus.source_vocabulary(),
                                           corpus.target_vocabulary(), se, te, po);
          pf = &prior_fwd;
        }
        if (want_reverse || save) {
          const auto v = make_view(corpus, true);
          prior_rev = make_embedding_prior(lexical_table::from_cooccurrence(v), v, corpus.target_vocabulary(),
                                           corpus.source_vocabulary(), te, se, po);
          pr = &prior_rev;
        }
      }
      topt.forward_prior = pf;
      topt.reverse_prior = pr;
      topt.directions = save || (want_forward && want_reverse) ? directions::both
                        : want_forward                         ? directions::forward
                                                               : directions::reverse;
      model trained = train(corpus, topt, obs);
      if (save) {
        em::save(trained, a.value("save-model"));
        if (!quiet) err << "[lexalign align] model saved to " << a.value("save-model") << '\n';
      }
      if (!want_forward) trained.forward = {};  // decode only the direction(s) printed
      if (!want_reverse) trained.reverse = {};
      auto both = em::align(trained, corpus, dopt);
      fwd = std::move(both.forward);
      rev = std::move(both.reverse);
    }

    std::unique_ptr<std::ofstream> file;
    std::ostream* dest = &out;
    if (a.has("output")) {
      file = std::make_unique<std::ofstream>(io::open_output(a.value("output")));
      dest = file.get();
    }
    if (method) {
      const alignment_corpus sym = symmetrize::combine(fwd.links, rev.links, {.method = *method});
      io::write_pharaoh(*dest, sym);
    } else {
      const decoded_alignments& one = want_forward ? fwd : rev;
      io::write_pharaoh(*dest, one.links);
      if (a.has("write-posteriors")) {
        auto pf = io::open_output(a.value("write-posteriors"));
        align_detail::write_posteriors(pf, one.links, one.posteriors);
        if (!pf) throw io_error("cannot write '" + a.value("write-posteriors") + "'");
      }
    }
    if (file) {
      file->close();
      if (!*file) throw io_error("cannot write '" + a.value("output") + "'");
    }
    return exit_ok;
  });
}

}  // namespace lexalign::cli
