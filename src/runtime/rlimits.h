// POSIX resource limit names as the OCI runtime spec writes them
// ("RLIMIT_NOFILE") and the resource numbers setrlimit(2) takes.
#pragma once
#include <optional>
#include <string_view>

namespace hutch {

std::optional<int> rlimit_resource(std::string_view name);
// nullptr for a number without a name.
const char* rlimit_name(int resource);

}  // namespace hutch
