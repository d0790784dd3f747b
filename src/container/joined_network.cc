#include "container/joined_network.h"

#include <fcntl.h>

#include "base/error.h"
#include "container/run.h"
#include "store/containers.h"

namespace hutch {

JoinedNetwork::JoinedNetwork(const Store& store, const std::string& name_or_id) {
  ContainerStore containers(store);
  ContainerRecord other = containers.find(name_or_id);
  auto refuse = [&] { fail("cannot join network of a non running container: %s", other.id.c_str()); };
  pid_t pid = other.is_running() ? container_init_pid(store, other) : 0;
  if (pid <= 0) refuse();
  userns_.reset(::open(("/proc/" + std::to_string(pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  netns_.reset(::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  // Checked after the opens: a pid that had ended and been reused would
  // name another process's namespaces, and X's record says so by then.
  if (!userns_ || !netns_ || container_init_pid(store, containers.find(other.id)) != pid) refuse();
}

void JoinedNetwork::join(oci::Config& spec) const {
  for (auto& ns : spec.linux.namespaces) {
    if (ns.type == "user") ns.path = "/proc/self/fd/" + std::to_string(userns_.get());
    if (ns.type == "network") ns.path = "/proc/self/fd/" + std::to_string(netns_.get());
  }
  // A namespace that is joined has its maps already.
  spec.linux.uid_mappings.clear();
  spec.linux.gid_mappings.clear();
}

}  // namespace hutch
