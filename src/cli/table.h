// docker's column output: each column as wide as its widest cell plus three spaces.
#pragma once
#include <string>
#include <vector>

namespace hutch {

std::string format_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace hutch
