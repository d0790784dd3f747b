// An ordinary user cannot make a container's namespaces without a user
// namespace of its own. A config that names none (runtime-tools' and most
// root-written configs) still runs: the runtime adds one, as crun does.
#pragma once
#include "runtime/oci_config.h"

namespace hutch {

// For a caller whose euid is not 0 and a config with no user namespace: the
// config with a new one, mapping 0 to the caller and, when /etc/subuid and
// /etc/subgid give a range and newuidmap exists, 1..N to that range (the
// layout of hutch's own containers and of podman's). Otherwise the config
// unchanged.
oci::Config with_implicit_userns(const oci::Config& config);

}  // namespace hutch
