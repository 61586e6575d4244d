// lexalign/core/validate.hpp - the one validation module: option checks and
// input-data checks, with their messages built in one place.
//
// Options.  Every options struct `X_options` has a `validate(const X_options&)`
// found by ADL next to it, called at every entry point that takes it (and by
// the validate() of any options struct that nests it).  It rejects NaN,
// infinities, negative and zero-where-meaningless values and values out of
// range with lexalign::invalid_option:
//
//     sinkhorn_options.epsilon must be finite and > 0 (got nan)
//
// Data.  Marginals, weights, costs and shapes are checked with the functions
// below; every message names the argument and the offending entry:
//
//     a[3] is NaN            cost(2, 5) is negative (got -0.5)
//     b has 3 entries but the cost has 4 columns
//     a has zero total mass
//     a and b must have equal total mass: sum(a) = 1, sum(b) = 2 (relative
//     difference 0.5 > 1e-06)
//
// Mass mismatch, one rule for every balanced solver: when the totals differ
// by at most the solver's relative `mass_tolerance`, b is rescaled to the
// total of a (POT's emd does the same) and the solve proceeds; beyond it,
// lexalign::invalid_argument.  Unbalanced and partial solvers accept any
// positive totals.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"
#include "lexalign/core/matrix_view.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace validation {

// ---------------------------------------------------------------------------
// Message pieces.

// Shortest round-trip text of a double ("0.1", "nan", "inf", "-1e-300").
inline std::string format_value(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}
inline std::string format_value(std::size_t x) { return std::to_string(x); }
inline std::string format_value(long long x) { return std::to_string(x); }

// "a[3]", "cost(2, 5)".
inline std::string entry_name(std::string_view name, std::size_t i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}
inline std::string entry_name(std::string_view name, std::size_t i, std::size_t j) {
  return std::string(name) + "(" + std::to_string(i) + ", " + std::to_string(j) + ")";
}

[[noreturn]] inline void fail_option(std::string_view option, std::string value, std::string_view requirement) {
  throw invalid_option(std::string(option), std::move(value), std::string(requirement));
}

// ---------------------------------------------------------------------------
// Option checks.  `option` is the full name, "<struct>.<field>".

// finite and > 0
inline void positive(std::string_view option, double x) {
  if (!(x > 0) || !std::isfinite(x)) fail_option(option, format_value(x), "finite and > 0");
}
// > 0, +inf allowed (e.g. a KL weight where inf means "hard constraint")
inline void positive_or_infinite(std::string_view option, double x) {
  if (!(x > 0)) fail_option(option, format_value(x), "> 0 (inf allowed)");
}
// finite and >= 0
inline void non_negative(std::string_view option, double x) {
  if (!(x >= 0) || !std::isfinite(x)) fail_option(option, format_value(x), "finite and >= 0");
}
// finite
inline void finite(std::string_view option, double x) {
  if (!std::isfinite(x)) fail_option(option, format_value(x), "finite");
}
// in [0, 1]
inline void probability(std::string_view option, double x) {
  if (!(x >= 0 && x <= 1)) fail_option(option, format_value(x), "in [0, 1]");
}
// in (0, 1)
inline void open_unit(std::string_view option, double x) {
  if (!(x > 0 && x < 1)) fail_option(option, format_value(x), "in (0, 1)");
}
// in [lo, hi] (closed), finite
inline void in_range(std::string_view option, double x, double lo, double hi) {
  if (!(x >= lo && x <= hi))
    fail_option(option, format_value(x), "in [" + format_value(lo) + ", " + format_value(hi) + "]");
}
// >= minimum (counts, sizes)
inline void at_least(std::string_view option, std::size_t x, std::size_t minimum) {
  if (x < minimum) fail_option(option, format_value(x), ">= " + std::to_string(minimum));
}
// <= maximum (counts, sizes)
inline void at_most(std::string_view option, std::size_t x, std::size_t maximum) {
  if (x > maximum) fail_option(option, format_value(x), "<= " + std::to_string(maximum));
}
// A general condition with its own wording.
inline void require(bool ok, std::string_view option, std::string value, std::string_view requirement) {
  if (!ok) fail_option(option, std::move(value), requirement);
}

// ---------------------------------------------------------------------------
// Data checks.

// What an entry may be.
enum class entry_rule {
  finite,               // any finite number
  finite_non_negative,  // finite and >= 0 (masses, costs of OT problems)
};

// Throws "<what> is NaN" / "<what> is infinite" / "<what> is negative (got x)".
[[noreturn]] inline void fail_entry(const std::string& what, double x) {
  if (std::isnan(x)) throw invalid_argument(what + " is NaN");
  if (std::isinf(x)) throw invalid_argument(what + " is infinite");
  throw invalid_argument(what + " is negative (got " + format_value(x) + ")");
}

inline bool entry_ok(double x, entry_rule rule) noexcept {
  return rule == entry_rule::finite ? std::isfinite(x) : (x >= 0 && std::isfinite(x));
}

inline void check_entry(std::string_view name, std::size_t i, double x, entry_rule rule) {
  if (!entry_ok(x, rule)) fail_entry(entry_name(name, i), x);
}
inline void check_entry(std::string_view name, std::size_t i, std::size_t j, double x, entry_rule rule) {
  if (!entry_ok(x, rule)) fail_entry(entry_name(name, i, j), x);
}

// "<name> has <got> entries but <expected_what>" (expected_what: "the cost
// has 4 rows").
inline void check_size(std::string_view name, std::size_t got, std::size_t expected, std::string_view expected_what) {
  if (got != expected)
    throw invalid_argument(std::string(name) + " has " + std::to_string(got) + " entries but " +
                           std::string(expected_what));
}

// "<name> is empty (0 x 3)".
inline void check_not_empty(std::string_view name, std::size_t rows, std::size_t cols) {
  if (rows == 0 || cols == 0)
    throw invalid_argument(std::string(name) + " is empty (" + std::to_string(rows) + " x " + std::to_string(cols) + ")");
}

// "<name> is 3 x 4 but <expected_what>" when the shape differs.
inline void check_shape(std::string_view name, std::size_t rows, std::size_t cols, std::size_t erows,
                        std::size_t ecols, std::string_view expected_what) {
  if (rows != erows || cols != ecols)
    throw invalid_argument(std::string(name) + " is " + std::to_string(rows) + " x " + std::to_string(cols) + " but " +
                           std::string(expected_what));
}

// A weight vector (marginal, histogram): rank 1, not empty, `expected`
// entries when expected != 0 (else any), every entry finite and >= 0, total
// > 0.  Copies it into `out` as T.  Returns the total, summed in double.
template <class T, class A, vector V>
double load_weights(const V& v, std::vector<T, A>& out, std::string_view name, std::size_t expected = 0,
                    std::string_view expected_what = {}) {
  if (!has_rank_one(v)) throw invalid_argument(std::string(name) + " must be a 1-D array");
  const std::size_t n = size(v);
  if (n == 0) throw invalid_argument(std::string(name) + " is empty");
  if (expected != 0) check_size(name, n, expected, expected_what);
  out.resize(n);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(at(v, i));
    check_entry(name, i, x, entry_rule::finite_non_negative);
    out[i] = static_cast<T>(x);
    total += x;
  }
  if (!(total > 0)) throw invalid_argument(std::string(name) + " has zero total mass");
  if (!std::isfinite(total)) throw invalid_argument(std::string(name) + " has an infinite total mass");
  return total;
}

// The same check without a copy.  Returns the total.
template <vector V>
double check_weights(const V& v, std::string_view name, std::size_t expected = 0, std::string_view expected_what = {}) {
  if (!has_rank_one(v)) throw invalid_argument(std::string(name) + " must be a 1-D array");
  const std::size_t n = size(v);
  if (n == 0) throw invalid_argument(std::string(name) + " is empty");
  if (expected != 0) check_size(name, n, expected, expected_what);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = static_cast<double>(at(v, i));
    check_entry(name, i, x, entry_rule::finite_non_negative);
    total += x;
  }
  if (!(total > 0)) throw invalid_argument(std::string(name) + " has zero total mass");
  return total;
}

// Every entry of a matrix obeys `rule`; rank 2 and not empty.
template <matrix M>
void check_matrix(const M& m, std::string_view name, entry_rule rule) {
  if (!has_rank_two(m)) throw invalid_argument(std::string(name) + " must be a 2-D array");
  const std::size_t r = rows(m), c = cols(m);
  check_not_empty(name, r, c);
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j) check_entry(name, i, j, static_cast<double>(at(m, i, j)), rule);
}

// The mass-mismatch rule of the balanced solvers (see the top of this file).
// Returns the factor sum(a) / sum(b) by which b is to be scaled (1 when the
// totals are equal).  `hint` is appended to the message ("use
// sinkhorn_unbalanced or partial for unequal masses").
inline double matching_mass(double total_a, double total_b, double relative_tolerance, std::string_view hint = {}) {
  const double diff = std::abs(total_a - total_b) / std::max(total_a, total_b);
  if (!(diff <= relative_tolerance)) {
    std::string msg = "a and b must have equal total mass: sum(a) = " + format_value(total_a) +
                      ", sum(b) = " + format_value(total_b) + " (relative difference " + format_value(diff) +
                      " > " + format_value(relative_tolerance) + ")";
    if (!hint.empty()) msg += "; " + std::string(hint);
    throw invalid_argument(msg);
  }
  return total_a == total_b ? 1.0 : total_a / total_b;
}

}  // namespace validation
LEXALIGN_NAMESPACE_END
