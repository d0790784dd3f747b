// /etc/hosts, /etc/hostname and /etc/resolv.conf written for each container and
// bind-mounted over the image's, as docker does.
#pragma once
#include <string>
#include <vector>

#include "runtime/spec.h"

namespace hutch {

// Writes the three files into dir and returns the bind mounts for them.
std::vector<BindMount> write_etc_files(const std::string& dir, const std::string& hostname, NetworkMode network);

}  // namespace hutch
