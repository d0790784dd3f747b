// `hutch cp`: files between a container and the host, as docker's cp copies
// them (container/copy_paths.h has its path rules).
//
// The container's side is read or written through a descriptor of its root,
// and every path in it is resolved within that root, links included: a link
// `/tmp/evil -> /` makes CONTAINER:/tmp/evil/etc/shadow the container's
// /etc/shadow. A running container's root is its init's /proc/PID/root, so
// its volumes, binds and tmpfs mounts are there as it sees them; a stopped
// one's is its overlay (image layers and its own upper directory) with its
// binds and volumes, mounted in a mount namespace of the copy's own. Both
// sides move as a tar stream, extracted with the protections of layer
// unpacking: no "..", no entry written through a link, whether the link was
// there before (on the host too) or an earlier entry made it.
#pragma once
#include <string>

#include "store/store.h"

namespace hutch {

struct CopyRequest {
  std::string container;
  std::string container_path;
  std::string host_path;  // "-": a tar stream on stdout, or from stdin
  bool to_container = false;
  bool archive = false;      // -a: keep owners (else the container's root, or you on the host)
  bool follow_link = false;  // -L: copy what a symbolic link SRC_PATH points to
};

void copy_files(const Store& store, const CopyRequest& request);

}  // namespace hutch
