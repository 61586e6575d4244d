# vcpkg overlay port for lexalign, building from this source tree:
#   vcpkg install lexalign --overlay-ports=<lexalign>/packaging/vcpkg/ports
# For a registry port, replace SOURCE_PATH by vcpkg_from_github(...).
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../../../.." ABSOLUTE)

set(VCPKG_BUILD_TYPE release)  # header-only: one configuration is enough

# Feature "zlib" (vcpkg install lexalign[zlib]): deflate-compressed .npz
# input; LEXALIGN_WITH_ZLIB is passed ON or OFF, never left to a system zlib.
vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS FEATURES zlib LEXALIGN_WITH_ZLIB)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DLEXALIGN_BUILD_TESTS=OFF
    -DLEXALIGN_BUILD_EXAMPLES=OFF
    -DLEXALIGN_BUILD_BENCHMARKS=OFF
    -DLEXALIGN_PACKAGING_TESTS=OFF
    -DLEXALIGN_BUILD_CLI=OFF
    -DLEXALIGN_INSTALL_CLI=OFF
    ${FEATURE_OPTIONS}
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME lexalign CONFIG_PATH share/cmake/lexalign)

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug" "${CURRENT_PACKAGES_DIR}/lib")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
