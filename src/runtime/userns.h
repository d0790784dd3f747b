// Entering a user namespace as an unprivileged user. The calling process itself
// moves into the namespace (and becomes root there), so store work, layer
// unpacking and the container's parent all see one consistent id mapping.
#pragma once
#include "runtime/spec.h"

namespace hutch {

// Reads /etc/subuid and /etc/subgid for the invoking user; the range is kept
// only when newuidmap and newgidmap are available to apply it.
IdMapping detect_id_mapping();

// Must be called while single-threaded. With a range, newuidmap/newgidmap map
// 0 -> the user and 1..N -> the range, as podman does; without one (or when the
// helpers refuse), only 0 -> the user. Returns the mapping in force.
IdMapping enter_user_namespace(const IdMapping& wanted);

}  // namespace hutch
