// Files hutch itself reads from a container's tree before the command starts
// (/etc/passwd, /etc/group). The image controls them: a link may point out of
// the tree or at /dev/zero, a FIFO would block the start for good, a huge file
// would exhaust memory. So they are looked up as if the tree were "/", read
// only when regular, and only up to kMaxRootFileSize.
#pragma once
#include <cstddef>
#include <optional>
#include <string>

namespace hutch {

constexpr size_t kMaxRootFileSize = 16 << 20;  // 16 MiB: far beyond any real passwd or group file

// How the path is resolved: by the kernel (openat2 RESOLVE_IN_ROOT, Linux 5.6)
// where it can, else walked in user space; kUserSpace forces the walk (tests).
enum class RootLookup { kAuto, kUserSpace };

// The contents of path inside the tree root_fd names, or nullopt when it does
// not exist there. Fails with one line naming the file when it is anything but
// a regular file of at most kMaxRootFileSize bytes.
std::optional<std::string> read_small_file_in_root(int root_fd, const std::string& path,
                                                   RootLookup lookup = RootLookup::kAuto);

}  // namespace hutch
