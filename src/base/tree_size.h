// What docker reports as the size of a directory: the bytes of the files
// under it.
#pragma once
#include <cstdint>
#include <string>

namespace hutch {

// Regular files and symlinks count their length; unreadable parts count as 0.
int64_t tree_bytes(const std::string& dir);

}  // namespace hutch
