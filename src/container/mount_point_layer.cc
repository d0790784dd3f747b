#include "container/mount_point_layer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/error.h"
#include "base/fd.h"
#include "base/file.h"

namespace hutch {

namespace {

constexpr const char* kFiles[] = {"hosts", "hostname", "resolv.conf"};

// A merged directory shows the attributes of its topmost layer, so ours may
// stand above the image's /etc only where it looks the same: root's (the
// caller's, unpacked) and mode 0755. The topmost layer that names /etc
// decides; a whiteout is a character device, which does not qualify.
bool etc_looks_like_ours(const std::vector<std::string>& layer_dirs) {
  for (auto it = layer_dirs.rbegin(); it != layer_dirs.rend(); ++it) {
    struct stat st;
    if (lstat((*it + "/etc").c_str(), &st) == 0)
      return S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755 && st.st_uid == geteuid() &&
             st.st_gid == getegid();
    if (errno != ENOENT) return false;
  }
  return true;
}

void build(const std::string& dir) {
  // mkdir's mode passes the umask; the layer must say 0755 whatever it is.
  if (mkdir((dir + "/etc").c_str(), 0755) < 0 || chmod((dir + "/etc").c_str(), 0755) < 0) fail_errno("mkdir %s/etc", dir.c_str());
  for (const char* name : kFiles) {
    std::string path = dir + "/etc/" + name;
    Fd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!file) fail_errno("create %s", path.c_str());
  }
}

}  // namespace

std::string mount_point_layer(const Store& store, const std::vector<std::string>& layer_dirs) {
  if (!etc_looks_like_ours(layer_dirs)) return "";
  std::string dir = store.mount_point_layer_dir();
  if (is_dir(dir)) return dir;
  // Built aside and renamed into place: a kill leaves staging, never half a layer.
  Staging staging(store);
  std::string built = staging.make_path("mount-points");
  if (mkdir(built.c_str(), 0755) < 0) fail_errno("mkdir %s", built.c_str());
  build(built);
  // Another run may have won the race; its layer is the same.
  if (rename(built.c_str(), dir.c_str()) < 0 && errno != EEXIST && errno != ENOTEMPTY)
    fail_errno("rename %s", dir.c_str());
  return dir;
}

}  // namespace hutch
