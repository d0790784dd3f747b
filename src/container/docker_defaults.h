// What docker gives a container when nothing says otherwise: shared by the
// spec builder (which applies them) and the inspect JSON (which shows them, as
// docker's HostConfig does).
#pragma once
#include <string>
#include <vector>

#include "container/run_options.h"

namespace hutch {

inline constexpr const char* kDefaultPathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// docker's default capability set, in docker's order.
const std::vector<std::string>& default_capabilities();
// Every capability Linux has named (CAP_CHOWN .. CAP_CHECKPOINT_RESTORE), in
// number order: what --privileged and --cap-add ALL give. Those the running
// kernel lacks are the runtime's to skip.
const std::vector<std::string>& all_capabilities();

// HostConfig.MaskedPaths and ReadonlyPaths as docker resolves them: the given
// lists, else none (privileged, or systempaths=unconfined), else docker's.
std::vector<std::string> masked_paths(const HostConfig& host);
std::vector<std::string> readonly_paths(const HostConfig& host);

}  // namespace hutch
