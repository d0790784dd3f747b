#include "runtime/root_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/rootfs.h"
#include "base/error.h"
#include "base/fd.h"

namespace hutch {

namespace {

const char* kind_of(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return "a directory";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFLNK: return "a symbolic link";
    default: return "not a regular file";
  }
}

std::optional<std::string> read_checked(int root_fd, const std::string& path, RootLookup how) {
  // Links, ".." and absolute targets resolve within root_fd: by the kernel,
  // or walked one component at a time with O_NOFOLLOW, at most 40 links.
  Fd found = how == RootLookup::kAuto ? open_in_root_if_exists(root_fd, path) : walk_in_root_if_exists(root_fd, path);
  if (!found) return std::nullopt;
  // Checked on the O_PATH descriptor, before any open that could block (a
  // FIFO) or act (a device).
  struct stat st;
  if (fstat(found.get(), &st) < 0) fail_errno("stat");
  if (!S_ISREG(st.st_mode)) fail("%s, not a regular file", kind_of(st.st_mode));
  // Reopened through the descriptor itself, so the file checked is the file read.
  std::string self = "/proc/self/fd/" + std::to_string(found.get());
  Fd file(::open(self.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!file) fail_errno("open");
  if (fstat(file.get(), &st) < 0) fail_errno("stat");
  if (!S_ISREG(st.st_mode)) fail("%s, not a regular file", kind_of(st.st_mode));
  auto too_big = [] { fail("larger than the limit of %zu MiB", kMaxRootFileSize >> 20); };
  if ((unsigned long long)st.st_size > kMaxRootFileSize) too_big();
  // The size is checked again while reading: the file may grow meanwhile.
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(file.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read");
    if (n == 0) return out;
    if (out.size() + n > kMaxRootFileSize) too_big();
    out.append(buf, n);
  }
}

}  // namespace

std::optional<std::string> read_small_file_in_root(int root_fd, const std::string& path, RootLookup lookup) {
  return with_context("cannot read " + path + " in the container",
                      [&] { return read_checked(root_fd, path, lookup); });
}

}  // namespace hutch
