#pragma once
#include <string>

namespace hutch {
// Lower-case hex of `bytes` random bytes from the kernel.
std::string random_hex(size_t bytes);
}  // namespace hutch
