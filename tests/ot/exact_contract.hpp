// Helpers for the contract tests of the exact solvers (options validation,
// input checks): what a call rejects, and with which message.
#pragma once

#include <string>

#include "lexalign/core/error.hpp"

namespace ot_exact_test {

// The option() of the lexalign::invalid_option that f throws, or a marker.
template <class F>
std::string rejected_option(F&& f) {
  try {
    f();
  } catch (const lexalign::invalid_option& e) {
    return e.option();
  } catch (const std::exception& e) {
    return std::string("<other exception: ") + e.what() + ">";
  }
  return "<nothing thrown>";
}

// The what() of the lexalign::invalid_argument that f throws, or a marker.
template <class F>
std::string rejection_message(F&& f) {
  try {
    f();
  } catch (const lexalign::invalid_argument& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("<other exception: ") + e.what() + ">";
  }
  return "<nothing thrown>";
}

}  // namespace ot_exact_test
