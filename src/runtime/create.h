// Creating a container from its config: the first process made in its new
// namespaces (one clone, so only that process enters the new PID namespace),
// its id maps written from outside, its root built, and the process left
// waiting for `start` on exec.fifo, or exec'd at once for `run`.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "runtime/oci_config.h"
#include "runtime/state.h"
#include "base/fd.h"
#include "base/process.h"

namespace hutch {

struct CreateRequest {
  std::string state_root;    // the runtime root (--root)
  // The state lives in the bundle, state_root/id (StateDir's in_bundle), and
  // the bundle's config.json is the config: root.path must be absolute.
  bool state_in_bundle = false;
  std::string id;
  std::string bundle;        // absolute; relative root.path and hook cwd are relative to it
  int console_socket = -1;   // where the pty master goes when process.terminal
  bool wait_for_start = true;  // false: exec as soon as the container exists (run)
  bool die_with_parent = false;  // the init gets SIGKILL when its creator dies (hutch run)
  bool watch_interrupts = false;  // INT and TERM while creating throw Interrupted
  int preserve_fds = 0;      // fds 3..3+N-1 stay open in the process (--preserve-fds)
  bool new_keyring = true;   // a session keyring of its own (runc's default; --no-new-keyring)
  std::string pid_file;
  // Called once the namespaces exist (the id maps written, the process not
  // yet told to go): what must be ready before the container runs, made from
  // outside it (a network engine attached to its network namespace).
  std::function<void(pid_t init)> on_namespaces_made;
};

struct CreatedContainer {
  ContainerState state;
  Child init;   // ours to reap; release() it to leave the container running
  Fd sync;      // open until the process execs (run) or waits on the fifo (create)
  Fd userns;    // the container's user namespace, made or joined, when it has one
};

// Throws Error with the process's status (125, 126, 127) on failure, having
// killed the process and removed the state directory.
CreatedContainer create_container(const oci::Config& config, const CreateRequest& request);

// For wait_for_start == false, or after start_container: returns once the
// command has been exec'd, or throws its failure (and reaps the init).
void wait_for_exec(CreatedContainer& created, bool watch_interrupts);

// The fifo wait ends: the process execs. Runs poststart hooks. Throws when the
// container is not in the created state.
void start_container(const StateDir& dir);

}  // namespace hutch
