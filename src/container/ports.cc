#include "container/ports.h"

namespace hutch {

std::vector<PublishedPort> published_ports(const ContainerRecord&) { return {}; }

std::string private_port_name(const PublishedPort& port) {
  return std::to_string(port.container_port) + "/" + port.protocol;
}

std::string host_address(const PublishedPort& port) {
  // docker 20.10 joins them unbracketed: ":::8080" for IPv6.
  return port.host_ip + ":" + std::to_string(port.host_port);
}

std::string ports_column(const std::vector<PublishedPort>& ports) {
  std::string out;
  for (const auto& p : ports) {
    out += (out.empty() ? "" : ", ") + host_address(p) + "->" + private_port_name(p);
  }
  return out;
}

}  // namespace hutch
