// tools/lexalign/cli/arguments.hpp - the small argument parser and input
// helpers shared by every `lexalign` subcommand.
//
// A subcommand lives in tools/lexalign/<name>.cpp, is declared in
// cli/commands.hpp and defines
//
//   namespace lexalign::cli {
//   int run_<name>(const std::vector<std::string>& args, std::istream& in,
//                  std::ostream& out, std::ostream& err);
//   }
//
// where `args` are the words after the subcommand's name, `in` stands for
// "-" (standard input) and `out`/`err` for standard output/error.
// run_command() (dispatch.cpp) dispatches to it.  A typical body:
//
//   arguments a("lexalign score --gold G --test T [options]",
//               "Scores a hypothesis alignment against a gold alignment.");
//   a.option("gold", "G", "gold alignment file, or - for standard input", {.required = true});
//   a.flag("json", "print JSON instead of text");
//   return guarded(err, "score", [&] {
//     if (!a.parse(args)) { a.print_help(out); return exit_ok; }   // --help
//     input gold(a.value("gold"), in);                             // file or "-"
//     ... read gold.stream(), named gold.name() in errors ...
//     return exit_ok;
//   });
//
// Conventions: options are `--name value` or `--name=value`; flags are
// `--name`; `-h`/`--help` print the help; an unknown option, a missing value
// or a missing required option is a usage error (exit 2, message and a hint
// on `err`).  Bad input data (lexalign::parse_error, io_error,
// invalid_argument) prints `file:line: reason` and exits 1.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lexalign/core/error.hpp"
#include "lexalign/io/text.hpp"

namespace lexalign::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_input = 1;  // unreadable file, malformed data
inline constexpr int exit_usage = 2;      // bad command line

// A bad command line; guarded() prints it with a hint to use --help.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct option_settings {
  bool required = false;
  std::string default_value = {};  // shown in the help when not empty
  bool repeatable = false;         // may be given several times: values() has them all, value() the last
};

class arguments {
 public:
  arguments(std::string usage, std::string description)
      : usage_(std::move(usage)), description_(std::move(description)) {}

  // Declares a flag `--name`.
  arguments& flag(std::string name, std::string help) {
    specs_.push_back({std::move(name), {}, std::move(help), {}, true});
    return *this;
  }

  // Declares an option `--name METAVAR`.
  arguments& option(std::string name, std::string metavar, std::string help, option_settings settings = {}) {
    specs_.push_back({std::move(name), std::move(metavar), std::move(help), std::move(settings), false});
    return *this;
  }

  // Parses `args`; returns false if help was asked for (nothing else is
  // checked then).  Throws usage_error.
  bool parse(const std::vector<std::string>& args) {
    values_.clear();
    all_values_.clear();
    for (const auto& a : args)
      if (a == "-h" || a == "--help") return false;
    for (std::size_t k = 0; k < args.size(); ++k) {
      const std::string& a = args[k];
      if (a.size() < 3 || a.compare(0, 2, "--") != 0) throw usage_error("unexpected argument '" + excerpt(a) + "'");
      std::string name = a.substr(2);
      std::optional<std::string> inline_value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
      const spec* s = find(name);
      if (!s) throw usage_error("unknown option '--" + excerpt(name) + "'");
      if (values_.count(name) && !s->settings.repeatable) throw usage_error("option '--" + name + "' given twice");
      if (s->is_flag) {
        if (inline_value) throw usage_error("flag '--" + name + "' takes no value");
        values_[name] = "";
      } else if (inline_value) {
        values_[name] = *inline_value;
      } else {
        if (k + 1 >= args.size()) throw usage_error("option '--" + name + "' needs a value (" + s->metavar + ")");
        values_[name] = args[++k];
      }
      if (s->settings.repeatable) all_values_[name].push_back(values_[name]);
    }
    for (const spec& s : specs_)
      if (s.settings.required && !values_.count(s.name)) throw usage_error("missing option '--" + s.name + "'");
    return true;
  }

  // True if the flag or option was given.
  bool has(std::string_view name) const { return values_.count(std::string(name)) != 0; }

  // Every value of a repeatable option, in command-line order.
  std::vector<std::string> values(std::string_view name) const {
    if (auto it = all_values_.find(std::string(name)); it != all_values_.end()) return it->second;
    return {};
  }

  // The option's value, else its default.
  std::string value(std::string_view name) const {
    if (auto it = values_.find(std::string(name)); it != values_.end()) return it->second;
    if (const spec* s = find(name)) return s->settings.default_value;
    return {};
  }

  void print_help(std::ostream& out) const {
    out << "usage: " << usage_ << "\n\n" << description_ << "\n\noptions:\n";
    std::size_t width = 10;
    for (const spec& s : specs_) width = std::max(width, label(s).size());
    for (const spec& s : specs_) {
      const std::string l = label(s);
      out << "  " << l << std::string(width - l.size() + 2, ' ') << s.help;
      if (s.settings.required) out << " (required)";
      if (!s.settings.default_value.empty()) out << " (default: " << s.settings.default_value << ")";
      out << '\n';
    }
    out << "  -h, --help" << std::string(width - 8, ' ') << "print this help\n";
  }

  const std::string& usage() const noexcept { return usage_; }

  // The option's value as an integer in [lo, hi] (decimal digits only: no
  // sign, point or exponent, so `--seed 1.9` is a usage error).
  std::uint64_t integer(std::string_view name, std::uint64_t lo, std::uint64_t hi) const {
    const std::string v = value(name);
    std::uint64_t x = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), x);
    const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || r.ec != std::errc() || r.ptr != v.data() + v.size() || x < lo || x > hi)
      throw usage_error("--" + std::string(name) + " needs an integer from " + std::to_string(lo) + " to " +
                        std::to_string(hi) + ", got '" + excerpt(v) + "'");
    return x;
  }

  // The option's value as a finite number in [lo, hi].
  double number(std::string_view name, double lo, double hi) const {
    const std::string v = value(name);
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || !(x >= lo && x <= hi))
      throw usage_error("--" + std::string(name) + " needs a number from " + shortest(lo) + " to " + shortest(hi) +
                        ", got '" + excerpt(v) + "'");
    return x;
  }

  static std::string shortest(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return buf;
  }
  static std::string excerpt(std::string_view v) { return lexalign::io::excerpt(v); }

 private:
  struct spec {
    std::string name, metavar, help;
    option_settings settings;
    bool is_flag;
  };
  static std::string label(const spec& s) { return "--" + s.name + (s.is_flag ? "" : " " + s.metavar); }
  const spec* find(std::string_view name) const {
    for (const spec& s : specs_)
      if (s.name == name) return &s;
    return nullptr;
  }

  std::string usage_, description_;
  std::vector<spec> specs_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> all_values_;
};

// An input named on the command line: a file, or "-" for `in`.  Errors name
// it as the user wrote it ("<stdin>" for "-").
class input {
 public:
  input(const std::string& path, std::istream& in) {
    if (path == "-") {
      stream_ = &in;
      name_ = "<stdin>";
    } else {
      file_ = std::make_unique<std::ifstream>(path, std::ios::binary);
      if (!*file_) throw io_error("cannot open '" + path + "' for reading");
      stream_ = file_.get();
      name_ = path;
    }
  }
  std::istream& stream() noexcept { return *stream_; }
  const std::string& name() const noexcept { return name_; }

 private:
  std::unique_ptr<std::ifstream> file_;
  std::istream* stream_ = nullptr;
  std::string name_;
};

// Throws io_error unless `path` can be opened for writing.  Does not
// truncate an existing file, and removes a file it had to create, so a
// failed run leaves no trace; the real write happens later.
inline void check_writable(const std::string& path, std::string_view option) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  {
    std::ofstream probe(path, std::ios::binary | std::ios::app);
    if (!probe)
      throw io_error("cannot open '" + path + "' for writing (--" + std::string(option) + ")");
  }
  if (!existed) std::filesystem::remove(path, ec);
}

// Reads token counts (ASCII-space separated) of a text file, one line at a
// time, for the --source/--target options of the subcommands.
class length_reader {
 public:
  length_reader(std::istream& in, std::string name) : reader_(in, std::move(name)) {}
  // The next line's token count; false at the end.
  bool next(std::size_t& length) {
    if (!reader_.next(line_)) return false;
    length = 0;
    lexalign::io::for_each_token(line_, [&](std::string_view) { ++length; });
    return true;
  }
  const lexalign::io::line_reader& reader() const noexcept { return reader_; }

 private:
  lexalign::io::line_reader reader_;
  std::string line_;
};

// Throws parse_error at the line after the shorter of two line-parallel
// inputs' last line when one has ended and the other has not.
inline void check_same_length(bool more_a, const std::string& name_a, std::size_t line_a, bool more_b,
                              const std::string& name_b, std::size_t line_b) {
  if (more_a == more_b) return;
  if (more_a)
    throw lexalign::parse_error(name_a, line_a, "'" + name_b + "' has only " + std::to_string(line_b) + " lines");
  throw lexalign::parse_error(name_b, line_b, "'" + name_a + "' has only " + std::to_string(line_a) + " lines");
}

// Throws usage_error if more than one of the paths is "-".
inline void at_most_one_stdin(std::initializer_list<std::string> paths) {
  int n = 0;
  for (const auto& p : paths) n += p == "-";
  if (n > 1) throw usage_error("only one input can be standard input ('-')");
}

// Runs `body` and turns exceptions into messages on `err` and exit codes.
inline int guarded(std::ostream& err, std::string_view command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const usage_error& e) {
    err << "lexalign " << command << ": " << e.what() << "\n(see 'lexalign " << command << " --help')\n";
    return exit_usage;
  } catch (const lexalign::parse_error& e) {
    err << e.what() << '\n';  // file:line: reason
    return exit_bad_input;
  } catch (const lexalign::error& e) {
    err << "lexalign " << command << ": " << e.what() << '\n';
    return exit_bad_input;
  } catch (const std::bad_alloc&) {
    err << "lexalign " << command << ": out of memory\n";
    return exit_bad_input;
  }
}

}  // namespace lexalign::cli
