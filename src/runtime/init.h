// The container's first process, from fork to execve: namespaces, rootfs,
// identity, privileges, then the user's command. Runs in the child only.
#pragma once
#include <sys/types.h>

#include <vector>

#include "runtime/spec.h"
#include "base/fd.h"

namespace hutch {

// Never returns. On failure it writes "STATUS MESSAGE" to error_fd and exits
// with STATUS (125, or 126/127 when the command cannot be run).
[[noreturn]] void container_init(const Spec& spec, int error_fd, int console_socket);

}  // namespace hutch
