# Conan 2 recipe for lexalign (header-only).
#   conan create . --build=missing
#   conan create . --build=missing -o lexalign/*:with_zlib=True   # deflate-compressed .npz input
from conan import ConanFile
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout


class LexalignConan(ConanFile):
    name = "lexalign"
    version = "0.2.0"
    license = "MIT"
    description = ("Header-only C++20 word alignment and optimal transport: IBM models, HMM, "
                   "fast_align's Model 2, Sinkhorn, barycenters, symmetrization and AER.")
    topics = ("word-alignment", "optimal-transport", "nlp", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    # zlib is optional: only io/npz.hpp uses it, to read np.savez_compressed
    # files (LEXALIGN_WITH_ZLIB); without it such files are a clear error.
    options = {"with_zlib": [True, False]}
    default_options = {"with_zlib": False}
    exports_sources = "CMakeLists.txt", "cmake/*", "include/*", "LICENSE", "README.md"
    no_copy_source = True

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        if self.options.with_zlib:
            self.requires("zlib/[>=1.2.11 <2]")

    def package_id(self):
        # Header-only: one package per with_zlib value (it changes a define and a dependency).
        self.info.settings.clear()

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["LEXALIGN_BUILD_TESTS"] = False
        tc.cache_variables["LEXALIGN_BUILD_EXAMPLES"] = False
        tc.cache_variables["LEXALIGN_BUILD_BENCHMARKS"] = False
        tc.cache_variables["LEXALIGN_PACKAGING_TESTS"] = False
        tc.cache_variables["LEXALIGN_BUILD_CLI"] = False  # the header-only library; the command is not packaged
        tc.cache_variables["LEXALIGN_INSTALL_CLI"] = False
        tc.cache_variables["LEXALIGN_WITH_ZLIB"] = bool(self.options.with_zlib)  # never a system zlib by chance
        tc.generate()
        CMakeDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()

    def package(self):
        cmake = CMake(self)
        cmake.install()

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "lexalign")
        self.cpp_info.set_property("cmake_target_name", "lexalign::lexalign")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread"]
        if self.options.with_zlib:
            self.cpp_info.defines = ["LEXALIGN_WITH_ZLIB=1"]
            self.cpp_info.requires = ["zlib::zlib"]
