#include "container/network_mode.h"

namespace hutch {

bool uses_network_engine(const HostConfig& host) {
  const std::string& mode = host.network_mode;
  return mode.empty() || mode == "default" || mode == "bridge" || mode == "pasta" ||
         mode == "slirp4netns";
}

std::string network_container(const HostConfig& host) {
  return host.network_mode.rfind("container:", 0) == 0 ? host.network_mode.substr(10) : "";
}

bool is_known_network_mode(const HostConfig& host) {
  const std::string& mode = host.network_mode;
  return uses_network_engine(host) || mode == "none" || mode == "private" || mode == "host" ||
         mode.rfind("container:", 0) == 0;
}

std::string user_network(const HostConfig& host) { return is_known_network_mode(host) ? "" : host.network_mode; }

}  // namespace hutch
