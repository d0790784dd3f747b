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

// The lookup done by the kernel in one call (openat2 RESOLVE_IN_ROOT, Linux
// 5.6), as an O_PATH descriptor. kWalk: anything else (an older kernel, a
// seccomp filter that refuses openat2, a magic link, a component that is not
// a directory), which the user-space walk above answers with its own rules.
enum class KernelLookup { kFound, kMissing, kWalk };
KernelLookup open_in_root_by_kernel(int root_fd, const std::string& path, Fd* out);

}  // namespace hutch
