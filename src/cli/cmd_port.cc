// hutch port: the container's published ports (container/ports.h), as
// docker's `port` prints them.
#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "base/error.h"
#include "base/printable.h"
#include "cli/commands.h"
#include "container/ports.h"
#include "store/containers.h"

namespace hutch {

namespace {

// nat.ParsePortRange's checks of PRIVATE_PORT: a port or a range "80-90".
std::string port_number(const std::string& text) {
  if (text.empty()) fail("Empty string specified for ports.");
  auto number = [](const std::string& s) {
    char* end = nullptr;
    errno = 0;
    unsigned long n = strtoul(s.c_str(), &end, 10);
    if (s.empty() || !isdigit((unsigned char)s[0]) || *end || errno == ERANGE || n > 65535)
      fail("strconv.ParseUint: parsing %s: %s", quoted(s).c_str(),
           errno == ERANGE || (n > 65535 && !*end) ? "value out of range" : "invalid syntax");
    return n;
  };
  size_t dash = text.find('-');
  if (dash == std::string::npos) return std::to_string(number(text));
  unsigned long start = number(text.substr(0, dash)), end = number(text.substr(dash + 1));
  if (end < start) fail("Invalid range specified for the Port: %s", text.c_str());
  return start == end ? std::to_string(start) : std::to_string(start) + "-" + std::to_string(end);
}

int port(NoOptions&, const Args& args) {
  Store store = open_store();
  const std::string& name = args.positional[0];
  ContainerRecord c = ContainerStore(store).find(name);
  std::vector<PublishedPort> ports = published_ports(c);
  if (args.positional.size() == 1) {
    // docker sorts the lines.
    std::vector<std::string> lines;
    for (const auto& p : ports) lines.push_back(private_port_name(p) + " -> " + host_address(p));
    std::sort(lines.begin(), lines.end());
    for (const auto& line : lines) printf("%s\n", line.c_str());
    return 0;
  }
  const std::string& given = args.positional[1];
  size_t slash = given.find('/');
  std::string proto = slash == std::string::npos || slash + 1 == given.size() ? "tcp" : given.substr(slash + 1);
  std::string wanted = port_number(given.substr(0, slash)) + "/" + proto;
  std::string shown = given.substr(0, slash) + "/" + proto;
  bool found = false;
  for (const auto& p : ports) {
    if (private_port_name(p) != wanted) continue;
    printf("%s\n", host_address(p).c_str());
    found = true;
  }
  if (!found) fail("Error: No public port '%s' published for %s", shown.c_str(), name.c_str());
  return 0;
}

}  // namespace

Command port_command() {
  return make_command<NoOptions>(
      {.name = "port",
       .args = "CONTAINER [PRIVATE_PORT[/PROTO]]",
       .summary = "List port mappings or a specific mapping for the container",
       .description = "Prints each port the running container publishes (run -p, -P) as PRIVATE_PORT/PROTO -> "
                      "HOST_IP:HOST_PORT, or for one private port (tcp unless /PROTO says otherwise) its host "
                      "addresses. A stopped container publishes none.",
       .min_args = 1,
       .max_args = 2},
      {}, port);
}

}  // namespace hutch
