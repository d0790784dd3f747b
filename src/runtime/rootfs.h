// The container's filesystem, built in its new mount namespace from the
// config's root, mounts, devices and path lists, then pivot_root. Nothing
// needs unmounting later: the mounts vanish with the namespace.
#pragma once
#include <string>

#include "runtime/oci_config.h"
#include "base/fd.h"

namespace hutch {

// Everything up to pivot_root: mounts (the "/" ones first, on root.path),
// default devices and /dev links. Returns once the new root is in place and
// the old one detached.
void setup_rootfs(const oci::Config& config);
// After pivot_root and the createContainer hooks: masked and read-only
// paths, a read-only root, the root's propagation.
void finish_rootfs(const oci::Config& config);

// Opens path inside the directory root_fd as if root_fd were "/": symlinks,
// absolute or relative, never lead out of it. Creates what is missing when
// asked (directories on the way, and a file or directory at the end).
enum class Create { kNothing, kDirectory, kFile };
Fd open_in_root(int root_fd, const std::string& path, Create create = Create::kNothing);
// The same lookup as an O_PATH descriptor, empty when something on the way is missing.
Fd open_in_root_if_exists(int root_fd, const std::string& path);

// Both lookups ask the kernel first (openat2 RESOLVE_IN_ROOT, Linux 5.6, one
// call) and walk in user space where it cannot answer. This is the walk
// alone, as older kernels get it: for tests of the walk.
Fd walk_in_root_if_exists(int root_fd, const std::string& path);

}  // namespace hutch
