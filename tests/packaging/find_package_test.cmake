# Installs lexalign to a staging prefix, moves the prefix, and builds and runs
# the test_package consumer through find_package(lexalign).
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

include("${CMAKE_CURRENT_LIST_DIR}/run_step.cmake")

# A fresh library-only configure, so the test does not depend on how the
# surrounding build was configured.
run(${CMAKE_COMMAND} -S "${LEXALIGN_SOURCE_DIR}" -B "${WORK_DIR}/lib-build" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DLEXALIGN_BUILD_TESTS=OFF -DLEXALIGN_BUILD_EXAMPLES=OFF
    -DLEXALIGN_PACKAGING_TESTS=OFF -DLEXALIGN_BUILD_CLI=OFF -DLEXALIGN_INSTALL_CLI=OFF)
run(${CMAKE_COMMAND} --install "${WORK_DIR}/lib-build" --prefix "${WORK_DIR}/stage")
file(RENAME "${WORK_DIR}/stage" "${WORK_DIR}/moved-prefix")
if(NOT EXISTS "${WORK_DIR}/moved-prefix/share/cmake/lexalign/lexalignConfigVersion.cmake")
  message(FATAL_ERROR "no version file installed")
endif()

run(${CMAKE_COMMAND} -S "${LEXALIGN_SOURCE_DIR}/test_package" -B "${WORK_DIR}/consumer" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} "-DCMAKE_PREFIX_PATH=${WORK_DIR}/moved-prefix")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/consumer")
run("${WORK_DIR}/consumer/lexalign_consumer")
message(STATUS "consumer said: ${LAST_OUTPUT}")
if(NOT LAST_OUTPUT MATCHES "2 pairs")
  message(FATAL_ERROR "unexpected consumer output: ${LAST_OUTPUT}")
endif()

# A version request that cannot match must fail.
file(WRITE "${WORK_DIR}/badversion/CMakeLists.txt"
  "cmake_minimum_required(VERSION 3.20)\nproject(x LANGUAGES CXX)\nfind_package(lexalign 99.0 CONFIG REQUIRED)\n")
execute_process(COMMAND ${CMAKE_COMMAND} -S "${WORK_DIR}/badversion" -B "${WORK_DIR}/badversion/build"
                -G "${GENERATOR}" "-DCMAKE_PREFIX_PATH=${WORK_DIR}/moved-prefix" RESULT_VARIABLE rc
                OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "find_package(lexalign 99.0) unexpectedly succeeded")
endif()
