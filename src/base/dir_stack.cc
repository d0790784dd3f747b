#include "base/dir_stack.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace hutch {

namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

}  // namespace

DirStack::DirStack(Fd root, size_t max_open) : max_open_(max_open ? max_open : 1) {
  struct stat st;
  if (fstat(root.get(), &st) < 0) fail_errno("stat directory");
  levels_.push_back(Level{"", st.st_dev, st.st_ino, std::move(root)});
}

bool DirStack::try_enter(const std::string& name) {
  Fd child(openat(fd(), name.c_str(), kDirFlags));
  if (!child) return false;
  push(name, std::move(child));
  return true;
}

void DirStack::push(const std::string& name, Fd dir) {
  struct stat st;
  if (fstat(dir.get(), &st) < 0) fail_errno("stat directory %s", name.c_str());
  levels_.push_back(Level{name, st.st_dev, st.st_ino, std::move(dir)});
  if (levels_.size() - lowest_open_ > max_open_) levels_[lowest_open_++].fd.reset();
}

void DirStack::enter(const std::string& name) {
  if (!try_enter(name)) fail_errno("open directory %s", name.c_str());
}

void DirStack::leave() {
  if (levels_.size() < 2) fail("directory walk: leave at the root");
  Level below = std::move(levels_.back());
  levels_.pop_back();
  Level& top = levels_.back();
  if (top.fd) return;
  Fd up(openat(below.fd.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st;
  if (!up || fstat(up.get(), &st) < 0) fail_errno("open parent of %s", below.name.c_str());
  if (st.st_dev != top.dev || st.st_ino != top.ino)
    fail("directory walk: %s was moved while it was read", below.name.c_str());
  top.fd = std::move(up);
  lowest_open_ = levels_.size() - 1;
}

std::vector<DirName> read_dir_names(int dirfd) {
  int copy = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (copy < 0) fail_errno("open directory");
  DIR* dir = fdopendir(copy);
  if (!dir) {
    close(copy);
    fail_errno("open directory");
  }
  std::vector<DirName> names;
  errno = 0;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
    names.push_back(DirName{e->d_name, e->d_type});
  }
  int saved = errno;
  closedir(dir);
  if (saved) {
    errno = saved;
    fail_errno("read directory");
  }
  return names;
}

}  // namespace hutch
