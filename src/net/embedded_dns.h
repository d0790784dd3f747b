// The embedded DNS server of a user network, like docker's 127.0.0.11. Each
// container of the network hands over a UDP socket and a listening TCP socket
// bound to 127.0.0.11:53 in its network namespace; one server, driven by the
// caller's poll loop and never blocking, serves them all. It answers for the
// network's container names from the caller's table and forwards every other
// query to the upstream resolvers, relaying their reply unchanged.
//
// What it answers, as docker's libnetwork/resolver.go does:
//   A of a known name          its IPv4 addresses, TTL 600, shuffled; truncated
//                              (TC) to 512 bytes or the EDNS0 size over UDP
//   other types, known name    NOERROR with no answers, so clients fall back to A
//                              (docker does this for AAAA and MX only and
//                              forwards the rest, which would earn NXDOMAIN for a
//                              name that exists)
//   PTR of a known address     the name
//   anything else              forwarded: UDP over UDP, TCP over TCP, to each
//                              upstream in turn (at most 3, 4 s each), the next
//                              one on a timeout, an error, SERVFAIL or REFUSED;
//                              SERVFAIL when none answers or there is none
//                              (an --internal network)
//   a malformed query          FORMERR (NOTIMP for an opcode other than QUERY);
//                              nothing when even the header is short or it is a
//                              response, as any reply could be used to amplify
//
// Not done: AAAA records (no IPv6 networks), SRV for services, docker's ndots
// rule for single-label names, upstreams chosen by the client's address.
#pragma once
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"

namespace hutch {

inline constexpr uint16_t kDnsTypeA = 1, kDnsTypePtr = 12, kDnsTypeAaaa = 28;
inline constexpr int kDnsNoError = 0, kDnsFormErr = 1, kDnsServFail = 2, kDnsNxDomain = 3,
                     kDnsNotImp = 4, kDnsRefused = 5;

// The one question of a query.
struct DnsQuestion {
  uint16_t id = 0;
  uint16_t flags = 0;     // the query's header flags (opcode, RD, CD), echoed in replies
  std::string name;       // lowercase, no trailing dot, "" for the root; a dot or
                          // backslash inside a label is escaped ("a\.b"), so never matches
  std::string wire_name;  // the name as asked, uncompressed: replies keep its case
  uint16_t type = 0;
  uint16_t qclass = 0;
  size_t udp_limit = 512;  // the largest UDP reply the client takes (EDNS0)
};

// nullopt for anything but a well-formed standard query with one question.
// Bounds-checked throughout; compression pointers may only point backwards,
// so a loop cannot exist.
std::optional<DnsQuestion> parse_dns_query(std::string_view packet);
// The reply to a packet parse_dns_query refused: FORMERR or NOTIMP, header
// only; "" when no reply is due.
std::string dns_error_reply(std::string_view packet);
// A reply with no answers.
std::string dns_reply(const DnsQuestion& q, int rcode);
// A records for the addresses ("a.b.c.d"; others are skipped), as many as fit
// in `limit` bytes, with TC set when some did not.
std::string dns_a_reply(const DnsQuestion& q, const std::vector<std::string>& ipv4s, size_t limit);
// A PTR record naming `host`; "" when host is not a valid DNS name.
std::string dns_ptr_reply(const DnsQuestion& q, const std::string& host);
// "4.3.2.1.in-addr.arpa" (a parsed name) -> "1.2.3.4"; nullopt for other names.
std::optional<std::string> dns_ptr_address(const std::string& name);

struct DnsUpstream {
  std::string address;  // IPv4
  uint16_t port = 53;
};

class EmbeddedDns {
 public:
  // A known name's IPv4 addresses ("a.b.c.d"), empty when unknown, as the
  // container of the pair `pair` (add's key) sees them. The name is as
  // DnsQuestion::name has it: lowercase, without the trailing dot.
  using Lookup = std::function<std::vector<std::string>(const std::string& pair, const std::string& name)>;
  // The name of a known IPv4 address ("a.b.c.d"), "" when unknown.
  using ReverseLookup = std::function<std::string(const std::string& pair, const std::string& ipv4)>;
  // Throws for an upstream address that is not IPv4; more than 3 are ignored.
  // Neither function may throw; both see every name a container asks for.
  EmbeddedDns(Lookup lookup, ReverseLookup reverse, std::vector<DnsUpstream> upstreams);

  // Serves a pair of sockets, made non-blocking here; either may be absent.
  // `key` names the pair for remove(); adding a key again replaces its pair.
  // `upstreams`, when given, replace the server's own for the pair's queries
  // (a container's --dns). Throws when a socket cannot be made non-blocking
  // or an upstream is not IPv4.
  void add(const std::string& key, Fd udp, Fd tcp_listener, const std::vector<DnsUpstream>& upstreams = {});
  // The pair's upstreams from now on (none given: the server's own).
  void set_upstreams(const std::string& key, const std::vector<DnsUpstream>& upstreams);
  // Closes the pair, its TCP clients and their pending forwards. Call it
  // outside add_poll_fds..handle, as the poll results name its fds.
  void remove(const std::string& key);

  // Appends the fds to poll (the caller may poll its own alongside).
  void add_poll_fds(std::vector<pollfd>& fds) const;
  // Serves what poll reported for the fds add_poll_fds gave (others are
  // ignored) and expires deadlines: call it after every poll, timeouts too.
  void handle(const std::vector<pollfd>& fds);
  // Milliseconds until the next deadline (an upstream's reply, an idle TCP
  // client), -1 if none: the timeout for poll.
  int next_timeout_ms() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Pair {
    Fd udp, tcp;
    int clients = 0, forwards = 0;
    std::vector<sockaddr_in> upstreams;  // empty: upstreams_
  };
  struct Client {
    std::string pair;
    Fd fd;
    std::string in, out;  // length-prefixed messages
    int forwards = 0;
    bool eof = false;
    Clock::time_point idle_deadline;
  };
  // A query on its way to an upstream, keyed by its socket.
  struct Forward {
    DnsQuestion question;  // for the SERVFAIL when no upstream answers
    std::string pair;
    int client = -1;  // a TCP client's fd, or -1 for the UDP peer
    sockaddr_storage peer{};
    socklen_t peer_length = 0;
    std::string query;  // as the client sent it, but with our own id
    uint16_t upstream_id = 0;
    size_t upstream = 0;  // index of the upstream being asked
    Fd fd;
    std::string out, in;
    size_t sent = 0;
    Clock::time_point deadline;
  };

  std::string answer(Forward origin, std::string_view packet);
  std::string forward(Forward origin, std::string_view packet);
  bool launch(Forward& f);
  const std::vector<sockaddr_in>& upstreams_of(const std::string& pair) const;
  void retry(int fd);
  void finish(Forward f, const std::string& reply);
  void forward_io(int fd);
  void serve_udp(const std::string& key, int fd);
  void accept_clients(const std::string& key, int fd);
  void client_io(int fd, short revents);
  void process_input(int fd);
  void close_client(int fd);
  void drop_forwards(const std::function<bool(const Forward&)>& which);
  void expire();

  Lookup lookup_;
  ReverseLookup reverse_;
  std::vector<sockaddr_in> upstreams_;
  std::map<std::string, Pair> pairs_;
  std::map<int, Client> clients_;
  std::map<int, Forward> forwards_;
  std::vector<Fd> closed_;  // closed at the end of handle(), so no fd number is reused during it
  std::string buffer_;
  std::minstd_rand shuffle_;
};

}  // namespace hutch
