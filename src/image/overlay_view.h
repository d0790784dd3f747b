// Reading layer directories the way overlayfs merges them, without mounting
// anything: a whiteout (a 0/0 character device) hides what lower layers have at
// that name, an opaque directory (user.overlay.opaque=y) hides the lower
// directories of the same name, and a non-directory hides everything below it.
// hutch mounts with "userxattr", which rules out redirect_dir and metacopy, so
// these three rules are all there is to a writable layer.
//
// Owners come from stat, except where user.containers.override_stat records
// the owner the image wanted (see layer_unpack.h): that is what the container
// sees, and what `export` and `commit` must write.
#pragma once
#include <sys/stat.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"

namespace hutch {

// What a walk keeps of an entry.
struct FsInfo {
  mode_t mode = 0;  // type and permissions, from stat
  uid_t uid = 0;    // as the container sees them
  gid_t gid = 0;
  off_t size = 0;
  dev_t dev = 0, rdev = 0;
  ino_t ino = 0;
  nlink_t nlink = 0;
  int64_t mtime = 0;
  bool whiteout = false;
  bool opaque = false;  // directories only
};

// Stats name in dirfd without following symlinks; nullopt when it is gone.
// Directories are checked for the opaque marker, owners for the override.
std::optional<FsInfo> stat_entry(int dirfd, const std::string& name);

// Opens a directory entry for reading without following a symlink.
Fd open_entry_dir(int dirfd, const std::string& name);

// One directory of a merged view: the same path in every layer that
// contributes to it, top first.
class MergedDir {
 public:
  struct Entry {
    FsInfo info;
    size_t layer = 0;  // index of the layer the visible entry comes from
  };

  MergedDir() = default;
  // The roots of a stack of layer directories, top first.
  static MergedDir open_roots(const std::vector<std::string>& dirs_top_first);

  bool empty() const { return layers_.empty(); }
  // The directory (in its layer) that holds a visible entry.
  int fd_for(const Entry& entry) const;

  // Visible entries by name (whiteouts applied and left out).
  std::map<std::string, Entry> list() const;
  // The visible entry at name, if any.
  std::optional<Entry> lookup(const std::string& name) const;
  // The merged subdirectory for a visible directory entry.
  MergedDir child(const std::string& name, const Entry& entry) const;

 private:
  struct Layer {
    Fd fd;
    size_t index;  // position in the original stack, for Entry::layer
  };
  std::vector<Layer> layers_;
};

// Lists the names in a directory (without "." and ".."), sorted bytewise.
std::vector<std::string> sorted_names(int dirfd);

}  // namespace hutch
