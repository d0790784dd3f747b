// OCI mount options ("ro", "nosuid", "rbind", "rprivate", "size=64m") split
// into mount(2) flags, propagation, and the data string for the filesystem.
#pragma once
#include <string>
#include <vector>

namespace hutch {

struct MountFlags {
  unsigned long flags = 0;        // MS_RDONLY, MS_NOSUID, ... (set)
  unsigned long clear = 0;        // flags an option turned off ("rw", "suid")
  unsigned long propagation = 0;  // MS_PRIVATE, MS_SHARED, ... with MS_REC for r-forms
  bool bind = false;
  bool recursive = false;         // rbind
  bool recursive_read_only = false;  // "rro", and "ro" on an rbind (docker's rule for binds)
  // "tmpcopyup" (a tmpfs) and hutch's "copyup" (a bind of an empty
  // directory): the new mount starts with a copy of what it covers.
  bool copy_up = false;
  std::vector<std::string> unsupported;  // options of other runtimes hutch does not implement
  std::string data;               // what mount(2) passes to the filesystem
};

MountFlags parse_mount_options(const std::vector<std::string>& options);

}  // namespace hutch
