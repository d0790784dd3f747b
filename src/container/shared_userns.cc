#include "container/shared_userns.h"

#include <fcntl.h>

#include <cstdio>
#include <cstdlib>

#include "runtime/id_maps.h"
#include "base/error.h"
#include "base/file.h"
#include "base/process.h"
#include "base/sha256.h"

namespace hutch {

namespace {

// /proc/PID/uid_map pads its columns; the text id_map_text would give.
std::string proc_maps_text(pid_t pid, const char* file) {
  std::string text = read_file_if_exists(format("/proc/%d/%s", (int)pid, file)).value_or("");
  std::string out;
  const char* p = text.c_str();
  for (;;) {
    unsigned inside, outside, size;
    int used = 0;
    if (sscanf(p, " %u %u %u%n", &inside, &outside, &size, &used) != 3) break;
    out += format("%u %u %u\n", inside, outside, size);
    p += used;
  }
  return out;
}

// Containers in one user namespace are kept apart by their other namespaces
// and by lacking the capabilities to cross them. One that could enter or
// trace the others' processes (CAP_SYS_ADMIN or CAP_SYS_PTRACE, as
// --privileged gives, with the host's PID namespace to see them) has a
// namespace of its own, and is never joined.
bool shareable(const oci::Config& spec) {
  const oci::Namespace* pid = spec.linux.find_namespace("pid");
  if (!pid || !pid->path.empty()) return false;
  if (!spec.process.capabilities) return false;
  for (const auto& cap : spec.process.capabilities->bounding)
    if (cap == "CAP_SYS_ADMIN" || cap == "CAP_SYS_PTRACE") return false;
  return true;
}

}  // namespace

SharedUserns::SharedUserns(const Store& store, const oci::Config& spec) {
  const oci::Namespace* ns = spec.linux.find_namespace("user");
  if (!ns || !ns->path.empty() || !id_maps_need_helpers(spec.linux.uid_mappings, spec.linux.gid_mappings) ||
      !shareable(spec))
    return;
  std::string uids = id_map_text(spec.linux.uid_mappings), gids = id_map_text(spec.linux.gid_mappings);
  anchor_path_ = store.root() + "/userns/" + sha256_hex(uids + "/" + gids).substr(0, 16);
  std::string anchor = read_file_if_exists(anchor_path_).value_or("");
  int pid = 0;
  unsigned long long start = 0;
  if (sscanf(anchor.c_str(), "%d %llu", &pid, &start) != 2 || pid <= 0) return;
  Fd userns(::open(format("/proc/%d/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC));
  // Checked after the open: a pid reused before it would show another start.
  if (!userns || !process_running(pid, start)) return;
  // The anchor names a process, not a promise: its namespace must have the
  // very maps asked for, and allow setgroups as newgidmap's maps do.
  if (proc_maps_text(pid, "uid_map") != uids || proc_maps_text(pid, "gid_map") != gids) return;
  if (read_file_if_exists(format("/proc/%d/setgroups", pid)).value_or("") != "allow\n") return;
  userns_ = std::move(userns);
}

void SharedUserns::join(oci::Config& spec) const {
  for (auto& ns : spec.linux.namespaces)
    if (ns.type == "user") ns.path = "/proc/self/fd/" + std::to_string(userns_.get());
  // A namespace that is joined has its maps already.
  spec.linux.uid_mappings.clear();
  spec.linux.gid_mappings.clear();
}

void SharedUserns::announce(pid_t init) const {
  // A container that joined leaves the anchor as it is: the one that made the
  // namespace is as likely to outlive it, and a short `run --rm` that took
  // over the anchor would leave the next start none to join.
  if (anchor_path_.empty() || found() || init <= 0) return;
  // Only a hint: a start that cannot leave it still succeeds, and the next
  // one makes a namespace of its own.
  try {
    mkdir_p(dirname_of(anchor_path_), 0700);
    write_file_atomic(anchor_path_, format("%d %llu\n", (int)init, process_start_time(init)));
  } catch (const Error&) {
  }
}

}  // namespace hutch
