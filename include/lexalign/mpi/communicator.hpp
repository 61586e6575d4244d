// lexalign/mpi/communicator.hpp - an MPI communicator as the rank group of
// the distributed trainer (em/distributed.hpp), and MPI's set-up.
//
// The one lexalign header that needs MPI (<mpi.h>, link MPI::MPI_CXX): it is
// not part of the umbrella header lexalign/lexalign.hpp, and is built and
// tested only with -DLEXALIGN_WITH_MPI=ON.
//
//   int main(int argc, char** argv) {
//     lexalign::mpi::environment env(argc, argv);
//     lexalign::mpi::communicator world;
//     auto model = lexalign::em::train_distributed(corpus, {}, world);
//   }
//
// Errors: MPI's default handler (MPI_ERRORS_ARE_FATAL) stays, so a failed
// MPI call ends the whole job; a rank that fails in lexalign's code should
// call abort_all() (as lexalign-mpi does), so that no other rank waits
// forever in a collective.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace mpi {

// MPI_Init on construction (unless already initialised), MPI_Finalize on
// destruction (if it initialised).
class environment {
 public:
  environment(int& argc, char**& argv) {
    int done = 0;
    MPI_Initialized(&done);
    if (!done) {
      MPI_Init(&argc, &argv);
      owner_ = true;
    }
  }
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owner_ && !finalized) MPI_Finalize();
  }

 private:
  bool owner_ = false;
};

namespace detail {
template <class T>
MPI_Datatype datatype();
template <>
inline MPI_Datatype datatype<std::uint64_t>() {
  return MPI_UINT64_T;
}
template <>
inline MPI_Datatype datatype<double>() {
  return MPI_DOUBLE;
}
}  // namespace detail

// A communicator (MPI_COMM_WORLD by default; not owned) with the collectives
// of em::rank_group.
class communicator {
 public:
  explicit communicator(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  MPI_Comm native() const noexcept { return comm_; }

  // Element-wise sum over ranks, in place (unsigned: mod 2^64, exact and
  // independent of the reduction order), in chunks of at most 2^30.
  void sum(std::span<std::uint64_t> v) const {
    constexpr std::size_t chunk = std::size_t{1} << 30;
    for (std::size_t at = 0; at < v.size(); at += chunk) {
      const std::size_t n = std::min(chunk, v.size() - at);
      MPI_Allreduce(MPI_IN_PLACE, v.data() + at, static_cast<int>(n), MPI_UINT64_T, MPI_SUM, comm_);
    }
  }

  // Every rank's span, concatenated in rank order, on every rank.
  template <class T>
  void all_gather(std::span<const T> in, std::vector<T>& out) const {
    // The counts first (64-bit, so that every rank sees an oversized one and
    // all throw together instead of some waiting in the next collective).
    const std::uint64_t mine64 = in.size();
    std::vector<std::uint64_t> counts64(static_cast<std::size_t>(size_));
    MPI_Allgather(&mine64, 1, MPI_UINT64_T, counts64.data(), 1, MPI_UINT64_T, comm_);
    std::vector<int> counts(static_cast<std::size_t>(size_)), displs(static_cast<std::size_t>(size_));
    std::uint64_t total = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      displs[r] = static_cast<int>(std::min<std::uint64_t>(total, INT_MAX));
      counts[r] = static_cast<int>(std::min<std::uint64_t>(counts64[r], INT_MAX));
      total += counts64[r];
    }
    if (total > static_cast<std::uint64_t>(INT_MAX))
      throw error("mpi::communicator::all_gather: " + std::to_string(total) +
                  " elements, more than MPI's 2^31-1 per call");
    const int mine = static_cast<int>(in.size());
    out.resize(static_cast<std::size_t>(total));
    MPI_Allgatherv(in.data(), mine, detail::datatype<T>(), out.data(), counts.data(), displs.data(),
                   detail::datatype<T>(), comm_);
  }

  // Personalised exchange (MPI_Alltoallv): send holds send_counts[q]
  // elements for rank q, in rank order; recv gets recv_counts[q] elements
  // from each rank q, in rank order.  Counts travel as 64-bit first, so that
  // every rank sees an oversized exchange and all throw together.
  template <class T>
  void all_to_all(std::span<const T> send, std::span<const std::uint64_t> send_counts, std::vector<T>& recv,
                  std::vector<std::uint64_t>& recv_counts) const {
    const auto n = static_cast<std::size_t>(size_);
    if (send_counts.size() != n) throw invalid_argument("mpi::communicator::all_to_all: one count per rank");
    recv_counts.assign(n, 0);
    MPI_Alltoall(send_counts.data(), 1, MPI_UINT64_T, recv_counts.data(), 1, MPI_UINT64_T, comm_);
    std::uint64_t sent = 0, got = 0;
    for (std::size_t q = 0; q < n; ++q) {
      sent += send_counts[q];
      got += recv_counts[q];
    }
    std::uint64_t over = sent > static_cast<std::uint64_t>(INT_MAX) || got > static_cast<std::uint64_t>(INT_MAX);
    MPI_Allreduce(MPI_IN_PLACE, &over, 1, MPI_UINT64_T, MPI_SUM, comm_);
    if (over != 0)
      throw error("mpi::communicator::all_to_all: a rank exchanges more than MPI's 2^31-1 elements per call");
    if (sent != send.size()) throw invalid_argument("mpi::communicator::all_to_all: counts do not add up");
    std::vector<int> sc(n), sd(n), rc(n), rd(n);
    int at_s = 0, at_r = 0;
    for (std::size_t q = 0; q < n; ++q) {
      sc[q] = static_cast<int>(send_counts[q]);
      rc[q] = static_cast<int>(recv_counts[q]);
      sd[q] = at_s;
      rd[q] = at_r;
      at_s += sc[q];
      at_r += rc[q];
    }
    recv.resize(static_cast<std::size_t>(got));
    MPI_Alltoallv(send.data(), sc.data(), sd.data(), detail::datatype<T>(), recv.data(), rc.data(), rd.data(),
                  detail::datatype<T>(), comm_);
  }

  void barrier() const { MPI_Barrier(comm_); }

  // Ends every rank of the job with `code` (MPI_Abort): for a rank that
  // failed while the others may be waiting in a collective.
  [[noreturn]] void abort_all(int code) const {
    MPI_Abort(comm_, code);
    std::abort();
  }

 private:
  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
};

}  // namespace mpi
LEXALIGN_NAMESPACE_END
