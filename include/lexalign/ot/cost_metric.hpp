// lexalign/ot/cost_metric.hpp - the ground metrics between two points, shared
// by the point-cloud costs (cost.hpp) and the free-support barycenter.
#pragma once

#include "lexalign/config.hpp"

LEXALIGN_NAMESPACE_BEGIN
namespace ot {

enum class cost_metric {
  sqeuclidean,  // |x - y|^2 (POT's ot.dist default)
  cosine,       // 1 - <x, y> / (|x| |y|), 0 when a norm is 0
  euclidean,    // |x - y|
};

}  // namespace ot
LEXALIGN_NAMESPACE_END
