#include "base/ipv4_subnet.h"
#include "test.h"

using namespace hutch;

TEST(ipv4_parses_dotted_quads_only) {
  CHECK(parse_ipv4("172.18.0.1") == std::optional<uint32_t>(0xac120001));
  CHECK(parse_ipv4("0.0.0.0") == std::optional<uint32_t>(0));
  CHECK(parse_ipv4("255.255.255.255") == std::optional<uint32_t>(0xffffffff));
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "1..2.3", "::1", "1.2.3.1000", "a.b.c.d"})
    CHECK(!parse_ipv4(bad));
  CHECK_EQ(format_ipv4(0xc0a81001), std::string("192.168.16.1"));
}

TEST(ipv4_subnet_parses_cidr_and_keeps_the_written_address) {
  uint32_t address = 0;
  std::optional<Ipv4Subnet> subnet = parse_ipv4_subnet("172.20.0.5/16", &address);
  CHECK(subnet.has_value());
  CHECK_EQ(subnet->format(), std::string("172.20.0.0/16"));
  CHECK_EQ(format_ipv4(address), std::string("172.20.0.5"));
  CHECK_EQ(format_ipv4(subnet->last()), std::string("172.20.255.255"));
  CHECK_EQ(format_ipv4(subnet->host(1)), std::string("172.20.0.1"));
  CHECK_EQ(parse_ipv4_subnet("0.0.0.0/0")->mask(), uint32_t{0});
  CHECK_EQ(parse_ipv4_subnet("10.1.2.3/32")->format(), std::string("10.1.2.3/32"));
  for (const char* bad : {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/a", "fd00::/64", "10.0.0/8"})
    CHECK(!parse_ipv4_subnet(bad));
}

TEST(ipv4_subnet_contains_and_overlaps) {
  Ipv4Subnet wide = *parse_ipv4_subnet("10.0.0.0/8");
  Ipv4Subnet narrow = *parse_ipv4_subnet("10.9.0.0/16");
  Ipv4Subnet other = *parse_ipv4_subnet("11.0.0.0/16");
  CHECK(wide.contains(*parse_ipv4("10.255.0.1")));
  CHECK(!wide.contains(*parse_ipv4("11.0.0.0")));
  CHECK(wide.overlaps(narrow));
  CHECK(narrow.overlaps(wide));
  CHECK(!wide.overlaps(other));
}

TEST(default_pools_go_in_dockers_order_skipping_taken_ones) {
  std::vector<Ipv4Subnet> taken{*parse_ipv4_subnet("172.17.0.0/16")};
  CHECK_EQ(free_default_pool(taken)->format(), std::string("172.18.0.0/16"));
  taken.push_back(*parse_ipv4_subnet("172.18.5.0/24"));  // a user's --subnet inside the next pool
  CHECK_EQ(free_default_pool(taken)->format(), std::string("172.19.0.0/16"));
  for (int second = 19; second <= 31; ++second) taken.push_back({(172u << 24) | uint32_t(second) << 16, 16});
  CHECK_EQ(free_default_pool(taken)->format(), std::string("192.168.0.0/20"));
  taken.push_back(*parse_ipv4_subnet("192.168.0.0/20"));
  CHECK_EQ(free_default_pool(taken)->format(), std::string("192.168.16.0/20"));
  taken.push_back(*parse_ipv4_subnet("192.168.0.0/16"));
  CHECK(!free_default_pool(taken));
}
