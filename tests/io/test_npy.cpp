// The .npy / .npz reader against fixtures written by NumPy
// (scripts/fixtures/make_npy_fixtures.py).  Good arrays hold 10 i + j + 0.5.
#include <string>

#include "lexalign/io/npz.hpp"
#include "support/catch.hpp"
#include "support/thrown.hpp"

namespace io = lexalign::io;

namespace {
std::string fixture(const std::string& name) { return std::string(LEXALIGN_TEST_FIXTURE_DIR) + "/npy/" + name; }

template <class T>
void check_grid(const io::npy_array<T>& a, std::size_t r, std::size_t c, double offset = 0.5) {
  REQUIRE(a.shape == std::vector<std::size_t>{r, c});
  const auto m = a.matrix();
  for (std::size_t i = 0; i < r; ++i)
    for (std::size_t j = 0; j < c; ++j) CHECK(static_cast<double>(m(i, j)) == 10.0 * double(i) + double(j) + offset);
}

// The message of the io_error thrown by f.
template <class F>
std::string error_of(F&& f) {
  return lexalign::test::message_of<lexalign::io_error>(f);
}
}  // namespace

TEST_CASE("npy: float16/32/64, both byte orders, C and Fortran order, versions 1 and 2", "[io][npy]") {
  for (const char* name : {"f8_c.npy", "f4_c.npy", "f2_c.npy", "f8_big.npy", "f4_big_fortran.npy", "f2_big.npy",
                           "f8_fortran.npy", "f8_v2.npy"}) {
    INFO(name);
    check_grid(io::read_npy(fixture(name)), 3, 4);
    check_grid(io::read_npy<float>(fixture(name)), 3, 4);
  }
  CHECK(io::read_npy(fixture("f4_big_fortran.npy")).fortran_order);
  CHECK(io::read_npy(fixture("f4_big_fortran.npy")).dtype == ">f4");
  CHECK_FALSE(io::read_npy(fixture("f8_c.npy")).fortran_order);
}

TEST_CASE("npy: integers, bool, rank 1, rank 3 and empty arrays", "[io][npy]") {
  const auto v = io::read_npy(fixture("i8_vector.npy"));
  REQUIRE(v.shape == std::vector<std::size_t>{10});
  for (std::size_t k = 0; k < 10; ++k) CHECK(v.data[k] == double(k) - 3);
  CHECK(v.matrix().rows() == 1);
  check_grid(io::read_npy(fixture("u2_big.npy")), 2, 3, 0.0);
  CHECK(io::read_npy(fixture("bool.npy")).data == std::vector<double>{1, 0, 0, 1});
  const auto r3 = io::read_npy(fixture("rank3.npy"));
  CHECK(r3.shape == std::vector<std::size_t>{2, 3, 4});
  CHECK(r3.data[23] == 23.0);
  CHECK_THROWS_AS(r3.matrix(), lexalign::invalid_argument);
  const auto e = io::read_npy(fixture("empty.npy"));
  CHECK(e.shape == std::vector<std::size_t>{0, 4});
  CHECK(e.data.empty());
}

TEST_CASE("npy: bad files are io_errors naming the file and the reason", "[io][npy][errors]") {
  const std::string f = fixture("");
  CHECK(error_of([&] { io::read_npy(f + "bad_magic.npy"); }) == f + "bad_magic.npy: not a .npy file (bad magic)");
  CHECK(error_of([&] { io::read_npy(f + "truncated_data.npy"); }) ==
        f + "truncated_data.npy: truncated data: shape (3, 4) of <f8 needs 96 data bytes, the file has 76");
  CHECK(error_of([&] { io::read_npy(f + "truncated_header.npy"); }).starts_with(f + "truncated_header.npy: truncated header"));
  CHECK(error_of([&] { io::read_npy(f + "trailing_bytes.npy"); }) ==
        f + "trailing_bytes.npy: data does not match the header: shape (3, 4) of <f8 needs 96 data bytes, the file has 104");
  CHECK(error_of([&] { io::read_npy(f + "shape_mismatch.npy"); }) ==
        f + "shape_mismatch.npy: truncated data: shape (3, 5) of <f8 needs 120 data bytes, the file has 96");
  CHECK(error_of([&] { io::read_npy(f + "complex.npy"); })
            .starts_with(f + "complex.npy: unsupported dtype '<c16'"));
  CHECK(error_of([&] { io::read_npy(f + "strings.npy"); }).starts_with(f + "strings.npy: unsupported dtype '<U2'"));
  CHECK(error_of([&] { io::read_npy(f + "missing.npy"); }) == "cannot open '" + f + "missing.npy'");
}

TEST_CASE("npz: stored members", "[io][npz]") {
  const auto z = io::read_npz(fixture("stored.npz"));
  CHECK(z.names() == std::vector<std::string>{"a", "b", "words"});
  check_grid(z.at("a"), 3, 4);
  check_grid(z.at("b"), 2, 5);
  CHECK(z.at("words").data == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(error_of([&] { z.at("c"); }) == fixture("stored.npz") + ": no array 'c'");
}

TEST_CASE("npz: bad archives", "[io][npz][errors]") {
  const std::string f = fixture("");
  CHECK(error_of([&] { io::read_npz(f + "truncated.npz"); }).starts_with(f + "truncated.npz: not a zip archive or truncated"));
  CHECK(error_of([&] { io::read_npz(f + "not_a_zip.npz"); }).starts_with(f + "not_a_zip.npz: not a zip archive"));
  CHECK(error_of([&] { io::read_npz(f + "bad_member.npz"); }) ==
        f + "bad_member.npz/x.npy: unsupported .npy format version 32");
}

#if LEXALIGN_WITH_ZLIB
TEST_CASE("npz: deflate-compressed members (zlib)", "[io][npz][zlib]") {
  const auto z = io::read_npz(fixture("deflated.npz"));
  check_grid(z.at("a"), 3, 4);
  check_grid(z.at("b"), 2, 5);
  CHECK(z.at("b").fortran_order);
  CHECK(z.at("words").data == std::vector<double>{0, 1, 2, 3, 4});
}

TEST_CASE("npz: the embedding-corpus layout", "[io][npz][zlib]") {
  const auto corpus = io::read_embedding_corpus<float>(fixture("corpus.npz"));
  REQUIRE(corpus.size() == 2);
  CHECK(corpus[0].source.shape == std::vector<std::size_t>{4, 8});
  CHECK(corpus[0].target.shape == std::vector<std::size_t>{5, 8});
  CHECK(corpus[0].source_words == std::vector<long long>{-1, 0, 1, -1});
  CHECK(corpus[1].target_words == std::vector<long long>{-1, 0, -1});
}
#endif
