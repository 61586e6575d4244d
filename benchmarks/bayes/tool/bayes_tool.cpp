// bayes_tool - drives lexalign::bayes for the quality and timing scripts.
//
//   bayes_tool align --source S --target T --out PREFIX [--seed N] [--samplers K]
//                    [--scale X] [--threads N] [--init random|em] [--accumulate N]
//                    [--save-model FILE] [--null-prior P]
//   bayes_tool apply --model FILE --source S --target T --out PREFIX [--seed N] [--threads N]
//
// Writes PREFIX.fwd and PREFIX.rev (Pharaoh, source-target) and
// PREFIX.fwd.probs / PREFIX.rev.probs (i-j:p), and timings on stderr.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/bayes/model_io.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
double seconds(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void write(const std::string& prefix, const lexalign::em::decoded_alignments& d) {
  std::ofstream links(prefix), probs(prefix + ".probs");
  lexalign::io::write_pharaoh(links, d.links);
  for (std::size_t k = 0; k < d.links.size(); ++k) {
    for (std::size_t n = 0; n < d.links[k].sure.size(); ++n) {
      const auto& l = d.links[k].sure[n];
      probs << (n ? " " : "") << l.source << '-' << l.target << ':' << d.posteriors[k][n];
    }
    probs << '\n';
  }
}

int usage() {
  std::cerr << "usage: bayes_tool align|apply --source S --target T --out PREFIX [options] (see the source)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  std::map<std::string, std::string> a;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) return usage();
    a[k.substr(2)] = argv[i + 1];
  }
  auto get = [&](const std::string& k, const std::string& d) { return a.count(k) ? a[k] : d; };
  if (!a.count("source") || !a.count("target") || !a.count("out")) return usage();
  try {
    namespace bayes = lexalign::bayes;
    bayes::gibbs_options o;
    o.seed = std::stoull(get("seed", "1"));
    o.samplers = std::stoul(get("samplers", "3"));
    o.schedule_scale = std::stod(get("scale", "1"));
    o.parallel.threads = static_cast<unsigned>(std::stoul(get("threads", "0")));
    o.null_prior = std::stod(get("null-prior", "0.2"));
    if (a.count("accumulate")) o.accumulate_sweeps = std::stoul(a["accumulate"]);
    if (get("init", "random") == "em") o.init = bayes::initialization::em;
    const auto t0 = clock_type::now();
    bayes::model model;
    if (mode == "apply") model = bayes::load(a["model"]);
    const auto t1 = clock_type::now();
    const auto corpus = lexalign::io::read_parallel_corpus_files(a["source"], a["target"]);
    const auto t2 = clock_type::now();
    bayes::gibbs_result r;
    if (mode == "align") {
      o.keep_model = a.count("save-model") > 0;
      r = bayes::train_and_align(corpus, o);
    } else if (mode == "apply") {
      r = bayes::align(model, corpus, o);
    } else {
      return usage();
    }
    const auto t3 = clock_type::now();
    if (r.model) bayes::save(*r.model, a["save-model"]);
    const auto t4 = clock_type::now();
    write(a["out"] + ".fwd", r.forward);
    write(a["out"] + ".rev", r.reverse);
    std::fprintf(stderr,
                 "bayes_tool %s: %zu pairs, schedule %zu/%zu/%zu, %zu samplers; load model %.3fs, read corpus %.3fs, "
                 "align %.3fs, save model %.3fs\n",
                 mode.c_str(), corpus.size(), r.schedule.ibm1, r.schedule.hmm, r.schedule.fertility, o.samplers,
                 seconds(t0, t1), seconds(t1, t2), seconds(t2, t3), seconds(t3, t4));
  } catch (const std::exception& e) {
    std::cerr << "bayes_tool: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
