// The first record of a CSV text as Go's encoding/csv reads it (comma
// separated, double quotes, no lazy quotes): docker parses --mount, and later
// flags of the same shape, with it, so quoting and its errors are Go's.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hutch {

// Empty lines before the record are skipped; what follows it is ignored, as
// docker reads only one record. Throws Error with Go's text: "EOF" when there
// is no record, "parse error on line 1, column 15: bare \" in non-quoted-field",
// "... extraneous or missing \" in quoted-field".
std::vector<std::string> read_csv_record(std::string_view text);

}  // namespace hutch
