// A container with a network namespace of its own reaches the outside
// through a user-mode network engine on the host's side of it: pasta (passt)
// or, where only it is installed (older distributions), slirp4netns. Either
// gives the namespace an eth0 on a tap device, relays its traffic through
// ordinary sockets of the user's, and listens on the published ports.
// It runs as the monitor's child, in the foreground, and dies with the
// monitor (PR_SET_PDEATHSIG) or when the container's run ends; nothing of it
// outlives the container.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "base/process.h"
#include "container/network_mode.h"
#include "container/port_publish.h"
#include "store/container_config.h"

namespace hutch {

enum class EngineKind { kNone, kPasta, kSlirp4netns };

// docker's default bridge, as a rootless container sees it: docker's first
// address on 172.17.0.0/16 and its MAC, the default route through the
// gateway, an MTU of 65520. The relay answers DNS when the host has loopback
// resolvers only (host_resolvers); the gateway, only when host-gateway is
// asked for, reaches the host's loopback. slirp4netns fixes its own
// addresses in the subnet: the container .100, the gateway .2, DNS .3.
struct NetworkPlan {
  EngineKind engine = EngineKind::kNone;
  std::string program;   // the engine's path, or kBundledPastaName
  bool bundled = false;  // the pasta inside hutch's binary
  std::string address = "172.17.0.2";
  int prefix_length = 16;
  std::string gateway = "172.17.0.1";
  std::string dns_address = "172.17.0.1";  // the relay's
  std::string mac_address = "02:42:ac:11:00:02";
  bool gateway_reaches_host = false;
  bool dns_relay = false;
  std::vector<HostPortRequest> ports;
};

// The engine of the container's network mode (none when there is none, or
// the mode has none: check uses_network_engine), and the addresses it gives.
// pasta is $HUTCH_PASTA when set, else the one built into hutch, else PATH's;
// slirp4netns comes from PATH, where pasta cannot run or is asked not to.
NetworkPlan network_plan(const HostConfig& host);

// Fills in plan's engine with the pasta network_plan would run; false when
// there is none.
bool choose_pasta(NetworkPlan& plan);

class NetworkEngine {
 public:
  // Attaches the engine to the user and network namespaces of init, from
  // outside them; returns once the namespace's eth0 is configured and the
  // published ports listen. Throws with the engine's own message when it
  // cannot start. Its messages go to log_path; beside it are the FIFO it
  // reports on (.ready for .log) and slirp4netns's API socket.
  NetworkEngine(const NetworkPlan& plan, pid_t init, const std::string& log_path);
  NetworkEngine(NetworkEngine&&) = default;

  // Kills it without waiting for it to go: its end (freeing the tens of MiB
  // it holds) need not delay what the monitor records. The destructor waits.
  void stop();

 private:
  Child child_;
};

}  // namespace hutch
