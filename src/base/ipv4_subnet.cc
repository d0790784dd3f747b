#include "base/ipv4_subnet.h"

#include <cstdio>

namespace hutch {

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  uint32_t address = 0;
  size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    size_t start = pos;
    uint32_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 3)
      value = value * 10 + (text[pos++] - '0');
    size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
    address = address << 8 | value;
  }
  if (pos != text.size()) return std::nullopt;
  return address;
}

std::string format_ipv4(uint32_t address) {
  char buf[16];
  snprintf(buf, sizeof buf, "%u.%u.%u.%u", address >> 24, (address >> 16) & 255, (address >> 8) & 255, address & 255);
  return buf;
}

std::string Ipv4Subnet::format() const { return format_ipv4(base) + "/" + std::to_string(prefix); }

std::optional<Ipv4Subnet> parse_ipv4_subnet(const std::string& text, uint32_t* address) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::optional<uint32_t> ip = parse_ipv4(text.substr(0, slash));
  std::string bits = text.substr(slash + 1);
  // Go takes at most 3 decimal digits and no leading zero.
  if (!ip || bits.empty() || bits.size() > 2 || (bits.size() > 1 && bits[0] == '0')) return std::nullopt;
  int prefix = 0;
  for (char c : bits) {
    if (c < '0' || c > '9') return std::nullopt;
    prefix = prefix * 10 + (c - '0');
  }
  if (prefix > 32) return std::nullopt;
  Ipv4Subnet subnet{0, prefix};
  subnet.base = *ip & subnet.mask();
  if (address) *address = *ip;
  return subnet;
}

std::optional<Ipv4Subnet> free_default_pool(const std::vector<Ipv4Subnet>& taken) {
  auto is_free = [&](const Ipv4Subnet& pool) {
    for (const Ipv4Subnet& other : taken)
      if (pool.overlaps(other)) return false;
    return true;
  };
  for (uint32_t second = 17; second <= 31; ++second) {
    Ipv4Subnet pool{(172u << 24) | (second << 16), 16};
    if (is_free(pool)) return pool;
  }
  for (uint32_t third = 0; third < 256; third += 16) {
    Ipv4Subnet pool{(192u << 24) | (168u << 16) | (third << 8), 20};
    if (is_free(pool)) return pool;
  }
  return std::nullopt;
}

}  // namespace hutch
