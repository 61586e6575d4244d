// Reader for the plain-text reference fixtures written by
// scripts/fixtures/fixture_io.py (numbers computed by POT and other
// independent references, committed under tests/fixtures/).
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "lexalign/core/matrix_view.hpp"

namespace lexalign::test {

struct fixture_array {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;  // row-major
  double operator()(std::size_t i, std::size_t j) const { return values[i * cols + j]; }
  lexalign::matrix_view<const double> view() const { return {values.data(), rows, cols}; }
  template <class T = double>
  std::vector<T> as_vector() const { return std::vector<T>(values.begin(), values.end()); }
};

class fixture {
 public:
  explicit fixture(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open fixture " + path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ls(line);
      std::string kind, name;
      ls >> kind >> name;
      if (kind == "scalar") {
        double v;
        ls >> v;
        scalars_[name] = v;
      } else if (kind == "array") {
        fixture_array a;
        ls >> a.rows >> a.cols;
        a.values.resize(a.rows * a.cols);
        for (auto& v : a.values)
          if (!(in >> v)) throw std::runtime_error("truncated array " + name + " in " + path);
        arrays_[name] = std::move(a);
      } else {
        throw std::runtime_error("bad fixture line in " + path + ": " + line);
      }
    }
  }
  double scalar(const std::string& name) const { return get(scalars_, name); }
  const fixture_array& array(const std::string& name) const { return get(arrays_, name); }
  bool has(const std::string& name) const { return scalars_.count(name) || arrays_.count(name); }

 private:
  template <class Map>
  static const typename Map::mapped_type& get(const Map& m, const std::string& name) {
    auto it = m.find(name);
    if (it == m.end()) throw std::runtime_error("fixture has no item " + name);
    return it->second;
  }
  std::map<std::string, double> scalars_;
  std::map<std::string, fixture_array> arrays_;
};

// Full path of a committed fixture file.
inline std::string fixture_path(const std::string& name) { return std::string(LEXALIGN_TEST_FIXTURE_DIR) + "/" + name; }

}  // namespace lexalign::test
