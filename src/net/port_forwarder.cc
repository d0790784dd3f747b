#include "net/port_forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>

#include "base/process.h"

namespace hutch {

namespace {

// What a pipe of a direction holds at most: enough to keep a fast stream
// moving between polls (the default 64 KiB halves loopback throughput).
constexpr int kPipeBytes = 1 << 20;
// A UDP client unheard of for this long is forgotten (docker-proxy: 90 s).
constexpr int64_t kUdpIdleMs = 60000;
constexpr size_t kDatagramMax = 65536;

sockaddr_in container_address(uint32_t address, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(address);
  a.sin_port = htons(port);
  return a;
}

// A socket of the keeper's namespace heading for the container.
Fd upstream_socket(int type, uint32_t address, int port) {
  Fd fd(::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return fd;
  sockaddr_in to = container_address(address, port);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) < 0 && errno != EINPROGRESS) return Fd();
  return fd;
}

bool make_pipe(Fd& read_end, Fd& write_end) {
  int p[2];
  if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) return false;
  read_end.reset(p[0]);
  write_end.reset(p[1]);
  fcntl(p[1], F_SETPIPE_SZ, kPipeBytes);  // best effort: the default works, slower
  return true;
}

}  // namespace

void PortForwarder::add(const std::string& key, uint32_t address, std::vector<PublishedSocket> sockets) {
  for (auto& s : sockets) {
    fcntl(s.socket.get(), F_SETFL, fcntl(s.socket.get(), F_GETFL) | O_NONBLOCK);
    listeners_.push_back({key, address, std::move(s)});
  }
}

void PortForwarder::remove(const std::string& key) {
  listeners_.remove_if([&](const Listener& l) { return l.key == key; });
  connections_.remove_if([&](const Connection& c) { return c.key == key; });
  flows_.remove_if([&](const UdpFlow& f) { return f.key == key; });
}

void PortForwarder::retarget(const std::string& key, uint32_t address) {
  for (auto& l : listeners_)
    if (l.key == key) l.address = address;
}

short PortForwarder::interest(const Connection& c, bool client) {
  if (!c.connected) return client ? 0 : POLLOUT;
  // The client reads into `up` and is written from `down`; the upstream the
  // other way round.
  const Direction& in = client ? c.up : c.down;
  const Direction& out = client ? c.down : c.up;
  short events = 0;
  if (!in.ended && in.pending < (size_t)kPipeBytes) events |= POLLIN;
  if (out.pending > 0) events |= POLLOUT;
  return events;
}

void PortForwarder::add_poll_fds(std::vector<struct pollfd>& fds) const {
  for (const auto& l : listeners_) fds.push_back({l.published.socket.get(), POLLIN, 0});
  for (const auto& c : connections_) {
    fds.push_back({c.client.get(), interest(c, true), 0});
    fds.push_back({c.upstream.get(), interest(c, false), 0});
  }
  for (const auto& f : flows_) fds.push_back({f.upstream.get(), POLLIN, 0});
}

void PortForwarder::handle(const std::vector<struct pollfd>& fds) {
  std::unordered_map<int, short> ready;
  for (const auto& p : fds)
    if (p.revents) ready[p.fd] |= p.revents;
  auto woke = [&](const Fd& fd) { return fd && ready.count(fd.get()) > 0; };
  for (const auto& l : listeners_) {
    if (!woke(l.published.socket)) continue;
    if (l.published.udp) receive_udp(l);
    else accept_tcp(l);
  }
  for (auto& c : connections_) {
    if (!woke(c.client) && !woke(c.upstream)) continue;
    if (!c.connected) {
      // Only the upstream's connect is awaited; a client that left first
      // finds out once it is through.
      if (!woke(c.upstream)) continue;
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt(c.upstream.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
        c.failed = true;  // nothing listens there: the client is closed on
        continue;
      }
      c.connected = true;
    }
    pump(c);
  }
  connections_.remove_if([](const Connection& c) { return c.failed || (c.up.shut && c.down.shut); });
  for (auto& f : flows_)
    if (woke(f.upstream)) reply_udp(f);
  int64_t now = monotonic_ms();
  flows_.remove_if([&](const UdpFlow& f) { return now - f.last_used_ms >= kUdpIdleMs; });
}

int PortForwarder::next_timeout_ms() const {
  if (flows_.empty()) return -1;
  int64_t now = monotonic_ms(), soonest = INT64_MAX;
  for (const auto& f : flows_) soonest = std::min(soonest, f.last_used_ms + kUdpIdleMs - now);
  return (int)std::max<int64_t>(0, soonest);
}

void PortForwarder::accept_tcp(const Listener& l) {
  for (;;) {
    Fd client(accept4(l.published.socket.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!client) return;
    Connection c;
    c.key = l.key;
    c.client = std::move(client);
    c.upstream = upstream_socket(SOCK_STREAM, l.address, l.published.container_port);
    if (!c.upstream || !make_pipe(c.up.pipe_read, c.up.pipe_write) ||
        !make_pipe(c.down.pipe_read, c.down.pipe_write))
      continue;  // closing the client is all there is to say
    connections_.push_back(std::move(c));
  }
}

// Moves what it can from -> pipe -> to; false when the connection broke.
bool PortForwarder::pump(Direction& d, int from, int to) {
  for (;;) {
    bool moved = false;
    if (!d.ended && d.pending < (size_t)kPipeBytes) {
      ssize_t n = splice(from, nullptr, d.pipe_write.get(), nullptr, kPipeBytes - d.pending,
                         SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
      if (n > 0) {
        d.pending += n;
        moved = true;
      } else if (n == 0) {
        d.ended = true;
      } else if (errno != EAGAIN && errno != EINTR) {
        return false;
      }
    }
    if (d.pending > 0) {
      ssize_t n = splice(d.pipe_read.get(), nullptr, to, nullptr, d.pending, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
      if (n > 0) {
        d.pending -= n;
        moved = true;
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return false;
      }
    }
    if (d.ended && d.pending == 0 && !d.shut) {
      shutdown(to, SHUT_WR);
      d.shut = true;
    }
    if (!moved) return true;
  }
}

void PortForwarder::pump(Connection& c) {
  if (!pump(c.up, c.client.get(), c.upstream.get()) || !pump(c.down, c.upstream.get(), c.client.get()))
    c.failed = true;
}

void PortForwarder::receive_udp(const Listener& l) {
  static char buf[kDatagramMax];
  for (;;) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(l.published.socket.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return;
    int listener = l.published.socket.get();
    auto flow = std::find_if(flows_.begin(), flows_.end(), [&](const UdpFlow& f) {
      return f.listener == listener && f.client.sin_addr.s_addr == from.sin_addr.s_addr &&
             f.client.sin_port == from.sin_port;
    });
    if (flow == flows_.end()) {
      UdpFlow f;
      f.key = l.key;
      f.listener = listener;
      f.client = from;
      f.upstream = upstream_socket(SOCK_DGRAM, l.address, l.published.container_port);
      if (!f.upstream) continue;
      flow = flows_.insert(flows_.end(), std::move(f));
    }
    flow->last_used_ms = monotonic_ms();
    ssize_t ignored = send(flow->upstream.get(), buf, n, 0);  // UDP: a datagram may be lost
    (void)ignored;
  }
}

void PortForwarder::reply_udp(UdpFlow& flow) {
  static char buf[kDatagramMax];
  for (;;) {
    ssize_t n = recv(flow.upstream.get(), buf, sizeof buf, 0);
    if (n < 0) return;
    flow.last_used_ms = monotonic_ms();
    sendto(flow.listener, buf, n, 0, reinterpret_cast<sockaddr*>(&flow.client), sizeof flow.client);
  }
}

}  // namespace hutch
