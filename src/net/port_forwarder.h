// The published ports of a user network's containers, relayed as docker's
// userland proxy relays them. Each container's monitor binds its host ports
// in the host's network namespace and hands the sockets over; the keeper,
// in the network's namespace, accepts on them and opens its own connection
// to the container's address for each one (TCP, spliced through pipes), or
// its own socket for each UDP client (forgotten after a minute unused). The
// container sees the connection come from the network's gateway, as behind
// docker-proxy. Driven by the caller's poll loop; never blocks.
#pragma once
#include <netinet/in.h>
#include <poll.h>

#include <cstdint>
#include <list>
#include <string>
#include <vector>

#include "base/fd.h"

namespace hutch {

struct PublishedSocket {
  bool udp = false;
  int container_port = 0;
  Fd socket;  // bound (and listening, for TCP) in the host's namespace
};

class PortForwarder {
 public:
  // The container `key` at `address` (host order) is reached through these.
  void add(const std::string& key, uint32_t address, std::vector<PublishedSocket> sockets);
  // Closes its sockets and every connection through them.
  void remove(const std::string& key);
  // New connections of `key` go to `address` from now on.
  void retarget(const std::string& key, uint32_t address);

  void add_poll_fds(std::vector<struct pollfd>& fds) const;
  // The fds add_poll_fds gave, with what poll said of them.
  void handle(const std::vector<struct pollfd>& fds);
  // Until the next UDP client is forgotten; -1 when none is waiting.
  int next_timeout_ms() const;

 private:
  struct Listener {
    std::string key;
    uint32_t address = 0;
    PublishedSocket published;
  };
  // One direction of a TCP connection: bytes from `from` wait in the pipe for
  // `to`.
  struct Direction {
    Fd pipe_read, pipe_write;
    size_t pending = 0;
    bool ended = false;  // from said EOF
    bool shut = false;   // and to was told so
  };
  struct Connection {
    std::string key;
    Fd client, upstream;
    bool connected = false;
    bool failed = false;
    Direction up, down;  // client -> upstream, upstream -> client
  };
  struct UdpFlow {
    std::string key;
    int listener = -1;  // the host socket replies go out of
    sockaddr_in client{};
    Fd upstream;
    int64_t last_used_ms = 0;
  };

  void accept_tcp(const Listener& l);
  void receive_udp(const Listener& l);
  void reply_udp(UdpFlow& flow);
  void pump(Connection& c);
  bool pump(Direction& d, int from, int to);
  static short interest(const Connection& c, bool client);

  std::list<Listener> listeners_;
  std::list<Connection> connections_;
  std::list<UdpFlow> flows_;
};

}  // namespace hutch
