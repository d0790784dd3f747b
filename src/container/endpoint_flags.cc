#include "container/endpoint_flags.h"

#include <cctype>

#include "base/error.h"
#include "base/ipv4_subnet.h"
#include "base/printable.h"
#include "base/strings.h"

namespace hutch {

void check_ipv4_flag(const std::string& value) {
  if (!parse_ipv4(value)) fail("invalid IPv4 address: %s", printable(value).c_str());
}

void check_network_alias(const std::string& value) {
  bool ok = !value.empty() && value.size() <= 253 && isalnum((unsigned char)value[0]);
  for (unsigned char c : value) ok = ok && (isalnum(c) || c == '_' || c == '.' || c == '-');
  if (!ok) fail("invalid network alias %s: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", printable(value).c_str());
}

void check_mac_address(const std::string& value) {
  // Go's net.ParseMAC, for the 6-byte forms docker accepts.
  std::string hex;
  bool ok = value.size() == 17;
  for (size_t i = 0; ok && i < value.size(); i++) {
    if (i % 3 == 2) ok = value[i] == (value[2] == '-' ? '-' : ':');
    else ok = isxdigit((unsigned char)value[i]) != 0;
  }
  if (!ok) fail("%s is not a valid mac address", printable(value).c_str());
}

std::pair<std::string, std::string> parse_link(const std::string& value) {
  if (value.empty()) fail("empty string specified for links");
  std::vector<std::string> parts = split(value, ':');
  if (parts.size() > 2 || parts[0].empty() || (parts.size() == 2 && parts[1].empty()))
    fail("invalid argument \"%s\" for \"--link\" flag: bad format for links: %s", printable(value).c_str(),
         printable(value).c_str());
  auto bare = [](std::string s) { return s[0] == '/' ? s.substr(1) : s; };
  std::string name = bare(parts[0]);
  return {name, parts.size() == 2 ? bare(parts[1]) : name};
}

}  // namespace hutch
