#include "base/digest.h"
#include "base/error.h"
#include "test.h"

using namespace hutch;

namespace {
const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
}

TEST(digest_parses_sha256) {
  Digest d = Digest::parse("sha256:" + kHex, "test");
  CHECK_EQ(d.str(), "sha256:" + kHex);
  CHECK_EQ(std::string(d.hex()), kHex);
  CHECK_EQ(d.short_hex(), std::string("0123456789ab"));
  CHECK(Digest::from_hex(kHex) == d);
}

TEST(digest_refuses_paths_and_malformed_hex) {
  CHECK_THROWS(Digest::parse("sha256:../../../../../../../../../../../../etc/////////////////////////", "diff_id"),
               "diff_id: invalid digest");
  CHECK_THROWS(Digest::parse("sha256:" + kHex.substr(0, 63) + "/", "x"), "invalid digest");
  CHECK_THROWS(Digest::parse("sha256:" + std::string(64, 'A'), "x"), "invalid digest");
  CHECK_THROWS(Digest::parse("sha256:" + kHex + "0", "x"), "invalid digest");
  CHECK_THROWS(Digest::parse("", "x"), "invalid digest");
  CHECK(!Digest::try_parse("sha256:" + kHex + "\n"));
  CHECK(!Digest::from_hex(kHex.substr(1) + "."));
}

TEST(digest_names_other_algorithms_unsupported) {
  CHECK_THROWS(Digest::parse("sha512:" + kHex + kHex, "layer"), "unsupported digest algorithm");
  CHECK_THROWS(Digest::parse("blake3:" + kHex, "layer"), "unsupported digest algorithm");
}

TEST(digest_messages_stay_one_printable_line) {
  try {
    Digest::parse("sha256:\x1b[31m\nx" + std::string(500, 'y'), "x");
    CHECK(false);
  } catch (const Error& e) {
    std::string m = e.what();
    CHECK(m.find('\n') == std::string::npos);
    CHECK(m.find('\x1b') == std::string::npos);
    CHECK(m.size() < 300);
  }
}

TEST(digest_of_content) {
  CHECK_EQ(Digest::of("").str(), std::string("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}
