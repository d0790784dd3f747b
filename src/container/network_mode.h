// The --network modes hutch knows (HostConfig.NetworkMode), one list for the
// checks of run, the spec builder and inspect.
#pragma once
#include <string>

#include "store/container_config.h"

namespace hutch {

// Whether the container's network is the engine's (bridge and its names),
// rather than none, host, another container's or loopback only (private).
bool uses_network_engine(const HostConfig& host);

// "container:NAME" -> "NAME"; "" for any other mode.
std::string network_container(const HostConfig& host);

// One of the modes above (bridge, default, pasta, none, private, host,
// container:X); anything else names a user network.
bool is_known_network_mode(const HostConfig& host);

// The user network's name or id the mode names; "" for the modes above.
std::string user_network(const HostConfig& host);

}  // namespace hutch
