// lexalign/core/error.hpp - the exception hierarchy.
//
//   lexalign::error                    root; catch this to catch everything
//   ├── lexalign::invalid_argument     bad data handed to an algorithm
//   │   │                              (shape mismatch, NaN cost, zero mass)
//   │   └── lexalign::invalid_option   an option out of its range; names the
//   │                                  option ("sinkhorn_options.epsilon")
//   │                                  and the value
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
#include <utility>

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

// Thrown by the validate(options) functions (core/validate.hpp): what() reads
// "sinkhorn_options.epsilon must be finite and > 0 (got -1)".
class invalid_option : public invalid_argument {
 public:
  invalid_option(std::string option, std::string value, std::string requirement)
      : invalid_argument(option + " must be " + requirement + " (got " + value + ")"),
        option_(std::move(option)),
        value_(std::move(value)) {}

  // "<options struct>.<field>", e.g. "em::hmm_options.jump_smoothing".
  const std::string& option() const noexcept { return option_; }
  // The rejected value as printed in the message.
  const std::string& value() const noexcept { return value_; }

 private:
  std::string option_;
  std::string value_;
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
