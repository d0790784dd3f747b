// User networks are records on disk (store/networks.h); while containers use
// any of them, one process of the store's runs them all: the keeper. It holds
// a user namespace with the maps containers get; a network namespace with a
// bridge per network in use (br-ID12, the gateway's address on it), kept
// apart from each other by policy rules; pasta as the way out of the
// networks that are not --internal; the embedded DNS that answers at
// 127.0.0.11 in each container; and the forwarders of the published ports.
// A container joins the keeper's user namespace, so the keeper, root there,
// owns the container's network namespace too: it can give it an interface
// on each of its networks, at its start or while it runs. The keeper ends
// once no container is attached; the next start makes a new one.
//
//   <store>/netns/lock          held while connecting to it and while it ends
//   <store>/netns/keeper.sock   where monitors attach (seqpacket)
//   <store>/netns/engine.log    pasta's messages
//   <store>/netns/engine.ready  the FIFO pasta says it is ready on
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

// A container's place with the keeper, held by its monitor for one run: the
// keeper forgets the container, and takes its interfaces away, when this is
// closed.
class NetworkAttachment {
 public:
  // Connects to the store's keeper, starting one when none runs. Throws with
  // the keeper's reason when it cannot start.
  explicit NetworkAttachment(const Store& store);
  // Leaves, and waits until the keeper has let go of what was the
  // container's (its published ports are closed by then).
  ~NetworkAttachment();
  NetworkAttachment(const NetworkAttachment&) = delete;
  NetworkAttachment& operator=(const NetworkAttachment&) = delete;

  // Points the spec's user namespace at the keeper's (so that the keeper
  // owns the container's new network namespace).
  void join(oci::Config& spec) const;

  // Before the first connect: what the container's DNS asks for names no
  // network of its knows (--dns; none: the host's resolvers), and its
  // published ports (host sockets bound by the caller, with the container
  // ports they lead to: to its address on its first network).
  void prepare(const std::string& container_id, const std::vector<std::string>& dns,
               const std::vector<HostPortRequest>& ports, const std::vector<Fd>& port_sockets);

  // Once the container's namespaces exist: an interface on the network
  // (eth0 for the first, with the default route unless --internal; eth1...
  // after), DNS at 127.0.0.11 and, with the first, the published ports.
  // Returns the address it got.
  struct Endpoint {
    std::string ip;   // --ip; "" for the next free address
    std::string mac;  // --mac-address; "" for docker's, made of the address
    bool reaches_host = false;       // host-gateway was asked for
    std::vector<std::string> names;  // what the networks' DNS answers for it there
  };
  std::string connect(int netns, const Network& network, const Endpoint& endpoint);
  // Takes its interface on the network away (its names there too).
  void disconnect(const Network& network);

 private:
  Fd socket_, userns_;
};

// What host-gateway is on a user network: pasta's side of the keeper's
// uplink, which stands for the host's loopback. Only containers that asked
// for host-gateway may reach it.
constexpr const char* kUserNetworkHostGateway = "169.254.1.1";

// docker derives a container's MAC from its IPv4 address (host order):
// 02:42 and the address's four bytes.
std::string docker_mac_address(uint32_t address);

// `hutch --root STORE __network-keeper`, with its report pipe on fd 3.
int network_keeper_main(const Store& store, int report_fd);

}  // namespace hutch
