#include "base/error.h"
#include "base/human.h"
#include "base/json_reader.h"
#include "base/json_writer.h"
#include "base/sha256.h"
#include "test.h"

using namespace hutch;

TEST(sha256_known_vectors) {
  CHECK_EQ(sha256_hex(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK_EQ(sha256_hex("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  Sha256 h;  // across block boundaries in odd pieces
  std::string million(1000000, 'a');
  for (size_t i = 0; i < million.size(); i += 4093) h.update(million.substr(i, 4093));
  CHECK_EQ(h.hex(), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

TEST(human_size_like_docker) {
  CHECK_EQ(human_size(120), std::string("120B"));
  CHECK_EQ(human_size(4860), std::string("4.86kB"));
  CHECK_EQ(human_size(1982548), std::string("1.98MB"));
}

TEST(human_duration_like_docker) {
  CHECK_EQ(human_duration(0), std::string("Less than a second"));
  CHECK_EQ(human_duration(45), std::string("45 seconds"));
  CHECK_EQ(human_duration(90), std::string("About a minute"));
  CHECK_EQ(human_duration(3600), std::string("About an hour"));
  CHECK_EQ(human_duration(3 * 86400), std::string("3 days"));
  CHECK_EQ(human_duration(3 * 365 * 86400), std::string("3 years"));
}

TEST(rfc3339_round_trip) {
  CHECK_EQ(parse_rfc3339(rfc3339(1700000000, 5)), (time_t)1700000000);
  CHECK_EQ(parse_rfc3339("2024-01-02T03:04:05+01:00"), (time_t)1704161045);
}

TEST(json_round_trip_and_errors) {
  JsonWriter w;
  w.begin_object().field("a", "x\"y\n").key("b").string_array({"1", "2"}).field("n", 42).end_object();
  JsonValue v = parse_json(w.str(), "test");
  CHECK_EQ(v.string_at("a"), std::string("x\"y\n"));
  CHECK_EQ(v.strings_at("b").size(), 2u);
  CHECK_EQ(v.int_at("n"), (int64_t)42);
  CHECK_EQ(parse_json(v.to_json(), "again").string_at("a"), std::string("x\"y\n"));
  CHECK_THROWS(parse_json("{\"a\":", "broken"), "invalid JSON in broken");
}
