// Small string helpers shared by parsers.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hutch {

// Go's strings.Split: "" gives one empty piece, "a,,b" three pieces.
std::vector<std::string> split(std::string_view s, char sep);

}  // namespace hutch
