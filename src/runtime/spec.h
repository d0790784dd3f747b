// The one seam between docker semantics and Linux: everything the runtime needs
// to start a container, resolved from image config and flags by container/.
// Field names follow the OCI runtime spec where one exists.
#pragma once
#include <sys/ioctl.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace hutch {

struct IdMapping {
  uid_t host_uid = 0;
  gid_t host_gid = 0;
  // Subordinate ranges (from /etc/subuid, /etc/subgid); count 0 when absent,
  // and then only root is mapped (to the invoking user).
  uid_t subuid_start = 0;
  uint32_t subuid_count = 0;
  gid_t subgid_start = 0;
  uint32_t subgid_count = 0;

  bool has_range() const { return subuid_count > 0 && subgid_count > 0; }
  bool maps_gid(gid_t gid) const { return gid == 0 || (has_range() && gid <= subgid_count); }
  // Names the layer directories unpacked under this mapping.
  std::string key() const;
};

struct BindMount {
  std::string source;       // host path
  std::string destination;  // absolute path in the container
  bool read_only = false;
};

struct ProcessSpec {
  std::vector<std::string> args;
  std::vector<std::string> env;  // HOME is added from passwd when absent
  std::string cwd = "/";
  std::string user;              // docker's -u form, resolved in the container's /etc/passwd
  bool terminal = false;
  bool stdin_open = false;
  std::optional<struct winsize> console_size;
};

enum class NetworkMode { kPrivate, kNone, kHost };

struct Spec {
  ProcessSpec process;
  std::vector<std::string> layers;  // lower directories, base first
  std::string upper_dir;
  std::string work_dir;
  std::string rootfs;               // the mount point for the overlay
  bool volatile_upper = false;      // skip overlay's syncs: nothing survives the container
  std::string hostname;
  NetworkMode network = NetworkMode::kPrivate;
  std::vector<BindMount> mounts;    // /etc/hosts etc., later volumes
  IdMapping mapping;
};

}  // namespace hutch
