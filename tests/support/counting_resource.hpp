// Allocation counting for tests: a std::pmr::memory_resource and a plain
// allocator that count allocations, so a test can prove that steady-state
// iterations allocate nothing:
//
//   lexalign::test::counting_resource res;
//   auto ws = make_workspace(&res);          // allocates
//   const auto before = res.allocations();
//   run_iterations(ws);                       // must not allocate
//   CHECK(res.allocations() == before);
#pragma once

#include <atomic>
#include <cstddef>
#include <memory_resource>
#include <new>

namespace lexalign::test {

class counting_resource : public std::pmr::memory_resource {
 public:
  explicit counting_resource(std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : upstream_(upstream) {}

  std::size_t allocations() const noexcept { return allocations_.load(); }
  std::size_t deallocations() const noexcept { return deallocations_.load(); }
  std::size_t bytes_in_use() const noexcept { return in_use_.load(); }
  std::size_t peak_bytes() const noexcept { return peak_.load(); }
  // Makes the next allocations throw std::bad_alloc (for exception-safety tests).
  void fail_after(std::size_t n) noexcept { fail_after_ = n; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t align) override {
    if (fail_after_ != npos) {
      if (fail_after_ == 0) throw std::bad_alloc();
      --fail_after_;
    }
    ++allocations_;
    const auto now = in_use_ += bytes;
    auto peak = peak_.load();
    while (now > peak && !peak_.compare_exchange_weak(peak, now)) {
    }
    return upstream_->allocate(bytes, align);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    ++deallocations_;
    in_use_ -= bytes;
    upstream_->deallocate(p, bytes, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::pmr::memory_resource* upstream_;
  std::atomic<std::size_t> allocations_{0}, deallocations_{0}, in_use_{0}, peak_{0};
  std::size_t fail_after_ = npos;
};

// A stateful standard allocator that counts through a shared counter.
template <class T>
struct counting_allocator {
  using value_type = T;
  std::size_t* count = nullptr;

  counting_allocator() = default;
  explicit counting_allocator(std::size_t* c) noexcept : count(c) {}
  template <class U>
  counting_allocator(const counting_allocator<U>& o) noexcept : count(o.count) {}

  T* allocate(std::size_t n) {
    if (count) ++*count;
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>{}.deallocate(p, n); }
  template <class U>
  bool operator==(const counting_allocator<U>& o) const noexcept { return count == o.count; }
};

}  // namespace lexalign::test
