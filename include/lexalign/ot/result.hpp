// lexalign/ot/result.hpp - what the entropic OT solvers return.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "lexalign/config.hpp"
#include "lexalign/core/matrix_view.hpp"
#include "lexalign/core/status.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

// Result of sinkhorn, sinkhorn_unbalanced, partial and gromov_wasserstein.
//
// The plan is P_ij = exp((f_i + g_j - C_ij) / epsilon).  For a point of zero
// mass the potential is the finite soft c-transform (the value it would have
// per unit of mass) and its row or column of the plan is 0.
template <class T, class Allocator = std::allocator<T>>
struct ot_result {
  std::vector<T, Allocator> f;          // row (source) dual potential, cost units
  std::vector<T, Allocator> g;          // column (target) dual potential, cost units
  dense_matrix<T, Allocator> plan;      // empty unless options.return_plan
  double cost = 0;                      // <P, C> (GW: the GW loss of the plan)
  // status, iterations (all stages of epsilon scaling) and error: the
  // solver's stopping quantity at the last check (sinkhorn: ||P^T 1 - b|| in
  // `norm`; unbalanced: max |change of g|; partial: max |change of the
  // potentials|; GW: ||P - P_prev||_F), all in cost units but sinkhorn's.
  convergence_info convergence;
};

// Norm used for the marginal violation ||P 1 - a|| + ||P^T 1 - b||.
enum class marginal_norm { l1, l2, linf };

}  // namespace ot
LEXALIGN_NAMESPACE_END
