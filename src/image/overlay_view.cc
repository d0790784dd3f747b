#include "image/overlay_view.h"

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

std::vector<std::string> sorted_names(int dirfd) {
  std::vector<std::string> names;
  for (auto& entry : read_dir_names(dirfd)) names.push_back(std::move(entry.name));
  std::sort(names.begin(), names.end());
  return names;
}

// Two levels per layer stay open: the current directory and its parent, which
// the walk returns to next.
MergedWalk::MergedWalk(const std::vector<std::string>& dirs_top_first) {
  for (size_t i = 0; i < dirs_top_first.size(); i++)
    layers_.push_back(Layer{DirStack(open_dir(dirs_top_first[i]), 2), i});
}

bool MergedWalk::empty() const {
  for (const auto& layer : layers_)
    if (contributes(layer)) return false;
  return true;
}

int MergedWalk::fd_for(const Entry& entry) const {
  for (const auto& layer : layers_)
    if (layer.index == entry.layer && contributes(layer)) return layer.stack.fd();
  fail("merged directory: no layer %zu", entry.layer);
}

std::map<std::string, MergedWalk::Entry> MergedWalk::list() const {
  std::map<std::string, std::optional<Entry>> seen;  // nullopt: whited out
  for (const auto& layer : layers_) {
    if (!contributes(layer)) continue;
    int fd = layer.stack.fd();
    for (auto& dirent : read_dir_names(fd)) {
      if (seen.count(dirent.name)) continue;
      auto info = stat_entry(fd, dirent.name);
      if (!info) continue;
      if (info->whiteout) seen[dirent.name] = std::nullopt;
      else seen[dirent.name] = Entry{*info, layer.index};
    }
  }
  std::map<std::string, Entry> out;
  for (auto& [name, entry] : seen)
    if (entry) out.emplace(name, *entry);
  return out;
}

std::optional<MergedWalk::Entry> MergedWalk::lookup(const std::string& name) const {
  for (const auto& layer : layers_) {
    if (!contributes(layer)) continue;
    auto info = stat_entry(layer.stack.fd(), name);
    if (!info) continue;
    if (info->whiteout) return std::nullopt;
    return Entry{*info, layer.index};
  }
  return std::nullopt;
}

void MergedWalk::enter(const std::string& name, const Entry* entry) {
  std::vector<Layer*> below;  // the layers that contribute to the subdirectory
  if (entry && S_ISDIR(entry->info.mode)) {
    bool found = false;  // past the layer the visible entry comes from
    for (auto& layer : layers_) {
      if (!contributes(layer)) continue;
      if (!found) {
        if (layer.index != entry->layer) continue;
        found = true;
        below.push_back(&layer);
        if (entry->info.opaque) break;
        continue;
      }
      auto info = stat_entry(layer.stack.fd(), name);
      if (!info) continue;  // this layer does not have it: look further down
      if (info->whiteout || !S_ISDIR(info->mode)) break;
      below.push_back(&layer);
      if (info->opaque) break;
    }
  }
  for (Layer* layer : below) {
    if (!layer->stack.try_enter(name)) fail_errno("open directory %s", name.c_str());
  }
  depth_++;
}

void MergedWalk::leave() {
  if (depth_ == 0) fail("merged directory: leave at the root");
  for (auto& layer : layers_)
    if (contributes(layer)) layer.stack.leave();
  depth_--;
}

}  // namespace hutch
