#include "cli/network_inspect.h"

#include "base/ipv4_subnet.h"
#include "base/json_writer.h"
#include "container/network_keeper.h"

namespace hutch {

namespace {

void write_endpoint(JsonWriter& w, const ContainerRecord& c, const Network& n) {
  std::string ipv4, mac;
  auto subnet = parse_ipv4_subnet(n.subnet);
  std::string ip = c.address_on(n.name, n.id);
  if (auto address = parse_ipv4(ip)) {
    ipv4 = ip + "/" + std::to_string(subnet ? subnet->prefix : 32);
    // --mac-address is its first network's.
    bool first = ip == c.ip_address;
    mac = first && !c.config.mac_address.empty() ? c.config.mac_address : docker_mac_address(*address);
  }
  w.key(c.id).begin_object().field("Name", c.name).field("EndpointID", "").field("MacAddress", mac);
  w.field("IPv4Address", ipv4).field("IPv6Address", "").end_object();
}

}  // namespace

std::string network_inspect_json(const Network& n, const std::vector<ContainerRecord>& endpoints) {
  JsonWriter w;
  w.begin_object()
      .field("Name", n.name)
      .field("Id", n.id)
      .field("Created", n.created)
      .field("Scope", n.scope)
      .field("Driver", n.driver)
      .field("EnableIPv6", n.ipv6);
  w.key("IPAM").begin_object().field("Driver", "default").key("Options");
  // docker's predefined networks have no IPAM options at all; a created one
  // has the (empty) map its CLI sent.
  if (n.predefined()) w.null();
  else w.begin_object().end_object();
  w.key("Config").begin_array();
  if (!n.subnet.empty()) w.begin_object().field("Subnet", n.subnet).field("Gateway", n.gateway).end_object();
  w.end_array().end_object();
  w.field("Internal", n.internal).field("Attachable", n.attachable).field("Ingress", false);
  w.key("ConfigFrom").begin_object().field("Network", "").end_object().field("ConfigOnly", false);
  w.key("Containers").begin_object();
  for (const auto& c : endpoints) write_endpoint(w, c, n);
  w.end_object();
  write_string_map(w, "Options", n.options);
  write_string_map(w, "Labels", n.labels);
  w.end_object();
  return w.str();
}

}  // namespace hutch
