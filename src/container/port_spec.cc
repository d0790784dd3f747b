#include "container/port_spec.h"

#include <algorithm>
#include <optional>

#include "base/error.h"
#include "base/ip_address.h"
#include "base/strings.h"

namespace hutch {

namespace {

struct PortRange {
  unsigned start = 0, end = 0;
};

// Go's strconv.ParseUint(s, 10, 16).
std::optional<unsigned> parse_port(const std::string& s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  unsigned n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > 65535) return std::nullopt;
  return n;
}

// nat.ParsePortRange: "80" or "80-90".
std::optional<PortRange> parse_range(const std::string& s) {
  size_t dash = s.find('-');
  if (dash == std::string::npos) {
    auto n = parse_port(s);
    if (!n) return std::nullopt;
    return PortRange{*n, *n};
  }
  auto start = parse_port(s.substr(0, dash)), end = parse_port(s.substr(dash + 1));
  if (!start || !end || *end < *start) return std::nullopt;
  return PortRange{*start, *end};
}

// nat.SplitProtoPort: "80/udp" -> ("udp", "80"); "80" and "80/" are tcp.
std::pair<std::string, std::string> split_proto_port(const std::string& raw) {
  std::vector<std::string> parts = split(raw, '/');
  if (raw.empty() || parts[0].empty()) return {"", ""};
  if (parts.size() == 1 || parts[1].empty()) return {"tcp", parts[0]};
  return {parts[1], parts[0]};
}

bool valid_protocol(const std::string& proto) { return proto == "tcp" || proto == "udp" || proto == "sctp"; }

void add_exposed(std::vector<std::string>& exposed, const std::string& port) {
  if (std::find(exposed.begin(), exposed.end(), port) == exposed.end()) exposed.push_back(port);
}

// docker's CLI turns the long form into the short one before parsing it.
std::string standard_notation(const std::string& spec) {
  if (spec.find('=') == std::string::npos) return spec;
  std::string published, target, protocol = "tcp";
  for (const auto& param : split(spec, ',')) {
    size_t eq = param.find('=');
    if (eq == std::string::npos)
      fail("invalid publish opts format (should be name=value but got '%s')", param.c_str());
    std::string key = param.substr(0, eq), value = param.substr(eq + 1);
    if (key == "published") published = value;
    else if (key == "target") target = value;
    else if (key == "protocol") protocol = value;
  }
  return published + ":" + target + "/" + protocol;
}

}  // namespace

void add_publish_flag(const std::string& given, std::vector<std::string>& exposed, PortBindings& bindings) {
  std::string spec = standard_notation(given);
  std::vector<std::string> parts = split(spec, ':');
  size_t n = parts.size();
  std::string ip, host_port, container_port = parts[n - 1];
  if (n == 2) host_port = parts[0];
  if (n >= 3) {
    host_port = parts[n - 2];
    for (size_t i = 0; i + 2 < n; i++) ip += (i ? ":" : "") + parts[i];
  }
  auto [proto, port] = split_proto_port(container_port);
  if (!ip.empty() && ip[0] == '[') {
    if (ip.back() != ']') fail("Invalid ip address %s: missing ']' in address", ip.c_str());
    ip = ip.substr(1, ip.size() - 2);
  }
  if (!ip.empty() && !is_ip_address(ip)) fail("Invalid ip address: %s", ip.c_str());
  if (port.empty()) fail("No port specified: %s<empty>", spec.c_str());
  auto ctr = parse_range(port);
  if (!ctr) fail("Invalid containerPort: %s", port.c_str());
  PortRange host;
  if (!host_port.empty()) {
    auto h = parse_range(host_port);
    if (!h) fail("Invalid hostPort: %s", host_port.c_str());
    host = *h;
    // A host range with one container port is where one free port is chosen.
    if (ctr->end - ctr->start != host.end - host.start && ctr->end != ctr->start)
      fail("Invalid ranges specified for container and host Ports: %s and %s", port.c_str(), host_port.c_str());
  }
  proto = lowercase(proto);
  if (!valid_protocol(proto)) fail("Invalid proto: %s", proto.c_str());
  for (unsigned i = 0; i <= ctr->end - ctr->start; i++) {
    std::string key = std::to_string(ctr->start + i) + "/" + proto;
    std::string hp;
    if (!host_port.empty()) {
      hp = std::to_string(host.start + i);
      if (ctr->start == ctr->end && host.start != host.end) hp += "-" + std::to_string(host.end);
    }
    add_exposed(exposed, key);
    auto it = std::find_if(bindings.begin(), bindings.end(), [&](const auto& b) { return b.first == key; });
    if (it == bindings.end()) it = bindings.insert(bindings.end(), {key, {}});
    it->second.push_back({ip, hp});
  }
}

void add_expose_flag(const std::string& spec, std::vector<std::string>& exposed) {
  if (spec.find(':') != std::string::npos) fail("invalid port format for --expose: %s", spec.c_str());
  auto [proto, port] = split_proto_port(spec);
  auto range = parse_range(port);
  if (!range) fail("invalid range format for --expose: %s, error: Invalid range specified for the Port: %s", spec.c_str(), port.c_str());
  for (unsigned p = range->start; p <= range->end; p++) add_exposed(exposed, std::to_string(p) + "/" + proto);
}

std::optional<ContainerPort> parse_container_port(const std::string& key) {
  auto [proto, port] = split_proto_port(key);
  auto n = parse_port(port);
  if (!n || proto.empty()) return std::nullopt;
  return ContainerPort{(int)*n, proto};
}

}  // namespace hutch
