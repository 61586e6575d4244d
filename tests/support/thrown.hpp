// What a call throws, for tests of error messages: the what() of the
// exception of type E that `f` throws, or "no exception" when it returns.
// Any other exception propagates, so the test fails on it.
#pragma once

#include <string>

#include "lexalign/core/error.hpp"

namespace lexalign::test {

template <class E = lexalign::invalid_argument, class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "no exception";
}

}  // namespace lexalign::test
