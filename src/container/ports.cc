#include "container/ports.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "container/port_spec.h"

namespace hutch {

std::vector<PublishedPort> listed_ports(const ContainerRecord& container) {
  std::vector<PublishedPort> out;
  if (!container.is_running()) return out;
  for (const auto& [key, bindings] : container.ports) {
    auto port = parse_container_port(key);
    if (!port) continue;
    // An exposed port that is not published: listed with no host side.
    if (bindings.empty()) out.push_back({port->number, port->protocol, "", 0});
    for (const auto& b : bindings) out.push_back({port->number, port->protocol, b.host_ip, atoi(b.host_port.c_str())});
  }
  return out;
}

std::vector<PublishedPort> published_ports(const ContainerRecord& container) {
  std::vector<PublishedPort> out;
  for (const auto& p : listed_ports(container))
    if (!p.host_ip.empty()) out.push_back(p);
  return out;
}

std::string private_port_name(const PublishedPort& port) {
  return std::to_string(port.container_port) + "/" + port.protocol;
}

std::string host_address(const PublishedPort& port) {
  // docker 20.10 joins them unbracketed: ":::8080" for IPv6.
  return port.host_ip + ":" + std::to_string(port.host_port);
}

std::string ports_column(std::vector<PublishedPort> ports) {
  // docker's DisplayablePorts: sorted, and runs of consecutive ports that
  // are published on the same numbers, or not at all, shown as one range.
  std::sort(ports.begin(), ports.end(), [](const PublishedPort& a, const PublishedPort& b) {
    return std::tie(a.container_port, a.host_ip, a.host_port, a.protocol) <
           std::tie(b.container_port, b.host_ip, b.host_port, b.protocol);
  });
  struct Group {
    int first, last;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order, out, mappings;
  auto shown = [](const std::string& key, const Group& g) {
    size_t slash = key.rfind('/');
    std::string ip = slash == std::string::npos ? "" : key.substr(0, slash);
    std::string proto = slash == std::string::npos ? key : key.substr(slash + 1);
    std::string range = std::to_string(g.first) + (g.first == g.last ? "" : "-" + std::to_string(g.last));
    return (ip.empty() && slash == std::string::npos ? range : ip + ":" + range + "->" + range) + "/" + proto;
  };
  for (const auto& p : ports) {
    std::string key = p.protocol;
    if (!p.host_ip.empty()) {
      if (p.host_port != p.container_port) {
        mappings.push_back(host_address(p) + "->" + private_port_name(p));
        continue;
      }
      key = p.host_ip + "/" + p.protocol;
    }
    auto it = groups.find(key);
    if (it == groups.end()) {
      groups[key] = {p.container_port, p.container_port};
      order.push_back(key);
    } else if (p.container_port == it->second.last + 1) {
      it->second.last = p.container_port;
    } else {
      out.push_back(shown(key, it->second));
      it->second = {p.container_port, p.container_port};
    }
  }
  for (const auto& key : order) out.push_back(shown(key, groups[key]));
  out.insert(out.end(), mappings.begin(), mappings.end());
  std::string text;
  for (const auto& s : out) text += (text.empty() ? "" : ", ") + s;
  return text;
}

}  // namespace hutch
