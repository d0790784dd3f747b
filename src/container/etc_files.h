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
  // A user network's: the servers are its DNS at 127.0.0.11, which asks the
  // host's (or --dns's) for the rest, as docker's embedded DNS.
  bool embedded_dns = false;
  // --link's, on a user network: for each, the names of its line in hosts
  // ("ALIAS ID NAME"), whose address comes at each start.
  std::vector<std::string> links;
};

// The host's resolvers as a container's own network reaches them: the IPv4
// ones off the host's loopback (docker's choice) and, when there are none of
// those, whether loopback ones were dropped, which only pasta's DNS relay then
// reaches. pasta rewrites the source of every reply from the host's first
// server to the relay's address, so the relay is asked for in that case only.
struct HostResolvers {
  std::vector<std::string> servers;
  bool needs_relay = false;
};
HostResolvers host_resolvers();

// Writes the three files into dir and returns the bind mounts for them.
std::vector<ResolvedMount> write_etc_files(const std::string& dir, const std::string& hostname,
                                           const EtcNetwork& network);

// A user network gives the container its address at each start: the line of
// its own name in DIR/hosts (the last) gets it, the lines of its links (just
// before, in --link's order) their targets' addresses.
void update_hosts_address(const std::string& dir, const std::string& address,
                          const std::vector<std::string>& link_addresses = {});

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
