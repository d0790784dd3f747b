// Walking a directory tree of any depth with a bounded number of descriptors.
//
// A layer may nest directories thousands of levels deep, past PATH_MAX; a
// walk that keeps one descriptor per level runs out of them (EMFILE) and one
// that reopens each path from the root is quadratic. DirStack keeps the names
// and (dev, ino) of the whole path in memory but only the deepest few levels
// open; going back up reopens a closed level as ".." of the one below it and
// checks it is still the directory it entered, so a tree renamed during the
// walk is an error, never a jump to somewhere else.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

#include "base/fd.h"

namespace hutch {

class DirStack {
 public:
  // root: the directory at depth 0 (owned). max_open >= 1 levels stay open.
  explicit DirStack(Fd root, size_t max_open = 8);

  // The directory at the top of the stack, always open. The number may change
  // after leave(): do not keep it across one.
  int fd() const { return levels_.back().fd.get(); }
  size_t depth() const { return levels_.size() - 1; }
  // The name the top was entered by ("" at the root).
  const std::string& name() const { return levels_.back().name; }
  // The name of the level at depth d (1..depth()): the path, component by component.
  const std::string& name_at(size_t d) const { return levels_[d].name; }
  ino_t ino() const { return levels_.back().ino; }

  // Descends into name, never through a symlink. try_enter returns false with
  // errno set (ENOENT, ENOTDIR, ELOOP, EACCES...) instead of failing.
  bool try_enter(const std::string& name);
  void enter(const std::string& name);
  // Descends into name, which the caller opened (as a directory, relative to
  // fd()) in a way of its own.
  void push(const std::string& name, Fd dir);
  void leave();

 private:
  struct Level {
    std::string name;
    dev_t dev;
    ino_t ino;
    Fd fd;
  };
  std::vector<Level> levels_;
  size_t max_open_;
  size_t lowest_open_ = 0;  // levels [lowest_open_, top] are open
};

struct DirName {
  std::string name;
  unsigned char type;  // DT_* from readdir; DT_UNKNOWN on some filesystems
};

// The entries of a directory (without "." and ".."), in readdir order; reads
// through a descriptor of its own, so dirfd's offset is untouched.
std::vector<DirName> read_dir_names(int dirfd);

}  // namespace hutch
