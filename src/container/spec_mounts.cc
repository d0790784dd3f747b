#include <algorithm>

#include "container/spec_plan.h"

namespace hutch {

namespace {

oci::Mount overlay_mount(const HostFacts& facts) {
  // overlayfs lists lower directories top first; facts give the base first.
  std::string lower;
  for (auto it = facts.layer_dirs.rbegin(); it != facts.layer_dirs.rend(); ++it)
    lower += (lower.empty() ? "" : ":") + overlay_escape(*it);
  oci::Mount m{"/", "overlay", "overlay",
               {"lowerdir=" + lower, "upperdir=" + overlay_escape(facts.upper_dir),
                "workdir=" + overlay_escape(facts.work_dir), "userxattr"}};
  if (facts.volatile_upper) m.options.push_back("volatile");
  return m;
}

// docker's order of a container's own mounts: by depth, so a mount never
// lands under one made after it (a volume at /etc before /etc/hosts).
size_t depth(const std::string& path) {
  size_t n = 0;
  for (size_t i = 0; i < path.size(); i++)
    if (path[i] == '/' && i + 1 < path.size() && path[i + 1] != '/') n++;
  return n;
}

}  // namespace

std::string overlay_escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ':' || c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::vector<oci::Mount> spec_mounts(const HostConfig& host, const HostFacts& facts, const NamespacePlan& plan) {
  std::vector<oci::Mount> defaults;
  // proc may be mounted only by the owner of the PID namespace: with the
  // host's, bind the host's /proc (masked paths then cover it as usual).
  if (plan.pid) defaults.push_back({"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}});
  else defaults.push_back({"/proc", "bind", "/proc", {"rbind", "nosuid", "noexec", "nodev"}});
  defaults.push_back({"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}});
  // The kernel refuses gid=5 (tty) unless that group is mapped.
  oci::Mount pts{"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}};
  if (facts.subgid_count >= 5) pts.options.push_back("gid=5");
  defaults.push_back(pts);
  // sysfs likewise belongs to the network namespace's owner.
  std::vector<std::string> sys_options = {"nosuid", "noexec", "nodev"};
  if (!plan.privileged) sys_options.push_back("ro");
  if (plan.network) {
    defaults.push_back({"/sys", "sysfs", "sysfs", sys_options});
  } else {
    sys_options.insert(sys_options.begin(), "rbind");
    defaults.push_back({"/sys", "bind", "/sys", sys_options});
  }
  // Not read-only: docker clears that for a user namespace, whose remount
  // could not clear it again (and the files are the host root's anyway).
  defaults.push_back({"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev"}});
  // mqueue belongs to the IPC namespace's owner; with the host's, the queues
  // are still reached through mq_open, only not listed in a filesystem.
  if (plan.ipc) defaults.push_back({"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}});
  if (!plan.ipc) {
    defaults.push_back({"/dev/shm", "bind", "/dev/shm", {"rbind", "rprivate"}});
  } else if (!plan.ipc_none) {
    defaults.push_back({"/dev/shm", "tmpfs", "shm",
                        {"nosuid", "noexec", "nodev", "mode=1777", "size=" + std::to_string(host.shm_size)}});
  }

  std::vector<ResolvedMount> own = facts.mounts;
  std::stable_sort(own.begin(), own.end(),
                   [](const auto& a, const auto& b) { return depth(a.destination) < depth(b.destination); });
  // A mount of the user's replaces the default at the same place; one on
  // /dev replaces everything docker would have put under it.
  auto overridden = [&](const oci::Mount& m) {
    for (const auto& o : own) {
      if (o.destination == m.destination) return true;
      if (o.destination == "/dev" && m.destination.compare(0, 5, "/dev/") == 0) return true;
    }
    return false;
  };

  std::vector<oci::Mount> out = {overlay_mount(facts)};
  for (auto& m : defaults)
    if (!overridden(m)) out.push_back(std::move(m));
  for (const auto& o : own) out.push_back({o.destination, o.type, o.source, o.options});
  return out;
}

}  // namespace hutch
