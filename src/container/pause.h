// Holding a running container still while `commit` reads its files. docker
// freezes the container's cgroup; hutch needs no cgroups, so a helper process
// seizes every thread of every process in the container with ptrace
// (PTRACE_SEIZE + PTRACE_INTERRUPT). Unlike SIGSTOP this is invisible to the
// container: its processes' parents (a job-control shell, the container's
// init, hutch's monitor) see no stop and no SIGCHLD, and signals that arrive
// meanwhile are delivered on release. If the helper dies, the kernel detaches
// it and the container runs on: nothing can leave it stuck.
//
// The helper stays in the caller's original user namespace: as the owner of
// the container's namespace it may trace processes running as subordinate
// ids, which a process inside another hutch namespace could not.
#pragma once
#include <sys/types.h>

#include "base/fd.h"
#include "base/process.h"

namespace hutch {

class ContainerPause {
 public:
  // Stops every process descending from init_pid (the container's PID 1 as
  // the host sees it). Call before enter_rootless(). Throws when the
  // container cannot be traced (for example a ptrace-restricting LSM).
  explicit ContainerPause(pid_t init_pid);
  ~ContainerPause() { resume(); }
  ContainerPause(const ContainerPause&) = delete;
  ContainerPause& operator=(const ContainerPause&) = delete;

  // Lets the container run again; the destructor does it too.
  void resume();

 private:
  Child helper_;
  Fd release_;  // closing it tells the helper to detach
};

}  // namespace hutch
