#include "net/netlink.h"

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace hutch {

namespace {

// One request: the header, its fixed part, then nested attributes, built in
// place in a buffer big enough for any of them.
class Message {
 public:
  Message(uint16_t type, uint16_t flags) {
    header()->nlmsg_type = type;
    header()->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    header()->nlmsg_len = NLMSG_LENGTH(0);
  }
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buf_); }
  template <typename T>
  T* fixed() {
    T* part = reinterpret_cast<T*>(buf_ + header()->nlmsg_len);
    header()->nlmsg_len = NLMSG_ALIGN(header()->nlmsg_len) + NLMSG_ALIGN(sizeof(T));
    return part;
  }
  void attribute(uint16_t type, const void* data, size_t length) {
    size_t at = NLMSG_ALIGN(header()->nlmsg_len);
    if (at + RTA_SPACE(length) > sizeof buf_) fail("netlink request too long");
    rtattr* a = reinterpret_cast<rtattr*>(buf_ + at);
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(length);
    if (length) memcpy(RTA_DATA(a), data, length);
    header()->nlmsg_len = at + RTA_ALIGN(a->rta_len);
  }
  void string(uint16_t type, const std::string& s) { attribute(type, s.c_str(), s.size() + 1); }
  void u32(uint16_t type, uint32_t value) { attribute(type, &value, sizeof value); }
  // Opens a nested attribute; end_nest closes the one begin_nest returned.
  size_t begin_nest(uint16_t type) {
    size_t at = NLMSG_ALIGN(header()->nlmsg_len);
    attribute(type, nullptr, 0);
    return at;
  }
  void end_nest(size_t at) {
    reinterpret_cast<rtattr*>(buf_ + at)->rta_len = header()->nlmsg_len - at;
  }

 private:
  alignas(nlmsghdr) char buf_[1024] = {};
};

ifinfomsg* link_part(Message& m, int index = 0) {
  ifinfomsg* info = m.fixed<ifinfomsg>();
  info->ifi_family = AF_UNSPEC;
  info->ifi_index = index;
  return info;
}

}  // namespace

Netlink::Netlink() : socket_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
  if (!socket_) fail_errno("netlink socket");
}

// Sends the message and reads replies to it until the kernel's ack or error,
// handing any other reply to `on_reply` (a GET's answer comes before its end).
template <typename F>
void Netlink::exchange(const std::string& what, nlmsghdr* message, F&& on_reply) const {
  message->nlmsg_seq = ++sequence_;
  sockaddr_nl kernel = {};
  kernel.nl_family = AF_NETLINK;
  if (sendto(socket_.get(), message, message->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    fail_errno("%s", what.c_str());
  alignas(nlmsghdr) char reply[8192];
  for (;;) {
    ssize_t got = recv(socket_.get(), reply, sizeof reply, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail_errno("%s", what.c_str());
    int left = (int)got;
    for (nlmsghdr* h = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != sequence_) continue;
      if (h->nlmsg_type == NLMSG_DONE) return;
      if (h->nlmsg_type != NLMSG_ERROR) {
        on_reply(h);
        continue;
      }
      int error = -static_cast<nlmsgerr*>(NLMSG_DATA(h))->error;
      if (error == 0) return;
      errno = error;
      fail_errno("%s", what.c_str());
    }
  }
}

void Netlink::request(const std::string& what, nlmsghdr* message) const {
  exchange(what, message, [](nlmsghdr*) {});
}

int Netlink::link_index(const std::string& name) const {
  // The index as this socket's namespace knows it: if_nametoindex would ask
  // the calling thread's, which may be another by now.
  Message m(RTM_GETLINK, 0);
  link_part(m);
  m.string(IFLA_IFNAME, name);
  int index = 0;
  try {
    exchange("get link " + name, m.header(), [&](nlmsghdr* h) {
      if (h->nlmsg_type == RTM_NEWLINK) index = static_cast<ifinfomsg*>(NLMSG_DATA(h))->ifi_index;
    });
  } catch (const Error&) {
    return 0;  // ENODEV
  }
  return index;
}

void Netlink::add_bridge(const std::string& name) const {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  link_part(m);
  m.string(IFLA_IFNAME, name);
  size_t info = m.begin_nest(IFLA_LINKINFO);
  m.string(IFLA_INFO_KIND, "bridge");
  m.end_nest(info);
  request("add bridge " + name, m.header());
}

void Netlink::add_veth(const std::string& host_name, const std::string& peer_name, int peer_netns) const {
  Message m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  link_part(m);
  m.string(IFLA_IFNAME, host_name);
  size_t info = m.begin_nest(IFLA_LINKINFO);
  m.string(IFLA_INFO_KIND, "veth");
  size_t data = m.begin_nest(IFLA_INFO_DATA);
  size_t peer = m.begin_nest(VETH_INFO_PEER);
  link_part(m);  // the peer's own ifinfomsg, then its attributes
  m.string(IFLA_IFNAME, peer_name);
  m.u32(IFLA_NET_NS_FD, peer_netns);
  m.end_nest(peer);
  m.end_nest(data);
  m.end_nest(info);
  request("add veth " + host_name, m.header());
}

void Netlink::set_master(int index, int master) const {
  Message m(RTM_NEWLINK, 0);
  link_part(m, index);
  m.u32(IFLA_MASTER, master);
  request("set link master", m.header());
}

void Netlink::set_mac(int index, const uint8_t mac[6]) const {
  Message m(RTM_NEWLINK, 0);
  link_part(m, index);
  m.attribute(IFLA_ADDRESS, mac, 6);
  request("set link address", m.header());
}

void Netlink::set_mtu(int index, unsigned mtu) const {
  Message m(RTM_NEWLINK, 0);
  link_part(m, index);
  m.u32(IFLA_MTU, mtu);
  request("set link mtu", m.header());
}

void Netlink::set_up(int index) const {
  Message m(RTM_NEWLINK, 0);
  ifinfomsg* info = link_part(m, index);
  info->ifi_flags = IFF_UP;
  info->ifi_change = IFF_UP;
  request("set link up", m.header());
}

void Netlink::delete_link(int index) const {
  Message m(RTM_DELLINK, 0);
  link_part(m, index);
  request("delete link", m.header());
}

void Netlink::add_address(int index, uint32_t address, int prefix_length) const {
  Message m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  ifaddrmsg* a = m.fixed<ifaddrmsg>();
  a->ifa_family = AF_INET;
  a->ifa_prefixlen = prefix_length;
  a->ifa_index = index;
  uint32_t net = htonl(address);
  m.attribute(IFA_LOCAL, &net, 4);
  m.attribute(IFA_ADDRESS, &net, 4);
  uint32_t broadcast = htonl(address | (prefix_length >= 32 ? 0 : 0xffffffffu >> prefix_length));
  m.attribute(IFA_BROADCAST, &broadcast, 4);
  request("add address", m.header());
}

void Netlink::add_default_route(uint32_t gateway) const {
  Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  rtmsg* r = m.fixed<rtmsg>();
  r->rtm_family = AF_INET;
  r->rtm_table = RT_TABLE_MAIN;
  r->rtm_protocol = RTPROT_BOOT;
  r->rtm_scope = RT_SCOPE_UNIVERSE;
  r->rtm_type = RTN_UNICAST;
  uint32_t net = htonl(gateway);
  m.attribute(RTA_GATEWAY, &net, 4);
  request("add default route", m.header());
}

void Netlink::change_rule(uint16_t type, const Rule& rule) const {
  Message m(type, type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0);
  fib_rule_hdr* h = m.fixed<fib_rule_hdr>();
  h->family = AF_INET;
  h->table = RT_TABLE_MAIN;
  h->action = rule.prohibit ? FR_ACT_PROHIBIT : FR_ACT_TO_TBL;
  if (rule.to_prefix > 0) {
    h->dst_len = rule.to_prefix;
    uint32_t to = htonl(rule.to);
    m.attribute(FRA_DST, &to, 4);
  }
  if (rule.from_prefix > 0) {
    h->src_len = rule.from_prefix;
    uint32_t from = htonl(rule.from);
    m.attribute(FRA_SRC, &from, 4);
  }
  m.string(FRA_IIFNAME, rule.in_link);
  m.u32(FRA_PRIORITY, rule.priority);
  request(type == RTM_NEWRULE ? "add rule" : "delete rule", m.header());
}

void Netlink::add_rule(const Rule& rule) const { change_rule(RTM_NEWRULE, rule); }
void Netlink::delete_rule(const Rule& rule) const { change_rule(RTM_DELRULE, rule); }

}  // namespace hutch
