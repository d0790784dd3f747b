// Turns one layer blob (a tar, maybe gzip or zstd) into an overlay lower
// directory, rejecting entries that would write outside it; and extracts the
// plain archives `cp` moves, with the same protections.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "base/digest.h"

namespace hutch {

struct UnpackOptions {
  // True when a subordinate id range is mapped: owners are applied with chown.
  // False under a single-uid mapping: owners and modes that cannot be applied
  // are recorded in user.containers.override_stat (fuse-overlayfs' convention).
  bool apply_owners = true;

  // What follows is for plain archives (extract_archive), not layers.
  // false: ".wh." names are ordinary files, a leading "/" means the
  // extraction's root, errors say "archive entry".
  bool layer = true;
  // Every entry gets this owner instead of the archive's.
  std::optional<std::pair<uid_t, gid_t>> owner;
  // Owners that cannot be applied go to user.containers.override_stat (where
  // a container's files are: export and commit read them there); false
  // leaves such a file as it was created (on the host).
  bool record_overrides = true;
  // docker's NoOverwriteDirNonDir: an entry may not replace a directory with
  // a non-directory nor the reverse; the error names paths under dest_name.
  bool keep_kinds = false;
  std::string dest_name;
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

// Extracts the archive read from tar_fd (a tar, maybe compressed) into the
// directory dest_fd. Nothing is written outside it: ".." is refused and no
// entry is created through a symbolic link, one that was there before or one
// an earlier entry made (an entry that replaces a link replaces the link).
void extract_archive(int tar_fd, int dest_fd, const UnpackOptions& options);

}  // namespace hutch
