#include "container/etc_files.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "base/error.h"
#include "base/file.h"
#include "base/ip_address.h"
#include "base/ipv4_subnet.h"
#include "base/strings.h"

namespace hutch {

namespace {

std::string hosts_file(const std::string& hostname, const EtcNetwork& network) {
  std::string out;
  std::optional<std::string> host;
  if (network.host_network) host = read_file_if_exists("/etc/hosts");
  if (host) {
    out = *host;
    if (!out.empty() && out.back() != '\n') out += "\n";
  } else {
    out =
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\n"
        "ff00::0\tip6-mcastprefix\n"
        "ff02::1\tip6-allnodes\n"
        "ff02::2\tip6-allrouters\n";
  }
  for (const auto& entry : network.extra_hosts) {
    auto [name, ip] = split_extra_host(entry);
    out += ip + "\t" + name + "\n";
  }
  if (host || network.address.empty()) return out;
  for (const auto& names : network.links) out += "0.0.0.0\t" + names + "\n";
  // The name as given and, for a full one, its first label too.
  std::string fqdn = network.domainname.empty() ? hostname : hostname + "." + network.domainname;
  size_t dot = fqdn.find('.');
  return out + network.address + "\t" + (dot == std::string::npos ? fqdn : fqdn + " " + fqdn.substr(0, dot)) + "\n";
}

std::vector<std::string> words_after(const std::string& line, size_t keyword) {
  return split_whitespace(line.substr(keyword));
}

bool starts_word(const std::string& line, const char* word) {
  size_t n = strlen(word);
  return line.compare(0, n, word) == 0 && (line.size() == n || line[n] == ' ' || line[n] == '\t');
}

bool is_loopback(const std::string& addr) { return addr.compare(0, 4, "127.") == 0 || addr == "::1"; }

// The host's configuration, or systemd-resolved's list of the real servers
// when the host's names only its loopback stub, as docker reads it.
std::string host_resolv_conf() {
  std::string host = read_file_if_exists("/etc/resolv.conf").value_or("");
  bool only_stub = false;
  for (const auto& line : split(host, '\n')) {
    if (!starts_word(line, "nameserver")) continue;
    auto w = words_after(line, 10);
    if (w.empty()) continue;
    if (w[0] != "127.0.0.53") return host;
    only_stub = true;
  }
  if (only_stub)
    if (auto real = read_file_if_exists("/run/systemd/resolve/resolv.conf")) return *real;
  return host;
}

}  // namespace

HostResolvers host_resolvers() {
  HostResolvers out;
  bool loopback = false;
  for (const auto& line : split(host_resolv_conf(), '\n')) {
    if (!starts_word(line, "nameserver")) continue;
    auto w = words_after(line, 10);
    if (w.empty() || !parse_ipv4(w[0])) continue;
    if (is_loopback(w[0])) loopback = true;
    else out.servers.push_back(w[0]);
  }
  out.needs_relay = out.servers.empty() && loopback;
  return out;
}

namespace {

std::string resolv_conf(const EtcNetwork& network) {
  std::string host = network.host_network ? read_file_if_exists("/etc/resolv.conf").value_or("") : host_resolv_conf();
  if (network.host_network && network.dns.empty() && network.dns_search.empty() && network.dns_options.empty())
    return host;
  // Loopback servers are the host's, not the container's (unless it shares
  // the host's network); IPv6 ones are out of reach of its IPv4-only network.
  std::vector<std::string> servers, search, options;
  std::string kept;
  bool dropped_loopback = false;
  for (const auto& line : split(host, '\n')) {
    if (starts_word(line, "nameserver")) {
      auto w = words_after(line, 10);
      if (w.empty()) continue;
      if (!network.host_network) {
        if (is_loopback(w[0])) {
          dropped_loopback = true;
          continue;
        }
        if (w[0].find(':') != std::string::npos) continue;
      }
      servers.push_back(w[0]);
      continue;  // the servers are written after the rest
    }
    if (starts_word(line, "search") || starts_word(line, "domain")) {
      search = words_after(line, 6);  // "search" and "domain" alike
    } else if (starts_word(line, "options")) {
      auto w = words_after(line, 7);
      options.insert(options.end(), w.begin(), w.end());
    }
    if (!line.empty()) kept += line + "\n";
  }
  if (network.embedded_dns) {
    // docker's: the embedded server, and no search for names a single label
    // short of the container's own (which it answers).
    servers = {"127.0.0.11"};
    std::vector<std::string> asked = network.dns_options.empty() ? options : network.dns_options;
    bool has_ndots = std::any_of(asked.begin(), asked.end(), [](const std::string& o) { return o.rfind("ndots:", 0) == 0; });
    std::string out;
    std::vector<std::string> domains = network.dns_search.empty() ? search : network.dns_search;
    if (!domains.empty() && trimmed(join(domains, " ")) != ".") out += "search " + join(domains, " ") + "\n";
    out += "nameserver 127.0.0.11\n";
    if (!has_ndots) asked.push_back("ndots:0");
    return out + "options " + join(asked, " ") + "\n";
  }
  if (servers.empty()) {
    if (dropped_loopback && !network.dns_relay.empty()) servers = {network.dns_relay};
    else servers = {"8.8.8.8", "8.8.4.4"};
  }
  if (network.dns.empty() && network.dns_search.empty() && network.dns_options.empty()) {
    // docker's filter: the host's file with the servers replaced.
    for (const auto& s : servers) kept += "nameserver " + s + "\n";
    return kept;
  }
  // docker's Build: each of the three lists the flags' if given, the host's otherwise.
  if (!network.dns.empty()) servers = network.dns;
  if (!network.dns_search.empty()) search = network.dns_search;
  if (!network.dns_options.empty()) options = network.dns_options;
  std::string out;
  if (!search.empty()) {
    std::string joined = join(search, " ");
    if (trimmed(joined) != ".") out += "search " + joined + "\n";
  }
  for (const auto& s : servers) out += "nameserver " + s + "\n";
  if (!options.empty() && !trimmed(join(options, " ")).empty()) out += "options " + join(options, " ") + "\n";
  return out;
}

}  // namespace

std::vector<ResolvedMount> etc_file_mounts(const std::string& dir) {
  std::vector<ResolvedMount> mounts;
  for (const char* name : {"hosts", "hostname", "resolv.conf"})
    mounts.push_back({dir + "/" + name, std::string("/etc/") + name, {"rbind", "rprivate"}});
  return mounts;
}

std::vector<ResolvedMount> write_etc_files(const std::string& dir, const std::string& hostname,
                                           const EtcNetwork& network) {
  // Written before the container runs, when nothing reads them: in place, so
  // that a recycled directory's files keep their inodes.
  write_file_in_place(dir + "/hosts", hosts_file(hostname, network));
  write_file_in_place(dir + "/hostname", hostname + "\n");
  write_file_in_place(dir + "/resolv.conf", resolv_conf(network));
  return etc_file_mounts(dir);
}

void update_hosts_address(const std::string& dir, const std::string& address,
                          const std::vector<std::string>& link_addresses) {
  std::string path = dir + "/hosts";
  std::vector<std::string> lines = split(read_file_if_exists(path).value_or(""), '\n');
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::vector<std::string> addresses = link_addresses;
  addresses.push_back(address);
  if (lines.size() < addresses.size()) return;
  size_t first = lines.size() - addresses.size();
  for (size_t i = 0; i < addresses.size(); i++) {
    std::string& line = lines[first + i];
    size_t tab = line.find('\t');
    if (tab != std::string::npos) line = addresses[i] + line.substr(tab);
  }
  // In place: the container's bind mount of the file stays on its inode.
  write_file_in_place(path, join(lines, "\n") + "\n");
}

std::pair<std::string, std::string> split_extra_host(const std::string& entry) {
  // docker 25's NAME=IP first; then 20.10's NAME:IP, split at the first
  // colon so that IPv6 addresses stay whole.
  size_t sep = entry.find('=');
  if (sep == std::string::npos) sep = entry.find(':');
  if (sep == std::string::npos) return {entry, ""};
  std::string ip = trimmed(entry.substr(sep + 1));
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return {entry.substr(0, sep), ip};
}

void check_extra_host(const std::string& entry) {
  auto [name, ip] = split_extra_host(entry);
  if (name.empty() || (entry.find('=') == std::string::npos && entry.find(':') == std::string::npos))
    fail("invalid argument \"%s\" for \"--add-host\" flag: bad format for add-host: \"%s\"", entry.c_str(),
         entry.c_str());
  if (ip != kHostGateway && !is_ip_address(ip))
    fail("invalid argument \"%s\" for \"--add-host\" flag: invalid IP address in add-host: \"%s\"", entry.c_str(),
         ip.c_str());
}

void check_dns_server(const std::string& address) {
  if (!is_ip_address(trimmed(address)))
    fail("invalid argument \"%s\" for \"--dns\" flag: IP address is not correctly formatted: %s", address.c_str(),
         address.c_str());
}

void check_dns_search(const std::string& domain) {
  // docker's validateDomain: labels of letters, digits and dashes, not
  // starting or ending with a dash; "." for no search list.
  bool ok = domain == "." || (!domain.empty() && domain.size() <= 255);
  std::string d = domain.back() == '.' ? domain.substr(0, domain.size() - 1) : domain;
  if (ok && domain != ".")
    for (const auto& label : split(d, '.')) {
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') ok = false;
      for (char c : label)
        if (!isalnum((unsigned char)c) && c != '-') ok = false;
    }
  if (!ok)
    fail("invalid argument \"%s\" for \"--dns-search\" flag: %s is not a valid domain", domain.c_str(),
         domain.c_str());
}

}  // namespace hutch
