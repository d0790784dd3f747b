#include "image/layer_pack.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "base/dir_stack.h"
#include "base/error.h"
#include "base/file.h"
#include "base/log.h"

namespace hutch {

namespace {

constexpr const char* kWhiteoutPrefix = ".wh.";
constexpr const char* kOpaqueMarker = ".wh..wh..opq";

std::string entry_path(int dirfd, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
}

bool keep_xattr(const char* name) {
  if (!strncmp(name, "user.overlay.", 13) || !strcmp(name, "user.containers.override_stat")) return false;
  return !strncmp(name, "user.", 5) || !strcmp(name, "security.capability");
}

std::vector<std::pair<std::string, std::string>> read_xattrs(int dirfd, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string path = entry_path(dirfd, name);
  std::vector<char> names(4096);
  ssize_t n;
  while ((n = llistxattr(path.c_str(), names.data(), names.size())) < 0 && errno == ERANGE)
    names.resize(names.size() * 4);
  if (n <= 0) return out;
  for (ssize_t pos = 0; pos < n; pos += strlen(&names[pos]) + 1) {
    const char* key = &names[pos];
    if (!keep_xattr(key)) continue;
    std::vector<char> value(256);
    ssize_t len;
    while ((len = lgetxattr(path.c_str(), key, value.data(), value.size())) < 0 && errno == ERANGE)
      value.resize(value.size() * 4);
    if (len < 0) continue;
    out.emplace_back(key, std::string(value.data(), len));
  }
  return out;
}

class EntryWriter {
 public:
  explicit EntryWriter(TarWriter& tar) : tar_(tar) {}

  // Writes one filesystem entry found at name in dirfd under tar path `path`.
  void add(int dirfd, const std::string& name, const FsInfo& info, const std::string& path);
  void add_marker(const std::string& path, const FsInfo& like, mode_t perm);

 private:
  TarWriter& tar_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

void EntryWriter::add(int dirfd, const std::string& name, const FsInfo& info, const std::string& path) {
  TarEntry e;
  e.path = S_ISDIR(info.mode) ? path + "/" : path;
  e.type = info.mode & S_IFMT;
  e.perm = info.mode & 07777;
  e.uid = info.uid;
  e.gid = info.gid;
  e.mtime = info.mtime;
  if (S_ISSOCK(info.mode)) {
    log_debug("%s: socket not archived", path.c_str());
    return;
  }
  e.xattrs = read_xattrs(dirfd, name);
  if (!S_ISDIR(info.mode) && info.nlink > 1) {
    auto key = std::make_pair(info.dev, info.ino);
    if (auto it = links_.find(key); it != links_.end()) {
      e.hardlink = it->second;
      tar_.begin(e);
      return;
    }
    links_.emplace(key, path);
  }
  if (S_ISREG(info.mode)) {
    Fd fd(openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) return;  // removed since it was listed
      fail_errno("open %s", path.c_str());
    }
    struct stat st;
    if (fstat(fd.get(), &st) < 0) fail_errno("stat %s", path.c_str());
    e.size = st.st_size;
    tar_.add_from_fd(e, fd.get());
    return;
  }
  if (S_ISLNK(info.mode)) {
    std::vector<char> target(std::max<off_t>(info.size, 255) + 2);
    ssize_t n = readlinkat(dirfd, name.c_str(), target.data(), target.size() - 1);
    if (n < 0) {
      if (errno == ENOENT) return;
      fail_errno("readlink %s", path.c_str());
    }
    e.symlink.assign(target.data(), n);
  } else if (S_ISCHR(info.mode) || S_ISBLK(info.mode)) {
    e.rdev_major = major(info.rdev);
    e.rdev_minor = minor(info.rdev);
  }
  tar_.begin(e);
}

void EntryWriter::add_marker(const std::string& path, const FsInfo& like, mode_t perm) {
  TarEntry e;
  e.path = path;
  e.perm = perm;
  e.uid = like.uid;
  e.gid = like.gid;
  e.mtime = like.mtime;
  tar_.begin(e);
}

void write_changes(EntryWriter& out, DirStack& upper, const std::vector<UpperNode>& nodes, std::string& dir) {
  size_t dir_size = dir.size();
  for (const auto& node : nodes) {
    dir.resize(dir_size);
    std::string prefix = dir.empty() ? "" : dir + "/";
    if (node.kind == ChangeKind::kDelete) {
      out.add_marker(prefix + kWhiteoutPrefix + node.name, node.info, 0600);
      continue;
    }
    // Fresh metadata: the walk that chose the entries may be a moment old.
    auto info = stat_entry(upper.fd(), node.name);
    if (!info || info->whiteout) continue;
    std::string path = prefix + node.name;
    out.add(upper.fd(), node.name, *info, path);
    if (!S_ISDIR(info->mode)) continue;
    if (info->opaque) out.add_marker(path + "/" + kOpaqueMarker, *info, info->mode & 0777);
    upper.enter(node.name);
    dir = std::move(path);
    write_changes(out, upper, node.children, dir);
    upper.leave();
  }
  dir.resize(dir_size);
}

void write_merged(EntryWriter& out, MergedWalk& walk, std::string& path) {
  size_t path_size = path.size();
  for (const auto& [name, entry] : walk.list()) {
    path.resize(path_size);
    if (!path.empty()) path += "/";
    path += name;
    out.add(walk.fd_for(entry), name, entry.info, path);
    if (!S_ISDIR(entry.info.mode)) continue;
    walk.enter(name, &entry);
    write_merged(out, walk, path);
    walk.leave();
  }
  path.resize(path_size);
}

}  // namespace

void write_changes_layer(TarWriter& tar, const std::string& upper_dir, const UpperChanges& changes) {
  DirStack upper(open_dir(upper_dir));
  EntryWriter out(tar);
  std::string dir;
  write_changes(out, upper, changes.top, dir);
}

void write_merged_tree(TarWriter& tar, const std::vector<std::string>& dirs_top_first) {
  EntryWriter out(tar);
  MergedWalk walk(dirs_top_first);
  std::string path;
  write_merged(out, walk, path);
}

bool write_entry_tree(TarWriter& tar, int dir_fd, const std::string& name, const std::string& as) {
  auto info = stat_entry(dir_fd, name);
  if (!info) return false;
  EntryWriter out(tar);
  out.add(dir_fd, name, *info, as);
  if (!S_ISDIR(info->mode)) return true;
  Fd dir(openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) fail_errno("open %s", as.c_str());
  MergedWalk walk({"/proc/self/fd/" + std::to_string(dir.get())});
  std::string path = as;
  write_merged(out, walk, path);
  return true;
}

}  // namespace hutch
