// Small string helpers shared by parsers.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hutch {

// Go's strings.Split: "" gives one empty piece, "a,,b" three pieces.
std::vector<std::string> split(std::string_view s, char sep);
// ASCII only, as Go's strings.ToLower is for the names docker compares.
std::string lowercase(std::string s);
// Go's strings.Join.
std::string join(const std::vector<std::string>& items, std::string_view sep);
// Without leading and trailing spaces and tabs.
std::string trimmed(const std::string& s);
// The words between runs of spaces and tabs, as Go's strings.Fields sees
// a config file's line.
std::vector<std::string> split_whitespace(const std::string& s);

}  // namespace hutch
