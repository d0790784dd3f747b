// Where a file's data is: sparse files keep their holes as holes when hutch
// archives them (commit, export) and unpacks them again, instead of turning a
// 2 GiB hole into 2 GiB of zeros on disk and in every tar.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace hutch {

// A run of a file's bytes that holds data; what lies between runs reads as zeros.
struct Extent {
  int64_t offset = 0;
  int64_t length = 0;
  bool operator==(const Extent&) const = default;
};

// The data runs of the open file fd within its first `size` bytes, in order
// (SEEK_DATA/SEEK_HOLE). A filesystem that cannot tell reports one run over
// everything, which is what it then stores.
std::vector<Extent> data_extents(int fd, int64_t size);

}  // namespace hutch
