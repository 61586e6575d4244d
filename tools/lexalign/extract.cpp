// tools/lexalign/extract.cpp - `lexalign extract`: word alignments from
// similarity matrices (docs/cli.md, docs/extract/cli.md) built from one of
//   * static word vectors (.vec text, as fastText writes; SimAlign's fastText mode),
//   * token embeddings in an .npz (docs/extract/npz_corpus.md),
//   * lexalign's own aligners: EM posteriors or Gibbs averaged marginals,
//     computed in-process on the given text (extract/aligner_similarity.hpp),
// with any method of extract/ (argmax, IterMax, matching, softmax, entmax,
// OT), SimAlign's distortion and NULL extension, and Pharaoh output with
// optional scores.
//
// Order of work, as in align.cpp: every option is parsed and validated, every
// output path checked, then the inputs are read, then the work is done.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/bayes_options.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/text_input.hpp"
#include "lexalign/bayes/model_io.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/extract/aligner_similarity.hpp"
#include "lexalign/extract/argmax.hpp"
#include "lexalign/extract/distortion.hpp"
#include "lexalign/extract/entmax.hpp"
#include "lexalign/extract/itermax.hpp"
#include "lexalign/extract/matching.hpp"
#include "lexalign/extract/null.hpp"
#include "lexalign/extract/ot_extract.hpp"
#include "lexalign/extract/similarity.hpp"
#include "lexalign/extract/softmax.hpp"
#include "lexalign/extract/subword.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/embeddings.hpp"
#include "lexalign/io/lowercase.hpp"
#include "lexalign/io/npz.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/multilingual/dictionary_mapping.hpp"

namespace lexalign::cli {

namespace {

namespace ex = lexalign::extract;

enum class method_kind { argmax, itermax, matching, softmax, entmax, ot };

struct method_spec {
  method_kind kind = method_kind::argmax;
  ex::argmax_direction direction = ex::argmax_direction::mutual;
  ex::ot_plan plan = ex::ot_plan::balanced;
};

constexpr const char* method_names =
    "argmax (= inter), argmax-forward (= fwd), argmax-reverse (= rev), itermax, matching (= mwmf), softmax, "
    "entmax, ot-balanced, ot-balanced-exact, ot-partial, ot-partial-exact, ot-unbalanced";

method_spec parse_method(const std::string& s) {
  method_spec m;
  if (s == "argmax" || s == "inter") return m;
  if (s == "argmax-forward" || s == "fwd") {
    m.direction = ex::argmax_direction::forward;
    return m;
  }
  if (s == "argmax-reverse" || s == "rev") {
    m.direction = ex::argmax_direction::reverse;
    return m;
  }
  if (s == "itermax") m.kind = method_kind::itermax;
  else if (s == "matching" || s == "mwmf") m.kind = method_kind::matching;
  else if (s == "softmax") m.kind = method_kind::softmax;
  else if (s == "entmax") m.kind = method_kind::entmax;
  else {
    m.kind = method_kind::ot;
    if (s == "ot-balanced") m.plan = ex::ot_plan::balanced;
    else if (s == "ot-balanced-exact") m.plan = ex::ot_plan::balanced_exact;
    else if (s == "ot-partial") m.plan = ex::ot_plan::partial;
    else if (s == "ot-partial-exact") m.plan = ex::ot_plan::partial_exact;
    else if (s == "ot-unbalanced") m.plan = ex::ot_plan::unbalanced;
    else throw usage_error("--method must be one of " + std::string(method_names) + "; got '" + io::excerpt(s) + "'");
  }
  return m;
}

// One extraction method with its options and buffers.
class extractor {
 public:
  method_spec method;
  double kappa = 0;
  ex::softmax_options softmax;
  ex::entmax_options entmax;
  ex::itermax_options itermax;
  ex::ot_extract_options ot;
  bool norm_masses = false;

  // Links of S (m x n); `source_vectors` / `target_vectors` give the OT norm
  // masses when norm_masses is set.  S may be changed (distortion).
  void run(dense_matrix<double>& s, ex::extract_result& out, const dense_matrix<double>* source_vectors = nullptr,
           const dense_matrix<double>* target_vectors = nullptr) {
    if (method.kind != method_kind::ot && kappa != 0) ex::apply_distortion(s, {.kappa = kappa});
    switch (method.kind) {
      case method_kind::argmax: ex::argmax_into(s, {.direction = method.direction}, ws_, out); return;
      case method_kind::itermax: ex::itermax_into(s, itermax, ws_, out); return;
      case method_kind::matching: ex::matching_into(s, {}, mws_, out); return;
      case method_kind::softmax: ex::softmax_into(s, softmax, ws_, out); return;
      case method_kind::entmax: ex::entmax_into(s, entmax, ws_, out); return;
      case method_kind::ot: break;
    }
    if (norm_masses && source_vectors && target_vectors) {
      a_ = ex::norm_masses(*source_vectors);
      b_ = ex::norm_masses(*target_vectors);
    } else {
      a_.assign(s.rows(), 1.0);
      b_.assign(s.cols(), 1.0);
    }
    ex::ot_extract_into(s, a_, b_, ot, ows_, ores_);
    out.alignment = ores_.alignment;
    out.scores = ores_.scores;
  }

 private:
  ex::workspace<> ws_;
  ex::matching_workspace<> mws_;
  ex::ot_extract_workspace<> ows_;
  ex::ot_extract_result ores_;
  std::vector<double> a_, b_;
};

// Pharaoh links, each with ":score" when `scores`.
void write_links(std::ostream& out, const ex::extract_result& r, bool scores) {
  std::string line;
  char buf[64];
  for (std::size_t k = 0; k < r.size(); ++k) {
    const link l = r.links()[k];
    const int len = scores ? std::snprintf(buf, sizeof buf, "%s%u-%u:%.6g", k ? " " : "", l.source, l.target, r.scores[k])
                           : std::snprintf(buf, sizeof buf, "%s%u-%u", k ? " " : "", l.source, l.target);
    line.append(buf, static_cast<std::size_t>(len));
  }
  line += '\n';
  out << line;
}

// The rows of `x` whose word index is >= 0 (drops [CLS], [SEP], ...), with their word indices.
template <class T>
void real_tokens(const io::npy_array<T>& x, const std::vector<long long>& words, dense_matrix<double>& rows_out,
                 std::vector<long long>& words_out) {
  const std::size_t n = x.shape[0], d = x.shape[1];
  std::size_t kept = 0;
  for (long long w : words) kept += w >= 0;
  rows_out.resize(kept, d);
  words_out.clear();
  std::size_t r = 0;
  for (std::size_t t = 0; t < n; ++t) {
    if (words[t] < 0) continue;
    for (std::size_t c = 0; c < d; ++c) rows_out(r, c) = static_cast<double>(x.data[t * d + c]);
    words_out.push_back(words[t]);
    ++r;
  }
}

std::size_t words_of(const std::vector<long long>& w) {
  long long top = -1;
  for (long long x : w) top = std::max(top, x);
  return static_cast<std::size_t>(top + 1);
}

}  // namespace

int run_extract(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  arguments a("lexalign extract (--vectors | --embeddings NPZ | --aligner em|bayes) [text] [options]",
              "Word alignments from similarity matrices with the methods of SimAlign, awesome-align and\n"
              "OTAlign (docs/extract/README.md), on one of three inputs:\n"
              "  --source-vectors V --target-vectors W: static word vectors (.vec text, as fastText\n"
              "      writes), looked up for the tokens of --source/--target or --input (SimAlign's\n"
              "      fastText mode); --dictionary maps the source vectors onto the target space;\n"
              "  --embeddings NPZ: token embeddings with token-to-word maps (docs/extract/npz_corpus.md);\n"
              "      the text is optional and, when given, must have the npz's word counts;\n"
              "  --aligner em|bayes: lexalign's EM posteriors (trained on the text, or --model-file) or\n"
              "      the Gibbs sampler's averaged marginals, S = (P_fwd + P_rev) / 2.\n"
              "Prints Pharaoh links (source-target, 0-based), one line per sentence pair, with\n"
              "':score' after each link when --scores is given.");
  a.option("input", "PAIRS", "'source ||| target' lines, or - for standard input");
  a.option("source", "S", "source sentences, one per line (with --target)");
  a.option("target", "T", "target sentences, line-parallel to --source");
  a.option("source-vectors", "VEC", "source word vectors (word2vec/fastText text format)");
  a.option("target-vectors", "VEC", "target word vectors (same space, or mapped with --dictionary)");
  a.option("dictionary", "DICT", "'source target' pairs: map the source vectors onto the target space (Procrustes)");
  a.option("oov", "HOW",
           "a token without a vector (also after lower-casing): zero (a zero vector: similarity 0, or 0.5 "
           "after (cos+1)/2) or error",
           {.default_value = "zero"});
  a.option("embeddings", "NPZ", "token embeddings: arrays src_k, tgt_k, src_words_k, tgt_words_k");
  a.option("subwords", "HOW",
           "npz: any (align tokens, link two words when any of their tokens are linked) or mean "
           "(mean-pool token vectors into word vectors first)",
           {.default_value = "any"});
  a.option("aligner", "NAME", "em (IBM1 x5 then HMM x5 posteriors) or bayes (Gibbs averaged marginals)");
  a.option("model-file", "FILE", "--aligner em: a model saved by 'lexalign align --save-model' (no training); "
                                 "--aligner bayes: a saved bayes model, its counts as priors");
  a.option("direction", "D", "--aligner: both ((fwd + rev) / 2), forward or reverse posteriors", {.default_value = "both"});
  bayes_cli::add_options(a);
  a.option("method", "NAME[,NAME...]",
           std::string(method_names) +
               "; several, comma-separated, share one similarity computation (and one aligner training): "
               "each writes --output PREFIX's PREFIX.NAME",
           {.default_value = "itermax"});
  a.option("similarity", "HOW",
           "vectors and npz: cosine, shifted ((cos + 1) / 2) or dot; default shifted, dot for softmax/entmax");
  a.option("transform", "HOW", "none or log (S -> log S, e.g. softmax/entmax on posteriors)", {.default_value = "none"});
  a.option("threshold", "X", "softmax (default 0.001), entmax (default 0) and ot-* (default 0.5) link threshold");
  a.option("distortion", "KAPPA", "SimAlign's distortion prior: S(i,j) x (1 - kappa (i/(m-1) - j/(n-1))^2)",
           {.default_value = "0"});
  a.option("null", "P", "SimAlign's NULL extension: keep the fraction P of links with the lowest entropy (1 = off)",
           {.default_value = "1"});
  a.option("itermax-weight", "W", "itermax: weight of a half-aligned pair in later rounds", {.default_value = "0.9"});
  a.option("tau", "X", "ot-partial: transported fraction; ot-unbalanced: marginal relaxation", {.default_value = "0.5"});
  a.option("epsilon", "E", "ot-balanced / ot-partial / ot-unbalanced: entropic regularisation", {.default_value = "0.1"});
  a.option("masses", "HOW", "ot-*: uniform or norm (vector norms; vectors and npz only)", {.default_value = "uniform"});
  a.flag("scores", "print each link as i-j:score");
  a.flag("lowercase", "lower-case the text before use (Latin, Greek, Cyrillic)");
  a.option("threads", "N", "--aligner: worker threads, 0 = all (the result does not depend on it)", {.default_value = "0"});
  add_text_options(a);
  a.option("output", "FILE", "write the alignment here instead of standard output (several methods: the prefix)");
  a.flag("quiet", "no progress on standard error");
  return guarded(err, "extract", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    // 1. Every option, before any file is touched.
    const bool vectors = a.has("source-vectors") || a.has("target-vectors");
    const bool npz = a.has("embeddings");
    const bool aligner = a.has("aligner");
    if (int(vectors) + int(npz) + int(aligner) != 1)
      throw usage_error("give one input: --source-vectors and --target-vectors, --embeddings, or --aligner");
    if (vectors && !(a.has("source-vectors") && a.has("target-vectors")))
      throw usage_error("--source-vectors and --target-vectors go together");
    const bool has_input = a.has("input"), has_pair = a.has("source") || a.has("target");
    if (has_input && has_pair) throw usage_error("give either --input or --source and --target, not both");
    if (has_pair && !(a.has("source") && a.has("target"))) throw usage_error("--source and --target go together");
    const bool has_text = has_input || has_pair;
    if (!has_text && !npz) throw usage_error("give the text: --input, or --source and --target");
    if (a.has("dictionary") && !vectors) throw usage_error("--dictionary needs --source-vectors and --target-vectors");
    if (a.has("model-file") && !aligner) throw usage_error("--model-file needs --aligner");
    std::string aligner_name;
    if (aligner) {
      aligner_name = a.value("aligner");
      if (aligner_name != "em" && aligner_name != "bayes")
        throw usage_error("--aligner must be em or bayes, got '" + io::excerpt(aligner_name) + "'");
    }
    at_most_one_stdin({a.has("input") ? a.value("input") : "", a.has("source") ? a.value("source") : "",
                       a.has("target") ? a.value("target") : ""});
    for (const char* name : {"source-vectors", "target-vectors", "dictionary", "embeddings", "model-file"})
      if (a.has(name) && a.value(name) == "-") throw usage_error("--" + std::string(name) + " must be a file");

    extractor x;
    // --method: one name, or several separated by commas (one output file each).
    std::vector<std::string> method_list;
    {
      const std::string v = a.value("method");
      std::size_t start = 0;
      for (;;) {
        const std::size_t comma = v.find(',', start);
        method_list.push_back(v.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    std::vector<method_spec> specs;
    for (std::size_t q = 0; q < method_list.size(); ++q) {
      if (method_list[q].empty()) throw usage_error("--method has an empty name in '" + io::excerpt(a.value("method")) + "'");
      for (std::size_t p = 0; p < q; ++p)
        if (method_list[p] == method_list[q])
          throw usage_error("--method names '" + io::excerpt(method_list[q]) + "' twice");
      specs.push_back(parse_method(method_list[q]));
    }
    const bool several = specs.size() > 1;
    if (several && !a.has("output"))
      throw usage_error("--method with several methods needs --output PREFIX (each method writes PREFIX.NAME)");
    auto any_kind = [&](auto pred) { return std::any_of(specs.begin(), specs.end(), pred); };
    auto is_logits = [](const method_spec& m) { return m.kind == method_kind::softmax || m.kind == method_kind::entmax; };
    const bool logits = std::all_of(specs.begin(), specs.end(), is_logits);
    const bool has_ot = any_kind([](const method_spec& m) { return m.kind == method_kind::ot; });
    std::optional<double> threshold;
    if (a.has("threshold")) {
      threshold = a.number("threshold", 0.0, 1.0);
      if (!any_kind([](const method_spec& m) { return m.kind != method_kind::argmax && m.kind != method_kind::itermax &&
                                                       m.kind != method_kind::matching; }))
        throw usage_error("--threshold applies to softmax, entmax and ot-* methods, not " + a.value("method"));
      x.softmax.threshold = *threshold;
      x.entmax.threshold = *threshold;
      x.ot.threshold = *threshold;
    }
    x.kappa = a.number("distortion", 0.0, 1.0);
    x.itermax.weight = a.number("itermax-weight", 0.0, 1.0);
    const double tau = a.number("tau", 0.0, 1.0);
    x.ot.transported_fraction = tau;
    x.ot.unbalanced.marginal_relaxation = tau;
    const double eps = a.number("epsilon", 1e-6, 1e6);
    x.ot.sinkhorn.epsilon = eps;
    x.ot.partial.epsilon = eps;
    x.ot.unbalanced.sinkhorn.epsilon = eps;
    const std::string masses = a.value("masses");
    if (masses == "norm") {
      if (!has_ot) throw usage_error("--masses applies to the ot-* methods");
      if (aligner) throw usage_error("--masses norm needs vectors (--source-vectors or --embeddings)");
      x.norm_masses = true;
    } else if (masses != "uniform") {
      throw usage_error("--masses must be uniform or norm, got '" + io::excerpt(masses) + "'");
    }
    ex::null_options nullo{.keep = a.number("null", 0.0, 1.0)};
    try {  // the library's own checks, reported as command-line errors
      ex::validate(x.softmax);
      ex::validate(x.entmax);
      ex::validate(x.itermax);
      for (const method_spec& m : specs) {  // each OT plan with its own default threshold
        ex::ot_extract_options o = x.ot;
        o.plan = m.plan;
        if (!threshold && m.plan == ex::ot_plan::partial_exact) o.threshold = 0.0;
        ex::validate(o);
      }
      ex::validate(nullo);
    } catch (const lexalign::error& e) {
      throw usage_error(e.what());
    }

    ex::similarity_options sopt;
    if (a.has("similarity")) {
      if (aligner) throw usage_error("--similarity applies to vectors and npz embeddings (use --transform)");
      const std::string s = a.value("similarity");
      if (s == "cosine") sopt = {.measure = ex::similarity_measure::cosine};
      else if (s == "shifted") sopt = {.measure = ex::similarity_measure::cosine, .scaling = ex::similarity_scaling::shifted};
      else if (s == "dot") sopt = {.measure = ex::similarity_measure::dot};
      else throw usage_error("--similarity must be cosine, shifted or dot, got '" + io::excerpt(s) + "'");
    } else if (logits) {
      sopt = {.measure = ex::similarity_measure::dot};
    } else if ((vectors || npz) && any_kind(is_logits)) {
      throw usage_error("--method mixes softmax/entmax (default similarity dot) with methods whose default is "
                        "shifted: give --similarity");
    } else {
      sopt = {.measure = ex::similarity_measure::cosine, .scaling = ex::similarity_scaling::shifted};
    }
    const std::string transform = a.value("transform");
    if (transform != "none" && transform != "log")
      throw usage_error("--transform must be none or log, got '" + io::excerpt(transform) + "'");
    const bool log_transform = transform == "log";
    const std::string oov = a.value("oov");
    if (oov != "zero" && oov != "error") throw usage_error("--oov must be zero or error, got '" + io::excerpt(oov) + "'");
    if (a.has("oov") && !vectors) throw usage_error("--oov applies to --source-vectors / --target-vectors");
    const std::string subwords = a.value("subwords");
    if (subwords != "any" && subwords != "mean")
      throw usage_error("--subwords must be any or mean, got '" + io::excerpt(subwords) + "'");
    if (a.has("subwords") && !npz) throw usage_error("--subwords applies to --embeddings");
    ex::aligner_similarity_options aopt;
    {
      const std::string d = a.value("direction");
      if (d == "forward") aopt.direction = ex::aligner_direction::forward;
      else if (d == "reverse") aopt.direction = ex::aligner_direction::reverse;
      else if (d != "both") throw usage_error("--direction must be both, forward or reverse, got '" + io::excerpt(d) + "'");
      if (a.has("direction") && !aligner) throw usage_error("--direction applies to --aligner");
    }
    const auto threads = static_cast<unsigned>(a.integer("threads", 0, 4096));
    thread_pool pool(aligner ? threads : 1);
    std::optional<bayes::gibbs_options> bopt;
    if (aligner_name == "bayes") {
      bopt = bayes_cli::options(a, pool);
      bopt->keep_marginals = true;
    }
    bad_line_log skipped(err, "extract");
    const io::corpus_read_options ropt = read_options(a, skipped);
    progress_reporter progress(err, "extract", a.has("quiet"), stderr_is_terminal());
    const bool scores = a.has("scores");

    // 2. The output paths, before anything is read.
    auto output_path = [&](std::size_t q) { return several ? a.value("output") + "." + method_list[q] : a.value("output"); };
    if (a.has("output"))
      for (std::size_t q = 0; q < specs.size(); ++q) check_writable(output_path(q), "output");

    // 3. The text.
    parallel_corpus corpus;
    std::string text_name;  // the file whose line k+1 is pair k
    if (has_text) text_name = read_corpus(a, in, ropt, corpus);

    // 4. Similarity matrices (at the level links are extracted: tokens for
    // npz with --subwords any, words otherwise), then links.
    std::vector<dense_matrix<double>> sims;
    std::vector<dense_matrix<double>> src_vecs, tgt_vecs;  // for --masses norm
    std::vector<std::vector<long long>> src_words, tgt_words;  // npz --subwords any: token -> word
    std::size_t pairs = corpus.size();
    ex::workspace<> sws;
    if (vectors) {
      io::word_embeddings se = io::read_embeddings_file(a.value("source-vectors"));
      io::word_embeddings te = io::read_embeddings_file(a.value("target-vectors"));
      if (se.dimension() != te.dimension())
        throw invalid_argument(a.value("source-vectors") + " has " + std::to_string(se.dimension()) +
                               "-dimensional vectors but " + a.value("target-vectors") + " has " +
                               std::to_string(te.dimension()));
      if (a.has("dictionary")) {
        const auto m = multilingual::map_with_dictionary_file(se, te, a.value("dictionary"));
        char res[32];
        std::snprintf(res, sizeof res, "%g", m.residual);
        progress.note("Procrustes on " + std::to_string(m.pairs) + " dictionary pairs, residual " + res);
      }
      // Token -> vector row per vocabulary id (-1: none), exact then lower-cased.
      auto lookup = [&](const vocabulary& v, const io::word_embeddings& e) {
        std::vector<std::ptrdiff_t> row(v.size(), -1);
        for (std::size_t id = 0; id < v.size(); ++id) {
          const std::string& w = v.word(static_cast<word_id>(id));
          auto r = e.words.find(w);
          if (!r) r = e.words.find(io::lowercase_utf8(w));
          if (r) row[id] = static_cast<std::ptrdiff_t>(*r);
        }
        return row;
      };
      const auto srow = lookup(corpus.source_vocabulary(), se);
      const auto trow = lookup(corpus.target_vocabulary(), te);
      std::size_t oov_tokens = 0, tokens = 0;
      sims.resize(pairs);
      if (x.norm_masses) {
        src_vecs.resize(pairs);
        tgt_vecs.resize(pairs);
      }
      dense_matrix<double> xs, ys;
      auto fill = [&](std::span<const word_id> ids, const std::vector<std::ptrdiff_t>& rowmap,
                      const io::word_embeddings& e, const vocabulary& v, const char* side, std::size_t k,
                      dense_matrix<double>& to) {
        const std::size_t d = e.dimension();
        to.resize(ids.size(), d);
        for (std::size_t t = 0; t < ids.size(); ++t) {
          const std::ptrdiff_t r = rowmap[ids[t]];
          ++tokens;
          if (r < 0) {
            ++oov_tokens;
            if (oov == "error")
              throw parse_error(text_name, k + 1,
                                std::string(side) + " token '" + io::excerpt(v.word(ids[t])) + "' has no vector in '" +
                                    a.value(std::string(side) + "-vectors") + "' (--oov zero gives it a zero vector)");
            for (std::size_t c = 0; c < d; ++c) to(t, c) = 0.0;
          } else {
            for (std::size_t c = 0; c < d; ++c) to(t, c) = static_cast<double>(e.vectors(static_cast<std::size_t>(r), c));
          }
        }
      };
      for (std::size_t k = 0; k < pairs; ++k) {
        const auto s = corpus.source(k), t = corpus.target(k);
        if (s.empty() || t.empty()) continue;
        fill(s, srow, se, corpus.source_vocabulary(), "source", k, xs);
        fill(t, trow, te, corpus.target_vocabulary(), "target", k, ys);
        ex::similarity_into(xs, ys, sopt, sws, sims[k]);
        if (x.norm_masses) {
          src_vecs[k] = xs;
          tgt_vecs[k] = ys;
        }
      }
      if (oov_tokens)
        progress.note(std::to_string(oov_tokens) + " of " + std::to_string(tokens) +
                      " tokens have no vector (zero vectors)");
    } else if (npz) {
      const auto emb = io::read_embedding_corpus<float>(a.value("embeddings"));
      const std::string& name = a.value("embeddings");
      if (!has_text) {
        pairs = emb.size();
      } else if (emb.size() != pairs) {
        throw io_error(name + ": " + std::to_string(emb.size()) + " sentence pairs but the text has " +
                       std::to_string(pairs));
      }
      sims.resize(pairs);
      if (subwords == "any") {
        src_words.resize(pairs);
        tgt_words.resize(pairs);
      }
      if (x.norm_masses) {
        src_vecs.resize(pairs);
        tgt_vecs.resize(pairs);
      }
      dense_matrix<double> xs, ys, pooled_s, pooled_t;
      std::vector<long long> ws_, wt_;
      for (std::size_t k = 0; k < pairs; ++k) {
        const auto& p = emb[k];
        if (p.source.shape[1] != p.target.shape[1])
          throw io_error(name + ": src_" + std::to_string(k) + " has " + std::to_string(p.source.shape[1]) +
                         " dimensions but tgt_" + std::to_string(k) + " has " + std::to_string(p.target.shape[1]));
        const std::size_t sw = words_of(p.source_words), tw = words_of(p.target_words);
        if (has_text) {
          const std::size_t m = corpus.source(k).size(), n = corpus.target(k).size();
          if (m == 0 && n == 0) continue;  // a skipped or empty line
          if (sw != m || tw != n)
            throw io_error(name + ": pair " + std::to_string(k) + " has " + std::to_string(sw) + " source and " +
                           std::to_string(tw) + " target words but line " + std::to_string(k + 1) + " of '" +
                           text_name + "' has " + std::to_string(m) + " and " + std::to_string(n) + " tokens");
        }
        real_tokens(p.source, p.source_words, xs, ws_);
        real_tokens(p.target, p.target_words, ys, wt_);
        if (xs.rows() == 0 || ys.rows() == 0) continue;
        if (subwords == "mean") {
          ex::mean_pool_into(xs, ws_, pooled_s);
          ex::mean_pool_into(ys, wt_, pooled_t);
          ex::similarity_into(pooled_s, pooled_t, sopt, sws, sims[k]);
          if (x.norm_masses) {
            src_vecs[k] = pooled_s;
            tgt_vecs[k] = pooled_t;
          }
        } else {
          ex::similarity_into(xs, ys, sopt, sws, sims[k]);
          src_words[k] = ws_;
          tgt_words[k] = wt_;
          if (x.norm_masses) {
            src_vecs[k] = xs;
            tgt_vecs[k] = ys;
          }
        }
      }
    } else if (aligner_name == "em") {
      em::model model;
      if (a.has("model-file")) {
        model = em::load(a.value("model-file"));
      } else {
        em::train_options topt;
        topt.parallel.pool = &pool;
        progress.note("training the default EM model (IBM1 x5, HMM x5, both directions) on " +
                      std::to_string(pairs) + " pairs");
        model = em::train(corpus, topt, progress);
      }
      sims = ex::em_posterior_similarities(model, corpus, aopt);
    } else {
      bayes::gibbs_result r;
      if (a.has("model-file")) {
        const bayes::model m = bayes::load(a.value("model-file"));
        r = bayes::align(m, corpus, *bopt, progress);
      } else {
        progress.note("bayes: planned " + bayes_cli::describe(bayes::detail::resolve_schedule(*bopt, pairs), *bopt));
        r = bayes::train_and_align(corpus, *bopt, progress);
      }
      sims = ex::gibbs_marginal_similarities(r, corpus, aopt);
    }
    if (log_transform)
      for (auto& s : sims)
        for (std::size_t i = 0; i < s.rows(); ++i)
          for (std::size_t j = 0; j < s.cols(); ++j) s(i, j) = std::log(std::max(s(i, j), 1e-30));

    // 5. Each method on the same matrices, then its output.
    const double ot_default_threshold = ex::ot_extract_options{}.threshold;
    std::vector<dense_matrix<double>> distorted;  // several methods: distortion works on a copy
    for (std::size_t q = 0; q < specs.size(); ++q) {
      x.method = specs[q];
      const method_kind kind = x.method.kind;
      x.ot.plan = x.method.plan;
      // OTAlign's partial exact plan links any cell with mass.
      if (!threshold) x.ot.threshold = x.method.plan == ex::ot_plan::partial_exact ? 0.0 : ot_default_threshold;
      x.ot.distortion.kappa = kind == method_kind::ot ? x.kappa : 0.0;
      std::vector<dense_matrix<double>>* mats = &sims;
      if (several && x.kappa != 0 && kind != method_kind::ot) {  // run() distorts its matrix in place
        distorted = sims;
        mats = &distorted;
      }
      progress.begin(several ? "extract " + method_list[q] : std::string("extract"));
      std::vector<ex::extract_result> results(pairs);
      for (std::size_t k = 0; k < pairs; ++k) {
        if ((*mats)[k].rows() == 0 || (*mats)[k].cols() == 0) continue;
        const bool with_vectors = x.norm_masses && !src_vecs.empty();
        x.run((*mats)[k], results[k], with_vectors ? &src_vecs[k] : nullptr, with_vectors ? &tgt_vecs[k] : nullptr);
      }
      if (nullo.keep < 1) {
        std::vector<ex::extract_result> kept;
        std::vector<const dense_matrix<double>*> which;
        std::vector<std::size_t> at;
        for (std::size_t k = 0; k < pairs; ++k)
          if ((*mats)[k].rows() && (*mats)[k].cols()) {
            kept.push_back(std::move(results[k]));
            which.push_back(&(*mats)[k]);
            at.push_back(k);
          }
        struct deref_range {
          const std::vector<const dense_matrix<double>*>& v;
          struct iter {
            const dense_matrix<double>* const* p;
            const dense_matrix<double>& operator*() const { return **p; }
            iter& operator++() { ++p; return *this; }
            bool operator!=(const iter& o) const { return p != o.p; }
          };
          iter begin() const { return {v.data()}; }
          iter end() const { return {v.data() + v.size()}; }
          std::size_t size() const { return v.size(); }
        };
        ex::null_extension(std::span<ex::extract_result>(kept), deref_range{which}, nullo);
        for (std::size_t r = 0; r < at.size(); ++r) results[at[r]] = std::move(kept[r]);
      }
      if (!src_words.empty()) {
        ex::extract_result merged;
        for (std::size_t k = 0; k < pairs; ++k) {
          if (results[k].empty()) continue;
          ex::merge_subword_links(results[k], src_words[k], tgt_words[k], sws, merged);
          std::swap(results[k], merged);
        }
      }
      std::size_t links = 0;
      for (const auto& r : results) links += r.size();
      progress.end(std::to_string(pairs) + " pairs, " + std::to_string(links) + " links");

      std::unique_ptr<std::ofstream> file;
      std::ostream* dest = &out;
      if (a.has("output")) {
        file = std::make_unique<std::ofstream>(io::open_output(output_path(q)));
        dest = file.get();
      }
      for (const auto& r : results) write_links(*dest, r, scores);
      if (file) {
        file->close();
        if (!*file) throw io_error("cannot write '" + output_path(q) + "'");
      }
    }
    skipped.report();
    return exit_ok;
  });
}

}  // namespace lexalign::cli
