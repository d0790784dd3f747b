#include "container/network_keeper.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <map>
#include <optional>

#include "base/error.h"
#include "base/fd_passing.h"
#include "base/file.h"
#include "base/ipv4_subnet.h"
#include "base/lock.h"
#include "base/log.h"
#include "base/process.h"
#include "base/strings.h"
#include "base/unix_socket.h"
#include "container/etc_files.h"
#include "container/network_engine.h"
#include "net/embedded_dns.h"
#include "net/netlink.h"
#include "net/port_forwarder.h"
#include "runtime/userns.h"

namespace hutch {

namespace {

constexpr const char* kSocketName = "keeper.sock";
// A keeper that no container reaches in this long ends (one started for a
// start that then failed).
constexpr int kUnusedMs = 10000;
// pasta's, not docker's 1500: the bridge's traffic leaves through pasta,
// which moves a 64 KiB segment for the cost of a 1500-byte one.
constexpr unsigned kMtu = 65520;
// docker's embedded DNS address, on every container's loopback.
constexpr uint32_t kDnsAddress = 0x7f00000b;  // 127.0.0.11

// The link between the keeper's namespace and pasta, out of the way of any
// subnet a network is likely to be given.
NetworkPlan uplink_plan() {
  NetworkPlan plan;
  plan.address = "169.254.1.2";
  plan.prefix_length = 30;
  plan.gateway = plan.dns_address = kUserNetworkHostGateway;
  plan.gateway_reaches_host = true;  // for those allowed to (host_access_rule)
  plan.mac_address = "02:42:a9:fe:01:02";
  plan.dns_relay = host_resolvers().needs_relay;
  return plan;
}

// The uplink's gateway is the host's loopback, out of bounds to what comes
// in from the bridge, but for the containers that asked (their rule comes
// first).
constexpr uint32_t kHostAccessPriority = 100, kNoHostAccessPriority = 200, kIsolationPriority = 300,
                   kInternalPriority = 400;

// A process's report on a pipe: its first line, without the newline. Only
// that line is waited for: others may hold the pipe open.
std::string first_line(int fd) {
  std::string said;
  char buf[1024];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    said.append(buf, n);
    if (size_t nl = said.find('\n'); nl != std::string::npos) return said.substr(0, nl);
  }
  return said;
}

std::string keeper_dir(const Store& store) { return store.root() + "/netns"; }

void mac_of(uint32_t address, uint8_t mac[6]) {
  mac[0] = 0x02;
  mac[1] = 0x42;
  for (int i = 0; i < 4; i++) mac[2 + i] = (uint8_t)(address >> (24 - 8 * i));
}

Fd bound_dns_socket(int type) {
  Fd fd(socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) fail_errno("DNS socket");
  int one = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(53);
  addr.sin_addr.s_addr = htonl(kDnsAddress);
  if (bind(fd.get(), (struct sockaddr*)&addr, sizeof addr) < 0) fail_errno("bind 127.0.0.11:53");
  if (type == SOCK_STREAM && listen(fd.get(), 16) < 0) fail_errno("listen 127.0.0.11:53");
  return fd;
}

// Where names no network knows are asked: the host's resolvers, or loopback
// ones through pasta's DNS relay (at the uplink's gateway).
std::vector<DnsUpstream> upstream_resolvers() {
  std::vector<DnsUpstream> out;
  HostResolvers host = host_resolvers();
  for (const auto& server : host.servers) out.push_back({server, 53});
  if (host.needs_relay) out.push_back({uplink_plan().gateway, 53});
  return out;
}

// A network some container is on: its bridge in the keeper's namespace.
struct NetworkInUse {
  std::string id, name;
  Ipv4Subnet subnet;
  uint32_t gateway = 0;
  bool internal = false;
  std::string bridge;
  int links = 0;
};

// One container's interface on one network.
struct Link {
  std::string network_id;
  uint32_t address = 0;
  std::string host_side, ifname;
  bool reaches_host = false;
  bool default_route = false;
  std::vector<std::string> names;  // lowercase
};

// One attached monitor, and its container's interfaces.
struct Client {
  Fd socket;
  std::string container_id;  // from its "prepare"
  std::vector<Link> links;
  std::vector<PublishedSocket> published;  // until its first link
  std::vector<DnsUpstream> dns;            // --dns
  Fd netns;  // its container's network namespace
  bool dns_bound = false;
  bool ports_added = false;
  uint32_t ports_address = 0;  // where its published ports lead
};

class Keeper {
 public:
  explicit Keeper(const Store& store) : dir_(keeper_dir(store)) {}

  // Makes the namespaces and starts the engine.
  void set_up() {
    NetworkPlan engine = uplink_plan();
    bool have_engine = choose_pasta(engine);
    // pasta attaches from outside, as for a container (root in the namespace
    // it would drop to nobody, who may not enter it), and its sockets must be
    // the host's: its launcher is forked before the keeper leaves either.
    Pipe go = Pipe::create(), launched = Pipe::create();
    if (have_engine) launcher_ = fork_launcher(engine, go, launched);
    enter_user_namespace(detect_id_mapping());
    userns_.reset(::open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC));
    owner_uid_ = getuid();  // what SO_PEERCRED says of the user from now on
    if (unshare(CLONE_NEWNET) < 0) fail_errno("cannot create a network namespace");
    netns_.reset(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    here_.emplace();
    here_->set_up(here_->link_index("lo"));
    write_file_in_place("/proc/sys/net/ipv4/ip_forward", "1\n");
    if (launcher_ > 0) {
      go.read.reset();
      if (::write(go.write.get(), "g", 1) != 1) fail_errno("start the network engine");
      launched.write.reset();
      std::string said = first_line(launched.read.get());
      if (said != "ok") fail("%s", said.empty() ? "network engine failed" : said.c_str());
      engine_ready_ = true;
      // The launcher, and the engine with it, ends when this closes.
      engine_lifeline_ = std::move(go.write);
    }
    dns_.emplace([this](const std::string& pair, const std::string& name) { return lookup(pair, name); },
                 [this](const std::string& pair, const std::string& ip) { return reverse(pair, ip); },
                 std::vector<DnsUpstream>{});
    listener_ = listen_unix_socket(dir_, kSocketName, SOCK_SEQPACKET);
  }

  // Serves until no container has been attached for a while.
  void serve() {
    int64_t idle_since = monotonic_ms();
    for (;;) {
      std::vector<struct pollfd> fds = {{listener_.get(), POLLIN, 0}};
      for (const auto& c : clients_) fds.push_back({c.socket.get(), POLLIN, 0});
      size_t dns_at = fds.size();
      dns_->add_poll_fds(fds);
      size_t ports_at = fds.size();
      ports_.add_poll_fds(fds);
      int timeout = dns_->next_timeout_ms();
      if (int t = ports_.next_timeout_ms(); t >= 0) timeout = timeout < 0 ? t : std::min(timeout, t);
      if (clients_.empty()) {
        int64_t left = std::max<int64_t>(0, idle_since + kUnusedMs - monotonic_ms());
        timeout = timeout < 0 ? (int)left : std::min(timeout, (int)left);
      }
      int n = poll(fds.data(), fds.size(), timeout);
      if (n < 0 && errno != EINTR) fail_errno("poll");
      std::vector<struct pollfd> dns_fds(fds.begin() + dns_at, fds.begin() + ports_at);
      dns_->handle(dns_fds);
      ports_.handle(std::vector<struct pollfd>(fds.begin() + ports_at, fds.end()));
      std::vector<int> gone;
      for (size_t i = 1; i < dns_at; i++)
        if (fds[i].revents) gone_or_asked(fds[i].fd, gone);
      for (int fd : gone) forget(fd);
      if (fds[0].revents & POLLIN) accept_monitors();
      if (!clients_.empty()) {
        idle_since = monotonic_ms();
      } else if (monotonic_ms() >= idle_since + kUnusedMs || !gone.empty()) {
        if (may_end()) return;
        idle_since = monotonic_ms();
      }
    }
  }

 private:
  [[noreturn]] static void launcher_main(const NetworkPlan& plan, pid_t keeper, Pipe& go, Pipe& launched,
                                         const std::string& log_path) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::close(3);  // the keeper's report pipe: its reader waits for the keeper's word alone
    go.write.reset();
    launched.read.reset();
    char byte;
    if (getppid() != keeper || ::read(go.read.get(), &byte, 1) != 1) _exit(0);
    try {
      NetworkEngine running(plan, keeper, log_path);
      send_all_text(launched.write.get(), "ok\n");
      launched.write.reset();
      // The engine is this process's child: it stays until the keeper ends
      // (the pipe's EOF), then goes with us.
      while (::read(go.read.get(), &byte, 1) != 0) {
      }
    } catch (const Error& e) {
      send_all_text(launched.write.get(), std::string(e.what()) + "\n");
    }
    _exit(0);
  }

  static void send_all_text(int fd, const std::string& text) {
    ssize_t ignored = ::write(fd, text.data(), text.size());
    (void)ignored;
  }

  pid_t fork_launcher(const NetworkPlan& engine, Pipe& go, Pipe& launched) {
    pid_t keeper = getpid();
    pid_t pid = fork();
    if (pid < 0) fail_errno("fork");
    if (pid == 0) launcher_main(engine, keeper, go, launched, dir_ + "/engine.log");
    return pid;
  }

  Client* client_of(const std::string& container_id) {
    for (auto& c : clients_)
      if (c.container_id == container_id) return &c;
    return nullptr;
  }

  // Whether `asker`'s container shares the network with it.
  static bool shares(const Client& asker, const std::string& network_id) {
    return std::any_of(asker.links.begin(), asker.links.end(),
                       [&](const Link& l) { return l.network_id == network_id; });
  }

  // What a container sees: the names on the networks it is on.
  std::vector<std::string> lookup(const std::string& pair, const std::string& name) {
    std::vector<std::string> out;
    const Client* asker = client_of(pair);
    if (!asker) return out;
    for (const auto& c : clients_)
      for (const auto& l : c.links)
        if (shares(*asker, l.network_id) && std::find(l.names.begin(), l.names.end(), name) != l.names.end())
          out.push_back(format_ipv4(l.address));
    return out;
  }

  std::string reverse(const std::string& pair, const std::string& ip) {
    auto address = parse_ipv4(ip);
    const Client* asker = client_of(pair);
    if (!address || !asker) return "";
    for (const auto& c : clients_)
      for (const auto& l : c.links)
        if (l.address == *address && shares(*asker, l.network_id) && !l.names.empty())
          return l.names[0] + "." + networks_.at(l.network_id).name;
    return "";
  }

  void accept_monitors() {
    for (;;) {
      Fd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!fd) return;
      struct ucred cred;
      socklen_t len = sizeof cred;
      // Only the user who owns the store (the socket's mode says so too).
      if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != owner_uid_) continue;
      try {
        send_message(fd.get(), "hello", userns_.get());
      } catch (const Error&) {
        continue;
      }
      Client c;
      c.socket = std::move(fd);
      clients_.push_back(std::move(c));
    }
  }

  // The requests of a monitor. Without a reply: "prepare ID", "dns SERVER",
  // "publish tcp|udp PORT" with the host's socket. With one ("ok ..." or
  // "error MESSAGE"): "connect ...", "disconnect NETWORK-ID".
  void gone_or_asked(int fd, std::vector<int>& gone) {
    auto c = std::find_if(clients_.begin(), clients_.end(), [&](const Client& x) { return x.socket.get() == fd; });
    if (c == clients_.end()) return;
    Fd passed;
    std::optional<std::string> asked = receive_message(fd, &passed);
    if (!asked) {
      gone.push_back(fd);
      return;
    }
    std::vector<std::string> w = split_whitespace(*asked);
    if (w.size() == 2 && w[0] == "prepare" && c->container_id.empty()) {
      c->container_id = w[1];
      return;
    }
    if (w.size() == 2 && w[0] == "dns" && c->links.empty()) {
      if (parse_ipv4(w[1])) c->dns.push_back({w[1], 53});
      return;
    }
    if (w.size() == 3 && w[0] == "publish" && passed && c->links.empty()) {
      int port = atoi(w[2].c_str());
      if (port > 0 && port < 65536 && (w[1] == "tcp" || w[1] == "udp"))
        c->published.push_back({w[1] == "udp", port, std::move(passed)});
      return;
    }
    std::string reply;
    if (w.size() == 1 && w[0] == "leave") {
      // Its published ports are closed before its monitor records the end;
      // the rest (forget) need not delay it.
      if (!c->container_id.empty()) {
        dns_->remove(c->container_id);
        ports_.remove(c->container_id);
      }
      gone.push_back(fd);
      w = {};
    }
    try {
      if (w.empty()) {
        reply = "ok";
      } else if (w.size() == 2 && w[0] == "disconnect") {
        unlink_network(*c, w[1]);
        reply = "ok";
      } else {
        reply = "ok " + attach(*c, w, passed);
      }
    } catch (const Error& err) {
      reply = std::string("error ") + err.what();
    }
    try {
      send_message(fd, reply);
    } catch (const Error&) {
      gone.push_back(fd);
    }
  }

  // A rule of the keeper's namespace about what comes in from a bridge.
  static Netlink::Rule rule_from(const std::string& bridge, uint32_t priority) {
    Netlink::Rule rule;
    rule.priority = priority;
    rule.in_link = bridge;
    rule.prohibit = true;
    return rule;
  }
  static Netlink::Rule host_rule(const std::string& bridge, uint32_t from, uint32_t priority) {
    Netlink::Rule rule = rule_from(bridge, priority);
    rule.from = from;
    rule.from_prefix = from ? 32 : 0;
    rule.to = *parse_ipv4(kUserNetworkHostGateway);
    rule.to_prefix = 32;
    rule.prohibit = from == 0;
    return rule;
  }
  // Networks are kept apart: nothing is routed from one bridge to another's
  // subnet (docker's isolation rules).
  static Netlink::Rule isolation_rule(const NetworkInUse& from, const NetworkInUse& to) {
    Netlink::Rule rule = rule_from(from.bridge, kIsolationPriority);
    rule.to = to.subnet.base;
    rule.to_prefix = to.subnet.prefix;
    return rule;
  }

  void try_delete_rule(const Netlink::Rule& rule) {
    try {
      here_->delete_rule(rule);
    } catch (const Error&) {
      // Gone with what it was about.
    }
  }

  // The bridge of a network, made for its first link.
  NetworkInUse& use_network(const std::vector<std::string>& w) {
    // connect NETWORK-ID NAME SUBNET GATEWAY INTERNAL ...
    if (auto it = networks_.find(w[1]); it != networks_.end()) return it->second;
    NetworkInUse n;
    n.id = w[1];
    n.name = w[2];
    auto subnet = parse_ipv4_subnet(w[3]);
    auto gateway = parse_ipv4(w[4]);
    if (!subnet || !gateway) fail("network %s has no IPv4 subnet", n.name.c_str());
    n.subnet = *subnet;
    n.gateway = *gateway;
    n.internal = w[5] == "1";
    n.bridge = "br-" + n.id.substr(0, 12);
    for (const auto& [id, other] : networks_)
      if (other.subnet.overlaps(n.subnet))
        fail("network %s overlaps network %s, which is in use", n.name.c_str(), other.name.c_str());
    here_->add_bridge(n.bridge);
    int index = here_->link_index(n.bridge);
    here_->add_address(index, n.gateway, n.subnet.prefix);
    here_->set_up(index);
    // An internal network's traffic is routed nowhere; the others' reach the
    // host's loopback only for those who asked.
    if (n.internal) here_->add_rule(rule_from(n.bridge, kInternalPriority));
    else here_->add_rule(host_rule(n.bridge, 0, kNoHostAccessPriority));
    for (const auto& [id, other] : networks_) {
      here_->add_rule(isolation_rule(n, other));
      here_->add_rule(isolation_rule(other, n));
    }
    return networks_.emplace(n.id, n).first->second;
  }

  // Its bridge and rules go with its last link.
  void release_network(const std::string& id) {
    auto it = networks_.find(id);
    if (it == networks_.end() || --it->second.links > 0) return;
    NetworkInUse n = it->second;
    networks_.erase(it);
    for (const auto& [other_id, other] : networks_) {
      try_delete_rule(isolation_rule(n, other));
      try_delete_rule(isolation_rule(other, n));
    }
    try_delete_rule(n.internal ? rule_from(n.bridge, kInternalPriority) : host_rule(n.bridge, 0, kNoHostAccessPriority));
    try {
      if (int index = here_->link_index(n.bridge)) here_->delete_link(index);
    } catch (const Error&) {
    }
  }

  uint32_t allocate(const NetworkInUse& n, const std::string& requested) const {
    auto used = [&](uint32_t a) {
      if (a == n.gateway) return true;
      for (const auto& c : clients_)
        for (const auto& l : c.links)
          if (l.network_id == n.id && l.address == a) return true;
      return false;
    };
    if (!requested.empty()) {
      auto a = parse_ipv4(requested);
      if (!a || !n.subnet.contains(*a) || *a == n.subnet.base || *a == n.subnet.last())
        fail("no configured subnet or ip-range contain the IP address %s", requested.c_str());
      if (used(*a)) fail("Address already in use");
      return *a;
    }
    for (uint32_t a = n.subnet.base + 1; a < n.subnet.last(); a++)
      if (!used(a)) return a;
    fail("no available IPv4 addresses on this network's address pools: %s (%s)", n.name.c_str(), n.id.c_str());
  }

  // Where the container's DNS asks for other names: nowhere when all its
  // networks are internal.
  std::vector<DnsUpstream> upstreams_of(const Client& c) const {
    bool way_out = engine_ready_ && std::any_of(c.links.begin(), c.links.end(), [&](const Link& l) {
                     return !networks_.at(l.network_id).internal;
                   });
    if (!way_out) return {};
    return c.dns.empty() ? upstream_resolvers() : c.dns;
  }

  // "connect NETWORK-ID NAME SUBNET GATEWAY INTERNAL(0|1) IP MAC HOST NAME..."
  // (IP and MAC "-" for the usual; HOST "host" when it may reach the host,
  // "-" otherwise), with the container's network namespace: its interface
  // on the network; returns the address.
  std::string attach(Client& c, const std::vector<std::string>& w, const Fd& netns) {
    if (w.size() < 9 || w[0] != "connect" || !netns || c.container_id.empty()) fail("bad request");
    if (shares(c, w[1])) fail("endpoint with name %s already exists in network %s", c.container_id.c_str(), w[2].c_str());
    if (!c.netns) c.netns.reset(fcntl(netns.get(), F_DUPFD_CLOEXEC, 0));
    NetworkInUse& n = use_network(w);
    n.links++;
    Link l;
    l.network_id = n.id;
    try {
      l.address = allocate(n, w[6] == "-" ? "" : w[6]);
      // Unique while the veths of ended containers wait for the kernel.
      l.host_side = "ve" + c.container_id.substr(0, 9) + "-" + std::to_string(veths_made_++ % 1000);
      for (int i = 0;; i++) {
        std::string name = "eth" + std::to_string(i);
        if (std::none_of(c.links.begin(), c.links.end(), [&](const Link& x) { return x.ifname == name; })) {
          l.ifname = name;
          break;
        }
      }
      wire(c, n, l, w[7], netns);
    } catch (...) {
      try {
        if (int index = l.host_side.empty() ? 0 : here_->link_index(l.host_side)) here_->delete_link(index);
      } catch (const Error&) {
      }
      release_network(n.id);
      throw;
    }
    if (w[8] == "host" && engine_ready_ && !n.internal) {
      here_->add_rule(host_rule(n.bridge, l.address, kHostAccessPriority));
      l.reaches_host = true;
    }
    for (size_t i = 9; i < w.size(); i++) {
      std::string name = w[i];
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
      l.names.push_back(name);
    }
    c.links.push_back(l);
    dns_->set_upstreams(c.container_id, upstreams_of(c));
    if (!c.ports_added) {
      ports_.add(c.container_id, l.address, std::move(c.published));
      c.ports_added = true;
      c.ports_address = l.address;
    }
    return format_ipv4(l.address);
  }

  // The veth pair: one end on the bridge, the other the container's
  // interface, configured from inside its namespace (where its DNS sockets
  // are made too, the first time).
  void wire(Client& c, const NetworkInUse& n, Link& l, const std::string& mac_text, const Fd& netns) {
    here_->add_veth(l.host_side, l.ifname, netns.get());
    int host_index = here_->link_index(l.host_side);
    here_->set_mtu(host_index, kMtu);
    here_->set_master(host_index, here_->link_index(n.bridge));
    here_->set_up(host_index);
    if (setns(netns.get(), CLONE_NEWNET) < 0) fail_errno("enter the container's network namespace");
    std::optional<Netlink> there;
    Fd udp, tcp;
    std::optional<Error> failed;
    try {
      there.emplace();
      there->set_up(there->link_index("lo"));
      if (!c.dns_bound) {
        udp = bound_dns_socket(SOCK_DGRAM);
        tcp = bound_dns_socket(SOCK_STREAM);
      }
    } catch (const Error& err) {
      failed = err;
    }
    if (setns(netns_.get(), CLONE_NEWNET) < 0) fail_errno("return to the network's namespace");
    if (failed) throw *failed;
    int index = there->link_index(l.ifname);
    uint8_t mac[6];
    if (mac_text == "-") mac_of(l.address, mac);
    else if (sscanf(mac_text.c_str(), "%hhx%*c%hhx%*c%hhx%*c%hhx%*c%hhx%*c%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
                    &mac[4], &mac[5]) != 6)
      fail("%s is not a valid mac address", mac_text.c_str());
    there->set_mac(index, mac);
    there->set_mtu(index, kMtu);
    there->add_address(index, l.address, n.subnet.prefix);
    there->set_up(index);
    // The first network with a way out gives the default route.
    bool routed = std::any_of(c.links.begin(), c.links.end(), [](const Link& x) { return x.default_route; });
    if (!n.internal && !routed) {
      there->add_default_route(n.gateway);
      l.default_route = true;
    }
    if (!c.dns_bound) {
      dns_->add(c.container_id, std::move(udp), std::move(tcp));
      c.dns_bound = true;
    }
  }

  // Its interface on the network goes (the veth takes its peer with it).
  void unlink_network(Client& c, const std::string& network_id) {
    auto l = std::find_if(c.links.begin(), c.links.end(), [&](const Link& x) { return x.network_id == network_id; });
    if (l == c.links.end()) fail("container %s is not connected to the network", c.container_id.c_str());
    drop_link(*l);
    uint32_t address = l->address;
    bool routed = l->default_route;
    c.links.erase(l);
    // The default route went with the interface: another network with a way
    // out gives it.
    for (auto& other : c.links) {
      const NetworkInUse& n = networks_.at(other.network_id);
      if (!routed || n.internal || !c.netns) continue;
      in_namespace(c.netns, [&](const Netlink& there) { there.add_default_route(n.gateway); });
      other.default_route = true;
      break;
    }
    dns_->set_upstreams(c.container_id, upstreams_of(c));
    // Its published ports lead to another of its addresses, or nowhere.
    if (c.ports_added && c.ports_address == address) {
      if (c.links.empty()) {
        ports_.remove(c.container_id);
      } else {
        ports_.retarget(c.container_id, c.links.front().address);
        c.ports_address = c.links.front().address;
      }
    }
  }

  // Runs `f` with a netlink socket of the namespace, then is back in the
  // keeper's own.
  template <typename F>
  void in_namespace(const Fd& netns, F&& f) {
    if (setns(netns.get(), CLONE_NEWNET) < 0) fail_errno("enter the container's network namespace");
    std::optional<Error> failed;
    std::optional<Netlink> there;
    try {
      there.emplace();
    } catch (const Error& err) {
      failed = err;
    }
    if (setns(netns_.get(), CLONE_NEWNET) < 0) fail_errno("return to the network's namespace");
    if (failed) throw *failed;
    f(*there);
  }

  void drop_link(const Link& l, bool delete_veth = true) {
    const NetworkInUse& n = networks_.at(l.network_id);
    if (l.reaches_host) try_delete_rule(host_rule(n.bridge, l.address, kHostAccessPriority));
    try {
      if (int index = delete_veth ? here_->link_index(l.host_side) : 0) here_->delete_link(index);
    } catch (const Error&) {
      // Gone with the container's namespace.
    }
    release_network(l.network_id);
  }

  // Everything of the client's goes: its names, ports and rules. Its veths
  // go with its container's namespace, which has ended or ends with its
  // monitor (deleting them here would cost tens of milliseconds each).
  void forget(int fd) {
    auto c = std::find_if(clients_.begin(), clients_.end(), [&](const Client& x) { return x.socket.get() == fd; });
    if (c == clients_.end()) return;
    for (const auto& l : c->links) drop_link(l, false);
    if (!c->container_id.empty()) {
      dns_->remove(c->container_id);
      ports_.remove(c->container_id);
    }
    clients_.erase(c);
  }

  // Under the lock monitors connect with: no one is waiting to attach, so
  // the socket goes and the keeper with it.
  bool may_end() {
    FileLock lock(dir_ + "/lock", FileLock::kExclusive);
    struct pollfd p = {listener_.get(), POLLIN, 0};
    if (poll(&p, 1, 0) > 0) return false;
    unlink((dir_ + "/" + kSocketName).c_str());
    return true;
  }

  std::string dir_;
  uid_t owner_uid_ = 0;
  Fd userns_, netns_, listener_, engine_lifeline_;
  std::optional<Netlink> here_;
  pid_t launcher_ = -1;
  bool engine_ready_ = false;
  std::optional<EmbeddedDns> dns_;
  PortForwarder ports_;
  std::map<std::string, NetworkInUse> networks_;
  unsigned veths_made_ = 0;
  std::list<Client> clients_;
};

// Forks the keeper out of the caller's session, as start_monitor does the
// monitor: it outlives the container that started it. Waits for its report.
void start_keeper(const Store& store) {
  Pipe report = Pipe::create();
  pid_t pid = fork();
  if (pid < 0) fail_errno("fork");
  if (pid == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    int report_fd = fcntl(report.write.get(), F_DUPFD_CLOEXEC, 10);
    if (report_fd < 0 || dup2(report_fd, 3) < 0) _exit(125);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (chdir("/") < 0) _exit(125);
    const char* argv[] = {"hutch", "--root", store.root().c_str(), "__network-keeper", nullptr};
    execve("/proc/self/exe", (char**)argv, environ);
    _exit(125);
  }
  report.write.reset();
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  std::string said = first_line(report.read.get());
  if (said != "ok") fail("%s", said.empty() ? "the networks' keeper exited" : said.c_str());
}

}  // namespace

std::string docker_mac_address(uint32_t address) {
  uint8_t mac[6];
  mac_of(address, mac);
  return format("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

NetworkAttachment::NetworkAttachment(const Store& store) {
  std::string dir = keeper_dir(store);
  mkdir_p(dir, 0700);
  {
    // A keeper that is ending takes this lock to see that no one waits.
    FileLock lock(dir + "/lock", FileLock::kExclusive);
    socket_ = connect_unix_socket(dir, kSocketName, SOCK_SEQPACKET);
    if (!socket_) {
      start_keeper(store);
      socket_ = connect_unix_socket(dir, kSocketName, SOCK_SEQPACKET);
    }
  }
  std::optional<std::string> hello = socket_ ? receive_message(socket_.get(), &userns_) : std::nullopt;
  if (!hello || *hello != "hello" || !userns_) fail("the networks' keeper did not answer");
}

NetworkAttachment::~NetworkAttachment() {
  if (!socket_) return;
  // A keeper that hangs must not hold the container's end for long.
  struct timeval limit = {2, 0};
  setsockopt(socket_.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  try {
    send_message(socket_.get(), "leave");
    receive_message(socket_.get());
  } catch (const Error&) {
    // The keeper is gone: so is what it held.
  }
}

void NetworkAttachment::join(oci::Config& spec) const {
  for (auto& ns : spec.linux.namespaces)
    if (ns.type == "user") ns.path = "/proc/self/fd/" + std::to_string(userns_.get());
  // A namespace that is joined has its maps already.
  spec.linux.uid_mappings.clear();
  spec.linux.gid_mappings.clear();
}

void NetworkAttachment::prepare(const std::string& container_id, const std::vector<std::string>& dns,
                                const std::vector<HostPortRequest>& ports, const std::vector<Fd>& port_sockets) {
  send_message(socket_.get(), "prepare " + container_id);
  for (const auto& server : dns) send_message(socket_.get(), "dns " + server);
  for (size_t i = 0; i < ports.size(); i++)
    send_message(socket_.get(), "publish " + ports[i].protocol + " " + std::to_string(ports[i].container_port),
                 port_sockets[i].get());
}

namespace {

std::string keeper_reply(int socket) {
  std::optional<std::string> reply = receive_message(socket);
  if (!reply) fail("the networks' keeper exited");
  if (reply->compare(0, 6, "error ") == 0) fail("%s", reply->substr(6).c_str());
  if (reply->compare(0, 2, "ok") != 0) fail("the networks' keeper said %s", reply->c_str());
  return reply->size() > 3 ? reply->substr(3) : "";
}

}  // namespace

std::string NetworkAttachment::connect(int netns, const Network& network, const Endpoint& endpoint) {
  std::string asked = "connect " + network.id + " " + network.name + " " + network.subnet + " " + network.gateway +
                      (network.internal ? " 1 " : " 0 ") + (endpoint.ip.empty() ? "-" : endpoint.ip) + " " +
                      (endpoint.mac.empty() ? "-" : endpoint.mac) + (endpoint.reaches_host ? " host" : " -");
  for (const auto& n : endpoint.names) asked += " " + n;
  send_message(socket_.get(), asked, netns);
  return keeper_reply(socket_.get());
}

void NetworkAttachment::disconnect(const Network& network) {
  send_message(socket_.get(), "disconnect " + network.id);
  keeper_reply(socket_.get());
}

int network_keeper_main(const Store& store, int report_fd) {
  Fd report(report_fd);
  signal(SIGPIPE, SIG_IGN);
  std::optional<Keeper> keeper;
  try {
    keeper.emplace(store);
    keeper->set_up();
  } catch (const Error& e) {
    std::string text = std::string(e.what()) + "\n";
    ssize_t ignored = ::write(report.get(), text.data(), text.size());
    (void)ignored;
    return 125;
  }
  if (::write(report.get(), "ok\n", 3) != 3) return 125;
  report.reset();
  try {
    keeper->serve();
  } catch (const Error& e) {
    return 125;
  }
  return 0;
}

}  // namespace hutch
