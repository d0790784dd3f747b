// docker's capability rules: the default set, --cap-add and --cap-drop (names
// with or without CAP_, any case, ALL), --privileged.
#pragma once
#include <string>
#include <vector>

#include "container/run_options.h"

namespace hutch {

// The container's capability set (each name once, docker's order); throws
// Error with docker's message for an unknown name.
std::vector<std::string> container_capabilities(const HostConfig& host);

}  // namespace hutch
