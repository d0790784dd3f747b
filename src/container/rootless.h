// Every command that writes files owned by container ids (unpacking layers,
// running, removing) first moves into the user namespace.
#pragma once
#include "image/layers.h"
#include "runtime/spec.h"
#include "store/store.h"

namespace hutch {

struct RootlessSession {
  IdMapping mapping;
  LayerTarget layers;
};

// Enters the user namespace (the caller must be single-threaded) and clears
// staging left by killed processes.
RootlessSession enter_rootless(const Store& store);

}  // namespace hutch
