#include "image/overlay_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "base/file.h"

namespace hutch {

namespace {

std::string entry_path(int dirfd, const std::string& name) {
  return "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
}

// "uid:gid:mode" (fuse-overlayfs' convention, written by layer_unpack).
void apply_override(int dirfd, const std::string& name, FsInfo& info) {
  char value[128];
  ssize_t n = lgetxattr(entry_path(dirfd, name).c_str(), "user.containers.override_stat", value, sizeof value - 1);
  if (n <= 0) return;
  value[n] = 0;
  char* end;
  unsigned long uid = strtoul(value, &end, 10);
  if (*end != ':') return;
  unsigned long gid = strtoul(end + 1, &end, 10);
  if (*end != ':') return;
  // The mode stays the file's own: fchmod worked at unpack time and later
  // chmods inside the container change the file, not the xattr.
  info.uid = uid;
  info.gid = gid;
}

bool is_opaque(int dirfd, const std::string& name) {
  char value[4];
  ssize_t n = lgetxattr(entry_path(dirfd, name).c_str(), "user.overlay.opaque", value, sizeof value);
  // "y" is opaque; "x" (newer kernels) only says the directory may hold
  // xattr whiteouts.
  return n == 1 && value[0] == 'y';
}

}  // namespace

std::optional<FsInfo> stat_entry(int dirfd, const std::string& name) {
  struct stat st;
  if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail_errno("stat %s", name.c_str());
  }
  FsInfo info;
  info.mode = st.st_mode;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.size = st.st_size;
  info.dev = st.st_dev;
  info.rdev = st.st_rdev;
  info.ino = st.st_ino;
  info.nlink = st.st_nlink;
  info.mtime = st.st_mtim.tv_sec;
  info.whiteout = S_ISCHR(st.st_mode) && st.st_rdev == 0;
  if (info.whiteout) return info;
  if (S_ISDIR(st.st_mode)) info.opaque = is_opaque(dirfd, name);
  if (!S_ISLNK(st.st_mode)) apply_override(dirfd, name, info);
  return info;
}

Fd open_entry_dir(int dirfd, const std::string& name) {
  Fd fd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) fail_errno("open directory %s", name.c_str());
  return fd;
}

std::vector<std::string> sorted_names(int dirfd) {
  int copy = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (copy < 0) fail_errno("open directory");
  DIR* dir = fdopendir(copy);
  if (!dir) {
    ::close(copy);
    fail_errno("open directory");
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* d = readdir(dir)) {
    if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) names.emplace_back(d->d_name);
  }
  int saved = errno;
  closedir(dir);
  if (saved) {
    errno = saved;
    fail_errno("read directory");
  }
  std::sort(names.begin(), names.end());
  return names;
}

MergedDir MergedDir::open_roots(const std::vector<std::string>& dirs_top_first) {
  MergedDir out;
  for (size_t i = 0; i < dirs_top_first.size(); i++)
    out.layers_.push_back(Layer{open_dir(dirs_top_first[i]), i});
  return out;
}

int MergedDir::fd_for(const Entry& entry) const {
  for (const auto& layer : layers_)
    if (layer.index == entry.layer) return layer.fd.get();
  fail("merged directory: no layer %zu", entry.layer);
}

std::map<std::string, MergedDir::Entry> MergedDir::list() const {
  std::map<std::string, std::optional<Entry>> seen;  // nullopt: whited out
  for (const auto& layer : layers_) {
    for (const auto& name : sorted_names(layer.fd.get())) {
      if (seen.count(name)) continue;
      auto info = stat_entry(layer.fd.get(), name);
      if (!info) continue;
      if (info->whiteout) seen[name] = std::nullopt;
      else seen[name] = Entry{*info, layer.index};
    }
  }
  std::map<std::string, Entry> out;
  for (auto& [name, entry] : seen)
    if (entry) out.emplace(name, *entry);
  return out;
}

std::optional<MergedDir::Entry> MergedDir::lookup(const std::string& name) const {
  for (const auto& layer : layers_) {
    auto info = stat_entry(layer.fd.get(), name);
    if (!info) continue;
    if (info->whiteout) return std::nullopt;
    return Entry{*info, layer.index};
  }
  return std::nullopt;
}

MergedDir MergedDir::child(const std::string& name, const Entry& entry) const {
  MergedDir out;
  if (!S_ISDIR(entry.info.mode)) return out;
  bool below = false;  // past the layer the visible entry comes from
  for (const auto& layer : layers_) {
    if (!below) {
      if (layer.index != entry.layer) continue;
      below = true;
      out.layers_.push_back(Layer{open_entry_dir(layer.fd.get(), name), layer.index});
      if (entry.info.opaque) break;
      continue;
    }
    auto info = stat_entry(layer.fd.get(), name);
    if (!info) continue;  // this layer does not have it: look further down
    if (info->whiteout || !S_ISDIR(info->mode)) break;
    out.layers_.push_back(Layer{open_entry_dir(layer.fd.get(), name), layer.index});
    if (info->opaque) break;
  }
  return out;
}

}  // namespace hutch
