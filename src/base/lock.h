// flock(2)-based locks on files: released by the kernel when the holder dies, so
// a kill -9 never leaves a store locked.
#pragma once
#include <string>

#include "base/fd.h"

namespace hutch {

class FileLock {
 public:
  enum Mode { kShared, kExclusive };
  // Blocks until the lock is held; creates the lock file if needed.
  FileLock(const std::string& path, Mode mode);
  // Returns an unheld lock when another process holds it.
  static FileLock try_exclusive(const std::string& path);
  bool held() const { return fd_.valid(); }

 private:
  FileLock() = default;
  Fd fd_;
};

}  // namespace hutch
