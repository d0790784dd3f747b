// The parent's side of a container: starting its first process in new
// namespaces and supervising it in the foreground.
#pragma once
#include <sys/types.h>

#include "runtime/spec.h"
#include "base/fd.h"
#include "base/process.h"

namespace hutch {

struct RunningContainer {
  Child init;      // pid 1 of the container, as the host sees it
  Fd console;      // pty master when spec.process.terminal
  Fd signals;      // signalfd for the forwarded signals and SIGCHLD
};

// Holds INT, TERM and the other signals a foreground run handles pending from
// here on (idempotent), so that none kills hutch between creating a container
// record and supervising it: launch() and supervise() take them from there.
void hold_signals();

// Returns once the command has been exec'd; throws Interrupted when INT or
// TERM arrives first (after killing the init); throws Error carrying docker's
// status (125 setup, 126 cannot invoke, 127 not found) otherwise. The calling
// process must already be in the user namespace and single-threaded.
RunningContainer launch(const Spec& spec);

}  // namespace hutch
