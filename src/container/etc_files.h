// /etc/hosts, /etc/hostname and /etc/resolv.conf written for each container and
// bind-mounted over the image's, as docker does.
#pragma once
#include <string>
#include <vector>

#include "container/spec_builder.h"

namespace hutch {

// Writes the three files into dir and returns the bind mounts for them. With
// the host's network, hosts and resolv.conf are the host's.
std::vector<ResolvedMount> write_etc_files(const std::string& dir, const std::string& hostname, bool host_network);

}  // namespace hutch
