# Builds a consumer that pulls lexalign in with add_subdirectory() and checks
# that lexalign's own tests and examples stay off in that case.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/src")
file(WRITE "${WORK_DIR}/src/CMakeLists.txt" "
cmake_minimum_required(VERSION 3.20)
project(lexalign_subdir_consumer LANGUAGES CXX)
add_subdirectory(\"${LEXALIGN_SOURCE_DIR}\" lexalign)
foreach(t test_core lexalign_cli lexalign_test_main)
  if(TARGET \${t})
    message(FATAL_ERROR \"lexalign built its own target \${t} as a subproject\")
  endif()
endforeach()
add_executable(lexalign_consumer \"${LEXALIGN_SOURCE_DIR}/test_package/src/example.cpp\")
target_link_libraries(lexalign_consumer PRIVATE lexalign::lexalign)
")
foreach(step
    "${CMAKE_COMMAND};-S;${WORK_DIR}/src;-B;${WORK_DIR}/build;-G;${GENERATOR};-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "${CMAKE_COMMAND};--build;${WORK_DIR}/build"
    "${WORK_DIR}/build/lexalign_consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${step}\n${out}\n${err}")
  endif()
endforeach()
