// Turns one layer blob (a tar, maybe gzip or zstd) into an overlay lower
// directory, rejecting entries that would write outside it.
#pragma once
#include <cstdint>
#include <string>

#include "base/digest.h"

namespace hutch {

struct UnpackOptions {
  // True when a subordinate id range is mapped: owners are applied with chown.
  // False under a single-uid mapping: owners and modes that cannot be applied
  // are recorded in user.containers.override_stat (fuse-overlayfs' convention).
  bool apply_owners = true;
};

struct UnpackResult {
  Digest blob_digest;  // of the bytes as stored
  Digest diff_id;      // of the uncompressed tar
  uint64_t blob_size = 0;
  uint64_t content_size = 0;  // sum of regular file sizes
};

// Extracts the blob read from blob_fd into the existing, empty directory dest.
// Whiteouts become overlay whiteouts (0/0 character devices) and opaque markers
// become the user.overlay.opaque xattr. Throws Error on any unsafe or corrupt entry.
UnpackResult unpack_layer(int blob_fd, const std::string& dest, const UnpackOptions& options);

}  // namespace hutch
