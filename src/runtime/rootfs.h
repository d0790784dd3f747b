// The container's filesystem, built in its own mount namespace: overlay of the
// image layers, /proc, /dev, /sys, bind mounts, docker's masked and read-only
// paths, then pivot_root. Nothing needs unmounting later: the mounts vanish
// with the namespace.
#pragma once
#include <vector>

#include "runtime/spec.h"
#include "base/fd.h"

namespace hutch {

// Runs in the container's new mount namespace, which must be where the layer
// directories are opened: overlay refuses lower layers reached through another
// namespace's mounts.
void setup_rootfs(const Spec& spec);

// Opens path inside the directory root_fd as if root_fd were "/": symlinks,
// absolute or relative, never lead out of it. Creates what is missing when
// asked (directories on the way, and a file or directory at the end).
enum class Create { kNothing, kDirectory, kFile };
Fd open_in_root(int root_fd, const std::string& path, Create create = Create::kNothing);
// The same lookup as an O_PATH descriptor, empty when something on the way is missing.
Fd open_in_root_if_exists(int root_fd, const std::string& path);

}  // namespace hutch
