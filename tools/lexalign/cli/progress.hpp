// tools/lexalign/cli/progress.hpp - the command's progress reports on
// standard error, built on the library's observer convention
// (core/observer.hpp): one event per EM iteration or Gibbs sweep, stage
// names like "em.hmm.forward" or "bayes.fertility.forward.2", and progress
// events within an EM iteration (the reporter asks for one about every
// 2^22 alignment cells):
//
//   [lexalign align] em.hmm.forward  iteration 3/5  pairs 40960/100000 (41%)  1.9 s  2.2e+04 pairs/s  ~16.5 s left
//   [lexalign align] em.hmm.forward  iteration 3/5  1.2 s  2.5 it/s  ~0.8 s left  log-likelihood -1.234e+06
//   [lexalign align] decode: 248 pairs in 0.1 s
//   [lexalign align] done: 248 pairs, 5133 links, 3.2 s, peak memory 41 MB
//
// A stage's first and last events always print, others (progress events
// too) at most one per `min_interval` (2 s).  On a terminal the lines of a
// stage overwrite each other ('\r'); otherwise every report is a plain line.
// Quiet, it prints nothing and asks for no progress events.  For tests and
// debugging, the environment variables LEXALIGN_PROGRESS_INTERVAL_MS and
// LEXALIGN_PROGRESS_CELLS change the interval and the cells per progress
// event.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <ostream>
#include <string>
#include <string_view>

#include "lexalign/core/observer.hpp"

namespace lexalign::cli {

// Peak resident memory of this process in bytes (getrusage), 0 if unknown.
inline std::size_t peak_memory_bytes() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  return static_cast<std::size_t>(u.ru_maxrss) * 1024;  // Linux: kilobytes
}

inline bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

// A non-negative integer from the environment variable `name`, else `fallback`.
inline std::size_t environment_count(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v, &end, 10);
  return end && *end == '\0' && v[0] != '-' ? static_cast<std::size_t>(x) : fallback;
}

class progress_reporter {
 public:
  using clock = std::chrono::steady_clock;

  static std::chrono::milliseconds default_interval() {
    return std::chrono::milliseconds(environment_count("LEXALIGN_PROGRESS_INTERVAL_MS", 2000));
  }
  static std::size_t default_cells() { return environment_count("LEXALIGN_PROGRESS_CELLS", std::size_t{1} << 22); }

  progress_reporter(std::ostream& err, std::string command, bool quiet, bool terminal,
                    std::chrono::milliseconds min_interval = default_interval(),
                    std::size_t cells = default_cells())
      : err_(err), prefix_("[lexalign " + std::move(command) + "] "), quiet_(quiet), terminal_(terminal),
        min_interval_(min_interval), cells_(cells), start_(clock::now()), last_event_(start_) {}

  bool quiet() const noexcept { return quiet_; }

  // Progress events within an iteration: about one per this many alignment
  // cells (none when quiet).
  std::size_t progress_interval() const noexcept { return quiet_ ? 0 : cells_; }

  // A plain message line (ends an updating line first).
  void note(std::string_view text) {
    if (quiet_) return;
    last_event_ = clock::now();
    end_line();
    err_ << prefix_ << text << '\n';
    err_.flush();
  }

  // The observer: pass the reporter as the library call's last argument.
  // Stages may interleave (Gibbs samplers of one direction run side by
  // side), so each stage keeps its own clock.
  observer_action operator()(const iteration_event& ev) {
    if (quiet_) return observer_action::proceed;
    const auto now = clock::now();
    stage_clock& st = stages_[std::string(ev.stage)];
    // A stage starts when the reporter last heard anything (the previous
    // stage's end), so iteration 1 already has a duration and a rate.  It
    // starts again when the iteration count goes back.
    if (!st.started || ev.iteration <= st.last_iteration) st = {last_event_, {}, last_event_, 0, true};
    last_event_ = now;
    if (ev.partial()) {
      if (ev.work_done == 0) {  // the iteration's work starts (after the stage's set-up)
        st.iteration_start = now;
        if (ev.iteration == 1) st.start = now;
        return observer_action::proceed;
      }
      if (now - st.last_print >= min_interval_) {
        emit(within_iteration(ev, st, now), false);
        st.last_print = now;
      }
      return observer_action::proceed;
    }
    st.last_iteration = ev.iteration;
    st.iteration_start = now;
    const bool final = ev.max_iterations != 0 && ev.iteration >= ev.max_iterations;
    if (ev.iteration == 1 || final || now - st.last_print >= min_interval_) {
      const double elapsed = seconds(now - st.start);
      const double rate = elapsed > 0 ? static_cast<double>(ev.iteration) / elapsed : 0.0;
      std::string line = prefix_;
      line.append(ev.stage).append("  iteration ").append(std::to_string(ev.iteration));
      if (ev.max_iterations != 0) line.append("/").append(std::to_string(ev.max_iterations));
      line += "  " + fixed(elapsed, 1) + " s";
      if (rate > 0) line += "  " + general(rate) + " it/s";
      if (rate > 0 && ev.max_iterations > ev.iteration)
        line += "  ~" + fixed(static_cast<double>(ev.max_iterations - ev.iteration) / rate, 1) + " s left";
      if (ev.objective == ev.objective) line += "  log-likelihood " + general(ev.objective);
      emit(line, final);
      st.last_print = now;
    }
    return observer_action::proceed;
  }

  // A stage the command runs itself (decoding, symmetrization): call begin,
  // then end with the work done.
  void begin(std::string_view stage) {
    if (quiet_) return;
    end_line();
    stage_.assign(stage);
    stage_start_ = last_event_ = clock::now();
    if (terminal_) emit(prefix_ + std::string(stage) + " ...", false);
  }
  void end(std::string_view what) {
    if (quiet_) return;
    last_event_ = clock::now();
    const double s = seconds(last_event_ - stage_start_);
    emit(prefix_ + stage_ + ": " + std::string(what) + " in " + fixed(s, 1) + " s", true);
    stage_.clear();
  }

  // A command that streams its input and does not know the total
  // (symmetrize): call tick after each pair.  At most one line per
  // min_interval with the pairs done and the rate; the clock is read every
  // 256 pairs only.  finish prints the closing summary when the run was long
  // enough to print any progress, so short runs in pipelines stay silent.
  void tick(std::string_view stage, std::size_t done) {
    if (quiet_ || (done & 255) != 0) return;
    const auto now = clock::now();
    if (now - stream_last_print_ < min_interval_) return;
    stream_last_print_ = now;
    stream_printed_ = true;
    const double s = seconds(now - start_);
    std::string line = prefix_ + std::string(stage) + "  pairs " + std::to_string(done) + "  " + fixed(s, 1) + " s";
    if (s > 0) line += "  " + general(static_cast<double>(done) / s) + " pairs/s";
    emit(line, false);
  }
  void finish(std::size_t pairs, std::size_t links) {
    if (stream_printed_) summary(pairs, links);
  }

  // The closing line: pairs, links, wall time, peak memory.
  void summary(std::size_t pairs, std::size_t links) {
    if (quiet_) return;
    end_line();
    std::string line = prefix_ + "done: " + std::to_string(pairs) + " pairs, " + std::to_string(links) + " links, " +
                       fixed(seconds(clock::now() - start_), 1) + " s";
    if (const std::size_t peak = peak_memory_bytes()) line += ", peak memory " + std::to_string(peak >> 20) + " MB";
    err_ << line << '\n';
    err_.flush();
  }

 private:
  static double seconds(clock::duration d) { return std::chrono::duration<double>(d).count(); }
  static std::string fixed(double x, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, x);
    return buf;
  }
  static std::string general(double x) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
  }
  void emit(const std::string& line, bool last) {
    if (terminal_) {
      err_ << '\r' << line << "\x1b[K";
      open_line_ = !last;
      if (last) err_ << '\n';
    } else {
      err_ << line << '\n';
    }
    err_.flush();
  }
  void end_line() {
    if (open_line_) {
      err_ << '\n';
      open_line_ = false;
    }
  }

  std::ostream& err_;
  std::string prefix_;
  bool quiet_, terminal_;
  std::chrono::milliseconds min_interval_;
  std::size_t cells_;
  clock::time_point start_, last_event_, stage_start_{};
  struct stage_clock {
    clock::time_point start{}, last_print{}, iteration_start{};
    std::size_t last_iteration = 0;  // the last complete iteration
    bool started = false;
  };
  // "stage  iteration 3/5  pairs 4096/20000 (20%)  1.2 s  3400 pairs/s  ~15.3 s left"
  std::string within_iteration(const iteration_event& ev, const stage_clock& st, clock::time_point now) const {
    std::string line = prefix_;
    line.append(ev.stage).append("  iteration ").append(std::to_string(ev.iteration));
    if (ev.max_iterations != 0) line.append("/").append(std::to_string(ev.max_iterations));
    line += "  pairs " + std::to_string(ev.work_done) + "/" + std::to_string(ev.work_total) + " (" +
            std::to_string(ev.work_done * 100 / ev.work_total) + "%)";
    const double elapsed = seconds(now - st.start), in_iteration = seconds(now - st.iteration_start);
    line += "  " + fixed(elapsed, 1) + " s";
    const double rate = in_iteration > 0 ? static_cast<double>(ev.work_done) / in_iteration : 0.0;
    if (rate > 0) {
      line += "  " + general(rate) + " pairs/s";
      // The rest of this iteration, then the stage's remaining iterations at this rate.
      double left = static_cast<double>(ev.work_total - std::min(ev.work_done, ev.work_total)) / rate;
      if (ev.max_iterations > ev.iteration)
        left += static_cast<double>(ev.max_iterations - ev.iteration) * static_cast<double>(ev.work_total) / rate;
      line += "  ~" + fixed(left, 1) + " s left";
    }
    return line;
  }

  std::map<std::string, stage_clock, std::less<>> stages_;
  clock::time_point stream_last_print_ = clock::now();
  bool stream_printed_ = false;
  std::string stage_;
  bool open_line_ = false;
};

}  // namespace lexalign::cli
