// The OCI operations on a container that exists: state, kill, delete, exec.
// Each acts from the caller's own namespaces (the owner, or root) on the
// process named in the state by pid plus start time.
#pragma once
#include <string>

#include "runtime/oci_config.h"
#include "runtime/state.h"
#include "base/process.h"

namespace hutch {

// Signals the init, or with all every process in the container's PID
// namespace. Throws "container ID is not running" when it is stopped.
void kill_container(const StateDir& dir, int sig, bool all);

// A stopped container is removed; a created or running one only with force
// (SIGKILL to every process, then waits). Runs poststop hooks.
void delete_container(const StateDir& dir, bool force);

// The container's processes as the caller's PID namespace numbers them, init first.
std::vector<pid_t> container_pids(const ContainerState& state);

struct ExecRequest {
  oci::Process process;
  std::string user_spec;    // docker's -u form to resolve inside, or empty
  int console_socket = -1;  // with process.terminal: where the master goes; -1: ours to relay
  bool detach = false;
  std::string pid_file;
  int preserve_fds = 0;
};

struct ExecedProcess {
  Child process;  // our child, in the container's PID namespace
  Fd console;     // the pty master when the caller relays the terminal
};

// Joins every namespace of the running container (the caller must be
// single-threaded, and stays in them: it is the exec's parent), starts the
// process and returns once it has exec'd; throws with 125/126/127 otherwise.
ExecedProcess exec_in_container(const StateDir& dir, const ExecRequest& request);

}  // namespace hutch
