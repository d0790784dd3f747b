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

#include "base/dir_stack.h"
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

// A depth-first walk of a merged view: the current directory is the same path
// in every layer that contributes to it, top first. Each layer keeps its path
// in a DirStack, so a tree of any depth takes a bounded number of descriptors
// per layer.
class MergedWalk {
 public:
  struct Entry {
    FsInfo info;
    size_t layer = 0;  // index of the layer the visible entry comes from
  };

  // The roots of a stack of layer directories, top first.
  explicit MergedWalk(const std::vector<std::string>& dirs_top_first);

  // No layer has the current directory.
  bool empty() const;
  // The directory (in its layer) that holds a visible entry of the current
  // directory; the number may change after leave().
  int fd_for(const Entry& entry) const;

  // Visible entries by name (whiteouts applied and left out).
  std::map<std::string, Entry> list() const;
  // The visible entry at name, if any.
  std::optional<Entry> lookup(const std::string& name) const;
  // Descends into the merged subdirectory at name, visible as entry; null (or
  // a non-directory) enters a directory no layer has, where empty() is true.
  void enter(const std::string& name, const Entry* entry);
  void leave();

 private:
  struct Layer {
    DirStack stack;
    size_t index;  // position in the original stack, for Entry::layer
  };
  // Layers whose stack is at depth_ contribute to the current directory: a
  // layer that has no directory at some path has none below it either.
  bool contributes(const Layer& layer) const { return layer.stack.depth() == depth_; }
  std::vector<Layer> layers_;
  size_t depth_ = 0;
};

// Lists the names in a directory (without "." and ".."), sorted bytewise.
std::vector<std::string> sorted_names(int dirfd);

}  // namespace hutch
