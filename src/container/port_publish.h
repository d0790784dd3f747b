// Published ports at a container's start: -p's bindings, and with -P every
// exposed port, given host ports that are free now. The network engine then
// listens on them, and the record keeps them while the container runs.
#pragma once
#include <string>
#include <vector>

#include "base/fd.h"
#include "store/container_config.h"

namespace hutch {

struct HostPortRequest {
  std::string protocol;    // tcp | udp
  int container_port = 0;
  std::string host_ip;     // "" for every address
  int host_port = 0;       // taken, never 0
};

// Throws docker's message (with endpoint naming the container) for a port
// that is taken or not the user's to bind, or a protocol the engine lacks.
std::vector<HostPortRequest> take_host_ports(const HostConfig& host, const ContainerConfig& config,
                                             const std::string& endpoint);

// The sockets of ports take_host_ports took, bound for good (listening, for
// TCP): what a user network's keeper forwards from. The same messages.
std::vector<Fd> bind_host_ports(const std::vector<HostPortRequest>& taken, const std::string& endpoint);

// NetworkSettings.Ports: an address given as "" is 0.0.0.0 (the engine's
// network is IPv4 only, as docker's default bridge is); exposed ports without
// a binding are listed empty.
PortBindings recorded_ports(const std::vector<HostPortRequest>& taken, const ContainerConfig& config);

}  // namespace hutch
