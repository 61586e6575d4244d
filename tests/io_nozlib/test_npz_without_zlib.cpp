// io/npz.hpp compiled without zlib (its own executable, so that no other
// translation unit sees the other definition): stored archives still read,
// deflated members give the documented message.
#undef LEXALIGN_WITH_ZLIB
#define LEXALIGN_WITH_ZLIB 0
#include "lexalign/io/npz.hpp"
#include "support/catch.hpp"

TEST_CASE("npz without zlib: stored reads, deflated names the fix", "[io][npz]") {
  const std::string dir = std::string(LEXALIGN_TEST_FIXTURE_DIR) + "/npy/";
  CHECK(lexalign::io::read_npz(dir + "stored.npz").size() == 3);
  CHECK_THROWS_WITH(lexalign::io::read_npz(dir + "deflated.npz"),
                    dir + "deflated.npz/a.npy: deflate-compressed .npz needs zlib: rebuild with LEXALIGN_WITH_ZLIB=ON");
}
