// IPv4 addresses and subnets as numbers, for networks' subnets, gateways and
// the addresses handed to their containers ("172.18.0.0/16", host 2 is
// 172.18.0.2). Addresses are host-order uint32_t: 172.18.0.1 is 0xac120001.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hutch {

// A dotted quad as Go's net.ParseIP reads IPv4 (no leading zeros); nullopt
// for anything else, IPv6 included.
std::optional<uint32_t> parse_ipv4(const std::string& text);
std::string format_ipv4(uint32_t address);

struct Ipv4Subnet {
  uint32_t base = 0;  // host bits zero
  int prefix = 0;     // 0..32

  uint32_t mask() const { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
  uint32_t last() const { return base | ~mask(); }  // the broadcast address
  bool contains(uint32_t address) const { return (address & mask()) == base; }
  bool overlaps(const Ipv4Subnet& other) const { return contains(other.base) || other.contains(base); }
  // The n-th address from the base: host(1) is the first host, docker's
  // default gateway. The caller keeps n inside the subnet.
  uint32_t host(uint32_t n) const { return base + n; }
  std::string format() const;  // "172.18.0.0/16"
  bool operator==(const Ipv4Subnet& other) const { return base == other.base && prefix == other.prefix; }
};

// "ADDRESS/PREFIX" as Go's net.ParseCIDR takes it for IPv4; nullopt when it
// is not one. The subnet's base has the host bits cleared; `address`, when
// given, gets the address as written, so that a caller can refuse
// "172.18.0.5/16" as docker does.
std::optional<Ipv4Subnet> parse_ipv4_subnet(const std::string& text, uint32_t* address = nullptr);

// docker's default local address pools, in order: 172.17.0.0/16 ...
// 172.31.0.0/16, then 192.168.0.0/16 cut into /20s. The first that overlaps
// none of `taken`; nullopt when all are used.
std::optional<Ipv4Subnet> free_default_pool(const std::vector<Ipv4Subnet>& taken);

}  // namespace hutch
