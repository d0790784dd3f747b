#include "container/docker_defaults.h"

#include <algorithm>

#include "runtime/capabilities.h"

namespace hutch {

namespace {

// docker's CLI turns this option into empty lists.
bool system_paths_unconfined(const HostConfig& host) {
  return std::find(host.security_opt.begin(), host.security_opt.end(), "systempaths=unconfined") !=
         host.security_opt.end();
}

}  // namespace

const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",     "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",           "CAP_SETFCAP",    "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE",           "CAP_SYS_CHROOT",       "CAP_KILL",       "CAP_AUDIT_WRITE"};
  return caps;
}

const std::vector<std::string>& all_capabilities() {
  static const std::vector<std::string> caps = capability_names();
  return caps;
}

// Kernel interfaces that leak host information or allow changes no container
// should make. /sys/devices/virtual/powercap is newer docker's (energy
// counters leak secrets: CVE-2020-8694); 20.10 lacked it.
std::vector<std::string> masked_paths(const HostConfig& host) {
  if (host.masked_paths) return *host.masked_paths;
  if (host.privileged || system_paths_unconfined(host)) return {};
  return {"/proc/asound",     "/proc/acpi",       "/proc/kcore",       "/proc/keys",
          "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
          "/proc/scsi",       "/sys/firmware",    "/sys/devices/virtual/powercap"};
}

std::vector<std::string> readonly_paths(const HostConfig& host) {
  if (host.readonly_paths) return *host.readonly_paths;
  if (host.privileged || system_paths_unconfined(host)) return {};
  return {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
}

}  // namespace hutch
