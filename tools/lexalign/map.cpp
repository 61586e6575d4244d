// tools/lexalign/map.cpp - `lexalign map`: cross-lingual embedding mapping of
// two or K word-vector files into one space (docs/cli.md, docs/multilingual/).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/commands.hpp"
#include "lexalign/core/observer.hpp"
#include "lexalign/core/thread_pool.hpp"
#include "lexalign/io/embeddings.hpp"
#include "lexalign/multilingual/bli.hpp"
#include "lexalign/multilingual/embedding_file.hpp"
#include "lexalign/multilingual/mapping.hpp"
#include "lexalign/multilingual/multi_space.hpp"
#include "lexalign/multilingual/unsupervised.hpp"

namespace lexalign::cli {

namespace {

std::vector<std::string> split_commas(const std::string& text, std::string_view option) {
  std::vector<std::string> out;
  std::string_view rest(text);
  while (true) {
    const std::size_t comma = rest.find(',');
    out.emplace_back(rest.substr(0, comma));
    if (out.back().empty()) throw usage_error("--" + std::string(option) + " needs comma-separated file names, got '" + io::excerpt(text) + "'");
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

multilingual::normalization parse_normalization(const std::string& v) {
  using multilingual::normalization;
  if (v == "none") return normalization::none;
  if (v == "center") return normalization::center;
  if (v == "unit") return normalization::unit;
  if (v == "both") return normalization::both;
  if (v == "unit-center-unit") return normalization::unit_center_unit;
  throw usage_error("--normalize needs none, center, unit, both or unit-center-unit, got '" + io::excerpt(v) + "'");
}

// DIR/<file name without .vec>
std::string output_stem(const std::string& dir, const std::string& input) {
  std::filesystem::path p(input);
  std::string name = p.filename().string();
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".vec") == 0) name.resize(name.size() - 4);
  return (std::filesystem::path(dir) / name).string();
}

}  // namespace

int run_map(const std::vector<std::string>& args, std::istream&, std::ostream& out, std::ostream& err) {
  arguments a("lexalign map --inputs A.vec,B.vec[,...] --method M --output-dir DIR [options]",
              "Maps the word vectors of two or more languages into one space with orthogonal maps.\n"
              "Two inputs (source, target): --method supervised (Procrustes on --dictionary, then\n"
              "refinement from mutual CSLS neighbours) or unsupervised (Gromov-Wasserstein on the most\n"
              "frequent words, Wasserstein-Procrustes, refinement); the target's space is the shared one.\n"
              "K >= 2 inputs: --method hub (every input mapped unsupervised onto the --hub input) or\n"
              "barycenter (hub maps, then the Wasserstein-barycenter mean language). Writes, for each\n"
              "input NAME.vec, DIR/NAME.vec (normalised, mapped) and DIR/NAME.matrix (its d x d map).\n"
              "Files list the most frequent words first (as fastText writes them).");
  a.option("inputs", "A,B,...", "word-vector files (word2vec/fastText text format), comma-separated", {.required = true})
      .option("method", "M", "supervised, unsupervised, hub or barycenter", {.required = true})
      .option("output-dir", "DIR", "directory for the mapped vectors and the maps (created if missing)", {.required = true})
      .option("dictionary", "D", "training dictionary 'source target' per line (supervised)")
      .option("normalize", "N", "none, center, unit, both (center then unit) or unit-center-unit", {.default_value = "both"})
      .option("max-words", "N", "keep the first N words of every input (0 = all)", {.default_value = "0"})
      .option("refinement", "N", "refinement rounds (re-induce dictionary, refit)", {.default_value = "5"})
      .option("max-rank", "N", "words of each side that induce the refinement dictionary", {.default_value = "15000"})
      .option("gw-words", "N", "unsupervised: words coupled by Gromov-Wasserstein", {.default_value = "500"})
      .option("gw-epsilon", "E", "unsupervised: entropic regularisation of GW (costs have mean 1)", {.default_value = "0.005"})
      .option("gw-iterations", "N", "unsupervised: outer Gromov-Wasserstein iterations", {.default_value = "100"})
      .option("wp-epochs", "N", "unsupervised: Wasserstein-Procrustes epochs", {.default_value = "5"})
      .option("wp-iterations", "N", "unsupervised: Wasserstein-Procrustes steps per epoch", {.default_value = "50"})
      .option("wp-batch", "N", "unsupervised: Wasserstein-Procrustes batch size", {.default_value = "500"})
      .option("hub", "I", "hub/barycenter: 0-based index of the hub input", {.default_value = "0"})
      .option("hub-dictionaries", "D1,D2,...", "hub/barycenter: supervised hub maps, one training dictionary\n"
              "      per non-hub input in input order ('word-of-input word-of-hub' per line)")
      .option("bary-words", "N", "barycenter: words per language in the barycenter", {.default_value = "5000"})
      .option("bary-rounds", "N", "barycenter: outer rounds", {.default_value = "5"})
      .option("report-transitivity", "FILE", "K >= 3 inputs: after mapping, write how often X -> Y agrees with\n"
              "      X -> P -> Y (CSLS) for every ordered triple of inputs to FILE (tab-separated:\n"
              "      source, pivot, target, agreement, words) and the mean to standard error")
      .option("transitivity-words", "N", "words of each input taking part in --report-transitivity (0 = all)",
              {.default_value = "5000"})
      .option("seed", "N", "unsupervised: batch sampler seed", {.default_value = "1"})
      .option("threads", "N", "worker threads, 0 = all (the result does not depend on it)", {.default_value = "1"})
      .flag("progress", "progress lines on standard error");
  return guarded(err, "map", [&]() -> int {
    if (!a.parse(args)) {
      a.print_help(out);
      return exit_ok;
    }
    const auto inputs = split_commas(a.value("inputs"), "inputs");
    const std::string method = a.value("method");
    if (method != "supervised" && method != "unsupervised" && method != "hub" && method != "barycenter")
      throw usage_error("--method needs supervised, unsupervised, hub or barycenter, got '" + io::excerpt(method) + "'");
    if (inputs.size() < 2) throw usage_error("--inputs needs at least two files");
    if ((method == "supervised" || method == "unsupervised") && inputs.size() != 2)
      throw usage_error("--method " + method + " maps two inputs (source,target); use hub or barycenter for more");
    if (method == "supervised" && !a.has("dictionary")) throw usage_error("--method supervised needs --dictionary");
    if (method != "supervised" && a.has("dictionary")) throw usage_error("--dictionary goes with --method supervised only");
    if (a.has("hub-dictionaries") && method != "hub" && method != "barycenter")
      throw usage_error("--hub-dictionaries goes with --method hub or barycenter only");
    if (a.has("report-transitivity") && inputs.size() < 3)
      throw usage_error("--report-transitivity needs at least three inputs (a source, a pivot and a target)");
    const std::size_t transitivity_words = a.integer("transitivity-words", 0, 1'000'000'000);
    const auto norm = parse_normalization(a.value("normalize"));
    const std::size_t max_words = a.integer("max-words", 0, 1'000'000'000);
    const std::size_t hub = a.integer("hub", 0, inputs.size() - 1);
    const auto threads = static_cast<unsigned>(a.integer("threads", 0, 4096));
    at_most_one_stdin({a.value("dictionary")});
    for (const auto& p : inputs)
      if (p == "-") throw usage_error("--inputs must name files (standard input is not supported)");
    const std::string dir = a.value("output-dir");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (!std::filesystem::is_directory(dir)) throw io_error("cannot create the directory '" + dir + "' (--output-dir)");
    for (const auto& p : inputs) {
      check_writable(output_stem(dir, p) + ".vec", "output-dir");
      if (std::filesystem::weakly_canonical(output_stem(dir, p) + ".vec", ec) == std::filesystem::weakly_canonical(p, ec))
        throw usage_error("--output-dir would overwrite the input '" + p + "'");
    }
    if (a.has("report-transitivity")) check_writable(a.value("report-transitivity"), "report-transitivity");

    thread_pool pool(threads);
    const parallel_options par{.pool = &pool};
    std::vector<io::word_embeddings> emb;
    for (const auto& p : inputs) {
      emb.push_back(io::read_embeddings_file(p));
      if (max_words) multilingual::keep_first_words(emb.back(), max_words);
      if (emb.back().vectors.rows() == 0) throw invalid_argument(p + ": no word vectors");
      if (emb.back().dimension() != emb.front().dimension())
        throw invalid_argument(p + " has dimension " + std::to_string(emb.back().dimension()) + " but " + inputs[0] +
                               " has " + std::to_string(emb.front().dimension()));
      multilingual::normalize_embeddings(emb.back().vectors, norm);
    }

    multilingual::refinement_options ref{.iterations = a.integer("refinement", 0, 1000),
                                         .max_rank = a.integer("max-rank", 1, 1'000'000'000)};
    multilingual::unsupervised_options uo;
    uo.gw_words = a.integer("gw-words", 2, 100'000);
    uo.gw.inner.epsilon = a.number("gw-epsilon", 1e-6, 100);
    uo.gw.max_iterations = a.integer("gw-iterations", 1, 1'000'000);
    uo.epochs = a.integer("wp-epochs", 0, 1'000'000);
    uo.iterations = a.integer("wp-iterations", 0, 1'000'000);
    uo.batch = a.integer("wp-batch", 1, 1'000'000);
    uo.seed = a.integer("seed", 0, UINT64_MAX);
    uo.refinement = ref;
    uo.parallel = par;
    progress_printer printer;
    observer_ref obs;
    if (a.has("progress")) obs = observer_ref(printer);

    std::vector<dense_matrix<double>> maps;
    if (method == "supervised") {
      const auto dict = multilingual::read_dictionary_file(a.value("dictionary"));
      const auto seed = multilingual::dictionary_rows(emb[0].words, emb[1].words, dict);
      if (seed.size() < 2)
        throw invalid_argument(a.value("dictionary") + ": fewer than 2 pairs have vectors on both sides");
      ref.parallel = par;
      auto r = multilingual::refine_procrustes(emb[0].vectors, emb[1].vectors, seed, ref, obs);
      err << "supervised: " << seed.size() << " seed pairs, " << r.convergence.iterations
          << " refinement rounds, last dictionary " << r.dictionary.size() << " pairs\n";
      maps = {r.w, multilingual::detail::identity(emb[0].dimension())};
    } else if (method == "unsupervised") {
      auto r = multilingual::unsupervised_map(emb[0].vectors, emb[1].vectors, uo, obs);
      err << "unsupervised: GW " << r.gromov_wasserstein.iterations << " iterations, " << r.gw_pairs.size()
          << " mutual pairs; refinement dictionary " << r.dictionary.size() << " pairs\n";
      if (r.convergence.status == solver_status::numerical_error)
        throw invalid_argument("the Gromov-Wasserstein coupling failed (try a larger --gw-epsilon)");
      maps = {r.w, multilingual::detail::identity(emb[0].dimension())};
    } else {
      std::vector<dense_matrix<float>> x;
      for (auto& e : emb) x.push_back(e.vectors);
      multilingual::multi_mapping_result h;
      if (a.has("hub-dictionaries")) {
        const auto files = split_commas(a.value("hub-dictionaries"), "hub-dictionaries");
        if (files.size() != inputs.size() - 1)
          throw usage_error("--hub-dictionaries needs " + std::to_string(inputs.size() - 1) +
                            " files (one per non-hub input), got " + std::to_string(files.size()));
        std::vector<multilingual::row_pairs> seeds(inputs.size());
        for (std::size_t l = 0, f = 0; l < inputs.size(); ++l) {
          if (l == hub) continue;
          seeds[l] = multilingual::dictionary_rows(emb[l].words, emb[hub].words,
                                                   multilingual::read_dictionary_file(files[f]));
          if (seeds[l].size() < 2)
            throw invalid_argument(files[f] + ": fewer than 2 pairs have vectors on both sides");
          ++f;
        }
        ref.parallel = par;
        h = multilingual::hub_map_supervised(x, hub, seeds, ref, obs);
      } else {
        h = multilingual::hub_map(x, hub, uo, obs);
      }
      maps = h.w;
      if (method == "barycenter") {
        multilingual::barycenter_mapping_options bo{.words = a.integer("bary-words", 1, 1'000'000),
                                                    .iterations = a.integer("bary-rounds", 1, 10'000)};
        const auto t0 = std::chrono::steady_clock::now();
        auto b = multilingual::barycenter_map(x, h.w, bo, obs);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        err << "barycenter: " << b.convergence.iterations << " rounds, last change " << b.convergence.error << ", "
            << seconds << " s\n";
        maps = b.w;
      }
    }
    std::vector<dense_matrix<float>> mapped;
    for (std::size_t l = 0; l < emb.size(); ++l) {
      io::word_embeddings m;
      m.words = emb[l].words;
      m.vectors = multilingual::apply_map(emb[l].vectors, maps[l], par);
      if (a.has("report-transitivity")) mapped.push_back(m.vectors);
      const std::string stem = output_stem(dir, inputs[l]);
      std::ofstream v(stem + ".vec", std::ios::binary), w(stem + ".matrix", std::ios::binary);
      multilingual::write_embeddings(v, m);
      multilingual::write_matrix(w, maps[l]);
      if (!v || !w) throw io_error("cannot write '" + stem + ".vec' / '.matrix'");
      out << stem << ".vec\n";
    }
    if (a.has("report-transitivity")) {
      multilingual::transitivity_options to{.words = transitivity_words};
      to.csls.search.parallel = par;
      const auto t = multilingual::transitivity_all(mapped, to);
      const std::string path = a.value("report-transitivity");
      std::ofstream f(path, std::ios::binary);
      f << "source\tpivot\ttarget\tagreement\twords\n";
      char buf[32];
      for (std::size_t x = 0; x < inputs.size(); ++x)
        for (std::size_t p = 0; p < inputs.size(); ++p)
          for (std::size_t y = 0; y < inputs.size(); ++y) {
            if (x == p || p == y || x == y) continue;
            std::snprintf(buf, sizeof buf, "%.4f", t(x, p, y));
            f << std::filesystem::path(inputs[x]).stem().string() << '\t'
              << std::filesystem::path(inputs[p]).stem().string() << '\t'
              << std::filesystem::path(inputs[y]).stem().string() << '\t' << buf << '\t' << t.queries[x] << '\n';
          }
      if (!f) throw io_error("cannot write '" + path + "' (--report-transitivity)");
      std::snprintf(buf, sizeof buf, "%.4f", t.mean());
      err << "transitivity: mean " << buf << " over " << inputs.size() * (inputs.size() - 1) * (inputs.size() - 2)
          << " ordered triples (" << path << ")\n";
    }
    return exit_ok;
  });
}

}  // namespace lexalign::cli
