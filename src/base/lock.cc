#include "base/lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "base/error.h"

namespace hutch {

FileLock::FileLock(const std::string& path, Mode mode) {
  fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd_) fail_errno("open lock %s", path.c_str());
  while (::flock(fd_.get(), mode == kShared ? LOCK_SH : LOCK_EX) < 0) {
    if (errno != EINTR) fail_errno("lock %s", path.c_str());
  }
}

FileLock FileLock::try_exclusive(const std::string& path) {
  FileLock lock;
  Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) lock.fd_ = std::move(fd);
  return lock;
}

}  // namespace hutch
