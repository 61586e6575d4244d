// lexalign/core/vocabulary.hpp - word <-> integer id.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"

LEXALIGN_NAMESPACE_BEGIN

using word_id = std::uint32_t;

// Ids are dense, 0-based, in order of first insertion.  Words are stored once;
// lookups by string_view do not allocate.
class vocabulary {
 public:
  vocabulary() = default;
  vocabulary(const vocabulary& other) { *this = other; }
  vocabulary& operator=(const vocabulary& other) {
    if (this != &other) {
      clear();
      reserve(other.size());
      for (const auto& w : other.words_) add(w);
    }
    return *this;
  }
  vocabulary(vocabulary&&) noexcept = default;
  vocabulary& operator=(vocabulary&&) noexcept = default;

  // The id of `word`, adding it if new.
  word_id add(std::string_view word) {
    if (auto it = index_.find(word); it != index_.end()) return it->second;
    if (words_.size() >= max_size) throw error("vocabulary: more than 2^32-1 distinct words");
    const auto id = static_cast<word_id>(words_.size());
    const std::string& stored = words_.emplace_back(word);
    index_.emplace(std::string_view(stored), id);
    return id;
  }

  // The id of `word`, or nullopt if unknown.
  std::optional<word_id> find(std::string_view word) const {
    if (auto it = index_.find(word); it != index_.end()) return it->second;
    return std::nullopt;
  }

  bool contains(std::string_view word) const { return index_.contains(word); }

  const std::string& word(word_id id) const {
    if (id >= words_.size()) throw invalid_argument("vocabulary: id " + std::to_string(id) + " out of range");
    return words_[id];
  }

  // Room for `n` words in the index without rehashing (a hint: at most 2^22
  // are reserved ahead, so a wrong count read from a file costs no memory).
  void reserve(std::size_t n) { index_.reserve(std::min<std::size_t>(n, std::size_t{1} << 22)); }

  std::size_t size() const noexcept { return words_.size(); }
  bool empty() const noexcept { return words_.empty(); }
  void clear() {
    index_.clear();
    words_.clear();
  }

  static constexpr std::size_t max_size = 0xFFFFFFFFu;

 private:
  std::deque<std::string> words_;  // stable addresses for the string_view keys
  std::unordered_map<std::string_view, word_id> index_;
};

LEXALIGN_NAMESPACE_END
