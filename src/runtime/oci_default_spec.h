// What `hutch runtime spec` writes and `hutch runtime features` reports: the
// starting config.json of an OCI bundle (runc spec's, field for field), and
// the runtime-spec Features structure saying what this runtime implements.
#pragma once
#include <cstdint>
#include <string>

#include "runtime/oci_config.h"

namespace hutch::oci {

// rootless: a user namespace mapping container root to (uid, gid), no network
// namespace and no cgroup resources (an unprivileged user can create neither),
// /sys bound from the host (sysfs cannot be mounted without the network
// namespace's owner), and no gid=5 on /dev/pts (that group is not mapped).
Config default_spec(bool rootless, uint32_t uid, uint32_t gid);
// With the calling process's real uid and gid.
Config default_spec(bool rootless);

std::string features_json();

}  // namespace hutch::oci
