// The decisions build_spec shares between its parts (spec_builder.cc, the
// process; spec_mounts.cc, the mounts): which namespaces the container gets.
#pragma once
#include <vector>

#include "container/spec_builder.h"

namespace hutch {

struct NamespacePlan {
  bool pid = true, ipc = true, uts = true, network = true, cgroup = false;
  bool ipc_none = false;   // --ipc none: its own namespace, and no /dev/shm
  bool privileged = false;
};

// Throws Error for a mode docker does not know or hutch cannot honour yet.
NamespacePlan plan_namespaces(const HostConfig& host);

// docker's default mounts translated for a user namespace, then the resolved
// ones (facts.mounts) in docker's order; the overlay comes first of all.
std::vector<oci::Mount> spec_mounts(const HostConfig& host, const HostFacts& facts, const NamespacePlan& plan);

// Escapes what overlayfs's option syntax gives a meaning: ':' (between lower
// directories), ',' (between options) and '\'.
std::string overlay_escape(const std::string& path);

}  // namespace hutch
