// A file under the build's temporary directory, removed on destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

namespace lexalign::test {

class temp_file {
 public:
  explicit temp_file(std::string_view contents, std::string_view suffix = ".txt") {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("lexalign_test_" + std::to_string(std::random_device{}()) + "_" + std::to_string(counter++) +
              std::string(suffix)))
                .string();
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~temp_file() { std::remove(path_.c_str()); }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

}  // namespace lexalign::test
