// `hutch run` in the foreground: resolve the image and flags into a Spec,
// record the container, start it, supervise it, and clean up.
#pragma once
#include "container/run_options.h"
#include "store/store.h"

namespace hutch {

// Returns the exit status docker would: the container's, or 125/126/127.
int run_container(const Store& store, const RunOptions& options);

}  // namespace hutch
