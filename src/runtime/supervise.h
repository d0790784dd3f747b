// The foreground side of a running container: its signals, its terminal and
// its exit status.
#pragma once
#include "base/fd.h"
#include "base/process.h"

namespace hutch {

struct RunningContainer {
  Child init;  // pid 1 of the container, as the host sees it
  Fd console;  // pty master when the process has a terminal
};

// Holds INT, TERM and the other signals a foreground run handles pending from
// here on (idempotent), so that none kills hutch between creating a container
// record and supervising it: the runtime's create and supervise() take them
// from there.
void hold_signals();

// Forwards signals (and window size changes), relays the terminal (and stdin
// to it when relay_stdin), and returns the container's exit code (128+N when
// killed by signal N).
int supervise(RunningContainer& container, bool relay_stdin);

}  // namespace hutch
