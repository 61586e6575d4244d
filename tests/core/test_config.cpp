// config.hpp: the version agrees with the CMake project's, and the
// configuration macros are defined (overridable: each is behind #ifndef).
#include <string>

#include "lexalign/config.hpp"
#include "support/catch.hpp"

static_assert(LEXALIGN_VECTOR_BYTES == 16 || LEXALIGN_VECTOR_BYTES == 32 || LEXALIGN_VECTOR_BYTES == 64);
static_assert(LEXALIGN_HAVE_VECTOR_EXT == 0 || LEXALIGN_HAVE_VECTOR_EXT == 1);

namespace {
LEXALIGN_FORCE_INLINE int twice(int x) { return 2 * x; }
}  // namespace

TEST_CASE("the header version is the project version", "[config]") {
  CHECK(std::string(LEXALIGN_VERSION_STRING) == LEXALIGN_TEST_PROJECT_VERSION);
  CHECK(std::string(LEXALIGN_VERSION_STRING) == std::to_string(LEXALIGN_VERSION_MAJOR) + "." +
                                                    std::to_string(LEXALIGN_VERSION_MINOR) + "." +
                                                    std::to_string(LEXALIGN_VERSION_PATCH));
  CHECK(twice(21) == 42);
}
