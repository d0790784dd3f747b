#include "net/embedded_dns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>

#include "base/error.h"
#include "base/strings.h"

namespace hutch {

namespace {

constexpr size_t kHeader = 12;
constexpr uint16_t kQr = 0x8000, kOpcode = 0x7800, kTc = 0x0200, kRd = 0x0100, kRa = 0x0080,
                   kCd = 0x0010;
constexpr uint16_t kTypeOpt = 41, kClassIn = 1;
constexpr size_t kMaxMessage = 65535;
constexpr uint32_t kTtl = 600;                              // docker's respTTL
constexpr size_t kMaxUpstreams = 3;                         // docker's maxExtDNS
constexpr auto kUpstreamTimeout = std::chrono::seconds(4);  // docker's extIOTimeout
constexpr auto kTcpIdle = std::chrono::seconds(10);
// Per pair, so that one container flooding its resolver starves only itself.
constexpr int kMaxClients = 16;
constexpr int kMaxForwards = 128;
// A TCP client is not read while it has this much in flight or unread.
constexpr int kMaxClientForwards = 16;
constexpr size_t kMaxClientOutput = 1 << 17;
constexpr int kMaxDatagramsPerWakeup = 64;

uint16_t get16(std::string_view p, size_t at) { return uint8_t(p[at]) << 8 | uint8_t(p[at + 1]); }
void put16(std::string& out, uint16_t v) {
  out += char(v >> 8);
  out += char(v);
}
void set16(std::string& p, size_t at, uint16_t v) {
  p[at] = char(v >> 8);
  p[at + 1] = char(v);
}
std::string length_prefixed(std::string_view message) {
  std::string out;
  put16(out, uint16_t(message.size()));
  out += message;
  return out;
}
bool would_block() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }

// Appends the name at `at` to `wire` uncompressed and returns the offset just
// past it where it sits. A pointer must point before the run of labels it
// ends, so targets strictly decrease and a loop cannot exist.
std::optional<size_t> read_name(std::string_view p, size_t at, std::string& wire) {
  std::optional<size_t> end;
  size_t run_start = at;
  while (at < p.size()) {
    uint8_t length = p[at];
    if ((length & 0xC0) == 0xC0) {
      if (at + 1 >= p.size()) return std::nullopt;
      size_t target = (length & 0x3F) << 8 | uint8_t(p[at + 1]);
      if (target >= run_start) return std::nullopt;
      if (!end) end = at + 2;
      at = run_start = target;
      continue;
    }
    if (length & 0xC0) return std::nullopt;  // the obsolete extended label types
    if (at + 1 + length > p.size() || wire.size() + 1 + length > 255) return std::nullopt;
    wire += p.substr(at, 1 + length);
    at += 1 + length;
    if (length == 0) return end ? *end : at;
  }
  return std::nullopt;
}

std::string dotted_lowercase(std::string_view wire) {
  std::string name;
  for (size_t at = 0; wire[at] != 0; at += 1 + uint8_t(wire[at])) {
    if (!name.empty()) name += '.';
    for (char c : wire.substr(at + 1, uint8_t(wire[at]))) {
      if (c == '.' || c == '\\') name += '\\';
      name += c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
    }
  }
  return name;
}

std::optional<std::string> encode_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return std::nullopt;
  std::string wire;
  while (true) {
    size_t dot = std::min(name.find('.'), name.size());
    if (dot == 0 || dot > 63) return std::nullopt;
    wire += char(dot);
    wire += name.substr(0, dot);
    if (dot == name.size()) break;
    name.remove_prefix(dot + 1);
  }
  wire += '\0';
  if (wire.size() > 255) return std::nullopt;
  return wire;
}

std::string reply_header(uint16_t id, uint16_t query_flags, int rcode, uint16_t questions) {
  std::string out;
  put16(out, id);
  put16(out, kQr | (query_flags & (kOpcode | kRd | kCd)) | kRa | rcode);
  put16(out, questions);
  put16(out, 0);  // answers, set by answer_reply
  put16(out, 0);
  put16(out, 0);
  return out;
}

// Every record names the question's name by a pointer to it at offset 12.
std::string answer_reply(const DnsQuestion& q, uint16_t type, const std::vector<std::string>& rdatas,
                         size_t limit) {
  std::string out = dns_reply(q, kDnsNoError);
  uint16_t count = 0;
  for (const auto& rdata : rdatas) {
    if (out.size() + 12 + rdata.size() > limit) {
      set16(out, 2, get16(out, 2) | kTc);
      break;
    }
    put16(out, 0xC000 | kHeader);
    put16(out, type);
    put16(out, kClassIn);
    put16(out, kTtl >> 16);
    put16(out, kTtl & 0xFFFF);
    put16(out, uint16_t(rdata.size()));
    out += rdata;
    count++;
  }
  set16(out, 6, count);
  return out;
}

}  // namespace

std::optional<DnsQuestion> parse_dns_query(std::string_view p) {
  if (p.size() < kHeader) return std::nullopt;
  DnsQuestion q;
  q.id = get16(p, 0);
  q.flags = get16(p, 2);
  uint16_t answers = get16(p, 6), authorities = get16(p, 8), additional = get16(p, 10);
  // What miekg/dns, under docker's resolver, accepts.
  if ((q.flags & (kQr | kOpcode)) || get16(p, 4) != 1 || answers > 1 || authorities > 1 || additional > 2)
    return std::nullopt;
  auto at = read_name(p, kHeader, q.wire_name);
  if (!at || *at + 4 > p.size()) return std::nullopt;
  q.type = get16(p, *at);
  q.qclass = get16(p, *at + 2);
  q.name = dotted_lowercase(q.wire_name);
  // The client's UDP size is the class of an OPT record among the additional ones.
  size_t next = *at + 4;
  for (int i = 0; i < answers + authorities + additional; i++) {
    std::string owner;
    auto end = read_name(p, next, owner);
    if (!end || *end + 10 > p.size()) return std::nullopt;
    size_t rdlength = get16(p, *end + 8);
    if (*end + 10 + rdlength > p.size()) return std::nullopt;
    if (i >= answers + authorities && get16(p, *end) == kTypeOpt)
      q.udp_limit = std::max<size_t>(512, get16(p, *end + 2));
    next = *end + 10 + rdlength;
  }
  return q;
}

std::string dns_error_reply(std::string_view p) {
  if (p.size() < kHeader || (get16(p, 2) & kQr)) return "";
  uint16_t flags = get16(p, 2);
  return reply_header(get16(p, 0), flags, (flags & kOpcode) ? kDnsNotImp : kDnsFormErr, 0);
}

std::string dns_reply(const DnsQuestion& q, int rcode) {
  std::string out = reply_header(q.id, q.flags, rcode, 1);
  out += q.wire_name;
  put16(out, q.type);
  put16(out, q.qclass);
  return out;
}

std::string dns_a_reply(const DnsQuestion& q, const std::vector<std::string>& ipv4s, size_t limit) {
  std::vector<std::string> rdatas;
  for (const auto& text : ipv4s) {
    in_addr address;
    if (inet_pton(AF_INET, text.c_str(), &address) == 1)
      rdatas.emplace_back(reinterpret_cast<const char*>(&address), sizeof address);
  }
  return answer_reply(q, kDnsTypeA, rdatas, limit);
}

std::string dns_ptr_reply(const DnsQuestion& q, const std::string& host) {
  auto wire = encode_name(host);
  return wire ? answer_reply(q, kDnsTypePtr, {*wire}, kMaxMessage) : "";
}

std::optional<std::string> dns_ptr_address(const std::string& name) {
  constexpr std::string_view kSuffix = ".in-addr.arpa";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return std::nullopt;
  auto labels = split(std::string_view(name).substr(0, name.size() - kSuffix.size()), '.');
  if (labels.size() != 4) return std::nullopt;
  std::string address;
  for (auto label = labels.rbegin(); label != labels.rend(); ++label) {
    // Decimal 0..255 without leading zeros: the one spelling of each address.
    bool digits = std::all_of(label->begin(), label->end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || label->empty() || label->size() > 3 || (label->size() > 1 && (*label)[0] == '0') ||
        std::stoi(*label) > 255)
      return std::nullopt;
    address += (address.empty() ? "" : ".") + *label;
  }
  return address;
}

namespace {

// At most kMaxUpstreams of them; throws for one that is not IPv4.
std::vector<sockaddr_in> socket_addresses(const std::vector<DnsUpstream>& upstreams) {
  std::vector<sockaddr_in> out;
  for (const auto& u : upstreams) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(u.port);
    if (inet_pton(AF_INET, u.address.c_str(), &address.sin_addr) != 1)
      fail("DNS server %s: not an IPv4 address", u.address.c_str());
    if (out.size() < kMaxUpstreams) out.push_back(address);
  }
  return out;
}

}  // namespace

EmbeddedDns::EmbeddedDns(Lookup lookup, ReverseLookup reverse, std::vector<DnsUpstream> upstreams)
    : lookup_(std::move(lookup)), reverse_(std::move(reverse)), upstreams_(socket_addresses(upstreams)),
      buffer_(kMaxMessage + 1, '\0'), shuffle_(std::random_device{}()) {}

void EmbeddedDns::add(const std::string& key, Fd udp, Fd tcp_listener, const std::vector<DnsUpstream>& upstreams) {
  for (const Fd* fd : {&udp, &tcp_listener}) {
    if (*fd && fcntl(fd->get(), F_SETFL, fcntl(fd->get(), F_GETFL) | O_NONBLOCK) < 0)
      fail_errno("DNS socket of %s", key.c_str());
  }
  std::vector<sockaddr_in> own = socket_addresses(upstreams);
  remove(key);
  pairs_[key] = Pair{std::move(udp), std::move(tcp_listener), 0, 0, std::move(own)};
}

void EmbeddedDns::set_upstreams(const std::string& key, const std::vector<DnsUpstream>& upstreams) {
  if (auto it = pairs_.find(key); it != pairs_.end()) it->second.upstreams = socket_addresses(upstreams);
}

const std::vector<sockaddr_in>& EmbeddedDns::upstreams_of(const std::string& pair) const {
  auto it = pairs_.find(pair);
  return it == pairs_.end() || it->second.upstreams.empty() ? upstreams_ : it->second.upstreams;
}

void EmbeddedDns::remove(const std::string& key) {
  drop_forwards([&](const Forward& f) { return f.pair == key; });
  for (auto it = clients_.begin(); it != clients_.end();)
    it = it->second.pair == key ? clients_.erase(it) : std::next(it);
  pairs_.erase(key);
  closed_.clear();
}

void EmbeddedDns::add_poll_fds(std::vector<pollfd>& fds) const {
  for (const auto& [key, pair] : pairs_) {
    if (pair.udp) fds.push_back({pair.udp.get(), POLLIN, 0});
    // At the cap, new connections wait in the listener's backlog.
    if (pair.tcp && pair.clients < kMaxClients) fds.push_back({pair.tcp.get(), POLLIN, 0});
  }
  for (const auto& [fd, c] : clients_) {
    bool reading = !c.eof && c.forwards < kMaxClientForwards && c.out.size() < kMaxClientOutput;
    fds.push_back({fd, short((reading ? POLLIN : 0) | (c.out.empty() ? 0 : POLLOUT)), 0});
  }
  for (const auto& [fd, f] : forwards_)
    fds.push_back({fd, short(POLLIN | (f.sent < f.out.size() ? POLLOUT : 0)), 0});
}

void EmbeddedDns::handle(const std::vector<pollfd>& fds) {
  for (const auto& p : fds) {
    if (!p.revents) continue;
    auto pair = std::find_if(pairs_.begin(), pairs_.end(), [&](const auto& kv) {
      return kv.second.udp.get() == p.fd || kv.second.tcp.get() == p.fd;
    });
    if (pair != pairs_.end()) {
      if (pair->second.udp.get() == p.fd) serve_udp(pair->first, p.fd);
      else accept_clients(pair->first, p.fd);
    } else if (clients_.count(p.fd)) {
      client_io(p.fd, p.revents);
    } else if (forwards_.count(p.fd)) {
      forward_io(p.fd);
    }
  }
  expire();
  closed_.clear();
}

int EmbeddedDns::next_timeout_ms() const {
  std::optional<Clock::time_point> next;
  auto consider = [&](Clock::time_point t) { next = next ? std::min(*next, t) : t; };
  for (const auto& [fd, f] : forwards_) consider(f.deadline);
  for (const auto& [fd, c] : clients_)
    if (!c.forwards) consider(c.idle_deadline);
  if (!next) return -1;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now()).count();
  return int(std::clamp<long long>(ms, 0, 60000));
}

// The reply to send now, or "" when there is none yet (forwarded) or none due.
std::string EmbeddedDns::answer(Forward origin, std::string_view packet) {
  auto q = parse_dns_query(packet);
  if (!q) return dns_error_reply(packet);
  size_t limit = origin.client >= 0 ? kMaxMessage : q->udp_limit;
  if (q->qclass == kClassIn && !q->name.empty()) {
    auto address = dns_ptr_address(q->name);
    if (address && q->type == kDnsTypePtr) {
      std::string host = reverse_(origin.pair, *address);
      std::string reply = host.empty() ? "" : dns_ptr_reply(*q, host);
      if (!reply.empty()) return reply;
    } else if (auto ipv4s = lookup_(origin.pair, q->name); !ipv4s.empty()) {
      if (q->type != kDnsTypeA) return dns_reply(*q, kDnsNoError);
      std::shuffle(ipv4s.begin(), ipv4s.end(), shuffle_);
      return dns_a_reply(*q, ipv4s, limit);
    }
  }
  origin.question = std::move(*q);
  return forward(std::move(origin), packet);
}

std::string EmbeddedDns::forward(Forward f, std::string_view packet) {
  Pair& pair = pairs_[f.pair];
  // REFUSED is docker's answer when too many queries are in flight.
  if (pair.forwards >= kMaxForwards) return dns_reply(f.question, kDnsRefused);
  // Our own id, random, so that only a reply to this query is taken as one.
  if (getrandom(&f.upstream_id, sizeof f.upstream_id, 0) != sizeof f.upstream_id) f.upstream_id ^= f.question.id;
  f.query = packet;
  set16(f.query, 0, f.upstream_id);
  int client = f.client;
  if (!launch(f)) return dns_reply(f.question, kDnsServFail);
  pair.forwards++;
  if (client >= 0) clients_[client].forwards++;
  return "";
}

// Asks upstreams from f.upstream on until a socket is under way; moves f into
// forwards_ then.
bool EmbeddedDns::launch(Forward& f) {
  bool tcp = f.client >= 0;
  const std::vector<sockaddr_in>& upstreams = upstreams_of(f.pair);
  for (; f.upstream < upstreams.size(); f.upstream++) {
    Fd fd(socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return false;  // out of fds: no other upstream fares better
    const auto& address = upstreams[f.upstream];
    if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0 &&
        errno != EINPROGRESS)
      continue;
    f.out = tcp ? length_prefixed(f.query) : f.query;
    f.sent = 0;
    f.in.clear();
    f.deadline = Clock::now() + kUpstreamTimeout;
    int key = fd.get();
    f.fd = std::move(fd);
    forwards_.emplace(key, std::move(f));
    return true;
  }
  return false;
}

void EmbeddedDns::retry(int fd) {
  auto node = forwards_.extract(fd);
  Forward& f = node.mapped();
  closed_.push_back(std::move(f.fd));
  f.upstream++;
  if (launch(f)) return;
  std::string servfail = dns_reply(f.question, kDnsServFail);
  finish(std::move(f), servfail);
}

void EmbeddedDns::finish(Forward f, const std::string& reply) {
  pairs_[f.pair].forwards--;
  if (f.client < 0) {
    sendto(pairs_[f.pair].udp.get(), reply.data(), reply.size(), MSG_NOSIGNAL,
           reinterpret_cast<const sockaddr*>(&f.peer), f.peer_length);
    return;
  }
  Client& c = clients_[f.client];
  c.forwards--;
  c.out += length_prefixed(reply);
  process_input(f.client);
}

void EmbeddedDns::forward_io(int fd) {
  Forward& f = forwards_.at(fd);
  while (f.sent < f.out.size()) {
    ssize_t n = send(fd, f.out.data() + f.sent, f.out.size() - f.sent, MSG_NOSIGNAL);
    if (n < 0) return would_block() ? void() : retry(fd);
    f.sent += n;
  }
  while (true) {
    ssize_t n = recv(fd, buffer_.data(), buffer_.size(), 0);
    if (n < 0 && would_block()) return;
    if (n <= 0) return retry(fd);  // refused, reset, or closed before the reply
    std::string_view reply(buffer_.data(), n);
    if (f.client >= 0) {
      f.in.append(reply);
      if (f.in.size() < 2 || f.in.size() < 2u + get16(f.in, 0)) continue;
      reply = std::string_view(f.in).substr(2, get16(f.in, 0));
    }
    bool ours = reply.size() >= kHeader && get16(reply, 0) == f.upstream_id && (get16(reply, 2) & kQr);
    if (!ours && f.client < 0) continue;  // a stray datagram: keep waiting
    int rcode = ours ? get16(reply, 2) & 0xF : kDnsServFail;
    // Like docker, SERVFAIL and REFUSED may be one upstream's trouble only.
    if (rcode == kDnsServFail || rcode == kDnsRefused) return retry(fd);
    std::string relayed(reply);
    set16(relayed, 0, f.question.id);
    auto node = forwards_.extract(fd);
    closed_.push_back(std::move(node.mapped().fd));
    return finish(std::move(node.mapped()), relayed);
  }
}

void EmbeddedDns::serve_udp(const std::string& key, int fd) {
  for (int i = 0; i < kMaxDatagramsPerWakeup; i++) {
    Forward origin;
    origin.pair = key;
    origin.peer_length = sizeof origin.peer;
    ssize_t n = recvfrom(fd, buffer_.data(), buffer_.size(), 0, reinterpret_cast<sockaddr*>(&origin.peer),
                         &origin.peer_length);
    if (n < 0) return;
    // Larger than any DNS message: cut, so parse_dns_query sees a fault or ignores it.
    std::string packet(buffer_.data(), std::min<size_t>(n, kMaxMessage));
    sockaddr_storage peer = origin.peer;
    socklen_t peer_length = origin.peer_length;
    std::string reply = answer(std::move(origin), packet);
    if (!reply.empty())
      sendto(fd, reply.data(), reply.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&peer), peer_length);
  }
}

void EmbeddedDns::accept_clients(const std::string& key, int fd) {
  Pair& pair = pairs_[key];
  while (pair.clients < kMaxClients) {
    Fd client(accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!client) return;
    pair.clients++;
    int number = client.get();
    clients_[number] = Client{key, std::move(client), "", "", 0, false, Clock::now() + kTcpIdle};
  }
}

void EmbeddedDns::client_io(int fd, short revents) {
  Client& c = clients_.at(fd);
  // A reset or a connection closed both ways: nothing more can be said.
  if (revents & (POLLERR | POLLHUP)) return close_client(fd);
  while (!c.out.empty()) {
    ssize_t n = send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (would_block()) break;
      return close_client(fd);
    }
    c.out.erase(0, n);
    c.idle_deadline = Clock::now() + kTcpIdle;
  }
  process_input(fd);
  while (!c.eof && c.forwards < kMaxClientForwards && c.out.size() < kMaxClientOutput) {
    ssize_t n = recv(fd, buffer_.data(), buffer_.size(), 0);
    if (n < 0 && would_block()) break;
    if (n < 0) return close_client(fd);
    c.eof = n == 0;
    c.in.append(buffer_.data(), n);
    c.idle_deadline = Clock::now() + kTcpIdle;
    process_input(fd);
  }
  // A client that shut down its side still gets the answers in flight.
  if (c.eof && c.out.empty() && !c.forwards) close_client(fd);
}

void EmbeddedDns::process_input(int fd) {
  Client& c = clients_.at(fd);
  while (c.forwards < kMaxClientForwards && c.out.size() < kMaxClientOutput && c.in.size() >= 2 &&
         c.in.size() >= 2 + size_t(get16(c.in, 0))) {
    std::string message = c.in.substr(2, get16(c.in, 0));
    c.in.erase(0, 2 + message.size());
    Forward origin;
    origin.pair = c.pair;
    origin.client = fd;
    std::string reply = answer(std::move(origin), message);
    if (!reply.empty()) c.out += length_prefixed(reply);
  }
}

void EmbeddedDns::close_client(int fd) {
  drop_forwards([&](const Forward& f) { return f.client == fd; });
  auto node = clients_.extract(fd);
  pairs_[node.mapped().pair].clients--;
  closed_.push_back(std::move(node.mapped().fd));
}

void EmbeddedDns::drop_forwards(const std::function<bool(const Forward&)>& which) {
  for (auto it = forwards_.begin(); it != forwards_.end();) {
    if (!which(it->second)) {
      ++it;
      continue;
    }
    if (auto pair = pairs_.find(it->second.pair); pair != pairs_.end()) pair->second.forwards--;
    if (auto c = clients_.find(it->second.client); c != clients_.end()) c->second.forwards--;
    closed_.push_back(std::move(it->second.fd));
    it = forwards_.erase(it);
  }
}

void EmbeddedDns::expire() {
  auto now = Clock::now();
  std::vector<int> late;
  for (const auto& [fd, f] : forwards_)
    if (f.deadline <= now) late.push_back(fd);
  for (int fd : late) retry(fd);
  late.clear();
  for (const auto& [fd, c] : clients_)
    if (c.idle_deadline <= now && !c.forwards) late.push_back(fd);
  for (int fd : late) close_client(fd);
}

}  // namespace hutch
