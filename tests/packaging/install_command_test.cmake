# The README's install command, verbatim in spirit: configure with no build
# type and tests, examples and benchmarks off (so no Catch2), build, install;
# then the installed `lexalign` must run, report a Release (optimised) build,
# and align a pair.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

include("${CMAKE_CURRENT_LIST_DIR}/run_step.cmake")

run(${CMAKE_COMMAND} -S "${LEXALIGN_SOURCE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DLEXALIGN_BUILD_TESTS=OFF -DLEXALIGN_BUILD_EXAMPLES=OFF -DLEXALIGN_BUILD_BENCHMARKS=OFF)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run(${CMAKE_COMMAND} --install "${WORK_DIR}/build" --prefix "${WORK_DIR}/prefix")

set(exe "${WORK_DIR}/prefix/bin/lexalign")
if(NOT EXISTS "${exe}")
  message(FATAL_ERROR "the install did not put the command at ${exe}")
endif()
run("${exe}" --version)
message(STATUS "installed command: ${LAST_OUTPUT}")
if(NOT LAST_OUTPUT MATCHES "^lexalign [0-9.]+ \\(Release build, optimised\\)")
  message(FATAL_ERROR "the installed command is not an optimised Release build: ${LAST_OUTPUT}")
endif()
file(WRITE "${WORK_DIR}/pairs.txt" "the house ||| la maison\nthe blue house ||| la maison bleue\n")
run("${exe}" align --input "${WORK_DIR}/pairs.txt" --quiet --symmetrize grow-diag-final-and)
if(NOT LAST_OUTPUT MATCHES "^0-0 1-1\n")
  message(FATAL_ERROR "unexpected alignment from the installed command: ${LAST_OUTPUT}")
endif()
