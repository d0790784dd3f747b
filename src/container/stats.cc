#include "container/stats.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/error.h"
#include "base/file.h"

namespace hutch {

namespace {

std::optional<std::string> read_quietly(const std::string& path) {
  try {
    return read_file_if_exists(path);
  } catch (const Error&) {
    return std::nullopt;  // gone, or not ours to read
  }
}

uint64_t number_in(const std::string& path) {
  auto text = read_quietly(path);
  return text ? strtoull(text->c_str(), nullptr, 10) : 0;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

uint64_t host_memory() {
  auto info = read_quietly("/proc/meminfo");
  return info ? stat_field(*info, "MemTotal:") * 1024 : 0;
}

// /proc/stat's first line, in nanoseconds.
uint64_t system_cpu_ns() {
  auto stat = read_quietly("/proc/stat");
  if (!stat || stat->compare(0, 4, "cpu ") != 0) return 0;
  uint64_t ticks = 0;
  const char* p = stat->c_str() + 4;
  // user nice system idle iowait irq softirq steal (guest time is inside user).
  for (int i = 0; i < 8; i++) {
    char* end;
    ticks += strtoull(p, &end, 10);
    if (end == p) break;
    p = end;
  }
  return ticks * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
}

// The cgroup of a process, by controller ("" for v2's unified line).
std::vector<std::pair<std::string, std::string>> cgroups_of(pid_t pid) {
  std::vector<std::pair<std::string, std::string>> out;
  auto text = read_quietly("/proc/" + std::to_string(pid) + "/cgroup");
  if (!text) return out;
  for (const auto& line : lines_of(*text)) {
    size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    out.emplace_back(line.substr(a + 1, b - a - 1), line.substr(b + 1));
  }
  return out;
}

// The v1 hierarchy's path for a controller ("memory", "cpuacct").
std::string v1_dir(const std::vector<std::pair<std::string, std::string>>& cgroups, const std::string& controller) {
  for (const auto& [controllers, path] : cgroups) {
    std::string list = "," + controllers + ",";
    if (list.find("," + controller + ",") == std::string::npos) continue;
    // Mounted as /sys/fs/cgroup/cpu,cpuacct or /sys/fs/cgroup/memory.
    return "/sys/fs/cgroup/" + controllers + path;
  }
  return "";
}

bool read_cgroup(const std::vector<std::pair<std::string, std::string>>& cgroups, StatsSample& s) {
  for (const auto& [controllers, path] : cgroups) {
    if (!controllers.empty()) continue;
    std::string dir = "/sys/fs/cgroup" + path;
    auto cpu = read_quietly(dir + "/cpu.stat");
    auto memory = read_quietly(dir + "/memory.current");
    if (!cpu || !memory) return false;
    s.source = "cgroup2";
    s.cpu_ns = stat_field(*cpu, "usage_usec") * 1000;
    uint64_t usage = strtoull(memory->c_str(), nullptr, 10);
    auto stat = read_quietly(dir + "/memory.stat");
    uint64_t inactive = stat ? stat_field(*stat, "inactive_file") : 0;
    s.memory = inactive < usage ? usage - inactive : usage;
    auto max = read_quietly(dir + "/memory.max");
    if (max && max->compare(0, 3, "max") != 0) s.memory_limit = strtoull(max->c_str(), nullptr, 10);
    if (auto io = read_quietly(dir + "/io.stat")) {
      for (const auto& line : lines_of(*io)) {
        for (const char* key : {" rbytes=", " wbytes="}) {
          size_t at = line.find(key);
          if (at == std::string::npos) continue;
          (key[1] == 'r' ? s.block_read : s.block_write) += strtoull(line.c_str() + at + 8, nullptr, 10);
        }
      }
    }
    s.pids = number_in(dir + "/pids.current");
    return true;
  }
  std::string memory = v1_dir(cgroups, "memory"), cpu = v1_dir(cgroups, "cpuacct");
  if (memory.empty() || cpu.empty()) return false;
  auto usage_text = read_quietly(memory + "/memory.usage_in_bytes");
  auto cpu_text = read_quietly(cpu + "/cpuacct.usage");
  if (!usage_text || !cpu_text) return false;
  s.source = "cgroup1";
  s.cpu_ns = strtoull(cpu_text->c_str(), nullptr, 10);
  uint64_t usage = strtoull(usage_text->c_str(), nullptr, 10);
  auto stat = read_quietly(memory + "/memory.stat");
  uint64_t inactive = stat ? stat_field(*stat, "total_inactive_file") : 0;
  s.memory = inactive < usage ? usage - inactive : usage;
  s.memory_limit = number_in(memory + "/memory.limit_in_bytes");
  std::string blkio = v1_dir(cgroups, "blkio");
  if (auto io = blkio.empty() ? std::nullopt : read_quietly(blkio + "/blkio.throttle.io_service_bytes")) {
    for (const auto& line : lines_of(*io)) {
      // "8:0 Read 4096"
      size_t sp = line.find(' ');
      if (sp == std::string::npos) continue;
      if (line.compare(sp + 1, 5, "Read ") == 0) s.block_read += strtoull(line.c_str() + sp + 6, nullptr, 10);
      if (line.compare(sp + 1, 6, "Write ") == 0) s.block_write += strtoull(line.c_str() + sp + 7, nullptr, 10);
    }
  }
  std::string pids = v1_dir(cgroups, "pids");
  if (!pids.empty()) s.pids = number_in(pids + "/pids.current");
  return true;
}

// Without a cgroup of its own: the sums over its processes.
void read_processes(const std::vector<pid_t>& pids, StatsSample& s) {
  s.source = "proc";
  uint64_t ticks = 0;
  for (pid_t pid : pids) {
    std::string dir = "/proc/" + std::to_string(pid);
    if (auto stat = read_quietly(dir + "/stat")) {
      // utime and stime are fields 14 and 15, counted after the ")" that ends the name.
      size_t close = stat->rfind(')');
      if (close != std::string::npos) {
        const char* p = stat->c_str() + close + 2;
        for (int field = 3; field < 14 && *p; field++) p = strchr(p, ' ') ? strchr(p, ' ') + 1 : "";
        char* end;
        ticks += strtoull(p, &end, 10);
        ticks += strtoull(end, nullptr, 10);
      }
    }
    if (auto status = read_quietly(dir + "/status")) {
      s.memory += stat_field(*status, "VmRSS:") * 1024;
      s.pids += stat_field(*status, "Threads:");
    }
    if (auto io = read_quietly(dir + "/io")) {
      s.block_read += stat_field(*io, "read_bytes:");
      s.block_write += stat_field(*io, "write_bytes:");
    }
  }
  s.cpu_ns = ticks * (1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK));
}

void read_network(pid_t init, StatsSample& s) {
  auto dev = read_quietly("/proc/" + std::to_string(init) + "/net/dev");
  if (!dev) return;
  for (const auto& line : lines_of(*dev)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    size_t name = line.find_first_not_of(' ');
    if (line.substr(name, colon - name) == "lo") continue;
    // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit bytes.
    const char* p = line.c_str() + colon + 1;
    char* end;
    uint64_t values[9];
    for (auto& v : values) {
      v = strtoull(p, &end, 10);
      p = end;
    }
    s.net_rx += values[0];
    s.net_tx += values[8];
  }
}

}  // namespace

uint64_t stat_field(const std::string& text, const std::string& key) {
  for (const auto& line : lines_of(text)) {
    if (line.compare(0, key.size(), key) != 0) continue;
    size_t after = key.size();
    if (after < line.size() && line[after] != ' ' && line[after] != '\t') continue;
    return strtoull(line.c_str() + after, nullptr, 10);
  }
  return 0;
}

StatsSample sample_stats(const std::vector<pid_t>& pids, pid_t monitor, bool count_network) {
  StatsSample s;
  s.system_ns = system_cpu_ns();
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  s.online_cpus = cpus > 0 ? (int)cpus : 1;
  if (pids.empty()) return s;
  auto cgroups = cgroups_of(pids[0]);
  // A cgroup shared with its monitor is the user's session, not the container's.
  bool own = !cgroups.empty() && (monitor <= 0 || cgroups != cgroups_of(monitor));
  if (!own || !read_cgroup(cgroups, s)) {
    s = StatsSample{.system_ns = s.system_ns, .online_cpus = s.online_cpus};
    read_processes(pids, s);
  }
  // No limit ("max", or v1's huge number): the host's memory, as docker shows it.
  uint64_t host = host_memory();
  if (s.memory_limit == 0 || (host && s.memory_limit > host)) s.memory_limit = host;
  if (count_network) read_network(pids[0], s);
  return s;
}

double cpu_percent(const StatsSample& before, const StatsSample& after) {
  double cpu = (double)after.cpu_ns - (double)before.cpu_ns;
  double system = (double)after.system_ns - (double)before.system_ns;
  if (system <= 0 || cpu <= 0) return 0;
  return cpu / system * after.online_cpus * 100.0;
}

double memory_percent(const StatsSample& s) {
  return s.memory_limit ? (double)s.memory / (double)s.memory_limit * 100.0 : 0;
}

}  // namespace hutch
