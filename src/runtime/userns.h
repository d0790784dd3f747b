// Entering a user namespace as an unprivileged user. The calling process itself
// moves into the namespace (and becomes root there), so store work, layer
// unpacking and the container's parent all see one consistent id mapping.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>

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

// Reads /etc/subuid and /etc/subgid for the invoking user; the range is kept
// only when newuidmap and newgidmap are available to apply it.
IdMapping detect_id_mapping();

// Must be called while single-threaded. With a range, newuidmap/newgidmap map
// 0 -> the user and 1..N -> the range, as podman does; without one (or when the
// helpers refuse), only 0 -> the user. Returns the mapping in force.
IdMapping enter_user_namespace(const IdMapping& wanted);

}  // namespace hutch
