#include "base/error.h"
#include "base/go_values.h"
#include "test.h"

using namespace hutch;
using std::chrono::nanoseconds;

TEST(go_bool_is_strconv_parse_bool) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) CHECK(parse_go_bool(t));
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) CHECK(!parse_go_bool(f));
  CHECK_THROWS(parse_go_bool("yes"), "strconv.ParseBool: parsing \"yes\": invalid syntax");
  CHECK_THROWS(parse_go_bool("tRUE"), "invalid syntax");
  CHECK_THROWS(parse_go_bool(""), "parsing \"\": invalid syntax");
}

TEST(go_int_is_strconv_parse_int_base_0) {
  CHECK_EQ(parse_go_int("42"), int64_t(42));
  CHECK_EQ(parse_go_int("-42"), int64_t(-42));
  CHECK_EQ(parse_go_int("+7"), int64_t(7));
  CHECK_EQ(parse_go_int("0x1F"), int64_t(31));
  CHECK_EQ(parse_go_int("0o17"), int64_t(15));
  CHECK_EQ(parse_go_int("017"), int64_t(15));
  CHECK_EQ(parse_go_int("0b101"), int64_t(5));
  CHECK_EQ(parse_go_int("1_000"), int64_t(1000));
  CHECK_EQ(parse_go_int("0"), int64_t(0));
  CHECK_EQ(parse_go_int("-9223372036854775808"), INT64_MIN);
  CHECK_EQ(parse_go_int("9223372036854775807"), INT64_MAX);
  CHECK_THROWS(parse_go_int("9223372036854775808"), "strconv.ParseInt: parsing \"9223372036854775808\": value out of range");
  CHECK_THROWS(parse_go_int("abc"), "strconv.ParseInt: parsing \"abc\": invalid syntax");
  CHECK_THROWS(parse_go_int(""), "invalid syntax");
  CHECK_THROWS(parse_go_int("1__0"), "invalid syntax");
  CHECK_THROWS(parse_go_int("_1"), "invalid syntax");
  CHECK_THROWS(parse_go_int("09"), "invalid syntax");
  CHECK_THROWS(parse_go_int(" 1"), "invalid syntax");
  CHECK_EQ(parse_go_int("-128", 8), int64_t(-128));
  CHECK_THROWS(parse_go_int("128", 8), "value out of range");
  CHECK_THROWS(parse_go_int("2147483648", 32), "value out of range");
}

TEST(go_uint_is_strconv_parse_uint) {
  CHECK_EQ(parse_go_uint("18446744073709551615"), UINT64_MAX);
  CHECK_THROWS(parse_go_uint("18446744073709551616"), "strconv.ParseUint: parsing \"18446744073709551616\": value out of range");
  CHECK_THROWS(parse_go_uint("-1"), "strconv.ParseUint: parsing \"-1\": invalid syntax");
  CHECK_EQ(parse_go_uint("65535", 16), uint64_t(65535));
  CHECK_THROWS(parse_go_uint("65536", 16), "value out of range");
}

TEST(go_units_ram_in_bytes) {
  CHECK_EQ(parse_ram_in_bytes("64m"), int64_t(64) << 20);
  CHECK_EQ(parse_ram_in_bytes("64M"), int64_t(64) << 20);
  CHECK_EQ(parse_ram_in_bytes("1g"), int64_t(1) << 30);
  CHECK_EQ(parse_ram_in_bytes("1GB"), int64_t(1) << 30);
  CHECK_EQ(parse_ram_in_bytes("1GiB"), int64_t(1) << 30);
  CHECK_EQ(parse_ram_in_bytes("512k"), int64_t(512) << 10);
  CHECK_EQ(parse_ram_in_bytes("2t"), int64_t(2) << 40);
  CHECK_EQ(parse_ram_in_bytes("1p"), int64_t(1) << 50);
  CHECK_EQ(parse_ram_in_bytes("100"), int64_t(100));
  CHECK_EQ(parse_ram_in_bytes("100b"), int64_t(100));
  CHECK_EQ(parse_ram_in_bytes("32 kb"), int64_t(32) << 10);
  CHECK_EQ(parse_ram_in_bytes("1.5k"), int64_t(1536));
  CHECK_EQ(parse_ram_in_bytes("0.5"), int64_t(0));
  CHECK_THROWS(parse_ram_in_bytes("abc"), "invalid size: 'abc'");
  CHECK_THROWS(parse_ram_in_bytes(""), "invalid size: ''");
  CHECK_THROWS(parse_ram_in_bytes("1x"), "invalid suffix: 'x'");
  CHECK_THROWS(parse_ram_in_bytes("1kx"), "invalid suffix: 'kx'");
  CHECK_THROWS(parse_ram_in_bytes("1bb"), "invalid suffix: 'bb'");
  CHECK_THROWS(parse_ram_in_bytes("1kib2"), "strconv.ParseFloat: parsing \"1kib2\": invalid syntax");
  CHECK_THROWS(parse_ram_in_bytes("-1"), "invalid size: '-1'");
  CHECK_EQ(format_bytes_size(int64_t(64) << 20), std::string("64MiB"));
  CHECK_EQ(format_bytes_size(1536), std::string("1.5KiB"));
  CHECK_EQ(format_bytes_size(100), std::string("100B"));
}

TEST(go_duration_is_time_parse_duration) {
  CHECK_EQ(parse_go_duration("10s").count(), int64_t(10'000'000'000));
  CHECK_EQ(parse_go_duration("1m30s").count(), int64_t(90'000'000'000));
  CHECK_EQ(parse_go_duration("500ms").count(), int64_t(500'000'000));
  CHECK_EQ(parse_go_duration("1h").count(), int64_t(3'600'000'000'000));
  CHECK_EQ(parse_go_duration("1.5h").count(), int64_t(5'400'000'000'000));
  CHECK_EQ(parse_go_duration("-2us").count(), int64_t(-2000));
  CHECK_EQ(parse_go_duration("3\u00b5s").count(), int64_t(3000));
  CHECK_EQ(parse_go_duration("7ns").count(), int64_t(7));
  CHECK_EQ(parse_go_duration(".5s").count(), int64_t(500'000'000));
  CHECK_EQ(parse_go_duration("0").count(), int64_t(0));
  CHECK_EQ(parse_go_duration("+0").count(), int64_t(0));
  CHECK_THROWS(parse_go_duration("10"), "time: missing unit in duration \"10\"");
  CHECK_THROWS(parse_go_duration("10x"), "time: unknown unit \"x\" in duration \"10x\"");
  CHECK_THROWS(parse_go_duration(""), "time: invalid duration \"\"");
  CHECK_THROWS(parse_go_duration("s"), "time: invalid duration \"s\"");
  CHECK_THROWS(parse_go_duration("."), "time: invalid duration \".\"");
  CHECK_THROWS(parse_go_duration("9999999999h"), "time: invalid duration");
}

TEST(go_duration_string) {
  CHECK_EQ(format_go_duration(nanoseconds(0)), std::string("0s"));
  CHECK_EQ(format_go_duration(std::chrono::seconds(90)), std::string("1m30s"));
  CHECK_EQ(format_go_duration(std::chrono::hours(1)), std::string("1h0m0s"));
  CHECK_EQ(format_go_duration(std::chrono::milliseconds(500)), std::string("500ms"));
  CHECK_EQ(format_go_duration(std::chrono::milliseconds(1500)), std::string("1.5s"));
  CHECK_EQ(format_go_duration(nanoseconds(1200)), std::string("1.2\u00b5s"));
  CHECK_EQ(format_go_duration(nanoseconds(-7)), std::string("-7ns"));
}
