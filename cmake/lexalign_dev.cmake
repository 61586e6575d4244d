# Settings shared by lexalign's own tests, examples and benchmarks.  Nothing
# here is exported to consumers.

# xtensor is a test/benchmark dependency only: the library accepts it through
# concepts.  XTENSOR_USE_XSIMD must be set before find_package(xtensor)
# (PLATFORM.md trap 5); xsimd's config forgets find_dependency(xtl) (trap in
# the xsimd row).
find_package(xtl CONFIG QUIET)
if(LEXALIGN_USE_XSIMD)
  find_package(xsimd CONFIG REQUIRED)
  set(XTENSOR_USE_XSIMD ON)
endif()
find_package(xtensor CONFIG QUIET)

add_library(lexalign_dev_flags INTERFACE)
target_compile_options(lexalign_dev_flags INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion -Werror=return-type>
  $<$<CXX_COMPILER_ID:GNU>:-Werror=comma-subscript>)
if(LEXALIGN_SANITIZE)
  target_compile_options(lexalign_dev_flags INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(lexalign_dev_flags INTERFACE -fsanitize=address,undefined)
endif()
