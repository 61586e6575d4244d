// lexalign/core/matrix_view.hpp - a small non-owning strided 2-D view, and
// the bridge from any `matrix` to raw memory for hot kernels.
//
//   matrix_view<const double> v = as_matrix_view(xt_array);    // no copy
//   if constexpr (has_matrix_memory<M>) { ... }                  // else copy
//
// Strides are in elements and may be any non-negative value (row-major,
// column-major, sliced, broadcast with stride 0).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/error.hpp"
#include "lexalign/core/matrix.hpp"

LEXALIGN_NAMESPACE_BEGIN

template <class T>
class matrix_view {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;

  constexpr matrix_view() noexcept = default;
  constexpr matrix_view(T* data, std::size_t n_rows, std::size_t n_cols, std::ptrdiff_t row_stride,
                        std::ptrdiff_t col_stride) noexcept
      : data_(data), rows_(n_rows), cols_(n_cols), row_stride_(row_stride), col_stride_(col_stride) {}
  // Dense row-major.
  constexpr matrix_view(T* data, std::size_t n_rows, std::size_t n_cols) noexcept
      : matrix_view(data, n_rows, n_cols, static_cast<std::ptrdiff_t>(n_cols), 1) {}
  // A view of non-const converts to a view of const.
  template <class U>
    requires(std::is_same_v<const U, T> && !std::is_same_v<U, T>)
  constexpr matrix_view(const matrix_view<U>& o) noexcept
      : matrix_view(o.data(), o.rows(), o.cols(), o.row_stride(), o.col_stride()) {}

  constexpr std::size_t rows() const noexcept { return rows_; }
  constexpr std::size_t cols() const noexcept { return cols_; }
  constexpr std::ptrdiff_t row_stride() const noexcept { return row_stride_; }
  constexpr std::ptrdiff_t col_stride() const noexcept { return col_stride_; }
  constexpr T* data() const noexcept { return data_; }
  constexpr bool empty() const noexcept { return rows_ == 0 || cols_ == 0; }
  // True when row i is a contiguous run of cols() elements.
  constexpr bool rows_contiguous() const noexcept { return col_stride_ == 1 || cols_ <= 1; }

  constexpr T& operator()(std::size_t i, std::size_t j) const noexcept {
    LEXALIGN_ASSERT(i < rows_ && j < cols_, "matrix_view index out of range");
    return data_[static_cast<std::ptrdiff_t>(i) * row_stride_ + static_cast<std::ptrdiff_t>(j) * col_stride_];
  }
  // Row i as a span; only when rows_contiguous().
  constexpr std::span<T> row(std::size_t i) const noexcept {
    LEXALIGN_ASSERT(rows_contiguous(), "row() needs contiguous rows");
    return {data_ + static_cast<std::ptrdiff_t>(i) * row_stride_, cols_};
  }

 private:
  T* data_ = nullptr;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::ptrdiff_t row_stride_ = 0;
  std::ptrdiff_t col_stride_ = 0;
};

namespace detail {

template <class M>
inline constexpr bool is_matrix_view_v = false;
template <class T>
inline constexpr bool is_matrix_view_v<matrix_view<T>> = true;

template <class M>
concept mdspan_strided_memory = mdspan_matrix<M> && requires(const M& m) {
  m.data_handle();
  { m.stride(0) } -> index_like;
  { m.is_strided() } -> std::convertible_to<bool>;
};

template <class M>
concept xtensor_strided_memory = shape_matrix<M> && requires(const M& m) {
  m.data();
  { m.strides()[0] } -> index_like;
  { m.data_offset() } -> index_like;
};

template <class M>
concept eigen_strided_memory = rows_cols_matrix<M> && requires(const M& m) {
  m.data();
  { m.rowStride() } -> index_like;
  { m.colStride() } -> index_like;
};

}  // namespace detail

template <class M>
concept has_matrix_memory = matrix<M> && (detail::is_matrix_view_v<std::remove_cvref_t<M>> ||
                                          detail::mdspan_strided_memory<std::remove_cvref_t<M>> ||
                                          detail::xtensor_strided_memory<std::remove_cvref_t<M>> ||
                                          detail::eigen_strided_memory<std::remove_cvref_t<M>>);

// Throws lexalign::invalid_argument unless `m` is 2-D (matters only for
// dynamic-rank types).  `what` names the argument in the message.
template <matrix M>
void require_rank_two(const M& m, const char* what) {
  if (!has_rank_two(m)) throw invalid_argument(std::string(what) + " must be a 2-D array");
}

template <vector V>
void require_rank_one(const V& v, const char* what) {
  if (!has_rank_one(v)) throw invalid_argument(std::string(what) + " must be a 1-D array");
}

// A strided view of a matrix's own memory (no copy).  Mutable when `m` is.
template <class M>
  requires has_matrix_memory<std::remove_reference_t<M>>
auto as_matrix_view(M& m) {
  using B = std::remove_cvref_t<M>;
  if constexpr (detail::is_matrix_view_v<B>) {
    return m;
  } else {
    require_rank_two(m, "matrix");
    using V = matrix_value_t<B>;
    using E = std::conditional_t<std::is_const_v<std::remove_reference_t<M>>, const V, V>;
    const std::size_t r = rows(m), c = cols(m);
    if constexpr (detail::mdspan_strided_memory<B>) {
      if (!m.is_strided()) throw invalid_argument("mdspan layout is not strided");
      return matrix_view<E>(static_cast<E*>(m.data_handle()), r, c, static_cast<std::ptrdiff_t>(m.stride(0)),
                            static_cast<std::ptrdiff_t>(m.stride(1)));
    } else if constexpr (detail::xtensor_strided_memory<B>) {
      // xtensor stores stride 0 for extents of size 1; harmless for indexing.
      return matrix_view<E>(static_cast<E*>(m.data() + m.data_offset()), r, c,
                            static_cast<std::ptrdiff_t>(m.strides()[0]), static_cast<std::ptrdiff_t>(m.strides()[1]));
    } else {
      return matrix_view<E>(static_cast<E*>(m.data()), r, c, static_cast<std::ptrdiff_t>(m.rowStride()),
                            static_cast<std::ptrdiff_t>(m.colStride()));
    }
  }
}

// An owning dense row-major matrix with an allocator.  The algorithms return
// plans in this type (xtensor has no allocator-instance constructors).
template <class T, class Allocator = std::allocator<T>>
class dense_matrix {
 public:
  using value_type = T;
  using allocator_type = Allocator;

  dense_matrix() = default;
  explicit dense_matrix(const Allocator& alloc) : data_(alloc) {}
  dense_matrix(std::size_t n_rows, std::size_t n_cols, const T& value = T{}, const Allocator& alloc = Allocator())
      : data_(n_rows * n_cols, value, alloc), rows_(n_rows), cols_(n_cols) {}

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  std::size_t size() const noexcept { return data_.size(); }
  bool empty() const noexcept { return data_.empty(); }
  T* data() noexcept { return data_.data(); }
  const T* data() const noexcept { return data_.data(); }
  std::ptrdiff_t rowStride() const noexcept { return static_cast<std::ptrdiff_t>(cols_); }
  std::ptrdiff_t colStride() const noexcept { return 1; }
  allocator_type get_allocator() const { return data_.get_allocator(); }

  T& operator()(std::size_t i, std::size_t j) noexcept {
    LEXALIGN_ASSERT(i < rows_ && j < cols_, "dense_matrix index out of range");
    return data_[i * cols_ + j];
  }
  const T& operator()(std::size_t i, std::size_t j) const noexcept {
    LEXALIGN_ASSERT(i < rows_ && j < cols_, "dense_matrix index out of range");
    return data_[i * cols_ + j];
  }
  std::span<T> row(std::size_t i) noexcept { return {data_.data() + i * cols_, cols_}; }
  std::span<const T> row(std::size_t i) const noexcept { return {data_.data() + i * cols_, cols_}; }

  // Reshapes; reallocates only when the capacity is too small.
  void resize(std::size_t n_rows, std::size_t n_cols, const T& value = T{}) {
    data_.assign(n_rows * n_cols, value);
    rows_ = n_rows;
    cols_ = n_cols;
  }

  matrix_view<T> view() noexcept { return {data_.data(), rows_, cols_}; }
  matrix_view<const T> view() const noexcept { return {data_.data(), rows_, cols_}; }

 private:
  std::vector<T, Allocator> data_;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
};

// Copies any matrix into a dense row-major one (the generic fallback path).
template <matrix M, class T = matrix_value_t<M>, class Allocator = std::allocator<T>>
dense_matrix<T, Allocator> to_dense(const M& m, const Allocator& alloc = Allocator()) {
  require_rank_two(m, "matrix");
  dense_matrix<T, Allocator> out(rows(m), cols(m), T{}, alloc);
  for (std::size_t i = 0; i < out.rows(); ++i)
    for (std::size_t j = 0; j < out.cols(); ++j) out(i, j) = static_cast<T>(at(m, i, j));
  return out;
}

LEXALIGN_NAMESPACE_END
