// Helpers shared by the OT tests.
#pragma once

#include <cmath>
#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "support/fixture.hpp"
#include "support/thrown.hpp"

namespace ot_test {

// Balanced potentials are defined up to (f + c, g - c): compare in the gauge f[0] = 0.
template <class V>
std::pair<std::vector<double>, std::vector<double>> gauge(const V& f, const V& g) {
  std::vector<double> fo(f.size()), go(g.size());
  const double c = static_cast<double>(f[0]);
  for (std::size_t i = 0; i < f.size(); ++i) fo[i] = static_cast<double>(f[i]) - c;
  for (std::size_t j = 0; j < g.size(); ++j) go[j] = static_cast<double>(g[j]) + c;
  return {fo, go};
}

template <class A, class B>
double max_abs_diff(const A& x, const B& y) {
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) d = std::max(d, std::abs(static_cast<double>(x[i]) - static_cast<double>(y[i])));
  return d;
}

template <class P>
std::vector<double> row_sums(const P& plan) {
  std::vector<double> s(plan.rows(), 0.0);
  for (std::size_t i = 0; i < plan.rows(); ++i)
    for (std::size_t j = 0; j < plan.cols(); ++j) s[i] += static_cast<double>(plan(i, j));
  return s;
}

template <class P>
std::vector<double> col_sums(const P& plan) {
  std::vector<double> s(plan.cols(), 0.0);
  for (std::size_t i = 0; i < plan.rows(); ++i)
    for (std::size_t j = 0; j < plan.cols(); ++j) s[j] += static_cast<double>(plan(i, j));
  return s;
}

template <class T>
lexalign::dense_matrix<T> to_matrix(const lexalign::test::fixture_array& a) {
  lexalign::dense_matrix<T> m(a.rows, a.cols);
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) m(i, j) = static_cast<T>(a(i, j));
  return m;
}

inline lexalign::dense_matrix<double> random_cost(std::size_t m, std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  lexalign::dense_matrix<double> c(m, n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) c(i, j) = u(rng);
  return c;
}

inline std::vector<double> uniform(std::size_t n, double mass = 1.0) {
  return std::vector<double>(n, mass / static_cast<double>(n));
}

// The message of the lexalign::invalid_argument `f` throws, or "no exception".
template <class F>
std::string error_of(F&& f) {
  return lexalign::test::message_of(f);
}

inline bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

}  // namespace ot_test
