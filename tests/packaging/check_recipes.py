#!/usr/bin/env python3
"""Checks the vcpkg overlay port and the Conan recipe without vcpkg or Conan.

* conanfile.py files parse, and the recipe's cmake_file_name /
  cmake_target_name equal the names lexalign really exports;
* vcpkg.json is valid JSON with the required fields, and portfile.cmake runs
  under `cmake -P` with the vcpkg helper functions stubbed, its
  vcpkg_cmake_config_fixup(CONFIG_PATH) naming the folder where our install
  really puts the config files; run without and with the "zlib" feature, it
  passes -DLEXALIGN_WITH_ZLIB=OFF / ON (never left to a system zlib);
* the Conan recipe has a with_zlib option and sets LEXALIGN_WITH_ZLIB;
* the exported targets file defines lexalign::lexalign.
"""
import argparse
import ast
import json
import pathlib
import re
import subprocess
import sys


def fail(msg):
    print("check_recipes: " + msg, file=sys.stderr)
    sys.exit(1)


def conan_properties(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    props = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "set_property" and len(node.args) == 2
                and all(isinstance(a, ast.Constant) for a in node.args)):
            props[node.args[0].value] = node.args[1].value
    return props


STUBS = r"""
cmake_policy(SET CMP0057 NEW)  # if(IN_LIST)
set(CURRENT_PACKAGES_DIR "${WORK}/packages")
set(PORT lexalign)
set(CMAKE_CURRENT_LIST_DIR "${PORT_DIR}")
function(vcpkg_cmake_configure)
  cmake_parse_arguments(A "" "SOURCE_PATH" "OPTIONS" ${ARGN})
  if(NOT EXISTS "${A_SOURCE_PATH}/CMakeLists.txt")
    message(FATAL_ERROR "SOURCE_PATH ${A_SOURCE_PATH} has no CMakeLists.txt")
  endif()
  file(APPEND "${WORK}/calls.txt" "configure;${A_SOURCE_PATH}\n")
  string(REPLACE ";" "|" options "${A_OPTIONS}")
  file(APPEND "${WORK}/calls.txt" "options|${options}\n")
endfunction()
if(NOT DEFINED FEATURES)
  set(FEATURES core)
endif()
# vcpkg's: FEATURES <feature> <option> ... -> -D<option>=ON|OFF for the requested ones.
function(vcpkg_check_features)
  cmake_parse_arguments(A "" "OUT_FEATURE_OPTIONS" "FEATURES" ${ARGN})
  set(out "")
  list(LENGTH A_FEATURES len)
  math(EXPR last "${len} - 1")
  foreach(k RANGE 0 ${last} 2)
    math(EXPR k1 "${k} + 1")
    list(GET A_FEATURES ${k} feature)
    list(GET A_FEATURES ${k1} option)
    if(feature IN_LIST FEATURES)
      list(APPEND out "-D${option}=ON")
    else()
      list(APPEND out "-D${option}=OFF")
    endif()
  endforeach()
  set(${A_OUT_FEATURE_OPTIONS} "${out}" PARENT_SCOPE)
endfunction()
function(vcpkg_cmake_install)
  file(APPEND "${WORK}/calls.txt" "install\n")
endfunction()
function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(A "" "PACKAGE_NAME;CONFIG_PATH" "" ${ARGN})
  file(APPEND "${WORK}/calls.txt" "fixup;${A_PACKAGE_NAME};${A_CONFIG_PATH}\n")
endfunction()
function(vcpkg_install_copyright)
  cmake_parse_arguments(A "" "" "FILE_LIST" ${ARGN})
  foreach(f ${A_FILE_LIST})
    if(NOT EXISTS "${f}")
      message(FATAL_ERROR "copyright file ${f} missing")
    endif()
  endforeach()
  file(APPEND "${WORK}/calls.txt" "copyright\n")
endfunction()
include("${PORT_DIR}/portfile.cmake")
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--cmake", default="cmake")
    args = ap.parse_args()
    src = pathlib.Path(args.source_dir)
    work = pathlib.Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)

    # What lexalign really exports: install a library-only build.
    subprocess.run([args.cmake, "-S", str(src), "-B", str(work / "build"), "-DLEXALIGN_BUILD_TESTS=OFF",
                    "-DLEXALIGN_BUILD_EXAMPLES=OFF", "-DLEXALIGN_PACKAGING_TESTS=OFF",
                    "-DLEXALIGN_BUILD_CLI=OFF", "-DLEXALIGN_INSTALL_CLI=OFF"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([args.cmake, "--install", str(work / "build"), "--prefix", str(work / "prefix")],
                   check=True, stdout=subprocess.DEVNULL)
    configs = list((work / "prefix").glob("**/lexalignConfig.cmake"))
    if len(configs) != 1:
        fail("expected one installed lexalignConfig.cmake, found %d" % len(configs))
    config_dir = configs[0].parent.relative_to(work / "prefix").as_posix()
    targets = (configs[0].parent / "lexalignTargets.cmake").read_text()
    if "add_library(lexalign::lexalign INTERFACE IMPORTED)" not in targets:
        fail("lexalignTargets.cmake does not define lexalign::lexalign")

    # Conan.
    props = conan_properties(src / "conanfile.py")
    if props.get("cmake_file_name") != "lexalign":
        fail("conanfile.py cmake_file_name is %r, expected 'lexalign'" % props.get("cmake_file_name"))
    if props.get("cmake_target_name") != "lexalign::lexalign":
        fail("conanfile.py cmake_target_name is %r" % props.get("cmake_target_name"))
    ast.parse((src / "test_package" / "conanfile.py").read_text())
    tp_cmake = (src / "test_package" / "CMakeLists.txt").read_text()
    if "find_package(lexalign" not in tp_cmake or "lexalign::lexalign" not in tp_cmake:
        fail("test_package/CMakeLists.txt does not consume lexalign::lexalign")

    # vcpkg.
    port_dir = src / "packaging" / "vcpkg" / "ports" / "lexalign"
    manifest = json.loads((port_dir / "vcpkg.json").read_text())
    for key in ("name", "version-semver", "description", "license"):
        if key not in manifest:
            fail("vcpkg.json lacks %r" % key)
    if manifest["name"] != "lexalign":
        fail("vcpkg.json name is %r" % manifest["name"])

    # One version everywhere: CMake's project(), config.hpp, Conan, vcpkg.
    cmake_version = re.search(r"project\(lexalign\s+VERSION\s+([0-9.]+)", (src / "CMakeLists.txt").read_text())
    header_version = re.search(r'#define LEXALIGN_VERSION_STRING "([0-9.]+)"',
                               (src / "include" / "lexalign" / "config.hpp").read_text())
    conan_version = re.search(r'version\s*=\s*"([0-9.]+)"', (src / "conanfile.py").read_text())
    versions = {"CMakeLists.txt": cmake_version and cmake_version.group(1),
                "config.hpp": header_version and header_version.group(1),
                "conanfile.py": conan_version and conan_version.group(1),
                "vcpkg.json": manifest["version-semver"]}
    if len(set(versions.values())) != 1 or None in versions.values():
        fail("versions disagree: %r" % versions)
    conan_text = (src / "conanfile.py").read_text()
    if '"with_zlib"' not in conan_text or "LEXALIGN_WITH_ZLIB" not in conan_text:
        fail("conanfile.py has no with_zlib option setting LEXALIGN_WITH_ZLIB")
    if "zlib" not in manifest.get("features", {}):
        fail("vcpkg.json has no zlib feature")
    harness = work / "run_portfile.cmake"
    harness.write_text(STUBS)
    for features, expected in (("core", "-DLEXALIGN_WITH_ZLIB=OFF"), ("core;zlib", "-DLEXALIGN_WITH_ZLIB=ON")):
        (work / "calls.txt").unlink(missing_ok=True)
        subprocess.run([args.cmake, "-DWORK=" + str(work), "-DPORT_DIR=" + str(port_dir),
                        "-DFEATURES=" + features, "-P", str(harness)], check=True)
        options = [c for c in (work / "calls.txt").read_text().splitlines() if c.startswith("options|")]
        if len(options) != 1 or expected not in options[0].split("|"):
            fail("portfile with features %r passes %r, expected %s" % (features, options, expected))
    calls = (work / "calls.txt").read_text().splitlines()
    fixups = [c.split(";") for c in calls if c.startswith("fixup;")]
    if fixups != [["fixup", "lexalign", config_dir]]:
        fail("portfile config fixup %r does not match the installed config dir %r" % (fixups, config_dir))
    if not any(c.startswith("configure;") for c in calls) or "install" not in calls:
        fail("portfile does not configure and install")
    print("recipes OK: exported lexalign::lexalign, config dir %s" % config_dir)


if __name__ == "__main__":
    main()
