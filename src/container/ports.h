// The ports a running container publishes on the host (docker's -p and -P),
// as its record keeps them, and the forms ps and port show them in.
#pragma once
#include <string>
#include <vector>

#include "store/containers.h"

namespace hutch {

struct PublishedPort {
  int container_port = 0;
  std::string protocol = "tcp";  // tcp | udp | sctp
  std::string host_ip;           // "0.0.0.0", "::", or an address; "" for exposed only (listed_ports)
  int host_port = 0;
};

// What ps lists: the published ports and the exposed ones, these with no
// host side (host_ip ""); none when it is not running.
std::vector<PublishedPort> listed_ports(const ContainerRecord& container);
// Only those published on the host (what `port` shows).
std::vector<PublishedPort> published_ports(const ContainerRecord& container);

// "80/tcp": the container side, as port's argument and output name it.
std::string private_port_name(const PublishedPort& port);
// "0.0.0.0:8080": the host side (":::8080" for IPv6).
std::string host_address(const PublishedPort& port);
// ps's PORTS column: "0.0.0.0:8080->80/tcp, :::8080->80/tcp, 443/tcp".
std::string ports_column(std::vector<PublishedPort> ports);

}  // namespace hutch
