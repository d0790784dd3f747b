// The few rtnetlink requests a user network needs, made on a NETLINK_ROUTE
// socket of the network namespace the socket was opened in: a bridge, a veth
// pair whose peer is made directly in another namespace, addresses, links up
// a default route and policy rules. What `ip link/addr/route` would do, without needing
// iproute2 on the host. Each request waits for the kernel's ack, and a refusal
// throws with the request named ("add veth ...: File exists").
#pragma once
#include <cstdint>
#include <string>

#include "base/fd.h"

struct nlmsghdr;

namespace hutch {

class Netlink {
 public:
  // A socket in the calling thread's current network namespace; it stays
  // there after a later setns.
  Netlink();

  // 0 when there is no such link.
  int link_index(const std::string& name) const;
  void add_bridge(const std::string& name) const;
  // HOST_NAME here, PEER_NAME made in the namespace of PEER_NETNS.
  void add_veth(const std::string& host_name, const std::string& peer_name, int peer_netns) const;
  void set_master(int index, int master) const;
  void set_mac(int index, const uint8_t mac[6]) const;
  void set_mtu(int index, unsigned mtu) const;
  void set_up(int index) const;
  // A veth goes with its peer.
  void delete_link(int index) const;
  // Addresses in host byte order.
  void add_address(int index, uint32_t address, int prefix_length) const;
  void add_default_route(uint32_t gateway) const;
  // A policy rule for what arrives on link IN_LINK for TO/TO_PREFIX, from
  // FROM/FROM_PREFIX (a prefix of 0: any): looked up in the main table, or
  // prohibited (the sender gets "no route to host" and nothing is sent).
  struct Rule {
    uint32_t priority = 0;
    std::string in_link;
    uint32_t from = 0, to = 0;
    int from_prefix = 0, to_prefix = 0;
    bool prohibit = false;
  };
  void add_rule(const Rule& rule) const;
  void delete_rule(const Rule& rule) const;

 private:
  template <typename F>
  void exchange(const std::string& what, ::nlmsghdr* message, F&& on_reply) const;
  void request(const std::string& what, ::nlmsghdr* message) const;
  void change_rule(uint16_t type, const Rule& rule) const;
  Fd socket_;
  mutable uint32_t sequence_ = 0;
};

}  // namespace hutch
