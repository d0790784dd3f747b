// The foreground side of a running container: its signals, its terminal and
// its exit status.
#pragma once
#include "runtime/launch.h"

namespace hutch {

// Forwards signals (and window size changes), relays the terminal, and returns
// the container's exit code (128+N when killed by signal N).
int supervise(RunningContainer& container, const Spec& spec);

}  // namespace hutch
