// OCI hooks: each runs with the container's state JSON on its stdin; one that
// fails (or outlives its timeout) fails the stage that ran it.
#pragma once
#include <string>
#include <vector>

#include "runtime/oci_config.h"

namespace hutch {

// stage names the hooks in errors ("createRuntime"). With warn_only (poststop,
// and poststart as runc does), failures are logged and the rest still run.
void run_hooks(const std::vector<oci::Hook>& hooks, const std::string& state_json, const char* stage,
               bool warn_only = false);

}  // namespace hutch
