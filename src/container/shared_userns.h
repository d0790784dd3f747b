// A user namespace with a subordinate range costs two setuid execs
// (newuidmap, newgidmap) to make, the slowest step of a start. A container
// whose id maps equal those of one already running joins that one's user
// namespace instead, as rootless podman's containers share its pause
// process's. Nothing is kept for it: the namespace lives exactly as long as
// some container in it, and the first start after the last one ended makes
// a new one.
//
// Which container to join is read from an anchor file per set of maps in the
// store (userns/KEY: "PID STARTTIME" of the container that made the newest
// namespace with them), so finding it costs one small read, not a scan of
// every container. Once the anchor has ended, the next start makes a new
// namespace (and becomes the anchor), even if containers that joined the old
// one still run.
#pragma once
#include <sys/types.h>

#include <string>

#include "runtime/oci_config.h"
#include "store/store.h"
#include "base/fd.h"

namespace hutch {

class SharedUserns {
 public:
  // For a spec asking for a new user namespace whose maps need newuidmap,
  // with a PID namespace of its own and neither CAP_SYS_ADMIN nor
  // CAP_SYS_PTRACE (which could reach the other containers in it):
  // opens the namespace of the anchor container, when it still runs with
  // the same maps. Otherwise nothing is found, and the spec is left as is.
  SharedUserns(const Store& store, const oci::Config& spec);

  bool found() const { return userns_.valid(); }
  // The spec joins the found namespace (through this object's descriptor,
  // so it must outlive the create) instead of making one.
  void join(oci::Config& spec) const;
  // When this container made its namespace: its init becomes the anchor.
  void announce(pid_t init) const;

 private:
  std::string anchor_path_;  // empty: the spec's maps need no helpers
  Fd userns_;
};

}  // namespace hutch
