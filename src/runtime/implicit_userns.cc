#include "runtime/implicit_userns.h"

#include <unistd.h>

#include "runtime/userns.h"

namespace hutch {

oci::Config with_implicit_userns(const oci::Config& config) {
  // Root, the host's or a user namespace's (podman runs its runtime as the
  // root of its own), may make namespaces as the config says.
  if (geteuid() == 0 || config.linux.has_namespace("user")) return config;
  oci::Config out = config;
  out.linux.namespaces.insert(out.linux.namespaces.begin(), oci::Namespace{"user", ""});
  IdMapping ids = detect_id_mapping();
  out.linux.uid_mappings = {{0, ids.host_uid, 1}};
  out.linux.gid_mappings = {{0, ids.host_gid, 1}};
  if (ids.has_range()) {
    out.linux.uid_mappings.push_back({1, ids.subuid_start, ids.subuid_count});
    out.linux.gid_mappings.push_back({1, ids.subgid_start, ids.subgid_count});
  }
  return out;
}

}  // namespace hutch
