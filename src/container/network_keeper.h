// A user network is a record on disk (store/networks.h); while containers
// use it, it also runs. Its keeper, a process of its own, holds a user
// namespace with the maps containers get, a network namespace with the
// network's bridge and the gateway's address on it, the engine that routes it
// outside (pasta, unless the network is --internal), and the embedded DNS that
// answers at 127.0.0.11 in each container. A container joins the keeper's
// user namespace, so the keeper, root there, owns the container's network
// namespace too and can put its eth0 on the bridge. The keeper ends once no
// container is attached; the next start makes a new one.
//
//   <store>/netns/ID/lock          held while connecting to it and while it ends
//   <store>/netns/ID/keeper.sock   where monitors attach (seqpacket)
//   <store>/netns/ID/engine.log    pasta's messages
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "base/fd.h"
#include "container/port_publish.h"
#include "runtime/oci_config.h"
#include "store/networks.h"
#include "store/store.h"

namespace hutch {

// A container's place on a user network, held by its monitor for one run:
// the keeper forgets the container when this is closed.
class NetworkAttachment {
 public:
  // Connects to the network's keeper, starting one when none runs. Throws
  // with the keeper's reason when it cannot start.
  NetworkAttachment(const Store& store, const Network& network);

  // Points the spec's user namespace at the keeper's (so that the keeper
  // owns the container's new network namespace).
  void join(oci::Config& spec) const;

  // Once the container's namespaces exist: its eth0 on the bridge, its
  // default route, DNS at 127.0.0.11 and its published ports. Returns the
  // address it got.
  struct Endpoint {
    std::string container_id;
    std::string ip;   // --ip; "" for the next free address
    std::string mac;  // --mac-address; "" for docker's, made of the address
    bool reaches_host = false;       // host-gateway was asked for
    std::vector<std::string> names;  // what the network's DNS answers for it
    std::vector<std::string> dns;    // --dns: where its DNS asks for other names
    // Host ports bound by the caller, with the container ports they lead to.
    std::vector<HostPortRequest> ports;
    std::vector<Fd> port_sockets;
  };
  std::string connect(int netns, const Endpoint& endpoint);
  // Takes the container's eth0 away and leaves the network (the keeper ends
  // if it was the last one).
  void disconnect();

 private:
  std::string network_name_;
  Fd socket_, userns_;
};

// What host-gateway is on a user network: pasta's side of the keeper's
// uplink, which stands for the host's loopback. Only containers that asked
// for host-gateway may reach it.
constexpr const char* kUserNetworkHostGateway = "169.254.1.1";

// docker derives a container's MAC from its IPv4 address (host order):
// 02:42 and the address's four bytes.
std::string docker_mac_address(uint32_t address);

// `hutch --root STORE __network-keeper ID`, with its report pipe on fd 3.
int network_keeper_main(const Store& store, const std::string& network_id, int report_fd);

}  // namespace hutch
