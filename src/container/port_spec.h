// docker's -p and --expose, read as its CLI reads them (nat.ParsePortSpec):
// what they add to Config.ExposedPorts and HostConfig.PortBindings.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "store/container_config.h"

namespace hutch {

// One -p: [IP:][HOSTPORT:]CTRPORT[/PROTO], ports or ranges, IPv6 addresses in
// brackets, or the long form target=80,published=8080,protocol=udp. Throws
// docker's message for a malformed one.
void add_publish_flag(const std::string& spec, std::vector<std::string>& exposed, PortBindings& bindings);

// One --expose: PORT[/PROTO] or START-END[/PROTO].
void add_expose_flag(const std::string& spec, std::vector<std::string>& exposed);

// "80/tcp" -> {80, "tcp"}; nullopt for anything else.
struct ContainerPort {
  int number = 0;
  std::string protocol;
};
std::optional<ContainerPort> parse_container_port(const std::string& key);

}  // namespace hutch
