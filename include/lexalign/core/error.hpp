// lexalign/core/error.hpp - the exception hierarchy.
//
//   lexalign::error                    root; catch this to catch everything
//   ├── lexalign::invalid_argument     bad data handed to an algorithm
//   │                                  (shape mismatch, NaN cost, zero mass)
//   ├── lexalign::io_error             a file cannot be opened/read/written
//   └── lexalign::parse_error          malformed input text: carries the
//                                      source name, 1-based line and reason
//
// Numerical non-convergence is *not* an exception: solvers report it through
// lexalign::solver_status in their result.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class invalid_argument : public error {
 public:
  using error::error;
};

class io_error : public error {
 public:
  using error::error;
};

class parse_error : public error {
 public:
  parse_error(std::string source, std::size_t line, std::string reason)
      : error(source + ":" + std::to_string(line) + ": " + reason),
        source_(std::move(source)),
        line_(line),
        reason_(std::move(reason)) {}

  // Name of the file or stream ("<stdin>", "<string>") the text came from.
  const std::string& source() const noexcept { return source_; }
  // 1-based line number.
  std::size_t line() const noexcept { return line_; }
  // What was wrong, without the location prefix.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string source_;
  std::size_t line_;
  std::string reason_;
};

LEXALIGN_NAMESPACE_END
