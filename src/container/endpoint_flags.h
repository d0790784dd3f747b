// The flags that say how a container sits on its network beyond --network:
// --ip, --network-alias, --mac-address and --link, checked as docker's CLI
// checks them. Only a user network has room for the first two and for links
// (containers on the default network each have a network of their own).
#pragma once
#include <string>
#include <utility>

namespace hutch {

void check_ipv4_flag(const std::string& value);
// A name the network's DNS can answer: letters, digits, '_', '.', '-'.
void check_network_alias(const std::string& value);
void check_mac_address(const std::string& value);
// "NAME[:ALIAS]" -> {NAME, ALIAS} (ALIAS defaults to NAME, a leading "/" of
// either dropped).
std::pair<std::string, std::string> parse_link(const std::string& value);

}  // namespace hutch
