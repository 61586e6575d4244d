// An in-process stand-in for an MPI communicator (em::rank_group): N ranks
// as N threads exchanging through shared slots and a barrier, so that the
// distributed trainer's logic is tested in every build, MPI or not.
#pragma once

#include <barrier>
#include <cstdint>
#include <exception>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

namespace lexalign::test {

class thread_group {
 public:
  struct shared {
    explicit shared(int n)
        : size(n), sync(n), data(static_cast<std::size_t>(n)), length(static_cast<std::size_t>(n)),
          counts(static_cast<std::size_t>(n)) {}
    int size;
    std::barrier<> sync;
    std::vector<const void*> data;
    std::vector<std::size_t> length;
    std::vector<const std::uint64_t*> counts;  // all_to_all's send counts
  };

  thread_group(shared& s, int rank) : s_(s), rank_(rank) {}
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return s_.size; }

  void sum(std::span<std::uint64_t> v) {
    publish(v.data(), v.size());
    std::vector<std::uint64_t> total(v.size(), 0);
    for (int q = 0; q < s_.size; ++q) {
      if (s_.length[static_cast<std::size_t>(q)] != v.size()) throw std::logic_error("thread_group::sum: sizes differ");
      const auto* p = static_cast<const std::uint64_t*>(s_.data[static_cast<std::size_t>(q)]);
      for (std::size_t k = 0; k < v.size(); ++k) total[k] += p[k];
    }
    s_.sync.arrive_and_wait();  // everyone has read every slot
    std::copy(total.begin(), total.end(), v.begin());
  }

  template <class T>
  void all_gather(std::span<const T> in, std::vector<T>& out) {
    publish(in.data(), in.size());
    std::vector<T> all;
    for (int q = 0; q < s_.size; ++q) {
      const auto* p = static_cast<const T*>(s_.data[static_cast<std::size_t>(q)]);
      all.insert(all.end(), p, p + s_.length[static_cast<std::size_t>(q)]);
    }
    s_.sync.arrive_and_wait();
    out = std::move(all);
  }

  // Each rank publishes its send buffer and counts; rank q reads its part of
  // every rank's buffer.
  template <class T>
  void all_to_all(std::span<const T> send, std::span<const std::uint64_t> counts, std::vector<T>& recv,
                  std::vector<std::uint64_t>& recv_counts) {
    if (counts.size() != static_cast<std::size_t>(s_.size)) throw std::logic_error("thread_group::all_to_all: counts");
    std::uint64_t total = 0;
    for (auto c : counts) total += c;
    if (total != send.size()) throw std::logic_error("thread_group::all_to_all: counts do not add up");
    s_.counts[static_cast<std::size_t>(rank_)] = counts.data();
    publish(send.data(), send.size());
    std::vector<T> all;
    std::vector<std::uint64_t> got(static_cast<std::size_t>(s_.size));
    const auto me = static_cast<std::size_t>(rank_);
    for (std::size_t q = 0; q < got.size(); ++q) {
      const std::uint64_t* c = s_.counts[q];
      std::uint64_t at = 0;
      for (std::size_t x = 0; x < me; ++x) at += c[x];
      const auto* p = static_cast<const T*>(s_.data[q]) + at;
      all.insert(all.end(), p, p + c[me]);
      got[q] = c[me];
    }
    s_.sync.arrive_and_wait();
    recv = std::move(all);
    recv_counts = std::move(got);
  }

 private:
  void publish(const void* p, std::size_t n) {
    s_.data[static_cast<std::size_t>(rank_)] = p;
    s_.length[static_cast<std::size_t>(rank_)] = n;
    s_.sync.arrive_and_wait();
  }
  shared& s_;
  int rank_;
};

// Runs body(thread_group&) on `ranks` threads; returns each rank's result.
template <class Body>
auto run_ranks(int ranks, Body body) {
  using result = decltype(body(std::declval<thread_group&>()));
  thread_group::shared s(ranks);
  std::vector<result> out(static_cast<std::size_t>(ranks));
  std::exception_ptr failure;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      thread_group g(s, r);
      try {
        out[static_cast<std::size_t>(r)] = body(g);
      } catch (...) {
        std::lock_guard lock(m);
        if (!failure) failure = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return out;
}

}  // namespace lexalign::test
