// A corpus file (lexalign/io/corpus_file.hpp): text to the binary format in
// one streaming pass, memory-mapped, trained on; a damaged copy detected; and
// distributed EM (em/distributed.hpp) over a stand-in group of one rank
// (mpirun + lexalign-mpi or mpi::communicator give the real thing).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "lexalign/em/distributed.hpp"
#include "lexalign/em/sharded_table.hpp"
#include "lexalign/em/pipeline.hpp"
#include "lexalign/io/corpus_file.hpp"
#include "lexalign/io/corpus_reader.hpp"

namespace {
// The smallest rank_group: one process (an MPI communicator of size 1 behaves the same).
struct single_rank {
  int rank() const { return 0; }
  int size() const { return 1; }
  void sum(std::span<std::uint64_t>) const {}
  template <class T>
  void all_gather(std::span<const T> in, std::vector<T>& out) const {
    out.assign(in.begin(), in.end());
  }
  template <class T>
  void all_to_all(std::span<const T> send, std::span<const std::uint64_t> counts, std::vector<T>& recv,
                  std::vector<std::uint64_t>& recv_counts) const {
    recv.assign(send.begin(), send.end());
    recv_counts.assign(counts.begin(), counts.end());
  }
};
}  // namespace

int main() {
  namespace io = lexalign::io;
  namespace em = lexalign::em;
  const std::string data = LEXALIGN_EXAMPLE_DATA_DIR;
  const std::string path = (std::filesystem::temp_directory_path() / "lexalign_example_roen.lxc").string();
  bool ok = true;

  const auto s = io::build_corpus_file(data + "/gold/roen.src", data + "/gold/roen.tgt", path);
  std::cout << "built: " << s.pairs << " pairs, " << s.source_tokens << " + " << s.target_tokens << " tokens, "
            << s.file_bytes << " bytes\n";

  const auto file = io::corpus_file::open(path);  // mapped and checked
  const auto text = io::read_parallel_corpus_files(data + "/gold/roen.src", data + "/gold/roen.tgt");
  std::cout << "mapped corpus holds " << file.corpus().memory_bytes() << " bytes of token arrays in memory (text: "
            << text.memory_bytes() << ")\n";

  em::train_options o;
  o.ibm1.iterations = 3;
  o.hmm.iterations = 2;
  const auto from_file = em::train(file.corpus(), o);
  const auto from_text = em::train(text, o);
  const bool same = from_file.forward.table.size() == from_text.forward.table.size() &&
                    std::equal(from_file.forward.table.probabilities().begin(),
                               from_file.forward.table.probabilities().end(),
                               from_text.forward.table.probabilities().begin());
  std::cout << "model from the file == model from the text: " << (same ? "yes" : "no") << '\n';
  ok = ok && same;

  single_rank group;
  const auto distributed = em::train_distributed(file.corpus(), o, group);
  const bool same_d = std::equal(distributed.reverse.table.probabilities().begin(),
                                 distributed.reverse.table.probabilities().end(),
                                 from_text.reverse.table.probabilities().begin());
  std::cout << "train_distributed == train: " << (same_d ? "yes" : "no") << '\n';
  ok = ok && same_d;

  // The table sharded by source word (with one rank: every row is its own),
  // in exchange rounds of 64 pairs; gather_model rebuilds the whole model.
  const auto sharded = em::train_sharded(file.corpus(), o, {.round_pairs = 64}, group);
  const auto gathered = em::gather_model(sharded, group);
  const bool same_s = std::equal(gathered.forward.table.probabilities().begin(),
                                 gathered.forward.table.probabilities().end(),
                                 from_text.forward.table.probabilities().begin());
  std::cout << "train_sharded == train: " << (same_s ? "yes" : "no") << '\n';
  ok = ok && same_s;

  {  // flip one bit in the middle of the file
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(s.file_bytes / 2));
    char c = 0;
    f.get(c);
    f.seekp(static_cast<std::streamoff>(s.file_bytes / 2));
    f.put(static_cast<char>(c ^ 1));
  }
  try {
    (void)io::corpus_file::open(path);
    std::cout << "damaged file: not detected\n";
    ok = false;
  } catch (const io::corpus_file_error& e) {
    std::cout << "damaged file: " << e.reason() << '\n';
  }
  std::filesystem::remove(path);
  std::cout << "checks: " << (ok ? "ok" : "FAILED") << '\n';
  return ok ? 0 : 1;
}
