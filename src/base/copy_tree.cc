#include "base/copy_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "base/error.h"
#include "base/fd.h"

namespace hutch {

namespace {

void copy_file(int from_dir, int to_dir, const char* name, const struct stat& st) {
  Fd in(openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) fail_errno("copy %s", name);
  Fd out(openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777));
  if (!out) fail_errno("create %s", name);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(out.get(), in.get(), nullptr, left > (1 << 30) ? (1 << 30) : left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("copy %s", name);
    if (n == 0) break;
    left -= n;
  }
  fchmod(out.get(), st.st_mode & 07777);
}

// Recursion depth is the tree's: these are small trees (an image's /run or a
// volume's mount point), not layers.
void copy_entries(int from_dir, int to_dir) {
  Fd listing(openat(from_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!listing) fail_errno("open directory to copy");
  DIR* dir = fdopendir(listing.release());
  if (!dir) fail_errno("fdopendir");
  std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, closedir);
  while (struct dirent* entry = readdir(dir)) {
    const char* name = entry->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
    struct stat st;
    if (fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) fail_errno("stat %s", name);
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(to_dir, name, st.st_mode & 07777) < 0 && errno != EEXIST) fail_errno("mkdir %s", name);
      Fd from(openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      Fd to(openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!from || !to) fail_errno("open %s", name);
      copy_entries(from.get(), to.get());
      fchmod(to.get(), st.st_mode & 07777);
    } else if (S_ISREG(st.st_mode)) {
      copy_file(from_dir, to_dir, name, st);
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(from_dir, name, target, sizeof target - 1);
      if (n < 0) fail_errno("readlink %s", name);
      target[n] = 0;
      if (symlinkat(target, to_dir, name) < 0) fail_errno("symlink %s", name);
    } else if (S_ISFIFO(st.st_mode)) {
      if (mkfifoat(to_dir, name, st.st_mode & 07777) < 0) fail_errno("mkfifo %s", name);
    } else {
      continue;
    }
    fchownat(to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    utimensat(to_dir, name, times, AT_SYMLINK_NOFOLLOW);
  }
}

}  // namespace

void copy_tree(int from_dir, int to_dir) { copy_entries(from_dir, to_dir); }

}  // namespace hutch
