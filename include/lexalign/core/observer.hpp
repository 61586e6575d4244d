// lexalign/core/observer.hpp - progress reports and early stop.
//
// Iterative algorithms take an `observer` in their options or as a trailing
// argument: any callable taking `const iteration_event&` and returning either
// void (never stops) or observer_action.  It is called once per reported
// iteration, never from more than one thread at a time.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string_view>
#include <type_traits>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

struct iteration_event {
  std::string_view stage;   // e.g. "sinkhorn", "ibm1", "hmm"
  std::size_t iteration;    // 1-based within the stage
  double error;             // the stage's convergence measure (NaN if none)
  double objective;         // e.g. log-likelihood or cost (NaN if none)
};

enum class observer_action { proceed, stop };

template <class F>
concept observer = std::invocable<F&, const iteration_event&> &&
                   (std::is_void_v<std::invoke_result_t<F&, const iteration_event&>> ||
                    std::same_as<std::invoke_result_t<F&, const iteration_event&>, observer_action>);

// The default: observes nothing.
struct no_observer {
  constexpr void operator()(const iteration_event&) const noexcept {}
};

// Calls `obs` and turns its answer into an action.
template <observer F>
constexpr observer_action notify(F& obs, const iteration_event& ev) {
  if constexpr (std::is_void_v<std::invoke_result_t<F&, const iteration_event&>>) {
    std::invoke(obs, ev);
    return observer_action::proceed;
  } else {
    return std::invoke(obs, ev);
  }
}

// A type-erased observer for options structs that must not be templates.
using observer_function = std::function<observer_action(const iteration_event&)>;

// Prints "stage iteration error objective" lines to a FILE* (stderr by
// default), at most once per `min_interval` unless `every` iterations passed.
class progress_printer {
 public:
  explicit progress_printer(std::FILE* out = stderr,
                            std::chrono::milliseconds min_interval = std::chrono::milliseconds(500))
      : out_(out), min_interval_(min_interval) {}

  observer_action operator()(const iteration_event& ev) {
    const auto now = std::chrono::steady_clock::now();
    if (ev.iteration == 1 || now - last_ >= min_interval_) {
      std::fprintf(out_, "[lexalign] %.*s iteration %zu  error %.3g  objective %.6g\n",
                   static_cast<int>(ev.stage.size()), ev.stage.data(), ev.iteration, ev.error,
                   ev.objective);
      std::fflush(out_);
      last_ = now;
    }
    return observer_action::proceed;
  }

 private:
  std::FILE* out_;
  std::chrono::milliseconds min_interval_;
  std::chrono::steady_clock::time_point last_{};
};

LEXALIGN_NAMESPACE_END
