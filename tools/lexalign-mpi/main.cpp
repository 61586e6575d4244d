// tools/lexalign-mpi/main.cpp - `lexalign-mpi`: EM training and decoding
// (IBM1, IBM1+HMM, fast_align; both directions) over MPI ranks, each holding
// a shard of the corpus; the model and alignments are bit-identical to one
// process's (lexalign/em/distributed.hpp).  Rank 0 writes the outputs.
//
//   lexalign corpus build --source x.en --target x.fr --output x.lxc
//   mpirun -np 4 lexalign-mpi --corpus x.lxc --forward x.fwd --reverse x.rev --save-model x.model
//
// A rank that fails prints "lexalign-mpi: rank R of N: reason" and ends the
// whole job (MPI_Abort) with status 1, so that no rank waits forever.
#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/arguments.hpp"
#include "cli/text_input.hpp"
#include "lexalign/bayes/distributed.hpp"
#include "lexalign/bayes/gibbs_aligner.hpp"
#include "lexalign/em/distributed.hpp"
#include "lexalign/em/sharded_table.hpp"
#include "lexalign/em/model_io.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_file.hpp"
#include "lexalign/io/corpus_reader.hpp"
#include "lexalign/io/pharaoh.hpp"
#include "lexalign/mpi/communicator.hpp"

namespace {

using namespace lexalign;
using cli::usage_error;

// Peak resident memory of this process, in bytes (Linux ru_maxrss is KiB).
std::uint64_t peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024u;
}

void write_links(const std::string& path, const alignment_corpus& links) {
  auto out = io::open_output(path);
  io::write_pharaoh(out, links);
  out.close();
  if (!out) throw io_error("cannot write '" + path + "'");
}

int run(mpi::communicator& world, const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const bool root = world.rank() == 0;
  cli::arguments a(
      "mpirun -np N lexalign-mpi (--corpus C | --source S --target T) [--forward F] [--reverse R] [--save-model M]",
      "Trains an EM aligner (both directions) over the MPI ranks, each rank holding a shard of the\n"
      "corpus, and decodes it; the model and the alignments are bit-identical to one process's,\n"
      "whatever the number of ranks (docs/scale.md).  Rank 0 writes the 0-based Pharaoh alignments\n"
      "(source-target) and the model (lexalign's model format, as 'lexalign align --save-model').\n"
      "Every rank reads the corpus: a corpus file (lexalign corpus build) is mapped, so a rank only\n"
      "touches its shard; text (--source/--target) is read whole by every rank.");
  a.option("corpus", "C", "a corpus file from 'lexalign corpus build'")
      .option("source", "S", "source sentences, one per line (with --target; read by every rank)")
      .option("target", "T", "target sentences, line-parallel")
      .flag("no-verify", "with --corpus: skip the checksum and id check at open")
      .option("model", "NAME",
              "ibm1, fast_align, hmm (IBM1 iterations, then HMM iterations) or bayes (the approximate\n"
              "distributed Gibbs sampler: not identical across rank counts, see docs/scale.md)",
              {.default_value = "hmm"})
      .option("ibm1-iterations", "N", "IBM Model 1 EM iterations", {.default_value = "5"})
      .option("hmm-iterations", "N", "HMM EM iterations", {.default_value = "5"})
      .option("fast-align-iterations", "N", "fast_align EM iterations", {.default_value = "5"})
      .flag("compat", "fast_align: reproduce the reference implementation's defects")
      .option("min-count", "N", "bounded table: keep pairs co-occurring in at least N sentence pairs",
              {.default_value = "1"})
      .option("max-candidates", "K", "bounded table: keep at most K candidates per word, 0 = all",
              {.default_value = "0"})
      .flag("shard-table", "EM: each rank holds only the table rows of the words it owns (same model)")
      .option("round-pairs", "N", "with --shard-table: sentence pairs per row exchange round, 0 = the whole shard",
              {.default_value = "0"})
      .option("seed", "N", "bayes: random seed (the output depends on it and on the number of ranks)",
              {.default_value = "1"})
      .option("samplers", "N", "bayes: chains per direction", {.default_value = "3"})
      .option("ibm1-sweeps", "N", "bayes: sweeps of the IBM1 stage (default: by corpus size)")
      .option("hmm-sweeps", "N", "bayes: sweeps of the HMM stage")
      .option("fertility-sweeps", "N", "bayes: sweeps of the fertility stage")
      .flag("no-lookup-cache", "do not precompute table indices (saves 4 bytes per sentence cell; slower)")
      .option("decode", "HOW", "posterior (links with posterior >= --threshold) or viterbi",
              {.default_value = "posterior"})
      .option("threshold", "X", "posterior decoding threshold", {.default_value = "0.5"})
      .option("threads", "N", "worker threads per rank (the result does not depend on it)", {.default_value = "1"})
      .option("block-size", "B", "sentence pairs per work block (the unit of sharding)", {.default_value = "64"})
      .option("forward", "F", "write the forward model's alignment here (rank 0)")
      .option("reverse", "R", "write the reverse model's alignment here (rank 0)")
      .option("save-model", "M", "save the trained model here (rank 0)")
      .flag("no-align", "EM: train only (no decoding; with --save-model, or to measure training alone)")
      .flag("serial", "train with em::train / em::align on one process (the reference; needs -np 1)")
      .flag("quiet", "no progress or memory report on standard error")
      .option("fail-on-rank", "R", "for testing failure handling: rank R fails at its first iteration")
      .flag("fail-by-signal", "with --fail-on-rank: the rank dies (SIGABRT) instead of reporting an error");
  cli::add_text_options(a);
  if (!a.parse(args)) {
    if (root) a.print_help(out);
    return cli::exit_ok;
  }
  const bool text = a.has("source") || a.has("target");
  if (text == a.has("corpus")) throw usage_error("give either --corpus, or --source and --target");
  if (text && !(a.has("source") && a.has("target"))) throw usage_error("--source and --target go together");
  if (a.has("serial") && world.size() != 1) throw usage_error("--serial runs on one process (mpirun -np 1)");
  em::train_options o;
  const std::string model_name = a.value("model");
  if (model_name == "ibm1") o.model = em::model_kind::ibm1;
  else if (model_name == "fast_align" || model_name == "fast-align") o.model = em::model_kind::fast_align;
  else if (model_name == "hmm") o.model = em::model_kind::hmm;
  else if (model_name != "bayes")
    throw usage_error("--model must be ibm1, fast_align, hmm or bayes, got '" + io::excerpt(model_name) + "'");
  const bool bayesian = model_name == "bayes";
  const bool shard_table = a.has("shard-table");
  if (bayesian && (shard_table || a.has("save-model")))
    throw usage_error("--model bayes takes neither --shard-table nor --save-model");
  if (shard_table && a.has("serial")) throw usage_error("--shard-table is for the distributed run, not --serial");
  em::shard_table_options sharding;
  sharding.round_pairs = a.integer("round-pairs", 0, 1ull << 40);
  bayes::gibbs_options g;
  g.seed = a.integer("seed", 0, ~0ull >> 1);
  g.samplers = a.integer("samplers", 1, 1024);
  if (a.has("ibm1-sweeps")) g.ibm1_sweeps = a.integer("ibm1-sweeps", 0, 1'000'000);
  if (a.has("hmm-sweeps")) g.hmm_sweeps = a.integer("hmm-sweeps", 0, 1'000'000);
  if (a.has("fertility-sweeps")) g.fertility_sweeps = a.integer("fertility-sweeps", 0, 1'000'000);
  o.ibm1.iterations = a.integer("ibm1-iterations", 0, 1'000'000);
  o.hmm.iterations = a.integer("hmm-iterations", 0, 1'000'000);
  o.fast_align.iterations = a.integer("fast-align-iterations", 0, 1'000'000);
  o.fast_align.compat = a.has("compat");
  o.pruning.min_count = a.integer("min-count", 1, 1u << 30);
  o.pruning.max_candidates = a.integer("max-candidates", 0, 1u << 30);
  o.ibm1.cache_lookups = o.fast_align.cache_lookups = !a.has("no-lookup-cache");
  o.parallel.threads = static_cast<unsigned>(a.integer("threads", 1, 4096));
  o.block_size = a.integer("block-size", 1, 1u << 30);
  em::align_options d;
  const std::string how = a.value("decode");
  if (how == "posterior") d.method = em::decoding::posterior;
  else if (how == "viterbi") d.method = em::decoding::viterbi;
  else throw usage_error("--decode must be posterior or viterbi, got '" + io::excerpt(how) + "'");
  d.posterior_threshold = a.number("threshold", 0.0, 1.0);
  d.parallel.threads = o.parallel.threads;
  d.block_size = o.block_size;
  g.parallel.threads = o.parallel.threads;
  g.block_size = o.block_size;
  const std::optional<long long> fail_rank =
      a.has("fail-on-rank") ? std::optional<long long>(static_cast<long long>(a.integer("fail-on-rank", 0, 1u << 20)))
                            : std::nullopt;
  const bool quiet = a.has("quiet");
  const bool decode = !a.has("no-align");
  if (!decode && (a.has("forward") || a.has("reverse")))
    throw cli::usage_error("--no-align writes no alignment: drop --forward/--reverse");
  if (!decode && bayesian) throw cli::usage_error("--no-align is for the EM models (--model bayes aligns as it samples)");
  cli::bad_line_log skipped(err, "lexalign-mpi");
  const io::corpus_read_options ropt = cli::read_options(a, skipped);

  // Every rank loads the corpus (a corpus file: mapped, pages touched on demand).
  const auto t0 = std::chrono::steady_clock::now();
  io::corpus_file file;
  parallel_corpus owned;
  if (text) owned = io::read_parallel_corpus_files(a.value("source"), a.value("target"), ropt);
  else file = io::corpus_file::open(a.value("corpus"), {.verify = !a.has("no-verify")});
  const parallel_corpus& corpus = text ? owned : file.corpus();
  if (root && !quiet)
    err << "lexalign-mpi: " << world.size() << " rank" << (world.size() == 1 ? "" : "s") << ", " << corpus.size()
        << " sentence pairs\n";

  auto last = std::chrono::steady_clock::now();
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  double last_cpu = cpu_now();
  auto observer = [&](const iteration_event& e) {
    if (fail_rank && *fail_rank == world.rank()) {
      if (a.has("fail-by-signal")) std::abort();
      throw error("injected failure (--fail-on-rank)");
    }
    const auto now = std::chrono::steady_clock::now();
    if (root && !quiet) {
      char line[200];
      std::snprintf(line, sizeof line, "lexalign-mpi: %s %zu/%zu log-likelihood %.6g (%.3f s, rank 0 cpu %.3f s)\n",
                    std::string(e.stage).c_str(), e.iteration, e.max_iterations, e.objective,
                    std::chrono::duration<double>(now - last).count(), cpu_now() - last_cpu);
      err << line << std::flush;
    }
    last = now;
    last_cpu = cpu_now();
    return observer_action::proceed;
  };
  em::model m;
  em::bidirectional_alignments al;
  std::vector<std::uint64_t> table_bytes;  // with --shard-table: per rank, owned and largest round (bytes)
  if (bayesian) {
    bayes::gibbs_result r = a.has("serial") ? bayes::train_and_align(corpus, g, observer)
                                            : bayes::train_and_align_distributed(corpus, g, world, observer);
    al.forward.links = std::move(r.forward.links);
    al.reverse.links = std::move(r.reverse.links);
  } else if (a.has("serial")) {
    m = em::train(corpus, o, observer);
    if (decode) al = em::align(m, corpus, d);
  } else if (shard_table) {
    const em::sharded_model sm = em::train_sharded(corpus, o, sharding, world, observer);
    const std::uint64_t mine[4] = {sm.forward_memory.owned_bytes, sm.forward_memory.round_bytes,
                                   sm.reverse_memory.owned_bytes, sm.reverse_memory.round_bytes};
    world.all_gather(std::span<const std::uint64_t>(mine, 4), table_bytes);
    if (decode) al = em::align_sharded(sm, corpus, d, sharding, world);
    if (a.has("save-model")) m = em::gather_model(sm, world);  // the whole table on rank 0, at the end only
  } else {
    m = em::train_distributed(corpus, o, world, observer);
    if (decode) al = em::align_distributed(m, corpus, d, world);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::uint64_t rss = peak_rss_bytes();
  std::vector<std::uint64_t> all_rss;
  world.all_gather(std::span<const std::uint64_t>(&rss, 1), all_rss);
  if (root) {
    if (a.has("forward")) write_links(a.value("forward"), al.forward.links);
    if (a.has("reverse")) write_links(a.value("reverse"), al.reverse.links);
    if (a.has("save-model")) em::save(m, a.value("save-model"));
    if (!quiet) {
      for (std::size_t r = 0; r + 3 < table_bytes.size(); r += 4)
        err << "lexalign-mpi: rank " << r / 4 << " table bytes: forward owned " << table_bytes[r] << ", round "
            << table_bytes[r + 1] << "; reverse owned " << table_bytes[r + 2] << ", round " << table_bytes[r + 3]
            << '\n';
      for (const auto* dm : {&m.forward, &m.reverse})
        if (dm->trained())
          err << "lexalign-mpi: " << (dm == &m.forward ? "forward" : "reverse") << " table " << dm->table.size()
              << " pairs, " << dm->table.memory_bytes() << " bytes\n";
      err << "lexalign-mpi: done in " << seconds << " s; peak resident memory per rank (MiB):";
      for (auto b : all_rss) err << ' ' << (b + (1u << 19)) / (1u << 20);
      err << '\n';
    }
  }
  skipped.report();
  return cli::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  lexalign::mpi::environment env(argc, argv);
  lexalign::mpi::communicator world;
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return run(world, args, std::cout, std::cerr);
  } catch (const lexalign::cli::usage_error& e) {  // the same on every rank: no rank is left waiting
    if (world.rank() == 0) std::cerr << "lexalign-mpi: " << e.what() << "\n(see 'lexalign-mpi --help')\n";
    return lexalign::cli::exit_usage;
  } catch (const std::exception& e) {
    std::cerr << "lexalign-mpi: rank " << world.rank() << " of " << world.size() << ": " << e.what() << std::endl;
    if (world.size() > 1) world.abort_all(lexalign::cli::exit_bad_input);
    return lexalign::cli::exit_bad_input;
  }
}
