// lexalign/core/observer.hpp - progress reports and early stop: the one
// observer convention of the library.
//
// The convention, for every iterative algorithm and pipeline:
//
//  * Passing.  The observer is the *last argument* of the call, after the
//    options (and the workspace, where there is one), and defaults to
//    no_observer{}.  It is never a field of an options struct.  Generic
//    algorithms take it as a template parameter; non-template pipelines
//    (em::train, bayes::train, ...) take an observer_ref, which binds to any
//    observer without copying it.
//
//  * Signature.  Any callable taking `const iteration_event&` and returning
//    void (never stops) or observer_action.  It is called after each
//    *reported* iteration (every `check_every` iterations for the OT solvers,
//    every iteration or sweep for EM and Gibbs), never from two threads at
//    once.
//
//  * Stage names.  `stage` is a dotted path: the algorithm's name, then the
//    parts of a pipeline, e.g. "sinkhorn", "sinkhorn_log",
//    "gromov_wasserstein", "emd", "em.ibm1.forward", "em.hmm.reverse",
//    "bayes.fertility.forward.2" (sampler 2).  Each algorithm's docs page
//    lists its names.  `iteration` is 1-based within the stage.
//
//  * Stop.  Returning observer_action::stop ends the *whole call*: the
//    current stage stops after the iteration just reported, later stages of a
//    pipeline do not run, and the result holds the last complete iterate with
//    convergence.status == stopped_by_observer (also when that iteration
//    happened to meet the stopping criterion).
//
//  * Progress within an iteration.  An iteration can be long (an EM E-step
//    over millions of pairs, a 5,000-token pair).  An observer that defines
//      std::size_t progress_interval() const
//    returning n > 0 also gets *progress events* inside an iteration, after
//    about every n units of work (EM and decoding: alignment cells, m x (l+1)
//    per sentence pair).  A progress event has work_total > 0 (partial()):
//    work_done of work_total units of the iteration `iteration` are done
//    (EM and decoding count sentence pairs), error and objective are NaN;
//    the first one of an iteration has work_done 0 (its work starts now).
//    The ordinary end-of-iteration event follows as before.  Which progress
//    events are sent depends only on the data and n, never on the thread
//    count.  Observers without progress_interval() never see them, so an
//    observer that counts iterations need not change.  Returning stop from a
//    progress event ends the whole call as above: the partial iteration is
//    discarded and the result holds the last complete iterate.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

struct iteration_event {
  std::string_view stage;         // dotted path, e.g. "sinkhorn", "em.hmm.forward"
  std::size_t iteration;          // 1-based within the stage
  double error;                   // the stage's stopping quantity (NaN if none)
  double objective;               // e.g. log-likelihood or cost (NaN if none)
  std::size_t max_iterations = 0; // the stage's iteration budget (0 = not known)
  // Progress events only (see "Progress within an iteration" above):
  std::size_t work_done = 0;      // units of work of `iteration` done so far
  std::size_t work_total = 0;     // of this many (0: an ordinary end-of-iteration event)

  constexpr bool partial() const noexcept { return work_total != 0; }
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

// The progress interval an observer asks for (its progress_interval(), else
// 0: no progress events).
template <class F>
constexpr std::size_t progress_interval_of(const F& obs) {
  if constexpr (requires { { obs.progress_interval() } -> std::convertible_to<std::size_t>; })
    return static_cast<std::size_t>(obs.progress_interval());
  else
    return 0;
}

// A non-owning, type-erased reference to an observer, for functions that are
// not templates.  It binds to any observer (lvalue or temporary); like
// std::string_view it must not outlive what it refers to, so use it only as a
// function parameter.  Default-constructed, it observes nothing.
class observer_ref {
 public:
  constexpr observer_ref() noexcept = default;
  template <observer F>
    requires(!std::same_as<std::remove_cvref_t<F>, observer_ref>)
  observer_ref(F&& f) noexcept  // NOLINT: implicit by design
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, const iteration_event& ev) {
          return notify(*static_cast<std::remove_reference_t<F>*>(o), ev);
        }),
        progress_interval_(progress_interval_of(f)) {}

  observer_action operator()(const iteration_event& ev) const { return call_ ? call_(object_, ev) : observer_action::proceed; }
  explicit operator bool() const noexcept { return call_ != nullptr; }
  // The bound observer's progress_interval() (read when bound), 0 if none.
  constexpr std::size_t progress_interval() const noexcept { return progress_interval_; }

 private:
  void* object_ = nullptr;
  observer_action (*call_)(void*, const iteration_event&) = nullptr;
  std::size_t progress_interval_ = 0;
};

// An owning, type-erased observer, for storing one.
using observer_function = std::function<observer_action(const iteration_event&)>;

// Forwards events to `inner` with `prefix` + "." put before the stage name
// (used by pipelines that run a component algorithm as one of their stages).
template <observer F>
class prefixed_observer {
 public:
  prefixed_observer(std::string prefix, F& inner) : prefix_(std::move(prefix)), inner_(inner) { prefix_ += '.'; }
  observer_action operator()(const iteration_event& ev) {
    name_.assign(prefix_).append(ev.stage);
    iteration_event e = ev;
    e.stage = name_;
    return notify(inner_, e);
  }
  std::size_t progress_interval() const { return progress_interval_of(inner_); }

 private:
  std::string prefix_, name_;
  F& inner_;
};

// Progress lines on a FILE* (stderr by default), at most one per
// `min_interval` per stage (the first and the last reported iteration of a
// stage always print); it does not ask for progress events within an
// iteration:
//
//   [lexalign] em.hmm.forward  iteration 3/5  error 1.2e-03  objective -1.234e+06  4.1 s  0.73 it/s  ~2.7 s left
//
// The time left is estimated from the stage's rate when its budget is known.
class progress_printer {
 public:
  explicit progress_printer(std::FILE* out = stderr,
                            std::chrono::milliseconds min_interval = std::chrono::milliseconds(500))
      : out_(out), min_interval_(min_interval) {}

  observer_action operator()(const iteration_event& ev) {
    const auto now = std::chrono::steady_clock::now();
    if (ev.stage != stage_ || ev.iteration < last_iteration_) {
      stage_.assign(ev.stage);
      stage_start_ = now;
      last_ = {};
    }
    last_iteration_ = ev.iteration;
    const bool final = ev.max_iterations != 0 && ev.iteration >= ev.max_iterations;
    if (ev.iteration == 1 || final || now - last_ >= min_interval_) {
      const double elapsed = std::chrono::duration<double>(now - stage_start_).count();
      const double rate = elapsed > 0 ? static_cast<double>(ev.iteration) / elapsed : 0.0;
      std::fprintf(out_, "[lexalign] %.*s  iteration %zu", static_cast<int>(ev.stage.size()), ev.stage.data(),
                   ev.iteration);
      if (ev.max_iterations != 0) std::fprintf(out_, "/%zu", ev.max_iterations);
      std::fprintf(out_, "  error %.3g  objective %.6g  %.1f s", ev.error, ev.objective, elapsed);
      if (rate > 0) std::fprintf(out_, "  %.3g it/s", rate);
      if (rate > 0 && ev.max_iterations > ev.iteration)
        std::fprintf(out_, "  ~%.1f s left", static_cast<double>(ev.max_iterations - ev.iteration) / rate);
      std::fputc('\n', out_);
      std::fflush(out_);
      last_ = now;
    }
    return observer_action::proceed;
  }

 private:
  std::FILE* out_;
  std::chrono::milliseconds min_interval_;
  std::string stage_;
  std::size_t last_iteration_ = 0;
  std::chrono::steady_clock::time_point stage_start_{}, last_{};
};

LEXALIGN_NAMESPACE_END
