// Linux capability names as the OCI runtime spec writes them ("CAP_CHOWN")
// and their numbers: the kernel ABI, CAP_CHOWN (0) to CAP_CHECKPOINT_RESTORE (40).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hutch {

inline constexpr int kLastCapability = 40;

std::optional<int> capability_number(std::string_view name);
// nullptr outside 0..kLastCapability.
const char* capability_name(int number);
// Every known name, in number order (what `runtime features` lists).
std::vector<std::string> capability_names();
// The set as a bit mask (bit N for capability N); throws Error on an unknown name.
uint64_t capability_mask(const std::vector<std::string>& names);

}  // namespace hutch
