// `hutch run` in the foreground: resolve the image and flags into a Spec,
// record the container, start it, supervise it, and clean up.
#pragma once
#include <functional>
#include <string>

#include "container/run_options.h"
#include "image/layers.h"
#include "runtime/state.h"
#include "store/containers.h"
#include "store/store.h"

namespace hutch {

// Fetches options.image into the store (from inside the user namespace, so
// layers unpack with their owners); throws when it cannot.
using PullImage = std::function<void(const std::string& image, const LayerTarget& target)>;

// Returns the exit status docker would: the container's, or 125/126/127.
int run_container(const Store& store, const RunOptions& options, const PullImage& pull);

// Removes a --rm container once all its processes have exited: from its user
// namespace (userns, or a new one from the store's mapping; owned_by_caller:
// no namespace needed), recycling the directory when it started.
void remove_ended_container(const Store& store, const ContainerRecord& record, int userns, bool owned_by_caller,
                            bool started);

// network connect/disconnect of a stopped container: its /etc files as its
// record's network now says (the start bind-mounts them).
void rewrite_etc_files(const Store& store, const ContainerRecord& record);

// The runtime state of one of hutch's own containers: state.json in the
// container's directory, which is its bundle (`hutch runtime --root
// STORE/containers` lists them).
StateDir container_state(const Store& store, const std::string& id);
// Its first process, from that state; 0 when there is none.
pid_t container_init_pid(const Store& store, const ContainerRecord& record);

}  // namespace hutch
