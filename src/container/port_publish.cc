#include "container/port_publish.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/fd.h"
#include "base/strings.h"
#include "container/port_spec.h"

namespace hutch {

namespace {

// Binds a socket as the engine will (SO_REUSEADDR for TCP, as every server
// does), on ip or every address; returns the port, or -errno. With `keep`,
// the socket is kept there, listening for TCP.
int try_bind(const std::string& protocol, const std::string& ip, int port, Fd* keep = nullptr) {
  Fd s(::socket(AF_INET, (protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  if (!s) return -errno;
  int one = 1;
  if (protocol == "tcp") setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, ip.empty() ? "0.0.0.0" : ip.c_str(), &addr.sin_addr);
  socklen_t len = sizeof addr;
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0) return -errno;
  // A listening TCP socket is what conflicts with another listener.
  if (protocol == "tcp" && ::listen(s.get(), keep ? SOMAXCONN : 1) < 0) return -errno;
  if (getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len) < 0) return -errno;
  if (keep) *keep = std::move(s);
  return ntohs(addr.sin_port);
}

// Go's words for the errors a bind gives, which docker's message carries.
std::string go_error_text(int err) {
  if (err == EADDRINUSE) return "address already in use";
  if (err == EACCES) return "permission denied";
  if (err == EADDRNOTAVAIL) return "cannot assign requested address";
  return lowercase(strerror(err));
}

std::string shown_address(const std::string& ip, const std::string& port) {
  return (ip.empty() ? "0.0.0.0" : ip) + ":" + port;
}

[[noreturn]] void refuse(const std::string& endpoint, const std::string& protocol, const std::string& ip,
                         const std::string& shown_port, int err) {
  fail("driver failed programming external connectivity on endpoint %s: Error starting userland proxy: "
       "listen %s4 %s: bind: %s", endpoint.c_str(), protocol.c_str(), shown_address(ip, shown_port).c_str(),
       go_error_text(err).c_str());
}

}  // namespace

std::vector<HostPortRequest> take_host_ports(const HostConfig& host, const ContainerConfig& config,
                                             const std::string& endpoint) {
  PortBindings wanted = host.port_bindings;
  // -P: every exposed port not bound by -p, to a port of the kernel's choosing.
  if (host.publish_all_ports)
    for (const auto& port : config.exposed_ports)
      if (std::none_of(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first == port; }))
        wanted.push_back({port, {PortBinding{}}});
  std::vector<HostPortRequest> taken;
  for (const auto& [key, bindings] : wanted) {
    auto port = parse_container_port(key);
    if (!port) fail("invalid port %s", key.c_str());
    if (port->protocol == "sctp")
      fail("driver failed programming external connectivity on endpoint %s: the network engine cannot publish "
           "sctp ports (%s)", endpoint.c_str(), key.c_str());
    for (const auto& b : bindings) {
      if (b.host_ip.find(':') != std::string::npos)
        fail("driver failed programming external connectivity on endpoint %s: cannot publish on the IPv6 address "
             "%s: the container's network is IPv4 only", endpoint.c_str(), b.host_ip.c_str());
      int first = 0, last = 0;
      if (!b.host_port.empty()) {
        size_t dash = b.host_port.find('-');
        first = atoi(b.host_port.c_str());
        last = dash == std::string::npos ? first : atoi(b.host_port.c_str() + dash + 1);
      }
      int got = -EADDRINUSE;
      if (first == 0) {
        got = try_bind(port->protocol, b.host_ip, 0);  // a port the kernel finds free
        if (got < 0) refuse(endpoint, port->protocol, b.host_ip, "0", -got);
      } else {
        for (int p = first; p <= last && got < 0; p++) {
          got = try_bind(port->protocol, b.host_ip, p);
          if (got < 0 && got != -EADDRINUSE) break;
        }
        if (got < 0) refuse(endpoint, port->protocol, b.host_ip, b.host_port, -got);
      }
      taken.push_back({port->protocol, port->number, b.host_ip, got});
    }
  }
  return taken;
}

std::vector<Fd> bind_host_ports(const std::vector<HostPortRequest>& taken, const std::string& endpoint) {
  std::vector<Fd> out;
  for (const auto& t : taken) {
    Fd socket;
    int got = try_bind(t.protocol, t.host_ip, t.host_port, &socket);
    if (got < 0) refuse(endpoint, t.protocol, t.host_ip, std::to_string(t.host_port), -got);
    out.push_back(std::move(socket));
  }
  return out;
}

PortBindings recorded_ports(const std::vector<HostPortRequest>& taken, const ContainerConfig& config) {
  PortBindings out;
  for (const auto& t : taken) {
    std::string key = std::to_string(t.container_port) + "/" + t.protocol;
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == key; });
    if (it == out.end()) it = out.insert(out.end(), {key, {}});
    it->second.push_back({t.host_ip.empty() ? "0.0.0.0" : t.host_ip, std::to_string(t.host_port)});
  }
  for (const auto& exposed : config.exposed_ports)
    if (std::none_of(out.begin(), out.end(), [&](const auto& p) { return p.first == exposed; }))
      out.push_back({exposed, {}});
  return out;
}

}  // namespace hutch
