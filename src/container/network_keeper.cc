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
constexpr uint32_t kHostAccessPriority = 100, kNoHostAccessPriority = 200;

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

std::string keeper_dir(const Store& store, const std::string& id) { return NetworkStore(store).runtime_dir(id); }

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

// Where names the network does not know are asked: the host's resolvers, or
// loopback ones through pasta's DNS relay (at the uplink's gateway); none
// without a way out (an --internal network's names are its own).
std::vector<DnsUpstream> upstream_resolvers(bool engine) {
  std::vector<DnsUpstream> out;
  if (!engine) return out;
  HostResolvers host = host_resolvers();
  for (const auto& server : host.servers) out.push_back({server, 53});
  if (host.needs_relay) out.push_back({uplink_plan().gateway, 53});
  return out;
}

// One attached monitor: its container once it has connected.
struct Endpoint {
  Fd socket;
  std::string container_id;
  uint32_t address = 0;
  bool reaches_host = false;
  std::vector<std::string> names;  // lowercase
  std::vector<PublishedSocket> published;  // until its address is known
  std::vector<DnsUpstream> dns;            // --dns, until then too
};

class Keeper {
 public:
  Keeper(const Store& store, const Network& network) : network_(network) {
    dir_ = keeper_dir(store, network.id);
    auto subnet = parse_ipv4_subnet(network.subnet);
    auto gateway = parse_ipv4(network.gateway);
    if (!subnet || !gateway) fail("network %s has no IPv4 subnet", network.name.c_str());
    subnet_ = *subnet;
    gateway_ = *gateway;
  }

  // Makes the namespaces and the bridge, and starts the engine.
  void set_up() {
    std::string engine = network_.internal ? "" : find_pasta();
    if (!network_.internal && engine.empty())
      log_warn("no user-mode network engine (pasta) found: network %s has no way out", network_.name.c_str());
    // pasta attaches from outside, as for a container (root in the namespace
    // it would drop to nobody, who may not enter it), and its sockets must be
    // the host's: its launcher is forked before the keeper leaves either.
    Pipe go = Pipe::create(), launched = Pipe::create();
    if (!engine.empty()) launcher_ = fork_launcher(engine, go, launched);
    enter_user_namespace(detect_id_mapping());
    userns_.reset(::open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC));
    owner_uid_ = getuid();  // what SO_PEERCRED says of the user from now on
    if (unshare(CLONE_NEWNET) < 0) fail_errno("cannot create a network namespace");
    netns_.reset(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    here_.emplace();
    here_->set_up(here_->link_index("lo"));
    std::string bridge = "br-" + network_.id.substr(0, 12);
    here_->add_bridge(bridge);
    bridge_ = here_->link_index(bridge);
    here_->add_address(bridge_, gateway_, subnet_.prefix);
    here_->set_up(bridge_);
    write_file_in_place("/proc/sys/net/ipv4/ip_forward", "1\n");
    if (!engine.empty()) here_->add_rule(host_access_rule(0, kNoHostAccessPriority));
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
    dns_.emplace([this](const std::string& name) { return lookup(name); },
                 [this](const std::string& ip) { return reverse(ip); }, upstream_resolvers(engine_ready_));
    listener_ = listen_unix_socket(dir_, kSocketName, SOCK_SEQPACKET);
  }

  // Serves until no container has been attached for a while.
  void serve() {
    int64_t idle_since = monotonic_ms();
    for (;;) {
      std::vector<struct pollfd> fds = {{listener_.get(), POLLIN, 0}};
      for (const auto& e : endpoints_) fds.push_back({e.socket.get(), POLLIN, 0});
      size_t dns_at = fds.size();
      dns_->add_poll_fds(fds);
      size_t ports_at = fds.size();
      ports_.add_poll_fds(fds);
      int timeout = dns_->next_timeout_ms();
      if (int t = ports_.next_timeout_ms(); t >= 0) timeout = timeout < 0 ? t : std::min(timeout, t);
      if (endpoints_.empty()) {
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
      if (!endpoints_.empty()) {
        idle_since = monotonic_ms();
      } else if (monotonic_ms() >= idle_since + kUnusedMs || !gone.empty()) {
        if (may_end()) return;
        idle_since = monotonic_ms();
      }
    }
  }

 private:
  [[noreturn]] static void launcher_main(const std::string& engine, pid_t keeper, Pipe& go, Pipe& launched,
                                         const std::string& log_path) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::close(3);  // the keeper's report pipe: its reader waits for the keeper's word alone
    go.write.reset();
    launched.read.reset();
    char byte;
    if (getppid() != keeper || ::read(go.read.get(), &byte, 1) != 1) _exit(0);
    try {
      NetworkPlan plan = uplink_plan();
      plan.engine = EngineKind::kPasta;
      plan.program = engine;
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

  pid_t fork_launcher(const std::string& engine, Pipe& go, Pipe& launched) {
    pid_t keeper = getpid();
    pid_t pid = fork();
    if (pid < 0) fail_errno("fork");
    if (pid == 0) launcher_main(engine, keeper, go, launched, dir_ + "/engine.log");
    return pid;
  }

  std::vector<std::string> lookup(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& e : endpoints_)
      if (e.address && std::find(e.names.begin(), e.names.end(), name) != e.names.end())
        out.push_back(format_ipv4(e.address));
    return out;
  }

  std::string reverse(const std::string& ip) const {
    auto address = parse_ipv4(ip);
    for (const auto& e : endpoints_)
      if (address && e.address == *address && !e.names.empty()) return e.names[0] + "." + network_.name;
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
      Endpoint e;
      e.socket = std::move(fd);
      endpoints_.push_back(std::move(e));
    }
  }

  void gone_or_asked(int fd, std::vector<int>& gone) {
    auto e = std::find_if(endpoints_.begin(), endpoints_.end(), [&](const Endpoint& x) { return x.socket.get() == fd; });
    if (e == endpoints_.end()) return;
    Fd netns;
    std::optional<std::string> asked = receive_message(fd, &netns);
    if (!asked) {
      gone.push_back(fd);
      return;
    }
    // "publish tcp|udp PORT" with the host's socket, "dns SERVER": no reply.
    std::vector<std::string> w = split_whitespace(*asked);
    if (w.size() == 2 && w[0] == "dns" && !e->address) {
      if (parse_ipv4(w[1])) e->dns.push_back({w[1], 53});
      return;
    }
    if (w.size() == 3 && w[0] == "publish" && netns && !e->address) {
      int port = atoi(w[2].c_str());
      if (port > 0 && port < 65536 && (w[1] == "tcp" || w[1] == "udp"))
        e->published.push_back({w[1] == "udp", port, std::move(netns)});
      return;
    }
    std::string reply;
    try {
      if (w.size() == 1 && w[0] == "disconnect") {
        // The veth goes with its peer, the container's eth0; the rest goes
        // once the monitor has closed the socket (forget).
        if (int index = e->address ? here_->link_index(host_side_of(e->container_id)) : 0) here_->delete_link(index);
        reply = "ok";
      } else {
        reply = "ok " + attach(*e, *asked, netns);
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

  // The bridge's end of a container's veth.
  static std::string host_side_of(const std::string& container_id) { return "veth" + container_id.substr(0, 11); }

  Netlink::Rule host_access_rule(uint32_t from, uint32_t priority) const {
    Netlink::Rule rule;
    rule.priority = priority;
    rule.in_link = "br-" + network_.id.substr(0, 12);
    rule.from = from;
    rule.to = *parse_ipv4(kUserNetworkHostGateway);
    rule.prohibit = from == 0;
    return rule;
  }

  void forget(int fd) {
    auto e = std::find_if(endpoints_.begin(), endpoints_.end(), [&](const Endpoint& x) { return x.socket.get() == fd; });
    if (e == endpoints_.end()) return;
    if (e->reaches_host) {
      try {
        here_->delete_rule(host_access_rule(e->address, kHostAccessPriority));
      } catch (const Error&) {
        // Gone with a namespace that is ending anyway.
      }
    }
    dns_->remove(e->container_id);
    ports_.remove(e->container_id);
    endpoints_.erase(e);
  }

  uint32_t allocate(const std::string& requested) const {
    auto used = [&](uint32_t a) {
      return a == gateway_ ||
             std::any_of(endpoints_.begin(), endpoints_.end(), [&](const Endpoint& e) { return e.address == a; });
    };
    if (!requested.empty()) {
      auto a = parse_ipv4(requested);
      if (!a || !subnet_.contains(*a) || *a == subnet_.base || *a == subnet_.last())
        fail("no configured subnet or ip-range contain the IP address %s", requested.c_str());
      if (used(*a)) fail("Address already in use");
      return *a;
    }
    for (uint32_t a = subnet_.base + 1; a < subnet_.last(); a++)
      if (!used(a)) return a;
    fail("no available IPv4 addresses on this network's address pools: %s (%s)", network_.name.c_str(),
         network_.id.c_str());
  }

  // "connect ID IP MAC HOST NAME..." (IP and MAC "-" for the usual; HOST
  // "host" when it may reach the host, "-" otherwise), with the container's
  // network namespace: wires it, and returns the address.
  std::string attach(Endpoint& e, const std::string& asked, const Fd& netns) {
    std::vector<std::string> w = split_whitespace(asked);
    if (w.size() < 5 || w[0] != "connect" || !netns || e.address) fail("bad request");
    uint32_t address = allocate(w[2] == "-" ? "" : w[2]);
    std::string host_side = host_side_of(w[1]);
    here_->add_veth(host_side, "eth0", netns.get());
    int host_index = here_->link_index(host_side);
    here_->set_mtu(host_index, kMtu);
    here_->set_master(host_index, bridge_);
    here_->set_up(host_index);
    // The container's side, through a netlink socket and DNS sockets made
    // in its namespace (they stay there once the keeper is back in its own).
    if (setns(netns.get(), CLONE_NEWNET) < 0) fail_errno("enter the container's network namespace");
    std::optional<Netlink> there;
    Fd udp, tcp;
    std::optional<Error> failed;
    try {
      there.emplace();
      there->set_up(there->link_index("lo"));
      udp = bound_dns_socket(SOCK_DGRAM);
      tcp = bound_dns_socket(SOCK_STREAM);
    } catch (const Error& err) {
      failed = err;
    }
    if (setns(netns_.get(), CLONE_NEWNET) < 0) fail_errno("return to the network's namespace");
    if (failed) throw *failed;
    int eth0 = there->link_index("eth0");
    uint8_t mac[6];
    if (w[3] == "-") mac_of(address, mac);
    else if (sscanf(w[3].c_str(), "%hhx%*c%hhx%*c%hhx%*c%hhx%*c%hhx%*c%hhx", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4],
                    &mac[5]) != 6)
      fail("%s is not a valid mac address", w[3].c_str());
    there->set_mac(eth0, mac);
    there->set_mtu(eth0, kMtu);
    there->add_address(eth0, address, subnet_.prefix);
    there->set_up(eth0);
    if (!network_.internal) there->add_default_route(gateway_);
    if (w[4] == "host" && engine_ready_) {
      here_->add_rule(host_access_rule(address, kHostAccessPriority));
      e.reaches_host = true;
    }
    e.container_id = w[1];
    e.address = address;
    for (size_t i = 5; i < w.size(); i++) {
      std::string name = w[i];
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      e.names.push_back(name);
    }
    // Without a way out, no server but the network's can be asked.
    dns_->add(e.container_id, std::move(udp), std::move(tcp), engine_ready_ ? e.dns : std::vector<DnsUpstream>{});
    ports_.add(e.container_id, address, std::move(e.published));
    return format_ipv4(address);
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

  Network network_;
  std::string dir_;
  Ipv4Subnet subnet_;
  uint32_t gateway_ = 0;
  uid_t owner_uid_ = 0;
  Fd userns_, netns_, listener_, engine_lifeline_;
  std::optional<Netlink> here_;
  int bridge_ = 0;
  pid_t launcher_ = -1;
  bool engine_ready_ = false;
  std::optional<EmbeddedDns> dns_;
  PortForwarder ports_;
  std::vector<Endpoint> endpoints_;
};

// Forks the keeper out of the caller's session, as start_monitor does the
// monitor: it outlives the container that started it. Waits for its report.
void start_keeper(const Store& store, const std::string& id) {
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
    const char* argv[] = {"hutch", "--root", store.root().c_str(), "__network-keeper", id.c_str(), nullptr};
    execve("/proc/self/exe", (char**)argv, environ);
    _exit(125);
  }
  report.write.reset();
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  std::string said = first_line(report.read.get());
  if (said != "ok") fail("%s", said.empty() ? "the network's keeper exited" : said.c_str());
}

}  // namespace

std::string docker_mac_address(uint32_t address) {
  uint8_t mac[6];
  mac_of(address, mac);
  return format("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

NetworkAttachment::NetworkAttachment(const Store& store, const Network& network) : network_name_(network.name) {
  std::string dir = keeper_dir(store, network.id);
  mkdir_p(dir, 0700);
  {
    // A keeper that is ending takes this lock to see that no one waits.
    FileLock lock(dir + "/lock", FileLock::kExclusive);
    socket_ = connect_unix_socket(dir, kSocketName, SOCK_SEQPACKET);
    if (!socket_) {
      start_keeper(store, network.id);
      socket_ = connect_unix_socket(dir, kSocketName, SOCK_SEQPACKET);
    }
  }
  std::optional<std::string> hello = socket_ ? receive_message(socket_.get(), &userns_) : std::nullopt;
  if (!hello || *hello != "hello" || !userns_) fail("network %s: its keeper did not answer", network.name.c_str());
}

void NetworkAttachment::join(oci::Config& spec) const {
  for (auto& ns : spec.linux.namespaces)
    if (ns.type == "user") ns.path = "/proc/self/fd/" + std::to_string(userns_.get());
  // A namespace that is joined has its maps already.
  spec.linux.uid_mappings.clear();
  spec.linux.gid_mappings.clear();
}

std::string NetworkAttachment::connect(int netns, const Endpoint& endpoint) {
  // Its --dns servers and published sockets first, one message each; they
  // wait for its address.
  for (const auto& server : endpoint.dns) send_message(socket_.get(), "dns " + server);
  for (size_t i = 0; i < endpoint.ports.size(); i++)
    send_message(socket_.get(),
                 "publish " + endpoint.ports[i].protocol + " " + std::to_string(endpoint.ports[i].container_port),
                 endpoint.port_sockets[i].get());
  std::string asked = "connect " + endpoint.container_id + " " + (endpoint.ip.empty() ? "-" : endpoint.ip) + " " +
                      (endpoint.mac.empty() ? "-" : endpoint.mac) + (endpoint.reaches_host ? " host" : " -");
  for (const auto& n : endpoint.names) asked += " " + n;
  send_message(socket_.get(), asked, netns);
  std::optional<std::string> reply = receive_message(socket_.get());
  if (!reply) fail("network %s: its keeper exited", network_name_.c_str());
  if (reply->compare(0, 3, "ok ") == 0) return reply->substr(3);
  fail("%s", reply->compare(0, 6, "error ") == 0 ? reply->substr(6).c_str() : reply->c_str());
}

void NetworkAttachment::disconnect() {
  if (!socket_) return;
  send_message(socket_.get(), "disconnect");
  std::optional<std::string> reply = receive_message(socket_.get());
  socket_.reset();
  if (!reply) fail("network %s: its keeper exited", network_name_.c_str());
  if (*reply != "ok") fail("%s", reply->compare(0, 6, "error ") == 0 ? reply->substr(6).c_str() : reply->c_str());
}

int network_keeper_main(const Store& store, const std::string& network_id, int report_fd) {
  Fd report(report_fd);
  signal(SIGPIPE, SIG_IGN);
  std::optional<Keeper> keeper;
  try {
    keeper.emplace(store, NetworkStore(store).find(network_id));
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
