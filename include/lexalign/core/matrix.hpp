// lexalign/core/matrix.hpp - the `matrix` and `vector` concepts and their
// customization point objects (CPOs).
//
// Any 2-D type is accepted that one of these describes, tried in this order:
//   1. ADL hooks in the type's namespace:
//        lexalign_rows(m), lexalign_cols(m), lexalign_at(m, i, j)
//   2. mdspan-shaped: nested extents_type of rank 2, m.extent(r),
//        m[std::array{i, j}]            (std::mdspan, Kokkos mdspan)
//   3. member shape() plus m(i, j)      (xt::xtensor, xt::xarray, their views)
//   4. member rows()/cols() plus m(i, j) (Eigen-like, lexalign::matrix_view)
// A 1-D `vector` is any of: ADL hooks lexalign_size(v) / lexalign_at(v, i);
// an mdspan of rank 1; a sized random-access range (std::vector, std::span,
// xt::xtensor<T, 1>).
//
// Never probe m[i, j]: under C++23 GCC 12 parses it as the comma operator.
//
// The CPOs lexalign::rows, lexalign::cols and lexalign::at give uniform
// access.  Hot kernels do not go through them element by element: they ask
// for a strided raw view with lexalign::as_matrix_view (matrix_view.hpp) and
// fall back to copying only for types that expose no memory.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <iterator>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

namespace detail {

template <class T>
concept index_like = std::integral<std::remove_cvref_t<T>>;

// --- 1. ADL hooks ------------------------------------------------------------
template <class M>
concept adl_matrix = requires(const M& m, std::size_t i) {
  { lexalign_rows(m) } -> index_like;
  { lexalign_cols(m) } -> index_like;
  lexalign_at(m, i, i);
};

// --- 2. mdspan-shaped ---------------------------------------------------------
template <class M>
concept mdspan_matrix = requires(const M& m, std::size_t i) {
  typename M::extents_type;
  requires M::extents_type::rank() == 2;
  { m.extent(0) } -> index_like;
  m[std::array<std::size_t, 2>{i, i}];
};

// --- 3. xtensor-like: shape() and call operator -------------------------------
// Rank known at compile time from a tuple-like shape (xt::xtensor<T, N>),
// or 0 when it is dynamic (xt::xarray: checked at run time).
template <class M>
constexpr std::size_t static_rank() {
  using S = std::remove_cvref_t<decltype(std::declval<const M&>().shape())>;
  if constexpr (requires { std::tuple_size<S>::value; }) return std::tuple_size<S>::value;
  else return 0;
}

template <class M>
concept shape_indexed = requires(const M& m, std::size_t i) {
  { m.shape()[0] } -> index_like;
  { m.dimension() } -> index_like;
};

template <class M>
concept shape_matrix = shape_indexed<M> && (static_rank<M>() == 2 || static_rank<M>() == 0) &&
                       requires(const M& m, std::size_t i) { m(i, i); };

// --- 4. Eigen-like: rows()/cols() and call operator ---------------------------
template <class M>
concept rows_cols_matrix = requires(const M& m, std::size_t i) {
  { m.rows() } -> index_like;
  { m.cols() } -> index_like;
  m(i, i);
};

template <class M>
concept any_matrix = adl_matrix<M> || mdspan_matrix<M> || shape_matrix<M> || rows_cols_matrix<M>;

// 1-D
template <class V>
concept adl_vector = requires(const V& v, std::size_t i) {
  { lexalign_size(v) } -> index_like;
  lexalign_at(v, i);
};

template <class V>
concept mdspan_vector = requires(const V& v, std::size_t i) {
  typename V::extents_type;
  requires V::extents_type::rank() == 1;
  { v.extent(0) } -> index_like;
  v[std::array<std::size_t, 1>{i}];
};

template <class V>
concept range_vector = std::ranges::random_access_range<const V> && std::ranges::sized_range<const V>;

template <class V>
concept any_vector = adl_vector<V> || mdspan_vector<V> || range_vector<V>;

// Types that can only be 2-D; a dynamic-rank array (xt::xarray) is both a
// matrix and a vector candidate, and its rank is checked at run time.
template <class M>
concept fixed_rank_matrix =
    adl_matrix<M> || mdspan_matrix<M> || rows_cols_matrix<M> || (shape_matrix<M> && static_rank<M>() == 2);

template <class V>
concept vector_like = any_vector<V> && !fixed_rank_matrix<V>;

struct rows_fn {
  template <any_matrix M>
  constexpr std::size_t operator()(const M& m) const {
    if constexpr (adl_matrix<M>) return static_cast<std::size_t>(lexalign_rows(m));
    else if constexpr (mdspan_matrix<M>) return static_cast<std::size_t>(m.extent(0));
    else if constexpr (shape_matrix<M>) return static_cast<std::size_t>(m.shape()[0]);
    else return static_cast<std::size_t>(m.rows());
  }
};

struct cols_fn {
  template <any_matrix M>
  constexpr std::size_t operator()(const M& m) const {
    if constexpr (adl_matrix<M>) return static_cast<std::size_t>(lexalign_cols(m));
    else if constexpr (mdspan_matrix<M>) return static_cast<std::size_t>(m.extent(1));
    else if constexpr (shape_matrix<M>) return static_cast<std::size_t>(m.shape()[1]);
    else return static_cast<std::size_t>(m.cols());
  }
};

struct at_fn {
  // Matrix element: returns what the type returns (a reference when it has one).
  template <class M>
    requires any_matrix<std::remove_cvref_t<M>>
  constexpr decltype(auto) operator()(M&& m, std::size_t i, std::size_t j) const {
    using B = std::remove_cvref_t<M>;
    if constexpr (adl_matrix<B>) return lexalign_at(std::forward<M>(m), i, j);
    else if constexpr (mdspan_matrix<B>) return std::forward<M>(m)[std::array<std::size_t, 2>{i, j}];
    else return std::forward<M>(m)(i, j);
  }
  // Vector element.
  template <class V>
    requires vector_like<std::remove_cvref_t<V>>
  constexpr decltype(auto) operator()(V&& v, std::size_t i) const {
    using B = std::remove_cvref_t<V>;
    if constexpr (adl_vector<B>) return lexalign_at(std::forward<V>(v), i);
    else if constexpr (mdspan_vector<B>) return std::forward<V>(v)[std::array<std::size_t, 1>{i}];
    else return std::ranges::begin(v)[static_cast<std::ranges::range_difference_t<B>>(i)];
  }
};

struct size_fn {
  template <vector_like V>
  constexpr std::size_t operator()(const V& v) const {
    if constexpr (adl_vector<V>) return static_cast<std::size_t>(lexalign_size(v));
    else if constexpr (mdspan_vector<V>) return static_cast<std::size_t>(v.extent(0));
    else return static_cast<std::size_t>(std::ranges::size(v));
  }
};

}  // namespace detail

// Customization point objects.
inline constexpr detail::rows_fn rows{};
inline constexpr detail::cols_fn cols{};
inline constexpr detail::at_fn at{};
inline constexpr detail::size_fn size{};

// A readable 2-D array of arithmetic values.
template <class M>
concept matrix = detail::any_matrix<std::remove_cvref_t<M>> && requires(const M& m) {
  requires std::is_arithmetic_v<std::remove_cvref_t<decltype(at(m, std::size_t{}, std::size_t{}))>>;
};

// A matrix whose elements can be assigned.
template <class M>
concept writable_matrix = matrix<M> && requires(M& m, double x) {
  at(m, std::size_t{}, std::size_t{}) = static_cast<std::remove_cvref_t<decltype(at(m, std::size_t{}, std::size_t{}))>>(x);
};

// A readable 1-D array of arithmetic values.
template <class V>
concept vector = detail::vector_like<std::remove_cvref_t<V>> &&
                 requires(const V& v) {
                   requires std::is_arithmetic_v<std::remove_cvref_t<decltype(at(v, std::size_t{}))>>;
                 };

template <class V>
concept writable_vector = vector<V> && requires(V& v, double x) {
  at(v, std::size_t{}) = static_cast<std::remove_cvref_t<decltype(at(v, std::size_t{}))>>(x);
};

template <matrix M>
using matrix_value_t = std::remove_cvref_t<decltype(at(std::declval<const M&>(), std::size_t{}, std::size_t{}))>;

template <vector V>
using vector_value_t = std::remove_cvref_t<decltype(at(std::declval<const V&>(), std::size_t{}))>;

// Run-time rank checks for dynamic-rank types such as xt::xarray.  Algorithms
// call these through require_matrix()/require_vector() (matrix_view.hpp),
// which throw lexalign::invalid_argument.
template <matrix M>
constexpr bool has_rank_two(const M& m) {
  if constexpr (detail::shape_matrix<std::remove_cvref_t<M>> && !detail::adl_matrix<std::remove_cvref_t<M>>)
    return m.dimension() == 2;
  else
    return true;
}

template <vector V>
constexpr bool has_rank_one(const V& v) {
  if constexpr (detail::shape_indexed<std::remove_cvref_t<V>> && !detail::adl_vector<std::remove_cvref_t<V>>)
    return v.dimension() == 1;
  else
    return true;
}

LEXALIGN_NAMESPACE_END
