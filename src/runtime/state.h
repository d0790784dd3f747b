// A container's runtime state: one directory per container under the runtime
// root (runc's --root), holding state.json, the config it was created from,
// and exec.fifo while it waits for `start`. Written atomically: a runtime
// killed at any step leaves either no state.json or a true one, and the
// status is always read from the process itself, never trusted from the file.
//
// The directory is the owner's; root may read it and act on the container
// (Slurm's slurmstepd runs state, kill and delete as root).
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/oci_config.h"
#include "runtime/process_handle.h"

namespace hutch {

// The runtime root when --root is not given: $XDG_RUNTIME_DIR/hutch-runtime
// for a user, /run/hutch-runtime for root.
std::string default_runtime_root();

struct ContainerState {
  std::string id;
  std::string bundle;
  std::string rootfs;   // root.path, absolute
  std::string created;  // RFC 3339
  pid_t pid = 0;        // as the runtime's pid namespace sees it
  unsigned long long start_time = 0;
  uid_t owner = 0;
  std::vector<std::pair<std::string, std::string>> annotations;

  // From the process and the fifo: creating | created | running | stopped.
  std::string status;
};

class StateDir {
 public:
  // in_bundle: root/id is the container's bundle itself, whose config.json is
  // the state's (hutch run's containers): the state costs one file, not a
  // directory and two, and removing it leaves the bundle alone.
  StateDir(std::string root, std::string id, bool in_bundle = false);
  bool in_bundle() const { return in_bundle_; }

  const std::string& id() const { return id_; }
  const std::string& path() const { return dir_; }
  std::string fifo_path() const { return dir_ + "/exec.fifo"; }
  std::string config_path() const { return dir_ + "/config.json"; }

  // Claims the id: fails with runc's "container with id exists: ID" when it is
  // taken, and checks the id is a plain name (no '/', not "." or "..").
  void create() const;
  bool exists() const;
  void save(const ContainerState& state) const;
  // Throws "container ID does not exist" when absent.
  ContainerState load() const;
  // The state with its status computed.
  ContainerState current() const;
  ProcessHandle process(const ContainerState& state) const;
  void remove() const;

 private:
  std::string root_;
  std::string id_;
  std::string dir_;
  bool in_bundle_;
};

// OCI state JSON, as `state` prints it.
std::string state_json(const ContainerState& state);

// Every container under root, sorted by id.
std::vector<ContainerState> list_containers(const std::string& root);

}  // namespace hutch
