// The container's /etc/hosts, /etc/hostname and /etc/resolv.conf, written as
// docker writes them into its own directory and bind-mounted over the image's.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "container/spec_builder.h"

namespace hutch {

// What the files say of the container's network.
struct EtcNetwork {
  bool host_network = false;  // hosts and resolv.conf are the host's
  // The container's own address, for its name in hosts; "" for none.
  std::string address = "127.0.1.1";
  std::string domainname;
  // --add-host NAME:IP, host-gateway already replaced by the address that
  // reaches the host.
  std::vector<std::string> extra_hosts;
  std::vector<std::string> dns, dns_search, dns_options;  // --dns, --dns-search, --dns-option
  // Where the container's DNS queries are relayed to the host's resolvers,
  // used when all of those are on the host's loopback; "" when nothing relays
  // them (then docker's fallback, Google's public resolvers).
  std::string dns_relay;
};

// Writes the three files into dir and returns the bind mounts for them.
std::vector<ResolvedMount> write_etc_files(const std::string& dir, const std::string& hostname,
                                           const EtcNetwork& network);

// The bind mounts of another container's files, which a container sharing
// its network namespace (--network container:X) shares too.
std::vector<ResolvedMount> etc_file_mounts(const std::string& dir);

// --add-host's and --dns's checks, in docker's words; the special value
// host-gateway stands for the host.
void check_extra_host(const std::string& entry);
void check_dns_server(const std::string& address);
void check_dns_search(const std::string& domain);
// "NAME:IP" (or "NAME=IP") -> {NAME, IP}, brackets of an IPv6 address removed.
std::pair<std::string, std::string> split_extra_host(const std::string& entry);
constexpr const char* kHostGateway = "host-gateway";

}  // namespace hutch
