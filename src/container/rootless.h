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
  bool first_single_uid_use = false;  // no layers unpacked yet under a single-uid mapping

  // Says once per store that only root exists in containers. Called after the
  // command's layers are in place, so the note never joins an error message.
  void note_mapping() const;
};

// Enters the user namespace (the caller must be single-threaded) and clears
// staging left by killed processes.
RootlessSession enter_rootless(const Store& store);

}  // namespace hutch
