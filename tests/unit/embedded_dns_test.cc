// The embedded DNS server: its wire format against hostile packets, and real
// round trips over loopback sockets with a fake upstream in the same loop.
#include "net/embedded_dns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>

#include <map>
#include <memory>
#include <random>

#include "base/error.h"
#include "test.h"

using namespace hutch;

namespace {

std::string wire(const std::string& dotted) {
  std::string out;
  size_t start = 0;
  while (start < dotted.size()) {
    size_t dot = std::min(dotted.find('.', start), dotted.size());
    out += char(dot - start);
    out += dotted.substr(start, dot - start);
    start = dot + 1;
  }
  return out + '\0';
}

std::string query(uint16_t id, const std::string& name, uint16_t type = kDnsTypeA, int edns_size = 0) {
  std::string q = {char(id >> 8), char(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, char(edns_size ? 1 : 0)};
  q += wire(name);
  q += {char(type >> 8), char(type), 0, 1};
  if (edns_size) q += {0, 0, 41, char(edns_size >> 8), char(edns_size), 0, 0, 0, 0, 0, 0};
  return q;
}

uint16_t get16(const std::string& p, size_t at) { return uint8_t(p[at]) << 8 | uint8_t(p[at + 1]); }
int rcode(const std::string& reply) { return reply.size() >= 12 ? reply[3] & 0xF : -1; }
int answers(const std::string& reply) { return reply.size() >= 12 ? get16(reply, 6) : -1; }
// The address of the first answer, when it is an A record right after the question.
std::string first_a(const std::string& reply) {
  if (answers(reply) < 1) return "";
  size_t at = 12;
  while (at < reply.size() && reply[at]) at += 1 + uint8_t(reply[at]);
  at += 1 + 4 + 12;
  if (at + 4 > reply.size()) return "";
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, reply.data() + at, text, sizeof text);
  return text;
}

}  // namespace

TEST(dns_parses_a_query) {
  auto q = parse_dns_query(query(0x1234, "Web.Example"));
  CHECK(q.has_value());
  CHECK_EQ(q->id, 0x1234);
  CHECK_EQ(q->name, std::string("web.example"));
  CHECK_EQ(q->wire_name, wire("Web.Example"));
  CHECK_EQ(q->type, kDnsTypeA);
  CHECK_EQ(q->qclass, 1);
  CHECK_EQ(q->udp_limit, (size_t)512);
  CHECK_EQ(parse_dns_query(query(1, "web", kDnsTypeA, 4096))->udp_limit, (size_t)4096);
  CHECK_EQ(parse_dns_query(query(1, "web", kDnsTypeA, 100))->udp_limit, (size_t)512);
  CHECK_EQ(parse_dns_query(query(1, ""))->name, std::string(""));
  // A dot inside a label must not pass for two labels.
  std::string dotted = query(1, "x");
  dotted.replace(12, 2, std::string("\3a.b", 4));
  CHECK_EQ(parse_dns_query(dotted)->name, std::string("a\\.b"));
}

TEST(dns_refuses_hostile_queries) {
  std::string good = query(7, "web");
  for (size_t n = 0; n < good.size(); n++) CHECK(!parse_dns_query(good.substr(0, n)));
  auto with = [&](size_t at, char c) { return std::string(good).replace(at, 1, 1, c); };
  CHECK(!parse_dns_query(with(5, 0)));      // no question
  CHECK(!parse_dns_query(with(5, 2)));      // two
  CHECK(!parse_dns_query(with(2, 0x81)));   // a response
  CHECK(!parse_dns_query(with(2, 0x29)));   // opcode UPDATE
  CHECK(!parse_dns_query(with(12, 60)));    // a label past the end
  CHECK(!parse_dns_query(with(12, 0x43)));  // an extended label type
  CHECK(!parse_dns_query(with(11, 1)));     // an additional record that is not there
  std::string self = good;                  // a pointer to itself
  self.replace(12, 5, "\xC0\x0C\0\0\1", 5);
  CHECK(!parse_dns_query(self));
  std::string ahead = good;  // a pointer forwards, to a pointer back
  ahead.replace(12, 5, std::string("\xC0\x0E\xC0\x0C\0\0\1\0\1", 9));
  CHECK(!parse_dns_query(ahead));
  std::string longest = std::string(12, '\0') + "";
  longest[5] = 1;
  for (int i = 0; i < 64; i++) longest += std::string("\3abc");  // 256 bytes with the root
  longest += std::string("\0\0\1\0\1", 5);
  CHECK(!parse_dns_query(longest));

  CHECK_EQ(dns_error_reply(good.substr(0, 11)), std::string(""));
  CHECK_EQ(dns_error_reply(with(2, 0x81)), std::string(""));
  std::string formerr = dns_error_reply(with(5, 2));
  CHECK_EQ(formerr.size(), (size_t)12);
  CHECK_EQ(get16(formerr, 0), 7);
  CHECK_EQ(rcode(formerr), kDnsFormErr);
  CHECK_EQ(rcode(dns_error_reply(with(2, 0x29))), kDnsNotImp);
}

TEST(dns_survives_random_packets) {
  std::mt19937 random(42);
  std::string good = query(9, "web.example", kDnsTypeA, 1232);
  for (int i = 0; i < 200000; i++) {
    std::string p = good;
    if (i % 4 == 0) {
      p.resize(random() % 64);
      for (auto& c : p) c = char(random());
    } else {
      for (int k = 1 + random() % 4; k > 0; k--) p[random() % p.size()] = char(random());
      if (random() % 2) p.resize(random() % (p.size() + 1));
    }
    if (auto q = parse_dns_query(p)) {
      CHECK(q->wire_name.size() <= 255);
      CHECK(dns_a_reply(*q, {"10.0.0.1"}, q->udp_limit).size() <= 65535);
    }
    dns_error_reply(p);
  }
}

TEST(dns_builds_replies) {
  auto q = *parse_dns_query(query(0xBEEF, "Web"));
  std::string a = dns_a_reply(q, {"10.0.0.2", "bogus", "10.0.0.3"}, 512);
  CHECK_EQ(get16(a, 0), 0xBEEF);
  CHECK_EQ(get16(a, 2), 0x8180);  // QR, RD echoed, RA
  CHECK_EQ(answers(a), 2);
  CHECK_EQ(a.substr(12, 5), wire("Web"));  // the question keeps its case
  CHECK_EQ(first_a(a), std::string("10.0.0.2"));
  CHECK_EQ(a.substr(21, 10), std::string("\xC0\x0C\0\1\0\1\0\0\x02\x58", 10));  // TTL 600
  std::vector<std::string> many(100, "10.0.0.9");
  std::string cut = dns_a_reply(q, many, 512);
  CHECK(cut.size() <= 512);
  CHECK(get16(cut, 2) & 0x0200);
  CHECK_EQ(answers(cut), int((512 - 21) / 16));
  CHECK_EQ(answers(dns_a_reply(q, many, 65535)), 100);
  CHECK_EQ(rcode(dns_reply(q, kDnsServFail)), kDnsServFail);
  CHECK_EQ(answers(dns_reply(q, kDnsNoError)), 0);

  auto ptr = *parse_dns_query(query(1, "2.0.0.10.in-addr.arpa", kDnsTypePtr));
  std::string reply = dns_ptr_reply(ptr, "web");
  CHECK_EQ(answers(reply), 1);
  CHECK_EQ(reply.substr(reply.size() - 5), wire("web"));
  CHECK_EQ(dns_ptr_reply(ptr, ""), std::string(""));
  CHECK_EQ(dns_ptr_reply(ptr, "a..b"), std::string(""));
  CHECK_EQ(dns_ptr_reply(ptr, std::string(64, 'x')), std::string(""));

  CHECK_EQ(*dns_ptr_address("2.0.0.10.in-addr.arpa"), std::string("10.0.0.2"));
  CHECK(!dns_ptr_address("0.0.10.in-addr.arpa"));
  CHECK(!dns_ptr_address("256.0.0.10.in-addr.arpa"));
  CHECK(!dns_ptr_address("02.0.0.10.in-addr.arpa"));
  CHECK(!dns_ptr_address("x.0.0.10.in-addr.arpa"));
  CHECK(!dns_ptr_address(".0.0.10.in-addr.arpa"));
  CHECK(!dns_ptr_address("in-addr.arpa"));
}

namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

Fd bound(int type, uint16_t port) {
  Fd fd(socket(AF_INET, type | SOCK_CLOEXEC, 0));
  sockaddr_in a = loopback(port);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return Fd();
  if (type == SOCK_STREAM) listen(fd.get(), 16);
  return fd;
}

uint16_t port_of(const Fd& fd) {
  sockaddr_in a{};
  socklen_t length = sizeof a;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &length);
  return ntohs(a.sin_port);
}

// A UDP and a TCP socket on one free loopback port.
std::pair<Fd, Fd> socket_pair_on_one_port() {
  for (int attempt = 0; attempt < 50; attempt++) {
    Fd udp = bound(SOCK_DGRAM, 0);
    Fd tcp = bound(SOCK_STREAM, port_of(udp));
    if (tcp) return {std::move(udp), std::move(tcp)};
  }
  throw Error("no free loopback port");
}

// The server under test and a fake upstream, answering 1.2.3.4 over UDP and
// 5.6.7.8 over TCP, with `upstream_rcode`, polled in one loop.
struct Harness {
  std::pair<Fd, Fd> upstream = socket_pair_on_one_port();
  int upstream_rcode = 0;
  int upstream_queries = 0;
  bool upstream_silent = false;
  std::map<int, std::pair<Fd, std::string>> upstream_clients;
  std::unique_ptr<EmbeddedDns> dns;
  uint16_t port = 0;

  explicit Harness(std::vector<DnsUpstream> upstreams = {}, bool with_upstream = true) {
    if (with_upstream) upstreams.push_back({"127.0.0.1", port_of(upstream.first)});
    dns = std::make_unique<EmbeddedDns>(
        [](const std::string& pair, const std::string& name) {
          if (pair != "c1") return std::vector<std::string>{};
          if (name == "web") return std::vector<std::string>{"10.0.0.2"};
          if (name == "db") return std::vector<std::string>{"10.0.0.3", "10.0.0.4"};
          return std::vector<std::string>{};
        },
        [](const std::string& pair, const std::string& ip) {
          return pair == "c1" && ip == "10.0.0.2" ? std::string("web") : std::string();
        },
        upstreams);
    auto [udp, tcp] = socket_pair_on_one_port();
    port = port_of(udp);
    dns->add("c1", std::move(udp), std::move(tcp));
  }

  std::string upstream_reply(const std::string& packet, const char* address) {
    upstream_queries++;
    auto q = parse_dns_query(packet);
    if (!q || upstream_silent) return "";
    std::string reply = dns_a_reply(*q, {address}, 65535);
    reply[3] = char((reply[3] & 0xF0) | upstream_rcode);
    return reply;
  }

  void step(int max_ms) {
    std::vector<pollfd> fds;
    dns->add_poll_fds(fds);
    size_t ours = fds.size();
    fds.push_back({upstream.first.get(), POLLIN, 0});
    fds.push_back({upstream.second.get(), POLLIN, 0});
    for (auto& [fd, c] : upstream_clients) fds.push_back({fd, POLLIN, 0});
    int timeout = dns->next_timeout_ms();
    poll(fds.data(), fds.size(), timeout < 0 ? max_ms : std::min(timeout, max_ms));
    dns->handle(fds);
    char buffer[65536];
    for (size_t i = ours; i < fds.size(); i++) {
      if (!fds[i].revents) continue;
      int fd = fds[i].fd;
      if (fd == upstream.first.get()) {
        sockaddr_in peer{};
        socklen_t length = sizeof peer;
        ssize_t n = recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &length);
        std::string reply = upstream_reply(std::string(buffer, std::max<ssize_t>(n, 0)), "1.2.3.4");
        if (!reply.empty()) sendto(fd, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), length);
      } else if (fd == upstream.second.get()) {
        int c = accept(fd, nullptr, nullptr);
        if (c >= 0) upstream_clients[c] = {Fd(c), ""};
      } else {
        auto& [conn, in] = upstream_clients[fd];
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
          upstream_clients.erase(fd);
          continue;
        }
        in.append(buffer, n);
        while (in.size() >= 2 && in.size() >= 2u + get16(in, 0)) {
          std::string reply = upstream_reply(in.substr(2, get16(in, 0)), "5.6.7.8");
          in.erase(0, 2 + get16(in, 0));
          if (reply.empty()) continue;
          std::string framed = {char(reply.size() >> 8), char(reply.size())};
          framed += reply;
          send(fd, framed.data(), framed.size(), MSG_NOSIGNAL);
        }
      }
    }
  }

  // Steps the loop until `done` or `seconds` pass.
  template <typename F>
  void run(F&& done, double seconds) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!done() && std::chrono::steady_clock::now() < end) step(50);
  }

  std::string ask_udp(const std::string& packet, double seconds = 3) {
    Fd client(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in server = loopback(port);
    sendto(client.get(), packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&server), sizeof server);
    std::string reply;
    run([&] {
      char buffer[65536];
      ssize_t n = recv(client.get(), buffer, sizeof buffer, 0);
      if (n > 0) reply.assign(buffer, n);
      return !reply.empty();
    }, seconds);
    return reply;
  }

  // Sends the queries on one connection, in one write; the replies in the order they came.
  std::vector<std::string> ask_tcp(const std::vector<std::string>& packets) {
    Fd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in server = loopback(port);
    if (connect(client.get(), reinterpret_cast<sockaddr*>(&server), sizeof server) < 0) return {};
    std::string framed;
    for (const auto& p : packets) framed += std::string{char(p.size() >> 8), char(p.size())} + p;
    send(client.get(), framed.data(), framed.size(), MSG_NOSIGNAL);
    fcntl(client.get(), F_SETFL, O_NONBLOCK);
    std::string in;
    std::vector<std::string> replies;
    run([&] {
      char buffer[65536];
      ssize_t n = recv(client.get(), buffer, sizeof buffer, 0);
      if (n > 0) in.append(buffer, n);
      while (in.size() >= 2 && in.size() >= 2u + get16(in, 0)) {
        replies.push_back(in.substr(2, get16(in, 0)));
        in.erase(0, 2 + get16(in, 0));
      }
      return replies.size() >= packets.size();
    }, 3);
    return replies;
  }
};

}  // namespace

TEST(embedded_dns_answers_and_forwards_over_udp) {
  Harness h;
  std::string web = h.ask_udp(query(0x0101, "WEB"));
  CHECK_EQ(get16(web, 0), 0x0101);
  CHECK_EQ(rcode(web), kDnsNoError);
  CHECK_EQ(answers(web), 1);
  CHECK_EQ(first_a(web), std::string("10.0.0.2"));
  CHECK_EQ(answers(h.ask_udp(query(2, "db"))), 2);
  // A known name without an A query: no answers, and nothing forwarded.
  std::string aaaa = h.ask_udp(query(3, "web", kDnsTypeAaaa));
  CHECK_EQ(rcode(aaaa), kDnsNoError);
  CHECK_EQ(answers(aaaa), 0);
  std::string ptr = h.ask_udp(query(4, "2.0.0.10.in-addr.arpa", kDnsTypePtr));
  CHECK_EQ(answers(ptr), 1);
  CHECK_EQ(h.upstream_queries, 0);

  std::string other = h.ask_udp(query(0xABCD, "example.com"));
  CHECK_EQ(get16(other, 0), 0xABCD);
  CHECK_EQ(first_a(other), std::string("1.2.3.4"));
  CHECK_EQ(h.upstream_queries, 1);
  // An unknown address's PTR is the upstream's to answer.
  CHECK_EQ(answers(h.ask_udp(query(5, "9.0.0.10.in-addr.arpa", kDnsTypePtr))), 1);
  CHECK_EQ(h.upstream_queries, 2);
  CHECK_EQ(h.dns->next_timeout_ms(), -1);
}

TEST(embedded_dns_serves_tcp) {
  Harness h;
  auto replies = h.ask_tcp({query(10, "web"), query(11, "example.com"), query(12, "db")});
  CHECK_EQ(replies.size(), (size_t)3);
  std::map<int, std::string> by_id;
  for (const auto& r : replies) by_id[get16(r, 0)] = r;
  CHECK_EQ(first_a(by_id[10]), std::string("10.0.0.2"));
  CHECK_EQ(first_a(by_id[11]), std::string("5.6.7.8"));  // forwarded over TCP
  CHECK_EQ(answers(by_id[12]), 2);
  // Garbage in a frame gets FORMERR and the connection goes on.
  replies = h.ask_tcp({std::string(20, '\x01'), query(13, "web")});
  CHECK_EQ(replies.size(), (size_t)2);
  CHECK_EQ(rcode(replies[0]), kDnsFormErr);
  CHECK_EQ(get16(replies[1], 0), 13);
}

TEST(embedded_dns_tries_the_next_upstream) {
  Fd closed = bound(SOCK_DGRAM, 0);
  uint16_t dead_port = port_of(closed);
  closed.reset();  // nothing listens there: the kernel refuses at once
  Harness h({{"127.0.0.1", dead_port}});
  CHECK_EQ(first_a(h.ask_udp(query(20, "example.com"))), std::string("1.2.3.4"));

  // An upstream's SERVFAIL is passed over; when none is left the client gets ours.
  h.upstream_rcode = kDnsServFail;
  std::string failed = h.ask_udp(query(21, "example.com"));
  CHECK_EQ(get16(failed, 0), 21);
  CHECK_EQ(rcode(failed), kDnsServFail);
  CHECK_EQ(answers(failed), 0);
}

TEST(embedded_dns_without_upstream_or_answer) {
  Harness internal({}, false);
  CHECK_EQ(rcode(internal.ask_udp(query(30, "example.com"))), kDnsServFail);
  CHECK_EQ(first_a(internal.ask_udp(query(31, "web"))), std::string("10.0.0.2"));

  Harness h;
  h.upstream_silent = true;
  std::string reply = h.ask_udp(query(32, "example.com"), 0.3);
  CHECK_EQ(reply, std::string(""));
  int timeout = h.dns->next_timeout_ms();
  CHECK(timeout > 3000 && timeout <= 4000);  // waiting for the upstream
  h.dns->remove("c1");
  CHECK_EQ(h.dns->next_timeout_ms(), -1);
}

TEST(embedded_dns_survives_hostile_datagrams) {
  Harness h;
  Fd client(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_in server = loopback(h.port);
  std::mt19937 random(7);
  for (int i = 0; i < 300; i++) {
    std::string p = query(uint16_t(i), "web.example");
    for (int k = 0; k < 3; k++) p[random() % p.size()] = char(random());
    p.resize(random() % (p.size() + 1));
    sendto(client.get(), p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&server), sizeof server);
    if (i % 50 == 0) h.step(0);
  }
  std::string huge(70000, 'x');
  sendto(client.get(), huge.data(), 65000, 0, reinterpret_cast<sockaddr*>(&server), sizeof server);
  h.run([] { return false; }, 0.2);
  CHECK_EQ(first_a(h.ask_udp(query(40, "web"))), std::string("10.0.0.2"));
}
