#include "cli/filters.h"

#include "base/error.h"
#include "test.h"

using namespace hutch;

TEST(path_match_is_gos) {
  CHECK(path_match("busybox", "busybox"));
  CHECK(path_match("busy*", "busybox"));
  CHECK(!path_match("*", "hutch-test/base"));  // '*' does not cross '/'
  CHECK(path_match("*/*", "hutch-test/base"));
  CHECK(path_match("hutch-test/*:v?", "hutch-test/base:v1"));
  CHECK(!path_match("hutch-test/*:v?", "hutch-test/base:v10"));
  CHECK(path_match("[a-c]at", "bat"));
  CHECK(!path_match("[^a-c]at", "bat"));
  CHECK(path_match("a\\*b", "a*b"));
  CHECK(!path_match("a\\*b", "axb"));
  CHECK(path_match("*b*", "abc"));
  CHECK(!path_match("a", "ab"));
  CHECK_THROWS(path_match("[", "a"), "syntax error in pattern");
  CHECK_THROWS(path_match("x[", "y"), "syntax error in pattern");
}

TEST(filters_parse_validate_match) {
  Filters f({"dangling=true", " Label = a=1 ", "label=b", "reference=x"}, "-f, --filter", "images");
  CHECK(f.contains("dangling"));
  CHECK(f.contains("label"));
  CHECK(*f.get_bool("dangling"));
  CHECK_EQ(f.get("label").size(), (size_t)2);
  CHECK(f.match_labels("label", {{"a", "1"}, {"b", "anything"}}));
  CHECK(!f.match_labels("label", {{"a", "2"}, {"b", "x"}}));
  CHECK(!f.match_labels("label", {}));
  CHECK(f.match_labels("nolabel", {}));
  CHECK_THROWS(f.validate({"dangling", "label"}), "invalid filter 'reference'");
  CHECK_THROWS(Filters({"nonsense"}, "-f, --filter", "images"),
               "invalid argument \"nonsense\" for \"-f, --filter\" flag: bad format of filter (expected name=value)");
  CHECK_THROWS(Filters({"dangling=maybe"}, "-f, --filter", "images").get_bool("dangling"),
               "invalid filter 'dangling=[maybe]'");
  CHECK_THROWS(Filters({"dangling=true", "dangling=false"}, "-f", "images").get_bool("dangling"),
               "invalid filter 'dangling=[false true]'");
}

TEST(until_timestamps) {
  time_t now = 1700000000;
  CHECK_EQ(parse_until("10m", now), now - 600);
  CHECK_EQ(parse_until("1h30m", now), now - 5400);
  CHECK_EQ(parse_until("1699999000", now), (time_t)1699999000);
  CHECK_EQ(parse_until("2024-01-02T03:04:05Z", now), (time_t)1704164645);
  CHECK_EQ(parse_until("2024-01-02T04:04:05+01:00", now), (time_t)1704164645);
  CHECK_THROWS(parse_until("yesterday", now), "invalid value for 'until' filter");
}
