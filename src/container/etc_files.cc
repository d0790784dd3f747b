#include "container/etc_files.h"

#include "base/file.h"

namespace hutch {

namespace {

std::string hosts_file(const std::string& hostname, bool host_network) {
  if (host_network) {
    if (auto host = read_file_if_exists("/etc/hosts")) return *host;
  }
  std::string out =
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "ff00::0\tip6-mcastprefix\n"
      "ff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  // The container has only loopback: its own name resolves there.
  return out + "127.0.1.1\t" + hostname + "\n";
}

// The host's resolver configuration, less loopback nameservers, which would
// point into the container's own network namespace unless it shares the host's.
std::string resolv_conf(bool host_network) {
  std::string host = read_file_if_exists("/etc/resolv.conf").value_or("");
  if (host_network) return host;
  std::string out;
  bool any_nameserver = false;
  size_t pos = 0;
  while (pos < host.size()) {
    size_t end = host.find('\n', pos);
    if (end == std::string::npos) end = host.size();
    std::string line = host.substr(pos, end - pos);
    pos = end + 1;
    if (line.compare(0, 10, "nameserver") == 0) {
      std::string addr = line.substr(line.find_first_not_of(" \t", 10));
      if (addr.compare(0, 4, "127.") == 0 || addr == "::1") continue;
      any_nameserver = true;
    }
    out += line + "\n";
  }
  if (!any_nameserver) out += "nameserver 8.8.8.8\nnameserver 8.8.4.4\n";
  return out;
}

}  // namespace

std::vector<ResolvedMount> write_etc_files(const std::string& dir, const std::string& hostname, bool host_network) {
  // Written before the container runs, when nothing reads them: in place, so
  // that a recycled directory's files keep their inodes.
  write_file_in_place(dir + "/hosts", hosts_file(hostname, host_network));
  write_file_in_place(dir + "/hostname", hostname + "\n");
  write_file_in_place(dir + "/resolv.conf", resolv_conf(host_network));
  std::vector<ResolvedMount> mounts;
  for (const char* name : {"hosts", "hostname", "resolv.conf"})
    mounts.push_back({dir + "/" + name, std::string("/etc/") + name, {"rbind", "rprivate"}});
  return mounts;
}

}  // namespace hutch
