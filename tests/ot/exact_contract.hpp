// Helpers for the contract tests of the exact solvers (options validation,
// input checks): what a call rejects, and with which message.
#pragma once

#include <exception>
#include <string>

#include "lexalign/core/error.hpp"

namespace ot_exact_test {

// get(e) for the exception of type E that f throws, or a marker saying what
// happened instead.
template <class E, class F, class Get>
std::string caught(F&& f, Get&& get) {
  try {
    f();
  } catch (const E& e) {
    return get(e);
  } catch (const std::exception& e) {
    return std::string("<other exception: ") + e.what() + ">";
  }
  return "<nothing thrown>";
}

// The option() of the lexalign::invalid_option that f throws.
template <class F>
std::string rejected_option(F&& f) {
  return caught<lexalign::invalid_option>(f, [](const lexalign::invalid_option& e) { return e.option(); });
}

// The what() of the lexalign::invalid_argument that f throws.
template <class F>
std::string rejection_message(F&& f) {
  return caught<lexalign::invalid_argument>(f, [](const lexalign::invalid_argument& e) { return std::string(e.what()); });
}

}  // namespace ot_exact_test
