// mount(8)'s option words as docker knows them (its pkg/mount table): the flag
// each sets or clears, the tmpfs data keys, and docker's merging of tmpfs
// options. The runtime reads OCI mount options with the same table.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hutch {

struct MountFlag {
  const char* name;
  bool clear;           // "rw", "suid", "exec": clears the flag
  unsigned long flag;   // MS_*; 0 for "defaults"
  bool propagation;     // bind, rbind, private, rshared, ...: only one applies
};

// nullptr when `name` is not a flag word (it may be data: "size=64m").
const MountFlag* find_mount_flag(std::string_view name);

// docker's MergeTmpfsOptions: later words win over earlier ones setting the
// same flag or data key (so the defaults go first), "defaults" drops out,
// the order is otherwise kept. Data must be one of size, mode, uid, gid,
// nr_inodes, nr_blocks, mpol. Throws "invalid tmpfs option [\"bogus\"]" (Go's
// %q of the word split at '=') for anything else, and for bind and rbind,
// which docker passes on but which make no sense for a tmpfs.
std::vector<std::string> merge_tmpfs_options(const std::vector<std::string>& options);

}  // namespace hutch
