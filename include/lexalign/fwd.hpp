// lexalign/fwd.hpp - forward declarations of lexalign's core vocabulary types,
// for headers that only name them.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN

using word_id = std::uint32_t;
class vocabulary;
class sentence_store;
class parallel_corpus;
struct link;
struct sentence_alignment;
using alignment_corpus = std::vector<sentence_alignment>;
template <class T>
class matrix_view;
template <class T, class Allocator>
class dense_matrix;
class error;
class invalid_argument;
class invalid_option;
class io_error;
class parse_error;
enum class solver_status;
struct convergence_info;
struct iteration_event;
enum class observer_action;

LEXALIGN_NAMESPACE_END
