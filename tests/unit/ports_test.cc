// -p and --expose as docker's CLI reads them, and ps's PORTS column.
#include "base/error.h"
#include "container/port_spec.h"
#include "container/ports.h"
#include "test.h"

using namespace hutch;

namespace {

std::string bindings_text(const PortBindings& bindings) {
  std::string out;
  for (const auto& [port, list] : bindings) {
    out += port + "=";
    for (const auto& b : list) out += "[" + b.host_ip + "|" + b.host_port + "]";
    out += " ";
  }
  return out;
}

std::string published(const std::vector<std::string>& specs, std::vector<std::string>* exposed_out = nullptr) {
  std::vector<std::string> exposed;
  PortBindings bindings;
  for (const auto& s : specs) add_publish_flag(s, exposed, bindings);
  if (exposed_out) *exposed_out = exposed;
  return bindings_text(bindings);
}

}  // namespace

TEST(publish_reads_every_docker_form) {
  CHECK_EQ(published({"80"}), std::string("80/tcp=[|] "));
  CHECK_EQ(published({"8080:80"}), std::string("80/tcp=[|8080] "));
  CHECK_EQ(published({"127.0.0.1:8080:80"}), std::string("80/tcp=[127.0.0.1|8080] "));
  CHECK_EQ(published({"127.0.0.1::80/udp"}), std::string("80/udp=[127.0.0.1|] "));
  CHECK_EQ(published({"[::1]:8080:80"}), std::string("80/tcp=[::1|8080] "));
  CHECK_EQ(published({"80/TCP"}), std::string("80/tcp=[|] "));
  CHECK_EQ(published({"8000-8001:80-81"}), std::string("80/tcp=[|8000] 81/tcp=[|8001] "));
  // A host range for one container port: one free port of it is chosen.
  CHECK_EQ(published({"8000-8010:80"}), std::string("80/tcp=[|8000-8010] "));
  CHECK_EQ(published({"published=8080,target=80,protocol=udp"}), std::string("80/udp=[|8080] "));
  // Two bindings of one port stay two, in order.
  CHECK_EQ(published({"1:80", "2:80"}), std::string("80/tcp=[|1][|2] "));
  std::vector<std::string> exposed;
  published({"90-91/udp"}, &exposed);
  CHECK_EQ(exposed.size(), (size_t)2);
  CHECK_EQ(exposed[1], std::string("91/udp"));
}

TEST(publish_refuses_what_docker_refuses) {
  CHECK_THROWS(published({"x"}), "Invalid containerPort: x");
  CHECK_THROWS(published({"x:80"}), "Invalid hostPort: x");
  CHECK_THROWS(published({"1.2.3:80:80"}), "Invalid ip address: 1.2.3");
  CHECK_THROWS(published({"80/foo"}), "Invalid proto: foo");
  CHECK_THROWS(published({"70000"}), "Invalid containerPort: 70000");
  CHECK_THROWS(published({"90-80"}), "Invalid containerPort: 90-80");
  CHECK_THROWS(published({"8000-8002:80-81"}), "Invalid ranges specified for container and host Ports");
  CHECK_THROWS(published({"8080:"}), "No port specified");
  CHECK_THROWS(published({"target"}), "Invalid containerPort");
  CHECK_THROWS(published({"target=80,x"}), "invalid publish opts format");
}

TEST(expose_takes_ports_and_ranges) {
  std::vector<std::string> exposed;
  add_expose_flag("80", exposed);
  add_expose_flag("7-8/udp", exposed);
  add_expose_flag("80/tcp", exposed);
  CHECK_EQ(exposed.size(), (size_t)3);
  CHECK_EQ(exposed[2], std::string("8/udp"));
  CHECK_THROWS(add_expose_flag("1:2", exposed), "invalid port format for --expose: 1:2");
  CHECK_THROWS(add_expose_flag("x", exposed), "invalid range format for --expose");
}

TEST(ports_column_groups_as_docker_does) {
  std::vector<PublishedPort> ports = {
      {81, "tcp", "0.0.0.0", 81}, {80, "tcp", "0.0.0.0", 80}, {443, "tcp", "", 0},
      {53, "udp", "0.0.0.0", 5353}, {444, "tcp", "", 0},
  };
  // Same-numbered runs are ranges; other mappings come last.
  CHECK_EQ(ports_column(ports),
           std::string("0.0.0.0:80-81->80-81/tcp, 443-444/tcp, 0.0.0.0:5353->53/udp"));
  CHECK_EQ(ports_column({}), std::string());
}
