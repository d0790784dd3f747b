// docker's environment rules: image Env, then --env-file, then -e; a bare NAME
// copies the caller's value or drops the variable.
#pragma once
#include <string>
#include <vector>

namespace hutch {

// Applies `updates` (NAME=VALUE, or NAME to copy from this process) over `base`.
void apply_env(std::vector<std::string>& base, const std::vector<std::string>& updates);
// Reads an --env-file: one NAME[=VALUE] per line, '#' comments, blank lines skipped.
std::vector<std::string> read_env_file(const std::string& path);
void set_env_default(std::vector<std::string>& env, const std::string& name, const std::string& value);

}  // namespace hutch
