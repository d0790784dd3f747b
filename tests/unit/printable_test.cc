#include "base/error.h"
#include "base/printable.h"
#include "test.h"

using namespace hutch;

TEST(printable_escapes_controls_like_go_q) {
  CHECK_EQ(printable("tag\x1b[31mred\x1b[0m"), std::string("tag\\x1b[31mred\\x1b[0m"));
  CHECK_EQ(printable("a\nb\tc\rd"), std::string("a\\nb\\tc\\rd"));
  CHECK_EQ(printable(std::string("nul\0x", 5)), std::string("nul\\x00x"));
  CHECK_EQ(printable("del\x7f"), std::string("del\\x7f"));
}

TEST(printable_keeps_utf8_and_escapes_c1_and_bad_bytes) {
  CHECK_EQ(printable("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xb3 C:\\x"), std::string("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xb3 C:\\x"));
  CHECK_EQ(printable("csi\xc2\x9b" "2J"), std::string("csi\\u009b2J"));  // C1 CSI, UTF-8 encoded
  CHECK_EQ(printable("raw\x9b" "2J"), std::string("raw\\x9b2J"));        // CSI to an 8-bit terminal
  CHECK_EQ(printable("cut\xe2\x9c"), std::string("cut\\xe2\\x9c"));
  CHECK_EQ(printable("over\xc0\xaf"), std::string("over\\xc0\\xaf"));
}

TEST(errors_keep_their_hint_through_context) {
  try {
    with_context("outer", [] { fail_usage(kExitRunner, "See 'hutch run --help'.", "unknown flag: --%s", "x\ny"); });
    CHECK(false);
  } catch (const Error& e) {
    CHECK_EQ(std::string(e.what()), std::string("outer: unknown flag: --x\ny"));
    CHECK_EQ(e.hint(), std::string("See 'hutch run --help'."));
  }
}

TEST(quoted_is_go_strconv_quote) {
  CHECK_EQ(quoted("sh -c \"echo\\x\" \x1b[2J"), std::string("\"sh -c \\\"echo\\\\x\\\" \\x1b[2J\""));
  CHECK_EQ(quoted("caf\xc3\xa9"), std::string("\"caf\xc3\xa9\""));
}
