// The container's first process, from clone to execve. Runs in the child only.
#pragma once
#include "runtime/oci_config.h"

namespace hutch {

struct InitContext {
  const oci::Config* config = nullptr;
  int sync_fd = -1;
  int console_fd = -1;    // where the pty master goes
  int fifo_fd = -1;       // O_PATH of exec.fifo: wait there for start; -1: exec at once
  bool made_userns = false;  // wait for the parent to write the id maps first
  bool die_with_parent = false;
  int preserve_fds = 0;
  bool new_keyring = true;
};

// Never returns. On failure it sends "STATUS MESSAGE" over the sync socket
// (and to stderr once the creator is gone) and exits with STATUS (125, or
// 126/127 when the command cannot be run).
[[noreturn]] void container_init(const InitContext& context);

}  // namespace hutch
