// docker's column output: the text/tabwriter docker's formatter uses (cells
// end at a tab; each column as wide as its widest cell plus three spaces,
// at least ten).
#pragma once
#include <string>
#include <vector>

namespace hutch {

// Aligns tab-terminated cells the way Go's tabwriter does with docker's
// settings (minwidth 10, padding 3, padded with spaces). The text after a
// line's last tab is not part of a column and is never padded.
// min_width: docker's top uses 20.
std::string tabwrite(const std::string& text, size_t min_width = 10);

// Rows of cells, the first row the header, aligned by tabwrite().
std::string format_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace hutch
