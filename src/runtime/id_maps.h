// Writing a new user namespace's id maps from outside it, as its parent must.
#pragma once
#include <sys/types.h>

#include <vector>

#include "runtime/oci_config.h"

namespace hutch {

// Maps only the caller's own uid and gid as one entry each: written directly.
// Anything else (a subordinate range) goes through the setuid newuidmap and
// newgidmap, which check /etc/subuid and /etc/subgid; root writes directly.
// Throws naming the map that could not be written.
void write_id_maps(pid_t pid, const std::vector<oci::IdMap>& uids, const std::vector<oci::IdMap>& gids);

// The maps as /proc/PID/uid_map takes them: "INSIDE OUTSIDE SIZE" lines.
std::string id_map_text(const std::vector<oci::IdMap>& maps);

// Whether write_id_maps must run the setuid helpers for these maps.
bool id_maps_need_helpers(const std::vector<oci::IdMap>& uids, const std::vector<oci::IdMap>& gids);

// The path of a program found on PATH (or the usual bin and sbin
// directories); empty when absent.
std::string find_program(const char* name);

}  // namespace hutch
