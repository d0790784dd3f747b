// A detached container's monitor: one small process per container, in a
// session of its own, the parent of the container's first process. It holds
// the container's stdio (pipes, or the pty master), writes the log, records
// the exit status and times, applies the restart policy, and removes a --rm
// container, then exits. If it dies, the container dies with it (the init's
// parent-death signal), and the record, naming a dead monitor, reads as
// exited (137).
#pragma once
#include <string>

#include "container/attach_client.h"
#include "container/attach_protocol.h"
#include "store/container_config.h"
#include "store/store.h"

namespace hutch {

// Starts a monitor for the recorded container `id` (run -d, start): returns
// once the container's command has been exec'd, or throws the failure with
// the status run would give (125, 126, 127).
void start_monitor(const Store& store, const std::string& id);

// start_monitor for a client that attaches from the start (the foreground
// run, start -a): the monitor is our child, in a session of its own, and
// the returned socket is already attached as `hello` asks. Until the command
// runs, INT and TERM are passed to the monitor, which stops the start (the
// Interrupted thrown then ends us by the same signal). When the socket
// closes without a detach, the monitor kills the container.
struct AttachedMonitor {
  Fd socket;
  pid_t pid = -1;  // our child
};
AttachedMonitor start_attached_monitor(const Store& store, const std::string& id, const AttachHello& hello);

// The status of an attached foreground command: the container's exit code,
// or 0 when the user detached. When the container is not run again, the
// monitor is waited for: nothing of it is left once we return.
int end_attached(const AttachEnd& end, pid_t monitor);

// The monitor process itself (`hutch --root STORE __monitor ID`, or
// `__attached-monitor` with the owner's socket as owner_fd, which main.cc
// runs before any command parsing): report_fd gets "0\n" once the command
// runs, or the failure's status and message.
int monitor_main(const Store& store, const std::string& id, int report_fd, int owner_fd);

// docker's restart policy from --restart: no, always, unless-stopped,
// on-failure[:N]; throws docker's message for anything else.
RestartPolicy parse_restart_policy(const std::string& text);

}  // namespace hutch
