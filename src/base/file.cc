#include "base/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/dir_stack.h"
#include "base/error.h"
#include "base/random.h"

namespace hutch {

std::string path_join(std::string_view a, std::string_view b) {
  std::string out(a);
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  if (out.empty() || out.back() != '/') out += '/';
  out += b;
  return out;
}

std::string dirname_of(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string clean_path(std::string_view path) {
  bool rooted = !path.empty() && path[0] == '/';
  std::vector<std::string_view> parts;
  size_t dotdots = 0;  // leading ".." of a relative path, which stay
  for (size_t i = 0; i < path.size();) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(i, end - i);
    i = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.size() > dotdots) parts.pop_back();
      else if (!rooted) parts.push_back(part), dotdots++;
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); i++) {
    if (i) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

Fd open_or_fail(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) fail_errno("open %s", path.c_str());
  return Fd(fd);
}

Fd open_dir(const std::string& path) { return open_or_fail(path, O_RDONLY | O_DIRECTORY); }

std::string read_fd(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("read");
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

std::string read_file(const std::string& path) {
  Fd fd = open_or_fail(path, O_RDONLY);
  return with_context(path, [&] { return read_fd(fd.get()); });
}

std::optional<std::string> read_file_if_exists(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    fail_errno("open %s", path.c_str());
  }
  Fd owner(fd);
  return read_fd(fd);
}

void write_all(int fd, std::string_view data, const char* what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("%s", what);
    data.remove_prefix(n);
  }
}

void write_file_atomic(const std::string& path, std::string_view data, bool durable, mode_t mode) {
  std::string tmp = path + ".tmp-" + random_hex(8);
  Fd fd = open_or_fail(tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
  try {
    write_all(fd.get(), data, ("write " + tmp).c_str());
    if (durable && fsync(fd.get()) < 0) fail_errno("fsync %s", tmp.c_str());
    fd.reset();
    if (rename(tmp.c_str(), path.c_str()) < 0) fail_errno("rename %s", path.c_str());
  } catch (...) {
    unlink(tmp.c_str());
    throw;
  }
  if (durable) {
    Fd dir = open_dir(dirname_of(path));
    fsync(dir.get());
  }
}

void write_file_in_place(const std::string& path, std::string_view data, mode_t mode) {
  // Not O_TRUNC: truncating to zero frees the file's blocks, which the write
  // then allocates again; cutting it to the new length keeps them.
  Fd fd = open_or_fail(path, O_WRONLY | O_CREAT | O_NOFOLLOW, mode);
  write_all(fd.get(), data, ("write " + path).c_str());
  if (ftruncate(fd.get(), (off_t)data.size()) < 0) fail_errno("truncate %s", path.c_str());
}

bool exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool is_dir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void mkdir_p(const std::string& path, mode_t mode) {
  if (path.empty() || is_dir(path)) return;
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) mkdir_p(path.substr(0, slash), mode);
  if (mkdir(path.c_str(), mode) < 0 && errno != EEXIST) fail_errno("mkdir %s", path.c_str());
}

namespace {

// Opens a directory to empty it. One without read or search permission (a
// layer may ship d---------) is made accessible first: it is about to go.
Fd open_to_remove(int dirfd, const char* name) {
  constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  Fd dir(openat(dirfd, name, kFlags));
  if (!dir && errno == EACCES && fchmodat(dirfd, name, 0700, AT_SYMLINK_NOFOLLOW) == 0)
    dir.reset(openat(dirfd, name, kFlags));
  // Without write and search permission it cannot be emptied. Only where it
  // lacks them: a chmod dirties the inode, which the journal then writes.
  struct stat st;
  if (dir && (fstat(dir.get(), &st) < 0 || (st.st_mode & 0700) != 0700)) fchmod(dir.get(), 0700);
  return dir;
}

}  // namespace

// Iterative, with the names still to remove kept per level, so a tree of any
// depth takes a bounded number of descriptors (DirStack) and linear time:
// each directory is listed once, however often the walk comes back to it.
void remove_tree_at(int dirfd, const char* name) {
  if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return;
  if (errno != EISDIR && errno != EPERM) fail_errno("remove %s", name);
  int unlink_errno = errno;
  // Not a directory after all: unlink's error is the one to report.
  auto open_or_explain = [&](int at, const char* what) {
    Fd dir = open_to_remove(at, what);
    if (!dir && errno == ENOTDIR) errno = unlink_errno;
    return dir;
  };
  Fd top = open_or_explain(dirfd, name);
  if (!top) {
    if (errno == ENOENT) return;
    fail_errno("remove %s", name);
  }
  {
    DirStack stack(std::move(top), 16);
    std::vector<std::vector<DirName>> todo;
    todo.push_back(read_dir_names(stack.fd()));
    for (;;) {
      if (todo.back().empty()) {
        if (stack.depth() == 0) break;
        std::string done = stack.name();
        stack.leave();
        todo.pop_back();
        if (unlinkat(stack.fd(), done.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
          fail_errno("rmdir %s", done.c_str());
        continue;
      }
      DirName entry = std::move(todo.back().back());
      todo.back().pop_back();
      const char* child = entry.name.c_str();
      unlink_errno = EISDIR;
      if (entry.type != DT_DIR) {
        if (unlinkat(stack.fd(), child, 0) == 0 || errno == ENOENT) continue;
        if (errno != EISDIR && errno != EPERM) fail_errno("remove %s", child);
        unlink_errno = errno;
      }
      Fd dir = open_or_explain(stack.fd(), child);
      if (!dir) {
        if (errno == ENOENT) continue;
        fail_errno("remove %s", child);
      }
      stack.push(entry.name, std::move(dir));
      todo.push_back(read_dir_names(stack.fd()));
    }
  }
  if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) fail_errno("rmdir %s", name);
}

void remove_tree(const std::string& path) { remove_tree_at(AT_FDCWD, path.c_str()); }

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> out;
  DIR* dir = opendir(path.c_str());
  if (!dir) {
    if (errno == ENOENT) return out;
    fail_errno("opendir %s", path.c_str());
  }
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
    out.emplace_back(e->d_name);
  }
  closedir(dir);
  return out;
}

}  // namespace hutch
