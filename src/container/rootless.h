// Every command that writes files owned by container ids (unpacking layers,
// running, removing) first moves into the user namespace.
#pragma once
#include <functional>

#include "image/layers.h"
#include "runtime/userns.h"
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

// Runs work in a child process that enters a user namespace of its own, for
// a command that must itself stay in the host's: `run`, whose container gets
// a user namespace made from outside, so that later commands can reach it.
// Returns the mapping the child had; rethrows its failure (an interrupted
// child as Interrupted).
IdMapping in_rootless_child(const Store& store, const std::function<void(const RootlessSession&)>& work);

// Runs work in a child that joins the user namespace userns_fd (a container's,
// kept open after it ended), as root there: removing files of its ids needs
// no new namespace and no newuidmap.
void in_user_namespace_child(int userns_fd, const std::function<void()>& work);

}  // namespace hutch
