#include "store/store.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/error.h"
#include "base/file.h"
#include "base/log.h"
#include "base/random.h"

namespace hutch {

std::string default_store_root() {
  if (const char* root = getenv("HUTCH_ROOT"); root && *root) return root;
  if (const char* data = getenv("XDG_DATA_HOME"); data && *data) return std::string(data) + "/hutch";
  const char* home = getenv("HOME");
  if (!home || !*home) {
    struct passwd* pw = getpwuid(getuid());
    if (!pw) fail("cannot find a home directory for the store: set HUTCH_ROOT or --root");
    home = pw->pw_dir;
  }
  return std::string(home) + "/.local/share/hutch";
}

Store::Store(std::string root) : root_(std::move(root)) {
  if (root_.empty()) fail("store root is empty");
  if (root_.front() != '/') {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) fail_errno("getcwd");
    root_ = path_join(cwd, root_);
  }
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  with_context("store " + root_, [&] {
    if (is_dir(root_ + "/tmp")) return;  // the last directory created below
    mkdir_p(root_, 0700);
    for (const char* dir : {"blobs", "blobs/sha256", "layers", "images", "containers", "names", "volumes", "networks", "tmp"})
      mkdir_p(root_ + "/" + dir, 0700);
  });
}

// An empty Digest would name the directory itself.
static std::string_view checked_hex(const Digest& digest) {
  if (digest.empty()) fail("internal error: a store path from an empty digest");
  return digest.hex();
}

std::string Store::blob_path(const Digest& digest) const {
  return root_ + "/blobs/sha256/" + std::string(checked_hex(digest));
}

std::string Store::layer_dir(const std::string& mapping_key, const Digest& diff_id) const {
  return layers_dir(mapping_key) + "/" + std::string(checked_hex(diff_id));
}

std::string Store::image_record_path(const Digest& id) const {
  return images_dir() + "/" + std::string(checked_hex(id)) + ".json";
}

void Store::adopt_blob(const Digest& digest, const std::string& staged_path) const {
  std::string dest = blob_path(digest);
  if (!exists(dest) && link(staged_path.c_str(), dest.c_str()) < 0 && errno != EEXIST)
    fail_errno("store blob %s", digest.c_str());
}

void Store::put_blob(const Digest& digest, std::string_view bytes) const {
  std::string dest = blob_path(digest);
  if (!exists(dest)) write_file_atomic(dest, bytes, true);
}

std::string Store::layers_dir(const std::string& mapping_key) const {
  return root_ + "/layers/" + mapping_key;
}

FileLock Store::lock_metadata() const { return FileLock(root_ + "/metadata.lock", FileLock::kExclusive); }

FileLock Store::lock_content(FileLock::Mode mode) const { return FileLock(content_lock_path(), mode); }

FileLock Store::try_lock_content_exclusive() const { return FileLock::try_exclusive(content_lock_path()); }

namespace {

// Leftovers are garbage, not work the caller asked for: one that cannot be
// removed now (ids this namespace does not map, a full disk...) is left for
// the next collection, and the command goes on.
bool remove_stale(const std::string& dir) {
  try {
    remove_tree(dir);
    return true;
  } catch (const Error& e) {
    log_debug("stale staging %s left for later: %s", dir.c_str(), e.what());
    return false;
  }
}

}  // namespace

void Store::collect_stale_staging() const {
  std::string tmp = tmp_dir();
  try {
    for (const auto& name : list_dir(tmp)) {
      if (name.size() < 5 || name.compare(name.size() - 5, 5, ".lock") != 0) continue;
      std::string lock_path = tmp + "/" + name;
      FileLock lock = FileLock::try_exclusive(lock_path);
      if (!lock.held()) continue;
      std::string dir = lock_path.substr(0, lock_path.size() - 5);
      log_debug("removing stale staging %s", dir.c_str());
      // The lock file stays while the directory does: it is still stale.
      if (remove_stale(dir)) unlink(lock_path.c_str());
    }
    // A directory whose lock file is gone was orphaned before it was ever used.
    for (const auto& name : list_dir(tmp)) {
      if (name.size() >= 5 && name.compare(name.size() - 5, 5, ".lock") == 0) continue;
      if (name.find(".tmp-") != std::string::npos) continue;
      if (!exists(tmp + "/" + name + ".lock")) remove_stale(tmp + "/" + name);
    }
  } catch (const Error& e) {
    log_debug("collecting stale staging in %s: %s", tmp.c_str(), e.what());
  }
}

Staging::Staging(const Store& store) : lock_([&] {
    // The lock file comes first and is checked to still be linked once held:
    // a concurrent collector may have removed it between creation and flock.
    for (;;) {
      path_ = store.tmp_dir() + "/" + random_hex(8);
      lock_path_ = path_ + ".lock";
      FileLock lock(lock_path_, FileLock::kExclusive);
      struct stat st;
      if (stat(lock_path_.c_str(), &st) == 0) return lock;
    }
  }()) {
  if (mkdir(path_.c_str(), 0700) < 0) fail_errno("mkdir %s", path_.c_str());
}

Staging::~Staging() {
  try {
    remove_tree(path_);
  } catch (const Error& e) {
    log_warn("%s", e.what());
  }
  unlink(lock_path_.c_str());
}

std::string Staging::make_path(const std::string& prefix) {
  return path_ + "/" + prefix + std::to_string(counter_++);
}

}  // namespace hutch
